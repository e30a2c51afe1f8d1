"""The reporter: one finding per fact, messages from the rules' templates."""

from __future__ import annotations

import dataclasses

import pytest

from sup2circus import reporter as rp
from sup2circus.findings import Finding, Loc, Severity
from sup2circus.rules import RULES

LOC = Loc("a.conf", 3, 1)


@pytest.fixture
def templates(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two rules with known templates (the real table's texts are the topics' business)."""
    table = dict(RULES)
    table["S2C105"] = dataclasses.replace(RULES["S2C105"], message="watchers {watchers}: {what}")
    table["S2C011"] = dataclasses.replace(RULES["S2C011"], message="user {user} is missing")
    monkeypatch.setattr(rp, "RULES", table)


@pytest.mark.usefixtures("templates")
def test_one_finding_per_fact_naming_every_watcher() -> None:
    r = rp.Reporter()
    for name in ("web:web_00", "web:web_01", "web:web_00"):
        r.report("S2C105", LOC, "program:web", "redirect_stderr", watcher=name, what="x")
    [f] = r.findings()
    assert f.message == "watchers web:web_00, web:web_01: x"
    assert (f.code, f.file, f.line, f.section, f.option) == (
        "S2C105",
        "a.conf",
        3,
        "program:web",
        "redirect_stderr",
    )


@pytest.mark.usefixtures("templates")
def test_different_messages_at_one_place_are_kept_once_each() -> None:
    r = rp.Reporter()
    for user in ("a", "b", "a"):
        r.report("S2C011", LOC, "program:web", "user", user=user)
    [f] = r.findings()
    assert f.message == "user a is missing; user b is missing"


@pytest.mark.usefixtures("templates")
def test_a_value_holding_the_field_name_is_not_filled() -> None:
    r = rp.Reporter()
    r.report("S2C105", LOC, "program:web", None, watcher="w", what="{watchers}")
    assert r.findings()[0].message == "watchers w: {watchers}"


@pytest.mark.usefixtures("templates")
def test_severity_overrides_and_the_highest_wins() -> None:
    r = rp.Reporter(severities={"S2C011": Severity.INFO})
    r.report("S2C011", LOC, "program:web", "user", severity=Severity.ERROR, user="a")
    assert r.findings()[0].severity is Severity.INFO
    r = rp.Reporter()
    r.report("S2C011", LOC, "program:web", "user", user="a")
    r.report("S2C011", LOC, "program:web", "user", severity=Severity.ERROR, user="b")
    assert r.findings()[0].severity is Severity.ERROR


def test_findings_made_elsewhere_merge_by_fact() -> None:
    made = Finding("S2C001", Severity.WARNING, "m", "a.conf", 3, "include", "files")
    r = rp.Reporter()
    r.extend([made, made])
    assert r.findings() == [made]


def test_a_fact_named_once_then_again_names_every_watcher() -> None:
    # the first report is kept lean (_Once), the second makes it a fact naming both
    from sup2circus.findings import Loc
    from sup2circus.reporter import Reporter

    r = Reporter()
    loc = Loc("s.conf", 3)
    r.report("S2C110", loc, "program:w", "stderr_logfile", setting="stderr_logfile", watcher="a")
    r.report("S2C110", Loc("s.conf", 9), "program:v", "stderr_logfile", setting="x", watcher="c")
    r.report("S2C110", loc, "program:w", "stderr_logfile", setting="stderr_logfile", watcher="b")
    messages = [f.message for f in r.findings()]
    assert messages == [
        "stderr_logfile=AUTO: supervisord picks a random file name in childlogdir; written as a, b",
        "x=AUTO: supervisord picks a random file name in childlogdir; written as c",
    ]
