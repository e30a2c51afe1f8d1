"""``settings.may_hold_table``: the pre-check that keeps the TOML parser out of a cold start must
never say "no" for a pyproject.toml that defines ``tool.sup2circus`` (that config would be
silently ignored). Checked against tomllib itself on generated TOML documents."""

from __future__ import annotations

import pytest
import tomllib
from hypothesis import given, settings
from hypothesis import strategies as st

from sup2circus.settings import may_hold_table

TOOL = ["tool", '"tool"', "'tool'"]
KEY = ["sup2circus", '"sup2circus"', "'sup2circus'", "sup2circus-demo", "other"]
SP = ["", " ", "\t", "  "]


@st.composite
def documents(draw: st.DrawFn) -> str:
    sp = lambda: draw(st.sampled_from(SP))  # noqa: E731
    tool, key = (lambda: draw(st.sampled_from(TOOL))), (lambda: draw(st.sampled_from(KEY)))
    value = lambda: draw(  # noqa: E731
        st.sampled_from(['"sup2circus"', '["S2C1"]', "1", '{select = ["S2C1"]}', "{}"])
    )
    pieces = draw(
        st.lists(
            st.sampled_from(
                [
                    "header",
                    "aheader",
                    "toolheader",
                    "otherheader",
                    "dotted",
                    "tooldotted",
                    "inline",
                    "plain",
                    "comment",
                    "multiline",
                ]
            ),
            max_size=6,
        )
    )
    lines = []
    for p in pieces:
        if p == "header":
            lines.append(f"{sp()}[{sp()}{tool()}{sp()}.{sp()}{key()}{sp()}]")
        elif p == "aheader":
            lines.append(f"[[{sp()}{tool()}.{key()}{sp()}]]")
        elif p == "toolheader":
            lines.append(f"{sp()}[{sp()}{tool()}{sp()}]")
        elif p == "otherheader":
            lines.append(f"[project{draw(st.sampled_from(['', '.scripts', '.x']))}]")
        elif p == "dotted":
            lines.append(f"{sp()}{key()}{sp()}.{sp()}select{sp()}={sp()}{value()}")
        elif p == "tooldotted":
            lines.append(f"{tool()}{sp()}.{sp()}{key()}.select = {value()}")
        elif p == "inline":
            lines.append(f"{tool()} = {{{sp()}{key()}{sp()}={sp()}{value()}{sp()}}}")
        elif p == "plain":
            lines.append(f"{sp()}{key()}{sp()}={sp()}{value()}")
        elif p == "comment":
            lines.append("# [tool.sup2circus] sup2circus = 1")
        else:
            lines.append('x = """\n[tool]\nsup2circus = 1\n"""')
    return "\n".join(lines) + draw(st.sampled_from(["\n", "\r\n", ""]))


def _defines_table(text: str) -> bool | None:
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return None
    tool = doc.get("tool")
    return isinstance(tool, dict) and "sup2circus" in tool


@settings(max_examples=600, deadline=None)
@given(documents())
def test_precheck_never_misses_a_table(text: str) -> None:
    if _defines_table(text):
        assert may_hold_table(text.encode()), text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('[project]\nname = "sup2circus"\n', False),
        ('[project.scripts]\nsup2circus = "sup2circus.cli:main"\n', False),
        ('[project]\ndependencies = [\n  "sup2circus>=0.1",\n]\n', False),
        ("[tool.ruff]\nline-length = 100\n# sup2circus\n", False),
        ('[tool.sup2circus]\nignore = ["S2C101"]\n', True),
        ("[tool.sup2circus\n", True),  # invalid: parsed, so the TOML error is reported
        ('[tool]\nsup2circus = {select = ["S2C1"]}\n', True),
        ('tool = { sup2circus = { select = ["S2C1"] } }\n', True),
    ],
)
def test_precheck_examples(text: str, expected: bool) -> None:
    assert may_hold_table(text.encode()) is expected


def test_this_repository_pyproject_is_not_parsed() -> None:
    # it names sup2circus (project, script, package data) but does not configure it
    from pathlib import Path

    data = (Path(__file__).resolve().parents[2] / "pyproject.toml").read_bytes()
    assert b"sup2circus" in data
    assert _defines_table(data.decode()) is False
    assert may_hold_table(data) is False
