"""Compare the headline.json files of two report folders, number by number.

Used to check that a change of shape (issue 11: the package laid out in layers, notebooks
calling section builders) leaves every number of the sample report as it was::

    .venv/bin/csat-toolkit run --out /tmp/before      # on the old commit
    .venv/bin/csat-toolkit run --out /tmp/after       # on the new one
    .venv/bin/python -m tests.compare_headlines /tmp/before /tmp/after

Prints each difference (path, before, after) and exits 1 when there is one. Numbers agree
when they are equal to 1e-9 relative; text must be equal.
"""
from __future__ import annotations

import json
import math
import sys
from pathlib import Path


def differences(before, after, path: str = "") -> list[tuple[str, object, object]]:
    """Where two parsed JSON documents differ: (path, before, after) triples.

    Examples
    --------
    >>> differences({"a": [1, 2.0]}, {"a": [1, 2.0000000000001]})
    []
    >>> differences({"a": 1, "b": "x"}, {"a": 2, "c": "x"})
    [('a', 1, 2), ('b', 'x', None), ('c', None, 'x')]
    """
    if isinstance(before, dict) and isinstance(after, dict):
        found = []
        for key in sorted(set(before) | set(after), key=str):
            where = f"{path}.{key}" if path else str(key)
            if key not in after or key not in before:
                found.append((where, before.get(key), after.get(key)))
            else:
                found += differences(before[key], after[key], where)
        return found
    if isinstance(before, list) and isinstance(after, list) and len(before) == len(after):
        return [d for i, (a, b) in enumerate(zip(before, after))
                for d in differences(a, b, f"{path}[{i}]")]
    numbers = (int, float)
    if isinstance(before, numbers) and isinstance(after, numbers) \
            and not isinstance(before, bool) and not isinstance(after, bool):
        same = math.isclose(before, after, rel_tol=1e-9, abs_tol=1e-12)
        return [] if same else [(path, before, after)]
    return [] if before == after else [(path, before, after)]


def compare_folders(before: Path, after: Path) -> list[tuple[str, object, object]]:
    """Differences between every ``<notebook>/headline.json`` of two report folders."""
    found = []
    names = sorted({p.parent.name for p in before.glob("*/headline.json")}
                   | {p.parent.name for p in after.glob("*/headline.json")})
    for name in names:
        old, new = before / name / "headline.json", after / name / "headline.json"
        if not (old.exists() and new.exists()):
            found.append((name, old.exists(), new.exists()))
            continue
        found += differences(json.loads(old.read_text(encoding="utf-8")),
                             json.loads(new.read_text(encoding="utf-8")), name)
    return found


if __name__ == "__main__":
    found = compare_folders(Path(sys.argv[1]), Path(sys.argv[2]))
    for where, old, new in found:
        print(f"{where}: {old!r} -> {new!r}")
    print(f"{len(found)} difference(s) in the headline numbers and sentences.")
    sys.exit(1 if found else 0)
