"""What the translate tests that run the daemons share."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from e2e.daemons import short_tmpdir


@pytest.fixture
def root() -> Iterator[Path]:
    """A fresh directory with a short path (the daemons' ipc:// sockets go there, and AF_UNIX
    allows 107 bytes), removed afterwards."""
    path = short_tmpdir("s2ct")
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)
