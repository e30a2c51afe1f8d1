"""How values holding deferred ``%(ENV_X)s`` markers are written so that circus reads them back.

A deferred reference is kept in the model as a marker (:func:`sup2circus.model.env_marker`);
circus.ini spells it ``$(circus.env.X)`` (options, cmd) or ``$X`` ([env:...] sections).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

from .. import circus_syntax as cs
from ..model import ENV_MARK_RE, ENV_MARK_START, env_marker

PWD_REF = "$(circus.env.PWD)"
# a reference replace_markers writes; group 1 is the variable's name
CIRCUS_ENV_REF_RE = re.compile(r"\$\(circus\.env\.([^)]*)\)")


def _circus_ref(m: re.Match[str]) -> str:
    return f"$(circus.env.{m.group(1)})"


def replace_markers(value: str) -> str:
    """``value`` with each marker spelled as its ``$(circus.env.X)`` reference."""
    if ENV_MARK_START not in value:
        return value
    return ENV_MARK_RE.sub(_circus_ref, value)


def deferred_map(values: Iterable[str]) -> dict[str, str]:
    """marker -> circus reference for every deferred env reference in ``values``."""
    return {
        env_marker(name): f"$(circus.env.{name})" for v in values for name in ENV_MARK_RE.findall(v)
    }


def only_our_refs(written: str, value: str) -> bool:
    """True when the only $(circus.*) references in ``written`` are the deferred environment
    references we put there for the markers of ``value``, in order."""
    found = [m.group(0) for m in cs.CIRCUS_VAR_RE.finditer(written)]
    return found == [f"$(circus.env.{n})" for n in ENV_MARK_RE.findall(value)]


def spell_value(value: str) -> str | None:
    """``value`` (a path, a directory) with its markers as ``$(circus.env.X)``, when circus
    reads that back unchanged and finds no other ``$(circus.*)`` in it; else None."""
    spelled = replace_markers(value)
    if cs.reads_back(spelled, allow_vars=True) and only_our_refs(spelled, value):
        return spelled
    return None


# cached: the processes of a config share most values (10,000 programs: 0.2 s of 1.5 s)
@functools.lru_cache(maxsize=1024)
def env_value_spelling(value: str) -> str | None:
    """How to write ``value`` (which may hold deferred markers) in an [env:...] section so the
    child gets it, or None when impossible."""
    if not ENV_MARK_RE.search(value):
        return value if cs.env_value_reads_back(value) else None
    # Deferred refs become $NAME (expanded by circus from its own environment) -- only
    # possible for names circus's $-regex matches in full, with no other $UPPER text around.
    literal_parts = ENV_MARK_RE.split(value)[0::2]
    if any(cs.ENV_DOLLAR_RE.search(p) for p in literal_parts):
        return None
    out = []
    pos = 0
    for m in ENV_MARK_RE.finditer(value):
        name = m.group(1)
        if not cs.ENV_DOLLAR_RE.fullmatch(f"${name}"):
            return None
        after = value[m.end() : m.end() + 1]
        if after and (after.isupper() or after.isdigit() or after == "_"):
            return None
        out.append(value[pos : m.start()])
        out.append(f"${name}")
        pos = m.end()
    out.append(value[pos:])
    written = "".join(out)
    # circus strips an [env] value (and cuts it at ' ;', see reads_back)
    if not cs.reads_back(written, allow_vars=True) or written != written.strip():
        return None
    return written


def token_ok(token: str) -> bool:
    """True when the command token ``token`` reads back as itself once written."""
    if token == PWD_REF:
        return True
    return cs.token_round_trips(token, ENV_MARK_RE if ENV_MARK_START in token else None)
