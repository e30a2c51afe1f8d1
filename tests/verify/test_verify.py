"""--verify: circus's own loader must read back exactly what the translator intended.

The first part runs on hand-written circus.ini files with hand-made intents (so it does not
depend on the converter); the second part runs the real converter and then tampers with its
output.
"""

from __future__ import annotations

import dataclasses
import os
import signal
import sys
import textwrap
from pathlib import Path

import pytest

from sup2circus.api import Conversion
from sup2circus.circus_model import CircusConfig, Intent, Stream, Watcher
from sup2circus.verify import load_circus, verify

HEADER = """\
[circus]
endpoint = ipc:///tmp/s2c-verify-test.sock
pubsub_endpoint = ipc:///tmp/s2c-verify-test-pub.sock
multicast_endpoint =
check_delay = 1

"""

CIRCUS_OPTS = (
    ("endpoint", "ipc:///tmp/s2c-verify-test.sock"),
    ("pubsub_endpoint", "ipc:///tmp/s2c-verify-test-pub.sock"),
    ("multicast_endpoint", ""),
    ("check_delay", "1"),
)


def intent(**kw: object) -> Intent:
    base: dict[str, object] = dict(
        argv=("/usr/bin/app", "--port", "8000"),
        program_argv=("/usr/bin/app", "--port", "8000"),
        working_dir="/srv/app",
        env=(("MODE", "prod"),),
        wrapper_env=(),
        uid=None,
        stop_signal=int(signal.SIGTERM),
        graceful_timeout=10.0,
        autostart=True,
        respawn=True,
        priority=-999,
        numprocesses=1,
        stdout=Stream("inherit"),
        stderr=Stream("inherit"),
    )
    base.update(kw)
    return Intent(**base)  # type: ignore[arg-type]


def watcher(name: str = "web", **kw: object) -> Watcher:
    it = intent(**kw)
    return Watcher(
        name=name,
        options=(),
        env_section=name,
        env=it.env,
        intent=it,
        process=name,
        source=f"program:{name}",
    )


WEB = """\
[watcher:web]
cmd = /usr/bin/app --port 8000
working_dir = /srv/app
copy_env = true
priority = -999
graceful_timeout = 10

[env:web]
MODE = prod
"""


def conversion(text: str, *watchers: Watcher, deferred: tuple[str, ...] = ()) -> Conversion:
    cfg = CircusConfig(
        header=(),
        circus=CIRCUS_OPTS,
        watchers=watchers or (watcher(),),
        deferred_env=deferred,
    )
    return Conversion(text=HEADER + textwrap.dedent(text), findings=(), source="t", circus=cfg)


def one(problems: list[str], *needles: str) -> str:
    """Exactly one problem, containing every needle."""
    assert len(problems) == 1, problems
    for needle in needles:
        assert needle in problems[0], (needle, problems[0])
    return problems[0]


# --------------------------------------------------------------------------- hand-written
def test_good_conversion_passes() -> None:
    assert verify(conversion(WEB)) == []


def test_tampered_graceful_timeout() -> None:
    one(
        verify(conversion(WEB.replace("graceful_timeout = 10", "graceful_timeout = 30"))),
        "'web'",
        "graceful_timeout is 30, intended 10",
    )


def test_missing_graceful_timeout_is_circus_default() -> None:
    one(
        verify(conversion(WEB.replace("graceful_timeout = 10\n", ""))),
        "graceful_timeout is 30, intended 10",
    )


def test_tampered_argv() -> None:
    text = WEB.replace("--port 8000", "--port 8001")
    one(verify(conversion(text)), "argv differs at position 2", "'8001'", "'8000'")


def test_inline_comment_in_command_is_caught() -> None:
    # circus strips ` ;...` when the first ';' follows whitespace: the intent keeps it
    w = watcher(argv=("/usr/bin/app", ";", "note"), program_argv=("/usr/bin/app", ";", "note"))
    text = WEB.replace("--port 8000", "; note")
    one(verify(conversion(text, w)), "argv differs")


def test_circus_substitution_in_command_is_caught() -> None:
    w = watcher(argv=("/usr/bin/app", "$(circus.wid)"))
    text = WEB.replace("--port 8000", "$(circus.wid)")
    one(verify(conversion(text, w)), "argv differs at position 1", "'1'", "'$(circus.wid)'")


def test_env_value_rewritten_by_circus() -> None:
    # T12: leading/trailing spaces are stripped, ' ;' starts a comment
    w = watcher(env=(("MODE", "a ;b"),))
    one(
        verify(conversion(WEB.replace("MODE = prod", "MODE = a ;b"), w)),
        "environment variable MODE would have another value",
    )


def test_env_dollar_upper_is_expanded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SWORD1", "LEAKED-secret")
    w = watcher(env=(("MODE", "pa$SWORD1"),))
    problem = one(verify(conversion(WEB.replace("MODE = prod", "MODE = pa$SWORD1"), w)), "MODE")
    assert "LEAKED" not in problem  # never print environment values


def test_env_missing_and_extra() -> None:
    text = WEB.replace("MODE = prod", "OTHER_S2C_VAR = 1")
    problems = verify(conversion(text))
    assert any("MODE is not set by circus" in p for p in problems), problems
    assert any("OTHER_S2C_VAR is set by circus but not intended" in p for p in problems)


def test_intended_env_inherited_from_this_process_is_not_enough(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # copy_env copies the verifying process's MODE=prod: circusd's own environment may not
    monkeypatch.setenv("MODE", "prod")
    one(
        verify(conversion(WEB.replace("MODE = prod\n", ""))),
        "environment variable MODE is not set by circus",
    )


def test_env_glob_section_hits_another_watcher() -> None:
    # T13: [env:web*] also applies to 'webx'
    text = WEB.replace("[env:web]", "[env:web*]") + textwrap.dedent(
        """
        [watcher:webx]
        cmd = /usr/bin/app --port 8000
        working_dir = /srv/app
        copy_env = true
        priority = -999
        graceful_timeout = 10
        """
    )
    problems = verify(conversion(text, watcher(), watcher("webx", env=())))
    one(problems, "'webx'", "MODE is set by circus but not intended")


def test_copy_env_off() -> None:
    one(verify(conversion(WEB.replace("copy_env = true", "copy_env = false"))), "copy_env")


def test_uid_stop_signal_autostart_respawn_priority() -> None:
    text = WEB.replace(
        "copy_env = true",
        "copy_env = true\nuid = nobody\nstop_signal = INT\nautostart = false\nrespawn = false",
    ).replace("priority = -999", "priority = 3")
    problems = verify(conversion(text))
    assert len(problems) == 5, problems
    for needle in (
        "uid is 'nobody', intended None",
        "stop_signal is 2, intended 15",
        "autostart is False",
        "respawn is False",
        "priority is 3, intended -999",
    ):
        assert any(needle in p for p in problems), (needle, problems)


@pytest.mark.parametrize(
    ("line", "needle"),
    [
        ("gid = nogroup", "gid is 'nogroup'"),
        ("max_retry = 0", "max_retry is 0"),
        ("warmup_delay = 5", "warmup_delay is 5.0"),
        ("stop_children = true", "stop_children is True"),
        ("send_hup = true", "send_hup is True"),
        ("singleton = true", "singleton is True"),
        ("max_age = 60", "max_age is 60"),
        ("on_demand = true", "on_demand is True"),
        ("rlimit_nofile = 10", "rlimits is {'nofile': 10}"),
        ("close_child_stdin = false", "close_child_stdin is False"),
        ("use_sockets = true", "use_sockets is True"),
        ("copy_path = true", "copy_path is True"),
        ("stdout_stream.filename = /tmp/x\nstdout_stream.time_format = %Y", "time_format"),
    ],
)
def test_options_outside_the_intent_must_be_circus_defaults(line: str, needle: str) -> None:
    # circus honours these (group, restart limit, limits, stdin...): set, they change what
    # circusd runs although nothing in the intent covers them
    text = WEB.replace("graceful_timeout = 10\n", f"graceful_timeout = 10\n{line}\n")
    # (copy_path also puts PYTHONPATH in the environment: reported apart, unless the process
    # running the test has that variable already)
    problems = [
        p for p in verify(conversion(text)) if "stdout goes to" not in p and "PYTHONPATH" not in p
    ]
    one(problems, "'web'", needle, "intended circus's default")


def test_working_dir_default_vs_explicit() -> None:
    w = watcher(working_dir=None)
    one(verify(conversion(WEB, w)), "working_dir is '/srv/app', intended circusd's own cwd")
    assert verify(conversion(WEB.replace("working_dir = /srv/app\n", ""), w)) == []


def test_file_stream_exact_and_no_file_created(tmp_path: Path) -> None:
    log = tmp_path / "missing-dir" / "web.log"
    w = watcher(stdout=Stream("file", str(log), 52428800, 10), stderr=Stream("null"))
    text = WEB + textwrap.dedent(
        f"""
        [watcher:web]
        stdout_stream.class = FileStream
        stdout_stream.filename = {log}
        stdout_stream.max_bytes = 52428800
        stdout_stream.backup_count = 10
        close_child_stderr = true
        """
    )
    # circus merges duplicate sections (first value wins): the stream options are added
    assert verify(conversion(text, w)) == []
    assert not log.parent.exists()  # verify must not create log files or directories
    one(
        verify(conversion(text.replace("backup_count = 10", "backup_count = 0"), w)),
        "stdout goes to FileStream",
        "backup_count=0",
        "intended FileStream",
    )
    one(
        verify(conversion(text.replace("close_child_stderr = true", ""), w)),
        "stderr goes to circusd's own stderr, intended /dev/null",
    )


def test_close_child_stdout_with_a_file_stream() -> None:
    # circus nulls the child's stdout in preexec, after Popen piped it: the file gets nothing
    want = Stream("file", "/tmp/s2c-verify-out.log", 10, 1)
    text = WEB.replace(
        "graceful_timeout = 10\n",
        "graceful_timeout = 10\nstdout_stream.class = FileStream\n"
        "stdout_stream.filename = /tmp/s2c-verify-out.log\nstdout_stream.max_bytes = 10\n"
        "stdout_stream.backup_count = 1\n",
    )
    assert verify(conversion(text, watcher(stdout=want))) == []
    closed = text.replace("copy_env = true\n", "copy_env = true\nclose_child_stdout = true\n")
    one(
        verify(conversion(closed, watcher(stdout=want))),
        "stdout goes to FileStream",
        "but close_child_stdout sends the output to /dev/null",
    )


def test_size_suffix_drops_watcher() -> None:
    # T20: circus wants integer bytes; a suffix makes circusd drop the watcher
    w = watcher(stdout=Stream("file", "/tmp/s2c-x.log", 1024, 1))
    text = WEB + (
        "\n[watcher:web]\nstdout_stream.class = FileStream\n"
        "stdout_stream.filename = /tmp/s2c-x.log\nstdout_stream.max_bytes = 1KB\n"
        "stdout_stream.backup_count = 1\n"
    )
    one(verify(conversion(text, w)), "'web': circusd would drop it", "1KB")


def test_file_stream_on_dev_stdout_drops_watcher() -> None:
    # T18
    w = watcher(stdout=Stream("inherit"))
    text = WEB + (
        "\n[watcher:web]\nstdout_stream.class = FileStream\nstdout_stream.filename = /dev/stdout\n"
    )
    one(verify(conversion(text, w)), "circusd would drop it", "/dev/stdout")


def test_stderr_merged_by_wrapper() -> None:
    argv = ("sh", "-c", 'exec "$0" "$@" 2>&1', "/usr/bin/app", "--port", "8000")
    w = watcher(argv=argv, stderr=Stream("stdout"))
    text = WEB.replace(
        "cmd = /usr/bin/app --port 8000",
        'cmd = sh -c \'exec "$0" "$@" 2>&1\' /usr/bin/app --port 8000',
    )
    assert verify(conversion(text, w)) == []
    tampered = text + "\n[watcher:web]\nstderr_stream.class = StdoutStream\n"
    one(verify(conversion(tampered, w)), "stderr goes to circus.stream.StdoutStream")


def test_unimportable_hook(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    w = watcher(hooks=(("after_reap", "s2c_no_such_hooks_module.after_reap"),))
    text = WEB.replace(
        "copy_env = true", "copy_env = true\nhooks.after_reap = s2c_no_such_hooks_module.after_reap"
    )
    one(
        verify(conversion(text, w)),
        "'web': circusd would drop it",
        "cannot import 's2c_no_such_hooks_module.after_reap'",
    )
    # importable: passes, and sys.path is left as it was
    (tmp_path / "s2c_verify_hooks_ok.py").write_text("def after_reap(*a, **k):\n    return True\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    w = watcher(hooks=(("after_reap", "s2c_verify_hooks_ok.after_reap"),))
    before = list(sys.path)
    assert (
        verify(conversion(text.replace("s2c_no_such_hooks_module", "s2c_verify_hooks_ok"), w)) == []
    )
    assert sys.path == before
    one(
        verify(
            conversion(text.replace("s2c_no_such_hooks_module", "s2c_verify_hooks_ok"), watcher())
        ),
        "hooks are",
    )


def test_missing_and_extra_watchers() -> None:
    problems = verify(conversion(WEB.replace("[watcher:web]", "[watcher:Web]")))
    assert any("'Web': circus loads it but it was not intended" in p for p in problems)
    assert any("'web': circus does not load it" in p for p in problems)


def test_circusd_refuses() -> None:
    # T4: respawn = unexpected stops circusd at start-up
    one(
        verify(conversion(WEB.replace("copy_env = true", "copy_env = true\nrespawn = unexpected"))),
        "circusd would refuse to start",
        "not a boolean",
    )


def test_start_order() -> None:
    a = watcher("a", priority=-10)
    b = watcher("b", priority=-20)
    block = WEB.replace("[env:web]\nMODE = prod\n", "")
    text = (
        block.replace("web", "a").replace("-999", "-10")
        + "\n"
        + block.replace("web", "b").replace("-999", "-20")
        + "\n[env:a]\nMODE = prod\n[env:b]\nMODE = prod\n"
    )
    assert verify(conversion(text, a, b)) == []
    # the intent lists b first but circus starts the higher priority first
    problems = verify(conversion(text, b, a))
    one(problems, "start order differs", "['a', 'b']", "['b', 'a']")


def test_tcp_endpoint_and_multicast() -> None:
    conv = conversion(WEB)
    bad = dataclasses.replace(
        conv,
        text=conv.text.replace("ipc:///tmp/s2c-verify-test.sock", "tcp://127.0.0.1:5555").replace(
            "multicast_endpoint =\n", ""
        ),
    )
    problems = verify(bad)
    assert any("endpoint reads back as 'tcp://127.0.0.1:5555'" in p for p in problems), problems
    assert any("only ipc:// is safe" in p for p in problems), problems
    assert any("multicast_endpoint is not empty" in p for p in problems), problems


@pytest.mark.parametrize(
    ("extra", "needle"),
    [
        ("[plugin:flap]\nuse = circus.plugins.flapping.Flapping\n", "[circus] plugins is 1"),
        ("[circus]\nstatsd = true\n", "[circus] statsd is True"),
        ("[circus]\nhttpd = true\n", "[circus] httpd is True"),
        ("[circus]\nwarmup_delay = 9\n", "[circus] warmup_delay is"),
        # circusd's umask reaches every child; its pidfile and logs change what it writes
        ("[circus]\numask = 077\n", "[circus] umask is 63, intended circusd's own"),
        ("[circus]\npidfile = /tmp/x.pid\n", "[circus] pidfile is '/tmp/x.pid', intended none"),
        ("[circus]\nloglevel = debug\n", "[circus] loglevel is 'debug', intended none"),
        ("[circus]\nlogoutput = /tmp/x.log\n", "[circus] logoutput is '/tmp/x.log', intended"),
        ("[circus]\nendpoint_owner = nobody\n", "[circus] endpoint_owner is 'nobody'"),
    ],
)
def test_unwritten_circus_features_are_caught(extra: str, needle: str) -> None:
    text = HEADER + WEB + "\n" + extra
    if extra.startswith("[circus]"):
        text = HEADER.replace("check_delay = 1\n", "check_delay = 1\n" + extra.split("\n", 1)[1])
        text += WEB
    conv = conversion("")
    one(verify(dataclasses.replace(conv, text=text)), needle)


def test_deferred_env_reference(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("S2C_VERIFY_PORT", "secret-port-9999")
    w = watcher(
        argv=("/usr/bin/app", "--port", "$(circus.env.S2C_VERIFY_PORT)"),
        env=(("MODE", "$S2C_VERIFY_PORT"),),
    )
    text = WEB.replace("8000", "$(circus.env.S2C_VERIFY_PORT)").replace(
        "MODE = prod", "MODE = $S2C_VERIFY_PORT"
    )
    assert verify(conversion(text, w, deferred=("S2C_VERIFY_PORT",))) == []
    # without the deferral recorded, the literal reference is what was intended: mismatch,
    # and the value of the variable is not printed
    problems = verify(conversion(text, w))
    assert len(problems) == 2, problems
    assert not any("secret-port-9999" in p for p in problems), problems
    # tampered: the secret appears in circus's argv, but is redacted in the message
    tampered = text.replace("--port", "--prot")
    problem = one(verify(conversion(tampered, w, deferred=("S2C_VERIFY_PORT",))), "argv differs")
    assert "secret-port-9999" not in problem


def test_numprocesses_and_wid() -> None:
    w = watcher(numprocesses=2)
    text = WEB.replace("copy_env = true", "copy_env = true\nnumprocesses = 2")
    assert verify(conversion(text, w)) == []
    text2 = text.replace("--port 8000", "--port 800$(circus.wid)")
    one(verify(conversion(text2, w)), "argv (process 1) differs", "'8001'")


def test_stdin_socket_case() -> None:
    text = WEB.replace("copy_env = true", "copy_env = true\nstdin_socket = Sock") + (
        "\n[socket:Sock]\nhost = 127.0.0.1\nport = 0\n"
    )
    one(verify(conversion(text)), "stdin_socket 'Sock' is not a circus socket")


def test_no_model_only_checks_loading() -> None:
    conv = dataclasses.replace(conversion(WEB), circus=None)
    assert verify(conv) == []


def test_without_circus_raises_import_error(monkeypatch: pytest.MonkeyPatch) -> None:
    for mod in [m for m in sys.modules if m == "circus" or m.startswith("circus.")]:
        monkeypatch.delitem(sys.modules, mod)
    monkeypatch.setitem(sys.modules, "circus", None)
    with pytest.raises(ImportError):
        verify(conversion(WEB))


def test_load_circus_does_not_touch_real_log_paths(tmp_path: Path) -> None:
    log = tmp_path / "out.log"
    ini = tmp_path / "c.ini"
    ini.write_text(
        HEADER
        + WEB
        + f"\n[watcher:web]\nstdout_stream.class = FileStream\nstdout_stream.filename = {log}\n"
    )
    loaded = load_circus(str(ini))
    (web,) = loaded.watchers
    assert web.error is None
    assert web.stdout is not None and web.stdout.filename == str(log)
    assert not log.exists()
    assert os.listdir(tmp_path) == ["c.ini"]


# --------------------------------------------------------------------------- real converter
GOLDEN_DIR = Path(__file__).resolve().parents[2] / "fixtures"
GOLDEN_CASES = sorted(p.parent.name for p in GOLDEN_DIR.glob("*/supervisord.conf"))

SEED = """\
[supervisord]
nodaemon=true

[program:nginx]
command=/usr/sbin/nginx
stdout_logfile=/dev/stdout
stdout_logfile_maxbytes=0
redirect_stderr=true

[program:gunicorn]
command=/usr/local/bin/gunicorn app:app -b localhost:5000
directory=/srv/server
environment=MODE="prod",ODD="pa$S2C_VERIFY_NOPE"
stdout_logfile=/var/log/gunicorn/out.log
stdout_logfile_maxbytes=1MB
"""


def real(text: str = SEED, **opts: object) -> Conversion:
    from sup2circus import ConvertOptions, convert_text

    return convert_text(text, options=ConvertOptions(**opts))  # type: ignore[arg-type]


@pytest.mark.parametrize("case", GOLDEN_CASES)
def test_verify_passes_on_every_golden_case(case: str) -> None:
    from golden import options_for

    from sup2circus import Sup2CircusError, convert_file

    try:
        conv = convert_file(GOLDEN_DIR / case / "supervisord.conf", options_for(case))
    except Sup2CircusError:
        pytest.skip("supervisord refuses this config (the golden test checks the error)")
    assert verify(conv) == []


@pytest.mark.parametrize("exact", [False, True])
def test_verify_passes_on_real_conversion(exact: bool) -> None:
    conv = real(exact=exact)
    assert "[watcher:gunicorn]" in conv.text
    assert verify(conv) == []


def _tamper(conv: Conversion, old: str, new: str) -> Conversion:
    """Replace the first occurrence of ``old`` outside comment lines."""
    lines = conv.text.splitlines(keepends=True)
    for i, line in enumerate(lines):
        if not line.startswith(("#", ";")) and old in line:
            lines[i] = line.replace(old, new, 1)
            return dataclasses.replace(conv, text="".join(lines))
    raise AssertionError(f"{old!r} not in the circus.ini")


def test_verify_catches_tampering_in_real_output() -> None:
    conv = real()
    one(
        verify(_tamper(conv, "graceful_timeout = 10", "graceful_timeout = 11")),
        "graceful_timeout is 11, intended 10",
    )
    one(
        verify(_tamper(conv, "localhost:5000", "localhost:5001")),
        "'gunicorn': argv differs",
        "'localhost:5001'",
    )
    # ' ;x' is a comment for circus: the value still reads back as intended
    assert verify(_tamper(conv, "MODE = prod", "MODE = prod ;x")) == []
    one(
        verify(_tamper(conv, "MODE = prod", "MODE = $S2C_VERIFY_NOPE")),
        "environment variable MODE would have another value",
    )
    one(
        verify(_tamper(conv, "stdout_stream.max_bytes = 1048576", "stdout_stream.max_bytes = 1MB")),
        "'gunicorn': circusd would drop it",
        "1MB",
    )
    one(
        verify(_tamper(conv, "working_dir = /srv/server", "working_dir = /srv/server2")),
        "working_dir is '/srv/server2', intended '/srv/server'",
    )
    assert verify(_tamper(conv, "[watcher:nginx]", "[watcher:nginx2]")) == [
        "watcher 'nginx2': circus loads it but it was not intended",
        "watcher 'nginx': circus does not load it",
    ]


def test_verify_catches_unimportable_hook_in_real_output() -> None:
    conv = real(exact=True)
    assert "hooks." in conv.text
    bad = dataclasses.replace(
        conv, text=conv.text.replace("sup2circus.circus_hooks.", "s2c_missing_hooks.")
    )
    problems = verify(bad)
    assert problems and all("cannot import 's2c_missing_hooks." in p for p in problems), problems


@pytest.mark.parametrize("pwd", [None, "/some/where"])
def test_verify_sh_wrapper_restoring_pwd(pwd: str | None, monkeypatch: pytest.MonkeyPatch) -> None:
    if pwd is None:
        monkeypatch.delenv("PWD", raising=False)
    else:
        monkeypatch.setenv("PWD", pwd)
    conv = real("[program:u]\ncommand=/bin/x --y\numask=027\nredirect_stderr=true\n")
    assert "umask 027" in conv.text
    assert verify(conv) == []
    one(verify(_tamper(conv, "--y", "--z")), "argv differs")


FCGI = """\
[supervisord]
nodaemon=true

[fcgi-program:tcp]
command=/usr/bin/fcgi-app
socket=tcp://127.0.0.1:9000
autorestart=true
"""


def test_prefixed_stream_copy_and_rotation() -> None:
    # supervisor_stdout: the copy to the program's own log file is part of the intent
    case = GOLDEN_DIR / "t43_supervisor_stdout" / "supervisord.conf"
    from golden import options_for

    from sup2circus import convert_file

    conv = convert_file(case, options_for("t43_supervisor_stdout"))
    assert verify(conv) == []
    for old, new in (
        ("stdout_stream.copy = file", "stdout_stream.copy = none"),
        ("stdout_stream.max_bytes = 52428800", "stdout_stream.max_bytes = 1024"),
        ("stdout_stream.backup_count = 10", "stdout_stream.backup_count = 1"),
    ):
        one(verify(_tamper(conv, old, new)), "'web': stdout goes to", "PrefixedStdoutStream")


def test_verify_fcgi_socket() -> None:
    conv = real(FCGI)
    assert "[socket:tcp]" in conv.text and "stdin_socket = tcp" in conv.text
    assert verify(conv) == []
    one(
        verify(_tamper(conv, "port = 9000", "port = 9001")),
        "socket 'tcp': port reads back as '9001', written '9000'",
    )
    problems = verify(_tamper(conv, "port = 9000", "port = http"))
    assert any("socket 'tcp': circusd would drop it" in p for p in problems), problems
    problems = verify(_tamper(conv, "[socket:tcp]", "[socket:tcp2]"))
    assert "socket 'tcp': circus does not load it" in problems, problems
    assert any("stdin_socket 'tcp' is not a circus socket" in p for p in problems), problems


def test_verified_names_circus_version_and_watchers() -> None:
    import circus

    from sup2circus.verify import verified

    conv = real()
    assert verify(conv) == []
    assert verified(conv) == (
        f"circus {circus.__version__} loads 2 watchers as intended "
        "(argv, cwd, environment, user, stop and restart, streams, sockets, start order)"
    )


def test_verify_success_line_from_the_command(tmp_path: Path) -> None:
    import subprocess

    import circus

    conf = tmp_path / "supervisord.conf"
    conf.write_text("[program:one]\ncommand=/bin/true\n", encoding="utf-8")
    res = subprocess.run(
        [sys.executable, "-m", "sup2circus", "--isolated", "--verify", str(conf)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert res.returncode == 0, res.stderr
    assert res.stderr.splitlines()[-1].startswith(
        f"sup2circus: verify: circus {circus.__version__} loads 1 watcher as intended ("
    )


def test_a_deferred_daemon_log_reads_back_and_no_value_is_shown(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # circus substitutes $(circus.env.X) in logoutput when it loads the file: the written text
    # is compared resolved the same way, and a mismatch never shows the variable's value
    from sup2circus import ConvertOptions, convert_text

    monkeypatch.setenv("S2C_LOGDIR", "/tmp/s2c-secret-dir")
    text = "[supervisord]\nlogfile=%(ENV_S2C_LOGDIR)s/s.log\n[program:a]\ncommand=/bin/true\n"
    conv = convert_text(text, options=ConvertOptions(environ=dict(os.environ)))
    assert "logoutput = $(circus.env.S2C_LOGDIR)/s.log" in conv.text
    assert verify(conv) == []
    tampered = dataclasses.replace(conv, text=conv.text.replace("/s.log", "/t.log"))
    (problem,) = verify(tampered)
    assert problem.startswith("[circus] logoutput reads back as '<$-value>/t.log'")
    assert "s2c-secret-dir" not in problem


def test_verifications_in_threads_see_their_own_streams(tmp_path: Path) -> None:
    # the glue patches circus for the whole process: threads that verified at once saw each
    # other's log files, and the patch stayed behind
    from concurrent.futures import ThreadPoolExecutor

    from circus.stream import file_stream  # type: ignore[import-untyped]

    from sup2circus import ConvertOptions, convert_text

    original = file_stream._FileStreamBase._open
    texts = [
        f"[supervisord]\n[program:p{i}]\ncommand=/bin/true\nstdout_logfile={tmp_path}/p{i}.log\n"
        for i in range(12)
    ]
    convs = [convert_text(t, options=ConvertOptions(environ={})) for t in texts]
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(verify, convs * 3))
    assert results == [[]] * len(results)
    assert file_stream._FileStreamBase._open is original


def test_a_conversion_made_without_its_text_is_verified_from_its_model() -> None:
    from sup2circus import ConvertOptions, convert_text

    text = "[supervisord]\n[program:a]\ncommand=/bin/true\n"
    conv = convert_text(text, options=ConvertOptions(environ={}), render=False)
    assert conv.text == ""
    assert verify(conv) == []
