"""``sup2circus.check()``, the lint workflow as a library: the same findings, counts and exit
status as ``sup2circus --check`` (run here as the real command, in a subprocess)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import sup2circus
from sup2circus.explain import UnknownCodeError, explain_text
from sup2circus.findings import Finding, Severity
from sup2circus.lint import EXIT_FINDINGS, EXIT_INPUT, EXIT_OK, LintResult, check
from sup2circus.rules import RULES
from sup2circus.settings import Settings, resolve

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "fixtures"

CONF = """\
[supervisord]
nodaemon = true

[program:web]
command = /usr/bin/web
autorestart = unexpected

[program:job]  ; sup2circus: ignore=S2C101
command = /usr/bin/job
user = nobody
; sup2circus: ignore-file=S2C999
"""

DOCKERFILE = """\
FROM debian:12
RUN apt-get update && apt-get install -y supervisor
COPY supervisord.conf /etc/supervisor/conf.d/app.conf
CMD ["/usr/bin/supervisord", "-n"]
"""


def _cli_check(cwd: Path, *args: str) -> tuple[int, list[dict[str, object]]]:
    res = subprocess.run(
        [sys.executable, "-m", "sup2circus", "--isolated", "--check", "--output-format", "json",
         *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )  # fmt: skip
    assert res.stderr == ""
    return res.returncode, json.loads(res.stdout)


def _as_json(result: LintResult) -> list[dict[str, object]]:
    return [
        {k: v for k, v in f.to_dict().items()} | {"explain": f"sup2circus --explain {f.code}"}
        for f in result.findings
    ]


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "supervisord.conf").write_text(CONF)
    (tmp_path / "Dockerfile").write_text(DOCKERFILE)
    (tmp_path / "broken.conf").write_text("[program:x]\ncommand = /bin/x\nstartsecs = soon\n")
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize(
    "paths",
    [
        ["supervisord.conf"],
        ["supervisord.conf", "Dockerfile"],
        ["supervisord.conf", "broken.conf", "missing.conf"],
        ["supervisord.conf", "supervisord.conf"],
    ],
)
def test_check_reports_as_the_command_does(work: Path, paths: list[str]) -> None:
    status, report = _cli_check(work, *paths)
    result = check(paths, Settings())
    assert _as_json(result) == report
    assert result.exit_status == status
    assert result.files == len(set(paths))


@pytest.mark.parametrize("setting", ["exact = true", "no-wrappers = true"])
def test_check_converts_as_the_settings_say(work: Path, setting: str) -> None:
    # the README: check(paths, resolve(config=None)) lints "as sup2circus --check does",
    # [tool.sup2circus] included; its conversion options too, not only its selection
    (work / "pyproject.toml").write_text(f"[tool.sup2circus]\n{setting}\n")
    (work / "supervisord.conf").write_text(
        "[program:web]\ncommand = /usr/bin/web\nredirect_stderr = true\n"
    )
    res = subprocess.run(
        [sys.executable, "-m", "sup2circus", "--check", "--output-format", "json",
         "supervisord.conf"],
        cwd=work, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    result = check(["supervisord.conf"], resolve(config=None))
    assert _as_json(result) == json.loads(res.stdout)
    assert _as_json(result) != _as_json(check(["supervisord.conf"], Settings()))


def test_check_exit_status_and_failures(work: Path) -> None:
    ok = check(["supervisord.conf"], Settings(fail_on=Severity.ERROR, ignore=("S2C902",)))
    assert ok.exit_status == EXIT_OK and ok.failures == ()
    assert check(["supervisord.conf"]).exit_status == EXIT_FINDINGS
    bad = check(["supervisord.conf", "broken.conf"])
    assert bad.exit_status == EXIT_INPUT
    assert [(f.code, f.file, f.line) for f in bad.failures] == [("S2C901", "broken.conf", 3)]
    assert bad.failures[0] in bad.findings


def test_check_applies_suppressions_and_settings(work: Path) -> None:
    plain = check(["supervisord.conf"])
    assert plain.suppressed == 1  # the S2C101 of [program:job] (autorestart's default)
    codes = [f.code for f in plain.findings]
    assert "S2C902" in codes  # ignore-file=S2C999: an unknown code suppresses nothing
    unused = next(f for f in plain.findings if f.code == "S2C902")
    assert unused.message == "unused suppression: unknown code 'S2C999'"
    narrowed = check(["supervisord.conf"], resolve(config=None, isolated=True, select=["S2C9"]))
    assert {f.code for f in narrowed.findings} == {"S2C902"}
    raised = check(["supervisord.conf"], Settings(severity={"S2C902": Severity.ERROR}))
    assert {f.severity for f in raised.findings if f.code == "S2C902"} == {Severity.ERROR}


def test_check_reads_standard_input_text(work: Path) -> None:
    result = check(["-"], stdin_text=CONF)
    assert result.files == 1
    assert {f.file for f in result.findings} == {"<stdin>"}
    assert [f.code for f in result.findings] == [
        f.code for f in check(["supervisord.conf"]).findings
    ]


def test_check_is_exported() -> None:
    assert sup2circus.check is check and sup2circus.LintResult is LintResult
    assert isinstance(check([str(FIXTURES / "seed" / "supervisord.conf")]).findings, tuple)


def test_unreadable_input_is_one_s2c900_finding(work: Path) -> None:
    result = check(["missing.conf"])
    assert result.exit_status == EXIT_INPUT
    (only,) = result.findings
    assert isinstance(only, Finding) and only.code == "S2C900"
    reason = "could not find config file (check the path: the file supervisord reads with -c)"
    assert only.message == RULES["S2C900"].message.format(error=reason)


@pytest.mark.parametrize("name", ["a\0b.conf", "Dockerfile.\0", "run\0.sh"])
def test_a_path_with_a_nul_byte_is_one_s2c900_finding(work: Path, name: str) -> None:
    # os.stat and os.path.realpath raise ValueError on it: check() raised it, the other paths
    # unchecked
    result = check([name, "supervisord.conf"])
    assert result.exit_status == EXIT_INPUT
    (failure,) = result.failures
    assert failure.code == "S2C900" and failure.file == name and "NUL" in failure.message
    assert any(f.file == "supervisord.conf" for f in result.findings)


# ---------------------------------------------------------------------------- --explain


def test_explain_page_shows_the_message_template() -> None:
    page = explain_text("S2C902")
    assert "\nMessage: unused suppression: {reason}\n" in page
    assert page.index("Default severity") < page.index("Message:") < page.index("What supervisor")


def test_every_rule_has_a_message_template() -> None:
    # findings are made only by reporter.Reporter, from these templates (one text for the
    # message, --explain and docs/rules.md)
    assert [code for code, r in RULES.items() if not r.message] == []


def test_explain_unknown_code_is_a_typed_error() -> None:
    with pytest.raises(UnknownCodeError, match=r"did you mean .*S2C101"):
        explain_text("S2C1011")


def test_a_bad_setting_is_a_settings_error_exported_by_the_package(tmp_path: Path) -> None:
    # check() raised sup2circus.settings.SettingsError, which the package did not export
    assert "SettingsError" in sup2circus.__all__
    with pytest.raises(sup2circus.SettingsError, match="must be an absolute directory path"):
        check([str(FIXTURES / "seed" / "supervisord.conf")], Settings(runtime_dir="run"))
    (tmp_path / "pyproject.toml").write_text('[tool.sup2circus]\nfail-on = "never"\n')
    with pytest.raises(sup2circus.SettingsError, match=r"pyproject\.toml"):
        resolve(config=None, cwd=str(tmp_path))


def test_check_takes_paths_as_path_objects(work: Path) -> None:
    # as convert_file does; the findings name the files as str (to_dict() is JSON)
    result = check([Path("missing.conf"), work / "supervisord.conf", Path("supervisord.conf")])
    assert result.files == 2 and result.exit_status == EXIT_INPUT
    assert {f.file for f in result.findings} == {"missing.conf", "supervisord.conf"}
    assert result == check(["missing.conf", "supervisord.conf"])


def test_check_takes_a_list_of_paths_not_one() -> None:
    # a str is a Sequence[str]: its characters were checked as 14 files
    with pytest.raises(TypeError, match=r"check\(\) takes a list of paths: check\(\['s.conf'\]\)"):
        check("s.conf")  # type: ignore[arg-type]
