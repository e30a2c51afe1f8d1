"""The translator's whole-process fast paths give exactly what its general code gives.

Each fast path is switched off (the general code then runs for every process) and the watchers
and findings are compared, on generated configs.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sup2circus import translate as tr
from sup2circus.api import ConvertOptions
from sup2circus.build import build
from sup2circus.circus_model import CircusConfig
from sup2circus.findings import Finding, Sup2CircusError
from sup2circus.read import read_text
from sup2circus.write import write

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

WORDS = [
    "/usr/bin/app",
    "-m",
    "8001",
    "--dir",
    "a=b",
    "x,y",
    "%(ENV_HOME)s",
    "%(ENV_X)s",
    "%(ENV_HOME)s/%(ENV_HOME)s",
    "%(ENV_HOME)s/%(ENV_X)s",
    "pre%(ENV_X)ssuf",
    "%(ENV_Ax7qS2C)s",
    "%(ENV_A)sx7qS2C",
    "S2CENVq7x%(ENV_X)s",
    "S2CENVq7xAx7qS2C",
    "'two words'",
    "''",
    '"$(circus.wid)"',
    "$HOME",
    "((x))",
    "a;b",
    "'a ;b'",
    "é",
    "rel/bin",
    "%(program_name)s",
    "%(process_num)d",
]
COMMAND = st.lists(st.sampled_from(WORDS), min_size=1, max_size=5).map(" ".join)
PROGRAM = st.fixed_dictionaries(
    {"command": COMMAND},
    optional={
        "numprocs": st.just("2"),
        "umask": st.just("022"),
        "redirect_stderr": st.just("true"),
        "stdout_logfile": st.sampled_from(["NONE", "/dev/stderr", "/tmp/%(program_name)s.log"]),
        "stderr_logfile": st.sampled_from(["NONE", "/dev/stdout", "AUTO"]),
        "environment": st.sampled_from(['A="1"', 'B=" x"', "C=%(ENV_X)s"]),
        "directory": st.sampled_from(["/tmp", "rel"]),
        "priority": st.sampled_from(["1", "5", "999"]),
    },
)
OPTIONS = st.sampled_from(
    [ConvertOptions(), ConvertOptions(exact=True), ConvertOptions(no_wrappers=True)]
)


def _conf(programs: list[dict[str, str]]) -> str:
    out = ["[supervisord]", "environment = S=1", ""]
    for i, prog in enumerate(programs):
        out.append(f"[program:p{i}]")
        if "numprocs" in prog:
            out.append("process_name = %(program_name)s_%(process_num)d")
        out += [f"{k} = {v}" for k, v in prog.items()]
        out.append("")
    return "\n".join(out)


def _translate(text: str, opts: ConvertOptions) -> tuple[CircusConfig, list[Finding]] | None:
    try:
        model = build(read_text(text, filename="t.conf", base_dir="/nonexistent"), opts)
    except Sup2CircusError:  # a config supervisord refuses: nothing to compare
        return None
    return tr.translate(model, opts)


def _same_with_and_without(
    monkeypatch: pytest.MonkeyPatch,
    text: str,
    opts: ConvertOptions,
    name: str,
    off: Callable[..., object],
) -> None:
    fast = _translate(text, opts)
    with monkeypatch.context() as m:
        m.setattr(tr, name, off)
        plain = _translate(text, opts)
    if fast is None or plain is None:
        assert fast is None and plain is None
        return
    assert fast[0] == plain[0]
    assert fast[1] == plain[1]
    assert write(fast[0]) == write(plain[0])


@SETTINGS
@given(st.lists(PROGRAM, min_size=1, max_size=4), OPTIONS)
def test_plain_command_fast_path(programs: list[dict[str, str]], opts: ConvertOptions) -> None:
    with pytest.MonkeyPatch.context() as mp:
        _same_with_and_without(mp, _conf(programs), opts, "_PLAIN_WORDS", lambda s: None)
