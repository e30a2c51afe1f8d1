"""The ``sup2circus`` command, driven with click's CliRunner over a fake converter.

The fake stands in for :mod:`sup2circus.api` so that every flag, exit code and output format
is tested independently of the real pipeline (tests/cli/test_cli_real.py runs the real one and the
installed entry point). Fake config syntax, one directive per line:

* ``...  ;! CODE [severity]``   a finding of CODE on this line (column of the first non-space);
* ``;!config-error``             the config is refused (ConfigError at this line);
* ``;!internal``                 an unexpected exception whose text holds a secret;
* ``;!include NAME``             also read NAME (relative to this file), like [include].
"""

from __future__ import annotations

import json
import os
import re
import socket
import stat
import sys
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

import sup2circus
from sup2circus import api, cli, output
from sup2circus.api import Conversion, ConvertOptions
from sup2circus.findings import ConfigError, Finding, InputError, Severity
from sup2circus.rules import RULES

SECRET = "hunter2-do-not-print"
_DIRECTIVE = re.compile(r";!\s*(S2C\d{3})(?:\s+(error|warning|info))?")
_SECTION = re.compile(r"^\s*\[(.+)\]")


def _fake_findings(path: str, text: str, texts: dict[str, str]) -> list[Finding]:
    """The findings the directives of ``text`` ask for; ``texts`` gets every file read, as
    Conversion.files_read and .texts name them."""
    texts[path] = text
    out: list[Finding] = []
    section = None
    for lineno, line in enumerate(text.splitlines(), 1):
        m = _SECTION.match(line)
        if m:
            section = m.group(1)
        if ";!config-error" in line:
            raise ConfigError("invalid value 'soon' for startsecs", path, lineno, hint="an integer")
        if ";!internal" in line:
            raise RuntimeError(f"boom {SECRET}")
        inc = re.search(r";!include\s+(\S+)", line)
        if inc:
            # like supervisor: relative to the directory of the including file, made absolute
            sub = os.path.join(os.path.dirname(os.path.abspath(path)), inc.group(1))
            with open(sub, encoding="utf-8") as fh:
                out += _fake_findings(sub, fh.read(), texts)
        for d in _DIRECTIVE.finditer(line):
            code = d.group(1)
            sev = Severity(d.group(2)) if d.group(2) else RULES[code].severity
            col = len(line) - len(line.lstrip()) + 1
            out.append(Finding(code, sev, f"fake {code}", path, lineno, section, None, col))
    return out


def _fake_convert(text: str, path: str, options: ConvertOptions) -> Conversion:
    texts: dict[str, str] = {}
    findings = _fake_findings(path, text, texts)
    out = f"# converted from {path}\n[circus]\ncheck_delay = 1\n"
    out += f"# exact={options.exact} no_wrappers={options.no_wrappers} "
    out += f"resolve_env={options.resolve_env} runtime_dir={options.runtime_dir}\n"
    return Conversion(
        text=out,
        findings=tuple(sorted(findings, key=Finding.sort_key)),
        source=path,
        files_read=tuple(texts),
        texts=texts,
    )


def fake_convert_file(
    path: str, options: ConvertOptions | None = None, *, render: bool = True
) -> Conversion:
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except FileNotFoundError:
        raise InputError("could not find config file", str(path)) from None
    except IsADirectoryError:
        raise InputError("is a directory, not a config file", str(path)) from None
    return _fake_convert(data.decode("utf-8"), str(path), options or ConvertOptions())


def fake_convert_text(
    text: str,
    *,
    filename: str = "<stdin>",
    base_dir: str | None = None,
    options: ConvertOptions | None = None,
    render: bool = True,
) -> Conversion:
    assert base_dir is None  # convert_text's default: the current directory
    return _fake_convert(text, filename, options or ConvertOptions())


@pytest.fixture(autouse=True)
def fake_api(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[None]:
    monkeypatch.setattr(api, "convert_file", fake_convert_file)
    monkeypatch.setattr(api, "convert_text", fake_convert_text)
    # A sibling of the test files: their absolute paths are shown as given (paths below the
    # current directory are shown relative to it, see test_paths_below_cwd_are_relative).
    monkeypatch.chdir(tmp_path_factory.mktemp("cwd"))
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("SUP2CIRCUS_DEBUG", raising=False)
    yield


def run(*args: str, input: str | bytes | None = None) -> Result:
    return CliRunner().invoke(cli.cli, ["--isolated", *args], input=input, catch_exceptions=False)


def write(path: Path, text: str) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return str(path)


GOOD = "[program:web]\ncommand = /bin/web\n"
WARN = "[program:web]\ncommand = /bin/web\nautorestart = unexpected ;! S2C101\n"
INFO = "[program:web]\ncommand = /bin/web ;! S2C106\n"
ERR = "[eventlistener:x] ;! S2C120\ncommand = /bin/x\n"


def text_findings(out: str) -> list[tuple[str, int, int, str, str]]:
    """Parse text-format finding lines: path:line:col: CODE severity message."""
    rows = []
    for line in out.splitlines():
        m = re.match(r"^(.*):(\d+):(\d+): (S2C\d{3}) (error|warning|info) (.*)$", line)
        if m:
            rows.append((m.group(1), int(m.group(2)), int(m.group(3)), m.group(4), m.group(5)))
    return rows


# ---------------------------------------------------------------------------- basics


def test_version() -> None:
    r = run("--version")
    assert r.exit_code == 0
    assert r.stdout.strip() == f"sup2circus {sup2circus.__version__}"


def test_help_explains_and_documents_exit_codes() -> None:
    r = run("--help")
    assert r.exit_code == 0
    out = r.stdout
    assert "Supervisor configuration" in out and "circus.ini" in out
    assert "sup2circus supervisord.conf > circus.ini" in out  # an example
    for code in ("0 ", "1 ", "2 ", "70 "):
        assert f"\n    {code}" in out
    assert "secrets" in out  # --resolve-env warns about baking secrets
    assert "-h, --help" in out


def test_no_file_is_a_usage_error() -> None:
    r = run()
    assert r.exit_code == 2
    assert r.stdout == ""
    assert "Usage:" in r.stderr
    assert "sup2circus: error: missing FILE" in r.stderr


def test_two_files_without_check_is_a_usage_error(tmp_path: Path) -> None:
    a, b = write(tmp_path / "a.conf", GOOD), write(tmp_path / "b.conf", GOOD)
    r = run(a, b)
    assert r.exit_code == 2
    assert "--check" in r.stderr


def test_unknown_option_is_a_usage_error() -> None:
    r = run("--frobnicate", "x.conf")
    assert r.exit_code == 2
    assert "No such option" in r.stderr


@pytest.mark.parametrize(
    "args",
    [
        ("--check",),
        ("--check", "-o", "out.ini", "a.conf"),
        ("--check", "--strict", "a.conf"),
        ("--check", "--verify", "a.conf"),
        ("--exit-zero", "a.conf"),
        ("--check", "--statistics", "--output-format", "sarif", "a.conf"),
        ("--check", "--statistics", "--output-format", "github", "a.conf"),
        ("--check", "-", "-"),
        ("--fail-on", "fatal", "a.conf"),
        ("--output-format", "xml", "a.conf"),
        ("--check", "--select", "XYZ", "a.conf"),
        ("--check", "--ignore", "S2C9999", "a.conf"),
        ("--check", "--severity", "S2C101", "a.conf"),
        ("--check", "--severity", "S2C101=fatal", "a.conf"),
        ("--check", "--config", "missing.toml", "a.conf"),
    ],
)
def test_usage_errors_exit_2(tmp_path: Path, args: tuple[str, ...]) -> None:
    write(tmp_path / "a.conf", WARN)
    r = run(*args)
    assert r.exit_code == 2, r.output
    assert r.stdout == ""
    assert "Traceback" not in r.stderr
    assert re.search(r"(sup2circus: error: |Error: )", r.stderr)
    assert not Path("out.ini").exists()


# ---------------------------------------------------------------------------- conversion mode


def test_convert_to_stdout_findings_on_stderr(tmp_path: Path) -> None:
    path = write(tmp_path / "s.conf", WARN)
    r = run(path)
    assert r.exit_code == 0
    assert r.stdout.startswith(f"# converted from {path}\n[circus]")
    rows = text_findings(r.stderr)
    assert rows == [(path, 3, 1, "S2C101", "warning")]
    assert "Found 1 finding" in r.stderr.splitlines()[-1]


def test_convert_without_findings_prints_nothing_on_stderr(tmp_path: Path) -> None:
    r = run(write(tmp_path / "s.conf", GOOD))
    assert r.exit_code == 0
    assert r.stderr == ""


def test_convert_json_findings_on_stderr(tmp_path: Path) -> None:
    path = write(tmp_path / "s.conf", WARN + "[program:b]\ncommand = b ;! S2C106\n")
    r = run("--output-format", "json", path)
    assert r.exit_code == 0
    assert "[circus]" in r.stdout and "S2C101" not in r.stdout
    data = json.loads(r.stderr)
    assert [d["code"] for d in data] == ["S2C101", "S2C106"]
    first = data[0]
    assert set(first) >= {
        "code",
        "severity",
        "message",
        "file",
        "line",
        "column",
        "section",
        "option",
        "explain",
    }
    assert first["severity"] == "warning"
    assert first["file"] == path and first["line"] == 3 and first["section"] == "program:web"
    assert first["explain"] == "sup2circus --explain S2C101"


def test_convert_json_without_findings_is_an_empty_array(tmp_path: Path) -> None:
    r = run("--output-format", "json", write(tmp_path / "s.conf", GOOD))
    assert r.exit_code == 0
    assert json.loads(r.stderr) == []


def test_stdin(tmp_path: Path) -> None:
    r = run("-", input=WARN)
    assert r.exit_code == 0
    assert r.stdout.startswith("# converted from <stdin>")
    assert text_findings(r.stderr) == [("<stdin>", 3, 1, "S2C101", "warning")]


def test_stdin_not_utf8() -> None:
    r = run("-", input=b"[program:x]\ncommand = \xff\xfe\n")
    assert r.exit_code == 2
    assert r.stdout == ""
    assert r.stderr.startswith("sup2circus: error: <stdin>: standard input is not UTF-8")


def test_options_are_passed_through(tmp_path: Path) -> None:
    path = write(tmp_path / "s.conf", GOOD)
    r = run(path)
    assert "exact=False no_wrappers=False resolve_env=False runtime_dir=/tmp" in r.stdout
    r = run("--exact", "--no-wrappers", "--resolve-env", "--runtime-dir", "/run/c", path)
    assert r.exit_code == 0
    assert "exact=True no_wrappers=True resolve_env=True runtime_dir=/run/c" in r.stdout


def test_input_error_is_one_line_exit_2(tmp_path: Path) -> None:
    r = run(str(tmp_path / "missing.conf"))
    assert r.exit_code == 2
    assert r.stdout == ""
    lines = r.stderr.splitlines()
    assert lines == [f"sup2circus: error: {tmp_path / 'missing.conf'}: could not find config file"]


def test_config_error_names_file_line_and_hint(tmp_path: Path) -> None:
    path = write(tmp_path / "s.conf", "[program:x]\nstartsecs = soon ;!config-error\n")
    r = run(path)
    assert r.exit_code == 2
    assert r.stdout == ""
    assert r.stderr == (
        f"sup2circus: error: {path}:2: invalid value 'soon' for startsecs (an integer)\n"
    )


def test_internal_error_exit_70_without_traceback_or_secret(tmp_path: Path) -> None:
    path = write(tmp_path / "s.conf", "[program:x]\n;!internal\n")
    r = run(path)
    assert r.exit_code == 70
    assert r.stdout == ""
    assert "internal error: RuntimeError" in r.stderr
    assert "please report" in r.stderr
    assert "Traceback" not in r.stderr
    assert SECRET not in r.stderr


def test_internal_error_traceback_with_debug(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SUP2CIRCUS_DEBUG", "1")
    r = run(write(tmp_path / "s.conf", ";!internal\n"))
    assert r.exit_code == 70
    assert "Traceback" in r.stderr


def test_keyboard_interrupt_exit_130(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(path: str, *a: object, **k: object) -> Conversion:
        raise KeyboardInterrupt

    monkeypatch.setattr(api, "convert_file", interrupted)
    r = run(write(tmp_path / "s.conf", GOOD))
    assert r.exit_code == 130
    assert "Traceback" not in r.stderr


# ---------------------------------------------------------------------------- -o PATH


def test_output_file_written_atomically(tmp_path: Path) -> None:
    src = write(tmp_path / "s.conf", WARN)
    out = tmp_path / "circus.ini"
    r = run("-o", str(out), src)
    assert r.exit_code == 0
    assert r.stdout == ""
    assert out.read_text().startswith(f"# converted from {src}")
    assert text_findings(r.stderr)  # findings still on stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["circus.ini", "s.conf"]
    mask = os.umask(0)
    os.umask(mask)
    assert out.stat().st_mode & 0o777 == 0o666 & ~mask


def test_output_file_keeps_mode_of_replaced_file(tmp_path: Path) -> None:
    out = tmp_path / "circus.ini"
    out.write_text("old\n")
    out.chmod(0o640)
    assert run("-o", str(out), write(tmp_path / "s.conf", GOOD)).exit_code == 0
    assert out.stat().st_mode & 0o777 == 0o640
    assert "[circus]" in out.read_text()


def test_output_dash_is_stdout(tmp_path: Path) -> None:
    r = run("-o", "-", write(tmp_path / "s.conf", GOOD))
    assert r.exit_code == 0 and "[circus]" in r.stdout


def test_output_untouched_on_input_error(tmp_path: Path) -> None:
    out = tmp_path / "circus.ini"
    out.write_text("old\n")
    r = run("-o", str(out), str(tmp_path / "missing.conf"))
    assert r.exit_code == 2
    assert out.read_text() == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["circus.ini"]


@pytest.mark.parametrize("exc", [OSError(28, "No space left on device"), KeyboardInterrupt()])
def test_output_untouched_and_no_temp_file_on_write_failure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, exc: BaseException
) -> None:
    src = write(tmp_path / "s.conf", GOOD)
    out = tmp_path / "circus.ini"
    out.write_text("old\n")

    def failing_replace(a: str, b: str) -> None:
        raise exc

    monkeypatch.setattr(output.os, "replace", failing_replace)
    r = run("-o", str(out), src)
    assert r.exit_code == (130 if isinstance(exc, KeyboardInterrupt) else 2)
    assert out.read_text() == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["circus.ini", "s.conf"]
    assert "Traceback" not in r.stderr
    if isinstance(exc, OSError):
        assert r.stderr.strip().endswith(f"cannot write {out}: No space left on device")


def test_output_never_overwrites_an_input_file(tmp_path: Path) -> None:
    src = write(tmp_path / "s.conf", GOOD + ";!include inc.conf\n")
    inc = write(tmp_path / "inc.conf", GOOD)
    for target in (src, inc):
        r = run("-o", target, src)
        assert r.exit_code == 2
        assert "refusing to overwrite the input file" in r.stderr
    assert Path(src).read_text().startswith(GOOD) and Path(inc).read_text() == GOOD
    # the same file under another name
    os.link(src, tmp_path / "hard.conf")
    r = run("-o", str(tmp_path / "hard.conf"), src)
    assert r.exit_code == 2
    assert "refusing to overwrite the input file" in r.stderr
    assert Path(src).read_text().startswith(GOOD)


@pytest.mark.parametrize("name", ["", "newdir/", "circus.ini/"])
def test_output_must_name_a_file(tmp_path: Path, name: str) -> None:
    # "" wrote to stdout; "newdir/" created a file named newdir; "circus.ini/" replaced it
    (tmp_path / "circus.ini").write_text("[circus]\n")
    target = f"{tmp_path}/{name}" if name else ""
    r = run("-o", target, write(tmp_path / "s.conf", GOOD))
    assert r.exit_code == 2
    assert "-o takes a file name" in r.stderr
    assert r.stdout == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["circus.ini", "s.conf"]
    assert (tmp_path / "circus.ini").read_text() == "[circus]\n"


def test_output_into_missing_directory(tmp_path: Path) -> None:
    out = tmp_path / "nope" / "circus.ini"
    r = run("-o", str(out), write(tmp_path / "s.conf", GOOD))
    assert r.exit_code == 2
    assert r.stderr.strip().endswith(
        f"cannot write {out}: cannot create a file in {out.parent} (No such file or directory)"
    )
    assert not out.parent.exists()


def _special_file(path: Path, kind: str) -> Iterator[None]:
    """Make ``path`` a ``kind`` of non-regular file (root makes device nodes)."""
    if kind == "directory":
        path.mkdir()
    elif kind == "fifo":
        os.mkfifo(path)
    elif kind == "character device":  # the same device as /dev/null
        os.mknod(path, 0o666 | stat.S_IFCHR, os.stat("/dev/null").st_rdev)
    elif kind == "socket":
        sock = socket.socket(socket.AF_UNIX)
        sock.bind(str(path))
        try:
            yield
        finally:
            sock.close()
        return
    yield


SPECIAL_KINDS = ["directory", "fifo", "character device", "socket"]


def _assert_refused(r: Result, path: Path, kind: str) -> None:
    assert r.exit_code == 2, r.stderr
    assert r.stdout == ""
    assert r.stderr.splitlines()[-1] == (
        f"sup2circus: error: cannot write {path}: it is a{'n' if kind[0] in 'aeiou' else ''} "
        f"{kind.replace('fifo', 'FIFO')}; -o replaces regular files only (left untouched)"
    )


@pytest.mark.parametrize("kind", SPECIAL_KINDS)
def test_output_refuses_what_is_not_a_regular_file(tmp_path: Path, kind: str) -> None:
    if kind == "character device" and os.geteuid() != 0:
        pytest.skip("making a device node needs root")
    target = tmp_path / "out" / "target"
    target.parent.mkdir()
    for _ in _special_file(target, kind):
        before = target.lstat()
        r = run("-o", str(target), write(tmp_path / "s.conf", GOOD))
        _assert_refused(r, target, kind)
        after = target.lstat()
        assert (after.st_mode, after.st_ino, after.st_rdev) == (
            before.st_mode,
            before.st_ino,
            before.st_rdev,
        )
        # nothing written into a directory, no temp file left beside the target
        assert [p.name for p in target.parent.iterdir()] == ["target"]
        if kind == "directory":
            assert list(target.iterdir()) == []


@pytest.mark.parametrize("kind", SPECIAL_KINDS)
def test_output_refuses_a_symlink_to_what_is_not_a_regular_file(tmp_path: Path, kind: str) -> None:
    if kind == "character device" and os.geteuid() != 0:
        pytest.skip("making a device node needs root")
    real = tmp_path / "real"
    link = tmp_path / "link"
    for _ in _special_file(real, kind):
        link.symlink_to(real)
        r = run("-o", str(link), write(tmp_path / "s.conf", GOOD))
        _assert_refused(r, link, kind)
        assert link.is_symlink() and os.readlink(link) == str(real)
        assert stat.S_IFMT(real.lstat().st_mode) != stat.S_IFREG


@pytest.mark.parametrize("existing", [True, False])
def test_output_through_a_symlink_replaces_the_file_it_leads_to(
    tmp_path: Path, existing: bool
) -> None:
    """The link stays a link; its target is replaced atomically in the target's directory."""
    (tmp_path / "links").mkdir()
    (tmp_path / "files").mkdir()
    real = tmp_path / "files" / "circus.ini"
    if existing:
        real.write_text("old\n")
        real.chmod(0o640)
    link = tmp_path / "links" / "circus.ini"
    link.symlink_to("../files/circus.ini")
    r = run("-o", str(link), write(tmp_path / "s.conf", GOOD))
    assert r.exit_code == 0, r.stderr
    assert link.is_symlink() and os.readlink(link) == "../files/circus.ini"
    assert real.read_text().startswith("# converted from")
    if existing:
        assert real.stat().st_mode & 0o777 == 0o640
    assert [p.name for p in (tmp_path / "links").iterdir()] == ["circus.ini"]
    assert [p.name for p in (tmp_path / "files").iterdir()] == ["circus.ini"]


def test_write_atomic_through_a_symlink_renames_in_the_target_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "files").mkdir()
    real = tmp_path / "files" / "f"
    real.write_text("old\n")
    link = tmp_path / "f"
    link.symlink_to(real)
    renames: list[tuple[str, str]] = []
    real_replace = os.replace

    def recording_replace(a: str, b: str) -> None:
        renames.append((a, b))
        real_replace(a, b)

    monkeypatch.setattr(output.os, "replace", recording_replace)
    output.write_atomic(str(link), "new\n")
    [(tmp, dest)] = renames
    assert dest == str(real) and os.path.dirname(tmp) == str(real.parent)
    assert real.read_text() == "new\n" and link.is_symlink()


def test_write_atomic_replaces_content(tmp_path: Path) -> None:
    target = tmp_path / "f"
    output.write_atomic(str(target), "one\n")
    output.write_atomic(str(target), "two ü\n")
    assert target.read_text(encoding="utf-8") == "two ü\n"
    assert [p.name for p in tmp_path.iterdir()] == ["f"]


# ---------------------------------------------------------------------------- --strict


def test_strict_fails_at_threshold_and_writes_nothing(tmp_path: Path) -> None:
    src = write(tmp_path / "s.conf", WARN)
    out = tmp_path / "circus.ini"
    out.write_text("old\n")
    r = run("--strict", "-o", str(out), src)
    assert r.exit_code == 1
    assert out.read_text() == "old\n"
    assert text_findings(r.stderr) == [(src, 3, 1, "S2C101", "warning")]
    assert "--strict" in r.stderr.splitlines()[-1]
    r = run("--strict", src)
    assert r.exit_code == 1 and r.stdout == ""


def test_strict_below_threshold_converts(tmp_path: Path) -> None:
    src = write(tmp_path / "s.conf", INFO)
    r = run("--strict", src)
    assert r.exit_code == 0 and "[circus]" in r.stdout
    r = run("--strict", "--fail-on", "info", src)
    assert r.exit_code == 1 and r.stdout == ""
    r = run("--strict", "--fail-on", "error", write(tmp_path / "w.conf", WARN))
    assert r.exit_code == 0


def test_strict_honours_severity_override_and_ignore(tmp_path: Path) -> None:
    src = write(tmp_path / "s.conf", WARN)
    assert run("--strict", "--severity", "S2C101=info", src).exit_code == 0
    assert run("--strict", "--ignore", "S2C1", src).exit_code == 0
    assert (
        run("--strict", "--severity", "S2C106=error", write(tmp_path / "i.conf", INFO)).exit_code
        == 1
    )


# ---------------------------------------------------------------------------- --verify


def test_verify_ok(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sup2circus.verify as verify_mod

    seen: list[Conversion] = []
    monkeypatch.setattr(verify_mod, "verify", lambda c: seen.append(c) or [])
    r = run("--verify", write(tmp_path / "s.conf", GOOD))
    assert r.exit_code == 0
    assert "[circus]" in r.stdout
    assert len(seen) == 1


def test_verify_mismatch_exit_1_and_no_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sup2circus.verify as verify_mod

    monkeypatch.setattr(verify_mod, "verify", lambda c: ["watcher 'web': argv differs"])
    out = tmp_path / "circus.ini"
    r = run("--verify", "-o", str(out), write(tmp_path / "s.conf", GOOD))
    assert r.exit_code == 1
    assert "sup2circus: verify: watcher 'web': argv differs" in r.stderr
    assert not out.exists()


def test_verify_without_circus_exit_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "circus" else real(name, *a)
    )
    r = run("--verify", write(tmp_path / "s.conf", GOOD))
    assert r.exit_code == 2
    assert r.stdout == ""
    assert "pip install 'sup2circus[circus]'" in r.stderr


def test_verify_import_error_of_circus_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sup2circus.verify as verify_mod

    def no_circus(c: Conversion) -> list[str]:
        raise ModuleNotFoundError("No module named 'circus'", name="circus")

    monkeypatch.setattr(verify_mod, "verify", no_circus)
    r = run("--verify", write(tmp_path / "s.conf", GOOD))
    assert r.exit_code == 2
    assert "circus extra" in r.stderr


# ---------------------------------------------------------------------------- --check


def test_check_clean_exit_0(tmp_path: Path) -> None:
    r = run("--check", write(tmp_path / "s.conf", GOOD))
    assert r.exit_code == 0
    assert r.stderr == ""
    assert r.stdout.splitlines() == ["All checks passed: 1 file, no findings."]


def test_check_findings_exit_1_on_stdout(tmp_path: Path) -> None:
    path = write(tmp_path / "s.conf", WARN)
    r = run("--check", path)
    assert r.exit_code == 1
    assert text_findings(r.stdout) == [(path, 3, 1, "S2C101", "warning")]
    assert r.stdout.splitlines()[-1] == (
        "Found 1 finding in 1 file: 1 warning; 1 at or above warning."
    )
    assert "[circus]" not in r.stdout  # nothing converted is printed


def test_check_writes_nothing(tmp_path: Path) -> None:
    path = write(tmp_path / "s.conf", WARN)
    before = sorted(os.listdir(tmp_path))
    run("--check", path)
    assert sorted(os.listdir(tmp_path)) == before


@pytest.mark.parametrize(
    ("fail_on", "content", "code"),
    [
        ("warning", INFO, 0),
        ("info", INFO, 1),
        ("warning", WARN, 1),
        ("error", WARN, 0),
        ("error", ERR, 1),
        ("ERROR", ERR, 1),
    ],
)
def test_check_fail_on(tmp_path: Path, fail_on: str, content: str, code: int) -> None:
    r = run("--check", "--show-info", "--fail-on", fail_on, write(tmp_path / "s.conf", content))
    assert r.exit_code == code
    assert len(text_findings(r.stdout)) == 1


def test_check_exit_zero(tmp_path: Path) -> None:
    r = run("--check", "--exit-zero", write(tmp_path / "s.conf", ERR))
    assert r.exit_code == 0
    assert text_findings(r.stdout)[0][3] == "S2C120"
    assert "(--exit-zero)" in r.stdout.splitlines()[-1]


def test_check_several_files_one_report(tmp_path: Path) -> None:
    a = write(tmp_path / "a.conf", WARN)
    b = write(tmp_path / "b.conf", INFO)
    c = write(tmp_path / "c.conf", GOOD)
    r = run("--check", "--show-info", a, b, c)
    assert r.exit_code == 1
    assert [(row[0], row[3]) for row in text_findings(r.stdout)] == [
        (a, "S2C101"),
        (b, "S2C106"),
    ]
    assert "in 3 files" in r.stdout.splitlines()[-1]
    data = json.loads(run("--check", "--output-format", "json", a, b, c).stdout)
    assert {d["file"] for d in data} == {a, b}
    sarif = json.loads(run("--check", "--output-format", "sarif", a, b, c).stdout)
    assert len(sarif["runs"]) == 1 and len(sarif["runs"][0]["results"]) == 2


def test_check_unreadable_file_reported_others_still_checked(tmp_path: Path) -> None:
    a = write(tmp_path / "a.conf", WARN)
    missing = str(tmp_path / "missing.conf")
    (tmp_path / "dir.conf").mkdir()
    r = run("--check", "--output-format", "json", missing, a, str(tmp_path / "dir.conf"))
    assert r.exit_code == 2
    data = json.loads(r.stdout)
    by_file = {d["file"]: d for d in data}
    assert by_file[a]["code"] == "S2C101"
    assert by_file[missing]["code"] == "S2C900"
    assert by_file[missing]["severity"] == "error"
    assert "could not find" in by_file[missing]["message"]
    assert by_file[str(tmp_path / "dir.conf")]["code"] == "S2C900"
    assert r.stderr == ""


def test_check_invalid_config_reported_exit_2(tmp_path: Path) -> None:
    bad = write(tmp_path / "bad.conf", "[program:x]\nstartsecs = soon ;!config-error\n")
    good = write(tmp_path / "good.conf", GOOD)
    r = run("--check", bad, good)
    assert r.exit_code == 2
    assert text_findings(r.stdout) == [(bad, 2, 1, "S2C901", "error")]
    assert "(an integer)" in r.stdout


def test_check_unreadable_even_with_exit_zero_and_ignore(tmp_path: Path) -> None:
    missing = str(tmp_path / "missing.conf")
    r = run("--check", "--exit-zero", "--ignore", "S2C9", missing)
    assert r.exit_code == 2
    assert text_findings(r.stdout)[0][3] == "S2C900"


def test_check_stdin(tmp_path: Path) -> None:
    r = run("--check", "--show-info", "-", write(tmp_path / "b.conf", INFO), input=WARN)
    assert r.exit_code == 1
    assert {row[0] for row in text_findings(r.stdout)} == {"<stdin>", str(tmp_path / "b.conf")}


def test_check_included_file_reported_once_in_context(tmp_path: Path) -> None:
    main = write(tmp_path / "supervisord.conf", "[supervisord]\n;!include conf.d/web.conf\n")
    web = write(tmp_path / "conf.d" / "web.conf", WARN)
    r = run("--check", "--output-format", "json", main, web)
    data = json.loads(r.stdout)
    assert [(d["file"], d["code"]) for d in data] == [(str(tmp_path / "conf.d/web.conf"), "S2C101")]
    # the same file alone is still checked when nothing includes it
    r = run("--check", "--output-format", "json", web)
    assert [d["file"] for d in json.loads(r.stdout)] == [web]


def test_paths_below_cwd_are_relative(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    main = write(tmp_path / "supervisord.conf", "[supervisord]\n;!include conf.d/web.conf\n")
    write(tmp_path / "conf.d" / "web.conf", WARN)
    monkeypatch.chdir(tmp_path)
    r = run("--check", main)
    assert [row[0] for row in text_findings(r.stdout)] == [os.path.join("conf.d", "web.conf")]
    r = run(main)
    assert [row[0] for row in text_findings(r.stderr)] == [os.path.join("conf.d", "web.conf")]


def test_check_same_file_twice_counted_once(tmp_path: Path) -> None:
    a = write(tmp_path / "a.conf", WARN)
    r = run("--check", "--output-format", "json", a, a)
    assert len(json.loads(r.stdout)) == 1


@pytest.mark.parametrize("fmt", ["github", "sarif"])
def test_check_formats_exit_codes(tmp_path: Path, fmt: str) -> None:
    assert run("--check", "--output-format", fmt, write(tmp_path / "a.conf", WARN)).exit_code == 1
    assert run("--check", "--output-format", fmt, write(tmp_path / "b.conf", GOOD)).exit_code == 0


def test_check_github_annotations(tmp_path: Path) -> None:
    path = write(tmp_path / "a.conf", WARN + "[program:b]\ncommand=b ;! S2C106\n" + ERR)
    r = run("--check", "--output-format", "github", path)
    lines = r.stdout.splitlines()
    parsed = [re.match(r"^::(\w+) (.*?)::(.*)$", line) for line in lines]
    assert all(parsed)
    levels = [m.group(1) for m in parsed if m]
    assert levels == ["warning", "notice", "error"]
    props = dict(kv.split("=", 1) for kv in parsed[0].group(2).split(",")) if parsed[0] else {}
    assert props == {"file": path, "line": "3", "col": "1", "title": "S2C101"}


def test_check_select_ignore(tmp_path: Path) -> None:
    path = write(
        tmp_path / "a.conf",
        "[program:a] ;! S2C101\ncommand = x ;! S2C106\nuser = u ;! S2C011\n[x] ;! S2C006\n",
    )

    def codes(*flags: str) -> list[str]:
        r = run("--check", "--output-format", "json", *flags, path)
        return [d["code"] for d in json.loads(r.stdout)]

    assert codes() == ["S2C101", "S2C106", "S2C011", "S2C006"]
    assert codes("--select", "S2C1") == ["S2C101", "S2C106"]
    assert codes("--select", "S2C101,S2C0") == ["S2C101", "S2C011", "S2C006"]
    assert codes("--select", "S2C101", "--select", "S2C006") == ["S2C101", "S2C006"]
    assert codes("--ignore", "S2C1") == ["S2C011", "S2C006"]
    assert codes("--select", "S2C1", "--ignore", "S2C101") == ["S2C106"]
    assert codes("--select", "S2C101", "--ignore", "S2C1") == ["S2C101"]  # more specific wins
    assert codes("--select", "ALL", "--ignore", "s2c106") == ["S2C101", "S2C011", "S2C006"]


def test_check_severity_override(tmp_path: Path) -> None:
    path = write(tmp_path / "a.conf", INFO)
    r = run("--check", "--severity", "S2C106=error", path)
    assert r.exit_code == 1
    assert text_findings(r.stdout)[0][4] == "error"
    r = run("--check", "--severity", "S2C106=warning", "--severity", "S2C1=info", path)
    assert text_findings(r.stdout)[0][4] == "warning"  # the exact code beats the prefix
    r = run("--check", "--severity", "S2C101=info", write(tmp_path / "w.conf", WARN))
    assert r.exit_code == 0


def test_check_statistics(tmp_path: Path) -> None:
    path = write(
        tmp_path / "a.conf",
        "[program:a] ;! S2C101\n[program:b] ;! S2C101\n[program:c] ;! S2C106\n",
    )
    r = run("--check", "--statistics", path)
    assert r.exit_code == 1
    rows = [line.split() for line in r.stdout.splitlines()[:-1]]
    assert rows == [
        ["2", "S2C101", "warning", "autorestart-unexpected"],
        ["1", "S2C106", "info", "stdin"],
    ]
    assert r.stdout.splitlines()[-1].startswith("Found 3 findings")
    assert "Not listed" not in r.stdout  # the table lists the infos too
    data = json.loads(run("--check", "--statistics", "--output-format", "json", path).stdout)
    assert [(d["code"], d["count"], d["severity"]) for d in data] == [
        ("S2C101", 2, "warning"),
        ("S2C106", 1, "info"),
    ]


def test_check_colour_only_on_tty(tmp_path: Path) -> None:
    r = run("--check", write(tmp_path / "a.conf", WARN))
    assert "\x1b[" not in r.stdout  # CliRunner's stdout is not a terminal


# ---------------------------------------------------------------------------- --explain


@pytest.mark.parametrize("code", ["S2C017", "S2C009"])
def test_explain_a_finding_about_the_whole_file_suppresses_it_file_wide(code: str) -> None:
    # S2C017 and S2C009 stand on line 1 with no section: a comment on a line cannot cover them
    text = run("--explain", code).stdout
    assert f"; sup2circus: ignore-file={code}" in text
    assert f"; sup2circus: ignore={code}" not in text


def test_explain(tmp_path: Path) -> None:
    r = run("--explain", "S2C101")
    assert r.exit_code == 0
    out = r.stdout
    assert out.startswith("S2C101 autorestart-unexpected: ")
    for heading in ("What supervisor does", "What circus does", "How to fix", "How to suppress"):
        assert heading in out
    assert "Example:" in out and "[program:job]" in out
    assert "http" not in out  # no made-up address: this page is the documentation
    assert run("--explain", "s2c101").stdout == out
    assert run("--explain", "autorestart-unexpected").stdout == out


@pytest.mark.parametrize("code", sorted(RULES))
def test_explain_every_rule(code: str) -> None:
    r = run("--explain", code)
    assert r.exit_code == 0
    assert r.stdout.startswith(f"{code} {RULES[code].name}: ")


def test_a_retired_code_is_explained_and_accepted() -> None:
    """A code that was removed is never reused: --explain says why it went, and settings that
    name it still work (it matches nothing)."""
    from sup2circus.rules import RETIRED
    from sup2circus.settings import SettingsError, parse_code_list

    for code in RETIRED:
        assert code not in RULES
        r = run("--explain", code)
        assert r.exit_code == 0 and r.stdout.startswith(f"{code} (retired, no longer reported)")
        assert parse_code_list([f"{code},S2C1"], "--ignore") == (code, "S2C1")
    with pytest.raises(SettingsError, match="not a sup2circus code"):
        parse_code_list(["S2C999"], "--ignore")


def test_explain_unknown_code_suggests() -> None:
    r = run("--explain", "S2C1011")
    assert r.exit_code == 2
    assert "unknown code" in r.stderr and "S2C101" in r.stderr


# ---------------------------------------------------------------------------- suppressions


def test_suppression_comments_apply_in_both_modes(tmp_path: Path) -> None:
    path = write(
        tmp_path / "a.conf",
        "[program:a]\ncommand = x ;! S2C106  ; sup2circus: ignore=S2C106\n",
    )
    r = run("--check", path)
    assert r.exit_code == 0
    assert r.stdout.splitlines() == ["All checks passed: 1 file, no findings (1 suppressed)."]
    r = run(path)
    assert r.stderr == ""


def test_unused_suppression_reported(tmp_path: Path) -> None:
    path = write(tmp_path / "a.conf", "[program:a]\ncommand = x  ; sup2circus: ignore=S2C117\n")
    r = run("--check", path)
    assert r.exit_code == 1  # S2C902 is a warning
    assert text_findings(r.stdout) == [(path, 2, 14, "S2C902", "warning")]
    assert run("--check", "--ignore", "S2C902", path).exit_code == 0


# ---------------------------------------------------------------------------- config file


def test_config_discovery_and_precedence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    proj = tmp_path / "proj"
    sub = proj / "deploy" / "supervisor"
    sub.mkdir(parents=True)
    (proj / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.sup2circus]\nignore = ["S2C106"]\nfail-on = "info"\n'
        'exact = true\n\n[tool.sup2circus.severity]\nS2C101 = "error"\n'
    )
    path = write(sub / "s.conf", WARN + "[program:b]\ncommand = b ;! S2C106\n")
    monkeypatch.chdir(sub)

    def invoke(*args: str) -> Result:
        return CliRunner().invoke(cli.cli, list(args), catch_exceptions=False)

    r = invoke("--check", "--output-format", "json", path)
    data = json.loads(r.stdout)
    assert [(d["code"], d["severity"]) for d in data] == [("S2C101", "error")]
    # flags win over the file
    r = invoke("--check", "--output-format", "json", "--ignore", "S2C101", path)
    assert [d["code"] for d in json.loads(r.stdout)] == ["S2C106"]
    assert r.exit_code == 1  # fail-on = info from the file
    r = invoke("--check", "--ignore", "S2C101", "--fail-on", "warning", path)
    assert r.exit_code == 0
    r = invoke("--check", "--output-format", "json", "--severity", "S2C101=info", path)
    assert [d["severity"] for d in json.loads(r.stdout)] == ["info"]
    # exact = true reaches the converter
    assert "exact=True" in invoke(path).stdout
    # --isolated ignores the file
    r = invoke("--isolated", "--check", "--output-format", "json", path)
    assert [d["code"] for d in json.loads(r.stdout)] == ["S2C101", "S2C106"]
    # --config names another file
    other = tmp_path / "lint.toml"
    other.write_text('[tool.sup2circus]\nselect = ["S2C106"]\n')
    r = invoke("--config", str(other), "--check", "--output-format", "json", path)
    assert [d["code"] for d in json.loads(r.stdout)] == ["S2C106"]


def test_config_skips_pyproject_without_table(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.sup2circus]\nignore = ["S2C101"]\n')
    inner = tmp_path / "inner"
    inner.mkdir()
    (inner / "pyproject.toml").write_text("[tool.ruff]\nline-length = 100\n# sup2circus\n")
    monkeypatch.chdir(inner)
    path = write(inner / "s.conf", WARN)
    r = CliRunner().invoke(cli.cli, ["--check", path], catch_exceptions=False)
    assert r.exit_code == 0


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('[tool.sup2circus]\nignroe = ["S2C101"]\n', "did you mean 'ignore'"),
        ('[tool.sup2circus]\nignore = ["NOPE"]\n', "not a sup2circus code"),
        ('[tool.sup2circus]\nfail-on = "fatal"\n', "unknown severity"),
        ("[tool.sup2circus]\nexact = 1\n", "exact must be true or false"),
        ("[tool.sup2circus\n", "invalid TOML"),
        ("[tool.sup2circus]\nignore = " + "[" * 100_000 + "\n", "nested too deeply"),
        ('[tool.sup2circus.severity]\nS2C101 = "loud"\n', "unknown severity"),
    ],
)
def test_bad_config_is_exit_2(tmp_path: Path, toml: str, message: str) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text(toml)
    r = run("--check", "--config", str(cfg), write(tmp_path / "s.conf", GOOD))
    # run() passes --isolated, and --config still wins: a named file is always read
    assert r.exit_code == 2
    assert message in r.stderr
    assert r.stdout == ""


@pytest.mark.parametrize(
    ("toml", "line"),
    [
        ("[tool.sup2circus]\nfail-on = \n", 2),  # tomllib: "(at line 2, column 11)"
        ("[tool.sup2circus]\nselect = [\n", None),  # tomllib: "(at end of document)"
        ('[tool.sup2circus]\nignroe = ["S2C101"]\n', None),
        ('[tool.sup2circus]\nignore = ["NOPE"]\n', None),
    ],
)
def test_a_bad_config_file_is_located_in_every_format(
    tmp_path: Path, toml: str, line: int | None
) -> None:
    # json and github name the file (and the line tomllib gives) as they do for a bad config;
    # the text format says it once
    cfg = tmp_path / "c.toml"
    cfg.write_text(toml)
    conf = write(tmp_path / "s.conf", GOOD)
    r = run("--check", "--config", str(cfg), "--output-format", "json", conf)
    assert r.exit_code == 2
    error = json.loads(r.stdout)["error"]
    assert (error["file"], error["line"]) == (str(cfg), line)
    assert str(cfg) not in error["message"]
    r = run("--check", "--config", str(cfg), "--output-format", "github", conf)
    assert f"::error file={cfg}," in r.stdout or f"::error file={cfg}::" in r.stdout, r.stdout
    r = run("--check", "--config", str(cfg), conf)
    assert r.stderr.count(str(cfg)) == 1, r.stderr


def test_main_entry_point_in_process(
    tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    with pytest.raises(SystemExit) as exc:
        cli.main(["--version"])
    assert exc.value.code == 0
    assert capsysbinary.readouterr().out.decode().startswith("sup2circus ")
    with pytest.raises(SystemExit) as exc:
        cli.main(["--isolated", "--check", write(tmp_path / "a.conf", WARN)])
    assert exc.value.code == 1
    with pytest.raises(SystemExit) as exc:
        cli.main(["--nope"])
    assert exc.value.code == 2
    assert b"No such option" in capsysbinary.readouterr().err


def test_click_is_the_only_heavy_import() -> None:
    """Cold start: the CLI module must not import json/tomllib/circus/supervisor at import time."""
    import subprocess

    code = (
        "import sys, sup2circus.cli; "
        "bad = [m for m in ('json', 'tomllib', 'circus', 'supervisor', 'sup2circus.verify', "
        "'sup2circus.report', 'sup2circus.settings') if m in sys.modules]; print(bad)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
    assert click  # imported by the test module itself


@pytest.mark.parametrize("chunk", [1, 2, 3, 7])
def test_output_is_encoded_in_chunks_without_changing_a_byte(
    monkeypatch: pytest.MonkeyPatch, chunk: int
) -> None:
    # circus.ini and reports are encoded a chunk of characters at a time (never held twice):
    # multi-byte characters, astral ones and lone surrogates at chunk edges must not change
    from sup2circus import output

    monkeypatch.setattr(output, "_CHUNK", chunk)
    text = "a\u00e9b\U0001f600c\udcffd\u4e2d\n" * 3
    for errors in ("backslashreplace", "surrogateescape"):
        assert b"".join(output.encoded(text, errors)) == text.encode("utf-8", errors)
    assert list(output.encoded("")) == []


# ---------------------------------------------------------------------------- --show-info

WARN_AND_INFO = WARN + "[program:db]\ncommand = /bin/db ;! S2C106\nstdout_logfile = x ;! S2C110\n"


@pytest.mark.parametrize("check", [False, True], ids=["convert", "check"])
def test_text_lists_warnings_and_counts_infos(tmp_path: Path, check: bool) -> None:
    path = write(tmp_path / "s.conf", WARN_AND_INFO)
    r = run(*(["--check"] if check else []), path)
    report = r.stdout if check else r.stderr
    assert r.exit_code == (1 if check else 0)
    assert text_findings(report) == [(path, 3, 1, "S2C101", "warning")]
    assert report.splitlines()[-1] == (
        "Found 3 findings in 1 file: 1 warning, 2 infos; 1 at or above warning. "
        "Not listed: 2 infos (--show-info lists them)."
    )
    shown = run(*(["--check"] if check else []), "--show-info", path)
    listed = shown.stdout if check else shown.stderr
    assert [row[3] for row in text_findings(listed)] == ["S2C101", "S2C106", "S2C110"]
    assert "Not listed" not in listed
    # infos that fail are listed without --show-info
    failing = run(*(["--check"] if check else []), "--fail-on", "info", path)
    assert len(text_findings(failing.stdout if check else failing.stderr)) == 3


def test_only_infos_leave_one_summary_line(tmp_path: Path) -> None:
    r = run(write(tmp_path / "s.conf", INFO))
    assert r.exit_code == 0
    assert r.stderr == (
        "Found 1 finding in 1 file: 1 info; 0 at or above warning. "
        "Not listed: 1 info (--show-info lists them).\n"
    )


@pytest.mark.parametrize("fmt", ["json", "github", "sarif"])
def test_machine_formats_keep_the_infos(tmp_path: Path, fmt: str) -> None:
    path = write(tmp_path / "s.conf", WARN_AND_INFO)
    r = run("--check", "--output-format", fmt, path)
    for code in ("S2C101", "S2C106", "S2C110"):
        assert code in r.stdout
    assert r.stdout == run("--check", "--show-info", "--output-format", fmt, path).stdout


# ---------------------------------------------------------------------------- failures in format


def _failure(doc: str) -> dict[str, object]:
    data = json.loads(doc)  # the whole stream is one JSON document
    assert isinstance(data, dict)
    return data


def test_json_fatal_config_error_is_json(tmp_path: Path) -> None:
    path = write(tmp_path / "s.conf", "[program:web]\nstartsecs = soon ;!config-error\n")
    r = run("--output-format", "json", path)
    assert r.exit_code == 2 and r.stdout == ""
    assert _failure(r.stderr) == {
        "error": {
            "message": "invalid value 'soon' for startsecs (an integer)",
            "file": path,
            "line": 2,
            "details": [],
        },
        "exit_code": 2,
        "findings": [],
    }
    text = run(path)
    assert (
        text.stderr
        == f"sup2circus: error: {path}:2: invalid value 'soon' for startsecs (an integer)\n"
    )


def test_json_fatal_missing_file_is_json(tmp_path: Path) -> None:
    missing = str(tmp_path / "missing.conf")
    r = run("--output-format", "json", missing)
    assert r.exit_code == 2 and r.stdout == ""
    error = _failure(r.stderr)["error"]
    assert isinstance(error, dict) and error["file"] == missing
    assert error["message"] == "could not find config file"


def test_json_unwritable_output_keeps_the_findings(tmp_path: Path) -> None:
    path = write(tmp_path / "s.conf", WARN)
    (tmp_path / "d").mkdir()
    r = run("--output-format", "json", "-o", str(tmp_path / "d"), path)
    assert r.exit_code == 2 and r.stdout == ""
    doc = _failure(r.stderr)
    assert doc["exit_code"] == 2
    assert doc["error"] == {
        "message": f"cannot write {tmp_path / 'd'}: it is a directory; -o replaces regular "
        "files only (left untouched)",
        "file": None,
        "line": None,
        "details": [],
    }
    findings = doc["findings"]
    assert isinstance(findings, list) and [f["code"] for f in findings] == ["S2C101"]


def test_json_strict_failure_is_one_document(tmp_path: Path) -> None:
    r = run("--output-format", "json", "--strict", write(tmp_path / "s.conf", WARN))
    assert r.exit_code == 1 and r.stdout == ""
    doc = _failure(r.stderr)
    assert doc["exit_code"] == 1
    assert doc["error"]["message"].startswith("--strict: 1 finding(s)")  # type: ignore[index]


def test_json_verify_failure_lists_the_problems(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sup2circus.verify as verify_mod

    monkeypatch.setattr(verify_mod, "verify", lambda c: ["watcher 'web': argv differs"])
    r = run("--output-format", "json", "--verify", write(tmp_path / "s.conf", GOOD))
    assert r.exit_code == 1 and r.stdout == ""
    error = _failure(r.stderr)["error"]
    assert isinstance(error, dict)
    assert error["details"] == ["verify: watcher 'web': argv differs"]


def test_json_verify_without_circus_is_json(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "circus" else real(name, *a)
    )
    r = run("--output-format", "json", "--verify", write(tmp_path / "s.conf", GOOD))
    assert r.exit_code == 2 and r.stdout == ""
    assert "pip install" in _failure(r.stderr)["error"]["message"]  # type: ignore[index]


def test_check_json_bad_setting_is_json_on_stdout(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.sup2circus]\nfail-on = "fatal"\n')
    path = write(tmp_path / "s.conf", WARN)
    r = CliRunner().invoke(
        cli.cli,
        ["--check", "--config", str(tmp_path / "pyproject.toml"), "--output-format", "json", path],
    )
    assert r.exit_code == 2
    assert r.stderr == ""
    doc = _failure(r.stdout)
    assert doc["exit_code"] == 2 and doc["findings"] == []
    assert "fail-on" in doc["error"]["message"]  # type: ignore[index]


def test_github_fatal_error_is_an_error_command(tmp_path: Path) -> None:
    path = write(tmp_path / "s.conf", "[program:web]\nstartsecs = soon ;!config-error\n")
    r = run("--output-format", "github", path)
    assert r.exit_code == 2 and r.stdout == ""
    assert r.stderr == (
        f"::error file={path},line=2,title=sup2circus::"
        "invalid value 'soon' for startsecs (an integer)\n"
    )


def test_sarif_fatal_error_is_a_failed_invocation(tmp_path: Path) -> None:
    path = write(tmp_path / "s.conf", "[program:web]\nstartsecs = soon ;!config-error\n")
    r = run("--output-format", "sarif", path)
    assert r.exit_code == 2 and r.stdout == ""
    (sarif_run,) = json.loads(r.stderr)["runs"]
    assert sarif_run["results"] == []
    (invocation,) = sarif_run["invocations"]
    assert invocation["executionSuccessful"] is False and invocation["exitCode"] == 2
    (note,) = invocation["toolExecutionNotifications"]
    assert note["message"]["text"] == "invalid value 'soon' for startsecs (an integer)"


def test_usage_errors_stay_text_in_every_format() -> None:
    r = run("--output-format", "json")
    assert r.exit_code == 2 and r.stdout == ""
    assert "sup2circus: error: missing FILE" in r.stderr


# ---------------------------------------------------------------------------- --verify says what


def test_verify_ok_says_what_it_verified(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sup2circus.verify as verify_mod

    monkeypatch.setattr(verify_mod, "verify", lambda c: [])
    monkeypatch.setattr(verify_mod, "verified", lambda c: "circus 9.9 loads 2 watchers as intended")
    r = run("--verify", write(tmp_path / "s.conf", GOOD))
    assert r.exit_code == 0
    assert r.stderr == "sup2circus: verify: circus 9.9 loads 2 watchers as intended\n"
    # the json report stays one document
    r = run("--verify", "--output-format", "json", write(tmp_path / "s.conf", GOOD))
    assert json.loads(r.stderr) == []


# ---------------------------------------------------------------------------- --explain lists


def test_explain_without_code_lists_every_code() -> None:
    r = run("--explain")
    assert r.exit_code == 0 and r.stderr == ""
    lines = r.stdout.splitlines()
    assert len(lines) == len(RULES)
    for line, rule in zip(lines, RULES.values(), strict=True):
        code, severity, title = line.split(None, 2)
        assert (code, severity, title) == (rule.code, rule.severity.value, rule.title)


@pytest.mark.parametrize(
    ("runtime_dir", "why"),
    [
        ("", "must be an absolute directory path"),
        ("run/circus", "must be an absolute directory path"),
        ("/tmp/a\nb", "must be an absolute directory path"),
        ("/tmp/" + "d" * 100, "is too long: circusd's socket"),  # AF_UNIX: 107 bytes
    ],
)
def test_a_runtime_dir_circusd_cannot_bind_in_is_refused(
    tmp_path: Path, runtime_dir: str, why: str
) -> None:
    # '' became the root directory, a long one an endpoint circusd cannot bind (--verify passed)
    r = run("--runtime-dir", runtime_dir, write(tmp_path / "s.conf", GOOD))
    assert r.exit_code == 2
    assert why in r.stderr
    with pytest.raises(ValueError, match=why.split(":")[0]):
        ConvertOptions(runtime_dir=runtime_dir)
