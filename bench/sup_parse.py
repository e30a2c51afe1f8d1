"""Supervisor 4.3's own parse of a config: what supervisord does before it starts anything.

``python bench/sup_parse.py FILE`` -- ``ServerOptions`` + ``process_config`` (reads the file and
its includes, expands, builds every process config). Nothing is relaxed: the generated files use
existing users and create their log directories.
"""

from __future__ import annotations

import sys

from supervisor.options import ServerOptions


def main() -> None:
    opts = ServerOptions()
    opts.configfile = sys.argv[1]
    opts.process_config(do_usage=False)
    n = sum(len(g.process_configs) for g in opts.process_group_configs)
    if len(sys.argv) > 2 and sys.argv[2] == "-v":
        print(n, "processes")


if __name__ == "__main__":
    main()
