"""Exact Shapley relative importance (LMG) for 15 and 20 drivers, beside refitting every subset.

The question (issue 4, item 11): LMG needs the R² of every subset of drivers. Refitting a
regression per subset costs ``2**drivers`` fits over all rows; :mod:`csat_toolkit.importance`
reads every subset's R² off one correlation matrix. Targets: 15 drivers in at most 1
second on 100,000 rows, and at least 100 times faster than refitting.

Usage::

    .venv/bin/python benchmarks/bench_importance.py                 # the default run
    .venv/bin/python benchmarks/bench_importance.py --drivers 15 --refit-sample 100
    .venv/bin/python benchmarks/bench_importance.py --render benchmarks/results/importance.json

Prints a markdown table and writes ``benchmarks/results/importance.json`` (git-ignored).
This is a script, not a test: it measures and reports, it never asserts timings.

What is timed
-------------
* ``exact`` (the package): from the rows to the answer, i.e. ``weighted_corr`` of the
  100,000 x (drivers + 1) array, ``r2_all_subsets`` (the elimination tree, all
  ``2**drivers`` subsets) and ``shapley_from_r2``. Best of ``--repeats``.
* ``exact, batched solve``: the same with ``r2_all_subsets(method="solve")`` (subsets of
  equal size solved together with ``numpy.linalg.solve``), the route the issue sketched.
* ``refit, sampled``: ``statsmodels.api.OLS(y, add_constant(X[:, subset])).fit().rsquared``
  for a random sample of ``--refit-sample`` non-empty subsets, drawn uniformly from all
  ``2**drivers - 1`` (so the mean time per fit is unbiased for the average subset), timed
  one by one; the total for every subset is **extrapolated**: mean time per fit x
  ``(2**drivers - 1)``. The R² of each sampled refit is compared with the package's.
* ``refit, every subset``: at ``--full-drivers`` drivers (default 10, 1,023 fits) every
  subset is refitted and timed in full, and the LMG from the refits is compared with
  the package's.
* ``relative_importance()``: the whole analysis with ``--boot`` bootstrap replicates and
  the noise check, for the first size in ``--drivers`` (reported for orientation: its
  cost is dominated by one weighted pass over the rows per replicate).

Data: seeded ``numpy.random.default_rng``; drivers share a common factor (pairwise
correlation about 0.3), outcome = drivers @ beta + noise (R² about 0.5).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

DEFAULT_OUT = HERE / "results" / "importance.json"
SEED = 20240601


def make_data(rows: int, drivers: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    common = rng.normal(size=(rows, 1))
    X = 0.65 * common + 0.76 * rng.normal(size=(rows, drivers))
    beta = np.linspace(1.0, 0.05, drivers)
    y = X @ beta + rng.normal(scale=float(np.sqrt(np.sum(beta**2) * 1.3)), size=rows)
    return X, y


def time_exact(X: np.ndarray, y: np.ndarray, repeats: int, method: str = "schur") -> dict:
    from csat_toolkit.importance import r2_all_subsets, shapley_from_r2, weighted_corr

    g = X.shape[1]
    M = np.column_stack([X, y])
    parts: dict[str, list[float]] = {"corr": [], "subsets": [], "shapley": [], "total": [], "cpu": []}
    for _ in range(repeats):
        c0 = time.process_time()
        t0 = time.perf_counter()
        C = weighted_corr(M)
        t1 = time.perf_counter()
        r2 = r2_all_subsets(C, method=method)
        t2 = time.perf_counter()
        phi = shapley_from_r2(r2, g)
        t3 = time.perf_counter()
        cpu = time.process_time() - c0
        for key, value in zip(parts, (t1 - t0, t2 - t1, t3 - t2, t3 - t0, cpu)):
            parts[key].append(value)
    best = int(np.argmin(parts["total"]))
    return {"method": method, "times": parts, "best": {k: v[best] for k, v in parts.items()},
            "r2": r2, "lmg": phi}


def refit_r2(X: np.ndarray, y: np.ndarray, mask: int) -> float:
    import statsmodels.api as sm

    cols = [j for j in range(X.shape[1]) if mask >> j & 1]
    return float(sm.OLS(y, sm.add_constant(X[:, cols], has_constant="add")).fit().rsquared)


def time_refit_sample(X: np.ndarray, y: np.ndarray, sample: int, seed: int, r2_exact) -> dict:
    g = X.shape[1]
    rng = np.random.default_rng(seed)
    total = 2**g - 1
    masks = rng.choice(np.arange(1, 2**g), size=min(sample, total), replace=False)
    times, cpu, diffs = [], [], []
    for mask in masks:
        c0, t0 = time.process_time(), time.perf_counter()
        value = refit_r2(X, y, int(mask))
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
        diffs.append(abs(value - r2_exact[mask]))
    mean = float(np.mean(times))
    return {"fits_timed": len(masks), "subsets": total, "mean_fit_s": mean,
            "extrapolated_s": mean * total, "extrapolated_cpu_s": float(np.mean(cpu)) * total,
            "max_abs_r2_diff": float(max(diffs)), "times": times, "cpu_times": cpu}


def time_refit_full(X: np.ndarray, y: np.ndarray, lmg_exact) -> dict:
    from csat_toolkit.importance import shapley_from_r2

    g = X.shape[1]
    c0, t0 = time.process_time(), time.perf_counter()
    r2 = np.zeros(2**g)
    for mask in range(1, 2**g):
        r2[mask] = refit_r2(X, y, mask)
    phi = shapley_from_r2(r2, g)
    elapsed = time.perf_counter() - t0
    return {"subsets": 2**g - 1, "total_s": elapsed, "cpu_s": time.process_time() - c0,
            "max_abs_lmg_diff": float(np.max(np.abs(phi - lmg_exact)))}


def time_analysis(X: np.ndarray, y: np.ndarray, n_boot: int) -> dict:
    from csat_toolkit.importance import relative_importance

    frame = pd.DataFrame(X, columns=[f"x{j:02d}" for j in range(X.shape[1])]).assign(y=y)
    c0, t0 = time.process_time(), time.perf_counter()
    result = relative_importance(frame, "y", list(frame.columns[:-1]), n_boot=n_boot, seed=1)
    return {"n_boot": n_boot, "total_s": time.perf_counter() - t0, "cpu_s": time.process_time() - c0,
            "significant": int(result.table["significant"].sum())}


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
    import statsmodels

    return {
        "nproc": os.cpu_count(),
        "ram_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        "cpu": cpu,
        "python": platform.python_version(),
        "numpy": np.__version__,
        "pandas": pd.__version__,
        "statsmodels": statsmodels.__version__,
        "platform": platform.platform(),
        "loadavg_at_start": list(os.getloadavg()),
    }


def markdown(rows: list[dict]) -> str:
    lines = [
        "| drivers | rows | method | subsets | wall s | CPU s | wall: corr / subsets / Shapley s "
        "| × faster than refitting (wall; CPU) |",
        "|---:|---:|---|---:|---:|---:|---|---:|",
    ]
    for r in rows:
        split = r.get("split", "")
        speed = f"{r['speedup']:,.0f}×; {r['cpu_speedup']:,.0f}×" if r.get("speedup") else ""
        lines.append(f"| {r['drivers']} | {r['rows']:,} | {r['label']} | {r['subsets']:,} "
                     f"| {r['seconds']:,.3f} | {r['cpu']:,.3f} | {split} | {speed} |")
    return "\n".join(lines)


def verdicts(rows: list[dict]) -> list[str]:
    out = []
    for r in rows:
        if r["label"] != "exact (elimination tree)":
            continue
        text = f"{r['drivers']} drivers: {r['seconds']:.3f} s"
        if r["drivers"] == 15:
            text += f" (target <= 1 s: {'met' if r['seconds'] <= 1 else 'NOT met'})"
        if r.get("speedup"):
            low = min(r["speedup"], r["cpu_speedup"])
            text += (f"; {r['speedup']:,.0f}× (wall) and {r['cpu_speedup']:,.0f}× (CPU) faster than "
                     f"refitting every subset (target >= 100×: {'met' if low >= 100 else 'NOT met'})")
        out.append(text)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--drivers", type=int, nargs="+", default=[15, 20])
    parser.add_argument("--repeats", type=int, default=3, help="best of k for the exact method")
    parser.add_argument("--refit-sample", type=int, default=300, help="subsets refitted per size")
    parser.add_argument("--full-drivers", type=int, default=10,
                        help="also refit every subset at this many drivers (0: skip)")
    parser.add_argument("--solve-max", type=int, default=20,
                        help="time the batched-solve variant up to this many drivers")
    parser.add_argument("--boot", type=int, default=100,
                        help="bootstrap replicates of the end-to-end run (0: skip)")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--render", type=Path, metavar="JSON",
                        help="print the table of an earlier results file; measure nothing")
    args = parser.parse_args(argv)

    if args.render:
        rows = json.loads(args.render.read_text())["rows"]
        print(markdown(rows))
        print()
        print("\n".join(verdicts(rows)))
        return 0

    info = machine()
    print(f"# {info['cpu']}, {info['nproc']} cpus, {info['ram_gib']} GiB; Python {info['python']}, "
          f"numpy {info['numpy']}, statsmodels {info['statsmodels']}; load {info['loadavg_at_start']}",
          file=sys.stderr)
    time_exact(*make_data(1000, 4, args.seed), repeats=1)  # warm-up: imports, BLAS threads
    rows, raw = [], []
    sizes = list(args.drivers) + ([args.full_drivers] if args.full_drivers else [])
    for g in sorted(set(sizes)):
        X, y = make_data(args.rows, g, args.seed + g)
        print(f"# {g} drivers: exact ...", file=sys.stderr)
        exact = time_exact(X, y, args.repeats)
        record = {"drivers": g, "rows": args.rows, "exact": {k: v for k, v in exact.items()
                                                             if k not in ("r2", "lmg")}}
        b = exact["best"]
        exact_row = {"drivers": g, "rows": args.rows, "label": "exact (elimination tree)",
                     "subsets": 2**g - 1, "seconds": b["total"], "cpu": b["cpu"],
                     "split": f"{b['corr']:.3f} / {b['subsets']:.3f} / {b['shapley']:.3f}"}
        rows.append(exact_row)
        if g <= args.solve_max:
            print(f"# {g} drivers: exact, batched solve ...", file=sys.stderr)
            solve = time_exact(X, y, 1, method="solve")
            sb = solve["best"]
            assert np.allclose(solve["r2"], exact["r2"], atol=1e-10)
            record["solve"] = {k: v for k, v in solve.items() if k not in ("r2", "lmg")}
            rows.append({"drivers": g, "rows": args.rows, "label": "exact (batched solve)",
                         "subsets": 2**g - 1, "seconds": sb["total"], "cpu": sb["cpu"],
                         "split": f"{sb['corr']:.3f} / {sb['subsets']:.3f} / {sb['shapley']:.3f}"})
        if g == args.full_drivers:
            print(f"# {g} drivers: refitting all {2**g - 1:,} subsets ...", file=sys.stderr)
            full = time_refit_full(X, y, exact["lmg"])
            record["refit_full"] = full
            exact_row["speedup"] = full["total_s"] / b["total"]
            exact_row["cpu_speedup"] = full["cpu_s"] / b["cpu"]
            rows.append({"drivers": g, "rows": args.rows, "label": "statsmodels OLS refit, every subset",
                         "subsets": full["subsets"], "seconds": full["total_s"], "cpu": full["cpu_s"],
                         "max_abs_lmg_diff": full["max_abs_lmg_diff"]})
        if g in args.drivers and args.refit_sample:
            print(f"# {g} drivers: refitting {args.refit_sample} sampled subsets ...", file=sys.stderr)
            sample = time_refit_sample(X, y, args.refit_sample, args.seed, exact["r2"])
            record["refit_sample"] = {k: v for k, v in sample.items()}
            if "speedup" not in exact_row:
                exact_row["speedup"] = sample["extrapolated_s"] / b["total"]
                exact_row["cpu_speedup"] = sample["extrapolated_cpu_s"] / b["cpu"]
            rows.append({"drivers": g, "rows": args.rows,
                         "label": f"statsmodels OLS refit, extrapolated from {sample['fits_timed']} "
                                  f"sampled fits (mean {sample['mean_fit_s'] * 1000:.1f} ms, median "
                                  f"{np.median(sample['times']) * 1000:.1f} ms per fit)",
                         "subsets": sample["subsets"], "seconds": sample["extrapolated_s"],
                         "cpu": sample["extrapolated_cpu_s"],
                         "max_abs_r2_diff": sample["max_abs_r2_diff"]})
        if g == args.drivers[0] and args.boot:
            print(f"# {g} drivers: relative_importance with {args.boot} replicates ...", file=sys.stderr)
            analysis = time_analysis(X, y, args.boot)
            record["analysis"] = analysis
            rows.append({"drivers": g, "rows": args.rows,
                         "label": f"relative_importance(), {args.boot} bootstrap replicates + noise check",
                         "subsets": (2 ** (g + 1) - 1) * (args.boot + 1), "seconds": analysis["total_s"],
                         "cpu": analysis["cpu_s"]})
        raw.append(record)
    print(markdown(rows))
    print()
    for line in verdicts(rows):
        print(line)
    for r in rows:
        if "max_abs_r2_diff" in r:
            print(f"{r['drivers']} drivers: largest |R² refit - R² exact| over the sampled subsets "
                  f"{r['max_abs_r2_diff']:.1e}")
        if "max_abs_lmg_diff" in r:
            print(f"{r['drivers']} drivers: largest |LMG from refits - LMG exact| {r['max_abs_lmg_diff']:.1e}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(
        {"machine": info,
         "settings": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
         "rows": rows, "raw": raw},
        indent=2, default=float,
    ))
    print(f"\nwrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
