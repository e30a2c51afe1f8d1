"""Findings and error messages never print environment values.

A config's ``environment=`` (and ``[supervisord] environment=``, and the converting machine's
``%(ENV_X)s`` values) often hold passwords. Every path that talks about an environment variable --
bad syntax, values circus cannot express, deferred ``%(ENV_X)s``, unknown expansions, --verify --
must name the variable, never print its value, in every output format.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import sup2circus
from sup2circus import ConvertOptions, Sup2CircusError
from sup2circus.cli import cli

MARK = "Zq9SECRETv7"  # distinctive: it must never appear in a message

BASE = """\
[supervisord]
nodaemon = true
{sup_env}

[program:app]
command = /bin/sleep 1000
{prog_env}
"""

# Environment values circus cannot express, or supervisor refuses. {S} = the secret.
HOSTILE_ENV = {
    "plain": 'PASSWORD="{S}"',
    "unterminated-quote": 'PASSWORD="{S}',
    "unterminated-single": "PASSWORD='{S}",
    "bad-pair-after": 'PASSWORD="{S}",B=u@h',
    "bad-pair-before": 'B=u@h,PASSWORD="{S}"',
    "missing-equals": "PASSWORD={S},JUNK",
    "leading-trailing-spaces": 'PASSWORD="  {S}  "',
    "dollar-upper": 'PASSWORD="pa$SWORD{S}"',
    "dollar-in-middle": 'PASSWORD="{S}$HOME"',
    "semicolon-after-space": 'PASSWORD="x ;{S}"',
    "hash": 'PASSWORD="x #{S}"',
    "circus-substitution": 'PASSWORD="$(circus.env.HOME){S}"',
    "double-paren": 'PASSWORD="((circus.wid)){S}"',
    "newline": 'PASSWORD="{S}\n  more"',
    "empty-quotes-then": 'PASSWORD="",TOKEN="{S}"',
    "unknown-expansion": 'PASSWORD="{S}%(nope)s"',
    "percent-at-end": 'PASSWORD="{S}%"',
    "bad-format": 'PASSWORD="{S}%(process_num)z"',
    "duplicate-key": 'PASSWORD="{S}",PASSWORD="{S}2"',
    "space-in-key": '"PASS WORD"="{S}"',
    "url-query": "PASSWORD=http://u:{S}@h/p?q=1",
    "tab": 'PASSWORD="a\t{S}"',
    "backslash": 'PASSWORD="{S}\\"',
    "unicode": 'PASSWORD="é{S}✓"',
    "very-long": 'PASSWORD="' + "x" * 3000 + '{S}"',
}

FORMATS = ["text", "json", "github", "sarif"]


def configs(secret: str, case: str) -> dict[str, str]:
    env = HOSTILE_ENV[case].replace("{S}", secret)
    return {
        "program": BASE.format(sup_env="", prog_env=f"environment = {env}"),
        "supervisord": BASE.format(sup_env=f"environment = {env}", prog_env=""),
        # an eventlistener and an fcgi-program take other code paths (no circus equivalent)
        "eventlistener": BASE.format(sup_env="", prog_env="")
        + "\n[eventlistener:ev]\ncommand = /bin/cat\nevents = PROCESS_STATE\n"
        + f"environment = {env}\n",
        "fcgi": BASE.format(sup_env="", prog_env="")
        + "\n[fcgi-program:fc]\ncommand = /bin/cat\nsocket = tcp://127.0.0.1:9999\n"
        + f"process_name = %(program_name)s_%(process_num)s\nnumprocs = 2\nenvironment = {env}\n",
    }


def assert_no_secret(secret: str, *texts: str) -> None:
    for t in texts:
        assert secret not in t, (
            f"a secret value leaked: {t[max(0, t.find(secret) - 200) :][:400]!r}"
        )


def run_cli(args: list[str], env: dict[str, str] | None = None) -> tuple[int, str, str]:
    res = CliRunner().invoke(cli, args, catch_exceptions=True, env=env)
    if res.exception is not None and not isinstance(res.exception, SystemExit):
        raise res.exception
    return res.exit_code, res.stdout, res.stderr


@pytest.mark.parametrize("case", sorted(HOSTILE_ENV))
def test_api_findings_and_errors_never_show_env_values(case: str, tmp_path: Path) -> None:
    secret = MARK + uuid.uuid4().hex[:8]
    for where, text in configs(secret, case).items():
        try:
            conv = sup2circus.convert_text(
                text, filename=str(tmp_path / f"{where}.conf"), base_dir=str(tmp_path)
            )
        except Sup2CircusError as err:
            assert_no_secret(secret, str(err), err.message, err.hint)
            continue
        for f in conv.findings:
            assert_no_secret(secret, f.message, f.section or "", f.option or "")


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    "case",
    [
        "unterminated-quote",
        "bad-pair-after",
        "dollar-upper",
        "leading-trailing-spaces",
        "semicolon-after-space",
        "unknown-expansion",
        "newline",
    ],
)
def test_cli_never_shows_env_values(case: str, fmt: str, tmp_path: Path) -> None:
    secret = MARK + uuid.uuid4().hex[:8]
    for where, text in configs(secret, case).items():
        conf = tmp_path / f"{where}.conf"
        conf.write_text(text, encoding="utf-8")
        # lint mode: the report is on stdout and must not carry the value anywhere
        rc, out, err = run_cli(["--check", "--output-format", fmt, "--isolated", str(conf)])
        assert rc in (0, 1, 2), err
        assert_no_secret(secret, out, err)
        # conversion mode: stdout is the circus.ini (it carries values by design); stderr not
        rc, out, err = run_cli(["--output-format", fmt, "--isolated", str(conf)])
        assert "Traceback" not in err
        assert_no_secret(secret, err)
        if rc != 0:
            assert out == ""


def test_deferred_env_expansion_does_not_leak_machine_values(tmp_path: Path) -> None:
    """%(ENV_X)s is deferred by default: neither the output nor the findings carry the
    converting machine's value; with --resolve-env the value is baked into the output (by
    design, documented) but still never printed in a finding."""
    secret = MARK + uuid.uuid4().hex[:8]
    text = (
        "[supervisord]\nnodaemon = true\nenvironment = GLOBAL=%(ENV_S2C_DB_PASS)s\n\n"
        "[program:app]\ncommand = /bin/app --password %(ENV_S2C_DB_PASS)s\n"
        'environment = DB_PASS=%(ENV_S2C_DB_PASS)s,X="  %(ENV_S2C_DB_PASS)s  "\n'
        "directory = /srv/%(ENV_S2C_DB_PASS)s\n"
        "stdout_logfile = /var/log/%(ENV_S2C_DB_PASS)s.log\n"
        # numprocs / names cannot be deferred: resolved at conversion time, with a finding
        "process_name = %(program_name)s_%(process_num)s\nnumprocs = 2\n"
    )
    env = {**os.environ, "S2C_DB_PASS": secret}
    conf = tmp_path / "supervisord.conf"
    conf.write_text(text, encoding="utf-8")
    conv = sup2circus.convert_text(
        text, filename=str(conf), base_dir=str(tmp_path), options=ConvertOptions(environ=env)
    )
    assert_no_secret(secret, conv.text, *(f.message for f in conv.findings))
    resolved = sup2circus.convert_text(
        text,
        filename=str(conf),
        base_dir=str(tmp_path),
        options=ConvertOptions(environ=env, resolve_env=True),
    )
    assert secret in resolved.text, "control: --resolve-env does bake the value in"
    assert_no_secret(secret, *(f.message for f in resolved.findings))
    for args in (["--isolated", str(conf)], ["--isolated", "--resolve-env", str(conf)]):
        for fmt in FORMATS:
            rc, out, err = run_cli([*args, "--output-format", fmt], env={"S2C_DB_PASS": secret})
            assert rc == 0, err
            assert_no_secret(secret, err)
            rc, out, err = run_cli(
                ["--check", *args, "--output-format", fmt], env={"S2C_DB_PASS": secret}
            )
            assert_no_secret(secret, out, err)


def test_undefined_env_expansion_names_the_variable_only(tmp_path: Path) -> None:
    """``%(ENV_X)s`` in an env value next to a secret, with X undefined on this machine."""
    secret = MARK + uuid.uuid4().hex[:8]
    text = BASE.format(
        sup_env="", prog_env=f'environment = PASSWORD="{secret}",URL="%(ENV_S2C_UNSET_X)s"'
    )
    conf = tmp_path / "supervisord.conf"
    conf.write_text(text, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "S2C_UNSET_X"}
    for args in (["--isolated", str(conf)], ["--isolated", "--resolve-env", str(conf)]):
        rc, out, err = run_cli(args, env=env)
        assert "Traceback" not in err
        assert rc in (0, 2), err
        assert_no_secret(secret, err)
        if rc == 2:
            assert out == ""


def test_verify_mismatch_messages_never_show_values(tmp_path: Path) -> None:
    """--verify compares what circus would run with the intent; its messages name variables."""
    secret = MARK + uuid.uuid4().hex[:8]
    for case in ("dollar-upper", "leading-trailing-spaces", "semicolon-after-space", "plain"):
        conf = tmp_path / f"{case}.conf"
        conf.write_text(configs(secret, case)["program"], encoding="utf-8")
        rc, out, err = run_cli(["--isolated", "--verify", str(conf)])
        assert "Traceback" not in err
        assert rc in (0, 1, 2), err
        assert_no_secret(secret, err)
        if rc != 0:
            assert out == "", "no circus.ini on stdout when --verify fails"


def test_internal_error_message_never_shows_values(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An unexpected exception whose text carries a value is reported without that text."""
    secret = MARK + uuid.uuid4().hex[:8]
    conf = tmp_path / "supervisord.conf"
    conf.write_text(configs(secret, "plain")["program"], encoding="utf-8")
    from sup2circus import api

    def boom(*a: object, **k: object) -> object:
        raise RuntimeError(f"bad value {secret}")

    monkeypatch.setattr(api, "convert_file", boom)
    monkeypatch.delenv("SUP2CIRCUS_DEBUG", raising=False)
    rc, out, err = run_cli(["--isolated", str(conf)])
    assert rc == 70, (rc, err)
    assert_no_secret(secret, out, err)


SECRET_CHARS = st.text(
    alphabet=st.sampled_from(list(" \t\"'\\,;#%$=()@:/?&*[]{}!é✓AZaz09_-.")), max_size=12
)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    prefix=SECRET_CHARS,
    suffix=SECRET_CHARS,
    quote=st.sampled_from(['"', "'", ""]),
    key=st.sampled_from(["PASSWORD", "A", "DB_URL", "pass word", "1X", ""]),
    where=st.sampled_from(["program", "supervisord"]),
)
# found in CI: a malformed value whose text supervisor's parser reads as a variable *name*
@example(prefix="'0 ", suffix="=0{0", quote="'", key="PASSWORD", where="program")
@example(prefix="'{", suffix="=' ", quote="'", key="PASSWORD", where="program")
# found by a later run: a %(...)s inside the value, whose "name" supervisor's message quotes
@example(prefix="%(", suffix=")s", quote='"', key="PASSWORD", where="program")
@example(prefix="%(", suffix=")s", quote="", key="A", where="supervisord")
# found by a sweep: an unquoted value with a comma, its second half read as a name
@example(prefix="0,", suffix="=&0{", quote="", key="PASSWORD", where="program")
def test_hypothesis_env_values_never_in_messages(
    prefix: str, suffix: str, quote: str, key: str, where: str
) -> None:
    secret = MARK + uuid.uuid4().hex[:8]
    env = f"{key}={quote}{prefix}{secret}{suffix}{quote}"
    if where == "program":
        text = BASE.format(sup_env="", prog_env=f"environment = {env}")
    else:
        text = BASE.format(sup_env=f"environment = {env}", prog_env="")
    try:
        conv = sup2circus.convert_text(text, filename="/tmp/s2c-secrets.conf", base_dir="/tmp")
    except Sup2CircusError as err:
        assert_no_secret(secret, str(err))
        return
    for f in conv.findings:
        assert_no_secret(secret, f.message)


@pytest.mark.parametrize(
    ("env", "where_it_breaks"),
    [
        ("A=1,B", "after variable A"),
        # an unquoted value with a comma: supervisor reads its second half as a name
        ("PASSWORD=0,Zq9SECRETv7=&0{", "after variable number 2 of the list"),
        ("A=1,B=2,C", "after variable number 2 of the list"),
        ("=x", "at the first variable"),
    ],
)
def test_a_malformed_environment_list_says_where_without_later_names(
    env: str, where_it_breaks: str
) -> None:
    """Found by the hypothesis test above: the error named the variable after which the list
    broke, and a later "name" can be a piece of the value before it."""
    text = BASE.format(sup_env="", prog_env=f"environment = {env}")
    with pytest.raises(Sup2CircusError) as info:
        sup2circus.convert_text(text, filename="/tmp/s2c-secrets.conf", base_dir="/tmp")
    assert f"malformed KEY=value list {where_it_breaks} " in str(info.value)
    assert_no_secret(MARK, str(info.value))


@pytest.mark.parametrize("where", ["program", "supervisord"])
def test_badly_formatted_environment_value_is_not_quoted(where: str) -> None:
    """Python's "unsupported format character 'Q' (0x51)" quotes a character of the value."""
    env = 'PASSWORD="s3%Qcret"'
    if where == "program":
        text = BASE.format(sup_env="", prog_env=f"environment = {env}")
    else:
        text = BASE.format(sup_env=f"environment = {env}", prog_env="")
    with pytest.raises(Sup2CircusError) as info:
        sup2circus.convert_text(text, filename="/tmp/s2c-secrets.conf", base_dir="/tmp")
    message = str(info.value)
    assert "badly formatted" in message and "at index 13" in message
    assert "Q" not in message and "0x51" not in message


# ---------------------------------------------------------------------------- whole-dict %s
SECRET_TOKEN = "Tk8SECRETq3"
WHOLE_DICT = {
    "command-s": "[program:app]\ncommand = /bin/echo %s\n",
    "command-r": "[program:app]\ncommand = /bin/echo %r\n",
    "command-width": "[program:app]\ncommand = /bin/echo %-20s\n",
    "command-precision": "[program:app]\ncommand = /bin/echo %.500s\n",
    "command-named-then-bare": "[program:app]\ncommand = /bin/echo %s %(program_name)s\n",
    "command-after-double-percent": "[program:app]\ncommand = /bin/echo 100%%%s\n",
    "logfile": "[program:app]\ncommand = /bin/true\nstdout_logfile = /tmp/%s.log\n",
    "logfile-second-expansion": "[program:app]\ncommand = /bin/true\nstdout_logfile = /tmp/%%s\n",
    "directory": "[program:app]\ncommand = /bin/true\ndirectory = /srv/%s\n",
    "environment": "[program:app]\ncommand = /bin/true\nenvironment = A=%s\n",
    "supervisord-environment": "[program:app]\ncommand = /bin/true\n",  # see below
    "supervisord-logfile": "[program:app]\ncommand = /bin/true\n",
    "include-files": "[include]\nfiles = %s\n",
}
SUPERVISORD_EXTRA = {
    "supervisord-environment": "environment = A=%s\n",
    "supervisord-logfile": "logfile = /tmp/%s.log\n",
}


@pytest.mark.parametrize("case", sorted(WHOLE_DICT))
def test_bare_percent_s_never_writes_the_environment(case: str, tmp_path: Path) -> None:
    """A %-conversion with no (name) would format supervisor's whole expansion dict (every
    environment value): an error finding naming the option (S2C015), never the values, and
    nothing of the environment in circus.ini."""
    conf = tmp_path / "supervisord.conf"
    conf.write_text(
        "[supervisord]\nnodaemon = true\n" + SUPERVISORD_EXTRA.get(case, "") + WHOLE_DICT[case]
    )
    environ = {"HOME": "/root", "PATH": "/usr/bin:/bin", "SECRET_TOKEN": SECRET_TOKEN}
    conv = sup2circus.convert_file(conf, ConvertOptions(environ=environ))
    assert SECRET_TOKEN not in conv.text
    for f in conv.findings:
        assert SECRET_TOKEN not in f.message, f
        assert "SECRET_TOKEN" not in f.message, f
    flagged = [f for f in conv.findings if f.code == "S2C015"]
    assert len(flagged) == 1, conv.findings
    assert flagged[0].severity.value == "error"
    assert flagged[0].option is not None and flagged[0].option in flagged[0].message
    # also through the CLI, in every format
    for fmt in FORMATS:
        r = CliRunner(env={"SECRET_TOKEN": SECRET_TOKEN}).invoke(
            cli, ["--isolated", "--output-format", fmt, str(conf)], catch_exceptions=False
        )
        assert SECRET_TOKEN not in r.stdout + r.stderr


def test_named_percent_forms_are_not_whole_dict() -> None:
    from sup2circus.model import takes_whole_mapping

    assert takes_whole_mapping("%s") and takes_whole_mapping("a %% %r")
    assert takes_whole_mapping("%%%s") and takes_whole_mapping("% s")
    assert not takes_whole_mapping("%(program_name)s %%s %%(x)s 100%%")


# ---------------------------------------------------------------------------- --resolve-env
def test_resolve_env_names_the_baked_variables_once_never_the_values(tmp_path: Path) -> None:
    conf = tmp_path / "supervisord.conf"
    conf.write_text(
        "[supervisord]\nnodaemon = true\nenvironment = FROM_CONFIG=1\n\n"
        "[program:a]\ncommand = /bin/a %(ENV_API_TOKEN)s %(ENV_FROM_CONFIG)s\n"
        "environment = T=%(ENV_API_TOKEN)s\nnumprocs = 2\n"
        "process_name = %(program_name)s_%(process_num)d\n\n"
        "[program:b]\ncommand = /bin/b\ndirectory = %(ENV_WORKDIR)s\n"
    )
    environ = {"API_TOKEN": SECRET_TOKEN, "WORKDIR": "/srv", "UNUSED": "x"}
    conv = sup2circus.convert_file(conf, ConvertOptions(resolve_env=True, environ=environ))
    assert SECRET_TOKEN in conv.text  # asked for by name: baked in
    baked = [f for f in conv.findings if f.code == "S2C016"]
    assert len(baked) == 1, conv.findings
    assert "API_TOKEN, WORKDIR" in baked[0].message
    for f in conv.findings:
        assert SECRET_TOKEN not in f.message and "/srv" not in f.message
        assert "UNUSED" not in f.message and "FROM_CONFIG" not in f.message
    # without --resolve-env nothing is baked: no S2C016
    plain = sup2circus.convert_file(conf, ConvertOptions(environ=environ))
    assert not [f for f in plain.findings if f.code == "S2C016"]
    assert SECRET_TOKEN not in plain.text


ODD_NAME_PLACES = {
    "command": "[program:a]\ncommand = /bin/a --token %(ENV_api-token)s\n",
    "environment": '[program:a]\ncommand = /bin/a\nenvironment = T="%(ENV_api-token)s"\n',
    "directory": "[program:a]\ncommand = /bin/a\ndirectory = /srv/%(ENV_api-token)s\n",
    "stdout_logfile": "[program:a]\ncommand = /bin/a\nstdout_logfile = /tmp/%(ENV_api-token)s\n",
    "supervisord environment": "[program:a]\ncommand = /bin/a\n",
    # identifier names, in references circus cannot keep for circusd
    "formatted": "[program:a]\ncommand = /bin/a --token %(ENV_API_TOKEN)30s\n",
    "formatted environment": "[program:a]\ncommand = /bin/a\n"
    'environment = T="%(ENV_API_TOKEN).40s"\n',
    "quoted program name": '[program:a]\ncommand = "/opt/%(ENV_API_TOKEN)s/bin/a" -x\n',
    "quoted with circus text": '[program:a]\ncommand = sh -c "a %(ENV_API_TOKEN)s $(circus.wid)"\n',
}


@pytest.mark.parametrize("place", sorted(ODD_NAME_PLACES))
def test_a_variable_circus_cannot_name_is_not_written_unless_asked(place: str) -> None:
    """circus refers to circusd's variables by identifier names only, and only where the
    reference stands for the value exactly: otherwise the value could only be written as it
    is, which is done with --resolve-env alone (it was written with an S2C007 warning)."""
    secret = MARK + uuid.uuid4().hex[:8]
    head = "[supervisord]\nnodaemon = true\n"
    if place == "supervisord environment":
        head += 'environment = T="%(ENV_api-token)s"\n'
    text = head + ODD_NAME_PLACES[place]
    env = {"PATH": "/usr/bin:/bin", "api-token": secret, "API_TOKEN": secret}
    conv = sup2circus.convert_text(text, options=ConvertOptions(environ=env))
    assert_no_secret(secret, conv.text, *(f.message for f in conv.findings))
    [f] = [f for f in conv.findings if f.code == "S2C018"]
    assert f.severity.value == "error" and "token)s in " in f.message.lower()
    assert not [f for f in conv.findings if f.code == "S2C007"]
    resolved = sup2circus.convert_text(text, options=ConvertOptions(environ=env, resolve_env=True))
    assert secret in resolved.text, "control: asked for with --resolve-env, it is written"
    assert not [f for f in resolved.findings if f.code == "S2C018"]
