"""Generated docs: docs/rules.md and docs/conversion.md are up to date with RULES and MAPPING."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from sup2circus import docs
from sup2circus.mapping import MAPPING
from sup2circus.rules import RULES

ROOT = Path(__file__).resolve().parents[2]


def test_generated_docs_are_fresh() -> None:
    stale = docs.stale_files(str(ROOT))
    assert stale == [], "stale generated docs: run python -m sup2circus.docs --write"


def test_check_command_detects_stale_and_write_fixes(tmp_path: Path) -> None:
    # the README is not generated: its copied blocks are scripts/sync_readme.py's
    (tmp_path / "README.md").write_text("# x\n\nwritten by hand\n")
    cmd = [sys.executable, "-m", "sup2circus.docs", "--root", str(tmp_path)]
    r = subprocess.run([*cmd, "--check"], capture_output=True, text=True)
    assert r.returncode == 1
    assert "stale: docs/rules.md" in r.stderr and "stale: docs/conversion.md" in r.stderr
    r = subprocess.run([*cmd, "--write"], capture_output=True, text=True)
    assert r.returncode == 0
    r = subprocess.run([*cmd, "--check"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "README.md").read_text() == "# x\n\nwritten by hand\n"
    assert "| `autorestart` |" in (tmp_path / "docs" / "conversion.md").read_text()
    (tmp_path / "docs" / "rules.md").write_text("edited by hand\n")
    r = subprocess.run([*cmd, "--check"], capture_output=True, text=True)
    assert r.returncode == 1 and "rules.md" in r.stderr


def _anchors(markdown: str) -> set[str]:
    """GitHub's heading anchors: lower-case, spaces to '-', punctuation other than '-' dropped."""
    out = set()
    for m in re.finditer(r"^#{1,6} (.+)$", markdown, re.M):
        out.add(re.sub(r"[^\w\- ]", "", m.group(1).strip().lower()).replace(" ", "-"))
    return out


def test_every_rule_has_a_section_matching_its_anchor() -> None:
    text = docs.rules_md()
    anchors = _anchors(text)
    for rule in RULES.values():
        assert rule.anchor in anchors, rule.code
        assert rule.supervisor.split()[0] in text


def test_conversion_matrix_lists_every_mapping_row() -> None:
    text = docs.conversion_md()
    rows = re.findall(r"^\| `([^`]+)` \|", text, re.M)
    assert len(rows) == len(MAPPING)
    assert [m.option for m in MAPPING] == rows
    for code in {c for m in MAPPING for c in m.codes}:
        assert f"[{code}](rules.md#" in text, code


def test_codes_are_well_formed() -> None:
    for code, rule in RULES.items():
        assert re.fullmatch(r"S2C\d{3}", code)
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", rule.name)
        assert "\n" not in rule.title
    assert len({r.name for r in RULES.values()}) == len(RULES)


def test_wrapper_example_is_what_the_converter_writes() -> None:
    # docs/conversion.md explains the sh -c wrapper with the demo's gunicorn command
    from sup2circus import convert_text

    ini = convert_text((ROOT / "docker" / "supervisord.conf").read_text()).text
    assert docs._WRAPPER_EXAMPLE in ini.splitlines()


def test_message_templates_are_one_code_span() -> None:
    # a template with backticks of its own (`circusd --daemon`) in a single-backtick span
    # breaks into pieces of code and text: a longer delimiter keeps it one span
    lines = [ln for ln in docs.rules_md().splitlines() if ln.startswith("- **Message:** ")]
    assert len(lines) > 50
    for line in lines:
        span = line.removeprefix("- **Message:** ")
        fence = "``" if "`" in span.strip("`").strip() else "`"
        if fence == "``":
            assert span.startswith("`` ") and span.endswith(" ``"), line
            assert "``" not in span[3:-3], line
        else:
            assert span.startswith("`") and span.endswith("`") and span.count("`") == 2, line
