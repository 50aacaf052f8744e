"""Shared fixtures: repository paths, the real-data folder, notebook runs."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = REPO / "notebooks"
SAMPLE = REPO / "data" / "sample"
SHARED = REPO.parent / "shared"
REALDATA = SHARED / "realdata"
REFERENCE = SHARED / "reference-data"


def require_shared(path: Path) -> Path:
    """Skip the calling test, with a clear message, when ../shared is not there."""
    if not path.exists():
        pytest.skip(f"{path} is absent: the real-data tests need the workplace's shared/ "
                    "folder beside the repository (it is present in CI).")
    return path


@pytest.fixture(scope="session")
def sample_responses():
    """The bundled sample responses, loaded once per test session."""
    import csat_toolkit as ct

    return ct.load_responses(SAMPLE / "responses.csv")


def read_headline(folder: Path) -> dict:
    return json.loads((Path(folder) / "headline.json").read_text(encoding="utf-8"))
