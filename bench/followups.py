"""How much the no-LLM follow-up rewriting recovers, on follow-ups made from SQuAD questions.

Each SQuAD dev question that names its article's subject (the title, or a person's
surname) becomes a follow-up: the name is replaced by a pronoun (he / they / it) and the
conversation before it is "Tell me about <title>." Prints answer_recall@5 and answer
accuracy for the original questions, the follow-ups searched as asked, and the follow-ups
rewritten from the conversation.

    ASSISTANT_DATA_DIR=... python bench/followups.py ../shared/eval/squad-dev
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from assistant.answering import Assistant

PEOPLE = {"Martin Luther", "Nikola Tesla"}
GROUPS = {"Normans", "Huguenot"}


def follow_ups(folder: Path) -> list[dict]:
    titles = {p.name: json.loads(p.read_text())["title"] for p in (folder / "articles").glob("*.json")}
    made = []
    for line in (folder / "questions.jsonl").read_text().splitlines():
        q = json.loads(line)
        title = titles[q["evidence"][0]]
        name = re.sub(r"\s*\(.*\)", "", title)
        forms = [name] + ([name.split()[-1]] if title in PEOPLE else []) + (["Huguenots"] if title == "Huguenot" else [])
        for form in sorted(forms, key=len, reverse=True):
            match = re.search(rf"\b(the )?{re.escape(form)}\b", q["question"], re.IGNORECASE)
            if match:
                pronoun = "he" if title in PEOPLE else "they" if title in GROUPS else "it"
                possessive = q["question"][match.end():match.end() + 2] == "'s"
                end = match.end() + (2 if possessive else 0)
                word = {"he": "his", "they": "their", "it": "its"}[pronoun] if possessive else pronoun
                made.append({**q, "original": q["question"], "history": [(f"Tell me about {title}.", "")],
                             "question": q["question"][:match.start()] + word + q["question"][end:]})
                break
    return made


def main(folder: str) -> None:
    assistant = Assistant()
    questions = follow_ups(Path(folder))
    rows = {"original": [], "follow-up as asked": [], "follow-up rewritten": []}
    for q in questions:
        golds = [g.lower() for g in q["answers"]]
        for label, question, history in (("original", q["original"], None),
                                         ("follow-up as asked", q["question"], None),
                                         ("follow-up rewritten", q["question"], q["history"])):
            answer, hits = assistant.run(question, history)
            recall = any(g in h.text.lower() for g in golds for h in hits)
            correct = any(g in answer.text.lower() for g in golds)
            rows[label].append((recall, correct))
    print(f"{len(questions)} follow-ups made from {folder}/questions.jsonl")
    print("| questions | answer_recall@5 | answer_accuracy |\n|---|---|---|")
    for label, results in rows.items():
        n = len(results) or 1
        print(f"| {label} | {sum(r for r, _ in results) / n:.3f} | {sum(c for _, c in results) / n:.3f} |")


if __name__ == "__main__":
    main(sys.argv[1])
