"""The build's fast paths equal the slow ones they short-cut (and supervisor's own code).

* ``datatypes.dict_of_key_value_pairs`` (a regex tokenizer) == supervisor's shlex algorithm;
* ``build._split`` (no quotes or backslashes: runs of non-whitespace) == ``shlex.split``;
* ``_Builder.ev`` with pre-parsed format strings == the general expansion, results and side
  effects (findings, deferred names, sentinel allocation) alike.
"""

from __future__ import annotations

import shlex
from typing import Any

import supervisor.datatypes as sdt
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sup2circus import build as b
from sup2circus import datatypes as dt
from sup2circus.api import ConvertOptions
from sup2circus.findings import ConfigError, Loc
from sup2circus.model import RawConfig, env_marker

_KV_ALPHABET = "AB_x1=,\"' \t\n#/.:()-+@$é\r\\%"


def _outcome(fn: Any, value: str) -> tuple[str, Any]:
    try:
        return ("ok", fn(value))
    except ValueError as exc:
        return ("error", str(exc))


_kv_piece = st.sampled_from(
    [
        "A",
        "KEY",
        "_x1",
        "=",
        ",",
        '"',
        "'",
        '"a b"',
        "'c,d'",
        '""',
        " ",
        "\t",
        "\n",
        "/p.a-t+h:(1)",
        "@",
        "$",
        "#",
        "é",
        "\\",
        "%",
        "x" + env_marker("E") + "y",
    ]
)


@settings(max_examples=1500, deadline=None)
@given(
    st.one_of(
        st.text(alphabet=_KV_ALPHABET, max_size=24),
        st.lists(_kv_piece, max_size=14).map("".join),
    )
)
def test_dict_of_key_value_pairs_fast_path(value: str) -> None:
    fast = _outcome(dt.dict_of_key_value_pairs, value)
    assert fast == _outcome(dt.dict_of_key_value_pairs_shlex, value)
    assert fast == _outcome(sdt.dict_of_key_value_pairs, value)


@settings(max_examples=1500, deadline=None)
@given(st.text(alphabet="ab -/\t\r\n\x0b\x0c'\"\\#é\xa0", max_size=20))
def test_split_fast_path(command: str) -> None:
    try:
        expected: tuple[str, ...] = tuple(shlex.split(command))
    except ValueError:
        expected = ()
    assert b._split(command) == expected


# ------------------------------------------------------------------ expansion

_SPECS = [
    "%(here)s",
    "%(program_name)s",
    "%(process_num)02d",
    "%(process_num)d",
    "%(numprocs)s",
    "%(host_node_name)s",
    "%(ENV_HOME_X)s",
    "%(ENV_DEFINED)s",
    "%(ENV_DEFINED)10s",
    "%(ENV_MARKED)s",
    "%(ENV_MARKED).3s",
    "%(ENV_UNDEF)s",
    "%(ENV_UNDEF)d",
    "%(ENV_bad-name)s",
    "%(nope)s",
    "%(program_name)r",
    "%(program_name)-8s|",
    "%%",
    "%s",
    "%",
    "%(",
    "%(a(b))s",
    "\U000f0000",
    env_marker("LIT"),
]


def _builder(resolve: bool) -> b._Builder:
    raw = RawConfig(main_file="/x/supervisord.conf", here="/x", sections=(), files_read=())
    env = {"HOME_X": "/home/x", "DEFINED": "d-v", "odd.name": "o"}
    opts = ConvertOptions(environ=env, host_node_name="node1", resolve_env=resolve)
    return b._Builder(raw, opts)


def _maps(builder: b._Builder) -> b._Maps:
    base = {
        "here": "/x",
        "program_name": "web",
        "host_node_name": "node1",
        "group_name": "web",
        "process_num": 3,
        "numprocs": 4,
    }
    common = b._Maps(dict(base), dict(base))
    common.update(builder.environ)
    # a program environment= name whose value holds a deferred marker
    common.set("ENV_MARKED", None, "p-" + env_marker("LATER") + "-q")
    return builder.environ.merged(common)


def _run(builder: b._Builder, text: str, deferrable: bool) -> tuple[Any, ...]:
    maps = _maps(builder)
    try:
        v = builder.ev(
            b._Val(text, text),
            maps,
            "program:web.command",
            Loc("f", 3),
            "program:web",
            "command",
            deferrable=deferrable,
        )
        result: Any = (v.real, v.text)
    except ConfigError as exc:
        result = (type(exc).__name__, str(exc))
    return (
        result,
        [(f.code, f.message) for f in builder.findings],
        sorted(builder.deferred),
        dict(builder._pua),
    )


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    parts=st.lists(
        st.one_of(st.sampled_from(_SPECS), st.text(alphabet="ab/ -", max_size=3)), max_size=6
    ),
    deferrable=st.booleans(),
    resolve=st.booleans(),
    warm=st.booleans(),
)
def test_ev_fast_path_equals_general_path(
    parts: list[str], deferrable: bool, resolve: bool, warm: bool
) -> None:
    text = "".join(parts)
    fast, slow = _builder(resolve), _builder(resolve)
    slow._tpl = lambda s: None  # type: ignore[method-assign]
    if warm:  # sentinels already allocated by an earlier expansion
        for x in (fast, slow):
            x._sentinel("LATER")
            x._sentinel("UNDEF")
    assert _run(fast, text, deferrable) == _run(slow, text, deferrable)


@settings(max_examples=800, deadline=None)
@given(st.lists(st.sampled_from(_SPECS), max_size=5).map("".join))
def test_positional_format_equals_mapping_format(text: str) -> None:
    tpl = b._parse_tpl(text)
    if tpl is None:
        return
    values = {
        "here": "/x",
        "program_name": "web",
        "host_node_name": "n",
        "process_num": 3,
        "numprocs": 4,
        "ENV_HOME_X": "/h",
        "ENV_DEFINED": "d",
        "ENV_MARKED": "m",
        "ENV_UNDEF": "u",
        "nope": "n",
        "ENV_bad-name": "z",
    }
    try:
        expected: Any = text % values
    except Exception as exc:  # both must fail alike
        expected = type(exc)
    try:
        got: Any = tpl.positional % tuple(values[k] for k in tpl.keys)
    except Exception as exc:
        got = type(exc)
    assert got == expected
