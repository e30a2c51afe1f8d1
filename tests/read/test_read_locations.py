"""read.py's locations: every section and option points at the line configparser reads it from."""

from __future__ import annotations

import configparser

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sup2circus.findings import Loc
from sup2circus.read import read_text

LINES = st.sampled_from(
    [
        "[a]",
        "  [b] ;c",
        "[DEFAULT]",
        "[a]x",
        "k = v",
        "  K2: v ; c",
        "key two = %(here)s",
        "    continued = like an option",
        "    [like a header]",
        "\t# indented comment",
        "; comment",
        "",
        "   ",
        "k = a #b",
    ]
)


@given(st.lists(LINES, max_size=25))
@settings(max_examples=300, deadline=None, database=None, suppress_health_check=list(HealthCheck))
def test_locations_point_at_the_header_or_name_read(lines: list[str]) -> None:
    text = "\n".join(["[first]", *lines]) + "\n"
    ref = configparser.RawConfigParser(inline_comment_prefixes=(";", "#"), strict=False)
    try:
        ref.read_string(text)
    except configparser.Error:
        return  # errors: tests/read/test_read.py
    raw = read_text(text, filename="f", base_dir="/h")
    numbered = text.split("\n")
    assert [s.name for s in raw.sections if s.name != "DEFAULT"] == ref.sections()
    for sec in raw.sections:
        line = numbered[sec.loc.line - 1]
        assert line[sec.loc.column - 1 :].startswith(f"[{sec.name}]")
        for opt in sec.options.values():
            line = numbered[opt.loc.line - 1]
            assert line[opt.loc.column - 1 :].startswith(opt.key_text)
            assert opt.key_text.lower() == opt.name
            if sec.name == "DEFAULT":  # expand_here only changes the sections' copies
                assert opt.value == ref.defaults()[opt.name]
            else:  # a snippet (no [supervisord]): %(here)s is expanded
                assert opt.value == ref[sec.name][opt.name].replace("%(here)s", "/h")


def test_continuation_lines_are_not_options_or_headers() -> None:
    text = "[a]\nk = 1\n  j = 2\n  [b]\n\n  ; c\nm = 3\n[a]\nk = 4\n"
    raw = read_text(text, filename="f", base_dir="/h")
    assert [s.name for s in raw.sections] == ["a"]
    sec = raw.sections[0]
    assert {k: (o.value, o.loc) for k, o in sec.options.items()} == {
        "k": ("4", Loc("f", 9, 1)),
        "m": ("3", Loc("f", 7, 1)),
    }
    dups = sorted((f.line, f.message) for f in raw.findings)
    assert dups == [
        (
            2,
            "option 'k' in [a] is set again at f:9; supervisord uses the last value, this one is "
            "ignored",
        ),
        (
            8,
            "section [a] appears again (first at f:1); supervisord merges them and later options "
            "override earlier ones",
        ),
    ]


def test_default_location_is_its_first_header() -> None:
    raw = read_text("[DEFAULT]\n[a]\n[DEFAULT]\nx = 1\n", filename="f", base_dir="/h")
    default = raw.section("DEFAULT")
    assert default is not None and default.loc == Loc("f", 1, 1)
    assert default.options["x"].loc == Loc("f", 4, 1)
    assert raw.sections[0].options["x"].loc == Loc("f", 4, 1)  # inherited by [a]
