"""Write a large, seeded responses data set as a folder of Parquet files (for bench_engines.py).

The rows follow the frame of ``bench_metrics.py`` (mixed CSAT and NPS, 24 months,
``channel`` with 5 levels and ``region`` with 4), generated inside DuckDB from a hash of
the row number and the seed, so 100M rows are written out of core in about a minute and
the same seed always gives the same files. 0.1% of the scores are missing, so the
loaders have rows to set aside.

Usage::

    python benchmarks/make_big_responses.py --rows 10000000 --out /tmp/big/r10m
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

import duckdb

QUERY = """
WITH base AS (
    SELECT range AS i,
           hash(range, {seed}) AS h1,
           hash(range, {seed} + 1) AS h2,
           hash(range, {seed} + 2) AS h3
    FROM range({rows})
), u AS (
    SELECT i,
           (h1 % 1000000) / 1e6 AS u_survey,
           ((h1 // 1000000) % 1000000) / 1e6 AS u_score,
           (h2 % 1000000) / 1e6 AS u_channel,
           ((h2 // 1000000) % 1000000) / 1e6 AS u_region,
           (h3 % 63158400) AS seconds,
           ((h3 // 63158400) % 1000) AS u_missing
    FROM base
)
SELECT i + 1 AS response_id,
       TIMESTAMP '2023-01-01' + to_seconds(seconds) AS responded_at,
       CASE WHEN u_survey < 0.5 THEN 'csat' ELSE 'nps' END AS survey,
       CASE WHEN u_missing = 0 THEN NULL
            WHEN u_survey < 0.5 THEN
                CASE WHEN u_score < .05 THEN 1 WHEN u_score < .12 THEN 2
                     WHEN u_score < .25 THEN 3 WHEN u_score < .60 THEN 4 ELSE 5 END
            ELSE CASE WHEN u_score < .04 THEN 0 WHEN u_score < .07 THEN 3
                      WHEN u_score < .12 THEN 5 WHEN u_score < .20 THEN 6
                      WHEN u_score < .35 THEN 7 WHEN u_score < .55 THEN 8
                      WHEN u_score < .75 THEN 9 ELSE 10 END END::BIGINT AS score,
       CASE WHEN u_channel < .30 THEN 'chat' WHEN u_channel < .55 THEN 'email'
            WHEN u_channel < .75 THEN 'phone' WHEN u_channel < .90 THEN 'web'
            ELSE 'social' END AS channel,
       CASE WHEN u_region < .40 THEN 'north_america' WHEN u_region < .70 THEN 'emea'
            WHEN u_region < .90 THEN 'apac' ELSE 'latam' END AS region
FROM u
"""


def write(rows: int, out: Path, *, seed: int = 20240601, files: int | None = None) -> Path:
    """Write ``rows`` responses to ``out`` (a folder of Parquet files); return the folder."""
    out.mkdir(parents=True, exist_ok=True)
    files = files or max(1, rows // 10_000_000)
    con = duckdb.connect()
    con.execute("SET preserve_insertion_order = false")
    per_file = -(-rows // files)
    for part in range(files):
        start, count = part * per_file, min(per_file, rows - part * per_file)
        query = QUERY.format(seed=seed, rows=f"{start}, {start + count}")
        con.execute(f"COPY ({query}) TO '{out / f'part-{part:03d}.parquet'}' "
                    "(FORMAT parquet, ROW_GROUP_SIZE 1000000)")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=20240601)
    args = parser.parse_args()
    began = time.perf_counter()
    write(args.rows, args.out, seed=args.seed)
    print(f"{args.rows:,} rows -> {args.out} in {time.perf_counter() - began:.1f} s")


if __name__ == "__main__":
    main()
