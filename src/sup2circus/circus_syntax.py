"""How circus 0.19 reads back what we write, modelled exactly, and spellings that survive it.

circus's ini parser (``circus.util.StrictConfigParser``) differs from supervisor's: the first
duplicate wins, ``;`` starts a comment only when the *first* ``;`` of a value follows whitespace,
values are stripped, ``""`` means empty, continuation lines are stripped and empty ones dropped,
a line whose first word is ``rem`` is dropped, and ``$(circus.X)`` / ``((circus.X))`` are
substituted (any case) in watcher options. ``[env:...]`` values additionally get ``$UPPER``
names replaced from circusd's environment and are stripped again.

Every value the writer emits is checked with :func:`reads_back`; tests compare this model with
circus's real parser.
"""

from __future__ import annotations

import functools
import re

from .datatypes import split_words

# circus.util._CIRCUS_VAR
CIRCUS_VAR_RE = re.compile(r"\$\(circus\.([\w\.\-]+)\)|\(\(circus\.([\w\.\-]+)\)\)", re.I)
# circus.util.parse_env_dict
ENV_DOLLAR_RE = re.compile(r"\$([A-Z]+[A-Z0-9_]*)")

_SAFE_TOKEN_RE = re.compile(r"[A-Za-z0-9_@%+=:,./-]+")
# safe words (is_safe_token) separated by single spaces
SAFE_WORDS_RE = re.compile(rf"{_SAFE_TOKEN_RE.pattern}(?: {_SAFE_TOKEN_RE.pattern})*")


def parse_value(written: str) -> str:
    """The string circus's parser returns for ``key = <written>``.

    ``written`` may contain ``\\n``: the writer puts each further line on an indented
    continuation line.
    """
    first, *rest = written.split("\n")
    value = first.lstrip()  # OPTCRE's \s* after '=' eats it before the comment check
    if ";" in value:
        pos = value.find(";")
        if value[pos - 1].isspace():
            value = value[:pos]
    value = value.strip()
    if value == '""':
        value = ""
    parts = [value]
    for line in rest:
        line = line.strip()
        if line:
            parts.append(line)
    return "\n".join(parts)


def reads_back(written: str, *, allow_vars: bool = False) -> bool:
    """True when circus's parser returns ``written`` unchanged (and, unless ``allow_vars``,
    no ``$(circus.*)`` substitution can apply to it)."""
    if "\r" in written or not _utf8(written) or parse_value(written) != written:
        # circus reads circus.ini with universal newlines: a carriage return ends the line; and
        # as UTF-8: a lone surrogate, Python's form of a file name's or an environment value's
        # bytes that are not UTF-8, cannot be written at all
        return False
    return allow_vars or CIRCUS_VAR_RE.search(written) is None


def _utf8(text: str) -> bool:
    """Whether ``text`` can be written in a UTF-8 file (it holds no lone surrogate)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def env_value_reads_back(value: str) -> bool:
    """True when ``NAME = value`` in an ``[env:...]`` section gives the child exactly
    ``value`` (no stripping, comment cutting, ``$UPPER`` expansion)."""
    # parse_env_dict strips the whole (joined) value again: no leading/trailing newline either
    return (
        value == value.strip()
        and reads_back(value, allow_vars=True)
        and ENV_DOLLAR_RE.search(value) is None
    )


# cached: the watchers of a config share most variable names (10,000 programs: 0.05 s of
# translate's 0.87 s)
@functools.lru_cache(maxsize=1024)
def env_key_ok(key: str) -> bool:
    """True when ``key`` can be written as an option name in an ``[env:...]`` section."""
    if not key or key != key.strip() or key == "__name__" or not _utf8(key):
        return False
    if any(c in key for c in "=:\n\r"):
        return False
    if key[0] in "#;[" or key[0].isspace():
        return False
    return key.split(None, 1)[0].lower() != "rem"


def header_reads_back(name: str) -> bool:
    """True when ``[name]`` reads back as the header of section ``name``: circus's parser takes
    a header line up to its last ``]``, and reads circus.ini with universal newlines (a line
    ends at a carriage return, a line feed or both) as UTF-8 text."""
    return "\n" not in name and "\r" not in name and _utf8(name)


def escape_glob(name: str) -> str | None:
    """The ``[env:...]`` pattern matching exactly the watcher ``name`` (fnmatch, comma-separated
    list); None when impossible (a comma, or surrounding spaces)."""
    if "," in name or name != name.strip():
        return None
    return "".join(f"[{ch}]" if ch in "*?[" else ch for ch in name)


def is_safe_token(text: str) -> bool:
    """True for a word that needs no quoting at all (circus reads it back as is)."""
    return _SAFE_TOKEN_RE.fullmatch(text) is not None


def _quote_literal(text: str) -> str:
    """Quote a literal piece of a token so that circus's parse + shlex return it unchanged and
    nothing in it looks like a comment or a ``$(circus.*)`` reference."""
    if text == "":
        return ""
    if _SAFE_TOKEN_RE.fullmatch(text):
        return text
    pieces: list[str] = []
    # A ';' that follows whitespace (or starts the token, i.e. follows the separating space)
    # would start a circus comment: write it outside the quotes as \; instead.
    chunks: list[str] = []
    cur = ""
    for i, ch in enumerate(text):
        if ch == ";" and (i == 0 or text[i - 1].isspace()):
            chunks.append(cur)
            cur = ""
            continue
        cur += ch
    chunks.append(cur)
    for i, chunk in enumerate(chunks):
        if i:
            pieces.append("\\;")
        if chunk:
            q = "'" + chunk.replace("'", "'\"'\"'") + "'"
            # break $( and (( so that no $(circus.x) / ((circus.x)) can form
            q = q.replace("$(", "$(''").replace("((", "(''(")
            pieces.append(q)
    return "".join(pieces)


def quote_token(token: str, deferred: dict[str, str] | None = None) -> str:
    """Spell one argv token for a circus ``cmd``.

    ``deferred`` maps marker strings to the circus reference that replaces them
    (``$(circus.env.X)``): markers are written bare, the literal parts around them quoted.
    """
    if token == "":
        return "''"
    if not deferred:
        return _quote_literal(token)
    pattern = _marker_pattern(tuple(deferred))
    out: list[str] = []
    pos = 0
    for m in pattern.finditer(token):
        out.append(_quote_literal(token[pos : m.start()]))
        out.append(deferred[m.group(0)])
        pos = m.end()
    out.append(_quote_literal(token[pos:]))
    return "".join(out)


@functools.lru_cache(maxsize=256)
def _marker_pattern(markers: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(re.escape(m) for m in markers))


# cached: the processes of a config share most tokens (10,000 programs: translate takes 0.87 s
# with the cache, 1.5 s without)
@functools.lru_cache(maxsize=1024)
def token_round_trips(token: str, marker_re: re.Pattern[str] | None = None) -> bool:
    """True when :func:`quote_token` spells ``token`` so that circus reads back exactly it
    (with each deferred marker, matched by ``marker_re``, as its ``$(circus.env.NAME)``).

    Tokens are joined with single spaces, and a spelled token never starts with a bare ``;``
    nor ends with a bare backslash, so a command whose tokens all round-trip round-trips too.
    """
    deferred: dict[str, str] = {}
    expected = token
    if marker_re is not None:
        for m in marker_re.finditer(token):
            deferred[m.group(0)] = f"$(circus.env.{m.group(1)})"
        expected = marker_re.sub(lambda m: f"$(circus.env.{m.group(1)})", token)
    written = quote_token(token, deferred or None)
    if "\n" in written or not reads_back(written, allow_vars=bool(deferred)):
        return False
    if marker_re is not None:
        # the only $(circus.*) references are the deferred ones, in order
        refs = [f"$(circus.env.{m.group(1)})" for m in marker_re.finditer(token)]
        if [m.group(0) for m in CIRCUS_VAR_RE.finditer(written)] != refs:
            return False
    try:
        return split_words(written) == [expected]
    except ValueError:
        return False


def split_cmd(written: str) -> list[str]:
    """The argv circus builds from a ``cmd`` value (without wid/env substitution)."""
    return split_words(parse_value(written))


# cached: the processes of a big config repeat most tokens (10,000 programs: 0.05 s of
# translate's 0.87 s)
@functools.lru_cache(maxsize=2048)
def quote_plain(token: str) -> str:
    """``quote_token(token)``."""
    return quote_token(token)
