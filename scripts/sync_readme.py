"""Copy the docs fragments into README.md between their markers (tests/test_readme.py checks
that the README is in sync): docs/docker.md, docs/ci.md, docs/performance.md."""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FRAGMENTS = {
    "docker-demo": "docs/docker.md",
    "ci": "docs/ci.md",
    "performance": "docs/performance.md",
}


def synced(readme: str) -> str:
    for name, rel in FRAGMENTS.items():
        path = ROOT / rel
        if not path.exists():
            continue
        body = path.read_text().strip("\n")
        begin, end = f"<!-- BEGIN {name} (from {rel}) -->", f"<!-- END {name} -->"
        pattern = re.compile(re.escape(begin) + r".*?" + re.escape(end), re.S)
        block = f"{begin}\n{body}\n{end}"
        m = pattern.search(readme)
        if m:
            readme = readme[: m.start()] + block + readme[m.end() :]
        else:
            readme = readme.rstrip("\n") + "\n\n" + block + "\n"
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
