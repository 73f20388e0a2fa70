"""Precision and recall of the agreement check (assistant/agreement.py) on labelled pairs.

    python bench/agreement.py [--split dev|heldout|all] [--show]

bench/agreement_pairs.jsonl holds sentence pairs labelled differ / agree / neither: 14
from the two sample articles, 89 written in the style of public news reports, and 76
(x01-x76) on names and figures in the same slot ("awarded to A" / "awarded to B") with
their controls (other events, short and transliterated names, titles, sentence-initial
words), written before the rules for them, and 36 more (y01-y36) written after the first
of those rules and committed before they were measured on them. Every other pair of the
s, w, x and y series is held out: the rules were written looking at the dev pairs only, so the held-out figures
are the honest ones.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass
from pathlib import Path

from assistant.news.agreement import compare

PAIRS = Path(__file__).resolve().parent / "agreement_pairs.jsonl"


@dataclass(frozen=True)
class Scores:
    pairs: int
    precision: float
    recall: float
    true_positives: int
    predicted: int
    actual: int


def load_pairs(split: str = "all") -> list[dict]:
    rows = [json.loads(line) for line in PAIRS.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [r for r in rows if split == "all" or r["split"] == split]


def scores(rows: list[dict], label: str) -> Scores:
    """Precision and recall of predicting `label` ("differ" or "agree")."""
    predicted = actual = hits = 0
    for row in rows:
        relation = compare(row["a"], row["b"])
        said = relation is not None and relation.label == label
        predicted += said
        actual += row["label"] == label
        hits += said and row["label"] == label
    return Scores(len(rows), round(hits / predicted, 3) if predicted else 1.0,
                  round(hits / actual, 3) if actual else 1.0, hits, predicted, actual)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", default="all", choices=["dev", "heldout", "all"])
    parser.add_argument("--show", action="store_true", help="print every pair the check gets wrong")
    args = parser.parse_args()
    splits = ["dev", "heldout", "all"] if args.split == "all" else [args.split]
    print("| split | pairs | differ: precision | differ: recall | agree: precision | agree: recall |")
    print("|---|---|---|---|---|---|")
    for split in splits:
        rows = load_pairs(split)
        d, a = scores(rows, "differ"), scores(rows, "agree")
        print(f"| {split} | {d.pairs} | {d.precision:.2f} ({d.true_positives}/{d.predicted}) | "
              f"{d.recall:.2f} ({d.true_positives}/{d.actual}) | {a.precision:.2f} ({a.true_positives}/{a.predicted}) | "
              f"{a.recall:.2f} ({a.true_positives}/{a.actual}) |")
    if args.show:
        for row in load_pairs(args.split):
            relation = compare(row["a"], row["b"])
            said = relation.label if relation else "neither"
            if said != row["label"]:
                print(f"\n{row['id']} ({row['split']}) labelled {row['label']}, said {said}"
                      f"{f' ({relation.kind})' if relation else ''}\n  a: {row['a']}\n  b: {row['b']}")


if __name__ == "__main__":
    main()
