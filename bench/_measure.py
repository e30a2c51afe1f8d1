"""Run ONE command as a fresh child and report its wall time and peak memory.

``python bench/_measure.py STDERR_FILE CMD...`` prints one JSON object: ``wall`` (seconds, from
just before the fork to the child's exit), ``cpu`` (the child's user + system CPU seconds:
robust when other jobs share the machine), ``maxrss_kb`` (``getrusage(RUSAGE_CHILDREN)``: this
wrapper has exactly one child, so it is that command's peak RSS) and ``rc``. The child's stdout
goes to /dev/null and its stderr to STDERR_FILE.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time


def main() -> None:
    err_path, cmd = sys.argv[1], sys.argv[2:]
    with open(err_path, "wb") as err:
        t0 = time.perf_counter()
        rc = subprocess.call(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err)
        wall = time.perf_counter() - t0
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = ru.ru_utime + ru.ru_stime
    print(json.dumps({"wall": wall, "cpu": cpu, "maxrss_kb": ru.ru_maxrss, "rc": rc}))


if __name__ == "__main__":
    main()
