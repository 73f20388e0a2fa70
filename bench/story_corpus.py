"""A corpus with known stories, for measuring story clustering and briefings.

Each SQuAD dev article (one topic: "Super Bowl 50", "Warsaw", ...) is cut into several
reports, as if outlets had each filed a piece on it: report i takes consecutive paragraphs
from the i-th part of the article, carries its own title (the start of its first sentence:
never the topic's name as such), one of several outlets and a date near the topic's day.
So a story's reports share a topic but not a text (no report is a copy of another), and
some topics sit close to each other (Huguenots / Martin Luther, Fresno / Southern
California). The news corpus (tests/data/news) is added as one more story: the March 2025
ceasefire talks, reported by several outlets, with a syndicated copy and a correction.

The articles go to OUT_DIR/articles; the labels (article id -> story) to
OUT_DIR/stories.json, and were fixed
before any clustering was run. Topics are split by parity into dev (even positions in
name order, for choosing thresholds) and held out (odd ones, plus the news story).

    python bench/story_corpus.py OUT_DIR [--reports 4] [--paragraphs 3]
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
from datetime import date, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SQUAD = REPO.parent / "shared" / "eval" / "squad-dev" / "articles"
NEWS = REPO / "tests" / "data" / "news" / "talks.jsonl"
OUTLETS = ("Northern Ledger", "City Wire", "Evening Courier", "Harbour Times", "The Daily Round")
TITLE_WORDS = 10
START = date(2025, 3, 1)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s")


def report_title(paragraph: str) -> str:
    first = _SENTENCE_END.split(paragraph.strip(), maxsplit=1)[0]
    words = first.split()
    return " ".join(words[:TITLE_WORDS]).rstrip(",;:") + ("…" if len(words) > TITLE_WORDS else "")


def split_article(text: str, reports: int, paragraphs: int) -> list[str]:
    """`reports` texts of up to `paragraphs` consecutive paragraphs, from evenly spaced parts."""
    parts = [p for p in text.split("\n\n") if len(p.split()) >= 20]
    if len(parts) < reports:
        return ["\n\n".join(parts)] if parts else []
    size = len(parts) // reports
    return ["\n\n".join(parts[i * size:i * size + min(size, paragraphs)]) for i in range(reports)]


def write(out: Path, reports: int = 4, paragraphs: int = 3) -> dict[str, dict]:
    """Write the corpus under `out`; returns {article id: {"story", "split"}} (also in stories.json)."""
    folder = out / "articles"
    if folder.exists():
        shutil.rmtree(folder)  # only what this wrote: OUT_DIR may hold other things (an index)
    folder.mkdir(parents=True)
    labels: dict[str, dict] = {}
    for position, path in enumerate(sorted(SQUAD.glob("*.json"))):
        record = json.loads(path.read_text())
        split = "dev" if position % 2 == 0 else "heldout"
        day = START + timedelta(days=position % 12)
        for i, text in enumerate(split_article(record["text"], reports, paragraphs)):
            name = f"{path.stem}-r{i}.json"
            article = {"title": report_title(text), "text": text, "source": OUTLETS[(position + i) % len(OUTLETS)],
                       "published": (day + timedelta(days=i % 3)).isoformat()}
            (folder / name).write_text(json.dumps(article))
            labels[name] = {"story": record["title"], "split": split}
    shutil.copy(NEWS, folder / NEWS.name)
    for n, _ in enumerate(NEWS.read_text().splitlines()):
        labels[f"{NEWS.name}#{n}"] = {"story": "March 2025 ceasefire talks", "split": "heldout"}
    (out / "stories.json").write_text(json.dumps(labels, indent=1))
    return labels


def labels_of(out: Path) -> dict[str, dict]:
    return json.loads((out / "stories.json").read_text())


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--reports", type=int, default=4)
    parser.add_argument("--paragraphs", type=int, default=3)
    args = parser.parse_args()
    found = write(args.out, args.reports, args.paragraphs)
    print(f"{len(found)} articles, {len({v['story'] for v in found.values()})} stories -> {args.out}")
