"""The hints of error messages: an error is shown as ``message (hint)``, so a hint with
parentheses of its own reads as ``(check the path (supervisord -c PATH))``."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import sup2circus
from sup2circus import convert_file
from sup2circus.findings import InputError

SRC = Path(sup2circus.__file__).parent
# %(name)s is supervisor's syntax, not a parenthesis of the sentence
EXPANSION = re.compile(r"%\([^)]*\)")


def _hint_texts() -> list[tuple[str, str]]:
    """(where, text) of every literal hint: ``hint=`` arguments and the *_HINT(S) constants."""
    found = []
    for path in sorted(SRC.rglob("*.py")):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            is_hint = isinstance(node, ast.keyword) and node.arg == "hint"
            is_constant = isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id.endswith(("_HINT", "_HINTS")) for t in node.targets
            )
            if is_hint or is_constant:
                assert isinstance(node, ast.keyword | ast.Assign)
                for sub in ast.walk(node.value):
                    if isinstance(sub, ast.Constant) and isinstance(sub.value, str):
                        found.append((f"{path.name}:{sub.lineno}", sub.value))
    return found


def test_the_scan_finds_the_hints() -> None:
    texts = [t for _, t in _hint_texts()]
    assert len(texts) > 30
    assert "add command = /path/to/program args" in texts


def test_no_hint_holds_parentheses_of_its_own() -> None:
    nested = [(w, t) for w, t in _hint_texts() if re.search(r"[()]", EXPANSION.sub("", t))]
    assert nested == []


def test_a_missing_file_says_what_to_check(tmp_path: Path) -> None:
    missing = tmp_path / "supervisord.conf"
    with pytest.raises(InputError) as ei:
        convert_file(missing)
    assert str(ei.value) == (
        f"{missing}: could not find config file (check the path: the file supervisord reads "
        "with -c)"
    )
