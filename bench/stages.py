"""Per-stage CPU time and peak RSS of one in-process conversion.

    python bench/stages.py bench/out/single-10000/supervisord.conf

Prints the CPU seconds of import, read, build, translate, write and the findings sort, and the
peak RSS (MB) after each stage. ``NOGC=1`` runs with the garbage collector off. Use it to find
which stage a change speeds up; ``bench/run.py`` gives the figures that count.
"""

from __future__ import annotations

import gc
import os
import resource
import sys
import time


def _rss_mb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


def main() -> None:
    if os.environ.get("NOGC"):
        gc.disable()
    t0 = time.process_time()
    from sup2circus import api
    from sup2circus.build import build
    from sup2circus.findings import Finding
    from sup2circus.read import read_file
    from sup2circus.translate import translate
    from sup2circus.write import write

    t1 = time.process_time()
    opts = api.ConvertOptions()
    raw = read_file(sys.argv[1], environ=opts.env(), host_node_name=None)
    t2, m2 = time.process_time(), _rss_mb()
    model = build(raw, opts)
    t3, m3 = time.process_time(), _rss_mb()
    circus, findings = translate(model, opts)
    t4, m4 = time.process_time(), _rss_mb()
    write(circus)
    t5, m5 = time.process_time(), _rss_mb()
    ordered = sorted(findings, key=Finding.sort_key)
    t6 = time.process_time()
    print(
        f"import {t1 - t0:.3f} read {t2 - t1:.3f} build {t3 - t2:.3f} "
        f"translate {t4 - t3:.3f} write {t5 - t4:.3f} sort {t6 - t5:.3f} s; "
        f"findings {len(ordered)}; peak RSS after read {m2} build {m3} translate {m4} "
        f"write {m5} MB"
    )


if __name__ == "__main__":
    main()
