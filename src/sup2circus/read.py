"""Read a supervisord.conf exactly as supervisord 4.3 reads it, keeping source locations.

supervisor reads its config with ``UnhosedConfigParser``, a stdlib
``configparser.RawConfigParser(inline_comment_prefixes=(';', '#'), strict=False)``: option names
are lower-cased, the last duplicate option wins, duplicate sections merge, ``;``/``#`` start a
comment after whitespace anywhere in a line, indented comment lines inside a value are dropped,
indented lines continue the previous value. This module re-implements that parser's ``_read``
line by line (:class:`_Reader`; ``tests/read/test_read_scanner.py`` checks it against
configparser on random input), noting where every section and option came from as it reads them.

Why not configparser itself (issue 12 prefers it): tried, measured, and refused by the speed
guards. configparser set up as supervisor sets it up, with locations from its ``SECTCRE`` and
``optionxform`` hooks (commit 5624927 on branch i12-read; same RawConfig on the real-world
corpus and supervisor's fixtures), on ``bench/out/single-10000`` (``python bench/gen.py``, then
``/usr/bin/time -f '%U %S %M' sup2circus FILE -o /tmp/x.ini`` against ``python
bench/sup_parse.py FILE``, 2026-12-02, 2 shared CPUs): peak memory 135 MB against supervisor's
93 MB (guard: at most supervisor's; this scanner: 94 MB), CPU 2.05 s against this scanner's
1.63 s (supervisor 4.9 s: 0.42x instead of 0.33x; split-10000: 2.5 s, 0.42x, instead of 1.7 s).
The memory is configparser's reference cycles: a ``SectionProxy`` per section holds partials of
its own methods, and the parser and its proxies refer to each other, so with the cyclic
collector paused (the API during a conversion, the CLI for its whole run) the whole parser stays
alive; tests/api/test_api_memory.py fails on every case. Breaking those cycles needs configparser's
private attributes, or a forced collection the redesign removed.

``[include]`` is followed as ``ServerOptions.read_config`` does: ``%(here)s`` is replaced in every
value by the main file's directory (literally, even inside ``%%(here)s``), the ``files`` globs are
expanded (``here``, ``host_node_name``, ``ENV_*``), split on whitespace, joined to the main
file's directory, each glob's matches are read in sorted order (later files override earlier
ones) and ``%(here)s`` is replaced by each included file's directory after reading it. The list
of files is computed once, so an ``[include]`` in an included file is not followed.

The result (:class:`~sup2circus.model.RawConfig`) lists the sections in supervisor's order
(first appearance); each section's options include the ``[DEFAULT]`` ones it inherits (with
their ``[DEFAULT]`` location), as ``parser.get`` sees them. When the file has a ``[DEFAULT]``
section it is also listed, last, under the name ``DEFAULT`` (supervisor's ``sections()`` does
not list it: consumers that iterate sections should skip it).

Input that is not a readable text file raises :class:`InputError`; a file supervisord's parser
rejects raises :class:`ConfigError` with the file and line. NUL bytes are refused as binary
input (supervisord would read them); a UTF-8 byte order mark is read as part of the first line,
as supervisord does, so it ends in "no section header" (ConfigError, with a hint).
"""

from __future__ import annotations

import os
import re
import stat
import sys
from collections.abc import Mapping
from typing import Any

from .datatypes import expand
from .findings import ConfigError, InputError, Loc, Sup2CircusError
from .model import RawConfig, RawOption, RawSection, takes_whole_mapping
from .options import node_name
from .reporter import Reporter
from .suppress import may_have_comments

__all__ = ["MAX_FILE_SIZE", "read_file", "read_text"]

#: Larger inputs are refused (a supervisor config is a few KB; this bounds time and memory).
MAX_FILE_SIZE = 16 * 1024 * 1024

HERE_FORMAT = "%(here)s"
DEFAULTSECT = "DEFAULT"

if sys.version_info >= (3, 13):  # pragma: no cover - the project's CI runs 3.11
    _INLINE_COMMENT_RE = re.compile(r"(^|\s)(;)|(^|\s)(#)")

    def _comment_start(line: str) -> int | None:
        """Python 3.13+ ``configparser._Line._strip_inline``: the first ``;``/``#`` that starts
        the line or follows whitespace (the cut is at that whitespace: same after strip)."""
        m = _INLINE_COMMENT_RE.search(line)
        return m.start() if m else None

else:

    def _comment_start(line: str) -> int | None:
        """Python 3.10-3.12 ``RawConfigParser._read`` inline comment search, verbatim: the
        prefixes' occurrences are tried in rounds, so ``k = a#b #c ;d`` reads ``a#b #c``
        (3.13 reads ``a#b``)."""
        comment_start = sys.maxsize
        inline_prefixes = {";": -1, "#": -1}
        while comment_start == sys.maxsize and inline_prefixes:
            next_prefixes = {}
            for prefix, index in inline_prefixes.items():
                index = line.find(prefix, index + 1)
                if index == -1:
                    continue
                next_prefixes[prefix] = index
                if index == 0 or (index > 0 and line[index - 1].isspace()):
                    comment_start = min(comment_start, index)
            inline_prefixes = next_prefixes
        return None if comment_start == sys.maxsize else comment_start


class _Reader:
    """supervisor's ``UnhosedConfigParser`` state, with the location of everything read.

    :meth:`read` is ``RawConfigParser.read_file`` (``_read`` + ``_join_multiline_values``) with
    supervisor's settings -- delimiters ``=``/``:``, full-line comments ``#``/``;``, inline
    comments ``;``/``#`` at the start of a line or after whitespace, ``strict=False``,
    ``empty_lines_in_values=True``, ``allow_no_value=False``, ``optionxform=str.lower`` --
    reimplemented line by line (``tests/read/test_read_scanner.py`` checks it against configparser).
    Options are held as the :class:`RawOption` they end up as (value, location, name as written).
    """

    def __init__(self) -> None:
        self.sections: dict[str, dict[str, RawOption]] = {}  # configparser's _sections
        self.defaults: dict[str, RawOption] = {}  # configparser's _defaults
        self.section_locs: dict[str, Loc] = {}  # first header of each section
        self.section_here: dict[str, str] = {}  # directory of the file that created it
        self.default_loc: Loc | None = None  # first [DEFAULT] header
        self.include_headers: list[Loc] = []
        self.dup_options: list[tuple[str, str, Loc, Loc]] = []
        # where a value was cut at an inline comment (S2C125 says so: ' ;' in a command)
        self.comment_cuts: set[Loc] = set()
        self.dup_sections: list[tuple[str, Loc, Loc]] = []
        # (section, name) of the [DEFAULT] options expand_here copied into a section: configparser
        # records no location for them (theirs is [DEFAULT]'s, taken when the sections are made)
        self._copied: set[tuple[str, str]] = set()
        # sections expand_here must look at (see there)
        self._touched: set[str] = set()
        self._defaults_touched = False
        # one shared string per distinct name/value (memory)
        self._names: dict[str, tuple[str, str]] = {}
        self._values: dict[str, str] = {}

    def read(self, text: str, file: str, here: str) -> str:
        """Read one file; return its text with universal newlines (as supervisor reads it).

        Raises ConfigError where configparser raises MissingSectionHeaderError (at once) or
        ParsingError (after the whole file, naming the first bad line)."""
        # io.StringIO(text, newline=None)'s translation, without its 4-bytes-a-character buffer
        norm = text.replace("\r\n", "\n").replace("\r", "\n")
        names = self._names
        values = self._values
        cursect: dict[str, RawOption] | None = None
        sectname = ""
        # the option being read (stored in cursect when the next option/header/EOF comes):
        optname: str | None = None  # its name; continuation lines extend it when non-empty
        first = ""  # its first value line
        opt_loc = Loc(file, 0)
        key_text = ""
        parts: list[str] | None = None  # its value lines, once it has more than one
        blanks = 0  # empty lines since its last value line (kept if a value line follows)
        indent_level = 0
        errors: list[int] = []
        lineno = 0
        start = 0
        size = len(norm)
        while start < size:  # lines in chunks: split's speed without a list of every line
            end = norm.find("\n", start + 65536)
            if end < 0:
                end = size  # (a final "\n" then gives an extra empty line: no effect)
            chunk = norm[start:end].split("\n")
            start = end + 1
            for line in chunk:
                lineno += 1
                if "#" in line or ";" in line:
                    value = line.strip()
                    if value[0] == "#" or value[0] == ";":
                        continue  # full-line comment (also inside a value): ignored
                    cut = _comment_start(line)
                    if cut is not None:
                        self.comment_cuts.add(Loc(file, lineno))
                        value = line[:cut].strip()
                        if not value:  # pragma: no cover - then it is a full-line comment
                            continue
                else:
                    value = line.strip()
                    if not value:
                        if optname:
                            blanks += 1  # an empty line in the value (trailing ones dropped)
                        continue
                indent = len(line) - len(line.lstrip()) if line[0].isspace() else 0
                if optname and indent > indent_level:  # continuation line
                    if parts is None:
                        parts = [first]
                    if blanks:
                        parts.extend([""] * blanks)
                        blanks = 0
                    parts.append(value)
                    continue
                indent_level = indent
                if value[0] == "[":
                    rbracket = value.rfind("]")
                    if rbracket >= 2:  # SECTCRE: \[(?P<header>.+)\]
                        if optname is not None and cursect is not None:
                            cursect[optname] = _option(optname, first, parts, opt_loc, key_text)
                            optname, parts = None, None
                        blanks = 0
                        sectname = value[1:rbracket]
                        cursect = self._open(sectname, Loc(file, lineno, indent + 1), here)
                        continue
                if cursect is None:
                    raise _no_header(text, line, file, lineno)
                eq = value.find("=")
                colon = value.find(":")
                if colon >= 0 and (eq < 0 or colon < eq):
                    eq = colon
                if eq < 0:
                    errors.append(lineno)  # not an option line; optname stays (configparser)
                    continue
                if optname is not None:
                    cursect[optname] = _option(optname, first, parts, opt_loc, key_text)
                    parts = None
                blanks = 0
                raw_name = value[:eq].rstrip()
                if not raw_name:
                    errors.append(lineno)  # "=x": an error, but configparser still sets ''
                pair = names.get(raw_name)
                if pair is None:
                    pair = names[raw_name] = (raw_name, raw_name.lower())
                key_text, optname = pair
                first = value[eq + 1 :].lstrip()
                first = values.setdefault(first, first)
                opt_loc = Loc(file, lineno, indent + 1)
                prev = cursect.get(optname)
                if prev is not None:
                    self._set_again(sectname, optname, prev.loc, opt_loc)
        if optname is not None and cursect is not None:
            cursect[optname] = _option(optname, first, parts, opt_loc, key_text)
        if errors:
            raise _bad_lines(norm, errors, file)
        return norm

    def _open(self, sectname: str, loc: Loc, here: str) -> dict[str, RawOption]:
        """The options of the section whose header ``[sectname]`` is at ``loc``."""
        if sectname == "include":
            self.include_headers.append(loc)
        cursect = self.sections.get(sectname)
        if cursect is not None:
            prev_loc = self.section_locs[sectname]
            if prev_loc != loc:
                self.dup_sections.append((sectname, prev_loc, loc))
        elif sectname == DEFAULTSECT:
            if self.default_loc is None:
                self.default_loc = loc
            self._defaults_touched = True
            return self.defaults
        else:
            cursect = self.sections[sectname] = {}
            self.section_locs[sectname] = loc
            self.section_here[sectname] = here
        self._touched.add(sectname)
        return cursect

    def _set_again(self, sectname: str, optname: str, prev: Loc, loc: Loc) -> None:
        """Option ``optname``, already in the section, is read again at ``loc``."""
        if (sectname, optname) in self._copied:
            self._copied.discard((sectname, optname))  # read now: has a location
        elif prev != loc:
            self.dup_options.append((sectname, optname, prev, loc))

    def has_option(self, section: str, key: str) -> bool:
        return key in self.sections[section] or key in self.defaults

    def get(self, section: str, key: str) -> str:
        opt = self.sections[section].get(key)
        return (opt if opt is not None else self.defaults[key]).value

    def option_loc(self, section: str, key: str) -> Loc | None:
        """Where ``key`` of ``section`` was read (the section's own line, else [DEFAULT]'s)."""
        opt = self.sections[section].get(key)
        if opt is None or (section, key) in self._copied:
            opt = self.defaults.get(key)
        return opt.loc if opt is not None else None

    def expand_here(self, here: str) -> None:
        """supervisor's ``UnhosedConfigParser.expand_here``, with the same result::

            for section in self.sections():
                for key, value in self.items(section):  # [DEFAULT] options, then its own
                    if "%(here)s" in value:
                        self.set(section, key, value.replace("%(here)s", here))

        but only over the sections that can change: the ones read since the last call, the
        ones that still hold ``%(here)s`` (``here`` itself contains it), and all of them when
        [DEFAULT] was read since the last call. Any other section was expanded before with
        the same options and [DEFAULT] values, so it holds no ``%(here)s`` and has its own copy
        of every [DEFAULT] option that held one: the loop would not change it. Each section's
        result depends only on its own options and [DEFAULT], not on the order of sections.
        """
        names = list(self.sections) if self._defaults_touched else list(self._touched)
        defaults_here = [opt for opt in self.defaults.values() if HERE_FORMAT in opt.value]
        done: dict[str, str] = {}
        again: set[str] = set()
        for name in names:
            sect = self.sections[name]
            for key, opt in sect.items():  # values replaced in place: the size is unchanged
                value = opt.value
                if HERE_FORMAT in value:
                    new = done.get(value)
                    if new is None:
                        new = done[value] = value.replace(HERE_FORMAT, here)
                    sect[key] = RawOption(key, new, opt.loc, opt.key_text)
                    if HERE_FORMAT in new:
                        again.add(name)
            for opt in defaults_here:
                if opt.name not in sect:  # items() gives [DEFAULT]'s value: set() copies it in
                    value = opt.value
                    new = done.get(value)
                    if new is None:
                        new = done[value] = value.replace(HERE_FORMAT, here)
                    sect[opt.name] = RawOption(opt.name, new, opt.loc, opt.key_text)
                    self._copied.add((name, opt.name))
                    if HERE_FORMAT in new:
                        again.add(name)
        self._touched = again
        self._defaults_touched = False

    def raw_sections(self, main_file: str, here: str) -> list[RawSection]:
        """The sections as ``parser.items(name)`` gives them, then [DEFAULT] if it has options."""
        defaults = self.defaults
        copied: dict[str, list[str]] = {}
        for section, key in self._copied:
            copied.setdefault(section, []).append(key)
        result: list[RawSection] = []
        for name, sect in self.sections.items():
            opts = sect
            if defaults:  # [DEFAULT]'s options first, the section's own values win
                opts = {**defaults, **sect}
                for key in copied.get(name, ()):  # the section's value, [DEFAULT]'s location
                    dflt = defaults[key]
                    opts[key] = RawOption(key, sect[key].value, dflt.loc, dflt.key_text)
            result.append(
                RawSection(
                    name=name,
                    loc=self.section_locs[name],
                    options=opts,
                    here=self.section_here[name],
                )
            )
        if defaults:
            dloc = self.default_loc or Loc(main_file, 1)
            result.append(RawSection(name=DEFAULTSECT, loc=dloc, options=dict(defaults), here=here))
        return result


def _option(name: str, first: str, parts: list[str] | None, loc: Loc, key_text: str) -> RawOption:
    """The option whose value lines were read: ``first``, or all of ``parts`` once it has
    continuation lines."""
    return RawOption(name, first if parts is None else "\n".join(parts), loc, key_text)


def _no_header(text: str, line: str, file: str, lineno: int) -> ConfigError:
    """configparser's MissingSectionHeaderError, as a ConfigError with a hint."""
    hint = "the file must start with a [section] header"
    if text.startswith("\ufeff"):
        hint = (
            "the file starts with a UTF-8 byte order mark, which supervisord reads as part of "
            "the first line; save it without BOM"
        )
    return ConfigError(
        f"file contains no section header before {_short(line.strip())!r}",
        file,
        lineno,
        hint=hint,
    )


def _bad_lines(norm: str, errors: list[int], file: str) -> ConfigError:
    """configparser's ParsingError (``errors``: the bad lines' numbers), as a ConfigError."""
    bad = norm.split("\n")[errors[0] - 1]
    more = f" (and {len(errors) - 1} more bad lines)" if len(errors) > 1 else ""
    return ConfigError(
        f"not an ini line (name = value, [section] or comment): {_short(repr(bad))}{more}",
        file,
        errors[0],
        hint="supervisord refuses the file with 'File contains parsing errors'",
    )


def _decode(data: bytes, file: str) -> str:
    """Bytes -> text like supervisor (UTF-8 locale), refusing binary input."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise InputError(
            f"not valid UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start})",
            file,
            line,
            hint="supervisord reads its config as UTF-8 and refuses it too; re-encode the "
            "file as UTF-8",
        ) from None
    nul = text.find("\x00")
    if nul >= 0:
        line = text.count("\n", 0, nul) + 1
        raise InputError(
            "binary data (NUL byte) in a config file",
            file,
            line,
            hint="give the supervisord.conf text file, not a binary file",
        )
    return text


def _load(path: str) -> str:
    """Read one config file safely (regular files only, bounded size)."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise InputError(
            "could not find config file",
            path,
            hint="check the path: the file supervisord reads with -c",
        ) from None
    except OSError as exc:
        raise InputError(f"could not read config file: {exc.strerror}", path) from None
    except ValueError:  # os.stat refuses a path holding a NUL byte: no file has that name
        raise InputError(
            "could not find config file: its path holds a NUL byte",
            path,
            hint="check the path: a file name cannot hold a NUL byte",
        ) from None
    if stat.S_ISDIR(st.st_mode):
        raise InputError(
            "is a directory, not a config file",
            path,
            hint="give the path of supervisord.conf itself",
        )
    if not stat.S_ISREG(st.st_mode):
        raise InputError(
            "is not a regular file (device, FIFO or socket)",
            path,
            hint="save the config to a regular file or pipe it on stdin with '-'",
        )
    if st.st_size > MAX_FILE_SIZE:
        raise InputError(
            f"file too large ({st.st_size} bytes; limit {MAX_FILE_SIZE})",
            path,
            hint="a supervisor config is text of a few kilobytes",
        )
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_FILE_SIZE + 1)
    except OSError as exc:
        raise InputError(
            f"could not read config file: {exc.strerror}",
            path,
            hint="check the file's permissions",
        ) from None
    if len(data) > MAX_FILE_SIZE:
        raise InputError(f"file too large (limit {MAX_FILE_SIZE} bytes)", path)
    return _decode(data, path)


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[:limit] + "..."


class _RecordingMap(dict[str, str]):
    """Expansions that remember which names a format string used."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.used: set[str] = set()

    def __getitem__(self, key: str) -> str:
        self.used.add(key)
        return super().__getitem__(key)


_SURROGATE = re.compile("[\ud800-\udfff]")


def read_text(
    text: str,
    *,
    filename: str = "<stdin>",
    base_dir: str | None = None,
    environ: Mapping[str, str] | None = None,
    host_node_name: str | None = None,
) -> RawConfig:
    """Read supervisor config ``text`` (the main file).

    ``base_dir`` is supervisor's ``here`` and the base of ``[include]`` globs (default: the
    current directory). ``environ``/``host_node_name`` are what ``[include] files`` expands
    ``%(ENV_X)s``/``%(host_node_name)s`` with (default: ``os.environ``/``platform.node()``).
    """
    if base_dir is None:
        try:
            base_dir = os.getcwd()
        except FileNotFoundError:
            raise InputError(
                "the current directory no longer exists, and %(here)s and [include] globs are "
                "resolved against it",
                filename,
                hint="convert in a directory that exists, or from Python give base_dir",
            ) from None
    here = os.path.abspath(base_dir)
    nul = text.find("\x00")
    if nul >= 0:
        raise InputError(
            "binary data (NUL byte) in the config",
            filename,
            text.count("\n", 0, nul) + 1,
            hint="give the supervisord.conf text, not a binary file",
        )
    if len(text) > MAX_FILE_SIZE:
        raise InputError(f"input too large (limit {MAX_FILE_SIZE} characters)", filename)
    # text decoded with errors="surrogateescape" holds its bytes that are not UTF-8 as lone
    # surrogates: supervisord refuses such a file, as read_file does
    surrogate = _SURROGATE.search(text)
    if surrogate is not None:
        raise InputError(
            f"not valid UTF-8 text (a lone surrogate, U+{ord(surrogate.group()):04X}, stands for "
            "bytes that are not UTF-8)",
            filename,
            text.count("\n", 0, surrogate.start()) + 1,
            hint="supervisord reads its config as UTF-8 and refuses it too; re-encode the "
            "file as UTF-8",
        )
    return _read(text, filename, here, here, environ, host_node_name)


def read_file(
    path: str,
    *,
    environ: Mapping[str, str] | None = None,
    host_node_name: str | None = None,
) -> RawConfig:
    """Read the supervisor config file at ``path`` and the files it ``[include]``s."""
    text = _load(path)
    here = os.path.abspath(os.path.dirname(path))
    base = os.path.dirname(os.path.abspath(path))
    return _read(text, path, here, base, environ, host_node_name)


def _read(
    text: str,
    filename: str,
    here: str,
    base: str,
    environ: Mapping[str, str] | None,
    host_node_name: str | None,
) -> RawConfig:
    """Read like supervisord; a file without [supervisord] (after following its includes, or
    when following them fails) is read as a conf.d snippet included by an empty main config:
    then its own [include] is not followed, as supervisor would not follow it."""
    probe = _Reader()
    probe_text = probe.read(text, filename, here)
    # the probe's parse is reused for the first attempt (parsing is most of read's time)
    pre = (probe, probe_text)
    if "supervisord" in probe.sections or "include" not in probe.sections:
        return _read_as(
            text, filename, here, base, environ, host_node_name, snippet=False, preparsed=pre
        )
    try:
        raw = _read_as(
            text, filename, here, base, environ, host_node_name, snippet=False, preparsed=pre
        )
    except Sup2CircusError:
        raw = None
    if raw is not None and raw.section("supervisord") is not None:
        return raw
    return _read_as(text, filename, here, base, environ, host_node_name, snippet=True)


def _read_as(
    text: str,
    filename: str,
    here: str,
    base: str,
    environ: Mapping[str, str] | None,
    host_node_name: str | None,
    *,
    snippet: bool,
    preparsed: tuple[_Reader, str] | None = None,
) -> RawConfig:
    if preparsed is not None:
        parser, main_text = preparsed
    else:
        parser = _Reader()
        main_text = parser.read(text, filename, here)
    reporter = Reporter()
    texts: dict[str, str] = {}
    _keep_text(texts, filename, main_text)
    files_read: list[str] = [filename]

    if snippet:
        # included by an empty main config: %(here)s replaced, [include] not followed
        parser.expand_here(here)
        for loc in parser.include_headers:
            reporter.report("S2C003", loc, "include", None, why=_SNIPPET_INCLUDE)
    elif "include" in parser.sections:
        parser.expand_here(here)
        for inc in _included_files(parser, here, base, environ, host_node_name, reporter):
            _read_included(parser, inc, filename, reporter, texts, files_read)
    elif "supervisord" not in parser.sections:
        # a conf.d snippet is converted as if [include]d by an empty main config, and
        # supervisor replaces %(here)s in included files after reading them
        parser.expand_here(here)
    _report_duplicates(parser, reporter, filename)
    return RawConfig(
        main_file=filename,
        here=here,
        sections=tuple(parser.raw_sections(filename, here)),
        files_read=tuple(files_read),
        findings=tuple(reporter.findings()),
        texts=texts,
        comment_cuts=frozenset(parser.comment_cuts),
    )


def _keep_text(texts: dict[str, str], path: str, text: str) -> None:
    """Keep ``text`` for the suppression comments only if it may hold one: the model would
    hold every file's text through build and translate (10,000 programs: 3 MB at the peak)."""
    if may_have_comments(text):
        texts[path] = text


_SNIPPET_INCLUDE = (
    "is not followed: this file has no [supervisord] section (not even in the files it "
    "includes), so it is converted as a conf.d snippet included by an empty main config, and "
    "supervisord does not follow [include] in included files"
)


def _included_files(
    parser: _Reader,
    here: str,
    base: str,
    environ: Mapping[str, str] | None,
    host_node_name: str | None,
    reporter: Reporter,
) -> list[str]:
    """The files ``[include] files`` names, in the order supervisord reads them."""
    include_loc = parser.section_locs["include"]
    if not parser.has_option("include", "files"):
        raise ConfigError(
            ".ini file has [include] section, but no files setting",
            include_loc.file,
            include_loc.line,
            hint="add files = conf.d/*.conf or remove [include]",
        )
    floc = parser.option_loc("include", "files") or include_loc
    env = os.environ if environ is None else environ
    node = node_name(host_node_name)
    expansions = _RecordingMap({"here": here})
    expansions["host_node_name"] = node
    for k, v in env.items():
        expansions[f"ENV_{k}"] = v
    value = parser.get("include", "files")
    try:
        files = expand(value, expansions, "include.files")
    except ValueError as exc:
        raise ConfigError(str(exc), floc.file, floc.line) from None
    if "host_node_name" in expansions.used:
        reporter.report(
            "S2C010",
            floc,
            "include",
            "files",
            where="[include] files",
            effect="expanded with",
            node=node,
            purpose=" to choose the files to convert",
        )
    for used in sorted(expansions.used):
        if used.startswith("ENV_"):
            reporter.report(
                "S2C007",
                floc,
                "include",
                "files",
                name=used,
                where="[include] files",
                why=", from this machine's environment, to choose the files to convert",
            )
    if takes_whole_mapping(value):
        # the patterns would be words of the environment's values: never shown nor globbed
        reporter.report(
            "S2C015",
            floc,
            "include",
            "files",
            reason="[include] files holds a %-conversion with no (name) (a bare %s, %r...): "
            "supervisord would glob the words of its whole expansion dictionary, the value of "
            "every environment variable included",
            consequence="nothing is included (write %% for a literal %)",
        )
        return []
    import glob  # only for [include] (cold start)

    found: list[str] = []
    patterns = files.split()
    for pattern, shown in zip(patterns, _shown_patterns(value, expansions, patterns), strict=True):
        matches = glob.glob(os.path.join(base, pattern))
        if not matches:
            reporter.report("S2C001", floc, "include", "files", pattern=os.path.join(base, shown))
        found.extend(sorted(matches))
    return found


def _shown_patterns(value: str, expansions: _RecordingMap, patterns: list[str]) -> list[str]:
    """``patterns`` as a message may show them: with each ``%(ENV_X)s`` as written, never its
    value (an environment value is not shown); ``value`` as written for each when the values
    hold whitespace (the words do not line up) or a conversion takes no text (``%(ENV_X)c``)."""
    env = {k: f"%({k})s" for k in expansions.used if k.startswith("ENV_")}
    if not env:
        return patterns
    try:
        shown = expand(value, {**expansions, **env}, "include.files").split()
    except ValueError:
        shown = []
    return shown if len(shown) == len(patterns) else [value] * len(patterns)


def _read_included(
    parser: _Reader,
    inc: str,
    main_file: str,
    reporter: Reporter,
    texts: dict[str, str],
    files_read: list[str],
) -> None:
    """Read one included file into ``parser`` as ``parser.read(inc)`` + ``expand_here`` do."""
    floc = parser.option_loc("include", "files") or parser.section_locs["include"]
    try:
        inc_text = _load(inc)
    except InputError as exc:
        if "UTF-8" in exc.message or "NUL" in exc.message:
            raise ConfigError(
                f"included file {inc}: {exc.message}",
                exc.file,
                exc.line,
                hint="supervisord refuses to start when an included file cannot be parsed",
            ) from None
        why = exc.message.removeprefix("could not read config file: ")
        reporter.report("S2C002", floc, "include", "files", path=inc, why=why)
        return
    inc_here = os.path.abspath(os.path.dirname(inc))
    parser.include_headers = []
    _keep_text(texts, inc, parser.read(inc_text, inc, inc_here))
    files_read.append(inc)
    if os.path.abspath(inc) != os.path.abspath(main_file):  # else: read twice, fine
        for loc in parser.include_headers:
            reporter.report(
                "S2C003",
                loc,
                "include",
                None,
                why=f"in the included file {inc} is not followed (supervisord reads [include] "
                "files once, from the main file)",
            )
    parser.expand_here(inc_here)


def _report_duplicates(parser: _Reader, reporter: Reporter, main_file: str) -> None:
    """S2C013 for each option set again and each section that appears again; not for the
    same line read twice (a main file its own [include] matches: the same values), nor for
    an [include] in an included file (not followed: S2C003)."""

    def same_file(a: str, b: str) -> bool:
        return a == b or os.path.realpath(a) == os.path.realpath(b)

    def silent(section: str, first: Loc, again: Loc) -> bool:
        if first.line == again.line and same_file(first.file, again.file):
            return True
        return section == "include" and not same_file(again.file, main_file)

    seen: set[tuple[str, str, Loc]] = set()
    for section, key, prev, new in parser.dup_options:
        if silent(section, prev, new):
            continue
        if (section, key, prev) not in seen:
            seen.add((section, key, prev))
            reporter.report(
                "S2C013",
                prev,
                section,
                key,
                duplicate=f"option '{key}' in [{section}] is set again at {new.file}:{new.line}",
                outcome="uses the last value, this one is ignored",
            )
    for section, first, again in parser.dup_sections:
        if silent(section, first, again):
            continue
        reporter.report(
            "S2C013",
            again,
            section,
            None,
            duplicate=f"section [{section}] appears again (first at {first.file}:{first.line})",
            outcome="merges them and later options override earlier ones",
        )
