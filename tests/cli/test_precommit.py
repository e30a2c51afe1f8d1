"""The pre-commit hook, for real: ``pre-commit try-repo`` installs sup2circus from a throwaway git
copy of this source tree (language: python -> its own virtualenv, pip install) and runs the hook
in a throwaway repository holding a good and a bad supervisor config.

Needs git and pip access to the package index (for click and setuptools), like any pre-commit
user. The copy is made from the work tree (committed or not), so the test checks this code.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

GOOD = """\
[supervisord]
nodaemon = true

[program:web]
command = /bin/sleep 100
autorestart = true
"""

BAD = """\
[program:job]
command = /bin/true
"""  # autorestart=unexpected (the default): S2C101 warning


def _git(cwd: Path, *args: str) -> None:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.invalid",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.invalid",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
    }
    subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True)


def _copy_project(dest: Path) -> None:
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info", ".mypy_cache")
    dest.mkdir()
    for name in ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml"):
        if (ROOT / name).exists():
            shutil.copy2(ROOT / name, dest / name)
    shutil.copytree(ROOT / "src", dest / "src", ignore=ignore)
    if not (dest / "README.md").exists():
        (dest / "README.md").write_text("sup2circus\n")
    _git(dest, "init", "-q", "-b", "main")
    _git(dest, "add", ".")
    _git(dest, "commit", "-q", "-m", "snapshot")


def _pre_commit(cwd: Path, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "PRE_COMMIT_HOME": str(home),
        "GIT_CONFIG_GLOBAL": os.devnull,
        "NO_COLOR": "1",
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
    }
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", *args, "--color", "never"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.mark.slow
def test_pre_commit_try_repo(tmp_path: Path) -> None:
    if shutil.which("git") is None:
        pytest.fail("git is required for the pre-commit test")
    hook_repo = tmp_path / "hookrepo"
    _copy_project(hook_repo)

    work = tmp_path / "work"
    (work / "supervisor" / "conf.d").mkdir(parents=True)
    (work / "supervisord.conf").write_text(GOOD)
    (work / "supervisor" / "conf.d" / "job.conf").write_text(BAD)
    (work / "notes.conf").write_text(BAD)  # not matched by the hook's files pattern
    _git(work, "init", "-q", "-b", "main")
    _git(work, "add", ".")
    _git(work, "commit", "-q", "-m", "configs")
    home = tmp_path / "pc-home"

    good = _pre_commit(work, home, str(hook_repo), "sup2circus", "--files", "supervisord.conf")
    assert good.returncode == 0, good.stdout + good.stderr
    assert re.search(r"^sup2circus\.+Passed$", good.stdout, re.M), good.stdout

    bad = _pre_commit(
        work, home, str(hook_repo), "sup2circus", "--files", "supervisor/conf.d/job.conf"
    )
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert re.search(r"^sup2circus\.+Failed$", bad.stdout, re.M), bad.stdout
    assert re.search(r"^supervisor/conf\.d/job\.conf:1:1: S2C101 warning ", bad.stdout, re.M), (
        bad.stdout
    )
    assert "- exit code: 1" in bad.stdout

    skipped = _pre_commit(work, home, str(hook_repo), "sup2circus", "--files", "notes.conf")
    assert skipped.returncode == 0, skipped.stdout
    assert re.search(r"^sup2circus\.+\(no files to check\)Skipped$", skipped.stdout, re.M)

    every = _pre_commit(work, home, str(hook_repo), "sup2circus", "--all-files")
    assert every.returncode == 1, every.stdout
    assert "notes.conf" not in every.stdout
    assert "supervisor/conf.d/job.conf:1:1: S2C101" in every.stdout


def _hook_files_pattern() -> str:
    import yaml

    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    return str(hook["files"])


# paths as pre-commit gives them (relative to the repository's root); nginx's and httpd's conf.d
# files are not supervisor configs: checked, each would be an S2C901 error on every commit
HOOK_MATCHES = [
    "supervisord.conf",
    "docker/supervisord.conf",
    "supervisor.conf",
    "etc/supervisor/supervisord.conf",
    "supervisor/app.conf",
    "supervisor/conf.d/app.conf",
    "deploy/supervisor/conf.d/worker.conf",
    "supervisord.d/app.ini",
    "etc/supervisord.d/app.conf",
    "supervisor.d/app.ini",
]
HOOK_SKIPS = [
    "nginx/conf.d/default.conf",
    "docker/nginx/conf.d/site.conf",
    "httpd/conf.d/ssl.conf",
    "conf.d/default.conf",
    "notes.conf",
    "supervisord.conf.bak",
    "supervisor/conf.d/deep/app.conf",
    "supervisord.d/README.md",
]


@pytest.mark.parametrize("path", HOOK_MATCHES)
def test_hook_files_pattern_takes_supervisor_layouts(path: str) -> None:
    assert re.search(_hook_files_pattern(), path)


@pytest.mark.parametrize("path", HOOK_SKIPS)
def test_hook_files_pattern_leaves_other_conf_d_files_alone(path: str) -> None:
    assert not re.search(_hook_files_pattern(), path)


def test_the_documented_hook_has_the_same_files_pattern() -> None:
    pattern = _hook_files_pattern()
    for doc in ("docs/ci.md", "README.md"):
        assert f"files: {pattern}\n" in (ROOT / doc).read_text(), doc
