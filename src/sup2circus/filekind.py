"""Which inputs of ``--check`` are Dockerfiles or shell scripts (checked by
:mod:`sup2circus.container`) rather than supervisor configs: a module of its own so that a lint
of configs never imports the container checks."""

from __future__ import annotations

import os
import re

DOCKERFILE, SHELL = "dockerfile", "shell"
_SHEBANG = re.compile(rb"#!\s*(?:\S*/)?(?:env\s+(?:-\S+\s+)*)?(?:sh|bash|dash|ash)(?:\s|$)")


def file_kind(path: str) -> str | None:
    """``DOCKERFILE`` or ``SHELL`` when ``--check`` should read ``path`` as one, else None
    (a supervisor config). By name: ``Dockerfile``, ``*.Dockerfile``, ``Dockerfile.*``,
    ``Containerfile``; ``*.sh``; else a ``#!`` line naming sh, bash, dash or ash."""
    base = os.path.basename(path)
    if base in ("Dockerfile", "Containerfile") or base.endswith(".Dockerfile"):
        return DOCKERFILE
    if base.startswith(("Dockerfile.", "Containerfile.")):
        return DOCKERFILE
    if base.endswith(".sh"):
        return SHELL
    try:
        with open(path, "rb") as fh:
            head = fh.readline(256)
    except OSError:
        return None
    return SHELL if _SHEBANG.match(head) else None
