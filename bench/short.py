"""A corpus of short articles for the build benchmark: each squad-dev paragraph on its own.

A newsroom's archive is mostly short items (wire stories of a few sentences), where a
build's cost per article, not the model, decides its speed. The 24 squad-dev articles
split at their paragraphs give about a thousand such items with real prose, written as
one JSON file each with the title of the article they came from.

    python bench/short.py OUT_FOLDER
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

SQUAD = Path(__file__).resolve().parent.parent.parent / "shared" / "eval" / "squad-dev" / "articles"


def write_corpus(target: Path, source: Path = SQUAD) -> int:
    """Write one article per paragraph of every article in `source`; returns how many."""
    target.mkdir(parents=True, exist_ok=True)
    written = 0
    for path in sorted(source.glob("*.json")):
        record = json.loads(path.read_text())
        paragraphs = [p.strip() for p in record["text"].split("\n\n") if p.strip()]
        for number, paragraph in enumerate(paragraphs, 1):
            item = {"title": record["title"], "source": record.get("source", ""), "text": paragraph}
            (target / f"{path.stem}-{number:03d}.json").write_text(json.dumps(item))
            written += 1
    return written


if __name__ == "__main__":
    print(write_corpus(Path(sys.argv[1])), "articles")
