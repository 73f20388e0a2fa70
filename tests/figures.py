"""Figures the reliability tests record for the table in docs/reliability.md (`make reliability`).

Each check appends one JSON line to `test-artifacts/reliability.jsonl` (the file is
started afresh per pytest session, see conftest); `bench/reliability.py` turns the lines
into the table. A row is only written after the test's assertions held, so a failed
check never shows up as "survived"."""

from __future__ import annotations

import json
import os
from pathlib import Path

FIGURES = Path(os.environ.get("RELIABILITY_FIGURES",
                              Path(__file__).resolve().parent.parent / "test-artifacts" / "reliability.jsonl"))


def start() -> None:
    FIGURES.parent.mkdir(parents=True, exist_ok=True)
    FIGURES.write_text("")


def record(area: str, check: str, *, tried: int, failed: int = 0, lost: int = 0, detail: str = "") -> None:
    """One row: `tried` requests / faults / cases, of which `failed` went wrong and `lost`
    items (articles, chunks, answers) went missing. `detail` carries latencies and such."""
    row = {"area": area, "check": check, "tried": tried, "failed": failed, "lost": lost, "detail": detail}
    with FIGURES.open("a") as out:
        out.write(json.dumps(row) + "\n")
