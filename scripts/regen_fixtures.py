"""Regenerate the golden files under fixtures/ (review the git diff afterwards)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from golden import FIXTURES, cases, render


def main(argv: list[str] | None = None) -> None:
    argparse.ArgumentParser(description=__doc__).parse_args(argv)
    for case in cases():
        out = render(case)
        for stale in ("circus.ini", "findings.json", "error.txt"):
            if stale not in out and (FIXTURES / case / stale).exists():
                (FIXTURES / case / stale).unlink()
        for name, text in out.items():
            (FIXTURES / case / name).write_text(text)
        print(case, ", ".join(sorted(out)))


if __name__ == "__main__":
    main()
