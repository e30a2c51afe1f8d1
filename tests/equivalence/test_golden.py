"""Golden cases: every fixture converts to exactly the reviewed circus.ini and findings."""

from __future__ import annotations

import pytest
from golden import FIXTURES, cases, render


def test_there_are_golden_cases() -> None:
    assert len(cases()) >= 30


@pytest.mark.parametrize("case", cases())
def test_golden(case: str) -> None:
    got = render(case)
    expected_names = sorted(
        p.name
        for p in (FIXTURES / case).iterdir()
        if p.name in ("circus.ini", "findings.json", "error.txt")
    )
    assert sorted(got) == expected_names, "run scripts/regen_fixtures.py and review"
    for name, text in got.items():
        assert text == (FIXTURES / case / name).read_text(), f"{case}/{name} differs"
