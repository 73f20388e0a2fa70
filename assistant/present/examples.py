"""Example questions drawn from the indexed articles, for the chat page.

News is about people and places, so the questions ask about the names an article repeats:
"What did X say?" when the article quotes X, else "What do the articles say about X?".
Each candidate is asked for real and kept only if the index answers it.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator

from index.text import CAPITALISED_WORD
from index.textview import normalised

_NAME = re.compile(rf"\b({CAPITALISED_WORD}(?:[ \t]+{CAPITALISED_WORD}){{1,4}})\b")
_SPEECH = r"(?:said|says|told|announced|claimed|stated|added|denied|warned|wrote|insisted|argued)"
# capitalised only because they start a sentence or a clause, never part of a name
_NOT_NAMES = {"The", "A", "An", "In", "On", "At", "By", "For", "From", "To", "With", "But", "And", "Or", "However",
              "After", "Before", "While", "When", "This", "That", "These", "Those", "It", "He", "She", "They", "We",
              "His", "Her", "Their", "Our", "Meanwhile", "According", "Last", "Earlier", "Later", "Since", "If",
              "As", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "January",
              "February", "March", "April", "May", "June", "July", "August", "September", "October",
              "November", "December", "Mr", "Mrs", "Ms", "Dr", "Despite", "Although", "Also"}
# a title or an adjective before a name ("Russian President Vladimir Putin")
_TITLES = {"President", "Prime", "Minister", "Secretary", "Chancellor", "Senator", "Governor", "General", "King",
           "Queen", "Prince", "Princess", "Pope", "Chief", "Spokesperson", "Spokesman", "Spokeswoman", "Envoy",
           "Special", "Foreign", "Defence", "Defense", "Vice", "Former", "Deputy", "Sir", "Lord", "Judge"}

ARTICLES_SCANNED = 8
CANDIDATES_PER_ARTICLE = 3


def names(text: str) -> list[str]:
    """Multi-word capitalised names, most mentioned first (a lone surname counts for its name)."""
    lower_words = set(re.findall(r"\b[a-z]+\b", text))
    counts: Counter[str] = Counter()
    for match in _NAME.finditer(text):
        words = match.group(1).split()
        while words and (words[0] in _NOT_NAMES or len(words) > 2 and _qualifier(words[0], lower_words)):
            words = words[1:]
        while words and words[-1] in _NOT_NAMES:
            words = words[:-1]
        if len(words) >= 2 and not _qualifier(words[0], lower_words):
            counts[" ".join(words)] += 1
    for name in list(counts):
        counts[name] += len(re.findall(rf"(?<!{re.escape(name.split()[0])} )\b{re.escape(name.split()[-1])}\b",
                                       text)) - counts[name]
    return [name for name, _ in counts.most_common()]


def _qualifier(word: str, lower_words: set[str]) -> bool:
    """A title, a nationality or a common word written with a capital ("Despite", "Russian")."""
    return word in _TITLES or word.lower() in lower_words or word.endswith(("ian", "ish", "ese"))


def questions_about(text: str) -> Iterator[tuple[str, str]]:
    """(name, question) for the names an article mentions most."""
    for name in names(text)[:CANDIDATES_PER_ARTICLE]:
        surname = re.escape(name.split()[-1])
        quoted = re.search(rf"\b{surname}\b(?:\W+\w+){{0,3}}?\W+{_SPEECH}\b"
                           rf"|\b{_SPEECH}\W+(?:\w+\W+){{0,3}}?{surname}\b",
                           text)
        yield name, f"What did {name} say?" if quoted else f"What do the articles say about {name}?"


def example_questions(assistant, limit: int = 4) -> list[str]:
    """Up to `limit` questions the index answers, spread over the newest articles."""
    corpus = assistant.search
    corpus.follow_builds()
    by_id = sorted(corpus.catalog.values(), key=lambda m: m.article_id)
    newest = sorted(by_id, key=lambda m: m.published or "", reverse=True)[:ARTICLES_SCANNED]
    texts = corpus.article_texts([m.article_id for m in newest])
    # names are read in the normalised view: a soft hyphen inside "Witkoff" makes no example of "Wit"
    per_article = [list(questions_about(normalised(texts.get(m.article_id, "")))) for m in newest]
    chosen: list[str] = []
    asked_about: set[str] = set()
    for round_ in range(CANDIDATES_PER_ARTICLE):  # one per article first, so several articles show
        for candidates in per_article:
            if len(chosen) >= limit:
                return chosen
            if round_ >= len(candidates) or candidates[round_][0] in asked_about:
                continue
            name, question = candidates[round_]
            asked_about.add(name)
            if not assistant.answer(question, mode="extractive").abstained:
                chosen.append(question)
    return chosen
