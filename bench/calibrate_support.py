"""Calibrate the citation check's SUPPORTED threshold (assistant/citecheck.py).

A claim is a SQuAD question followed by its gold answer ("Which team won Super Bowl 50?
Denver Broncos"). For each, among the passages retrieved for the question:
- supported: a passage holding a sentence that contains the gold answer;
- unsupported: a retrieved passage without the gold answer anywhere (a hard negative:
  same topic, often the same article).
Prints the support-score distribution, AUROC and, per threshold, the share of supported
claims kept and of unsupported ones wrongly accepted.

    ASSISTANT_DATA_DIR=... python bench/calibrate_support.py ../shared/eval/squad-dev/questions.jsonl
"""

from __future__ import annotations

import json
import sys

import numpy as np

from assistant.answering import Assistant
from assistant.pipeline.citecheck import support_scores


def main(path: str, limit: int = 300) -> None:
    assistant = Assistant()
    steps = assistant.steps
    positives, negatives = [], []
    questions = [json.loads(line) for line in open(path, encoding="utf-8")][:limit]
    for q in questions:
        if not q.get("answers"):
            continue
        claim = f"{q['question']} {q['answers'][0]}"
        retrieved = steps.retrieve(steps.standalone(assistant.request(q["question"])))
        vector = assistant.search.embedder.embed([claim])[0]
        golds = [g.lower() for g in q["answers"]]
        for hit in retrieved.hits:
            sentences = retrieved.sentences.get(hit.chunk_id, [])
            if not sentences:
                continue
            support = max(support_scores(vector, claim, sentences))
            has_gold = [any(g in s.text.lower() for g in golds) for s in sentences]
            if any(has_gold):
                positives.append(support)
            elif not any(g in hit.text.lower() for g in golds):
                negatives.append(support)
    pos, neg = np.array(positives), np.array(negatives)
    auroc = float((pos[:, None] > neg[None, :]).mean() + 0.5 * (pos[:, None] == neg[None, :]).mean())
    print(f"claims: {len(questions)}; supported passages {len(pos)}, unsupported {len(neg)}; AUROC {auroc:.3f}")
    print("threshold  supported-kept  unsupported-accepted")
    for threshold in np.arange(0.40, 1.01, 0.05):
        print(f"{threshold:9.2f}  {np.mean(pos >= threshold):14.3f}  {np.mean(neg >= threshold):20.3f}")


if __name__ == "__main__":
    main(*sys.argv[1:2], *(int(x) for x in sys.argv[2:3]))
