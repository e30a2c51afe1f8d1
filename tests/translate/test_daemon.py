"""The [circus] section: endpoints, servers, rpcinterface."""

from __future__ import annotations

import configparser
import sys
from pathlib import Path

import pytest

from sup2circus import ConvertOptions, convert_text
from sup2circus.api import Conversion

BASE = "[supervisord]\nnodaemon=true\n\n[program:web]\ncommand=/usr/bin/web\nautorestart=true\n"


def _conv(text: str, environ: dict[str, str] | None = None, **kw: object) -> Conversion:
    return convert_text(text, options=ConvertOptions(environ=environ or {}, **kw))  # type: ignore[arg-type]


def circus_section(text: str) -> dict[str, str]:
    cp = configparser.RawConfigParser()
    cp.read_string(text)
    return dict(cp["circus"])


def test_circus_section_is_local_only_and_never_starts_extra_processes() -> None:
    sec = circus_section(convert_text(BASE).text)
    assert sec["endpoint"].startswith("ipc://")
    assert sec["pubsub_endpoint"].startswith("ipc://")
    assert sec["multicast_endpoint"] == ""
    assert sec["check_delay"] == "1"
    # a stats_endpoint makes circus turn statsd on and spawn circusd-stats
    assert "stats_endpoint" not in sec
    assert "statsd" not in sec and "httpd" not in sec


def test_runtime_dir_moves_the_endpoints() -> None:
    sec = circus_section(convert_text(BASE, options=ConvertOptions(runtime_dir="/run/x")).text)
    assert sec["endpoint"] == "ipc:///run/x/circus.sock"
    assert sec["pubsub_endpoint"] == "ipc:///run/x/circus-pubsub.sock"


def test_unix_http_server_file_becomes_the_endpoint() -> None:
    conf = BASE + "\n[unix_http_server]\nfile=/run/supervisor.sock\n"
    conv = convert_text(conf)
    assert circus_section(conv.text)["endpoint"] == "ipc:///run/supervisor.sock"
    assert "S2C301" in {f.code for f in conv.findings}


def test_the_endpoint_finding_names_the_endpoint_written() -> None:
    # a socket path too long for an ipc:// endpoint (AF_UNIX allows 107 bytes): the runtime dir
    conf = BASE + f"\n[unix_http_server]\nfile=/run/{'s' * 120}.sock\n"
    conv = _conv(conf, runtime_dir="/run/x")
    assert circus_section(conv.text)["endpoint"] == "ipc:///run/x/circus.sock"
    (f,) = [f for f in conv.findings if f.code == "S2C301"]
    assert "circusctl uses endpoint ipc:///run/x/circus.sock " in f.message


# %(ENV_X)s (with --resolve-env) or %(here)s can bring a carriage return, which would end the
# line in circus.ini (see tests/write/test_write.py)
CR = "a\rb"


def test_a_daemon_log_circus_cannot_read_back_is_not_claimed() -> None:
    conf = BASE.replace("nodaemon=true", "nodaemon=true\nlogfile=/var/log/%(ENV_X)s.log")
    conv = _conv(conf, {"X": CR}, resolve_env=True)
    assert "logoutput" not in circus_section(conv.text)
    (f,) = [f for f in conv.findings if f.code == "S2C202"]
    assert f.message.endswith(
        "circusd logs to its stderr (the path cannot be written so that circus reads it back) "
        "only, without rotation"
    )


def test_a_pidfile_circus_cannot_read_back_is_an_error() -> None:
    conf = BASE.replace("nodaemon=true", "nodaemon=true\npidfile=/run/%(ENV_X)s.pid")
    conv = _conv(conf, {"X": CR}, resolve_env=True)
    assert "pidfile" not in circus_section(conv.text)
    codes = {f.code: (f.option, f.severity.value) for f in conv.findings}
    assert codes["S2C501"] == ("pidfile", "error")
    assert "S2C204" not in codes  # about the pidfile circusd would write: it writes none


def test_settings_that_name_the_auto_logs_are_not_called_unconverted() -> None:
    conf = BASE.replace("nodaemon=true", "nodaemon=true\nidentifier=edge\nchildlogdir=/var/log/x")
    conv = _conv(conf)
    assert "stdout_stream.filename = /var/log/x/web-stdout---edge.log" in conv.text
    said = {f.option: f.message for f in conv.findings if f.code == "S2C205"}
    assert set(said) == {"identifier", "childlogdir"}
    assert not any("not converted" in m for m in said.values())


@pytest.mark.parametrize(
    "programs",
    [
        # (real configs 073, 081, 130) every program names its log files
        "[program:web]\ncommand=/usr/bin/web\nstdout_logfile=/dev/stdout\nredirect_stderr=true\n",
        # an AUTO log of a listener, which is not converted (S2C120)
        "[program:web]\ncommand=/usr/bin/web\nstdout_logfile=NONE\nstderr_logfile=NONE\n"
        "[eventlistener:l]\ncommand=/usr/bin/l\nevents=PROCESS_STATE\n",
        "",  # no program at all (real configs 087, 124, 160)
    ],
)
def test_childlogdir_is_not_reported_where_no_auto_log_goes(programs: str) -> None:
    conv = _conv("[supervisord]\nnodaemon=true\nchildlogdir=/var/log/x\n" + programs)
    assert "/var/log/x" not in conv.text
    assert [f.option for f in conv.findings if f.code == "S2C205"] == []


@pytest.mark.parametrize(
    ("settings", "reported"),
    [
        # supervisor's defaults, written out (echo_supervisord_conf's boilerplate): they do what
        # they do unset, where nothing is reported either
        ("minfds=1024\nminprocs=200\nstrip_ansi=false\nidentifier=supervisor", set()),
        ("minfds=65536\nminprocs=4096\nstrip_ansi=true", {"minfds", "minprocs", "strip_ansi"}),
        # circusd does what their other value does: silent=true logs only to the log file
        # (S2C202 speaks of stdout when silent=false), nocleanup=true keeps AUTO log files
        ("silent=true\nnocleanup=true", set()),
        ("silent=false\nnocleanup=false", set()),
    ],
)
def test_unconverted_daemon_settings_only_where_they_differ(
    settings: str, reported: set[str]
) -> None:
    conv = _conv(BASE.replace("nodaemon=true", f"nodaemon=true\n{settings}"))
    assert {f.option for f in conv.findings if f.code == "S2C205"} == reported


def _daemon_log_findings(settings: str) -> list[tuple[str | None, str]]:
    conv = _conv(f"[supervisord]\n{settings}\n[program:web]\ncommand=/usr/bin/web\n")
    return [(f.option, f.message) for f in conv.findings if f.code == "S2C202"]


def test_the_daemon_log_is_one_finding_true_about_rotation() -> None:
    # supervisord rotates only when logfile_maxbytes > 0: the Docker idiom has no rotation to
    # lose, and a written logfile_maxbytes or logfile_backups is no second fact
    docker = "nodaemon=true\nlogfile=/dev/stdout\nlogfile_maxbytes=0\nlogfile_backups=0"
    assert _daemon_log_findings(docker) == [
        (
            "logfile",
            "supervisord logs to /dev/stdout and to stdout (nodaemon); circusd logs to "
            "/dev/stdout only",
        )
    ]
    rotated = "logfile=/var/log/s.log\nlogfile_maxbytes=1MB\nlogfile_backups=3"
    assert _daemon_log_findings(rotated) == [
        (
            "logfile",
            "supervisord logs to /var/log/s.log with rotation; circusd logs to "
            "/var/log/s.log only, without rotation",
        )
    ]
    assert _daemon_log_findings("nodaemon=true") == [
        (
            "logfile",
            "supervisord logs to supervisord.log in its working directory with rotation "
            "and to stdout (nodaemon); circusd logs to its stderr",
        )
    ]


def test_the_default_daemon_log_of_a_daemon_says_where_circusd_logs() -> None:
    # (real configs 079, 148) daemonized with the default logfile: circusd --daemon, which
    # S2C201 asks for, points its stderr at /dev/null
    assert _daemon_log_findings("nodaemon=false") == [
        (
            "logfile",
            "supervisord logs to supervisord.log in its working directory with rotation; "
            "circusd logs to its stderr, which circusd --daemon sends to /dev/null: set "
            "logfile to keep a log",
        )
    ]


def test_the_same_daemon_log_is_no_finding() -> None:
    # daemonized, the same file, no rotation: circusd logs where supervisord does
    assert _daemon_log_findings("logfile=/var/log/s.log\nlogfile_maxbytes=0") == []


def test_only_the_name_syslog_is_syslog() -> None:
    # supervisor compares logfile with 'syslog' exactly: SYSLOG is a file of that name,
    # rotated like any other
    conv = _conv("[supervisord]\nlogfile=SYSLOG\n[program:web]\ncommand=/usr/bin/web\n")
    assert "logoutput = SYSLOG\n" in conv.text
    assert [(f.option, f.message) for f in conv.findings if f.code == "S2C202"] == [
        (
            "logfile",
            "supervisord logs to SYSLOG with rotation; circusd logs to SYSLOG only, "
            "without rotation",
        )
    ]
    syslog = _conv("[supervisord]\nlogfile=syslog\n[program:web]\ncommand=/usr/bin/web\n")
    assert "logoutput = syslog:///dev/log\n" in syslog.text


def test_inet_http_server_never_becomes_tcp() -> None:
    conf = BASE + "\n[inet_http_server]\nport=0.0.0.0:9001\nusername=u\npassword=p\n"
    conv = convert_text(conf)
    assert "tcp://" not in conv.text
    codes = {f.code: f.severity.value for f in conv.findings}
    assert codes["S2C302"] == "warning"
    assert codes["S2C303"] == "error"
    assert "p\n" not in "".join(f.message for f in conv.findings)


@pytest.mark.parametrize("port", ["9001", "*:9001", "127.0.0.1:9001", ":9001"])
def test_the_inet_server_finding_quotes_the_port_as_written(port: str) -> None:
    conv = convert_text(BASE + f"\n[inet_http_server]\nport={port}\n")
    (f,) = [f for f in conv.findings if f.code == "S2C302"]
    assert f.message.startswith(f"[inet_http_server] port={port}: ")


def test_the_inet_server_finding_names_the_endpoint_its_clients_use() -> None:
    # with a unix server too, nothing of its own is written: circusd's one endpoint is the
    # unix socket's
    conv = convert_text(
        BASE + "\n[unix_http_server]\nfile=/run/one.sock\n[inet_http_server]\nport=9001\n"
    )
    (f,) = [f for f in conv.findings if f.code == "S2C302"]
    assert f.message == (
        "[inet_http_server] port=9001: served on circusd's local endpoint "
        "ipc:///run/one.sock, never over TCP (circus's TCP endpoints have no authentication)"
    )
    alone = convert_text(BASE + "\n[inet_http_server]\nport=9001\n")
    (f,) = [f for f in alone.findings if f.code == "S2C302"]
    assert f"endpoint {circus_section(alone.text)['endpoint']}, never" in f.message


# supervisord serves every section whose name starts with inet_http_server or unix_http_server
# (options.server_configs_from_parser), inet ones first, each kind in the order of the file
SERVERS = (
    "\n[inet_http_server_admin]\nport=0.0.0.0:9002\nusername=admin\npassword=pw\n"
    "[unix_http_server]\nfile=/run/one.sock\n"
    "[inet_http_server]\nport=9001\n"
    "[unix_http_server:two]\nfile=/run/two.sock\nusername=u\npassword=p\n"
)


def test_every_control_server_but_the_first_of_its_kind_is_not_served() -> None:
    conv = convert_text(BASE + SERVERS)
    assert circus_section(conv.text)["endpoint"] == "ipc:///run/one.sock"
    # in the order of the file; each server's credentials reported as the first one's
    got = [(f.code, f.section) for f in conv.findings if f.code.startswith("S2C30")]
    assert got == [
        ("S2C302", "inet_http_server_admin"),
        ("S2C303", "inet_http_server_admin"),
        ("S2C301", "unix_http_server"),
        ("S2C308", "inet_http_server"),
        ("S2C308", "unix_http_server:two"),
        ("S2C306", "unix_http_server:two"),
    ]
    said = {f.section: f.message for f in conv.findings if f.code == "S2C308"}
    assert said == {
        "inet_http_server": "[inet_http_server] port=9001: not served; circusd has one control "
        "endpoint (ipc:///run/one.sock) and converts only the first inet server, "
        "[inet_http_server_admin]",
        "unix_http_server:two": "[unix_http_server:two] file=/run/two.sock: not served; circusd "
        "has one control endpoint (ipc:///run/one.sock) and converts only the first unix "
        "server, [unix_http_server]",
    }


def test_rpcinterface_module_is_looked_up_never_imported(tmp_path: Path) -> None:
    (tmp_path / "s2c_rpc_probe_q7.py").write_text(
        f"open({str(tmp_path / 'imported')!r}, 'w').close()\n"
    )
    sys.path.insert(0, str(tmp_path))
    try:
        conv = _conv(
            "[supervisord]\nnodaemon = true\n\n[rpcinterface:x]\n"
            "supervisor.rpcinterface_factory = s2c_rpc_probe_q7:make\n\n"
            "[program:p]\ncommand = /bin/p\n"
        )
    finally:
        sys.path.remove(str(tmp_path))
    assert not (tmp_path / "imported").exists()
    assert not [f for f in conv.findings if f.code == "S2C307"]  # found here


def test_circusd_logs_to_its_stderr_with_logoutput_dash() -> None:
    # what S2C202 says of a circus.ini without logoutput (circusd's default, `-`), from circus
    import logging

    from circus.util import configure_logger

    root = logging.getLogger()
    saved = root.handlers[:], root.level
    try:
        configure_logger(logging.getLogger("circus"), "INFO", "-")
        (handler,) = root.handlers
        assert isinstance(handler, logging.StreamHandler)
        assert handler.stream is sys.stderr
    finally:
        root.handlers[:], root.level = saved[0], saved[1]


def test_every_supervisor_log_level_is_written_as_one_circus_knows() -> None:
    # circus maps an unknown level to INFO silently (circus.util.configure_logger)
    from circus.util import LOG_LEVELS
    from supervisor.loggers import LevelsByDescription, LevelsByName

    for name in ("critical", "error", "warn", "info", "debug", "trace", "blather"):
        supervisor_level = getattr(LevelsByDescription, name)
        conv = _conv(BASE.replace("nodaemon=true", f"nodaemon=true\nloglevel={name}"))
        written = circus_section(conv.text)["loglevel"]
        assert written in LOG_LEVELS, name
        renamed = [f for f in conv.findings if f.code == "S2C203"]
        if supervisor_level >= LevelsByName.DEBG:  # the same threshold in both
            assert LOG_LEVELS[written] == supervisor_level, name
            assert len(renamed) == (name == "warn"), name  # warn is spelled warning
        else:  # trace, blather: below anything circus logs; debug is the closest
            assert written == "debug" and len(renamed) == 1, name


def test_circus_defaults_that_circus_section_overrides(tmp_path: Path) -> None:
    # without these lines circusd listens on TCP (no authentication) and announces itself by
    # multicast: circus's own loader on a circus.ini that leaves them out
    from circus.config import get_config

    bare = tmp_path / "bare.ini"
    bare.write_text("[circus]\n\n[watcher:web]\ncmd = /usr/bin/web\n")
    defaults = get_config(str(bare))
    assert defaults["endpoint"].startswith("tcp://")
    assert defaults["multicast_endpoint"].startswith("udp://")
    ours = tmp_path / "circus.ini"
    ours.write_text(convert_text(BASE).text)
    written = get_config(str(ours))
    assert written["endpoint"].startswith("ipc://")
    assert written["multicast_endpoint"] == ""
