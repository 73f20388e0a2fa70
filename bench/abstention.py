"""Does the assistant know when the articles do not say? Abstention, accuracy and the confidence's calibration.

    ASSISTANT_DATA_DIR=<squad-dev index> python bench/abstention.py run squad.json \\
        ../shared/eval/squad-dev/questions.jsonl bench/questions/squad_unanswerable*.jsonl
    ASSISTANT_DATA_DIR=<sample index> python bench/abstention.py run sample.json \\
        ../shared/eval/seed_questions.jsonl bench/questions/sample_unanswerable.jsonl
    python bench/abstention.py report squad.json sample.json      # the figures, dev and held-out
    python bench/abstention.py calibrate squad.json sample.json   # weights and threshold, from dev only
    ASSISTANT_DATA_DIR=<squad-dev index> python bench/abstention.py latency questions.jsonl

Every other question is held out: a file's `split` field where it has one, else its position
(even lines dev). `calibrate` fits a class-balanced logistic regression over the evidence
of confidence.py on the dev rows only and picks the highest threshold at which at most 4%
of the dev SQuAD questions abstain; `report` shows both splits, so the held-out figures
say whether that generalises.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from dataclasses import asdict
from pathlib import Path

import numpy as np

import assistant.pipeline.retrieve as retrieve_step
from assistant.answering import Assistant
from assistant.evaluation import load_questions
from assistant.pipeline.answer_type import AnswerType, candidates, expected_type
from assistant.pipeline.confidence import CALIBRATION, Calibration, Judgement, judge, weigh

FEATURES = ("score", "type_missing", "missing_rare", "missing_names", "unknown")
MIN_SCORES = (0.0, 0.5, 0.55, 0.6, 0.65, 0.7)
MAX_FALSE_ABSTENTIONS = 0.04


def run(out: str, *files: str) -> None:
    """Answer every question; keep what `report` and `calibrate` need."""
    assistant = Assistant()
    assistant.answer("warm up")
    rows = []
    for path in files:
        for position, q in enumerate(load_questions(path)):
            started = time.perf_counter()
            answer, _ = assistant.run(q["question"])
            ms = (time.perf_counter() - started) * 1000
            request = assistant.steps.through(assistant.request(q["question"]), "standalone_question")
            retrieved = assistant.steps.retrieve(request)
            question = request.searched or request.standalone
            wanted = expected_type(question)
            weighed = weigh(question, wanted, retrieved.scored, assistant.search.document_frequencies,
                            max(assistant.search.passage_count(), 1))
            lead = retrieved.judgement.lead
            found = candidates(lead.sentence.text, question, wanted) if lead else []
            rows.append({
                "file": Path(path).name, "id": q.get("id"), "question": q["question"],
                "split": q.get("split") or ("dev" if position % 2 == 0 else "heldout"),
                "kind": _kind(q), "answers": q.get("answers", []), "type": wanted.value,
                "abstained": answer.abstained, "text": answer.text, "confidence": answer.confidence, "ms": ms,
                "candidates": [asdict(e) for _, e in weighed],
                "phrase": found[0] if len(found) == 1 and wanted is not AnswerType.REASON else "",
            })
    Path(out).write_text(json.dumps(rows), encoding="utf-8")


def _kind(q: dict) -> str:
    if q.get("unanswerable") or not q.get("answers"):
        return q.get("kind") or "unanswerable"
    return "answerable"


def _found(golds: list[str], text: str) -> bool:
    return any(g.lower() in text.lower() for g in golds)


def figures(rows: list[dict]) -> dict:
    """The issue's figures for one split."""
    squad = [r for r in rows if r["file"] == "questions.jsonl"]
    seed = [r for r in rows if r["file"] == "seed_questions.jsonl"]
    near = [r for r in rows if r["kind"] == "near-topic"]
    off = [r for r in rows if r["kind"] == "off-topic"]
    answered = [r for r in squad if not r["abstained"]]
    seed_answerable = [r for r in seed if r["kind"] == "answerable"]
    seed_unanswerable = [r for r in seed if r["kind"] != "answerable"]

    def share(items, test):
        return round(sum(1 for r in items if test(r)) / len(items), 3) if items else None

    return {
        "near-topic abstained": share(near, lambda r: r["abstained"]), "near-topic n": len(near),
        "off-topic abstained": share(off, lambda r: r["abstained"]), "off-topic n": len(off),
        "SQuAD false abstentions": share(squad, lambda r: r["abstained"]),
        "SQuAD accuracy": share(squad, lambda r: not r["abstained"] and _found(r["answers"], r["text"])),
        "SQuAD mean words": round(statistics.fmean(len(r["text"].split()) for r in answered), 1) if answered else None,
        "seed answered": f"{sum(not r['abstained'] for r in seed_answerable)}/{len(seed_answerable)}",
        "seed unanswerable abstained": f"{sum(r['abstained'] for r in seed_unanswerable)}/{len(seed_unanswerable)}",
        "p50 ms": round(statistics.median(r["ms"] for r in rows), 1) if rows else None,
    }


def phrase_precision(rows: list[dict]) -> dict[str, tuple[int, int]]:
    """Per answer type: (short answer phrases matching a gold answer, phrases) on answered SQuAD questions."""
    counts: dict[str, list[int]] = {}
    for r in rows:
        if r["file"] == "questions.jsonl" and r["phrase"] and not r["abstained"]:
            phrase = r["phrase"].lower()
            right = any(g.lower() in phrase or (phrase in g.lower() and 2 * len(phrase) >= len(g))
                        for g in r["answers"])
            tally = counts.setdefault(r["type"], [0, 0])
            tally[0] += right
            tally[1] += 1
    return {t: (c[0], c[1]) for t, c in sorted(counts.items())}


def report(*paths: str) -> None:
    rows = [r for p in paths for r in json.loads(Path(p).read_text(encoding="utf-8"))]
    for split in ("dev", "heldout"):
        part = [r for r in rows if r["split"] == split]
        print(split, json.dumps(figures(part)))
        print(f"{split} short-phrase precision by type:", phrase_precision(part))


def _x(evidence: dict) -> np.ndarray:
    return np.array([float(evidence[f]) for f in FEATURES])


def _fit(x: np.ndarray, y: np.ndarray, steps: int = 4000, rate: float = 0.1, l2: float = 1.0):
    """Class-balanced logistic regression by gradient descent (a handful of features)."""
    w, b = np.zeros(x.shape[1]), 0.0
    balance = np.where(y == 1, 0.5 / y.mean(), 0.5 / (1 - y.mean()))
    for _ in range(steps):
        p = 1 / (1 + np.exp(-(x @ w + b)))
        g = (p - y) * balance
        w -= rate * (x.T @ g / len(y) + l2 * w / len(y))
        b -= rate * g.mean()
    return w, b


def calibrate(*paths: str) -> Calibration:
    """Weights from the dev rows only: fitted on the best-scoring sentence, then refitted on the lead
    each fit would choose (the most confident candidate), twice. Then the score floor and the
    threshold that abstain most on unanswerable dev questions with at most 4% of the dev SQuAD
    questions abstained."""
    rows = [r for p in paths for r in json.loads(Path(p).read_text(encoding="utf-8"))]
    dev = [r for r in rows if r["split"] == "dev" and r["candidates"]]
    y = np.array([r["kind"] == "answerable" for r in dev], dtype=float)
    w, b = _fit(np.array([_x(r["candidates"][0]) for r in dev]), y)
    for _ in range(2):
        leads = [max((_x(c) for c in r["candidates"]), key=lambda x: float(x @ w + b)) for r in dev]
        w, b = _fit(np.array(leads), y)
    for r in dev:
        r["fitted"] = 1 / (1 + np.exp(-max(float(_x(c) @ w + b) for c in r["candidates"])))
    floor, threshold = _operating_point([r for r in rows if r["split"] == "dev"])
    fitted = Calibration(bias=round(float(b), 3), threshold=threshold, min_score=floor,
                         **{f: round(float(v), 3) for f, v in zip(FEATURES, w)})
    print(fitted)
    print("in use:", CALIBRATION)
    return fitted


def _operating_point(dev: list[dict]) -> tuple[float, float]:
    """(score floor, threshold) abstaining most on the unanswerable dev questions (near-topic and
    off-topic weighed equally) within MAX_FALSE_ABSTENTIONS on the dev SQuAD questions."""
    def abstains(r: dict, floor: float, threshold: float) -> bool:
        return not r["candidates"] or r["fitted"] < threshold or r["candidates"][0]["score"] < floor

    squad = [r for r in dev if r["file"] == "questions.jsonl"]
    near = [r for r in dev if r["kind"] == "near-topic"]
    off = [r for r in dev if r["kind"] == "off-topic"]
    best = (-1.0, 0.0, 0.01)
    for floor in MIN_SCORES:
        for threshold in (t / 100 for t in range(1, 100)):
            if np.mean([abstains(r, floor, threshold) for r in squad]) > MAX_FALSE_ABSTENTIONS:
                break
            caught = float(np.mean([abstains(r, floor, threshold) for r in near])
                           + np.mean([abstains(r, floor, threshold) for r in off])) / 2
            if caught > best[0]:
                best = (caught, floor, threshold)
    return best[1], best[2]


def latency(path: str, limit: int = 150) -> None:
    """answer() with the judge against answer() with a stub taking the best sentence (what came
    before), in one process, alternating per question so the machine's load hits both alike."""
    def best_only(question, scored, *_):
        return Judgement(confidence=1.0, lead=scored[0] if scored else None,
                         best_score=scored[0].score if scored else 0.0)

    questions = [q["question"] for q in load_questions(path)][:2 * limit:2]
    assistant = Assistant()
    for question in ["warm up", *questions[:10]]:
        assistant.answer(question)
    times: dict[str, list[float]] = {"judged": [], "best only": []}
    for position, question in enumerate(questions):
        for name in (("judged", "best only") if position % 2 else ("best only", "judged")):
            retrieve_step.judge = judge if name == "judged" else best_only
            started = time.perf_counter()
            assistant.answer(question)
            times[name].append((time.perf_counter() - started) * 1000)
    retrieve_step.judge = judge
    p50 = {name: statistics.median(values) for name, values in times.items()}
    print(json.dumps({**{f"{n} p50 ms": round(v, 1) for n, v in p50.items()},
                      "ratio": round(p50["judged"] / p50["best only"], 3)}))


if __name__ == "__main__":
    command, *args = sys.argv[1:]
    if command == "run":
        run(*args)
    elif command == "report":
        report(*args)
    elif command == "calibrate":
        calibrate(*args)
    elif command == "latency":
        latency(args[0], *(int(a) for a in args[1:2]))
    else:
        sys.exit(f"unknown command {command!r}: run, report, calibrate or latency")
