"""``python -m sup2circus``: the same as the ``sup2circus`` command (see :mod:`sup2circus.cli`)."""

from __future__ import annotations

from .cli import main

if __name__ == "__main__":
    main()
