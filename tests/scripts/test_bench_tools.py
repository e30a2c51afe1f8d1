"""The developer commands the docs give: bench/stages.py and bench/cli_stages.py (which stage a
change speeds up) run and name every stage they promise; scripts/regen_fixtures.py --help only
helps."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CONF = "[supervisord]\n[program:a]\ncommand=/bin/sleep 5\n[program:b]\ncommand=/bin/true\n"


def _run(tmp_path: Path, script: str, *args: str) -> subprocess.CompletedProcess[str]:
    conf = tmp_path / "supervisord.conf"
    conf.write_text(CONF, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    return subprocess.run(
        [sys.executable, str(ROOT / "bench" / script), str(conf), *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=60,
    )


def test_stages_names_every_stage(tmp_path: Path) -> None:
    done = _run(tmp_path, "stages.py")
    assert done.returncode == 0, done.stderr
    for stage in ("import", "read", "build", "translate", "write", "sort", "findings"):
        assert f"{stage} " in done.stdout


def test_cli_stages_times_the_real_command(tmp_path: Path) -> None:
    out = tmp_path / "circus.ini"
    done = _run(tmp_path, "cli_stages.py", "-o", str(out))
    assert done.returncode == 0, done.stderr
    assert "[watcher:a]" in out.read_text(encoding="utf-8")
    (line,) = [x for x in done.stderr.splitlines() if x.startswith("STAGES ")]
    for stage in ("read_file", "build", "translate", "sorted_findings", "write_atomic", "total"):
        assert f"| {stage} " in line or f"{stage} " in line.split(" | ")[0], line


def test_gen_help_writes_nothing(tmp_path: Path) -> None:
    # `python bench/gen.py --help` once wrote the benchmark configs into a directory "--help"
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "gen.py"), "--help"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "usage:" in done.stdout and "OUTDIR" in done.stdout
    assert list(tmp_path.iterdir()) == []


def test_regen_fixtures_help_regenerates_nothing(tmp_path: Path) -> None:
    golden = ROOT / "fixtures" / "seed" / "circus.ini"
    before = golden.stat().st_mtime_ns
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "regen_fixtures.py"), "--help"],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("usage: regen_fixtures.py")
    assert golden.stat().st_mtime_ns == before
