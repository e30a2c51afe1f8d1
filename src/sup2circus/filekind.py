"""Which inputs of ``--check`` are Dockerfiles or shell scripts (checked by
:mod:`sup2circus.container`) rather than supervisor configs: a module of its own so that a lint
of configs never imports the container checks."""

from __future__ import annotations

import os
import re
import stat

DOCKERFILE, SHELL = "dockerfile", "shell"
# Dockerfile, dockerfile, Containerfile, Dockerfile.prod, Dockerfile-prod, api.Dockerfile...
_DOCKER_NAME = re.compile(r"(?:docker|container)file(?:[.-].*)?|.+\.(?:docker|container)file", re.I)
_SHELLS = rb"(?:sh|bash|dash|ash|ksh|mksh|zsh)"
_SHEBANG = re.compile(rb"#!\s*(?:\S*/)?(?:env\s+(?:-\S+\s+)*|busybox\s+)?" + _SHELLS + rb"(?:\s|$)")
# a [section] header (not a shell test such as `[ -f x ]` or `[[ -f x ]]`)
_SECTION = re.compile(rb"\[[^\s\[\]][^\]]*\]\s*(?:[;#].*)?")
_BOM = b"\xef\xbb\xbf"


def file_kind(path: str) -> str | None:
    """``DOCKERFILE`` or ``SHELL`` when ``--check`` should read ``path`` as one, else None
    (a supervisor config). A file whose first line of content is a ``[section]`` header is a
    config whatever its name (``Dockerfile.conf``, ``app.sh``); else by name: ``Dockerfile``,
    ``Containerfile`` in any letter case, with a ``.x`` or ``-x`` suffix or a ``.dockerfile``
    extension; ``*.sh``; else a ``#!`` line naming a POSIX-like shell."""
    head = _head(path)
    if head is not None and _first_is_section(head):
        return None
    base = os.path.basename(path)
    if _DOCKER_NAME.fullmatch(base):
        return DOCKERFILE
    if base.endswith(".sh"):
        return SHELL
    return SHELL if head is not None and _SHEBANG.match(head) else None


def _head(path: str) -> bytes | None:
    """The first 4 KiB of ``path`` without a byte order mark, None if it cannot be read or is
    not a regular file (opening a FIFO would wait for a writer; the reader refuses it)."""
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return None
        with open(path, "rb") as fh:
            head = fh.read(4096)
    except OSError:
        return None
    return head.removeprefix(_BOM)


def _first_is_section(head: bytes) -> bool:
    """Whether the first line that is neither blank nor a comment is a ``[section]`` header:
    a supervisor config's, never a Dockerfile's (FROM, ARG or a # directive first) nor a
    script's (a #! line)."""
    if _SHEBANG.match(head):
        return False
    for line in head.splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith((b"#", b";")):
            return _SECTION.fullmatch(stripped) is not None
    return False


def read_text(path: str, limit: int) -> str:
    """The text of the Dockerfile or script at ``path`` (at most ``limit`` bytes, UTF-8), or
    :class:`InputError`."""
    from .findings import InputError

    try:
        st = os.stat(path)
        if not stat.S_ISREG(st.st_mode):
            raise InputError("is not a regular file", path)
        if st.st_size > limit:
            raise InputError(f"file too large ({st.st_size} bytes; limit {limit})", path)
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", path) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        # the line of the first byte that is not UTF-8, as the config reader says it
        line = data.count(b"\n", 0, exc.start) + 1
        raise InputError(f"not UTF-8 text (byte {exc.start})", path, line) from None
