"""Pure re-implementations of supervisor 4.3's value parsers (``supervisor/datatypes.py``).

supervisor is only a test dependency of sup2circus, so the functions the builder needs are
re-implemented here with the same results and the same error messages (``ValueError``). Facts
of the converting machine are left out on purpose: :func:`colon_separated_user_group` does not
look the user up (whether a user exists is a property of the machine circusd will run on, not of
the config), and :func:`logfile_name` does not check that the directory exists.
"""

from __future__ import annotations

import enum
import os
import pwd
import re
import shlex
import signal
from collections.abc import Mapping

__all__ = [
    "FALSY_STRINGS",
    "TRUTHY_STRINGS",
    "LogfileKind",
    "auto_restart",
    "boolean",
    "byte_size",
    "colon_separated_user_group",
    "dict_of_key_value_pairs",
    "expand",
    "expanduser",
    "import_spec_ok",
    "inet_address",
    "integer",
    "list_of_exitcodes",
    "list_of_ints",
    "list_of_strings",
    "logfile_name",
    "logging_level",
    "octal_type",
    "port_number",
    "process_or_group_name",
    "signal_name",
    "signal_number",
]

TRUTHY_STRINGS = ("yes", "true", "on", "1")
FALSY_STRINGS = ("no", "false", "off", "0")


def process_or_group_name(name: str) -> str:
    """A process or group name: stripped; no space, ``:`` or ``/``."""
    s = str(name).strip()
    for character in " :/":
        if character in s:
            raise ValueError(f"Invalid name: {name!r} because of character: {character!r}")
    return s


def integer(value: object) -> int:
    """``int(value)`` (supervisor's ``integer``; same error text as ``int()``)."""
    if isinstance(value, int):
        return value
    return int(str(value))


def boolean(s: object) -> bool:
    ss = str(s).lower()
    if ss in TRUTHY_STRINGS:
        return True
    if ss in FALSY_STRINGS:
        return False
    raise ValueError("not a valid boolean value: " + repr(s))


def list_of_strings(arg: str | None) -> list[str]:
    if not arg:
        return []
    return [x.strip() for x in arg.split(",")]


def list_of_ints(arg: str | None) -> list[int]:
    if not arg:
        return []
    try:
        return [int(x) for x in arg.split(",")]
    except ValueError:
        raise ValueError("not a valid list of ints: " + repr(arg)) from None


def list_of_exitcodes(arg: str | None) -> list[int]:
    try:
        vals = list_of_ints(arg)
        for val in vals:
            if val > 255 or val < 0:
                raise ValueError(f'Invalid exit code "{val}"')
        return vals
    except ValueError:
        raise ValueError("not a valid list of exit codes: " + repr(arg)) from None


# shlex.split(text) (POSIX, whitespace_split, no comments): how supervisord splits a command
# and circus splits a cmd. A word is plain characters, escaped characters and quoted strings
# up to whitespace (" \t\r\n" only); an unclosed quote or a trailing backslash is an error.
# Each pattern is a run of plain characters, then (a piece starting with \ ' or ", a run)*:
# one way to match, so no backtracking. shlex reads a character at a time: it took a tenth of
# a conversion of 10,000 programs.
_PLAIN = r"""[^ \t\r\n'"\\]*"""
_IN_DOUBLE_QUOTES = r'[^"\\]*(?:\\.[^"\\]*)*'
_WORD = rf"""(?=[^ \t\r\n]){_PLAIN}(?:(?:\\.|'[^']*'|"{_IN_DOUBLE_QUOTES}"){_PLAIN})*"""
_WORD_RE = re.compile(_WORD, re.S)
_WORDS_RE = re.compile(rf"[ \t\r\n]*(?:{_WORD}(?:[ \t\r\n]+{_WORD})*)?[ \t\r\n]*", re.S)
_WORD_PIECE_RE = re.compile(rf"""\\(.)|'([^']*)'|"({_IN_DOUBLE_QUOTES})"|[^'"\\]+""", re.S)
_ESCAPED_IN_DOUBLE_QUOTES_RE = re.compile(r'\\([\\"])')


def split_words(text: str) -> list[str]:
    """``shlex.split(text)``, with its errors (ValueError)."""
    if _WORDS_RE.fullmatch(text) is None:
        return shlex.split(text)  # an unclosed quote or a trailing backslash: shlex's error
    words = _WORD_RE.findall(text)
    if "'" not in text and '"' not in text and "\\" not in text:
        return words
    return [_WORD_PIECE_RE.sub(_unquoted, w) for w in words]


def words_as_written(text: str) -> list[tuple[int, str]]:
    """The words ``shlex.split(text)`` finds, as written (quotes and escapes kept), each with
    its offset in ``text``; ValueError when it cannot be split."""
    if _WORDS_RE.fullmatch(text) is None:
        shlex.split(text)  # its error
    return [(m.start(), m.group()) for m in _WORD_RE.finditer(text)]


def _unquoted(piece: re.Match[str]) -> str:
    escaped, single, double = piece.groups()
    if escaped is not None:
        return escaped
    if single is not None:
        return single
    if double is not None:
        # in double quotes a backslash escapes only a backslash or a double quote
        return _ESCAPED_IN_DOUBLE_QUOTES_RE.sub(r"\1", double)
    return piece.group()


# supervisor's lexer: non-POSIX shlex.shlex with wordchars += "/.+-():". Without a comment
# character ("#"), its tokens are exactly these (first alternative that matches wins, like
# its state machine): a word (a word character, then word characters or quotes: a quote inside
# a word does not start a quoted string), a quoted string (no escapes in non-POSIX mode), or any
# other single non-whitespace character. A lone quote is an unterminated string (an error).
_KV_TOKEN_RE = re.compile(
    r"""[A-Za-z0-9_/.+\-():][A-Za-z0-9_/.+\-():'"]*|"[^"]*"|'[^']*'|[^ \t\r\n]"""
)


def dict_of_key_value_pairs(arg: str) -> dict[str, str]:
    """Parse ``KEY=val,KEY2="v,2"`` exactly like supervisor (non-POSIX shlex, quirks included:
    ``A=x y`` gives ``A=x``, ``A=$HOME`` gives ``A=$``, ``A=u@h`` is an error)."""
    s = str(arg)
    if "#" not in s:
        # the same tokens as shlex (see _KV_TOKEN_RE), then supervisor's pairing; anything
        # unusual (errors included) goes through supervisor's own algorithm. 10,000 programs:
        # 0.04 s instead of 0.38 s, a sixth of the whole conversion (checked against
        # supervisor's own parser in tests/build/test_build.py)
        tokens = _KV_TOKEN_RE.findall(s)
        if '"' not in tokens and "'" not in tokens:
            out: dict[str, str] = {}
            i = 0
            n = len(tokens)
            while i + 2 < n and tokens[i + 1] == "=":
                out[tokens[i]] = tokens[i + 2].strip("'\"")
                i += 4
            if i >= n:
                return out
    return dict_of_key_value_pairs_shlex(arg)


def dict_of_key_value_pairs_shlex(arg: str) -> dict[str, str]:
    """supervisor's algorithm itself (shlex); :func:`dict_of_key_value_pairs` is the same,
    faster."""
    lexer = shlex.shlex(str(arg))
    lexer.wordchars += "/.+-():"
    tokens = list(lexer)  # may raise ValueError("No closing quotation"), like supervisor
    out: dict[str, str] = {}
    i = 0
    n = len(tokens)
    while i < n:
        k_eq_v = tokens[i : i + 3]
        if len(k_eq_v) != 3 or k_eq_v[1] != "=":
            raise ValueError(f"Unexpected end of key/value pairs in value '{arg}'")
        out[k_eq_v[0]] = k_eq_v[2].strip("'\"")
        i += 4
    return out


class LogfileKind(str, enum.Enum):
    AUTO = "AUTO"
    NONE = "NONE"
    SYSLOG = "SYSLOG"
    FILE = "FILE"


def expanduser(path: str, env: Mapping[str, str] | None = None) -> str:
    """``os.path.expanduser`` using ``env['HOME']`` (default ``os.environ``) for ``~``."""
    if not path.startswith("~"):
        return path
    env = os.environ if env is None else env
    i = path.find("/", 1)
    if i < 0:
        i = len(path)
    if i == 1:
        home = env.get("HOME")
        if home is None:
            try:
                home = pwd.getpwuid(os.getuid()).pw_dir
            except KeyError:
                return path
    else:
        try:
            home = pwd.getpwnam(path[1:i]).pw_dir
        except KeyError:
            return path
    home = home.rstrip("/")
    return (home + path[i:]) or "/"


def logfile_name(val: str) -> tuple[LogfileKind, str | None]:
    """``AUTO``/``NONE``/``OFF``/``syslog`` (case-insensitive) or a path (``~`` not expanded
    here: the builder does it). The directory is not checked (machine fact)."""
    coerced = val.lower()
    if coerced in ("none", "off"):
        return LogfileKind.NONE, None
    if coerced == "auto":
        return LogfileKind.AUTO, None
    if coerced == "syslog":
        return LogfileKind.SYSLOG, None
    return LogfileKind.FILE, val


def port_number(value: str) -> int:
    v = integer(value)
    if v < 1:
        raise ValueError(f"{v!r} is below lower bound (1)")
    if v > 0xFFFF:
        raise ValueError(f"{v!r} is above upper bound (65535)")
    return v


def inet_address(s: str) -> tuple[str, int]:
    """``host:port`` / ``port`` -> (host, port); host ``''`` for any/``*``."""
    host = ""
    if ":" in s:
        host, s = s.rsplit(":", 1)
        if not s:
            raise ValueError(f"no port number specified in {s!r}")
        port = port_number(s)
        host = host.lower()
    else:
        try:
            port = port_number(s)
        except ValueError:
            raise ValueError(f"not a valid port number: {s!r} ") from None
    if not host or host == "*":
        host = ""
    return host, port


def colon_separated_user_group(arg: str) -> tuple[str, str | None]:
    """``user[:group]`` split (no lookup: existence is a machine fact)."""
    parts = arg.split(":", 1)
    if len(parts) == 1:
        return parts[0], None
    return parts[0], parts[1]


def octal_type(arg: str) -> int:
    try:
        return int(arg, 8)
    except (TypeError, ValueError):
        raise ValueError(f"{arg} can not be converted to an octal type") from None


LOGGING_LEVELS = ("critical", "error", "warn", "info", "debug", "trace", "blather")


def logging_level(value: str) -> str:
    """The supervisor level name (lower-cased) or ValueError."""
    s = str(value).lower()
    if s not in LOGGING_LEVELS:
        raise ValueError(f"bad logging level name {value!r}")
    return s


_BYTE_SUFFIXES = (("kb", 1024), ("mb", 1024 * 1024), ("gb", 1024 * 1024 * 1024))


def byte_size(v: object) -> int:
    """``10``, ``1KB``, ``50MB``, ``1GB`` (case-insensitive) -> bytes."""
    if isinstance(v, int):
        return v
    s = str(v).lower()
    for suffix, mult in _BYTE_SUFFIXES:
        if s[-2:] == suffix:
            return int(s[:-2]) * mult
    return int(s)


# supervisor: SIGNUMS = [getattr(signal, k) for k in dir(signal) if k.startswith('SIG')]
_SIGNUMS = frozenset(int(getattr(signal, k)) for k in dir(signal) if k.startswith("SIG"))


def signal_number(value: str) -> int:
    try:
        num = int(value)
    except (ValueError, TypeError):
        name = value.strip().upper()
        if not name.startswith("SIG"):
            name = "SIG" + name
        found = getattr(signal, name, None)
        if found is None or not isinstance(found, int):
            raise ValueError(f"value {value!r} is not a valid signal name") from None
        num = int(found)
    if num not in _SIGNUMS:
        raise ValueError(f"value {value!r} is not a valid signal number")
    return num


def signal_name(num: int) -> str:
    """Canonical name without ``SIG`` (``TERM``); the number as text if it has no name."""
    try:
        return signal.Signals(num).name[3:]
    except ValueError:
        return str(num)


def auto_restart(value: str) -> str:
    """``"true"`` (always), ``"false"`` or ``"unexpected"``."""
    v = str(value.lower())
    if v in TRUTHY_STRINGS:
        return "true"
    if v in FALSY_STRINGS:
        return "false"
    if v == "unexpected":
        return "unexpected"
    raise ValueError(f"invalid 'autorestart' value {v!r}")


# importlib.metadata.EntryPoint.pattern, which supervisor's import_spec uses.
_ENTRY_POINT_RE = re.compile(
    r"(?P<module>[\w.]+)\s*(:\s*(?P<attr>[\w.]+)\s*)?((?P<extras>\[.*\])\s*)?$"
)


def import_spec_ok(spec: str) -> bool:
    """Whether ``spec`` has the syntax ``module[:attr]`` (it is never imported)."""
    return _ENTRY_POINT_RE.match(spec) is not None


def expand(s: str, expansions: Mapping[str, object], name: str) -> str:
    """supervisor's ``expand``: ``s % expansions`` with its error messages."""
    try:
        return s % expansions
    except KeyError as ex:
        available = sorted(expansions.keys())
        raise ValueError(
            f"Format string {s!r} for {name!r} contains names ({ex}) which cannot be "
            f"expanded. Available names: {', '.join(available)}"
        ) from None
    except Exception as ex:
        raise ValueError(f"Format string {s!r} for {name!r} is badly formatted: {ex}") from None
