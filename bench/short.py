"""Corpora of short articles for the build benchmark, cut from the squad-dev articles' real prose.

A newsroom's archive is mostly short items (wire stories of a few sentences), where a
build's cost per article, not the model, decides its speed.

- *short articles*: each squad-dev paragraph on its own (about a thousand, a few sentences
  each), one JSON file each with the title of the article it came from.
- *wire items*: one to three sentences each (about three thousand), in one JSONL file, each
  with a headline as long as a wire headline (8 to 13 words: the opening words of its first
  sentence). Every sentence is embedded with its title, so a headline-length title costs
  model time that the article's own short title does not: this corpus measures that.

    python bench/short.py OUT_FOLDER [--wire]
"""

from __future__ import annotations

import json
import random
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


def write_wire_corpus(target: Path, source: Path = SQUAD, seed: int = 0) -> int:
    """Write `wire.jsonl` into `target`: the paragraphs cut into items of one to three
    sentences with headline-length titles; returns how many items."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from index.chunking import split_sentences

    draw = random.Random(seed)  # the same corpus every run
    target.mkdir(parents=True, exist_ok=True)
    lines = []
    for path in sorted(source.glob("*.json")):
        record = json.loads(path.read_text())
        for paragraph in (p.strip() for p in record["text"].split("\n\n") if p.strip()):
            spans = split_sentences(paragraph)
            while spans:
                taken = draw.choice((1, 2, 2, 3))
                part, spans = spans[:taken], spans[taken:]
                text = paragraph[part[0][0]:part[-1][1]]
                headline = " ".join(paragraph[part[0][0]:part[0][1]].split()[:draw.randint(8, 13)])
                lines.append(json.dumps({"id": f"{path.stem}-{len(lines):05d}", "title": headline,
                                         "source": record.get("source", ""), "text": text}))
    (target / "wire.jsonl").write_text("\n".join(lines) + "\n")
    return len(lines)


if __name__ == "__main__":
    if "--wire" in sys.argv[2:]:
        print(write_wire_corpus(Path(sys.argv[1])), "wire items")
    else:
        print(write_corpus(Path(sys.argv[1])), "articles")
