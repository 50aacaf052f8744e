"""Speed and memory of csat() and nps() by month and two segments, beside a bare groupby.

The question (DESIGN.md, principle 1 "Sufficient statistics first"): the only step
whose cost grows with rows is the tally, so CSAT and NPS with intervals by month,
channel and region should cost about what a bare pandas groupby count costs on the
same frame. Targets: at most 1.5 times the bare groupby's wall time, and peak
memory of the operation at most twice the frame's size.

Usage::

    python benchmarks/bench_metrics.py                       # 1M and 10M rows
    python benchmarks/bench_metrics.py --sizes 1000000 --repeats 5
    python benchmarks/bench_metrics.py --no-memory           # timings only

Prints a markdown table and writes ``benchmarks/results/metrics.json`` (git-ignored).
This is a script, not a test: it measures and reports, it never asserts timings.

How it measures
---------------
* The synthetic frame is one mixed canonical frame (seeded ``numpy.random.default_rng``):
  ``response_id``, ``responded_at`` (uniform over the 24 months 2023-01..2024-12),
  ``survey`` ("csat" for about half the rows, "nps" for the rest), ``score`` (int64:
  1-5 for csat, 0-10 for nps), ``channel`` (5 levels) and ``region`` (4 levels).
  The three text columns are built either as pandas' default string dtype (``str``)
  or as ``category``; each is measured (``--dtypes``).
* Time: each size runs in its own child process. The frame is built once, every
  operation is warmed up on a 10,000-row slice (lazy imports), then the operations
  are timed round-robin with ``time.perf_counter`` and the best of k is kept. The
  process CPU time (``time.process_time``, all threads, user + system) of the same
  runs is reported too: on a shared machine it is less disturbed by other work.
* Memory: each (size, dtype, operation) runs in a fresh child process. After the
  frame is built the child collects garbage, returns freed heap to the OS
  (``malloc_trim``, pyarrow's ``release_unused``), reads its resident set size,
  resets the kernel's high-water mark (``/proc/self/clear_refs`` = 5), runs the
  operation once and reads ``VmHWM``. "Peak above frame" is ``VmHWM`` minus the RSS
  just before the operation. Where the reset is not allowed it falls back to
  ``ru_maxrss`` deltas, which can only under-report (the flag ``hwm_reset`` in the
  JSON says which was used).
"""
from __future__ import annotations

import argparse
import ctypes
import gc
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DEFAULT_OUT = HERE / "results" / "metrics.json"

SEED = 20240601
MONTHS = 24
START = np.datetime64("2023-01-01T00:00:00", "s")
END = np.datetime64("2025-01-01T00:00:00", "s")  # exclusive: 24 whole months
CHANNELS = (["chat", "email", "phone", "web", "social"], [0.30, 0.25, 0.20, 0.15, 0.10])
REGIONS = (["north_america", "emea", "apac", "latam"], [0.40, 0.30, 0.20, 0.10])
CSAT_P = [0.05, 0.07, 0.13, 0.35, 0.40]  # scores 1..5
NPS_P = [0.02, 0.01, 0.02, 0.03, 0.03, 0.06, 0.08, 0.15, 0.20, 0.18, 0.22]  # scores 0..10
LARGE = 5_000_000  # sizes at or above this use --large-repeats

# name -> (label for the table, is a baseline)
OPERATIONS = {
    "groupby_to_period": "bare groupby count, month = `.dt.to_period(\"M\")`",
    "groupby_datetime64M": "bare groupby count, month = `datetime64[M]` truncation",
    "counts_floor_csat": "floor: csat rows only, groupby month/channel/region/score count",
    "csat": "`csat(df, by=[\"channel\", \"region\"], period=\"M\")`",
    "nps": "`nps(df, by=[\"channel\", \"region\"], period=\"M\")`",
}
BASELINES = ("groupby_to_period", "groupby_datetime64M")


# --------------------------------------------------------------------------- data


def make_frame(n: int, text_dtype: str = "str", seed: int = SEED) -> pd.DataFrame:
    """A canonical mixed CSAT/NPS response frame of ``n`` rows.

    ``text_dtype`` is ``"str"`` (pandas' default string dtype) or ``"category"`` and
    applies to ``survey``, ``channel`` and ``region``.
    """
    rng = np.random.default_rng(seed)
    span = int((END - START) / np.timedelta64(1, "s"))
    seconds = rng.integers(0, span, n)
    responded_at = (START + seconds.astype("timedelta64[s]")).astype("datetime64[ns]")
    del seconds
    is_csat = rng.random(n) < 0.5
    score = np.where(
        is_csat,
        rng.choice(np.arange(1, 6), size=n, p=CSAT_P),
        rng.choice(np.arange(0, 11), size=n, p=NPS_P),
    ).astype(np.int64)
    survey = pd.Categorical.from_codes(np.where(is_csat, 0, 1).astype(np.int8), ["csat", "nps"])
    del is_csat
    channel = pd.Categorical.from_codes(
        rng.choice(len(CHANNELS[0]), size=n, p=CHANNELS[1]).astype(np.int8), CHANNELS[0]
    )
    region = pd.Categorical.from_codes(
        rng.choice(len(REGIONS[0]), size=n, p=REGIONS[1]).astype(np.int8), REGIONS[0]
    )
    frame = pd.DataFrame(
        {
            "response_id": np.arange(1, n + 1, dtype=np.int64),
            "responded_at": responded_at,
            "survey": survey,
            "score": score,
            "channel": channel,
            "region": region,
        }
    )
    if text_dtype == "str":
        frame = frame.astype({"survey": "str", "channel": "str", "region": "str"})
    elif text_dtype != "category":
        raise SystemExit(f"unknown text dtype {text_dtype!r}; use 'str' or 'category'")
    return frame


# --------------------------------------------------------------------- operations


def _metrics():
    try:  # the top-level package may not export them yet
        from csat_toolkit import csat, nps  # type: ignore[attr-defined]
    except ImportError:
        from csat_toolkit.metrics import csat, nps
    return csat, nps


def run_operation(name: str, df: pd.DataFrame):
    """Run one named operation on ``df`` and return its result."""
    if name == "groupby_to_period":
        month = df["responded_at"].dt.to_period("M").rename("month")
        return df.groupby([month, "channel", "region"], observed=True).size()
    if name == "groupby_datetime64M":
        month = pd.Series(
            df["responded_at"].to_numpy().astype("datetime64[M]"), index=df.index, name="month"
        )
        return df.groupby([month, "channel", "region"], observed=True).size()
    if name == "counts_floor_csat":
        rows = df[df["survey"] == "csat"]
        month = rows["responded_at"].dt.to_period("M").rename("month")
        return rows.groupby([month, "channel", "region", "score"], observed=True).size()
    csat, nps = _metrics()
    if name == "csat":
        return csat(df, by=["channel", "region"], period="M")
    if name == "nps":
        return nps(df, by=["channel", "region"], period="M")
    raise SystemExit(f"unknown operation {name!r}; use one of {', '.join(OPERATIONS)}")


# ------------------------------------------------------------------ child: timing


def child_time(n: int, text_dtype: str, repeats: int, seed: int) -> dict:
    df = make_frame(n, text_dtype, seed)
    frame_bytes = int(df.memory_usage(deep=True).sum())
    small = df.iloc[:10_000]
    for name in OPERATIONS:  # warm-up: lazy imports, first-call caches
        run_operation(name, small)
    shapes = {}
    times: dict[str, list[float]] = {name: [] for name in OPERATIONS}
    cpu: dict[str, list[float]] = {name: [] for name in OPERATIONS}
    for _ in range(repeats):  # round-robin, so drift from other load hits every operation
        for name in OPERATIONS:
            t0, c0 = time.perf_counter(), time.process_time()
            result = run_operation(name, df)
            times[name].append(time.perf_counter() - t0)
            cpu[name].append(time.process_time() - c0)
            shapes[name] = len(result)
            del result
    return {
        "size": n,
        "dtype": text_dtype,
        "frame_bytes": frame_bytes,
        "csat_rows": int((df["survey"] == "csat").sum()),
        "times": times,
        "cpu_times": cpu,
        "result_rows": shapes,
    }


# ------------------------------------------------------------------ child: memory


def _status_kib(*fields: str) -> dict[str, int]:
    out = {}
    with open("/proc/self/status") as fh:
        for line in fh:
            key, _, value = line.partition(":")
            if key in fields:
                out[key] = int(value.split()[0])
    return out


def _release_free_memory() -> None:
    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass
    if "pyarrow" in sys.modules:
        sys.modules["pyarrow"].default_memory_pool().release_unused()


def _reset_hwm() -> bool:
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


def child_memory(n: int, text_dtype: str, operation: str, seed: int) -> dict:
    df = make_frame(n, text_dtype, seed)
    frame_bytes = int(df.memory_usage(deep=True).sum())
    run_operation(operation, df.iloc[:10_000])  # lazy imports outside the measurement
    _release_free_memory()
    maxrss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    rss_before = _status_kib("VmRSS")["VmRSS"]
    hwm_reset = _reset_hwm()
    result = run_operation(operation, df)
    after = _status_kib("VmRSS", "VmHWM")
    maxrss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    del result
    if hwm_reset:
        peak_extra_kib = after["VmHWM"] - rss_before
    else:  # ru_maxrss cannot be reset: any build-time peak above it hides the operation's
        peak_extra_kib = max(maxrss_after - maxrss_before, 0)
    return {
        "size": n,
        "dtype": text_dtype,
        "operation": operation,
        "frame_bytes": frame_bytes,
        "rss_before_bytes": rss_before * 1024,
        "peak_extra_bytes": peak_extra_kib * 1024,
        "hwm_reset": hwm_reset,
        "ru_maxrss_before_bytes": maxrss_before * 1024,
        "ru_maxrss_after_bytes": maxrss_after * 1024,
    }


# ------------------------------------------------------------------------ parent


def _child(args: list[str]) -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH", "")]))
    proc = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), *args],
        capture_output=True, text=True, env=env, cwd=ROOT,
    )
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr)
        raise SystemExit(f"child {' '.join(args)} failed with exit code {proc.returncode}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def machine() -> dict:
    cpu = "unknown"
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    ram = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    try:
        import pyarrow
        arrow = pyarrow.__version__
    except ImportError:
        arrow = None
    return {
        "nproc": os.cpu_count(),
        "ram_gib": round(ram / 2**30, 1),
        "cpu": cpu,
        "python": platform.python_version(),
        "pandas": pd.__version__,
        "numpy": np.__version__,
        "pyarrow": arrow,
        "platform": platform.platform(),
        "loadavg_at_start": list(os.getloadavg()),
    }


def summarise(timing: dict, memory: dict[str, dict]) -> list[dict]:
    rows = []
    best = {name: min(ts) for name, ts in timing["times"].items()}
    best_cpu = {name: min(ts) for name, ts in timing["cpu_times"].items()}
    for name, label in OPERATIONS.items():
        row = {
            "size": timing["size"],
            "dtype": timing["dtype"],
            "frame_mb": timing["frame_bytes"] / 1e6,
            "operation": name,
            "label": label,
            "best_s": best[name],
            "times_s": timing["times"][name],
            "best_cpu_s": best_cpu[name],
            "cpu_times_s": timing["cpu_times"][name],
            "cpu_x_groupby_to_period": best_cpu[name] / best_cpu["groupby_to_period"],
            "result_rows": timing["result_rows"][name],
        }
        for base in BASELINES:
            row[f"x_{base}"] = best[name] / best[base]
        if name in memory:
            m = memory[name]
            row["peak_extra_mb"] = m["peak_extra_bytes"] / 1e6
            row["peak_extra_over_frame"] = m["peak_extra_bytes"] / timing["frame_bytes"]
            row["hwm_reset"] = m["hwm_reset"]
        rows.append(row)
    return rows


def markdown(rows: list[dict]) -> str:
    head = (
        "| rows | text dtype | frame MB | operation | wall s | CPU s | wall × groupby (to_period) "
        "| wall × groupby (datetime64[M]) | CPU × groupby (to_period) | peak above frame MB "
        "| peak above frame / frame |\n"
        "|---:|---|---:|---|---:|---:|---:|---:|---:|---:|---:|"
    )
    lines = [head]
    for r in rows:
        peak = f"{r['peak_extra_mb']:.0f}" if "peak_extra_mb" in r else "-"
        ratio = f"{r['peak_extra_over_frame']:.2f}" if "peak_extra_over_frame" in r else "-"
        lines.append(
            f"| {r['size']:,} | {r['dtype']} | {r['frame_mb']:.0f} | {r['operation']} "
            f"| {r['best_s']:.3f} | {r['best_cpu_s']:.3f} | {r['x_groupby_to_period']:.2f} "
            f"| {r['x_groupby_datetime64M']:.2f} | {r['cpu_x_groupby_to_period']:.2f} "
            f"| {peak} | {ratio} |"
        )
    return "\n".join(lines)


def verdicts(rows: list[dict]) -> list[str]:
    out = []
    for r in rows:
        if r["operation"] not in ("csat", "nps"):
            continue
        # Against the faster of the two bare groupbys (the larger ratio) is the honest test.
        strict = max(r["x_groupby_to_period"], r["x_groupby_datetime64M"])
        lenient = min(r["x_groupby_to_period"], r["x_groupby_datetime64M"])
        time_ok = ("met" if strict <= 1.5 else
                   "met only against the slower baseline" if lenient <= 1.5 else "NOT met")
        mem = r.get("peak_extra_over_frame")
        if mem is None:
            mem_text = "memory not measured"
        else:
            extra_ok = "met" if mem <= 2 else "NOT met"
            total_ok = "met" if 1 + mem <= 2 else "NOT met"
            mem_text = (f"peak above frame ≤2× frame {extra_ok} ({mem:.2f}×); "
                        f"frame + peak ≤2× frame {total_ok} ({1 + mem:.2f}×)")
        out.append(
            f"{r['size']:,} {r['dtype']:>8} {r['operation']:>4}: wall ≤1.5× groupby {time_ok} "
            f"({strict:.2f}× the faster, {lenient:.2f}× the slower; "
            f"CPU {r['cpu_x_groupby_to_period']:.2f}× to_period: "
            f"{'met' if r['cpu_x_groupby_to_period'] <= 1.5 else 'NOT met'}); {mem_text}"
        )
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--repeats", type=int, default=3, help="best of k (sizes below 5M)")
    parser.add_argument("--large-repeats", type=int, default=2, help="best of k for sizes of 5M and more")
    parser.add_argument("--dtypes", nargs="+", default=["str", "category"], choices=["str", "category"])
    parser.add_argument("--operations", nargs="+", default=list(OPERATIONS), choices=list(OPERATIONS))
    parser.add_argument("--no-memory", action="store_true", help="skip the per-operation memory children")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--render", type=Path, metavar="JSON",
                        help="print the table and verdicts of an earlier results file; measure nothing")
    # internal: child modes
    parser.add_argument("--child-time", nargs=2, metavar=("SIZE", "DTYPE"), help=argparse.SUPPRESS)
    parser.add_argument("--child-memory", nargs=3, metavar=("SIZE", "DTYPE", "OP"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child_time:
        size, dtype = int(args.child_time[0]), args.child_time[1]
        k = args.repeats if size < LARGE else args.large_repeats
        print(json.dumps(child_time(size, dtype, k, args.seed)))
        return 0
    if args.child_memory:
        size, dtype, op = int(args.child_memory[0]), args.child_memory[1], args.child_memory[2]
        print(json.dumps(child_memory(size, dtype, op, args.seed)))
        return 0

    if args.render:
        rows = json.loads(args.render.read_text())["rows"]
        print(markdown(rows))
        print()
        print("\n".join(verdicts(rows)))
        return 0

    info = machine()
    print(f"# {info['cpu']}, {info['nproc']} cpus, {info['ram_gib']} GiB; Python {info['python']}, "
          f"pandas {info['pandas']}, numpy {info['numpy']}; load {info['loadavg_at_start']}",
          file=sys.stderr)
    rows, raw = [], []
    common = ["--seed", str(args.seed), "--repeats", str(args.repeats),
              "--large-repeats", str(args.large_repeats)]
    for size in args.sizes:
        for dtype in args.dtypes:
            print(f"# timing {size:,} rows, {dtype} ...", file=sys.stderr)
            timing = _child(["--child-time", str(size), dtype, *common])
            memory = {}
            if not args.no_memory:
                for op in args.operations:
                    print(f"#   memory {op} ...", file=sys.stderr)
                    memory[op] = _child(["--child-memory", str(size), dtype, op, *common])
            raw.append({"timing": timing, "memory": memory})
            rows.extend(r for r in summarise(timing, memory) if r["operation"] in args.operations)
    table = markdown(rows)
    print(table)
    print()
    for line in verdicts(rows):
        print(line)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(
        {"machine": info, "settings": {k: (str(v) if isinstance(v, Path) else v)
                                       for k, v in vars(args).items() if not k.startswith("child")},
         "rows": rows, "raw": raw},
        indent=2,
    ))
    print(f"\nwrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
