"""The bare configparser baseline: ``python bench/cp_read.py FILE``.

Exactly supervisor's parser settings, no interpretation; the ``[include]``d files are read too
(sorted glob, as supervisor does) so that the split layout reads the same bytes.
"""

from __future__ import annotations

import configparser
import glob
import os
import sys


def main() -> None:
    path = sys.argv[1]
    cp = configparser.RawConfigParser(inline_comment_prefixes=(";", "#"), strict=False)
    cp.read(path)
    if cp.has_option("include", "files"):
        base = os.path.dirname(os.path.abspath(path))
        for pattern in cp.get("include", "files").split():
            cp.read(sorted(glob.glob(os.path.join(base, pattern))))


if __name__ == "__main__":
    main()
