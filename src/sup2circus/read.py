"""Read a supervisord.conf exactly as supervisord 4.3 reads it, keeping source locations.

supervisor reads its config with ``UnhosedConfigParser``, a stdlib
``configparser.RawConfigParser(inline_comment_prefixes=(';', '#'), strict=False)``: option names
are lower-cased, the last duplicate option wins, duplicate sections merge, ``;``/``#`` start a
comment after whitespace anywhere in a line, indented comment lines inside a value are dropped,
indented lines continue the previous value. This module reads with that very parser (so no
parsing rule is re-implemented), set up the same way, and learns where every section and option
came from through two of its documented hooks (see :class:`_Parser`).

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

import configparser
import os
import platform
import re
import stat
from collections.abc import Iterator, Mapping
from typing import Any

from .datatypes import expand
from .findings import ConfigError, InputError, Loc, Sup2CircusError
from .model import RawConfig, RawOption, RawSection, takes_whole_mapping
from .reporter import Reporter

__all__ = ["MAX_FILE_SIZE", "read_file", "read_text"]

#: Larger inputs are refused (a supervisor config is a few KB; this bounds time and memory).
MAX_FILE_SIZE = 16 * 1024 * 1024

HERE_FORMAT = "%(here)s"
DEFAULTSECT = "DEFAULT"


class _Where:
    """Where configparser is while it reads, and the locations it has read so far.

    Shared by :class:`_Parser` and its :class:`_HeaderSpy` (neither refers back to the other: the
    pipeline makes no reference cycles, see tests/test_api_memory.py).
    """

    def __init__(self) -> None:
        self.file = ""
        self.here = ""  # directory of the file being read
        self.lineno = 0  # the line being read; 0 when not reading
        self.line = ""
        self.section = ""  # the last header read
        self.section_locs: dict[str, Loc] = {}  # first header of each section
        self.section_here: dict[str, str] = {}  # directory of the file that created it
        self.default_loc: Loc | None = None  # first [DEFAULT] header
        self.include_headers: list[Loc] = []
        # section (or DEFAULT) -> option -> (location, name as written) of the value read last
        self.option_locs: dict[str, dict[str, tuple[Loc, str]]] = {DEFAULTSECT: {}}
        self.dup_options: list[tuple[str, str, Loc, Loc]] = []
        self.dup_sections: list[tuple[str, Loc, Loc]] = []
        self.touched: set[str] = set()  # sections read since the last expand_here
        self.defaults_touched = False

    def numbered(self, lines: list[str]) -> Iterator[str]:
        """The lines, noting which one configparser is reading."""
        for self.lineno, self.line in enumerate(lines, start=1):
            yield self.line

    def loc(self) -> Loc:
        return Loc(self.file, self.lineno, len(self.line) - len(self.line.lstrip()) + 1)

    def header(self, name: str) -> None:
        """configparser is reading the section header ``[name]``."""
        loc = self.loc()
        self.section = name
        if name == "include":
            self.include_headers.append(loc)
        if name == DEFAULTSECT:
            if self.default_loc is None:
                self.default_loc = loc
            self.defaults_touched = True
            return
        self.touched.add(name)
        first = self.section_locs.get(name)
        if first is None:
            self.section_locs[name] = loc
            self.section_here[name] = self.here
            self.option_locs[name] = {}
        elif first != loc:  # (the same line again: the main file included itself)
            self.dup_sections.append((name, first, loc))

    def option(self, name: str, written: str) -> None:
        """configparser is reading option ``name`` (``written`` as it is in the file)."""
        loc = self.loc()
        locs = self.option_locs[self.section]
        prev = locs.get(name)
        if prev is not None and prev[0] != loc:
            self.dup_options.append((self.section, name, prev[0], loc))
        locs[name] = (loc, written)


class _HeaderSpy:
    """configparser's ``SECTCRE``, telling :class:`_Where` of each header it matches."""

    def __init__(self, where: _Where) -> None:
        self.where = where

    def match(self, value: str) -> re.Match[str] | None:
        mo = configparser.RawConfigParser.SECTCRE.match(value)
        if mo is not None and self.where.lineno:
            self.where.header(mo.group("header"))
        return mo


class _Parser(configparser.RawConfigParser):
    """supervisor's ``UnhosedConfigParser`` (``inline_comment_prefixes=(';', '#')``,
    ``strict=False``, no interpolation, names lower-cased), noting where everything is.

    The locations come from two documented customisation points that configparser uses while it
    reads a line fed by :meth:`_Where.numbered`: ``SECTCRE``, whose match is what makes a line a
    section header, and ``optionxform``, called once per option line with the name as written.
    So configparser alone decides what each line is (comments, continuation lines, the inline
    comment search that changed in 3.13); a second pass over the text would have to re-implement
    that, and a tracking ``dict_type`` depends on which dict operations it makes, which is not
    documented.
    """

    def __init__(self) -> None:
        super().__init__(inline_comment_prefixes=(";", "#"), strict=False)
        self.where = _Where()
        self.SECTCRE = _HeaderSpy(self.where)  # type: ignore[assignment]

    def optionxform(self, optionstr: str) -> str:
        name = optionstr.lower()
        if self.where.lineno:
            self.where.option(name, optionstr)
        return name

    def read_text(self, text: str, file: str, here: str) -> str:
        """Read one file; return its text with universal newlines (as supervisor reads it).

        Raises ConfigError where configparser raises MissingSectionHeaderError or ParsingError
        (after the whole file, naming the first bad line)."""
        norm = text.replace("\r\n", "\n").replace("\r", "\n")
        lines = norm.split("\n")
        where = self.where
        where.file, where.here, where.section = file, here, ""
        try:
            self.read_file(where.numbered(lines), source=file)
        except configparser.MissingSectionHeaderError as exc:
            hint = "the file must start with a [section] header"
            if text.startswith("\ufeff"):
                hint = (
                    "the file starts with a UTF-8 byte order mark, which supervisord reads as "
                    "part of the first line; save it without BOM"
                )
            raise ConfigError(
                f"file contains no section header before {_short(exc.line.strip())!r}",
                file,
                exc.lineno,
                hint=hint,
            ) from None
        except configparser.ParsingError as exc:
            lineno = exc.errors[0][0]
            more = f" (and {len(exc.errors) - 1} more bad lines)" if len(exc.errors) > 1 else ""
            raise ConfigError(
                "not an ini line (name = value, [section] or comment): "
                f"{_short(repr(lines[lineno - 1]))}{more}",
                file,
                lineno,
                hint="supervisord refuses the file with 'File contains parsing errors'",
            ) from None
        finally:
            where.lineno = 0
        return norm

    def option_loc(self, section: str, key: str) -> Loc | None:
        """Where ``key`` of ``section`` was read (the section's own line, else [DEFAULT]'s)."""
        found = self.where.option_locs[section].get(key) or self.where.option_locs[DEFAULTSECT].get(
            key
        )
        return found[0] if found is not None else None

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
        of every [DEFAULT] option that held one: the loop would not change it. Run verbatim after
        each of 50 included files, the loop costs about 1 s of CPU on the split 10,000-program
        benchmark (supervisor pays it too), more than the rest of reading.
        """
        where = self.where
        names = self.sections() if where.defaults_touched else sorted(where.touched)
        again: set[str] = set()
        for name in names:
            for key, value in self.items(name, raw=True):
                if HERE_FORMAT in value:
                    value = value.replace(HERE_FORMAT, here)
                    self.set(name, key, value)
                    if HERE_FORMAT in value:
                        again.add(name)
        where.touched = again
        where.defaults_touched = False

    def raw_sections(self, main_file: str, here: str) -> list[RawSection]:
        """The sections as ``parser.items(name)`` gives them, then [DEFAULT] if it has options.

        An option of a section that expand_here copied from [DEFAULT] has [DEFAULT]'s location
        (configparser read it there)."""
        where = self.where
        defaults = where.option_locs[DEFAULTSECT]
        result: list[RawSection] = []
        for name in self.sections():
            own = where.option_locs[name]
            opts = {}
            for key, value in self.items(name, raw=True):
                loc, written = own.get(key) or defaults[key]
                opts[key] = RawOption(key, value, loc, written)
            result.append(
                RawSection(name, where.section_locs[name], opts, where.section_here[name])
            )
        if self.defaults():
            dloc = where.default_loc or Loc(main_file, 1)
            opts = {
                key: RawOption(key, value, *defaults[key]) for key, value in self.defaults().items()
            }
            result.append(RawSection(DEFAULTSECT, dloc, opts, here))
        return result


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
            "could not find config file", path, hint="check the path (supervisord -c PATH)"
        ) from None
    except OSError as exc:
        raise InputError(f"could not read config file: {exc.strerror}", path) from None
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
    here = os.path.abspath(base_dir if base_dir is not None else os.getcwd())
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
    probe = _Parser()
    probe_text = probe.read_text(text, filename, here)
    # the probe's parse is reused for the first attempt (parsing is most of read's time)
    pre = (probe, probe_text)
    if probe.has_section("supervisord") or not probe.has_section("include"):
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
    preparsed: tuple[_Parser, str] | None = None,
) -> RawConfig:
    if preparsed is not None:
        parser, main_text = preparsed
    else:
        parser = _Parser()
        main_text = parser.read_text(text, filename, here)
    reporter = Reporter()
    texts: dict[str, str] = {filename: main_text}
    files_read: list[str] = [filename]

    if snippet:
        # included by an empty main config: %(here)s replaced, [include] not followed
        parser.expand_here(here)
        for loc in parser.where.include_headers:
            reporter.report("S2C003", loc, "include", None, why=_SNIPPET_INCLUDE)
    elif parser.has_section("include"):
        parser.expand_here(here)
        for inc in _included_files(parser, here, base, environ, host_node_name, reporter):
            _read_included(parser, inc, filename, reporter, texts, files_read)
    elif not parser.has_section("supervisord"):
        # a conf.d snippet is converted as if [include]d by an empty main config, and
        # supervisor replaces %(here)s in included files after reading them
        parser.expand_here(here)
    _report_duplicates(parser.where, reporter)
    return RawConfig(
        main_file=filename,
        here=here,
        sections=tuple(parser.raw_sections(filename, here)),
        files_read=tuple(files_read),
        findings=tuple(reporter.findings()),
        texts=texts,
    )


_SNIPPET_INCLUDE = (
    "is not followed: this file has no [supervisord] section (not even in the files it "
    "includes), so it is converted as a conf.d snippet included by an empty main config, and "
    "supervisord does not follow [include] in included files"
)


def _included_files(
    parser: _Parser,
    here: str,
    base: str,
    environ: Mapping[str, str] | None,
    host_node_name: str | None,
    reporter: Reporter,
) -> list[str]:
    """The files ``[include] files`` names, in the order supervisord reads them."""
    include_loc = parser.where.section_locs["include"]
    if not parser.has_option("include", "files"):
        raise ConfigError(
            ".ini file has [include] section, but no files setting",
            include_loc.file,
            include_loc.line,
            hint="add files = conf.d/*.conf or remove [include]",
        )
    floc = parser.option_loc("include", "files") or include_loc
    env = os.environ if environ is None else environ
    node = host_node_name if host_node_name is not None else platform.node()
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
            how="expanded with",
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
                how=", from this machine's environment, to choose the files to convert",
            )
    if takes_whole_mapping(value):
        # the patterns would be words of the environment's values: never shown nor globbed
        reporter.report(
            "S2C015",
            floc,
            "include",
            "files",
            where="[include] files",
            effect="glob the words of its whole expansion dictionary",
            outcome="; nothing is included",
        )
        return []
    import glob  # only for [include] (cold start)

    found: list[str] = []
    for pattern in files.split():
        full = os.path.join(base, pattern)
        matches = glob.glob(full)
        if not matches:
            reporter.report("S2C001", floc, "include", "files", pattern=full)
        found.extend(sorted(matches))
    return found


def _read_included(
    parser: _Parser,
    inc: str,
    main_file: str,
    reporter: Reporter,
    texts: dict[str, str],
    files_read: list[str],
) -> None:
    """Read one included file into ``parser`` as ``parser.read(inc)`` + ``expand_here`` do."""
    where = parser.where
    floc = parser.option_loc("include", "files") or where.section_locs["include"]
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
    where.include_headers = []
    texts[inc] = parser.read_text(inc_text, inc, inc_here)
    files_read.append(inc)
    if os.path.abspath(inc) != os.path.abspath(main_file):  # else: read twice, fine
        for loc in where.include_headers:
            reporter.report(
                "S2C003",
                loc,
                "include",
                None,
                why=f"in the included file {inc} is not followed (supervisord reads [include] "
                "files once, from the main file)",
            )
    parser.expand_here(inc_here)


def _report_duplicates(where: _Where, reporter: Reporter) -> None:
    """S2C013 for each option set again and each section that appears again."""
    seen: set[tuple[str, str, Loc]] = set()
    for section, key, prev, new in where.dup_options:
        if (section, key, prev) not in seen:
            seen.add((section, key, prev))
            reporter.report(
                "S2C013",
                prev,
                section,
                key,
                what=f"option '{key}' in [{section}] is set again at {new.file}:{new.line}",
                outcome="uses the last value, this one is ignored",
            )
    for section, first, again in where.dup_sections:
        reporter.report(
            "S2C013",
            again,
            section,
            None,
            what=f"section [{section}] appears again (first at {first.file}:{first.line})",
            outcome="merges them and later options override earlier ones",
        )
