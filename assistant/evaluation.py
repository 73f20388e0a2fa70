"""`assistant eval`: run `answer()` over a question file and report retrieval and answer quality.

Question files are JSON Lines: {"id", "question", "answers": [gold strings],
"evidence": [article ids], "unanswerable": bool}.
"""

from __future__ import annotations

import json
import statistics
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable

from index.textview import normalised

from .answers import Answer


@dataclass(frozen=True)
class EvalReport:
    questions: int
    answerable: int
    unanswerable: int
    k: int
    answer_recall: float  # gold string in any retrieved passage (answerable questions)
    article_recall: float  # an evidence article among the retrieved passages
    answer_accuracy: float  # gold string in the answer text
    mean_answer_words: float
    abstention_accuracy: float | None  # unanswerable questions abstained on
    false_abstentions: float  # answerable questions abstained on
    latency_p50_ms: float
    latency_p95_ms: float

    def as_dict(self) -> dict:
        return asdict(self)


def load_questions(path: str | Path) -> list[dict]:
    questions = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                questions.append(json.loads(line))
            except json.JSONDecodeError as error:
                raise ValueError(f"{path}:{number}: invalid JSON ({error.msg})") from None
    return questions


def _found(golds: list[str], text: str) -> bool:
    text = normalised(text).lower()  # a passage as read may hold soft hyphens inside the gold words
    return any(g.lower() in text for g in golds)


def evaluate(questions: list[dict], ask: Callable[[str], tuple[Answer, list]], k: int) -> tuple[EvalReport, list[dict]]:
    """`ask(question)` returns the Answer and the retrieved passages (objects with .text, .article_id)."""
    rows, latencies = [], []
    for q in questions:
        started = time.perf_counter()
        result, passages = ask(q["question"])
        latencies.append((time.perf_counter() - started) * 1000)
        unanswerable = bool(q.get("unanswerable")) or not q.get("answers")
        rows.append({
            "id": q.get("id"), "question": q["question"], "unanswerable": unanswerable,
            "abstained": result.abstained, "answer": result.text,
            "answer_correct": (not unanswerable) and not result.abstained and _found(q["answers"], result.text),
            "recall": (not unanswerable) and any(_found(q["answers"], p.text) for p in passages),
            "article_recall": (not unanswerable) and any(p.article_id in set(q.get("evidence", [])) for p in passages),
            "words": len(result.text.split()) if not result.abstained else 0,
        })
    answerable = [r for r in rows if not r["unanswerable"]]
    unanswerable = [r for r in rows if r["unanswerable"]]

    def share(items, key):
        return round(sum(1 for r in items if r[key]) / len(items), 4) if items else 0.0

    answered = [r for r in answerable if not r["abstained"]]
    report = EvalReport(
        questions=len(rows), answerable=len(answerable), unanswerable=len(unanswerable), k=k,
        answer_recall=share(answerable, "recall"), article_recall=share(answerable, "article_recall"),
        answer_accuracy=share(answerable, "answer_correct"),
        mean_answer_words=round(statistics.fmean(r["words"] for r in answered), 1) if answered else 0.0,
        abstention_accuracy=share(unanswerable, "abstained") if unanswerable else None,
        false_abstentions=share(answerable, "abstained"),
        latency_p50_ms=round(_percentile(latencies, 50), 1), latency_p95_ms=round(_percentile(latencies, 95), 1),
    )
    return report, rows


def _percentile(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]
