"""Read a supervisord.conf exactly as supervisord 4.3 reads it, keeping source locations.

supervisor reads its config with ``UnhosedConfigParser``, a stdlib
``configparser.RawConfigParser(inline_comment_prefixes=(';', '#'), strict=False)``: option names
are lower-cased, the last duplicate option wins, duplicate sections merge, ``;``/``#`` start a
comment after whitespace anywhere in a line, indented comment lines inside a value are dropped,
indented lines continue the previous value. This module uses that very parser (so no parsing
rule is re-implemented) and learns where every option came from by giving it a ``dict_type``
whose ``__setitem__`` notes the current line of a line-counting wrapper around the input.

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
import glob
import io
import os
import platform
import re
import stat
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from .datatypes import expand
from .findings import ConfigError, Finding, InputError, Loc, Sup2CircusError
from .model import RawConfig, RawOption, RawSection
from .rules import finding

__all__ = ["MAX_FILE_SIZE", "read_file", "read_text"]

#: Larger inputs are refused (a supervisor config is a few KB; this bounds time and memory).
MAX_FILE_SIZE = 16 * 1024 * 1024

HERE_FORMAT = "%(here)s"
_KEY_RE = re.compile(r"\s*(.*?)\s*[=:]")


@dataclass
class _Tracker:
    """Where the parser currently is (shared by every dict the parser creates)."""

    file: str = ""
    lineno: int = 0
    line: str = ""
    reading: bool = False
    section: str | None = None  # last section header seen in the current file
    # (section, option) -> the previous (file, line) when an option is set again
    dup_options: list[tuple[str, str, Loc, Loc]] = field(default_factory=list)
    dup_sections: list[tuple[str, Loc, Loc]] = field(default_factory=list)
    section_locs: dict[str, tuple[Loc, str]] = field(default_factory=dict)  # first header
    default_loc: Loc | None = None
    include_headers: list[Loc] = field(default_factory=list)

    def lines(self, text: str, file: str) -> Iterator[str]:
        self.file = file
        self.lineno = 0
        self.section = None
        self.reading = True
        try:
            for line in io.StringIO(text, newline=None):
                self.lineno += 1
                self.line = line
                yield line
        finally:
            self.reading = False

    def here_loc(self) -> Loc:
        column = len(self.line) - len(self.line.lstrip()) + 1
        return Loc(self.file, self.lineno, column)


class _LocDict(dict[str, Any]):
    """A dict that records, while the parser reads, the location of every key it gets."""

    tracker: _Tracker  # set on the per-read subclass
    is_sections = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.locs: dict[str, Loc] = {}
        self.key_texts: dict[str, str] = {}

    def __setitem__(self, key: str, value: Any) -> None:
        t = self.tracker
        if t.reading and t.lineno != 0:
            loc = t.here_loc()
            if self.is_sections:
                t.section_locs.setdefault(key, (loc, t.file))
            else:
                prev = self.locs.get(key)
                if prev is not None and dict.__contains__(self, key) and prev != loc:
                    t.dup_options.append((t.section or "", key, prev, loc))
                self.locs[key] = loc
                m = _KEY_RE.match(t.line)
                self.key_texts[key] = m.group(1) if m else key
        super().__setitem__(key, value)

    def __contains__(self, key: object) -> bool:
        found = dict.__contains__(self, key)
        t = self.tracker
        if t.reading and self.is_sections and isinstance(key, str):
            # configparser asks `sectname in self._sections` for every section header
            loc = Loc(t.file, t.lineno, len(t.line) - len(t.line.lstrip()) + 1)
            t.section = key
            if key == "include":
                t.include_headers.append(loc)
            if found:
                first = t.section_locs.get(key)
                if first is not None and first[0] != loc:
                    t.dup_sections.append((key, first[0], loc))
            elif key == configparser.DEFAULTSECT and t.default_loc is None:
                t.default_loc = loc
        return found


class _Parser(configparser.RawConfigParser):
    """supervisor's UnhosedConfigParser settings, with location tracking."""

    def __init__(self, tracker: _Tracker) -> None:
        dict_type = type("_TrackedDict", (_LocDict,), {"tracker": tracker})
        super().__init__(dict_type=dict_type, inline_comment_prefixes=(";", "#"), strict=False)
        self._sections.is_sections = True  # type: ignore[attr-defined]

    def expand_here(self, here: str) -> None:
        """supervisor's UnhosedConfigParser.expand_here, verbatim."""
        for section in self.sections():
            for key, value in self.items(section):
                if HERE_FORMAT in value:
                    self.set(section, key, value.replace(HERE_FORMAT, here))

    def option_loc(self, section: str, key: str) -> tuple[Loc | None, str]:
        sections: dict[str, Any] = self._sections  # type: ignore[attr-defined]
        defaults: dict[str, Any] = self._defaults  # type: ignore[attr-defined]
        for d in (sections.get(section), defaults):
            if isinstance(d, _LocDict) and key in d.locs:
                return d.locs[key], d.key_texts.get(key, key)
        return None, key


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


def _parse_into(parser: _Parser, tracker: _Tracker, text: str, file: str) -> None:
    """``parser.read_file`` with configparser's errors turned into ConfigError."""
    try:
        parser.read_file(tracker.lines(text, file), source=file)
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
        lines = io.StringIO(text, newline=None).readlines()
        line = repr(lines[lineno - 1].rstrip("\n")) if 0 < lineno <= len(lines) else "?"
        more = f" (and {len(exc.errors) - 1} more bad lines)" if len(exc.errors) > 1 else ""
        raise ConfigError(
            f"not an ini line (name = value, [section] or comment): {_short(line)}{more}",
            file,
            lineno,
            hint="supervisord refuses the file with 'File contains parsing errors'",
        ) from None
    except configparser.Error as exc:  # pragma: no cover - strict=False never raises others
        raise ConfigError(str(exc), file, tracker.lineno) from None


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


def _normalized(text: str) -> str:
    return "".join(io.StringIO(text, newline=None))


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
    probe_tracker = _Tracker()
    probe = _Parser(probe_tracker)
    _parse_into(probe, probe_tracker, text, filename)
    # the probe's parse is reused for the first attempt (parsing is most of read's time)
    pre = (probe, probe_tracker)
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
    preparsed: tuple[_Parser, _Tracker] | None = None,
) -> RawConfig:
    env = os.environ if environ is None else environ
    if preparsed is not None:
        parser, tracker = preparsed
    else:
        tracker = _Tracker()
        parser = _Parser(tracker)
    findings: list[Finding] = []
    texts: dict[str, str] = {filename: _normalized(text)}
    files_read: list[str] = [filename]
    section_here: dict[str, str] = {}

    if preparsed is None:
        _parse_into(parser, tracker, text, filename)
    for name in parser.sections():
        section_here.setdefault(name, here)

    if snippet:
        # included by an empty main config: %(here)s replaced, [include] not followed
        parser.expand_here(here)
        for loc in tracker.include_headers:
            findings.append(
                finding(
                    "S2C003",
                    "[include] is not followed: this file has no [supervisord] section (not "
                    "even in the files it includes), so it is converted as a conf.d snippet "
                    "included by an empty main config, and supervisord does not follow "
                    "[include] in included files",
                    loc,
                    "include",
                )
            )
    elif parser.has_section("include"):
        parser.expand_here(here)
        include_loc = tracker.section_locs["include"][0]
        if not parser.has_option("include", "files"):
            raise ConfigError(
                ".ini file has [include] section, but no files setting",
                include_loc.file,
                include_loc.line,
                hint="add files = conf.d/*.conf or remove [include]",
            )
        files_loc, _ = parser.option_loc("include", "files")
        floc = files_loc or include_loc
        expansions = _RecordingMap({"here": here})
        node = host_node_name if host_node_name is not None else platform.node()
        expansions["host_node_name"] = node
        for k, v in env.items():
            expansions[f"ENV_{k}"] = v
        try:
            files = expand(parser.get("include", "files"), expansions, "include.files")
        except ValueError as exc:
            raise ConfigError(str(exc), floc.file, floc.line) from None
        if "host_node_name" in expansions.used:
            findings.append(
                finding(
                    "S2C010",
                    "%(host_node_name)s in [include] files is expanded with this machine's "
                    f"host name ({node!r}) to choose the files to convert",
                    floc,
                    "include",
                    "files",
                )
            )
        for used in sorted(expansions.used):
            if used.startswith("ENV_"):
                findings.append(
                    finding(
                        "S2C007",
                        f"%({used})s in [include] files is resolved now, from this machine's "
                        "environment, to choose the files to convert",
                        floc,
                        "include",
                        "files",
                    )
                )
        for pattern in files.split():
            full = os.path.join(base, pattern)
            matches = glob.glob(full)
            if not matches:
                findings.append(
                    finding(
                        "S2C001",
                        f'no file matches include pattern "{full}" (supervisord skips it)',
                        floc,
                        "include",
                        "files",
                    )
                )
                continue
            for inc in sorted(matches):
                tracker.include_headers = []
                before = set(parser.sections())
                try:
                    inc_text = _load(inc)
                except InputError as exc:
                    if "UTF-8" in exc.message or "NUL" in exc.message:
                        raise ConfigError(
                            f"included file {inc}: {exc.message}",
                            exc.file,
                            exc.line,
                            hint="supervisord refuses to start when an included file cannot "
                            "be parsed",
                        ) from None
                    why = exc.message.removeprefix("could not read config file: ")
                    findings.append(
                        finding(
                            "S2C002",
                            f'included file "{inc}" cannot be read: {why} (supervisord skips '
                            "it; nothing from it is converted)",
                            floc,
                            "include",
                            "files",
                        )
                    )
                    continue
                _parse_into(parser, tracker, inc_text, inc)
                texts[inc] = _normalized(inc_text)
                files_read.append(inc)
                inc_here = os.path.abspath(os.path.dirname(inc))
                for name in parser.sections():
                    if name not in before:
                        section_here.setdefault(name, inc_here)
                is_main = os.path.abspath(inc) == os.path.abspath(filename)
                for loc in tracker.include_headers:
                    if is_main:
                        continue  # the main file matched its own pattern: read twice, fine
                    findings.append(
                        finding(
                            "S2C003",
                            f"[include] in the included file {inc} is not followed "
                            "(supervisord reads [include] files once, from the main file)",
                            loc,
                            "include",
                        )
                    )
                parser.expand_here(inc_here)
    elif not parser.has_section("supervisord"):
        # a conf.d snippet is converted as if [include]d by an empty main config, and
        # supervisor replaces %(here)s in included files after reading them
        parser.expand_here(here)

    # duplicates (S2C013)
    seen_dup: set[tuple[str, str, Loc]] = set()
    for section, key, prev, new in tracker.dup_options:
        if (section, key, prev) in seen_dup:
            continue
        seen_dup.add((section, key, prev))
        findings.append(
            finding(
                "S2C013",
                f"option '{key}' in [{section}] is set again at {new.file}:{new.line}; "
                "supervisord uses the last value, this one is ignored",
                prev,
                section,
                key,
            )
        )
    for section, first, again in tracker.dup_sections:
        findings.append(
            finding(
                "S2C013",
                f"section [{section}] appears again (first at {first.file}:{first.line}); "
                "supervisord merges them and later options override earlier ones",
                again,
                section,
            )
        )

    sections: list[RawSection] = []
    for name in parser.sections():
        sec_loc = tracker.section_locs[name][0]
        opts: dict[str, RawOption] = {}
        for key, value in parser.items(name):
            oloc, key_text = parser.option_loc(name, key)
            opts[key] = RawOption(key, value, oloc or sec_loc, key_text)
        sections.append(
            RawSection(name=name, loc=sec_loc, options=opts, here=section_here.get(name, here))
        )

    defaults = parser.defaults()
    if defaults:
        dloc = tracker.default_loc or Loc(filename, 1)
        dopts: dict[str, RawOption] = {}
        for key, value in defaults.items():
            oloc, key_text = parser.option_loc(configparser.DEFAULTSECT, key)
            dopts[key] = RawOption(key, value, oloc or dloc, key_text)
        sections.append(
            RawSection(name=configparser.DEFAULTSECT, loc=dloc, options=dopts, here=here)
        )

    return RawConfig(
        main_file=filename,
        here=here,
        sections=tuple(sections),
        files_read=tuple(files_read),
        findings=tuple(findings),
        texts=texts,
    )
