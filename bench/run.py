"""The sup2circus benchmark: ``python bench/run.py`` (see docs/performance.md).

1. Generates supervisord.conf files of 100, 1,000 and 10,000 programs, as one file and split over
   50 ``[include]``d files, into ``bench/out/`` (gitignored) -- see bench/gen.py.
2. Times, each as a FRESH process (``bench/_measure.py`` wraps every run so that
   ``getrusage(RUSAGE_CHILDREN)`` is that one run's peak memory), ``--runs`` times, interleaved:

   * ``sup2circus FILE -o OUT`` -- the CLI end to end (read, build, translate, write the file);
   * supervisor 4.3's own parse -- ``ServerOptions`` + ``process_config`` (bench/sup_parse.py);
   * a bare ``configparser`` read with supervisor's settings (bench/cp_read.py).

3. Cold start: ``sup2circus --check`` on a 3-program file vs ``python -c "import click"``.
4. Prints medians, ratios, peak memory and PASS/FAIL per target; exits 1 if a target fails.

``--profile`` instead runs cProfile over one in-process conversion of the largest file and prints
the hot spots. ``--json FILE`` also writes every measurement.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from gen import BENCH_ENV, generate  # noqa: E402

PY = sys.executable
MEASURE = os.path.join(HERE, "_measure.py")
TOOLS = ("sup2circus", "supervisor", "configparser")


def sup2circus_cmd() -> list[str]:
    exe = shutil.which("sup2circus")
    if exe:
        return [exe]
    return [PY, "-c", "import sys; from sup2circus.cli import main; sys.exit(main())"]


def tool_cmd(tool: str, conf: str, out: str) -> list[str]:
    if tool == "sup2circus":
        return [*sup2circus_cmd(), conf, "-o", out]
    if tool == "supervisor":
        return [PY, os.path.join(HERE, "sup_parse.py"), conf]
    if tool == "configparser":
        return [PY, os.path.join(HERE, "cp_read.py"), conf]
    raise ValueError(tool)


def measure(cmd: list[str], errfile: str, env: dict[str, str]) -> dict[str, float]:
    res = subprocess.run(
        [PY, MEASURE, errfile, *cmd], env=env, capture_output=True, text=True, check=True
    )
    return dict(json.loads(res.stdout))


def fail_detail(errfile: str) -> str:
    with open(errfile, encoding="utf-8", errors="replace") as fh:
        lines = fh.read().splitlines()
    return "\n      ".join(lines[-8:])


def fmt_s(x: float) -> str:
    return f"{x * 1000:8.0f} ms" if x < 10 else f"{x:8.2f} s "


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--runs", type=int, default=5, help="runs per tool and file (median)")
    ap.add_argument("--cold-runs", type=int, default=20, help="runs of the cold-start pair")
    ap.add_argument("--sizes", default="100,1000,10000", help="program counts (comma separated)")
    ap.add_argument("--out", default=os.path.join(HERE, "out"), help="output directory")
    ap.add_argument("--json", help="also write all measurements to this file")
    ap.add_argument("--profile", action="store_true", help="cProfile the largest conversion")
    ap.add_argument(
        "--metric",
        choices=("cpu", "wall"),
        default="cpu",
        help="time the targets are checked on: the child's user+sys CPU time (default; stable on\n"
        "a shared machine) or wall-clock time",
    )
    args = ap.parse_args()

    sizes = tuple(int(s) for s in args.sizes.split(","))
    os.makedirs(args.out, exist_ok=True)
    cases = generate(args.out, sizes)
    env = dict(os.environ, **BENCH_ENV)
    # Measure installed-package conditions: pip compiles .pyc files at install time, so every
    # tool runs from bytecode caches (the warm-up run writes sup2circus's own, which an editable
    # install would otherwise recompile from source on every run if this is set).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    os.environ.update(BENCH_ENV)
    if args.profile:
        return profile(cases[f"single-{max(sizes)}"], args.out)

    errdir = os.path.join(args.out, "stderr")
    os.makedirs(errdir, exist_ok=True)
    load = os.getloadavg()[0]
    print(
        f"python {sys.version.split()[0]} on {os.cpu_count()} cpus, load average {load:.1f}; "
        f"{args.runs} runs each"
    )
    results: dict[str, dict[str, list[dict[str, float]]]] = {}
    failed_cmds: list[str] = []
    for case, conf in cases.items():
        if case == "tiny":
            continue
        results[case] = {t: [] for t in TOOLS}
        out = os.path.join(args.out, f"{case}.circus.ini")
        dead: set[str] = set()
        for run in range(args.runs + 1):  # run 0 = warm-up (page cache, .pyc), not counted
            for tool in TOOLS:
                if tool in dead:
                    continue
                errfile = os.path.join(errdir, f"{case}.{tool}.txt")
                m = measure(tool_cmd(tool, conf, out), errfile, env)
                if m["rc"] != 0:
                    cmd = " ".join(tool_cmd(tool, conf, out))
                    failed_cmds.append(f"{cmd} -> rc {m['rc']}\n      {fail_detail(errfile)}")
                    results[case][tool] = []
                    dead.add(tool)
                elif run:
                    results[case][tool].append(m)
        print(f"  measured {case}", file=sys.stderr)

    metric = args.metric

    def med(case: str, tool: str, key: str = metric) -> float:
        vals = [m[key] for m in results.get(case, {}).get(tool, [])]
        return statistics.median(vals) if vals else float("nan")

    print()
    print(
        f"{'file':<14}{'tool':<14}{'wall med':>11}{'min':>11}{'max':>11}{'CPU med':>11}"
        f"{'peak RSS':>11}"
    )
    for case in results:
        for tool in TOOLS:
            runs = results[case][tool]
            if not runs:
                print(f"{case:<14}{tool:<14}{'FAILED':>11}")
                continue
            walls = [m["wall"] for m in runs]
            cpus = [m["cpu"] for m in runs]
            rss = max(m["maxrss_kb"] for m in runs) / 1024
            print(
                f"{case:<14}{tool:<14}{fmt_s(statistics.median(walls))}"
                f"{fmt_s(min(walls))}{fmt_s(max(walls))}{fmt_s(statistics.median(cpus))}"
                f"{rss:8.1f} MB"
            )
    print()
    print(f"ratios of {metric} medians (sup2circus / supervisor parse, sup2circus / configparser):")
    for case in results:
        s, v, c = (med(case, t) for t in TOOLS)
        print(f"  {case:<14} {s / v:6.2f}x supervisor   {s / c:6.2f}x configparser")

    # cold start
    tiny = cases["tiny"]
    cold: dict[str, list[float]] = {"sup2circus --check": [], "python -c 'import click'": []}
    cold_wall: dict[str, list[float]] = {k: [] for k in cold}
    cmds = {
        "sup2circus --check": [*sup2circus_cmd(), "--check", tiny],
        "python -c 'import click'": [PY, "-c", "import click"],
    }
    for run in range(args.cold_runs + 1):
        for name, cmd in cmds.items():
            errfile = os.path.join(errdir, "cold.txt")
            m = measure(cmd, errfile, env)
            with open(errfile, encoding="utf-8", errors="replace") as fh:
                crashed = "Traceback" in fh.read()
            if m["rc"] not in (0, 1) or crashed:
                failed_cmds.append(f"{' '.join(cmd)} -> rc {m['rc']}\n      {fail_detail(errfile)}")
            if run:
                cold[name].append(m[metric])
                cold_wall[name].append(m["wall"])
    print()
    print(f"cold start, median of {args.cold_runs}:")
    for name, vals in cold.items():
        print(
            f"  {name:<28}{fmt_s(statistics.median(cold_wall[name]))} wall"
            f"{fmt_s(statistics.median(vals))} {metric}"
        )

    # targets
    big, mid = f"single-{max(sizes)}", f"single-{sorted(sizes)[-2]}" if len(sizes) > 1 else None
    checks: list[tuple[str, float, float]] = []  # (label, value, limit): PASS if value <= limit
    for case in (big, f"split-{max(sizes)}"):
        # the bare configparser read is shown for scale, not a target (issue 12 dropped it)
        s, v = med(case, "sup2circus"), med(case, "supervisor")
        checks.append((f"{case}: sup2circus / supervisor parse time", s / v, 0.5))
        sm = med(case, "sup2circus", "maxrss_kb")
        vm = med(case, "supervisor", "maxrss_kb")
        checks.append((f"{case}: sup2circus / supervisor peak memory", sm / vm, 1.0))
    if mid:
        for layout in ("single", "split"):
            a = med(f"{layout}-{max(sizes)}", "sup2circus")
            b = med(f"{layout}-{sorted(sizes)[-2]}", "sup2circus")
            label = f"{layout}: sup2circus time {max(sizes)} / {sorted(sizes)[-2]}"
            checks.append((label, a / b, 11))
    cs, cc = (statistics.median(v) for v in cold.values())
    checks.append(("cold start: sup2circus --check / import click", cs / cc, 2.0))

    print()
    print(f"targets (times: {metric}):")
    ok = not failed_cmds
    for label, value, limit in checks:
        good = value <= limit  # NaN (a failed tool) is never <= limit
        ok = ok and good
        print(f"  {'PASS' if good else 'FAIL'}  {label:<52} {value:6.2f} (<= {limit:g})")
    for f in failed_cmds:
        print(f"  FAIL  command failed: {f}")

    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump(
                {
                    "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                    "python": sys.version,
                    "cpus": os.cpu_count(),
                    "results": results,
                    "metric": metric,
                    "cold": cold,
                    "cold_wall": cold_wall,
                    "checks": [{"target": t, "value": v, "limit": lim} for t, v, lim in checks],
                },
                fh,
                indent=1,
            )
    return 0 if ok else 1


def profile(conf: str, outdir: str) -> int:
    """cProfile one in-process CLI conversion of ``conf``; print the top functions."""
    import cProfile
    import pstats

    from sup2circus.cli import main as cli_main

    prof = cProfile.Profile()
    argv = sys.argv
    sys.argv = ["sup2circus", conf, "-o", os.path.join(outdir, "profile.circus.ini")]
    t0 = time.perf_counter()
    prof.enable()
    try:
        cli_main()
    except SystemExit:
        pass
    finally:
        prof.disable()
        sys.argv = argv
    print(f"in-process conversion of {conf}: {time.perf_counter() - t0:.2f} s (with profiler)")
    stats = pstats.Stats(prof)
    stats.sort_stats("tottime").print_stats(25)
    stats.sort_stats("cumulative").print_stats(30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
