"""Figures over the real-world corpus: what sup2circus reports, and whether it reports it once.

    python scripts/corpus_stats.py [CORPUS_DIR]

For every ``*.conf`` of the corpus (default ``/work/shared/corpus/realworld``, the files
tests/equivalence/test_differential.py uses), converted with the default options in this process's
environment: findings per severity, duplicate findings (same file, line, column, code, section
and option), warnings per program, configs refused, and the number of files whose ``--check``
report differs from the conversion's findings (``convert_file(render=True)``).
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from pathlib import Path

from click.testing import CliRunner

from sup2circus import Sup2CircusError, cli, convert_file
from sup2circus.findings import Finding

DEFAULT_CORPUS = Path("/work/shared/corpus/realworld")
PROGRAM_SECTION = re.compile(r"^\[(?:program|fcgi-program|eventlistener):", re.MULTILINE)


def key(f: Finding | dict[str, object]) -> tuple[object, ...]:
    d = f.to_dict() if isinstance(f, Finding) else f
    return (d["file"], d["line"], d["column"], d["code"], d["section"], d["option"])


def check_findings(path: Path) -> list[dict[str, object]] | None:
    """The findings ``sup2circus --check --output-format json`` reports (None: refused)."""
    args = ["--isolated", "--check", "--exit-zero", "--output-format", "json", str(path)]
    result = CliRunner().invoke(cli.cli, args, catch_exceptions=False)
    if result.exit_code != 0:
        return None
    fields = ("code", "severity", "message", "file", "line", "column", "section", "option")
    return [{k: f[k] for k in fields} for f in json.loads(result.stdout)]


def main(argv: list[str]) -> int:
    corpus = Path(argv[0]) if argv else DEFAULT_CORPUS
    files = sorted(corpus.glob("*.conf"))
    severities: Counter[str] = Counter()
    duplicates = programs = refused = differ = 0
    for path in files:
        try:
            conv = convert_file(path)
        except Sup2CircusError:
            refused += 1
            continue
        # (conv.texts holds only the files that may have suppression comments)
        programs += sum(
            len(PROGRAM_SECTION.findall(Path(f).read_text(encoding="utf-8", errors="replace")))
            for f in conv.files_read
        )
        severities.update(f.severity.value for f in conv.findings)
        duplicates += len(conv.findings) - len({key(f) for f in conv.findings})
        checked = check_findings(path)
        if checked is None or [f.to_dict() for f in conv.findings] != checked:
            print(f"differs: {path.name}", file=sys.stderr)
            differ += 1
    total = sum(severities.values())
    print(f"corpus: {corpus} ({len(files)} files, {refused} refused, {programs} programs)")
    print(f"findings: {total}", *(f"{s}={severities[s]}" for s in ("error", "warning", "info")))
    print(f"duplicate findings: {duplicates}")
    print(f"warnings per program: {severities['warning'] / max(programs, 1):.2f}")
    print(f"files where convert and --check differ: {differ}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
