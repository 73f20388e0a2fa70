"""Step 5, enrich: what a reader of news needs besides the cited sentences. Where the cited
articles agree and differ, and where another version of a cited story tells it differently."""

from __future__ import annotations

from dataclasses import replace

from index.settings import AnswerMode
from index.textview import normalised

from ..answers import Answer, Citation, Revision
from ..news import agreement, versions
from .corpus import Corpus


def compare_sources(corpus: Corpus, answer: Answer) -> Answer:
    """Where the cited sentences of different articles (copies of one story count as one)
    agree and differ, as typed fields and one plain sentence after the answer."""
    cited = []
    for c in answer.citations:
        meta = corpus.catalog.get(c.article_id)
        story = (meta.group if meta and meta.group else c.article_id)
        for start, end in c.highlights:
            cited.append(agreement.CitedSentence(c.number, story, _sentence(c, start, end)))
    disagreements, agreements = agreement.check(cited)
    said = agreement.summary(disagreements, agreements)
    if not said:
        return answer
    text = answer.text
    if answer.mode == AnswerMode.TIMELINE:
        text += "\n" + said
    elif "sources differ" not in text.lower():  # an LLM may have said so itself
        text += " " + said
    return replace(answer, text=text, disagreements=disagreements, agreements=agreements)


def compare_versions(corpus: Corpus, answer: Answer) -> Answer:
    """Where another version of a cited story (a correction, an update, a copy edited in
    another outlet) tells a cited sentence with another figure, date, negation or
    opposite: typed fields and one plain sentence each after the answer."""
    found: list[Revision] = []
    for c in answer.citations:
        copies = corpus.copies_of(c.article_id)
        mine = corpus.catalog.get(c.article_id)  # None if a build removed it meanwhile
        if not copies or mine is None:
            continue
        texts = {m.article_id: corpus.article_sentences(m.article_id) for m in copies}
        for start, end in c.highlights:
            sentence = _sentence(c, start, end)
            for other in copies:
                twin = versions.counterpart(sentence, texts[other.article_id])
                changed = versions.change(sentence, twin) if twin else None
                if changed is None:
                    continue
                kind, says, other_says = changed
                found.append(Revision(number=c.number, kind=kind, says=says, other_says=other_says,
                                      other=other.source or f"“{other.title or other.article_id}”",
                                      other_published=other.published,
                                      newer=(other.published_ts or 0) > (mine.published_ts or 0),
                                      same_outlet=other.source == mine.source))
    if not found:
        return answer
    said = " ".join(r.sentence() for r in found)
    text = answer.text + ("\n" if answer.mode == AnswerMode.TIMELINE else " ") + said
    return replace(answer, text=text, revisions=tuple(found))


def _sentence(c: Citation, start: int, end: int) -> str:
    """A cited sentence as the rules read and quote it: the normalised view of the text at its
    offsets (a soft hyphen or zero-width space inside "million" would hide the figure)."""
    return normalised(c.passage[start - c.start:end - c.start])


def enrich(corpus: Corpus, answer: Answer) -> Answer:
    return compare_versions(corpus, compare_sources(corpus, answer))
