"""Golden cases: ``fixtures/<case>/supervisord.conf`` -> ``circus.ini`` + ``findings.json``
(or ``error.txt`` for configs supervisord refuses). Regenerate with
``python scripts/regen_fixtures.py`` and review the diff."""

from __future__ import annotations

import json
from pathlib import Path

from sup2circus import ConvertOptions, Sup2CircusError, convert_file

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"

# The conversion machine the golden files assume.
ENVIRON = {"HOME": "/home/app", "APP_USER": "app", "PATH": "/usr/local/bin:/usr/bin:/bin"}
HOST = "buildhost"


def cases() -> list[str]:
    return sorted(p.parent.name for p in FIXTURES.glob("*/supervisord.conf"))


def options_for(case: str) -> ConvertOptions:
    extra: dict[str, object] = {}
    opt_file = FIXTURES / case / "options.json"
    if opt_file.exists():
        extra = json.loads(opt_file.read_text())
    return ConvertOptions(environ=ENVIRON, host_node_name=HOST, **extra)  # type: ignore[arg-type]


def _norm(text: str, case_dir: Path) -> str:
    return text.replace(str(case_dir), "<HERE>")


def render(case: str) -> dict[str, str]:
    """The golden files' expected content for ``case``."""
    case_dir = FIXTURES / case
    try:
        conv = convert_file(case_dir / "supervisord.conf", options_for(case))
    except Sup2CircusError as err:
        return {"error.txt": _norm(str(err), case_dir) + "\n"}
    findings = [
        {
            "code": f.code,
            "severity": f.severity.value,
            "file": _norm(f.file, case_dir),
            "line": f.line,
            "section": f.section,
            "option": f.option,
            "message": _norm(f.message, case_dir),
        }
        for f in conv.findings
    ]
    return {
        "circus.ini": _norm(conv.text, case_dir),
        "findings.json": json.dumps(findings, indent=1) + "\n",
    }
