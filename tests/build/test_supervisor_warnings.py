"""S2C135 is supervisord's own startup warning about stderr_logfile under redirect_stderr=true:
reported exactly where supervisor 4.3's parser warns, on generated values, and nowhere else in
the real-world corpus and supervisor's own fixtures (none of which sets both)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from judges.supervisor_judge import SupervisorRefused, supervisor_options
from test_build import BASE_ENV, CORPUS, NODE, SUP_FIXTURES, env_for, ours

from sup2circus.findings import ConfigError

_WARNING = "redirect_stderr=true but stderr_logfile has also been set"


def _supervisor_warns(conf: Path, env: dict[str, str]) -> set[str]:
    """The sections supervisor warns about (raises SupervisorRefused when it refuses)."""
    opts = supervisor_options(str(conf), env=env, host_node_name=NODE)
    return {w.split("[", 1)[1].split("]", 1)[0] for w in opts.parse_warnings if _WARNING in w}


def _we_report(conf: Path, env: dict[str, str]) -> set[str]:
    return {f.section or "" for f in ours(conf, env).findings if f.code == "S2C135"}


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    redirect=st.sampled_from(["true", "false", "TRUE", "0"]),
    value=st.sampled_from(
        [
            "%(here)s/x.err",
            "AUTO",
            "auto",
            "NONE",
            "off",
            "OFF",
            "syslog",
            "",
            "%(here)s/%(program_name)s",
        ]
    ),
    set_it=st.booleans(),
)
def test_reported_where_supervisor_warns(
    tmp_path: Path, redirect: str, value: str, set_it: bool
) -> None:
    conf = tmp_path / "supervisord.conf"
    line = f"stderr_logfile={value}\n" if set_it else ""
    conf.write_text(
        f"[supervisord]\n[program:x]\ncommand=/bin/true\nredirect_stderr={redirect}\n{line}"
    )
    env = dict(BASE_ENV)
    assert _we_report(conf, env) == _supervisor_warns(conf, env)


@pytest.mark.parametrize("conf", CORPUS + SUP_FIXTURES, ids=[p.name for p in CORPUS + SUP_FIXTURES])
def test_corpus_reported_where_supervisor_warns(conf: Path) -> None:
    env = env_for(conf)
    try:
        want = _supervisor_warns(conf, env)
    except SupervisorRefused:
        with pytest.raises(ConfigError):
            ours(conf, env)
        return
    assert _we_report(conf, env) == want


def test_both_sides_warn_on_a_file_name(tmp_path: Path) -> None:
    # the properties above are not vacuous: both judges see the warning here
    conf = tmp_path / "supervisord.conf"
    conf.write_text(
        "[supervisord]\n[program:x]\ncommand=/bin/true\nredirect_stderr=true\n"
        "stderr_logfile=%(here)s/x.err\n"
    )
    env = dict(BASE_ENV)
    assert _supervisor_warns(conf, env) == {"program:x"}
    [finding] = [f for f in ours(conf, env).findings if f.code == "S2C135"]
    assert finding.option == "stderr_logfile" and finding.line == 5
    assert finding.message.startswith("stderr_logfile=%(here)s/x.err is ignored")
