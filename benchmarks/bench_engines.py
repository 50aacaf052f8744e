"""Counting in DuckDB, Spark and pandas beside hand-written queries (issue 15).

The question: with ``ct.load_responses(folder, engine=...)`` the toolkit validates every
row inside the engine and brings back only counts. What does that cost beside the bare
query a user would write, how does it grow from 1M to 100M rows, and do the 01_metrics
and 02_trends analyses run on 100M rows in under 2 GiB? Targets (issue 15): toolkit on
DuckDB within **1.2x** of a hand-written DuckDB count; the pandas path **no slower than
today** (about 0.8x of a bare pandas groupby, see ``bench_metrics.py``); 100M rows
through 01/02 with peak memory **under 2 GiB**.

Usage::

    python benchmarks/bench_engines.py --data /work/big          # 1M, 10M, 100M rows
    python benchmarks/bench_engines.py --sizes 1000000 --engines duckdb pandas
    python benchmarks/bench_engines.py --render benchmarks/results/engines.json

Data: ``<data>/r<rows>/`` folders of Parquet files written by ``make_big_responses.py``
(seeded; generated here when absent; default ``--data`` is ``/tmp/csat_bench``, outside
the repository). Prints markdown tables and writes ``benchmarks/results/engines.json``
(git-ignored). A script, not a test: it measures and reports, never asserts timings.

How it measures
---------------
Every (variant, size) runs in its own child process (``subprocess``), which warms up on
a 10,000-row folder (imports, JIT), then times best of k (``--repeats`` below 5M rows,
``--large-repeats`` below 50M, one run at 50M and above) with ``time.perf_counter``; CPU
time is ``time.process_time`` (every thread of the child, so DuckDB's too). Peak memory
is the child's ``ru_maxrss`` (``RUSAGE_SELF``: the Python process with DuckDB's threads).
Spark's JVM is a separate process: its peak is ``VmHWM`` of the java process (PySpark's
gateway) read from ``/proc/<pid>/status`` before the session stops, and its CPU time from
``/proc/<pid>/stat``; both are reported beside the Python child's own.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback
import warnings
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
#: The children import the package from the parent's snapshot of csat_toolkit/ (taken
#: when the run starts), so that edits to the tree during a long run do not mix versions.
CODE = os.environ.get("CSAT_BENCH_CODE")
sys.path[:0] = [p for p in (CODE, str(HERE), str(ROOT)) if p]

import make_big_responses  # noqa: E402  (benchmarks/, on the path above)
from bench_metrics import (  # noqa: E402
    _release_free_memory, _reset_hwm, _status_kib, machine as _machine, run_operation,
)

DEFAULT_DATA = Path("/tmp/csat_bench")
DEFAULT_OUT = HERE / "results" / "engines.json"
DEFAULT_SIZES = [1_000_000, 10_000_000, 100_000_000]
SEED = 20240601
WARMUP_ROWS = 10_000
LARGE, HUGE = 5_000_000, 50_000_000
BY = ["channel", "region"]
GIB = 2**30
NOTEBOOK_LIMIT = "1GB"  # DuckDB memory_limit of the notebook runs (issue 15)

#: The hand-written reference: the counts the metrics need, collected to pandas.
REFERENCE_SQL = ("SELECT survey, date_trunc('month', responded_at) AS month, channel, region, "
                 "score, count(*) AS n FROM read_parquet({files}) GROUP BY ALL")
#: Pieces of the toolkit's work, hand-written, to show where its extra time goes.
DUPLICATE_SQL = "SELECT count(*) - count(DISTINCT response_id) FROM read_parquet({files})"
DAY_COUNTS_SQL = ("SELECT survey, date_trunc('day', responded_at) AS day, channel, region, "
                  "score, count(*) AS n, min(responded_at), max(responded_at) "
                  "FROM read_parquet({files}) GROUP BY ALL")
#: The day-level counts with the loader's blank checks of the four validated columns
#: (each value cast to text, trimmed and looked up among the missing markers), as the
#: loader's generated SQL does them for every row in every pass.
_MARKERS = ("['', '#N/A', '#N/A N/A', '#NA', '-1.#IND', '-1.#QNAN', '-NaN', '-nan', "
            "'1.#IND', '1.#QNAN', '<NA>', 'N/A', 'NA', 'NULL', 'NaN', 'None', 'n/a', 'nan', "
            "'null']")
_BLANK = ("({c} IS NULL OR trim(CAST({c} AS VARCHAR)) = '' OR "
          "contains(" + _MARKERS + ", CAST({c} AS VARCHAR)))")
BLANK_COUNTS_SQL = (
    "SELECT survey, date_trunc('day', responded_at) AS day, channel, region, score, "
    + ", ".join(_BLANK.format(c=c) + f" AS blank_{c}"
                for c in ("response_id", "responded_at", "survey", "score"))
    + ", count(*) AS n FROM read_parquet({files}) GROUP BY ALL")

#: What each engine's children measure.
VARIANTS = {
    "duckdb": ["duckdb_reference", "duckdb_toolkit"],
    "spark": ["spark_reference", "spark_toolkit"],
    "pandas": ["pandas_ops", "pandas_toolkit"],
}
#: Steps of the engine loader (the function that collects) -> what the step is.
STEPS = {
    "_ids": "duplicate ids: rows vs distinct response_id (then the ids seen twice, if any)",
    "_answers": "distinct (survey label, answer) pairs",
    "_surveys": "distinct survey labels",
    "_scores": "distinct (survey, answer) pairs",
    "_date_format": "date format from distinct date texts",
    "_result": "the counts: group by checks, survey, day, segments, score",
    "_rejected_rows": "first 1,000 rows set aside",
    "_followup": "follow-up: newest 10,000 low scores, sorted",
}


# --------------------------------------------------------------------------- data


def dataset(data: Path, rows: int, seed: int = SEED) -> Path:
    """The folder ``<data>/r<rows>``, written by make_big_responses when absent."""
    folder = Path(data) / f"r{rows}"
    if not any(folder.glob("*.parquet")):
        partial = folder.with_name(folder.name + ".partial")
        print(f"# writing {rows:,} rows to {folder} ...", file=sys.stderr)
        make_big_responses.write(rows, partial, seed=seed)
        partial.rename(folder)
    return folder


def _files(folder: Path) -> str:
    return "'" + str(Path(folder) / "*.parquet").replace("'", "''") + "'"


def repeats_for(size: int, repeats: int, large: int) -> int:
    return repeats if size < LARGE else large if size < HUGE else 1


# ------------------------------------------------------------------------ children


def _maxrss_bytes() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _timed(fn, k: int) -> tuple[list[float], list[float], object]:
    walls, cpus, out = [], [], None
    for _ in range(k):
        out = None
        t0, c0 = time.perf_counter(), time.process_time()
        out = fn()
        walls.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    return walls, cpus, out


def _collect_log():
    """Time every ``Backend.collect`` of the engine loader, by the function that called it."""
    from csat_toolkit.io.engines import _backends
    original = _backends.Backend.collect
    log: list[tuple[str, float]] = []

    def collect(self, *args, **kwargs):
        caller = sys._getframe(1).f_code.co_name
        t0 = time.perf_counter()
        try:
            return original(self, *args, **kwargs)
        finally:
            log.append((caller, time.perf_counter() - t0))

    _backends.Backend.collect = collect
    return log


def _steps(log: list[tuple[str, float]]) -> dict[str, float]:
    out: dict[str, float] = {}
    for caller, seconds in log:
        out[caller] = out.get(caller, 0.0) + seconds
    return out


def _toolkit(folder: Path, engine: str, options: dict, log: list | None) -> dict:
    """load_responses, then csat and nps by month, channel and region; times of each."""
    import csat_toolkit as ct
    if log is not None:
        log.clear()
    t0, c0 = time.perf_counter(), time.process_time()
    loaded = ct.load_responses(str(folder), engine=engine, engine_options=options)
    t1, c1 = time.perf_counter(), time.process_time()
    csat = ct.csat(loaded.data, by=BY, period="M")
    t2 = time.perf_counter()
    nps = ct.nps(loaded.data, by=BY, period="M")
    t3, c3 = time.perf_counter(), time.process_time()
    return {"total_s": t3 - t0, "load_s": t1 - t0, "csat_s": t2 - t1, "nps_s": t3 - t2,
            "metrics_s": t3 - t1, "cpu_s": c3 - c0, "load_cpu_s": c1 - c0,
            "steps_s": _steps(log) if log is not None else {},
            "n_read": loaded.n_read, "n_used": loaded.n_used,
            "reasons": {str(k): int(v) for k, v in loaded.reason_counts().items()},
            "counted_rows": len(loaded.data), "csat_rows": len(csat), "nps_rows": len(nps),
            "engine": getattr(loaded, "engine", "")}


def _best(runs: list[dict]) -> dict:
    best = min(runs, key=lambda r: r["total_s"])
    return {**best, "times_s": [r["total_s"] for r in runs],
            "load_times_s": [r["load_s"] for r in runs],
            "best_cpu_s": min(r["cpu_s"] for r in runs)}


def child_duckdb_reference(folder: Path, warmup: Path, k: int) -> dict:
    import duckdb

    def query(sql: str, where: Path):
        con = duckdb.connect()
        try:
            return con.sql(sql.format(files=_files(where))).df()
        finally:
            con.close()

    for sql in (REFERENCE_SQL, DUPLICATE_SQL, DAY_COUNTS_SQL, BLANK_COUNTS_SQL):
        query(sql, warmup)
    walls, cpus, out = _timed(lambda: query(REFERENCE_SQL, folder), k)
    peak = _maxrss_bytes()  # before the pieces: the distinct ids need far more memory
    dup_walls, _, dup = _timed(lambda: query(DUPLICATE_SQL, folder), k)
    day_walls, _, days = _timed(lambda: query(DAY_COUNTS_SQL, folder), k)
    blank_walls, _, _ = _timed(lambda: query(BLANK_COUNTS_SQL, folder), k)
    return {"best_s": min(walls), "times_s": walls, "best_cpu_s": min(cpus),
            "result_rows": len(out), "rows_counted": int(out["n"].sum()),
            "duplicate_check_s": min(dup_walls), "duplicate_check_times_s": dup_walls,
            "duplicates": int(dup.iloc[0, 0]),
            "day_counts_s": min(day_walls), "day_counts_times_s": day_walls,
            "day_counts_rows": len(days),
            "blank_checked_counts_s": min(blank_walls), "blank_checked_counts_times_s": blank_walls,
            "peak_rss_bytes": peak, "peak_rss_with_pieces_bytes": _maxrss_bytes(),
            "duckdb": duckdb.__version__, "sql": REFERENCE_SQL}


def child_duckdb_toolkit(folder: Path, warmup: Path, k: int) -> dict:
    log = _collect_log()
    _toolkit(warmup, "duckdb", {}, log)
    runs = [_toolkit(folder, "duckdb", {}, log) for _ in range(k)]
    return {**_best(runs), "best_s": min(r["total_s"] for r in runs),
            "peak_rss_bytes": _maxrss_bytes()}


def _spark():
    from pyspark.sql import SparkSession
    spark = (SparkSession.builder.master("local[2]").appName("bench_engines")
             .config("spark.sql.shuffle.partitions", "4")
             .config("spark.ui.enabled", "false")
             .config("spark.ui.showConsoleProgress", "false")
             .config("spark.sql.session.timeZone", "UTC")
             .getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def _jvm(spark) -> dict:
    """Peak memory (VmHWM) and CPU seconds of the JVM behind the session."""
    proc = getattr(spark.sparkContext._gateway, "proc", None)
    if proc is None:
        return {}
    pid = proc.pid
    out = {"jvm_pid": pid}
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                key, _, value = line.partition(":")
                if key in ("VmHWM", "VmRSS"):
                    out[f"jvm_{key.lower()}_bytes"] = int(value.split()[0]) * 1024
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
        out["jvm_cpu_s"] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except OSError:
        pass
    return out


def child_spark_reference(folder: Path, warmup: Path, k: int) -> dict:
    from pyspark.sql import functions as F
    spark = _spark()

    def query(where: Path):
        frame = spark.read.parquet(str(where))
        month = F.date_trunc("month", "responded_at").alias("month")
        return frame.groupBy("survey", month, "channel", "region", "score").count().toPandas()

    query(warmup)
    jvm0 = _jvm(spark).get("jvm_cpu_s", 0.0)
    walls, cpus, out = _timed(lambda: query(folder), k)
    jvm = _jvm(spark)
    spark.stop()
    return {"best_s": min(walls), "times_s": walls, "best_cpu_s": min(cpus),
            "jvm_cpu_s_all_repeats": jvm.get("jvm_cpu_s", 0.0) - jvm0,
            "result_rows": len(out), "rows_counted": int(out["count"].sum()),
            "peak_rss_bytes": _maxrss_bytes(), **jvm, "spark": spark.version}


def child_spark_toolkit(folder: Path, warmup: Path, k: int) -> dict:
    spark = _spark()
    log = _collect_log()
    _toolkit(warmup, "spark", {"session": spark}, log)
    jvm0 = _jvm(spark).get("jvm_cpu_s", 0.0)
    runs = [_toolkit(folder, "spark", {"session": spark}, log) for _ in range(k)]
    jvm = _jvm(spark)
    version = spark.version
    spark.stop()
    return {**_best(runs), "best_s": min(r["total_s"] for r in runs),
            "jvm_cpu_s_all_repeats": jvm.get("jvm_cpu_s", 0.0) - jvm0,
            "peak_rss_bytes": _maxrss_bytes(), **jvm, "spark": version}


def _pandas_frame(folder: Path):
    """The Parquet folder in memory, and the rows a loader would set aside (no score)."""
    import pandas as pd
    t0 = time.perf_counter()
    df = pd.read_parquet(folder)
    read_s = time.perf_counter() - t0
    return df, read_s


PANDAS_OPS = ("groupby_to_period", "groupby_counts", "csat", "nps")


def _pandas_op(name: str, df):
    if name == "groupby_counts":  # the DuckDB reference's keys
        month = df["responded_at"].dt.to_period("M").rename("month")
        return df.groupby(["survey", month, "channel", "region", "score"], observed=True).size()
    return run_operation(name, df)


def child_pandas_ops(folder: Path, warmup: Path, k: int) -> dict:
    """Bare pandas groupbys beside csat and nps on the frame read from the same files.

    The rows without a score (0.1%) are set aside first, as load_responses would (the
    metrics refuse a missing score); the count is reported.
    """
    df, read_s = _pandas_frame(folder)
    missing = df["score"].isna()
    set_aside = int(missing.sum())
    df = df[~missing].reset_index(drop=True)
    frame_bytes = int(df.memory_usage(deep=True).sum())
    small = df.iloc[:WARMUP_ROWS]
    for name in PANDAS_OPS:
        _pandas_op(name, small)
    times = {name: [] for name in PANDAS_OPS}
    cpus = {name: [] for name in PANDAS_OPS}
    rows = {}
    for _ in range(k):  # round-robin: drift from other load hits every operation
        for name in PANDAS_OPS:
            t0, c0 = time.perf_counter(), time.process_time()
            out = _pandas_op(name, df)
            times[name].append(time.perf_counter() - t0)
            cpus[name].append(time.process_time() - c0)
            rows[name] = len(out)
            del out
    peaks = {}
    for name in PANDAS_OPS:  # each operation's peak above the frame (bench_metrics' way)
        _release_free_memory()
        before = _status_kib("VmRSS")["VmRSS"]
        if not _reset_hwm():
            break
        out = _pandas_op(name, df)
        peaks[name] = (_status_kib("VmHWM")["VmHWM"] - before) * 1024
        del out
    return {"read_s": read_s, "rows": len(df), "set_aside_missing_score": set_aside,
            "frame_bytes": frame_bytes, "times_s": times, "cpu_times_s": cpus,
            "best_s": {n: min(t) for n, t in times.items()},
            "best_cpu_s": {n: min(t) for n, t in cpus.items()},
            "result_rows": rows, "peak_above_frame_bytes": peaks,
            "peak_rss_bytes": _maxrss_bytes()}


def child_pandas_toolkit(folder: Path, warmup: Path, k: int) -> dict:
    """The whole pandas path: load_responses(frame) validates every row, then csat, nps."""
    import pandas as pd

    import csat_toolkit as ct
    df, read_s = _pandas_frame(folder)
    frame_bytes = int(df.memory_usage(deep=True).sum())

    def run(frame):
        t0, c0 = time.perf_counter(), time.process_time()
        loaded = ct.load_responses(frame)
        t1 = time.perf_counter()
        ct.csat(loaded.data, by=BY, period="M")
        ct.nps(loaded.data, by=BY, period="M")
        t2, c2 = time.perf_counter(), time.process_time()
        return {"total_s": t2 - t0, "load_s": t1 - t0, "metrics_s": t2 - t1, "cpu_s": c2 - c0,
                "n_read": loaded.n_read, "n_used": loaded.n_used}

    run(pd.read_parquet(warmup))
    _release_free_memory()
    before = _status_kib("VmRSS")["VmRSS"]
    reset = _reset_hwm()
    runs = [run(df)]
    peak = (_status_kib("VmHWM")["VmHWM"] - before) * 1024 if reset else None
    runs += [run(df) for _ in range(k - 1)]
    return {**_best(runs), "best_s": min(r["total_s"] for r in runs), "read_s": read_s,
            "frame_bytes": frame_bytes, "peak_above_frame_bytes": peak,
            "peak_rss_bytes": _maxrss_bytes()}


def child_notebook(name: str, folder: Path) -> dict:
    """The notebook's code cells in this process on the folder, DuckDB with 1 GB."""
    sys.path.insert(0, str(ROOT / "tests"))
    from conftest import run_in_process  # the test suite's in-process runner
    with tempfile.TemporaryDirectory(prefix="bench_engines_") as tmp:
        options = {"engine": "duckdb",
                   "engine_options": {"memory_limit": NOTEBOOK_LIMIT,
                                      "temp_directory": str(Path(tmp) / "duckdb_spill")}}
        params = {"responses_path": str(folder), "load_options": options}
        t0, c0 = time.perf_counter(), time.process_time()
        run = run_in_process(name, params, Path(tmp) / "out")
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        head = run.headline
    keep = ("n_read", "n_used", "n_set_aside", "rows", "engine", "data_period", "skipped",
            "as_of", "metric", "trend")
    return {"wall_s": wall, "cpu_s": cpu, "peak_rss_bytes": _maxrss_bytes(),
            "load_options": options, "headline": {k: head[k] for k in keep if k in head}}


CHILDREN = {
    "duckdb_reference": child_duckdb_reference, "duckdb_toolkit": child_duckdb_toolkit,
    "spark_reference": child_spark_reference, "spark_toolkit": child_spark_toolkit,
    "pandas_ops": child_pandas_ops, "pandas_toolkit": child_pandas_toolkit,
}


def run_child(kind: str, folder: Path, warmup: Path, k: int) -> dict:
    warnings.simplefilter("ignore")  # Spark's FutureWarning about pandas 3, and such
    try:
        if kind.startswith("notebook:"):
            return child_notebook(kind.split(":", 1)[1], folder)
        return CHILDREN[kind](folder, warmup, k)
    except BaseException as exc:  # reported verbatim by the parent
        return {"error": "".join(traceback.format_exception_only(type(exc), exc)).strip(),
                "traceback": traceback.format_exc()[-4000:],
                "peak_rss_bytes": _maxrss_bytes()}


# ------------------------------------------------------------------------ parent


def _child(kind: str, size: int, folder: Path, warmup: Path, k: int,
           timeout: float | None = None) -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH", "")]))
    env["PYTHONWARNINGS"] = "ignore"
    if SNAPSHOT is not None:
        env["CSAT_BENCH_CODE"] = SNAPSHOT
    command = [sys.executable, str(Path(__file__).resolve()), "--child", kind, str(folder),
               str(warmup), str(k)]
    print(f"# {kind} {size:,} rows (best of {k}) ...", file=sys.stderr, flush=True)
    began = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=env, cwd=ROOT, start_new_session=True)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)  # the child and its JVM: our own process group
        proc.communicate()
        return {"kind": kind, "size": size, "k": k, "timeout_s": timeout,
                "error": f"did not finish within {timeout:.0f} s (stopped)"}
    lines = out.strip().splitlines()
    try:
        result = json.loads(lines[-1])
    except (IndexError, json.JSONDecodeError):
        result = {"error": f"child exited with code {proc.returncode}: {err.strip()[-2000:]}"}
    result.update(kind=kind, size=size, k=k, child_wall_s=time.perf_counter() - began)
    if "error" in result:
        print(f"#   failed: {result['error']}", file=sys.stderr)
    return result


SNAPSHOT: str | None = None


def snapshot(folder: Path) -> str:
    """Copy csat_toolkit/ as it is now into ``folder`` (with links to data/ and
    notebooks/, which it reads beside itself); the children import that copy."""
    shutil.copytree(ROOT / "csat_toolkit", folder / "csat_toolkit",
                    ignore=shutil.ignore_patterns("__pycache__"))
    for beside in ("data", "notebooks"):  # what the package finds next to itself
        (folder / beside).symlink_to(ROOT / beside)
    return str(folder)


def _git() -> dict:
    def git(*args):
        proc = subprocess.run(["git", *args], capture_output=True, text=True, cwd=ROOT)
        return proc.stdout.rstrip("\n")
    changed = [line[3:] for line in git("status", "--porcelain", "--", "csat_toolkit").splitlines()]
    return {"commit": git("rev-parse", "--short", "HEAD"), "uncommitted_package_files": changed}


def machine() -> dict:
    info = _machine()
    for module in ("duckdb", "pyspark", "narwhals"):
        try:
            info[module] = __import__(module).__version__
        except ImportError:
            info[module] = None
    java = subprocess.run(["java", "-version"], capture_output=True, text=True)
    info["java"] = (java.stderr or java.stdout).strip().splitlines()[0] if java.returncode == 0 \
        else None
    return info


def _extrapolate(earlier: list[dict], size: int) -> float | None:
    """Seconds a run at ``size`` would take: the line through the two largest earlier
    sizes (a fixed cost plus a cost per row), or proportional from a single one."""
    done = sorted((r["size"], r["best_s"]) for r in earlier if _ok(r) and "best_s" in r)
    if not done:
        return None
    if len(done) == 1:
        return done[0][1] * size / done[0][0]
    (n1, t1), (n2, t2) = done[-2:]
    return t2 + max(t2 - t1, 0.0) / (n2 - n1) * (size - n2)


def measure(args) -> dict:
    sizes = sorted(args.sizes)
    warmup = dataset(args.data, WARMUP_ROWS, args.seed)
    results: list[dict] = []
    skipped: list[str] = []
    for size in sizes:
        folder = dataset(args.data, size, args.seed)
        k = repeats_for(size, args.repeats, args.large_repeats)
        for engine in args.engines:
            for kind in VARIANTS[engine]:
                if engine == "pandas" and size > args.pandas_max:
                    skipped.append(f"{kind} at {size:,} rows: above --pandas-max "
                                   f"{args.pandas_max:,} (the frame alone would need "
                                   f"about {size / 1e7 * 0.64:.0f} GB as pandas str columns)")
                    continue
                timeout = args.spark_timeout if engine == "spark" else None
                if engine == "spark":
                    guess = _extrapolate([r for r in results if r["kind"] == kind], size)
                    if guess is not None and guess * k > args.spark_timeout:
                        skipped.append(
                            f"{kind} at {size:,} rows: not run; the smaller sizes' times "
                            f"extrapolate (linearly) to about {guess:.0f} s a run, {k} run(s), "
                            f"over the {args.spark_timeout:.0f} s limit (--spark-timeout)")
                        continue
                results.append(_child(kind, size, folder, warmup, k, timeout))
        for name in args.notebooks:
            if size >= args.notebook_min:
                results.append(_child(f"notebook:{name}", size, folder, warmup, 1))
    return {"results": results, "skipped": skipped}


# ------------------------------------------------------------------------ tables


def _by(results: list[dict], kind: str) -> dict[int, dict]:
    return {r["size"]: r for r in results if r["kind"] == kind}


def _mb(value) -> str:
    return "-" if value is None else f"{value / 2**20:,.0f}"


def _s(value) -> str:
    return "-" if value is None else f"{value:.2f}"


def _x(a, b) -> str:
    return "-" if a is None or not b else f"{a / b:.2f}"


def _ok(r: dict | None) -> bool:
    return r is not None and "error" not in r


def tables(data: dict) -> str:
    results = data["results"]
    out: list[str] = []
    ref, tk = _by(results, "duckdb_reference"), _by(results, "duckdb_toolkit")
    if ref or tk:
        out += ["### DuckDB: hand-written count vs toolkit (load + csat + nps)", "",
                "| rows | reference s | toolkit s | toolkit / reference | load s | csat s "
                "| nps s | duplicate-id check alone s | day-level counts alone s "
                "| day-level counts with text blank checks s "
                "| reference peak MiB | toolkit peak MiB |",
                "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for size in sorted(set(ref) | set(tk)):
            r, t = ref.get(size, {}), tk.get(size, {})
            out.append(
                f"| {size:,} | {_s(r.get('best_s'))} | {_s(t.get('best_s'))} "
                f"| {_x(t.get('best_s'), r.get('best_s'))} | {_s(t.get('load_s'))} "
                f"| {_s(t.get('csat_s'))} | {_s(t.get('nps_s'))} "
                f"| {_s(r.get('duplicate_check_s'))} | {_s(r.get('day_counts_s'))} "
                f"| {_s(r.get('blank_checked_counts_s'))} "
                f"| {_mb(r.get('peak_rss_bytes'))} | {_mb(t.get('peak_rss_bytes'))} |")
        out += [""] + _step_table(tk, "DuckDB") + [""]
    sref, stk = _by(results, "spark_reference"), _by(results, "spark_toolkit")
    if sref or stk:
        out += ["### Spark local[2]: hand-written groupBy().count() vs toolkit", "",
                "| rows | reference s | toolkit s | toolkit / reference | load s | metrics s "
                "| reference peak MiB (Python; JVM VmHWM) | toolkit peak MiB (Python; JVM VmHWM) |",
                "|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for size in sorted(set(sref) | set(stk)):
            r, t = sref.get(size, {}), stk.get(size, {})
            out.append(
                f"| {size:,} | {_s(r.get('best_s'))} | {_s(t.get('best_s'))} "
                f"| {_x(t.get('best_s'), r.get('best_s'))} | {_s(t.get('load_s'))} "
                f"| {_s(t.get('metrics_s'))} "
                f"| {_mb(r.get('peak_rss_bytes'))}; {_mb(r.get('jvm_vmhwm_bytes'))} "
                f"| {_mb(t.get('peak_rss_bytes'))}; {_mb(t.get('jvm_vmhwm_bytes'))} |")
        out += [""] + _step_table(stk, "Spark") + [""]
    ops, pt = _by(results, "pandas_ops"), _by(results, "pandas_toolkit")
    if ops or pt:
        out += ["### pandas in memory (frame read from the same Parquet)", "",
                "| rows | read s | frame MiB | groupby month, channel, region s "
                "| groupby survey, month, channel, region, score s | csat s | nps s "
                "| csat / groupby | nps / groupby | (csat + nps) / groupby "
                "| peak above frame MiB (groupby; csat; nps) | load_responses + csat + nps s "
                "(load s) | its peak above frame MiB |",
                "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|"]
        for size in sorted(set(ops) | set(pt)):
            o, t = ops.get(size, {}), pt.get(size, {})
            b = o.get("best_s", {})
            g = b.get("groupby_to_period")
            both = b["csat"] + b["nps"] if "csat" in b and "nps" in b else None
            peaks = o.get("peak_above_frame_bytes", {})
            out.append(
                f"| {size:,} | {_s(o.get('read_s'))} | {_mb(o.get('frame_bytes'))} | {_s(g)} "
                f"| {_s(b.get('groupby_counts'))} | {_s(b.get('csat'))} | {_s(b.get('nps'))} "
                f"| {_x(b.get('csat'), g)} | {_x(b.get('nps'), g)} | {_x(both, g)} "
                f"| {_mb(peaks.get('groupby_to_period'))}; {_mb(peaks.get('csat'))}; "
                f"{_mb(peaks.get('nps'))} "
                f"| {_s(t.get('best_s'))} ({_s(t.get('load_s'))}) "
                f"| {_mb(t.get('peak_above_frame_bytes'))} |")
        out.append("")
    out += growth_table(results)
    nb = [r for r in results if r["kind"].startswith("notebook:")]
    if nb:
        out += ["### 01_metrics and 02_trends in process, DuckDB with memory_limit 1GB", "",
                "| notebook | rows | wall s | CPU s | peak RSS MiB | under 2 GiB | rows read "
                "| rows used | error |",
                "|---|---:|---:|---:|---:|---|---:|---:|---|"]
        for r in sorted(nb, key=lambda r: (r["kind"], r["size"])):
            head = r.get("headline", {})
            peak = r.get("peak_rss_bytes")
            under = "-" if "error" in r or peak is None else ("yes" if peak < 2 * GIB else "NO")
            rows = head.get("rows") or {}
            read, used = head.get("n_read", rows.get("read")), head.get("n_used", rows.get("used"))
            n_read = "-" if read is None else f"{read:,}"
            n_used = "-" if used is None else f"{used:,}"
            error = r.get("error", "").replace("|", "\\|").replace("\n", " ")[:300]
            out.append(f"| {r['kind'].split(':', 1)[1]} | {r['size']:,} | {_s(r.get('wall_s'))} "
                       f"| {_s(r.get('cpu_s'))} | {_mb(peak)} | {under} | {n_read} | {n_used} "
                       f"| {error} |")
        out.append("")
    errors = [r for r in results if "error" in r and not r["kind"].startswith("notebook:")]
    for r in errors:
        out.append(f"- {r['kind']} at {r['size']:,} rows failed: {r['error']}")
    for line in data.get("skipped", []):
        out.append(f"- skipped: {line}")
    return "\n".join(out)


def _step_table(toolkit: dict[int, dict], engine: str) -> list[str]:
    """Where the toolkit's load time goes: each query the loader collects."""
    sizes = [s for s in sorted(toolkit) if toolkit[s].get("steps_s")]
    if not sizes:
        return []
    callers = [c for c in STEPS if any(c in toolkit[s]["steps_s"] for s in sizes)]
    callers += sorted({c for s in sizes for c in toolkit[s]["steps_s"]} - set(callers))
    lines = [f"{engine} loader, seconds per step (the run of the best total):", "",
             "| step | " + " | ".join(f"{s:,} rows" for s in sizes) + " |",
             "|---|" + "---:|" * len(sizes)]
    for caller in callers:
        lines.append(f"| {STEPS.get(caller, caller)} | "
                     + " | ".join(_s(toolkit[s]["steps_s"].get(caller)) for s in sizes) + " |")
    rest = [toolkit[s]["load_s"] - sum(toolkit[s]["steps_s"].values()) for s in sizes]
    lines.append("| the rest (Python: parsing the distinct answers, building the counted "
                 "frame, plans) | " + " | ".join(_s(v) for v in rest) + " |")
    lines.append("| load_responses in all | "
                 + " | ".join(_s(toolkit[s]["load_s"]) for s in sizes) + " |")
    return lines


def _seconds(r: dict) -> float | None:
    if not _ok(r):
        return None
    if r["kind"] == "pandas_ops":
        b = r["best_s"]
        return b["csat"] + b["nps"]
    return r.get("best_s")


GROWTH = [("duckdb_reference", "DuckDB hand-written count"),
          ("duckdb_toolkit", "DuckDB toolkit (load + csat + nps)"),
          ("spark_reference", "Spark hand-written count"),
          ("spark_toolkit", "Spark toolkit (load + csat + nps)"),
          ("pandas_ops", "pandas csat + nps on the frame"),
          ("pandas_toolkit", "pandas load_responses + csat + nps")]


def _rows(n: int) -> str:
    return f"{n / 1e6:g}M" if n >= 1_000_000 else f"{n / 1e3:g}k"


def growth_table(results: list[dict]) -> list[str]:
    sizes = sorted({r["size"] for r in results})
    if len(sizes) < 2:
        return []
    lines = ["### Growth: seconds per size and the factor between sizes", "",
             "| what | " + " | ".join(f"{s:,}" for s in sizes) + " | "
             + " | ".join(f"× {_rows(a)}→{_rows(b)}" for a, b in zip(sizes, sizes[1:])) + " |",
             "|---|" + "---:|" * (2 * len(sizes) - 1)]
    for kind, label in GROWTH:
        by = _by(results, kind)
        if not by:
            continue
        secs = [_seconds(by[s]) if s in by else None for s in sizes]
        lines.append(f"| {label} | " + " | ".join(_s(v) for v in secs) + " | "
                     + " | ".join(_x(b, a) for a, b in zip(secs, secs[1:])) + " |")
    return lines + [""]


def verdicts(data: dict) -> list[str]:
    results = data["results"]
    out = []
    ref, tk = _by(results, "duckdb_reference"), _by(results, "duckdb_toolkit")
    for size in sorted(set(ref) & set(tk)):
        r, t = ref[size], tk[size]
        if _ok(r) and _ok(t):
            ratio = t["best_s"] / r["best_s"]
            out.append(f"{size:,} rows, DuckDB toolkit within 1.2x of the hand-written count: "
                       f"{'met' if ratio <= 1.2 else 'NOT met'} ({ratio:.1f}x; load alone "
                       f"{t['load_s'] / r['best_s']:.1f}x, metrics {t['metrics_s']:.2f} s)")
    for size, o in sorted(_by(results, "pandas_ops").items()):
        if _ok(o):
            b = o["best_s"]
            g = b["groupby_to_period"]
            worst = max(b["csat"], b["nps"]) / g
            out.append(f"{size:,} rows, pandas csat and nps each at most about 0.8x the bare "
                       f"groupby: {'met' if worst <= 0.8 else 'NOT met'} (csat "
                       f"{b['csat'] / g:.2f}x, nps {b['nps'] / g:.2f}x; together "
                       f"{(b['csat'] + b['nps']) / g:.2f}x)")
    for r in sorted((r for r in results if r["kind"].startswith("notebook:")),
                    key=lambda r: (r["size"], r["kind"])):
        name = r["kind"].split(":", 1)[1]
        if "error" in r:
            out.append(f"{r['size']:,} rows, {name} under 2 GiB: FAILED: {r['error']}")
        else:
            peak = r["peak_rss_bytes"]
            out.append(f"{r['size']:,} rows, {name} under 2 GiB: "
                       f"{'met' if peak < 2 * GIB else 'NOT met'} ({peak / GIB:.2f} GiB, "
                       f"{r['wall_s']:.0f} s)")
    return out


# --------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    global SNAPSHOT
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=DEFAULT_SIZES)
    parser.add_argument("--engines", nargs="+", default=list(VARIANTS), choices=list(VARIANTS))
    parser.add_argument("--notebooks", nargs="*", default=["01_metrics", "02_trends"],
                        help="notebooks run in process on each size (none: skip)")
    parser.add_argument("--notebook-min", type=int, default=10_000_000,
                        help="smallest size the notebooks run on")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA,
                        help="folder of the r<rows>/ Parquet folders (written when absent)")
    parser.add_argument("--repeats", type=int, default=3, help="best of k below 5M rows")
    parser.add_argument("--large-repeats", type=int, default=2,
                        help="best of k from 5M to 50M rows (one run above)")
    parser.add_argument("--pandas-max", type=int, default=10_000_000,
                        help="largest size the pandas path reads into memory")
    parser.add_argument("--spark-timeout", type=float, default=900.0,
                        help="seconds a Spark child may take; larger sizes whose estimate "
                             "from the previous size exceeds it are skipped")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--render", type=Path, metavar="JSON",
                        help="print the tables and verdicts of an earlier results file")
    parser.add_argument("--child", nargs=4, metavar=("KIND", "FOLDER", "WARMUP", "K"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child:
        kind, folder, warmup, k = args.child
        print(json.dumps(run_child(kind, Path(folder), Path(warmup), int(k))))
        return 0
    if args.render:
        data = json.loads(args.render.read_text())
        print(tables(data))
        print("\n".join(verdicts(data)))
        return 0

    info = machine()
    print(f"# {info['cpu']}, {info['nproc']} cpus, {info['ram_gib']} GiB; Python "
          f"{info['python']}, pandas {info['pandas']}, DuckDB {info['duckdb']}, PySpark "
          f"{info['pyspark']}, narwhals {info['narwhals']}; load {info['loadavg_at_start']}",
          file=sys.stderr)
    began = time.perf_counter()
    code = _git()  # the package as copied now (the snapshot), not as it is at the end
    with tempfile.TemporaryDirectory(prefix="bench_engines_code_") as tmp:
        SNAPSHOT = snapshot(Path(tmp))
        data = measure(args)
    info["loadavg_at_end"] = list(os.getloadavg())
    data.update(machine=info, git=code, total_s=time.perf_counter() - began,
                settings={k: (str(v) if isinstance(v, Path) else v)
                          for k, v in vars(args).items() if k not in ("child", "render")})
    print(tables(data))
    print("\n".join(verdicts(data)))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(data, indent=2, default=str))
    print(f"\nwrote {args.out} ({data['total_s'] / 60:.1f} min)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
