"""The reliability table of docs/reliability.md from the figures the reliability tests recorded.

    make reliability        # runs `pytest -m reliability`, then this
    python bench/reliability.py [test-artifacts/reliability.jsonl]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

DEFAULT = Path(__file__).resolve().parent.parent / "test-artifacts" / "reliability.jsonl"


def table(rows: list[dict]) -> str:
    lines = ["| area | check | tried | failed | lost | figures |", "|---|---|---:|---:|---:|---|"]
    for row in rows:
        lines.append(f"| {row['area']} | {row['check']} | {row['tried']} | {row['failed']} | {row['lost']} | "
                     f"{row['detail']} |")
    total = {key: sum(row[key] for row in rows) for key in ("tried", "failed", "lost")}
    lines.append(f"| **all** | {len(rows)} checks | {total['tried']} | {total['failed']} | {total['lost']} | |")
    return "\n".join(lines)


def main() -> int:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()] if path.exists() else []
    if not rows:
        print(f"no figures in {path}: run `make reliability`", file=sys.stderr)
        return 1
    print(table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
