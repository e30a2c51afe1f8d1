"""read.py: supervisor-exact ini reading with source locations, includes and bad input."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from judges.supervisor_judge import supervisor_error, supervisor_view

from sup2circus.findings import ConfigError, InputError, Loc, Severity
from sup2circus.model import RawConfig
from sup2circus.read import read_file, read_text

WriteTree = Callable[[dict[str, str | bytes]], Path]


def opt(raw: RawConfig, section: str, name: str) -> tuple[str, Loc, str]:
    sec = raw.section(section)
    assert sec is not None, section
    o = sec.options[name]
    return o.value, o.loc, o.key_text


def codes(raw: RawConfig) -> list[str]:
    return sorted(f.code for f in raw.findings)


# --------------------------------------------------------------------------- locations


def test_option_and_section_locations() -> None:
    text = (
        "; header comment\n"
        "[supervisord]\n"
        "nodaemon = true\n"
        "\n"
        "[program:web]\n"
        "    Command = /bin/web\n"
        "      --flag ; comment\n"
        "      # indented comment line\n"
        "      --other\n"
        "autostart:false\n"
    )
    raw = read_text(text, filename="x.conf", base_dir="/srv")
    assert raw.section("supervisord") is not None
    assert raw.section("supervisord").loc == Loc("x.conf", 2, 1)  # type: ignore[union-attr]
    assert raw.section("program:web").loc == Loc("x.conf", 5, 1)  # type: ignore[union-attr]
    value, loc, key = opt(raw, "program:web", "command")
    assert value == "/bin/web\n--flag\n--other"
    assert loc == Loc("x.conf", 6, 5)
    assert key == "Command"
    assert opt(raw, "program:web", "autostart")[:2] == ("false", Loc("x.conf", 10, 1))
    assert opt(raw, "supervisord", "nodaemon")[1] == Loc("x.conf", 3, 1)
    assert raw.here == "/srv"
    assert raw.files_read == ("x.conf",)
    assert raw.texts == {}  # no suppression comment: the text is not held (see below)


def test_inline_comments_like_supervisor() -> None:
    raw = read_text(
        "[program:a]\n"
        "command=prog A;B C ; note\n"
        "environment=A=1 # x\n"
        "directory=/a#b\n"
        "user=; not a comment: no whitespace before it\n"
    )
    assert opt(raw, "program:a", "command")[0] == "prog A;B C"
    assert opt(raw, "program:a", "environment")[0] == "A=1"
    assert opt(raw, "program:a", "directory")[0] == "/a#b"
    assert opt(raw, "program:a", "user")[0] == "; not a comment: no whitespace before it"


def test_indented_header_continues_the_previous_value() -> None:
    raw = read_text("[supervisord]\nnodaemon = true\n\n  [program:web]\n  command=/a\n")
    assert raw.section("program:web") is None
    assert opt(raw, "supervisord", "nodaemon")[0] == "true\n\n[program:web]\ncommand=/a"


def test_duplicates_last_wins_with_findings() -> None:
    raw = read_text(
        "[program:a]\ncommand=/bin/first\n  cont\nCOMMAND=/bin/second\n[program:b]\n"
        "command=/bin/b\n[program:a]\npriority=5\n",
        filename="d.conf",
    )
    assert opt(raw, "program:a", "command")[:2] == ("/bin/second", Loc("d.conf", 4, 1))
    assert opt(raw, "program:a", "priority")[0] == "5"
    assert raw.section("program:a").loc.line == 1  # type: ignore[union-attr]
    dups = [f for f in raw.findings if f.code == "S2C013"]
    assert {(f.line, f.option) for f in dups} == {(2, "command"), (7, None)}
    assert all(f.severity is Severity.INFO for f in dups)
    assert "last" in dups[0].message or "override" in dups[0].message


def test_no_duplicate_that_supervisord_does_not_act_on(
    write_tree: WriteTree, monkeypatch: pytest.MonkeyPatch
) -> None:
    # an [include] in an included file is not followed (S2C003): its files= overrides nothing
    nested = write_tree(
        {
            "nested/supervisord.conf": "[supervisord]\n[include]\nfiles = a.conf\n",
            "nested/a.conf": "[include]\nfiles = b.conf\n[program:a]\ncommand=/bin/a\n",
            "nested/b.conf": "[program:b]\ncommand=/bin/b\n",
        }
    )
    raw = read_file(str(nested / "nested" / "supervisord.conf"))
    assert codes(raw) == ["S2C003"]
    # a main file its own pattern matches is read twice, with the same values: not "set again"
    # (given as a relative path, which the pattern's match is not)
    self_included = write_tree(
        {
            "self/supervisord.conf": "[supervisord]\n[include]\nfiles = *.conf\n[program:a]\n"
            "command=/bin/a\n"
        }
    )
    monkeypatch.chdir(self_included / "self")
    raw = read_file("supervisord.conf")
    assert codes(raw) == []
    # two [include] sections in the main file: the second's files= is the one read
    twice = read_text("[supervisord]\n[include]\nfiles = a\n[include]\nfiles = b\n")
    assert codes(twice) == ["S2C001", "S2C013", "S2C013"]  # (b matches nothing here)


def test_default_section_is_merged_and_listed() -> None:
    raw = read_text("[DEFAULT]\nautorestart=true\n[program:a]\ncommand=/bin/a\n", filename="f")
    assert opt(raw, "program:a", "autorestart")[:2] == ("true", Loc("f", 2, 1))
    assert [s.name for s in raw.sections] == ["program:a", "DEFAULT"]


def test_crlf_and_lone_cr() -> None:
    raw = read_text("[program:a]\r\ncommand=/bin/a x\r\nuser=u\rdirectory=/d\r\n")
    assert opt(raw, "program:a", "command")[0] == "/bin/a x"
    assert opt(raw, "program:a", "user")[0] == "u"
    assert opt(raw, "program:a", "directory")[1].line == 4  # a lone CR ends a line too


def test_crlf_file_agrees_with_supervisor(tmp_path: Path) -> None:
    conf = tmp_path / "s.conf"
    conf.write_bytes(b"[supervisord]\r\n[program:a]\r\ncommand=/bin/a x ; c\r\n")
    assert supervisor_view(str(conf))[0]["argv"] == ["/bin/a", "x"]
    assert opt(read_file(str(conf)), "program:a", "command")[0] == "/bin/a x"


def test_bom_is_refused_like_supervisor(tmp_path: Path) -> None:
    conf = tmp_path / "bom.conf"
    conf.write_bytes(b"\xef\xbb\xbf[supervisord]\n[program:a]\ncommand=/bin/a\n")
    assert supervisor_error(str(conf), snippet=False) is not None
    with pytest.raises(ConfigError) as ei:
        read_file(str(conf))
    assert ei.value.line == 1 and "byte order mark" in ei.value.hint


# --------------------------------------------------------------------------- bad input


def test_missing_file() -> None:
    with pytest.raises(InputError) as ei:
        read_file("/nonexistent-s2c/supervisord.conf")
    assert ei.value.file == "/nonexistent-s2c/supervisord.conf" and ei.value.hint


def test_path_with_a_nul_byte() -> None:
    # os.stat raises ValueError on it, which reached the caller as it was
    with pytest.raises(InputError, match="NUL byte") as ei:
        read_file("supervisord\0.conf")
    assert ei.value.file == "supervisord\0.conf" and ei.value.hint


def test_directory(tmp_path: Path) -> None:
    with pytest.raises(InputError) as ei:
        read_file(str(tmp_path))
    assert "directory" in ei.value.message


def test_fifo_is_refused(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    with pytest.raises(InputError) as ei:
        read_file(str(fifo))
    assert "regular" in ei.value.message


def test_dev_zero_is_refused() -> None:
    with pytest.raises(InputError):
        read_file("/dev/zero")


def test_invalid_utf8(tmp_path: Path) -> None:
    conf = tmp_path / "latin1.conf"
    conf.write_bytes(b"[supervisord]\n[program:a]\ncommand=/bin/caf\xe9\n")
    assert supervisor_error(str(conf)) is not None  # supervisor refuses it too
    with pytest.raises(InputError) as ei:
        read_file(str(conf))
    assert ei.value.line == 3 and "UTF-8" in ei.value.message


def test_binary(tmp_path: Path) -> None:
    conf = tmp_path / "bin.conf"
    conf.write_bytes(b"[supervisord]\n\x00\x01\x02")
    with pytest.raises(InputError) as ei:
        read_file(str(conf))
    assert ei.value.line == 2
    with pytest.raises(InputError):
        read_text("[a]\nb=\x00\n")


def test_text_with_a_lone_surrogate_is_refused_as_not_utf8() -> None:
    # open(path, errors="surrogateescape").read() of a latin-1 file: supervisord refuses the
    # file, and read_text read the surrogate into values as if it were a character
    data = b"[supervisord]\n[program:a]\ncommand=/bin/caf\xe9\n"
    latin1 = data.decode("utf-8", "surrogateescape")
    with pytest.raises(InputError, match="not valid UTF-8") as ei:
        read_text(latin1, filename="s.conf")
    assert (ei.value.file, ei.value.line) == ("s.conf", 3) and ei.value.hint


def test_empty_input_has_no_sections() -> None:
    raw = read_text("")
    assert raw.sections == ()


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("command=/bin/a\n", 1),
        ("; c\n\n  x = 1\n[a]\n", 3),
        ("[a]\nb=1\nthis is not ini\n", 3),
        ("[a]\nb=1\n=value\n", 3),
    ],
)
def test_parse_errors_name_the_line(tmp_path: Path, text: str, line: int) -> None:
    conf = tmp_path / "bad.conf"
    conf.write_text("[supervisord]\n" * 0 + text, encoding="utf-8")
    assert supervisor_error(str(conf), snippet=False) is not None
    with pytest.raises(ConfigError) as ei:
        read_file(str(conf))
    assert (ei.value.file, ei.value.line) == (str(conf), line)


# --------------------------------------------------------------------------- includes


def test_include_order_override_and_here(write_tree: WriteTree) -> None:
    root = write_tree(
        {
            "etc/supervisord.conf": "[supervisord]\n[include]\nfiles = conf.d/*.conf "
            "../other/*.ini\n[program:a]\ncommand=/bin/a %(here)s\n",
            "etc/conf.d/20-b.conf": "[program:a]\ncommand=/bin/a2 %(here)s\n",
            "etc/conf.d/10-c.conf": "[program:a]\ncommand=/bin/a1\n[program:c]\n"
            "command=/bin/c %(here)s\n",
            "other/x.ini": "[program:x]\ncommand=%(here)s/x\n",
        }
    )
    main = root / "etc" / "supervisord.conf"
    raw = read_file(str(main))
    assert raw.files_read == (
        str(main),
        f"{root}/etc/conf.d/10-c.conf",
        f"{root}/etc/conf.d/20-b.conf",
        f"{root}/etc/../other/x.ini",
    )
    value, loc, _ = opt(raw, "program:a", "command")
    assert value == f"/bin/a2 {root}/etc/conf.d"
    assert (loc.file, loc.line) == (f"{root}/etc/conf.d/20-b.conf", 2)
    assert opt(raw, "program:c", "command")[0] == f"/bin/c {root}/etc/conf.d"
    assert opt(raw, "program:x", "command")[0] == f"{root}/other/x"
    assert raw.section("program:x").here == f"{root}/other"  # type: ignore[union-attr]
    assert raw.texts == {}
    # supervisor agrees on the merged result
    sup = {p["name"]: p["command"] for p in supervisor_view(str(main))}
    assert sup["a:a"] == value and sup["c:c"] == f"/bin/c {root}/etc/conf.d"


def test_include_without_files_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as ei:
        read_text("[supervisord]\n[include]\n", base_dir=str(tmp_path))
    assert ei.value.line == 2


def test_include_here_replaced_even_in_double_percent(write_tree: WriteTree) -> None:
    root = write_tree({"m.conf": "[include]\nfiles=x\n[program:a]\ncommand=/a %%(here)s\n"})
    raw = read_file(str(root / "m.conf"))
    assert opt(raw, "program:a", "command")[0] == f"/a %{root}"


def test_without_include_here_is_kept_for_the_builder(tmp_path: Path) -> None:
    raw = read_text("[supervisord]\n[program:a]\ncommand=/a %(here)s\n", base_dir=str(tmp_path))
    assert opt(raw, "program:a", "command")[0] == "/a %(here)s"


def test_missing_match_is_a_warning(write_tree: WriteTree) -> None:
    root = write_tree({"m.conf": "[supervisord]\n[include]\nfiles = nope/*.conf\n"})
    raw = read_file(str(root / "m.conf"))
    (f,) = raw.findings
    assert (f.code, f.severity, f.line, f.option) == ("S2C001", Severity.WARNING, 3, "files")
    assert str(root / "nope") in f.message


def test_nested_include_not_followed(write_tree: WriteTree) -> None:
    root = write_tree(
        {
            "m.conf": "[supervisord]\n[include]\nfiles = a.conf\n",
            "a.conf": "[program:a]\ncommand=/a\n[include]\nfiles = b.conf\n",
            "b.conf": "[program:b]\ncommand=/b\n",
        }
    )
    raw = read_file(str(root / "m.conf"))
    assert raw.section("program:b") is None
    nested = [f for f in raw.findings if f.code == "S2C003"]
    assert [(f.file, f.line) for f in nested] == [(str(root / "a.conf"), 3)]
    assert [p["name"] for p in supervisor_view(str(root / "m.conf"))] == ["a:a"]


def test_unreadable_includes_are_skipped(write_tree: WriteTree) -> None:
    root = write_tree({"m.conf": "[supervisord]\n[include]\nfiles = inc/*\n", "inc/ok.conf": ""})
    (root / "inc" / "dir.conf").mkdir()
    os.symlink(root / "missing", root / "inc" / "broken.conf")
    os.mkfifo(root / "inc" / "fifo.conf")
    raw = read_file(str(root / "m.conf"))
    # one fact (the files option skips files): one finding naming each skipped file
    (skipped,) = [f.message for f in raw.findings if f.code == "S2C002"]
    for name in ("broken.conf", "dir.conf", "fifo.conf"):
        assert skipped.count(f'"{root / "inc" / name}" cannot be read') == 1, skipped
    assert all(f.severity is Severity.WARNING for f in raw.findings if f.code == "S2C002")
    assert raw.files_read == (str(root / "m.conf"), str(root / "inc" / "ok.conf"))


def test_unparsable_include_is_an_error(write_tree: WriteTree) -> None:
    root = write_tree(
        {"m.conf": "[supervisord]\n[include]\nfiles = bad.conf\n", "bad.conf": "x = 1\n"}
    )
    assert supervisor_error(str(root / "m.conf")) is not None
    with pytest.raises(ConfigError) as ei:
        read_file(str(root / "m.conf"))
    assert ei.value.file == str(root / "bad.conf") and ei.value.line == 1


def test_invalid_utf8_include_is_an_error(write_tree: WriteTree) -> None:
    root = write_tree(
        {"m.conf": "[supervisord]\n[include]\nfiles = bad.conf\n", "bad.conf": b"[x]\na=\xff\n"}
    )
    assert supervisor_error(str(root / "m.conf")) is not None
    with pytest.raises(ConfigError):
        read_file(str(root / "m.conf"))


def test_stdin_includes_resolve_against_base_dir(write_tree: WriteTree) -> None:
    root = write_tree({"conf.d/a.conf": "[program:a]\ncommand=%(here)s/a\n"})
    raw = read_text("[supervisord]\n[include]\nfiles=conf.d/*.conf\n", base_dir=str(root))
    assert opt(raw, "program:a", "command")[0] == f"{root}/conf.d/a"
    old = os.getcwd()
    try:
        os.chdir(root)
        raw2 = read_text("[supervisord]\n[include]\nfiles=conf.d/*.conf\n")
    finally:
        os.chdir(old)
    assert raw2.section("program:a") is not None and raw2.main_file == "<stdin>"


def test_include_files_expansions(write_tree: WriteTree) -> None:
    root = write_tree({"d-x/a.conf": "[program:a]\ncommand=/a\n", "h-n1/b.conf": ""})
    raw = read_text(
        "[supervisord]\n[include]\nfiles=d-%(ENV_S2C_DIR)s/*.conf h-%(host_node_name)s/*.conf\n",
        base_dir=str(root),
        environ={"S2C_DIR": "x"},
        host_node_name="n1",
    )
    assert raw.section("program:a") is not None
    assert len(raw.files_read) == 3
    assert sorted(f.code for f in raw.findings) == ["S2C007", "S2C010"]


def test_main_file_included_again(write_tree: WriteTree) -> None:
    # files = *.conf in the main file's own directory re-reads the main file itself
    root = write_tree(
        {"s.conf": "[supervisord]\n[include]\nfiles=*.conf\n[program:a]\ncommand=/a\n"}
    )
    raw = read_file(str(root / "s.conf"))
    assert raw.files_read == (str(root / "s.conf"), str(root / "s.conf"))
    assert raw.findings == ()
    assert [p["name"] for p in supervisor_view(str(root / "s.conf"))] == ["a:a"]


def test_snippet_with_include_is_read_as_included(write_tree: WriteTree) -> None:
    # no [supervisord] anywhere: converted as if included by an empty main config, which
    # means its own [include] is not followed (supervisor reads [include] once, from the main)
    root = write_tree(
        {
            "snip.conf": "[include]\nfiles = more/*.conf\n[program:a]\ncommand=%(here)s/a\n",
            "more/b.conf": "[program:b]\ncommand=/b\n",
        }
    )
    raw = read_file(str(root / "snip.conf"))
    assert raw.section("program:b") is None
    assert opt(raw, "program:a", "command")[0] == f"{root}/a"
    assert [f.code for f in raw.findings] == ["S2C003"]
    assert [p["name"] for p in supervisor_view(str(root / "snip.conf"))] == ["a:a"]


def test_supervisord_section_from_an_include(write_tree: WriteTree) -> None:
    root = write_tree(
        {
            "main.conf": "[include]\nfiles = conf.d/*.conf\n[program:a]\ncommand=/a\n",
            "conf.d/s.conf": "[supervisord]\nnodaemon=true\n",
        }
    )
    raw = read_file(str(root / "main.conf"))
    assert raw.section("supervisord") is not None
    assert raw.findings == ()
    assert supervisor_error(str(root / "main.conf"), snippet=False) is None


def test_indented_option_column_and_key_text() -> None:
    raw = read_text("[program:a]\n   Stop_Signal  : INT\n\tcommand=/a\n", filename="f")
    assert opt(raw, "program:a", "stop_signal") == ("INT", Loc("f", 2, 4), "Stop_Signal")
    assert opt(raw, "program:a", "command")[1] == Loc("f", 3, 2)


def test_only_the_texts_that_may_hold_a_suppression_comment_are_kept(tmp_path: Path) -> None:
    # suppress.parse reads them after the conversion; holding every file's text through build
    # and translate cost 3 MB at the peak on 10,000 programs (docs/performance.md)
    (tmp_path / "conf.d").mkdir()
    main = tmp_path / "supervisord.conf"
    main.write_text("[supervisord]\n[include]\nfiles = conf.d/*.conf\n")
    with_comment = tmp_path / "conf.d" / "a.conf"
    with_comment.write_text("[program:a]\ncommand = /bin/a  ; sup2circus: ignore=S2C101\n")
    (tmp_path / "conf.d" / "b.conf").write_text("[program:b]\ncommand = /bin/b\n")
    raw = read_file(str(main))
    assert len(raw.files_read) == 3
    assert raw.texts == {str(with_comment): with_comment.read_text()}


def test_text_in_a_removed_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # os.getcwd() raised FileNotFoundError: the default base of %(here)s and [include]
    gone = tmp_path / "gone"
    gone.mkdir()
    monkeypatch.chdir(gone)
    gone.rmdir()
    with pytest.raises(InputError, match="the current directory no longer exists") as ei:
        read_text("[supervisord]\n", filename="<stdin>")
    assert ei.value.file == "<stdin>" and ei.value.hint
    assert read_text("[supervisord]\n", base_dir=str(tmp_path)).here == str(tmp_path)


@pytest.mark.parametrize(
    ("files", "shown"),
    [
        ("/nonexistent-s2c/%(ENV_TOKEN)s/*.conf", "/nonexistent-s2c/%(ENV_TOKEN)s/*.conf"),
        # the value's words do not line up with the written ones: the value as written
        ("/nonexistent-s2c/%(ENV_SPACED)s/x", "/nonexistent-s2c/%(ENV_SPACED)s/x"),
        ("/nonexistent-s2c/%(ENV_ONE)c/x", "/nonexistent-s2c/%(ENV_ONE)c/x"),
    ],
)
def test_a_pattern_matching_nothing_names_the_variable_not_its_value(
    files: str, shown: str
) -> None:
    # S2C001 showed the pattern as expanded: the converting machine's environment value
    raw = read_text(
        f"[supervisord]\n[include]\nfiles = {files}\n",
        environ={"TOKEN": "Zq9SECRET", "SPACED": "Zq9 SECRET", "ONE": "\u00a7"},
    )
    (f,) = [f for f in raw.findings if f.code == "S2C001"]
    assert f'"{shown}"' in f.message
    assert "SECRET" not in f.message and "\u00a7" not in f.message
