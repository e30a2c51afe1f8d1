"""Inline suppression comments in a supervisord.conf.

Three forms (``#`` works as well as ``;``; codes may be prefixes, several separated by commas):

* at the end of an option line (or of a section header), after whitespace, as supervisor's
  inline comments must be::

      command = bin/web  ; sup2circus: ignore=S2C117

  suppresses those codes for that option (all of its continuation lines) -- or, on a section
  header, for the whole section;
* alone on the line(s) directly above an option or a section header, same scope::

      ; sup2circus: ignore=S2C101,S2C102
      [program:job]

* anywhere in a file, alone on its line: ``; sup2circus: ignore-file=S2C106`` suppresses the code
  for every finding located in that file.

In a Dockerfile or a shell script (``--check``, S2C6xx) the comment is a ``#`` one (a ``;`` there
would end the command and run ``sup2circus:`` as the next one): alone on the line(s) directly
above an instruction or a command, for all of its lines (continuations included); in a script
also at its end after whitespace, where the shell starts a comment (in a Dockerfile a ``#`` starts
a comment only at the start of a line); ``# sup2circus: ignore-file=...`` alone on any line.

A section's scope runs from its header to the line before the next header, in that file. A
suppression that suppresses nothing (or names an unknown code) is itself reported as
``S2C902 unused-suppression``; that code is silenced by ``--ignore S2C902``, an
``ignore-file=S2C902`` comment, or S2C902 among the codes of the comment itself
(``ignore=S2C117,S2C902``: the S2C117 may come and go).
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from .filekind import DOCKERFILE, file_kind
from .findings import Finding, Loc
from .reporter import Reporter

UNUSED_CODE = "S2C902"

# `;` or `#` at the start of the line or after whitespace, as supervisor's parser requires.
_COMMENT_PATTERN = (
    r"(?:^|(?<=\s))[;#]\s*sup2circus\s*:\s*(?P<kind>ignore-file|ignore)\s*=\s*"
    r"(?P<codes>[A-Za-z0-9_]+(?:\s*,\s*[A-Za-z0-9_]+)*)"
)
_SECTION_PATTERN = r"\[(?P<header>.+)\]"
_OPTION_PATTERN = r"(?P<name>[^=:\s][^=:]*?)\s*[=:]"


@functools.cache
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """The comment, section and option patterns, compiled on first use: most files have no
    suppression comment, and compiling them is a noticeable part of a small --check."""
    return (
        re.compile(_COMMENT_PATTERN, re.IGNORECASE),
        re.compile(_SECTION_PATTERN),
        re.compile(_OPTION_PATTERN),
    )


def may_have_comments(text: str) -> bool:
    """False only if ``text`` cannot hold a suppression comment: every comment contains
    ``sup2circus`` in some letter case (as the IGNORECASE pattern matches it: beyond ASCII, the
    letters s and i also match the long s and the dotted/dotless i, so such text is searched)."""
    if text.isascii():
        return "sup2circus" in text.lower()
    return _quick_pattern().search(text) is not None


@functools.cache
def _quick_pattern() -> re.Pattern[str]:
    return re.compile("sup2circus", re.IGNORECASE)


@dataclass(slots=True)
class Suppression:
    file: str
    line: int  # where the comment is
    column: int
    codes: tuple[str, ...]
    file_wide: bool
    span: tuple[int, int] | None = None  # lines it covers (None: attached to nothing)
    section: str | None = None
    option: str | None = None
    used: set[str] = field(default_factory=set)
    target: str = "a section or option"  # what it must be directly above

    def covers(self, f: Finding) -> str | None:
        """The code of this suppression that matches ``f``, if any."""
        if not self.file_wide and (self.span is None or not self.span[0] <= f.line <= self.span[1]):
            return None
        for code in self.codes:
            if f.code.upper().startswith(code):
                return code
        return None


def _strip_inline_comment(line: str) -> str:
    """The line without a trailing ``;``/``#`` comment that follows whitespace."""
    for i, ch in enumerate(line):
        if ch in ";#" and (i == 0 or line[i - 1].isspace()):
            return line[:i]
    return line


def parse(file: str, text: str, kind: str | None = None) -> list[Suppression]:
    """Every suppression comment in one file's text, attached to what it covers. ``kind``:
    the file's :func:`~sup2circus.filekind.file_kind` (None: a supervisor config)."""
    if not may_have_comments(text):
        return []
    text = text.removeprefix("\ufeff")  # a byte order mark is not text before a comment
    if kind is not None:  # a Dockerfile or a shell script
        return _parse_commands(file, text, kind == DOCKERFILE)
    comment_re, section_re, option_re = _patterns()
    lines = config_lines(text)
    out: list[Suppression] = []
    pending: list[Suppression] = []  # full-line comments waiting for the next item
    # Items: (kind, start line, name); spans are filled once the item's end is known.
    section_supps: list[Suppression] = []  # suppressions of the current section
    option_supps: list[Suppression] = []  # suppressions of the current option
    section_name: str | None = None
    option_name: str | None = None
    option_start = option_indent = 0

    def close_option(end: int) -> None:
        nonlocal option_supps
        for s in option_supps:
            s.span = (option_start, end)
        option_supps = []

    def close_section(end: int) -> None:
        nonlocal section_supps
        for s in section_supps:
            s.span = (s.span[0] if s.span else end, end)
        section_supps = []

    last_content = 0  # last line of the current option (continuation lines included)
    for lineno, line in enumerate(lines, 1):
        stripped = line.strip()
        match = comment_re.search(line)
        supp = None
        if match:
            codes = tuple(c.strip().upper() for c in match.group("codes").split(","))
            supp = Suppression(
                file,
                lineno,
                match.start() + 1,
                codes,
                match.group("kind").lower() == "ignore-file",
            )
            out.append(supp)
        if not stripped:
            # A blank line detaches pending comments (they must be directly above).
            pending = []
            continue
        if stripped[0] in ";#":
            if supp is not None and not supp.file_wide:
                pending.append(supp)
            continue
        body = _strip_inline_comment(line).strip()
        indent = len(line) - len(line.lstrip())
        if option_name is not None and indent > option_indent:
            # continuation line of the current option (indented more than it, as configparser
            # has it: an option indented as much as the one above is an option of its own)
            last_content = lineno
            if supp is not None and not supp.file_wide:
                option_supps.append(supp)
            pending = []
            continue
        close_option(last_content)
        header = section_re.match(body)
        if header:
            close_section(lineno - 1)
            section_name = header.group("header")
            option_name = None
            for s in [*pending, *([supp] if supp and not supp.file_wide else [])]:
                s.span = (lineno, lineno)  # end fixed by close_section
                s.section = section_name
                section_supps.append(s)
        else:
            m = option_re.match(body)
            option_name = m.group("name").strip().lower() if m else body
            option_start = last_content = lineno
            option_indent = indent
            for s in [*pending, *([supp] if supp and not supp.file_wide else [])]:
                s.section = section_name
                s.option = option_name
                option_supps.append(s)
        pending = []
    close_option(last_content)
    close_section(len(lines))
    return out


def config_lines(text: str) -> list[str]:
    """The lines of a supervisor config as supervisor numbers them: it reads the file with
    universal newlines, so only a line feed or a carriage return ends a line. str.splitlines()
    also splits at a form feed, U+0085, U+2028...: a suppression below one would be attached,
    and reported, one line off the findings."""
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def _parse_commands(file: str, text: str, dockerfile: bool) -> list[Suppression]:
    """The ``#`` suppression comments of a Dockerfile (``dockerfile``) or a shell script,
    each attached to the instruction or command (its continuation lines included) below it or,
    in a script, on its line."""
    comment_re = _patterns()[0]
    escape = _escape(text) if dockerfile else "\\"
    out: list[Suppression] = []
    pending: list[Suppression] = []  # full-line comments waiting for the next command
    item: list[Suppression] | None = None  # those of the command continued on this line
    start = 0
    for lineno, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        comment = stripped.startswith("#")
        match = comment_re.search(line)
        supp = None
        if match and (comment or not dockerfile) and match.group(0).startswith("#"):
            supp = Suppression(
                file,
                lineno,
                match.start() + 1,
                tuple(c.strip().upper() for c in match.group("codes").split(",")),
                match.group("kind").lower() == "ignore-file",
                target="an instruction or command" if dockerfile else "a command",
            )
            out.append(supp)
        attached = [supp] if supp is not None and not supp.file_wide else []
        if item is not None:
            item += attached
            if dockerfile and (comment or not stripped):
                continue  # Docker skips comment and blank lines inside an instruction
        elif not stripped:
            pending = []  # they must be directly above
            continue
        elif comment:
            pending += attached
            continue
        else:
            item, start, pending = pending + attached, lineno, []
        if not line.rstrip().endswith(escape):
            for s in item:
                s.span = (start, lineno)
            item = None
    return out


def _escape(text: str) -> str:
    """A Dockerfile's escape character: ``\\``, or the one its ``# escape=`` directive names
    (directives are the comments at its very top)."""
    for line in text.splitlines():
        directive = re.fullmatch(r"\s*#\s*(\w+)\s*=\s*(\S*)\s*", line)
        if directive is None:
            break
        if directive.group(1).lower() == "escape" and directive.group(2):
            return directive.group(2)
    return "\\"


@dataclass(slots=True)
class Outcome:
    kept: list[Finding]
    suppressed: list[Finding]
    unused: list[Finding]


def _same_file(a: str, b: str) -> bool:
    if a == b:
        return True
    if a.startswith("<") or b.startswith("<"):
        return False
    return os.path.realpath(a) == os.path.realpath(b)


def apply(findings: Iterable[Finding], texts: Mapping[str, str]) -> Outcome:
    """Remove the findings that a suppression comment in ``texts`` (path -> file text) covers;
    report every suppression (code) that covered nothing."""
    from .rules import RULES

    supps: list[Suppression] = []
    misspelled: list[Finding] = []
    for path, text in texts.items():
        if not may_have_comments(text):
            continue
        # a Dockerfile or a script given to --check, else a config (read from its head: once)
        kind = None if path.startswith("<") else file_kind(path)
        supps.extend(parse(path, text, kind))
        misspelled.extend(_misspelled(path, text, kind))
    if not supps:  # no suppression comment anywhere: nothing to suppress, nothing unused
        return Outcome(list(findings), [], misspelled)
    by_file: dict[str, list[Suppression]] = {}
    for s in supps:
        by_file.setdefault(s.file, []).append(s)
    found_for: dict[str, list[Suppression]] = {}  # finding's file -> its suppressions

    def matching(f: Finding) -> list[Suppression]:
        try:
            return found_for[f.file]
        except KeyError:
            pass
        found = by_file.get(f.file)
        if found is None:
            for path, lst in by_file.items():
                if _same_file(path, f.file):
                    found = lst
                    break
        found_for[f.file] = found = found or []
        return found

    kept: list[Finding] = []
    suppressed: list[Finding] = []
    for f in findings:
        hit = False
        for s in matching(f):
            code = s.covers(f)
            if code is not None and code != UNUSED_CODE:
                s.used.add(code)
                hit = True
        (suppressed if hit else kept).append(f)

    unused: list[Finding] = []
    for s in supps:
        for code in s.codes:
            if code == UNUSED_CODE or code in s.used:
                continue
            if UNUSED_CODE in s.codes:  # `ignore=S2C117,S2C902`: its own unused code too,
                s.used.add(UNUSED_CODE)  # wherever the comment stands (above the option)
                suppressed.append(_unused_finding(s, code, RULES))
                continue
            unused.append(_unused_finding(s, code, RULES))
    # Only S2C902 suppressions can silence S2C902 findings, a misspelled comment's too.
    final: list[Finding] = []
    for f in [*unused, *misspelled]:
        hit = False
        for s in matching(f):
            if UNUSED_CODE in s.codes and s.covers(f) == UNUSED_CODE:
                s.used.add(UNUSED_CODE)
                hit = True
        (suppressed if hit else final).append(f)
    for s in supps:
        if UNUSED_CODE in s.codes and UNUSED_CODE not in s.used:
            final.append(_unused_finding(s, UNUSED_CODE, RULES))
    return Outcome(kept, suppressed, final)


# what looks like a suppression comment: `; sup2circus ignore=...`, `# sup2circus: disable=...`
_DIRECTIVE = re.compile(
    r"(?:^|(?<=\s))[;#]\s*sup2circus\b\s*:?\s*[A-Za-z_-]+\s*[=\[:]", re.IGNORECASE
)


def _misspelled(file: str, text: str, kind: str | None) -> list[Finding]:
    """S2C902 for each comment that looks like a suppression but is not one sup2circus reads
    (a misspelled form, or a ``;`` one in a Dockerfile or script, where ``;`` ends a command):
    it would silently suppress nothing."""
    containers = kind is not None
    comment_re = _patterns()[0]
    reporter = Reporter()
    text = text.removeprefix("\ufeff")
    lines = text.splitlines() if containers else config_lines(text)
    for lineno, line in enumerate(lines, 1):
        looks = _DIRECTIVE.search(line)
        if looks is None:
            continue
        read = comment_re.search(line)
        if read is not None and not (containers and read.group(0).startswith(";")):
            continue
        form = "# sup2circus: ignore=CODE" if containers else "; sup2circus: ignore=CODE"
        why = f"not a suppression sup2circus reads: write `{form}[,CODE]` or `ignore-file=CODE`"
        reporter.report(UNUSED_CODE, Loc(file, lineno, looks.start() + 1), None, None, reason=why)
    return reporter.findings()


def _about_whole_files(code: str, rules: Mapping[str, object]) -> bool:
    """Whether every rule ``code`` names is reported about a whole file, at its line 1."""
    named = [r for c, r in rules.items() if c.startswith(code)]
    return bool(named) and all(getattr(r, "whole_file", False) for r in named)


def _unused_finding(s: Suppression, code: str, rules: Mapping[str, object]) -> Finding:
    from .rules import RETIRED

    form = "ignore-file" if s.file_wide else "ignore"
    if code in RETIRED:
        why = f"'{form}={code}' suppresses nothing: {code} is retired (no longer reported)"
    elif not any(c.startswith(code) for c in rules):
        why = f"unknown code {code!r}"
    elif not s.file_wide and _about_whole_files(code, rules):
        # such a finding is at line 1 whatever is there: no section or option holds it
        why = (
            f"'{form}={code}' cannot suppress a finding about the whole file: "
            f"write 'ignore-file={code}'"
        )
    elif not s.file_wide and s.span is None:
        why = f"'{form}={code}' is not directly above {s.target}"
    elif code == UNUSED_CODE:
        why = f"'{form}={code}': there is no unused suppression to silence"
    else:
        where = "in this file" if s.file_wide else "here"
        why = f"'{form}={code}' suppresses nothing: no {code} finding {where}"
    # one reporter per finding: two codes of one comment are two findings (one reporter would
    # merge them, as they are at the same place)
    reporter = Reporter()
    reporter.report(UNUSED_CODE, Loc(s.file, s.line, s.column), s.section, s.option, reason=why)
    return reporter.findings()[0]
