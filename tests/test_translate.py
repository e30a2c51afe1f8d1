"""Unit tests of translator decisions that golden files alone would not explain."""

from __future__ import annotations

import configparser

from sup2circus import ConvertOptions, convert_text

BASE = "[supervisord]\nnodaemon=true\n\n[program:web]\ncommand=/usr/bin/web\nautorestart=true\n"


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


def test_inet_http_server_never_becomes_tcp() -> None:
    conf = BASE + "\n[inet_http_server]\nport=0.0.0.0:9001\nusername=u\npassword=p\n"
    conv = convert_text(conf)
    assert "tcp://" not in conv.text
    codes = {f.code: f.severity.value for f in conv.findings}
    assert codes["S2C302"] == "warning"
    assert codes["S2C303"] == "error"
    assert "p\n" not in "".join(f.message for f in conv.findings)


def test_priorities_fall_back_to_distinct_numbers_when_names_would_reorder() -> None:
    # supervisor: groups by (priority, name): "a" before "a-b"; circus ties break on the full
    # watcher name, where "a-b:x" < "a:y" -- so -priority alone would reorder them.
    conf = (
        "[supervisord]\nnodaemon=true\n"
        "[program:a]\ncommand=/bin/a\nnumprocs=2\nprocess_name=y%(process_num)d\n"
        "autorestart=true\n"
        "[program:a-b]\ncommand=/bin/b\nnumprocs=2\nprocess_name=x%(process_num)d\n"
        "autorestart=true\n"
    )
    conv = convert_text(conf)
    cp = configparser.RawConfigParser()
    cp.read_string(conv.text)
    watchers = [s for s in cp.sections() if s.startswith("watcher:")]
    prios = {s.split(":", 1)[1]: int(cp[s]["priority"]) for s in watchers}
    circus_order = sorted(prios, key=lambda n: (-prios[n], n))
    assert circus_order == ["a:y0", "a:y1", "a-b:x0", "a-b:x1"]


def test_findings_at_one_place_come_in_source_order() -> None:
    # [supervisord] environment= makes an [env:...] section (S2C123) for every watcher: one
    # finding at that line names them in the order the programs appear in the file, not in
    # start order (priority 1 starts first here)
    text = (
        "[supervisord]\nenvironment = A=1\n\n"
        "[program:zeta]\ncommand = /bin/z\npriority = 3\n\n"
        "[program:alpha]\ncommand = /bin/a\npriority = 1\n\n"
        "[program:mid]\ncommand = /bin/m\npriority = 2\n"
    )
    conv = convert_text(text, options=ConvertOptions(environ={}))
    s2c123 = [f for f in conv.findings if f.code == "S2C123"]
    # one fact, reported once, naming every watcher it concerns
    assert [f.line for f in s2c123] == [2]
    named = [part.split("watcher ")[1].split()[0] for part in s2c123[0].message.split("; ")]
    assert named == ["zeta", "alpha", "mid"]
    starts = [w.name for w in conv.circus.watchers]  # type: ignore[attr-defined]
    assert starts == ["alpha", "mid", "zeta"]
