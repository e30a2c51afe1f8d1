"""Values with deferred %(ENV_X)s references, spelled for circus."""

from __future__ import annotations

from hypothesis import given
from strategies import SETTINGS, TEXT

from sup2circus import circus_syntax as cs
from sup2circus.model import ENV_MARK_RE, ENV_MARK_START, env_marker
from sup2circus.translate import spelling


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


def test_a_deferred_reference_in_an_env_value_is_spelled_where_circus_reads_it_whole() -> None:
    """$X in an [env] section is circus's name up to the first character that is not upper
    case, a digit or _: the reference is written there only when the next character ends it."""
    x = env_marker("X")
    assert spelling.env_value_spelling(f"{x}") == "$X"
    assert spelling.env_value_spelling(f"{x}dir") == "$Xdir"
    assert spelling.env_value_spelling(f"{x}/bin") == "$X/bin"
    for after in ("_DIR", "D", "9"):
        assert spelling.env_value_spelling(f"{x}{after}") is None, after
    for padded in (f" {x}", f"{x} "):
        assert spelling.env_value_spelling(padded) is None  # circus strips the value
    assert spelling.env_value_spelling(f"a\n\nb{x}") is None  # it drops the empty line
