"""Copy marked blocks of docs/ into README.md (tests/docs/test_readme.py checks that the README is
in sync).

A block is marked in its doc with ``<!-- readme:NAME -->`` ... ``<!-- /readme:NAME -->`` and
appears in the README between ``<!-- BEGIN NAME (from DOC) -->`` and ``<!-- END NAME -->``.
Only these short blocks are copied; the README links to the rest of each doc.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FRAGMENTS = {
    "performance-headline": "docs/performance.md",
    "pre-commit": "docs/ci.md",
}


def block(name: str, rel: str) -> str:
    """The text of the block NAME in the doc REL (without its markers)."""
    doc = (ROOT / rel).read_text()
    m = re.search(rf"<!-- readme:{name} -->\n(.*?)\n<!-- /readme:{name} -->", doc, re.S)
    if m is None:
        raise SystemExit(f"{rel}: no <!-- readme:{name} --> block")
    return m.group(1)


def synced(readme: str) -> str:
    """README text with every fragment replaced by its doc's current block."""
    for name, rel in FRAGMENTS.items():
        begin, end = f"<!-- BEGIN {name} (from {rel}) -->", f"<!-- END {name} -->"
        pattern = re.compile(re.escape(begin) + r".*?" + re.escape(end), re.S)
        if pattern.search(readme) is None:
            raise SystemExit(f"README.md: no {begin} ... {end}")
        replacement = f"{begin}\n{block(name, rel)}\n{end}"
        readme = pattern.sub(lambda _m, r=replacement: r, readme, count=1)
    return readme


def main() -> int:
    readme = ROOT / "README.md"
    text = readme.read_text()
    new = synced(text)
    if "--check" in sys.argv:
        return 0 if new == text else 1
    readme.write_text(new)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
