"""Follow-up questions made standalone without an LLM.

"What did he say about Kursk?" searches badly on its own: "he" is in every article. Each
earlier question is resolved in turn (so a chain of follow-ups keeps its subject), and
the new question borrows from the last resolved one:

- a personal pronoun (he, his, she...) becomes the person the conversation is about;
- "And Zelensky?" / "What about Kharkiv?" re-asks the last question about the new name;
- any other reference (it, they, that, there) keeps its wording and gains the names
  and key words of the last question, for the search; so does a question of at most
  one content word ("How many?", "Why?").

The rules only touch questions that refer back; a question that stands on its own is
searched as asked.
"""

from __future__ import annotations

import re
from typing import Sequence

from index.text import QUESTION_WORD as _WORD, STOPWORDS

Turn = tuple[str, str]  # (question, answer)

PERSONAL = {"he": "{}", "him": "{}", "she": "{}", "her": "{}", "his": "{}'s", "hers": "{}'s",
            "himself": "{}", "herself": "{}"}
REFERRING = {"it", "its", "they", "them", "their", "theirs", "this", "that", "these", "those", "there", "then",
             "the former", "the latter", "he", "him", "she", "her", "his", "hers"}
QUESTION_WORDS = {"what", "who", "whom", "whose", "which", "when", "where", "why", "how", "did", "does", "do",
                  "is", "are", "was", "were", "can", "could", "will", "would", "should", "has", "have", "had",
                  "and", "but", "so", "also", "then", "tell", "give", "list", "show", "explain", "according"}
_ABOUT = re.compile(r"^\s*(?:and|but)?\s*(?:what|how)\s+about\s+(?P<x>.+?)\s*\??\s*$|^\s*and\s+(?P<y>.+?)\s*\??\s*$",
                    re.IGNORECASE)
_NAME = re.compile(r"[A-Z][\w'’.\-]*(?:\s+(?:of|de|la|von|van|al|bin|the)?\s*[A-Z][\w'’.\-]*)*")
_PRONOUN = re.compile(r"\b(" + "|".join(sorted(PERSONAL, key=len, reverse=True)) + r")\b", re.IGNORECASE)


def standalone_question(question: str, history: Sequence[Turn] | None = None) -> str:
    """`question` rewritten so that it can be searched without the conversation before it."""
    previous = ""
    for earlier, _answer in history or ():
        previous = _resolve(str(earlier or ""), previous)
    return _resolve(question, previous)


def names(text: str) -> list[str]:
    """Capitalised word runs, minus question words that merely start a sentence."""
    found = []
    for match in _NAME.finditer(text):
        words = match.group().split()
        while words and words[0].lower() in QUESTION_WORDS | STOPWORDS:
            words = words[1:]
        name = " ".join(words).rstrip(".'’")
        if name and name.lower() not in STOPWORDS and name not in found and len(name) > 1:
            found.append(name)
    return found


def _resolve(question: str, previous: str) -> str:
    question = " ".join(question.split())
    if not previous or not question:
        return question
    about = _ABOUT.match(question)
    if about:
        return _ask_about(previous, (about.group("x") or about.group("y")).strip())
    words = [w.lower() for w in _WORD.findall(question)]
    refers = any(w in REFERRING for w in words) or _count_content(words) <= 1
    if not refers:
        return question
    people = names(previous)
    personal = _PRONOUN.search(question)
    if personal and people:
        person = people[0]
        if person.lower() not in question.lower():
            form = PERSONAL[personal.group(1).lower()]
            question = question[:personal.start()] + form.format(person) + question[personal.end():]
        if not any(w.lower() in REFERRING for w in _WORD.findall(question)):
            return question  # the subject is named now: nothing else to borrow
    context = [term for term in people + _key_words(previous) if term.lower() not in question.lower()]
    if not context:
        return question
    return f"{question.rstrip()} ({', '.join(dict.fromkeys(context))})"


def _ask_about(previous: str, subject: str) -> str:
    """'What about X?': the last question again, about X in place of one of its names.

    With several names, X takes the place of one in the same role: after a preposition
    ("in Kursk") if X comes with one ("and in Sumy?"), else the actor ("Trump" in "What did
    Trump post on Truth Social?" for "And Zelensky?")."""
    earlier = previous.split(" (")[0].rstrip(" ?")
    place = re.match(rf"(?:{'|'.join(PREPOSITIONS)})\s+", subject, re.IGNORECASE)
    bare = subject[place.end():] if place else subject
    spans = [(m.start(), m.end()) for name in names(earlier) for m in [re.search(re.escape(name), earlier)] if m]
    if bare[:1].isupper() and spans:
        after_preposition = [span for span in spans if _after_preposition(earlier, span[0])]
        actors = [span for span in spans if span not in after_preposition]
        pool = (after_preposition if place else actors) or spans
        start, end = pool[0] if not place else pool[-1]
        return f"{earlier[:start]}{bare}{earlier[end:]}?"
    return f"{earlier} - {subject}?"


PREPOSITIONS = ("in", "on", "at", "from", "near", "to", "into", "about", "for", "of", "with", "against", "by")


def _after_preposition(text: str, position: int) -> bool:
    before = text[:position].split()
    return bool(before) and before[-1].lower() in PREPOSITIONS


def _count_content(words: list[str]) -> int:
    return sum(1 for w in words if w not in STOPWORDS and w not in QUESTION_WORDS)


def _key_words(text: str, limit: int = 4) -> list[str]:
    words = [w for w in _WORD.findall(text.split(" (")[0]) if w.lower() not in STOPWORDS | QUESTION_WORDS
             and not w[:1].isupper() and len(w) > 2]
    return words[:limit]
