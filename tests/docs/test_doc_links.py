"""Every relative link in README.md, docs/*.md and docker/*.md resolves from where the file
stands: the file or directory exists, and a ``#anchor`` into a Markdown file names one of its
headings (GitHub's anchors)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = sorted([ROOT / "README.md", *(ROOT / "docs").glob("*.md"), *(ROOT / "docker").glob("*.md")])

_FENCE = re.compile(r"^(```|~~~).*?^\1", re.S | re.M)
_CODE_SPAN = re.compile(r"`[^`\n]*`")
_LINK = re.compile(r"\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
_HEADING = re.compile(r"^#{1,6}[ \t]+(.+?)[ \t]*#*[ \t]*$", re.M)


def _prose(markdown: str) -> str:
    """The text outside fenced blocks and code spans (links there are examples, not links)."""
    return _CODE_SPAN.sub("", _FENCE.sub("", markdown))


def anchors(markdown: str) -> set[str]:
    """GitHub's heading anchors: lower case, markup and punctuation other than ``-``/``_``
    dropped, spaces to ``-``; a repeated heading gets ``-1``, ``-2``..."""
    out: set[str] = set()
    for m in _HEADING.finditer(_FENCE.sub("", markdown)):
        text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", m.group(1))  # a link keeps its text
        slug = re.sub(r"[^\w\- ]", "", text.replace("`", "").lower()).replace(" ", "-")
        candidate, n = slug, 0
        while candidate in out:
            n += 1
            candidate = f"{slug}-{n}"
        out.add(candidate)
    return out


def broken_links(doc: Path) -> list[str]:
    """The relative links of ``doc`` that do not resolve, as ``target: why``."""
    problems = []
    for target in _LINK.findall(_prose(doc.read_text())):
        if re.match(r"[a-z][a-z0-9+.-]*:", target):  # https:, mailto:...
            continue
        path_part, _, anchor = target.partition("#")
        dest = (doc.parent / path_part).resolve() if path_part else doc
        if not dest.exists():
            problems.append(f"{target}: {dest} does not exist")
        elif anchor and dest.suffix == ".md" and anchor not in anchors(dest.read_text()):
            problems.append(f"{target}: no heading with anchor #{anchor} in {dest.name}")
    return problems


@pytest.mark.parametrize("doc", DOCS, ids=[str(d.relative_to(ROOT)) for d in DOCS])
def test_relative_links_resolve(doc: Path) -> None:
    assert broken_links(doc) == []


def test_the_docs_are_found() -> None:
    names = {str(d.relative_to(ROOT)) for d in DOCS}
    assert {"README.md", "docs/semantics.md", "docs/development.md", "docker/README.md"} <= names


def test_checker_finds_broken_links_and_anchors(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "rules.md").write_text("# Rules\n\n## S2C101 `autorestart`-unexpected\n")
    doc = tmp_path / "docs" / "ci.md"
    doc.write_text(
        "## Same\n\n## Same\n\n"
        "[ok](rules.md#s2c101-autorestart-unexpected) [self](#same-1) [web](https://x.y/z)\n"
        "[root-relative](docs/rules.md) [anchor](rules.md#s2c102) [none](#other)\n"
        "`[in code](nowhere.md)`\n\n```md\n[in a block](nowhere.md)\n```\n"
    )
    assert [p.split(":")[0] for p in broken_links(doc)] == [
        "docs/rules.md",
        "rules.md#s2c102",
        "#other",
    ]


_TEST_REF = re.compile(r"`(test_\w+\.py)::(test_\w+)")


def test_the_tests_docs_name_exist() -> None:
    # semantics.md and the others cite experiments as `test_file.py::test_name`
    defined: dict[str, str] = {}
    for path in (ROOT / "tests").rglob("test_*.py"):
        defined[path.name] = defined.get(path.name, "") + path.read_text(encoding="utf-8")
    cited = [m.groups() for doc in DOCS for m in _TEST_REF.finditer(doc.read_text("utf-8"))]
    assert len(cited) > 20  # not vacuous: semantics.md alone cites more
    missing = [
        f"{file}::{name}"
        for file, name in cited
        if not re.search(rf"^def {name}\(", defined.get(file, ""), re.M)
    ]
    assert not missing
