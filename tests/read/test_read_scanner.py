"""read.py's line scanner (``_Reader``) against the stdlib parser supervisord uses.

supervisord 4.3 reads its config with ``configparser.RawConfigParser(inline_comment_prefixes=
(';', '#'), strict=False)``. ``_Reader`` re-implements that parser's ``_read`` for speed, so
hypothesis feeds both random INI-shaped text (sections incl. DEFAULT and duplicates, duplicate
keys, both delimiters, keys with spaces or upper case, continuation lines at varied indentation,
comments with and without whitespace before them, empty lines in values, tabs, unicode spaces,
``\\r``/``\\r\\n``, lines without a delimiter, text before any header, ``[a]b`` headers, empty keys)
and compares sections, options, values and errors (which one, which line, how many).

A second property checks the locations, names as written, duplicate records and the
``%(here)s`` expansion over several files against the implementation read.py had before the
scanner: configparser with a location-tracking ``dict_type`` and supervisor's verbatim
``expand_here`` after each file (kept below as the oracle).
"""

from __future__ import annotations

import configparser
import io
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sup2circus.findings import ConfigError, Loc
from sup2circus.read import _Reader

SETTINGS = settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None
)

WS = st.sampled_from(["", "", " ", "  ", "\t", " \t", "\u00a0", "\u2003", "\x0c"])
NAME = st.sampled_from(["a", "A", "b", "Key", "key two", "files", "x y", "", "é", "\u0130", "k;"])
SECT = st.sampled_from(["a", "b", "DEFAULT", "include", "a]b", "default", "]", " s ", "x;y"])
VALUE = st.sampled_from(
    [
        "",
        "v",
        "V w",
        "%(here)s",
        "%(here)s/x%(here)s",
        "%%(here)s",
        "a;b",
        "a ;b",
        "a #b",
        "a\t#b",
        "x=y",
        "k: v",
        "#",
        ";",
        "a#b ;c #d",
        "a#b #c ;d",
        "a;b #c ;d",
        "a\u00a0;c",
        "a\u2003#c",
        "[x]",
        "[]",
    ]
)
TAIL = st.sampled_from(["", "", " ;c", "#c", " # c", "\t;", ";c", " ;"])


def _line(clean: bool) -> st.SearchStrategy[str]:
    """A line; ``clean`` ones are rarely errors (no empty names, no random text)."""
    header = st.builds(
        lambda w, s, t: f"{w}[{s}]{t}",
        WS,
        SECT,
        st.sampled_from(["", "", "b", " ;c", "]x", " #c"]),
    )
    option = st.builds(
        lambda w, k, w2, d, w3, v, c: f"{w}{k}{w2}{d}{w3}{v}{c}",
        WS,
        NAME.filter(lambda n: n != "") if clean else NAME,
        WS,
        st.sampled_from("=:"),
        WS,
        VALUE,
        TAIL,
    )
    continuation = st.builds(
        lambda w, v, c: w + v + c,
        st.sampled_from([" ", "  ", "\t", "    ", "\u2003"]),
        VALUE,
        TAIL,
    )
    comment = st.builds(
        lambda w, p, t: w + p + t, WS, st.sampled_from("#;"), st.sampled_from(["", " c", "x=1"])
    )
    if clean:  # continuation lines only after an option, indented deeper than it
        block = st.builds(
            lambda w, k, d, v, more: f"{w}{k} {d} {v}" + "".join("\n" + m for m in more),
            st.sampled_from(["", "", " "]),
            NAME.filter(lambda n: n != ""),
            st.sampled_from("=:"),
            VALUE,
            st.lists(
                st.one_of(continuation.filter(lambda c: len(c) - len(c.lstrip()) > 1), WS, comment),
                max_size=3,
            ),
        )
        default = st.builds(lambda t: "[DEFAULT]" + t, st.sampled_from(["", " ;c"]))
        return st.one_of(header, default, option, block, block, WS, comment)
    noise = st.text(alphabet="ab =:;#[]\t \u00a0\u2003\r\n", max_size=12)
    return st.one_of(header, option, continuation, WS, comment, noise)


@st.composite
def ini_texts(draw: st.DrawFn, clean: bool = False) -> str:
    lines = draw(st.lists(_line(clean), max_size=20))
    if clean or draw(st.integers(0, 9)) > 0:
        lines.insert(0, draw(st.sampled_from(["[a]", "[DEFAULT]", "  [b] ;c", "[include]"])))
    newline = draw(st.sampled_from(["\n", "\n", "\r\n", "\r"]))
    end = draw(st.sampled_from(["", newline, newline * 2]))
    return newline.join(lines) + end


def _error_of(exc: ConfigError) -> tuple[str, int | None, int]:
    more = re.search(r"\(and (\d+) more bad lines\)", exc.message)
    kind = "header" if "no section header" in exc.message else "parsing"
    return kind, exc.line, int(more.group(1)) + 1 if more else 1


@given(ini_texts())
@SETTINGS
def test_scanner_reads_like_configparser(text: str) -> None:
    ref = configparser.RawConfigParser(inline_comment_prefixes=(";", "#"), strict=False)
    expected: Any
    try:
        ref.read_file(io.StringIO(text, newline=None), source="f.conf")
    except configparser.MissingSectionHeaderError as exc:
        expected = ("header", exc.lineno, 1)
    except configparser.ParsingError as exc:
        expected = ("parsing", exc.errors[0][0], len(exc.errors))
    else:
        expected = (
            [(s, list(ref.items(s))) for s in ref.sections()],
            list(ref.defaults().items()),
        )
    reader = _Reader()
    got: Any
    try:
        normalized = reader.read(text, "f.conf", "/h")
    except ConfigError as exc:
        got = _error_of(exc)
    else:
        assert normalized == "".join(io.StringIO(text, newline=None))
        d = reader.defaults
        got = (
            [
                (s, [(k, (sect[k] if k in sect else d[k]).value) for k in {**d, **sect}])
                for s, sect in reader.sections.items()
            ],
            [(k, o.value) for k, o in d.items()],
        )
    assert got == expected


# --------------------------------------------------------------------------- the oracle
# read.py before the scanner (configparser + a location-tracking dict_type), trimmed to what it
# recorded.

_KEY_RE = re.compile(r"\s*(.*?)\s*[=:]")


@dataclass
class _Tracker:
    file: str = ""
    lineno: int = 0
    line: str = ""
    reading: bool = False
    section: str | None = None
    dup_options: list[tuple[str, str, Loc, Loc]] = field(default_factory=list)
    dup_sections: list[tuple[str, Loc, Loc]] = field(default_factory=list)
    section_locs: dict[str, tuple[Loc, str]] = field(default_factory=dict)
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
        return Loc(self.file, self.lineno, len(self.line) - len(self.line.lstrip()) + 1)


class _LocDict(dict[str, Any]):
    tracker: _Tracker
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
            loc = t.here_loc()
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
    def __init__(self, tracker: _Tracker) -> None:
        dict_type = type("_TrackedDict", (_LocDict,), {"tracker": tracker})
        super().__init__(dict_type=dict_type, inline_comment_prefixes=(";", "#"), strict=False)
        self._sections.is_sections = True  # type: ignore[attr-defined]

    def expand_here(self, here: str) -> None:
        """supervisor's UnhosedConfigParser.expand_here, verbatim."""
        for section in self.sections():
            for key, value in self.items(section):
                if "%(here)s" in value:
                    self.set(section, key, value.replace("%(here)s", here))

    def option_loc(self, section: str, key: str) -> tuple[Loc | None, str]:
        sections: dict[str, Any] = self._sections  # type: ignore[attr-defined]
        defaults: dict[str, Any] = self._defaults  # type: ignore[attr-defined]
        for d in (sections.get(section), defaults):
            if isinstance(d, _LocDict) and key in d.locs:
                return d.locs[key], d.key_texts.get(key, key)
        return None, key


def _oracle(files: list[tuple[str, str, str]]) -> Any:
    tracker = _Tracker()
    parser = _Parser(tracker)
    for text, file, here in files:
        try:
            parser.read_file(tracker.lines(text, file), source=file)
        except configparser.MissingSectionHeaderError as exc:
            return ("header", exc.lineno, 1)
        except configparser.ParsingError as exc:
            return ("parsing", exc.errors[0][0], len(exc.errors))
        parser.expand_here(here)
    sections = []
    for name in parser.sections():
        sec_loc = tracker.section_locs[name][0]
        opts = []
        for key, value in parser.items(name):
            oloc, key_text = parser.option_loc(name, key)
            opts.append((key, value, oloc or sec_loc, key_text))
        sections.append((name, sec_loc, opts))
    if parser.defaults():
        dloc = tracker.default_loc or Loc(files[0][1], 1)
        opts = []
        for key, value in parser.defaults().items():
            oloc, key_text = parser.option_loc(configparser.DEFAULTSECT, key)
            opts.append((key, value, oloc or dloc, key_text))
        sections.append(("DEFAULT", dloc, opts))
    return (
        sections,
        tracker.dup_options,
        tracker.dup_sections,
        tracker.include_headers,
    )


def _scanner(files: list[tuple[str, str, str]]) -> Any:
    reader = _Reader()
    for text, file, here in files:
        try:
            reader.read(text, file, here)
        except ConfigError as exc:
            return _error_of(exc)
        reader.expand_here(here)
    sections = [
        (s.name, s.loc, [(o.name, o.value, o.loc, o.key_text) for o in s.options.values()])
        for s in reader.raw_sections(files[0][1], files[0][2])
    ]
    return (sections, reader.dup_options, reader.dup_sections, reader.include_headers)


FILES = st.sampled_from(["main.conf", "a.conf", "b.conf"])
HERES = st.sampled_from(["/h", "/other dir", "/x/%(here)s"])


@st.composite
def file_lists(draw: st.DrawFn) -> list[tuple[str, str, str]]:
    files = draw(st.lists(st.tuples(ini_texts(clean=True), FILES, HERES), min_size=1, max_size=4))
    if draw(st.booleans()):
        files.insert(draw(st.integers(1, len(files))), files[0])  # main file included again
    return files


@given(file_lists())
@settings(SETTINGS, max_examples=200)
def test_scanner_locations_and_here_like_the_tracking_parser(
    files: list[tuple[str, str, str]],
) -> None:
    assert _scanner(files) == _oracle(files)


def test_inline_comment_rounds_quirk() -> None:
    # configparser before 3.13 looks for ';' and '#' in rounds (first occurrences, then second
    # ones...): the first ';' qualifies before the second '#' is looked at, so it wins; 3.13
    # cuts at the earliest qualifying one.
    text = "[a]\nk = a#b #c ;d\n"
    ref = configparser.RawConfigParser(inline_comment_prefixes=(";", "#"), strict=False)
    ref.read_string(text)
    reader = _Reader()
    reader.read(text, "f", "/")
    assert reader.sections["a"]["k"].value == ref.get("a", "k")
    assert ref.get("a", "k") == ("a#b" if sys.version_info >= (3, 13) else "a#b #c")
