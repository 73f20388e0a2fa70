"""`answer()`: retrieve -> choose sentences -> cite. Deterministic, no LLM, no network."""

from __future__ import annotations

import threading
import unicodedata
from typing import Sequence

from index import Settings

from .answers import ABSTAIN_TEXT, Answer, Citation
from .extractive import Scored, choose, score_sentences
from .retrieval import Filters, Hit, HybridSearch

# Below this best-sentence score the articles are taken not to answer. Calibrated with
# the best-sentence scores of the SQuAD dev half (500 answerable) and 44 written unanswerable
# questions (bench/questions/squad_unanswerable.jsonl): at 0.70, 3% false abstentions, 10% of
# off-topic and 79% of near-topic unanswerable questions answered (AUROC 0.98 and 0.87).
ABSTAIN_BELOW = 0.70
MAX_QUESTION_CHARS = 2000


class Assistant:
    def __init__(self, settings: Settings | None = None):
        self.settings = settings or Settings.load()
        self.search = HybridSearch(self.settings)

    def answer(self, question: str, history: Sequence[tuple[str, str]] | None = None, *, k: int = 5,
               mode: str = "extractive", sources: Sequence[str] = (), since: int | None = None,
               until: int | None = None) -> Answer:
        return self.run(question, history, k=k, mode=mode, sources=sources, since=since, until=until)[0]

    def run(self, question: str, history: Sequence[tuple[str, str]] | None = None, *, k: int = 5,
            mode: str = "extractive", sources: Sequence[str] = (), since: int | None = None,
            until: int | None = None) -> tuple[Answer, list[Hit]]:
        """The answer and the passages it was chosen from (evaluation reads both)."""
        question = _clean_question(question)
        if not question:
            return Answer("Please ask a question about the articles.", (), True, "", mode), []
        if not self.search.committed:
            return Answer("The index is empty: add articles and run `assistant index`.", (), True, question, mode), []
        filters = Filters(tuple(sources), since, until)
        vector = self.search.embedder.embed_query(question)
        hits = self.search.search(question, k=k, filters=filters, vector=vector)
        sentences = self.search.sentences(hits)
        scored = score_sentences(question, vector, hits, sentences, self.search.lexical.document_frequencies,
                                 max(self.search.lexical.count(), 1))
        if not scored or scored[0].score < ABSTAIN_BELOW:
            return _abstain(question, scored, mode), hits
        return _compose(question, choose(scored), mode), hits


def _clean_question(question: str) -> str:
    """Printable text on one line, cut to a length worth searching (a 100 kB paste is not a question)."""
    printable = "".join(ch if unicodedata.category(ch)[0] != "C" else " " for ch in str(question or ""))
    return " ".join(printable.split())[:MAX_QUESTION_CHARS]


def _compose(question: str, chosen: list[Scored], mode: str, abstained: bool = False) -> Answer:
    numbers: dict[str, int] = {}
    grouped: dict[str, list[Scored]] = {}
    parts = []
    for item in chosen:
        number = numbers.setdefault(item.hit.chunk_id, len(numbers) + 1)
        grouped.setdefault(item.hit.chunk_id, []).append(item)
        parts.append(f"{item.sentence.text} [{number}]")
    citations = tuple(_citation(numbers[chunk_id], items) for chunk_id, items in grouped.items())
    return Answer(" ".join(parts), citations, abstained, question, mode)


def _citation(number: int, items: list[Scored]) -> Citation:
    hit = items[0].hit
    highlights = tuple(sorted((s.sentence.start, s.sentence.end) for s in items))
    return Citation(number, hit.article_id, hit.title, hit.source, hit.url, hit.published, hit.text, hit.start,
                    hit.end, highlights, round(max(s.score for s in items), 4))


def _abstain(question: str, scored: list[Scored], mode: str) -> Answer:
    related: list[Scored] = []
    for item in scored:
        if all(item.hit.chunk_id != r.hit.chunk_id for r in related):
            related.append(item)
        if len(related) == 2:
            break
    if not related:
        return Answer(ABSTAIN_TEXT, (), True, question, mode)
    citations = tuple(_citation(n, [item]) for n, item in enumerate(related, 1))
    markers = ", ".join(f"[{c.number}]" for c in citations)
    return Answer(f"{ABSTAIN_TEXT} Possibly related: {markers}", citations, True, question, mode)


_assistants: dict[Settings, Assistant] = {}
_lock = threading.Lock()


def get_assistant(settings: Settings | None = None) -> Assistant:
    settings = settings or Settings.load()
    with _lock:
        if settings not in _assistants:
            _assistants[settings] = Assistant(settings)
        return _assistants[settings]


def answer(question: str, history: Sequence[tuple[str, str]] | None = None, **options) -> Answer:
    """A short answer to `question` whose every sentence cites the article spans it comes from."""
    settings = options.pop("settings", None)
    return get_assistant(settings).answer(question, history, **options)
