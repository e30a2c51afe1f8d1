"""Lint machinery: inline suppressions (sup2circus.suppress) and settings (sup2circus.settings)."""

from __future__ import annotations

from pathlib import Path

import pytest

from sup2circus import settings as st
from sup2circus import suppress
from sup2circus.findings import Finding, Severity

W = Severity.WARNING


def f(code: str, line: int, file: str = "s.conf", sev: Severity = W) -> Finding:
    return Finding(code, sev, f"m {code}", file, line)


def run(text: str, findings: list[Finding], file: str = "s.conf") -> suppress.Outcome:
    return suppress.apply(findings, {file: text})


# ---------------------------------------------------------------------------- suppressions

CONF = """\
[supervisord]
nodaemon = true

[program:web]
command = bin/web  ; sup2circus: ignore=S2C117
; sup2circus: ignore=S2C111
stdout_logfile_backups = 0
environment =
    A="1",  ; sup2circus: ignore=S2C115
    B="2"

; sup2circus: ignore=S2C101,S2C102
[program:job]
command = /bin/job
user = nobody

[program:other]  # sup2circus: ignore=S2C106
command = /bin/other
"""


def test_option_line_suppression() -> None:
    out = run(CONF, [f("S2C117", 5), f("S2C117", 7), f("S2C104", 5)])
    assert [(x.code, x.line) for x in out.kept] == [("S2C117", 7), ("S2C104", 5)]
    assert [(x.code, x.line) for x in out.suppressed] == [("S2C117", 5)]


def test_comment_above_option() -> None:
    out = run(CONF, [f("S2C111", 7), f("S2C111", 8)])
    assert [x.line for x in out.suppressed] == [7]
    assert [x.line for x in out.kept] == [8]


def test_continuation_line_comment_covers_whole_option() -> None:
    out = run(CONF, [f("S2C115", 8), f("S2C115", 9), f("S2C115", 10), f("S2C115", 12)])
    assert [x.line for x in out.suppressed] == [8, 9, 10]
    assert [x.line for x in out.kept] == [12]


def test_comment_above_section_covers_whole_section() -> None:
    out = run(CONF, [f("S2C101", 13), f("S2C102", 15), f("S2C101", 4), f("S2C101", 17)])
    assert [x.line for x in out.suppressed] == [13, 15]
    assert [x.line for x in out.kept] == [4, 17]


def test_section_header_inline_comment_with_hash() -> None:
    out = run(CONF, [f("S2C106", 17), f("S2C106", 18), f("S2C106", 15)])
    assert [x.line for x in out.suppressed] == [17, 18]
    assert [x.line for x in out.kept] == [15]


def test_prefix_and_case() -> None:
    text = "[program:a]\ncommand = x  ;SUP2CIRCUS: Ignore = s2c1\n"
    out = run(text, [f("S2C117", 2), f("S2C106", 2), f("S2C011", 2)])
    assert [x.code for x in out.suppressed] == ["S2C117", "S2C106"]
    assert [x.code for x in out.kept] == ["S2C011"]
    assert out.unused == []


def test_ignore_file() -> None:
    text = "; sup2circus: ignore-file=S2C106\n[program:a]\ncommand = x\n[program:b]\ncommand = y\n"
    out = run(text, [f("S2C106", 3), f("S2C106", 5), f("S2C106", 5, file="other.conf")])
    assert [(x.file, x.line) for x in out.suppressed] == [("s.conf", 3), ("s.conf", 5)]
    assert [x.file for x in out.kept] == ["other.conf"]


def test_each_file_has_its_own_suppressions(tmp_path: Path) -> None:
    texts = {
        "main.conf": "[include]\nfiles = conf.d/*.conf\n",
        "conf.d/a.conf": "[program:a]\ncommand = x  ; sup2circus: ignore=S2C106\n",
    }
    out = suppress.apply([f("S2C106", 2, "conf.d/a.conf"), f("S2C106", 2, "main.conf")], texts)
    assert [x.file for x in out.suppressed] == ["conf.d/a.conf"]
    assert [x.file for x in out.kept] == ["main.conf"]


def test_finding_file_matched_by_real_path(tmp_path: Path) -> None:
    p = tmp_path / "s.conf"
    p.write_text("[program:a]\ncommand = x  ; sup2circus: ignore=S2C106\n")
    out = suppress.apply([f("S2C106", 2, str(p))], {str(tmp_path / "." / "s.conf"): p.read_text()})
    assert out.kept == [] and len(out.suppressed) == 1


def test_not_a_comment_without_whitespace() -> None:
    # supervisor only treats ';' as a comment after whitespace: this is part of the value
    text = "[program:a]\ncommand = x;sup2circus: ignore=S2C106\n"
    out = run(text, [f("S2C106", 2)])
    assert out.suppressed == [] and out.unused == []


def test_unused_suppressions() -> None:
    text = (
        "[program:a]\n"
        "command = x  ; sup2circus: ignore=S2C117,S2C106\n"  # S2C106 unused
        "; sup2circus: ignore-file=S2C120\n"  # unused file-wide
        "user = u  ; sup2circus: ignore=S2C777\n"  # unknown code
        "; sup2circus: ignore=S2C011\n"  # followed by a blank line: attached to nothing
        "\n"
        "[program:b]\n"
        "command = y\n"
    )
    out = run(text, [f("S2C117", 2)])
    assert out.kept == []
    got = [(u.code, u.line, u.column, u.severity, u.message) for u in out.unused]
    assert [(c, line, col, s) for c, line, col, s, _ in got] == [
        ("S2C902", 2, 14, W),
        ("S2C902", 3, 1, W),
        ("S2C902", 4, 11, W),
        ("S2C902", 5, 1, W),
    ]
    msgs = [m for *_, m in got]
    assert "ignore=S2C106" in msgs[0] and "suppresses nothing" in msgs[0]
    assert "ignore-file=S2C120" in msgs[1]
    assert "unknown code 'S2C777'" in msgs[2]
    assert "not directly above" in msgs[3]
    assert out.unused[0].section == "program:a" and out.unused[0].option == "command"


def test_an_ignore_comment_of_a_finding_about_the_whole_file_says_to_use_ignore_file() -> None:
    # S2C009 is at line 1 of a snippet: the comment written there attaches to the section
    # below; "no S2C009 finding here" stood next to the S2C009 finding of that very line
    text = "; sup2circus: ignore=S2C009\n[program:a]\ncommand = x\n"
    out = run(text, [f("S2C009", 1)])
    assert [x.code for x in out.kept] == ["S2C009"]
    (unused,) = out.unused
    assert "cannot suppress a finding about the whole file" in unused.message
    assert "'ignore-file=S2C009'" in unused.message


def test_a_retired_code_in_a_suppression_is_unused() -> None:
    out = run("[program:a]\ncommand = x  ; sup2circus: ignore=S2C114\n", [])
    (unused,) = out.unused
    assert unused.code == "S2C902"
    assert "S2C114 is retired (no longer reported)" in unused.message


def test_unused_suppression_can_be_silenced_by_s2c902() -> None:
    text = (
        "; sup2circus: ignore-file=S2C902\n[program:a]\ncommand = x  ; sup2circus: ignore=S2C117\n"
    )
    out = run(text, [])
    assert out.unused == []
    assert [x.code for x in out.suppressed] == ["S2C902"]
    out = run("; sup2circus: ignore-file=S2C902\n", [])
    assert [u.code for u in out.unused] == ["S2C902"]  # nothing to silence: itself unused


@pytest.mark.parametrize("file", ["s.conf", "Dockerfile"])
def test_ignore_file_s2c902_silences_a_misspelled_comment_too(file: str) -> None:
    # it is an S2C902 finding like the others; the ignore-file comment was reported as having
    # "no unused suppression to silence" next to it
    mark = "#" if file == "Dockerfile" else ";"
    text = f"{mark} sup2circus: ignore-file=S2C902\n{mark} sup2circus: disable=S2C101\n"
    out = run(text, [], file)
    assert out.unused == []
    assert [(x.code, x.line) for x in out.suppressed] == [("S2C902", 2)]


@pytest.mark.parametrize(
    "text",
    [
        "[program:a]\ncommand = x  ; sup2circus: ignore=S2C117,S2C902\n",
        "[program:a]\n; sup2circus: ignore=S2C117,S2C902\ncommand = x\n",  # the line above
    ],
)
def test_a_comment_silences_its_own_unused_code_wherever_it_stands(text: str) -> None:
    out = run(text, [])
    assert out.unused == []
    assert [x.code for x in out.suppressed] == ["S2C902"]


@pytest.mark.parametrize(
    ("file", "line", "flagged"),
    [
        ("s.conf", "command = x  ; sup2circus: ignore_file=S2C106", True),
        ("s.conf", "; sup2circus disable=S2C101", True),
        ("s.conf", "; sup2circus ignore=S2C101", True),  # no colon
        ("s.conf", "; sup2circus: ignore=S2C101", False),  # read (and unused: another S2C902)
        ("s.conf", "; sup2circus converts this file", False),  # prose, not a directive
        ("Dockerfile", "RUN apt-get install supervisor ; sup2circus: ignore=S2C601", True),
        ("Dockerfile", "# sup2circus converts at build time", False),
    ],
)
def test_a_comment_that_looks_like_a_suppression_but_is_not_read_is_reported(
    file: str, line: str, flagged: bool
) -> None:
    out = run(f"[program:a]\n{line}\n", [], file)
    misspelled = [u for u in out.unused if "not a suppression sup2circus reads" in u.message]
    assert [u.line for u in misspelled] == ([2] if flagged else [])


def test_suppressions_do_not_leak_into_next_option() -> None:
    text = "[program:a]\n; sup2circus: ignore=S2C117\ncommand = x\nuser = y\n"
    out = run(text, [f("S2C117", 3), f("S2C117", 4)])
    assert [x.line for x in out.suppressed] == [3]
    assert [x.line for x in out.kept] == [4]


def test_options_indented_alike_are_options_of_their_own() -> None:
    # configparser: a line is a continuation only when indented more than its option line
    text = (
        "[program:a]\n  command = bin/web\n  directory = /srv  ; sup2circus: ignore=S2C117\n"
        "  ; sup2circus: ignore=S2C104\n  umask = 077\n    more\n"
    )
    out = run(text, [f("S2C117", 2), f("S2C104", 5), f("S2C104", 6)])
    assert [x.line for x in out.kept] == [2]
    assert [x.line for x in out.suppressed] == [5, 6]
    assert [(u.code, u.line) for u in out.unused] == [("S2C902", 3)]


@pytest.mark.parametrize(
    ("file", "text"),
    [
        ("Dockerfile", "# sup2circus: ignore=S2C601\nRUN apt-get install -y supervisor\n"),
        ("s.conf", "; sup2circus: ignore=S2C106\n[program:a]\ncommand=/bin/a\n"),
    ],
)
def test_a_suppression_on_the_first_line_after_a_byte_order_mark(file: str, text: str) -> None:
    code = "S2C601" if file == "Dockerfile" else "S2C106"
    out = run("\ufeff" + text, [f(code, 2, file)], file)
    assert [x.line for x in out.suppressed] == [2]
    assert out.unused == []


@pytest.mark.parametrize("ch", ["\x0c", "\x0b", "\x1c", "\x85", "\u2028", "\u2029"])
def test_a_line_break_only_str_splitlines_sees_does_not_shift_the_lines(ch: str) -> None:
    # supervisor reads with universal newlines: these characters are inside line 2, and the
    # findings are numbered that way; the suppressions must be too
    text = f"[program:a]\n; page{ch}break\nstopasgroup=true  ; sup2circus: ignore=S2C103\n"
    text += "; sup2circus: ignore-files=S2C1\n"
    out = run(text, [f("S2C103", 3)])
    assert [x.line for x in out.suppressed] == [3]
    assert [(u.code, u.line) for u in out.unused] == [("S2C902", 4)]  # the misspelled one


def test_a_suppression_after_carriage_returns_is_on_its_line() -> None:
    text = "[program:a]\r\ncommand=/bin/a\rstopasgroup=true  ; sup2circus: ignore=S2C103\r\n"
    out = run(text, [f("S2C103", 3)])
    assert [x.line for x in out.suppressed] == [3]
    assert out.unused == []


# ---------------------------------------------------------------------------- settings


def test_selection_specificity() -> None:
    s = st.Settings(select=("S2C1",), ignore=("S2C101",))
    assert s.is_selected("S2C102") and not s.is_selected("S2C101") and not s.is_selected("S2C001")
    s = st.Settings(select=("S2C101",), ignore=("S2C1",))
    assert s.is_selected("S2C101") and not s.is_selected("S2C102")
    s = st.Settings(select=("S2C101",), ignore=("S2C101",))
    assert not s.is_selected("S2C101")  # tie: ignore wins
    assert st.Settings().is_selected("S2C001")
    assert not st.Settings(ignore=("S2C",)).is_selected("S2C001")


def test_severity_override_longest_prefix() -> None:
    s = st.Settings(severity={"S2C1": Severity.ERROR, "S2C101": Severity.INFO})
    assert s.severity_of(f("S2C101", 1)) is Severity.INFO
    assert s.severity_of(f("S2C102", 1)) is Severity.ERROR
    assert s.severity_of(f("S2C001", 1)) is W
    applied = s.apply([f("S2C102", 1)])
    assert applied[0].severity is Severity.ERROR


def test_parse_code_list() -> None:
    assert st.parse_code_list(["s2c1, S2C201", "ALL"], "x") == ("S2C1", "S2C201", "ALL")
    with pytest.raises(st.SettingsError, match="not a sup2circus code"):
        st.parse_code_list(["E501"], "--select")


def test_parse_severity() -> None:
    assert st.parse_severity(["S2C101=Error"]) == {"S2C101": Severity.ERROR}
    for bad in ("S2C101", "S2C101=loud", "NOPE=info", "=info"):
        with pytest.raises(st.SettingsError):
            st.parse_severity([bad])


def test_find_pyproject_nearest_with_table(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.sup2circus]\nselect = ['S2C1']\n")
    mid = tmp_path / "a"
    mid.mkdir()
    (mid / "pyproject.toml").write_text("[project]\nname = 'sup2circus-demo'\n")  # no table
    deep = mid / "b"
    deep.mkdir()
    assert st.find_pyproject(str(deep)) == str(tmp_path / "pyproject.toml")
    (deep / "pyproject.toml").write_text("[tool.sup2circus]\n")
    assert st.find_pyproject(str(deep)) == str(deep / "pyproject.toml")


def test_a_bad_runtime_dir_in_pyproject_names_the_file(tmp_path: Path) -> None:
    # it was refused only when converting, as "--runtime-dir / runtime-dir: ...", no file named
    cfg = tmp_path / "pyproject.toml"
    cfg.write_text('[tool.sup2circus]\nruntime-dir = "run/circus"\n')
    with pytest.raises(st.SettingsError, match="must be an absolute directory path") as ei:
        st.resolve(config=None, cwd=str(tmp_path))
    assert str(ei.value).startswith(f"{cfg}: [tool.sup2circus]: runtime_dir")
    assert ei.value.file == str(cfg)


def test_no_pyproject_search_in_a_removed_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # os.getcwd() raised FileNotFoundError: resolve() failed, and every CLI run with it
    gone = tmp_path / "gone"
    gone.mkdir()
    monkeypatch.chdir(gone)
    gone.rmdir()
    assert st.find_pyproject() is None
    assert st.resolve(config=None) == st.Settings()


@pytest.mark.parametrize("kwarg", ["select", "ignore", "severity"])
def test_resolve_takes_lists_not_one_string(kwarg: str) -> None:
    # a str passes as a Sequence[str]: select="S2C1" said "--select: '2' is not a sup2circus
    # code or prefix", its characters taken as codes
    with pytest.raises(TypeError, match=rf"resolve\(\) takes a list for {kwarg}: {kwarg}=\['S2C1"):
        st.resolve(config=None, isolated=True, **{kwarg: "S2C101=error"})


def test_resolve_precedence(tmp_path: Path) -> None:
    cfg = tmp_path / "pyproject.toml"
    cfg.write_text(
        '[tool.sup2circus]\nselect = ["S2C1"]\nignore = "S2C106"\nfail_on = "error"\n'
        'no-wrappers = true\nruntime-dir = "/run/x"\n'
        '[tool.sup2circus.severity]\nS2C101 = "info"\nS2C102 = "error"\n'
    )
    s = st.resolve(config=None, cwd=str(tmp_path))
    assert s.source == str(cfg)
    assert s.select == ("S2C1",) and s.ignore == ("S2C106",)
    assert s.fail_on is Severity.ERROR and s.no_wrappers is True and s.exact is None
    assert s.runtime_dir == "/run/x"
    s = st.resolve(
        config=None,
        cwd=str(tmp_path),
        select=["S2C0"],
        severity=["S2C101=warning"],
        fail_on="info",
    )
    assert s.select == ("S2C0",) and s.ignore == ("S2C106",)
    assert s.severity == {"S2C101": W, "S2C102": Severity.ERROR}
    assert s.fail_on is Severity.INFO
    s = st.resolve(config=None, isolated=True, cwd=str(tmp_path))
    assert s == st.Settings()


def test_config_must_hold_table(tmp_path: Path) -> None:
    cfg = tmp_path / "x.toml"
    cfg.write_text("[tool.other]\n")
    with pytest.raises(st.SettingsError, match=r"no \[tool.sup2circus\] table"):
        st.resolve(config=str(cfg))
