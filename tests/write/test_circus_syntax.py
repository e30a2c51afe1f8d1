"""The writer's model of circus's ini parser, checked against circus 0.19's real parser."""

from __future__ import annotations

import io
import os
import shlex

import pytest
from circus.util import StrictConfigParser, parse_env_dict, replace_gnu_args
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sup2circus import circus_syntax as cs
from sup2circus.write import _line

HOSTILE = st.text(
    alphabet=st.sampled_from([*"ab Z$();#%'\"\\\t\n,=:[]*?cirus.", "é", "ü"]),
    max_size=30,
)


def circus_reads(written: str) -> str:
    """What circus's own parser returns for ``k = written`` as our writer writes it."""
    parser = StrictConfigParser()
    # newline=None: universal newlines, as circus reads circus.ini (open()'s default)
    text = io.StringIO("[s]\n" + _line("k", written) + "\n", newline=None)
    parser._read(text, "<t>")  # type: ignore[attr-defined]
    # join like StrictConfigParser does at the end of _read
    value = parser._sections["s"]["k"]  # type: ignore[attr-defined]
    return str(value)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(HOSTILE)
def test_parse_value_model_matches_circus(value: str) -> None:
    if "\n" in value and any(not line.strip() for line in value.split("\n")[1:]):
        # the writer never emits these: reads_back() is False for them
        assert not cs.reads_back(value)
        return
    if value.strip() == "" and value:
        return  # `k =   ` -- covered by reads_back being False
    assert cs.parse_value(value) == circus_reads(value)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.text(alphabet=st.sampled_from([*"ab \r\n;#$()[]=cirus."]), max_size=20))
def test_what_reads_back_is_what_circus_reads(value: str) -> None:
    # a carriage return included: circus's parser ends a line there
    if cs.reads_back(value, allow_vars=True):
        assert circus_reads(value) == value


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.lists(HOSTILE, min_size=1, max_size=4))
def test_quoted_tokens_round_trip_through_circus(tokens: list[str]) -> None:
    if any("\n" in t for t in tokens):
        tokens = [t.replace("\n", "") for t in tokens]
    written = " ".join(map(cs.quote_token, tokens))
    assert cs.reads_back(written)
    read = circus_reads(written)
    # circus substitutes $(circus.*) before splitting: nothing of the kind may appear
    assert replace_gnu_args(read, wid=1, env={"HOME": "/h"}) == read
    assert shlex.split(read) == tokens


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("plain", True),
        ("  padded  ", False),
        ("a ;b", False),
        ("a;b ;c", True),
        ("pa$SWORD1", False),
        ("$home", True),
        ("x${HOME}", True),
        ("100%", True),
        ('""', False),
        ("a #b", True),
        ("\nA=", False),  # circus strips the joined value: the leading newline is lost
    ],
)
def test_env_value_reads_back_matches_circus(value: str, ok: bool) -> None:
    assert cs.env_value_reads_back(value) is ok
    env = {k: v for k, v in os.environ.items() if k != "SWORD1"}
    got = parse_env_dict({"K": circus_reads(value)})["K"] if value.strip() else ""
    del env
    assert (got == value) is ok


def test_escape_glob_matches_only_the_name() -> None:
    from fnmatch import fnmatch

    for name in ["web[1]", "a*b", "q?", "plain", "g:web_00"]:
        pat = cs.escape_glob(name)
        assert pat is not None
        assert fnmatch(name, pat)
        for other in ["web1", "aXb", "qq", "a,b", "plainx"]:
            if other != name:
                assert not fnmatch(other, pat)
    assert cs.escape_glob("a,b") is None


def test_a_lone_surrogate_never_reads_back() -> None:
    # Python's form of bytes that are not UTF-8 in a file name or an environment value: a
    # UTF-8 circus.ini cannot hold it (the value was written, and the caller's write failed)
    assert not cs.reads_back("/srv/caf\udce9/x.log")
    assert not cs.reads_back("\udce9", allow_vars=True)
    assert not cs.env_value_reads_back("\udce9")
    assert not cs.header_reads_back("watcher:a\udce9")
    assert not cs.env_key_ok("K\udce9")
    assert cs.reads_back("/srv/café/x.log") and cs.header_reads_back("watcher:é")
