"""Robustness: whatever a repository holds, sup2circus either converts it (with findings) or exits
2 with ONE line naming the file (and line); never a traceback, never a hang, never a partial
circus.ini on stdout after an error.

Hypothesis drives the public API (``sup2circus.convert_text``/``convert_file``) and the CLI
(click's CliRunner in-process for many cases; a subprocess of the real ``sup2circus`` entry point
for a handful, under a time and memory limit). Every case is bounded by a timeout.
"""

from __future__ import annotations

import contextlib
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import sup2circus
from sup2circus import Conversion, Finding, Sup2CircusError
from sup2circus.mapping import all_known_options

CASE_TIMEOUT = 20  # seconds, per in-process case
SETTINGS = settings(
    # S2C_FUZZ_EXAMPLES=2000 for a deeper run than the suite's
    max_examples=int(os.environ.get("S2C_FUZZ_EXAMPLES", "60")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=False,
)

VALID = """\
[supervisord]
nodaemon = true
logfile = /tmp/s2c-fuzz-supervisord.log
environment = REGION="eu",TOKEN="abc"

[unix_http_server]
file = /tmp/s2c-fuzz.sock

[program:web]
command = /usr/bin/python3 -m http.server %(process_num)d ; comment
process_name = %(program_name)s_%(process_num)02d
numprocs = 2
directory = /tmp
environment = A="x y",B='q,z',C=%(ENV_REGION)s
autostart = true
autorestart = unexpected
exitcodes = 0,2
startsecs = 1
startretries = 3
stopsignal = TERM
stopwaitsecs = 10
stopasgroup = false
killasgroup = false
priority = 10
redirect_stderr = true
stdout_logfile = /tmp/%(program_name)s_%(process_num)d.log
stdout_logfile_maxbytes = 1MB
stdout_logfile_backups = 3
umask = 022
user = nobody

[program:worker]
command = /bin/sleep 1000
priority = 20

[group:g]
programs = worker
priority = 5
"""

# (section, option) pairs of VALID that a mutation may replace.
MUTABLE = [
    ("supervisord", "nodaemon"),
    ("supervisord", "environment"),
    ("supervisord", "logfile"),
    ("supervisord", "minfds"),
    ("supervisord", "umask"),
    ("supervisord", "loglevel"),
    ("unix_http_server", "file"),
    ("unix_http_server", "chmod"),
    *[
        ("program:web", o)
        for o in (
            "command",
            "process_name",
            "numprocs",
            "directory",
            "environment",
            "autostart",
            "autorestart",
            "exitcodes",
            "startsecs",
            "startretries",
            "stopsignal",
            "stopwaitsecs",
            "stopasgroup",
            "killasgroup",
            "priority",
            "redirect_stderr",
            "stdout_logfile",
            "stdout_logfile_maxbytes",
            "stdout_logfile_backups",
            "umask",
            "user",
            "numprocs_start",
            "serverurl",
            "stdin",
            "commmand",
        )
    ],
    ("group:g", "programs"),
    ("group:g", "priority"),
]

HOSTILE_VALUES = [
    # invalid booleans
    "yes please",
    "2",
    "tru",
    "",
    "on off",
    # numbers
    "-1",
    "-0",
    "0",
    "99999999999999999999999999999999",
    "1e3",
    "0x10",
    "1.5",
    "10ZB",
    "1KB",
    "-5MB",
    # signals
    "SIGFOO",
    "99",
    "-9",
    "KILL9",
    "sigterm",
    "0",
    # expansions
    "%(nope)s",
    "abc %",
    "%",
    "%(program_name)",
    "%(process_num)z",
    "%(process_num)d%(process_num)s",
    "%(ENV_DOES_NOT_EXIST_S2C)s",
    "%%(here)s",
    "%(here)s/%",
    "%(",
    "%()s",
    # environment syntax
    'A="unterminated',
    "A",
    "A=1,,B=2",
    "=x",
    "A=u@h",
    "A=$HOME",
    "A=${X}",
    "A='x\"y'",
    # users, paths, groups
    "nonexistent_user_s2c",
    "0",
    "/nonexistent/dir/x.log",
    "AUTO",
    "NONE",
    "syslog",
    "/dev/stdout",
    "web,web",
    "nosuchprogram",
    # syntax-ish
    "[program:x]",
    "a ; b # c",
    "a;b#c",
    "$(circus.env.HOME)",
    "((circus.wid))",
    "x\ty",
    "é unicode ✓",
    "\\",
    "'",
    '"',
    "a" * 5000,
]

SECTION_KINDS = [
    "program:a",
    "program:b",
    "program:",
    "program:a b",
    "program:a/b",
    "fcgi-program:f",
    "eventlistener:e",
    "group:g",
    "group:",
    "supervisord",
    "supervisorctl",
    "unix_http_server",
    "inet_http_server",
    "rpcinterface:supervisor",
    "Program:a",
    "DEFAULT",
    "unknown",
    "",
]

OPTION_NAMES = sorted(
    {name for name in all_known_options() if name != "files"}
    | {"Command", "NUMPROCS", "cmd", "commmand", "x"}
)

value_text = st.one_of(
    st.sampled_from(HOSTILE_VALUES),
    st.text(
        alphabet=st.characters(
            blacklist_categories=("Cs",), blacklist_characters="\n\r\x0b\x0c\x1c\x1d\x1e\x85"
        ),
        max_size=40,
    ),
)


@st.composite
def ini_text(draw: st.DrawFn) -> str:
    """Random INI-shaped text (no [include]: includes are tested explicitly below)."""
    lines: list[str] = []
    for _ in range(draw(st.integers(0, 6))):
        kind = draw(st.sampled_from(SECTION_KINDS))
        lines.append(f"[{kind}]")
        for _ in range(draw(st.integers(0, 8))):
            shape = draw(st.integers(0, 9))
            name = draw(st.sampled_from(OPTION_NAMES))
            value = draw(value_text)
            if shape == 0:
                lines.append(f"; {value}")
            elif shape == 1:
                lines.append(f"  {value}")  # a continuation line (or garbage)
            elif shape == 2:
                lines.append("")
            elif shape == 3:
                lines.append(f"{name}: {value}")
            elif shape == 4:
                lines.append(value)
            else:
                lines.append(f"{name} = {value}")
    if draw(st.booleans()):
        lines.insert(0, "[supervisord]")
    return "\n".join(lines) + draw(st.sampled_from(["", "\n", "\r\n", " "]))


HUGE = "99999999999999999999999999999999"


def in_process_safe(option: str, value: str) -> bool:
    """numprocs=HUGE makes a converter without a bound allocate until the OOM killer comes: that
    case runs in a memory-limited subprocess (test_huge_numprocs_is_bounded), not in-process."""
    return not (option == "numprocs" and value.strip().lstrip("+").isdigit() and len(value) > 6)


def mutate(text: str, section: str, option: str, value: str) -> str:
    """Set ``option`` in ``[section]`` of ``text`` to ``value`` (adding it if absent)."""
    out: list[str] = []
    current = None
    done = False
    for line in text.splitlines():
        m = re.match(r"^\[(.*)\]$", line)
        if m:
            if current == section and not done:
                out.insert(
                    len(out) - 1 if out and out[-1] == "" else len(out), f"{option} = {value}"
                )
                done = True
            current = m.group(1)
        elif current == section and re.match(rf"^{re.escape(option)}\s*=", line):
            line = f"{option} = {value}"
            done = True
        out.append(line)
    if not done:
        out.append(f"{option} = {value}")
    return "\n".join(out) + "\n"


# --------------------------------------------------------------------------------------------
# helpers


class CaseTimeout(Exception):
    pass


@contextlib.contextmanager
def time_limit(seconds: int) -> Iterator[None]:
    """Fail (not hang) when a case runs longer than ``seconds`` (main thread only)."""

    def on_alarm(signum: int, frame: object) -> None:
        raise CaseTimeout(f"case did not finish within {seconds} s (a hang?)")

    old = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def check_api_text(text: str, filename: str, base_dir: str) -> Conversion | None:
    """Property over the API: a Conversion with findings, or ONE Sup2CircusError line."""
    with time_limit(CASE_TIMEOUT):
        try:
            conv = sup2circus.convert_text(text, filename=filename, base_dir=base_dir)
        except Sup2CircusError as err:
            msg = str(err)
            assert "\n" not in msg, f"multi-line error: {msg!r}"
            assert msg.strip(), "empty error message"
            assert os.path.basename(filename) in msg, f"error does not name the file: {msg!r}"
            return None
    assert isinstance(conv.text, str)
    assert "[circus]" in conv.text
    assert all(isinstance(f, Finding) for f in conv.findings)
    for f in conv.findings:
        assert f.message.strip(), f
        assert isinstance(f.line, int) and f.line >= 0, f
    return conv


def cli_command() -> object:
    from sup2circus.cli import cli

    return cli


def assert_clean_cli(
    rc: int | None, out: str, err: str, names: list[str], need_line: bool = False
) -> None:
    """The CLI property on one finished run."""
    assert "Traceback" not in err and "Traceback" not in out, err[-3000:]
    if rc == 0:
        assert "[circus]" in out, f"exit 0 but no circus.ini on stdout; stderr={err[-500:]!r}"
        return
    assert rc == 2, f"exit {rc} (expected 0 or 2); stderr={err[-2000:]!r}"
    assert out == "", f"partial output on stdout after an error: {out[:300]!r}"
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1, f"error is not ONE line: {lines[:10]!r}"
    assert any(n in lines[0] for n in names), f"error does not name the file {names}: {lines[0]!r}"
    if need_line:
        pat = "|".join(re.escape(n) for n in names)
        assert re.search(rf"(?:{pat}):\d+", lines[0]), f"error names no file:line: {lines[0]!r}"


def invoke_cli(args: list[str], stdin: bytes | None = None) -> tuple[int | None, str, str]:
    """Run the CLI in-process with click's CliRunner, bounded by a timeout."""
    from click.testing import CliRunner

    runner = CliRunner()
    with time_limit(CASE_TIMEOUT):
        res = runner.invoke(
            cli_command(),  # type: ignore[arg-type]
            args,
            input=stdin,
            catch_exceptions=True,
            env={"SUP2CIRCUS_DEBUG": "1"},
        )
    if res.exception is not None and not isinstance(res.exception, SystemExit):
        import traceback

        tb = "".join(traceback.format_exception(res.exception))
        pytest.fail(f"CLI raised {res.exception!r} for {args}:\n{tb}")
    return res.exit_code, res.stdout, res.stderr


def entry_point() -> list[str]:
    exe = shutil.which("sup2circus")
    if exe:
        return [exe]
    return [sys.executable, "-c", "import sys; from sup2circus.cli import main; sys.exit(main())"]


def _limits() -> None:  # in the child: 2 GB of address space, no core files
    resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def run_real(
    args: list[str], stdin: bytes | None = None, timeout: float = 60, cwd: str | None = None
) -> tuple[int, str, str]:
    """The real entry point as a subprocess, under a time and memory limit."""
    try:
        res = subprocess.run(
            [*entry_point(), *args],
            input=stdin if stdin is not None else b"",
            capture_output=True,
            timeout=timeout,
            preexec_fn=_limits,
            cwd=cwd,
            env={**os.environ, "SUP2CIRCUS_DEBUG": "1"},
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"sup2circus {args} hung (> {timeout} s)")
    return (
        res.returncode,
        res.stdout.decode("utf-8", "replace"),
        res.stderr.decode("utf-8", "replace"),
    )


# --------------------------------------------------------------------------------------------
# hypothesis: the API


def test_valid_base_converts(tmp_path: Path) -> None:
    conv = check_api_text(VALID, str(tmp_path / "supervisord.conf"), str(tmp_path))
    assert conv is not None, "the unmutated base config must convert"
    assert "web:web_00" in conv.text or "web_00" in conv.text


@SETTINGS
@given(text=ini_text())
def test_api_random_ini(text: str) -> None:
    with tempfile.TemporaryDirectory(prefix="s2cfz") as d:
        check_api_text(text, os.path.join(d, "supervisord.conf"), d)


@SETTINGS
@given(
    target=st.sampled_from(MUTABLE),
    value=value_text,
)
def test_api_one_field_mutated(target: tuple[str, str], value: str) -> None:
    section, option = target
    assume(in_process_safe(option, value))
    text = mutate(VALID, section, option, value)
    with tempfile.TemporaryDirectory(prefix="s2cfz") as d:
        check_api_text(text, os.path.join(d, "supervisord.conf"), d)


@SETTINGS
@given(data=st.binary(max_size=400))
def test_api_random_bytes_file(data: bytes) -> None:
    with tempfile.TemporaryDirectory(prefix="s2cfz") as d:
        path = os.path.join(d, "supervisord.conf")
        with open(path, "wb") as fh:
            fh.write(data)
        with time_limit(CASE_TIMEOUT):
            try:
                conv = sup2circus.convert_file(path)
            except Sup2CircusError as err:
                assert "\n" not in str(err) and "supervisord.conf" in str(err), str(err)
            else:
                assert "[circus]" in conv.text


# --------------------------------------------------------------------------------------------
# hypothesis: the CLI in-process (CliRunner)


@SETTINGS
@given(
    target=st.sampled_from(MUTABLE),
    value=st.sampled_from(HOSTILE_VALUES),
)
def test_cli_one_field_mutated(target: tuple[str, str], value: str) -> None:
    section, option = target
    assume(in_process_safe(option, value))
    text = mutate(VALID, section, option, value)
    with tempfile.TemporaryDirectory(prefix="s2cfz") as d:
        path = os.path.join(d, "supervisord.conf")
        Path(path).write_text(text, encoding="utf-8")
        rc, out, err = invoke_cli([path])
        assert_clean_cli(rc, out, err, [path], need_line=True)


@SETTINGS
@given(text=ini_text())
def test_cli_random_ini_stdin(text: str) -> None:
    rc, out, err = invoke_cli(["-"], stdin=text.encode("utf-8", "surrogatepass"))
    assert_clean_cli(rc, out, err, ["<stdin>", "-"])


@SETTINGS
@given(data=st.binary(max_size=400))
def test_cli_random_bytes(data: bytes) -> None:
    with tempfile.TemporaryDirectory(prefix="s2cfz") as d:
        path = os.path.join(d, "supervisord.conf")
        Path(path).write_bytes(data)
        rc, out, err = invoke_cli([path])
        assert_clean_cli(rc, out, err, [path])


# --------------------------------------------------------------------------------------------
# explicit hostile files, through the real entry point (subprocess) or CliRunner

ENCODING_CASES = {
    "nul-byte": VALID.replace("/bin/sleep 1000", "/bin/sleep\x001000").encode(),
    "nul-in-header": VALID.replace("[program:worker]", "[program:wor\x00ker]").encode(),
    "invalid-utf8": VALID.encode().replace(b"/bin/sleep", b"/bin/sl\xff\xfeep"),
    "latin1-env": VALID.encode().replace(b'A="x y"', b'A="caf\xe9"'),
    "crlf": VALID.replace("\n", "\r\n").encode(),
    "cr-only": VALID.replace("\n", "\r").encode(),
    "bom": b"\xef\xbb\xbf" + VALID.encode(),
    "utf16": VALID.encode("utf-16"),
    "empty": b"",
    "only-comments": b"; nothing\n# here\n",
    "no-trailing-newline": VALID.rstrip("\n").encode(),
    "percent-at-end": VALID.replace("/bin/sleep 1000", "/bin/sleep 1000 %").encode(),
    "form-feed": VALID.replace("[program:worker]", "\x0c[program:worker]").encode(),
}


@pytest.mark.parametrize("case", sorted(ENCODING_CASES))
def test_cli_hostile_encodings(case: str, tmp_path: Path) -> None:
    path = tmp_path / "supervisord.conf"
    path.write_bytes(ENCODING_CASES[case])
    rc, out, err = invoke_cli([str(path)])
    assert_clean_cli(rc, out, err, [str(path)])


@pytest.mark.parametrize("case", ["nul-byte", "invalid-utf8", "bom", "crlf"])
def test_real_entry_point_hostile_encodings(case: str, tmp_path: Path) -> None:
    path = tmp_path / "supervisord.conf"
    path.write_bytes(ENCODING_CASES[case])
    rc, out, err = run_real([str(path)])
    assert_clean_cli(rc, out, err, [str(path)])
    # and the same bytes on stdin
    rc, out, err = run_real(["-"], stdin=ENCODING_CASES[case])
    assert_clean_cli(rc, out, err, ["<stdin>", "-"])


@pytest.mark.parametrize("numprocs", [HUGE, "10000000"])
def test_huge_numprocs_is_bounded(numprocs: str, tmp_path: Path) -> None:
    """supervisord would try to build that many process configs (and never start); the
    converter must answer (an error, or a finding) within seconds and bounded memory."""
    path = tmp_path / "supervisord.conf"
    path.write_text(
        "[program:web]\ncommand = /bin/true\nprocess_name = %(program_name)s_%(process_num)s\n"
        f"numprocs = {numprocs}\n",
        encoding="utf-8",
    )
    rc, out, err = run_real([str(path)], timeout=30)
    assert_clean_cli(rc, out, err, [str(path)], need_line=rc == 2)


def test_real_entry_point_random_bytes_stdin() -> None:
    rc, out, err = run_real(["-"], stdin=bytes(range(256)) * 4)
    assert_clean_cli(rc, out, err, ["<stdin>", "-"])


def test_real_entry_point_missing_file_and_directory(tmp_path: Path) -> None:
    missing = str(tmp_path / "nope.conf")
    rc, out, err = run_real([missing])
    assert_clean_cli(rc, out, err, [missing])
    assert rc == 2
    rc, out, err = run_real([str(tmp_path)])
    assert_clean_cli(rc, out, err, [str(tmp_path)])
    assert rc == 2


def test_real_entry_point_50mb_line(tmp_path: Path) -> None:
    path = tmp_path / "supervisord.conf"
    big = "x" * (50 * 1024 * 1024)
    path.write_text(VALID.replace("/bin/sleep 1000", f"/bin/echo {big}"), encoding="utf-8")
    out_file = tmp_path / "circus.ini"
    rc, out, err = run_real([str(path), "-o", str(out_file)], timeout=120)
    assert "Traceback" not in err, err[-3000:]
    assert out == "", "with -o, stdout carries nothing"
    assert len(err) < 100_000, "findings/errors echo the 50 MB value"
    assert rc in (0, 2), err[-2000:]
    if rc == 0:
        assert "[circus]" in out_file.read_text(encoding="utf-8")
    else:
        assert len([ln for ln in err.splitlines() if ln.strip()]) == 1
        assert not out_file.exists()
    del big


def _write_includer(d: Path, files: str, extra: str = "") -> Path:
    main = d / "supervisord.conf"
    main.write_text(
        "[supervisord]\nnodaemon = true\n\n[program:main]\ncommand = /bin/true\n\n"
        f"[include]\nfiles = {files}\n{extra}",
        encoding="utf-8",
    )
    return main


def test_include_inside_included_file(tmp_path: Path) -> None:
    (tmp_path / "conf.d").mkdir()
    inc = tmp_path / "conf.d" / "a.conf"
    inc.write_text(
        "[program:a]\ncommand = /bin/true\n\n[include]\nfiles = ../nested/*.conf\n",
        encoding="utf-8",
    )
    (tmp_path / "nested").mkdir()
    (tmp_path / "nested" / "b.conf").write_text("[program:b]\ncommand = /bin/true\n")
    main = _write_includer(tmp_path, "conf.d/*.conf")
    rc, out, err = invoke_cli([str(main)])
    assert_clean_cli(rc, out, err, [str(main)])
    assert rc == 0
    # supervisor reads `files` once, before reading the included files: the nested include is
    # not followed, and the converter says so with a finding located in a.conf.
    conv = sup2circus.convert_file(main)
    assert "[watcher:a]" in conv.text
    assert "[watcher:b]" not in conv.text
    assert any(f.file == str(inc) and f.section == "include" for f in conv.findings), [
        (f.code, f.file, f.section) for f in conv.findings
    ]


def test_include_of_a_directory(tmp_path: Path) -> None:
    (tmp_path / "conf.d").mkdir()
    (tmp_path / "conf.d" / "sub.conf").mkdir()  # a directory that matches the glob
    (tmp_path / "conf.d" / "ok.conf").write_text("[program:ok]\ncommand = /bin/true\n")
    main = _write_includer(tmp_path, "conf.d/*.conf conf.d")
    rc, out, err = invoke_cli([str(main)])
    assert_clean_cli(rc, out, err, [str(main), "sub.conf", "conf.d"])
    assert rc == 0 and "ok" in out


def test_include_of_broken_symlink_and_missing_glob(tmp_path: Path) -> None:
    (tmp_path / "conf.d").mkdir()
    os.symlink(tmp_path / "gone.conf", tmp_path / "conf.d" / "dangling.conf")
    main = _write_includer(tmp_path, "conf.d/*.conf nomatch/*.conf")
    rc, out, err = invoke_cli([str(main)])
    assert_clean_cli(rc, out, err, [str(main)])
    assert rc == 0
    conv = sup2circus.convert_file(main)
    messages = " | ".join(f"{f.file}:{f.line} {f.message}" for f in conv.findings)
    assert "dangling.conf" in messages, messages
    assert "nomatch" in messages, messages


def test_include_of_dev_zero_is_bounded(tmp_path: Path) -> None:
    """supervisord itself would read /dev/zero forever; the converter must not."""
    main = _write_includer(tmp_path, "/dev/zero")
    rc, out, err = run_real([str(main)], timeout=30)
    assert_clean_cli(rc, out, err, [str(main), "/dev/zero"])


def test_include_of_a_fifo_does_not_hang(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.conf")
    main = _write_includer(tmp_path, "pipe.conf")
    rc, out, err = run_real([str(main)], timeout=30)
    assert_clean_cli(rc, out, err, [str(main), "pipe.conf"])


@pytest.mark.slow
def test_include_of_thousands_of_files(tmp_path: Path) -> None:
    d = tmp_path / "conf.d"
    d.mkdir()
    n = 2000
    for i in range(n):
        (d / f"p{i:05d}.conf").write_text(f"[program:p{i:05d}]\ncommand = /bin/sleep {i}\n")
    main = _write_includer(tmp_path, "conf.d/*.conf")
    rc, out, err = run_real([str(main)], timeout=120)
    assert_clean_cli(rc, out, err, [str(main)])
    assert rc == 0
    assert out.count("[watcher:") == n + 1


def test_error_in_included_file_names_that_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "conf.d").mkdir()
    inc = tmp_path / "conf.d" / "bad.conf"
    inc.write_text("[program:bad]\ncommand = /bin/true\nautostart = perhaps\n")
    main = _write_includer(tmp_path, "conf.d/*.conf")
    rc, out, err = invoke_cli([str(main)])
    assert_clean_cli(rc, out, err, [str(inc)], need_line=True)
    assert rc == 2 and f"{inc}:3" in err


def test_error_leaves_no_output_file(tmp_path: Path) -> None:
    path = tmp_path / "supervisord.conf"
    path.write_text(mutate(VALID, "program:web", "numprocs", "many"), encoding="utf-8")
    out_file = tmp_path / "circus.ini"
    rc, out, err = invoke_cli([str(path), "-o", str(out_file)])
    assert_clean_cli(rc, out, err, [str(path)], need_line=True)
    assert rc == 2
    assert not out_file.exists()
    assert os.listdir(tmp_path) == ["supervisord.conf"], "a temp file was left behind"


# --------------------------------------------------------------------------------------------
# atheris (coverage-guided, libFuzzer) for a fixed number of iterations


def test_atheris_harness_fixed_budget(tmp_path: Path) -> None:
    pytest.importorskip("atheris")  # a published package; installed by the test extra
    harness = Path(__file__).resolve().parents[1] / "fuzz_atheris.py"
    corpus = tmp_path / "corpus"
    try:
        res = subprocess.run(
            [
                sys.executable,
                str(harness),
                "--seed",
                str(corpus),
                "-atheris_runs=2000",
                "-timeout=20",
                "-rss_limit_mb=2048",
                f"-artifact_prefix={tmp_path}/",
                str(corpus),
            ],
            capture_output=True,
            text=True,
            timeout=600,
        )
    except subprocess.TimeoutExpired:
        pytest.fail("the atheris run did not finish its 2000 iterations in 600 s")
    crashes = sorted(
        p.name for p in tmp_path.iterdir() if p.name.startswith(("crash-", "timeout-"))
    )
    assert res.returncode == 0 and not crashes, (crashes, res.stderr[-4000:])
    assert "Done 2000 runs" in res.stderr or "Done 2000 in" in res.stderr, res.stderr[-1000:]
