"""Business-hours durations and SLA compliance at scale (1M tickets by default).

Run:  .venv/bin/python benchmarks/bench_ops.py [--rows 1000000] [--repeats 3]
Prints a markdown table of the best wall time over the repeats. Measures, never asserts.
"""
from __future__ import annotations

import argparse
import platform
import time

import numpy as np
import pandas as pd

from csat_toolkit import ops
from csat_toolkit.businesshours import Schedule, business_duration


def tickets(rows: int, seed: int = 7) -> pd.DataFrame:
    """Synthetic tickets over four years: lognormal first responses and resolutions."""
    rng = np.random.default_rng(seed)
    start = pd.Timestamp("2021-01-01").value
    created = pd.to_datetime(start + rng.integers(0, 4 * 365 * 86_400, rows) * 10**9)
    first = created + pd.to_timedelta(rng.lognormal(np.log(3600), 1.5, rows), unit="s")
    resolved = first + pd.to_timedelta(rng.lognormal(np.log(20_000), 1.2, rows), unit="s")
    return pd.DataFrame({"ticket_id": np.arange(rows).astype(str), "created_at": created,
                         "first_response_at": first, "resolved_at": resolved,
                         "priority": rng.choice(["urgent", "high", "normal", "low"], rows),
                         "channel": rng.choice(["email", "chat", "phone"], rows)})


def best(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        began = time.perf_counter()
        fn()
        times.append(time.perf_counter() - began)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    frame = tickets(args.rows)
    office = Schedule.from_dict({"timezone": "Europe/London", "hours": {"mon-fri": "08:00-18:00"},
                                 "holidays": ["2021-12-25", "2022-12-25", "2023-12-25"]})
    targets = {"first_response": {"urgent": 1, "high": 4, "*": 8},
               "resolution": {"urgent": 8, "*": 40}}
    rows = [
        ("business_duration (Mon-Fri 08-18, London, holidays)",
         best(lambda: business_duration(frame["created_at"], frame["first_response_at"], office),
              args.repeats)),
        ("sla_compliance by channel (business clock, 2 metrics)",
         best(lambda: ops.sla_compliance(frame, targets, by="channel", schedule=office,
                                         as_of="2025-01-01"), args.repeats)),
    ]
    print(f"{args.rows:,} tickets; {platform.processor() or platform.machine()}, "
          f"Python {platform.python_version()}, pandas {pd.__version__}\n")
    print("| step | best of %d (s) |\n| --- | ---: |" % args.repeats)
    for name, seconds in rows:
        print(f"| {name} | {seconds:.2f} |")


if __name__ == "__main__":
    main()
