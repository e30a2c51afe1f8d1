"""CPU time per stage inside one real run of the ``sup2circus`` command.

    BENCH_ROOT=/srv/bench BENCH_REGION=eu-west-1 \
        python bench/cli_stages.py bench/out/single-10000/supervisord.conf -o /tmp/circus.ini

Runs the console entry (``sup2circus.cli.main()``, as the installed command does) with the
given arguments, timing the pipeline's stages by wrapping the functions the CLI calls, and
prints one line to stderr at exit: the CPU seconds from the end of the previous mark to each
stage's start ("pre-") and end. The wrappers cost nothing measurable (each runs once);
``bench/run.py`` gives the figures that count.
"""

from __future__ import annotations

import atexit
import os
import sys
import time
from collections.abc import Callable
from typing import Any

_T0 = time.process_time()
_MARKS: list[tuple[str, float]] = []


def _mark(name: str) -> None:
    _MARKS.append((name, time.process_time()))


def _wrap(module: Any, name: str) -> None:
    inner: Callable[..., Any] = getattr(module, name)

    def timed(*args: Any, **kwargs: Any) -> Any:
        _mark("pre-" + name)
        result = inner(*args, **kwargs)
        _mark(name)
        return result

    setattr(module, name, timed)


def _report() -> None:
    _mark("exit")
    prev = _T0
    parts = []
    for name, t in _MARKS:
        parts.append(f"{name} {t - prev:.3f}")
        prev = t
    total = time.process_time() - _T0
    os.write(2, ("STAGES " + " | ".join(parts) + f" | total {total:.3f}\n").encode())


def main() -> None:
    from sup2circus import api, build, cli, lint, output, read, translate

    _mark("import")
    _wrap(read, "read_file")
    _wrap(build, "build")
    _wrap(translate, "translate")
    _wrap(api, "sorted_findings")
    _wrap(lint, "process")
    _wrap(cli, "_render")
    _wrap(output, "write_atomic")
    atexit.register(_report)
    sys.argv[0] = "sup2circus"
    cli.main()


if __name__ == "__main__":
    main()
