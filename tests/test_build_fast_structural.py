"""More of the build's short cuts equal what they stand for (see also test_build_fast.py).

* ``_Tpl.getter`` == ``tuple(d[k] for k in keys)`` (KeyError alike);
* ``_split``'s guard names every character ``str.split()`` splits at but shlex does not;
* ``_Builder._logfile``'s absolute-path short cut == ``logfile_name`` + ``expanduser``;
* ``_Builder._check_dir``'s cache by the path's head == ``os.path.dirname`` per path;
* ``ProcessSpec`` built positionally == built by keywords.
"""

from __future__ import annotations

import os
import shlex
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from sup2circus import build as b
from sup2circus import datatypes as dt
from sup2circus.api import ConvertOptions
from sup2circus.findings import Loc
from sup2circus.model import LogKind, RawConfig, RawSection


def _builder() -> b._Builder:
    raw = RawConfig(main_file="/x/supervisord.conf", here="/x", sections=(), files_read=())
    return b._Builder(raw, ConvertOptions(environ={"HOME": "/home/h"}, host_node_name="n"))


@settings(max_examples=500, deadline=None)
@given(
    st.lists(st.sampled_from(["a", "b", "c", "ENV_X", "%"]), max_size=4, unique=True),
    st.dictionaries(st.sampled_from(["a", "b", "c", "ENV_X"]), st.integers(0, 3)),
)
def test_tpl_getter(keys: list[str], d: dict[str, int]) -> None:
    tpl = b._Tpl(tuple(keys), "", "")
    try:
        expected: Any = tuple(d[k] for k in keys)
    except KeyError:
        expected = KeyError
    try:
        got: Any = tpl.getter(d)
    except KeyError:
        got = KeyError
    assert got == expected


def test_split_guard_names_all_other_whitespace() -> None:
    for i in range(0x110000):
        c = chr(i)
        if len(("a" + c + "b").split()) == 2 and c not in " \t\r\n":
            assert b._SPLIT_SPECIAL_RE.search(c), hex(i)


@settings(max_examples=1000, deadline=None)
@given(st.text(alphabet="ab -\t\r\n\x0b\x1c\x85\xa0\u2003\u3000'\\", max_size=16))
def test_split_with_unicode_whitespace(command: str) -> None:
    try:
        expected: tuple[str, ...] = tuple(shlex.split(command))
    except ValueError:
        expected = ()
    assert b._split(command) == expected


@settings(max_examples=800, deadline=None)
@given(
    st.lists(
        st.sampled_from(["/", "~", "a", "~h", "//", "none", "OFF", "syslog", "Auto", " ", "x"]),
        max_size=5,
    ).map("".join)
)
def test_logfile_short_cut(text: str) -> None:
    builder = _builder()
    lk, p = dt.logfile_name(text)
    if p == "":
        expected: tuple[LogKind, str | None] = (LogKind.NONE, None)
    else:
        expected = (b._LOGKIND[lk], None if p is None else dt.expanduser(p, builder.env))
    assert builder._logfile(text) == expected


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.lists(
            st.sampled_from(["/", "tmp", "nonexistent-dir-q", "x.log", "", "syslog"]), max_size=5
        ).map("".join),
        max_size=6,
    )
)
def test_check_dir_cache(paths: list[str]) -> None:
    builder = _builder()
    sec = RawSection(name="program:p", loc=Loc("/x/s.conf", 1), options={}, here="/x")
    expected = []
    for path in paths:
        builder._check_dir(path, sec, "stdout_logfile")
        if path == "syslog":
            continue
        d = os.path.dirname(path)
        if d and not os.path.isdir(d):
            message = (
                f"the directory {d!r} of stdout_logfile does not exist on this machine: where "
                "it is missing, supervisord refuses to start and circusd silently drops the "
                "watcher (nothing to do if it exists where circusd runs)"
            )
            if message not in expected:
                expected.append(message)
    assert [f.message for f in builder.findings] == expected


def _build_text(text: str) -> Any:
    from sup2circus.read import read_text

    env = {"HOME": "/home/h", "X": "x"}
    raw = read_text(text, base_dir="/x", environ=env, host_node_name="n")
    return b.build(raw, ConvertOptions(environ=env, host_node_name="n"))


@settings(max_examples=200, deadline=None)
@given(
    name=st.sampled_from(["web", "w1", "a.b", "_x", "é"]),
    env=st.sampled_from(["", "environment = program_name=p,X=y", "environment = A=%(ENV_X)s"]),
    numprocs=st.sampled_from(["", "numprocs = 1", "numprocs = 1\nnumprocs_start = 4"]),
)
def test_default_process_name_equals_expanded_one(name: str, env: str, numprocs: str) -> None:
    """No process_name: the program's name, as the expansion of %(program_name)s gives."""
    body = f"command = /bin/true\n{env}\n{numprocs}\n"
    implicit = _build_text(f"[program:{name}]\n{body}")
    explicit = _build_text(f"[program:{name}]\nprocess_name = %(program_name)s\n{body}")
    assert [p.name for p in implicit.processes] == [p.name for p in explicit.processes] == [name]
    assert [(f.code, f.message) for f in implicit.findings] == [
        (f.code, f.message) for f in explicit.findings
    ]
