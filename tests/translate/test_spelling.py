"""Values with deferred %(ENV_X)s references, spelled for circus."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sup2circus import circus_syntax as cs
from sup2circus.model import ENV_MARK_END, ENV_MARK_RE, ENV_MARK_START, env_marker
from sup2circus.translate import spelling

SETTINGS = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
MARKERS = [env_marker("X"), env_marker("HOME"), env_marker("a_1"), env_marker("S2C")]
PIECES = [
    *"aZ09_@%+=:,./-",
    *" \t\r\n\x0b\x85\u00a0\u2028",
    *";#$()'\"\\*?[]é",
    "$(circus.wid)",
    "((circus.env.x))",
    "$HOME",
    '""',
    ENV_MARK_START,
    ENV_MARK_END,
    *MARKERS,
]
TEXT = st.lists(st.sampled_from(PIECES), max_size=8).map("".join)


@SETTINGS
@given(TEXT)
def test_markers_become_circus_env_references(value: str) -> None:
    spelled = spelling.replace_markers(value)
    assert ENV_MARK_RE.search(spelled) is None
    names = ENV_MARK_RE.findall(value)
    assert spelled.count("$(circus.env.") >= len(names)


@SETTINGS
@given(TEXT)
def test_a_spelled_value_reads_back_with_only_our_references(value: str) -> None:
    spelled = spelling.spell_value(value)
    if spelled is not None:
        assert cs.reads_back(spelled, allow_vars=True)
        assert spelling.only_our_refs(spelled, value)


@SETTINGS
@given(TEXT)
def test_an_env_value_without_markers_is_written_as_is_or_refused(value: str) -> None:
    if ENV_MARK_START in value:
        return
    spelled = spelling.env_value_spelling(value)
    assert spelled in (value, None)
    assert (spelled is not None) == cs.env_value_reads_back(value)
