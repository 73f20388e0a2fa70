r"""Words: how every part of the project cuts text into tokens, drops stop words and stems.

One place, so the lexical index, the answer scorer and the news rules agree on what a word
is. The variants are deliberate and sit side by side:

- `WORD` (`\w+`): what the lexical index and the shingles of copy detection see. FTS5's
  tokenizer splits on the same boundaries, so a stem here is a stem there.
- `NEWS_TOKEN` (`[\w’'-]+`): the news rules (figures, agreement) keep "Kyiv's" and
  "ceasefire-talks" whole, because a name with its possessive is one slot of a sentence.
- `QUESTION_WORD` (`[\w'’]+`): follow-up rules read "Putin's" as one word of the question,
  whose hyphens join nothing worth keeping.
- `CAPITALISED_WORD`: the page's example questions look for names, not words.

Stems are Porter's (snowball), as the lexical index's tokenizer stores them, so an overlap
computed here matches what FTS5 ranked.
"""

from __future__ import annotations

import re
from functools import lru_cache

WORD = re.compile(r"\w+", re.UNICODE)
NEWS_TOKEN = re.compile(r"[\w’'-]+", re.UNICODE)
QUESTION_WORD = re.compile(r"[\w'’]+")
CAPITALISED_WORD = r"[A-Z][a-z]+(?:[-'][A-Z]?[a-z]+)?"

# Function words and the verbs of saying: they match every sentence, so they say nothing
# about which one answers. "many"/"much" are here because "how many" is the question's
# form, not its topic.
STOPWORDS = frozenset("""
a about above after again against all am an and any are as at be because been before being below between both but
by can could did do does doing down during each few for from further had has have having he her here hers herself
him himself his how i if in into is it its itself just me more most my myself no nor not now of off on once only
or other our ours out over own same she should so some such than that the their theirs them themselves then there
these they this those through to too under until up very was we were what when where which while who whom why will
with would you your yours s t say said tell told many much also
""".split())


@lru_cache(maxsize=1)
def _stemmer():
    import snowballstemmer

    return snowballstemmer.stemmer("porter")


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """A lower-cased word as the index's Porter tokenizer stores it."""
    return _stemmer().stemWord(word)


def words(text: str) -> list[str]:
    """The lower-cased `WORD`s of a text."""
    return WORD.findall(text.lower())


def news_tokens(text: str) -> list[str]:
    """The lower-cased `NEWS_TOKEN`s of a text, with the typographic apostrophe made plain."""
    return [w.lower().replace("’", "'") for w in NEWS_TOKEN.findall(text)]


def content_terms(text: str) -> list[str]:
    """Lower-cased, Porter-stemmed words without stop words (the lexical index's own stems)."""
    return [stem(w) for w in words(text) if w not in STOPWORDS]


def repeats(a: str, b: str, share: float = 0.8) -> bool:
    """Whether two sentences say the same in (nearly) the same words: a copy's sentence."""
    if a == b:
        return True
    ta, tb = set(content_terms(a)), set(content_terms(b))
    return bool(ta and tb) and len(ta & tb) / len(ta | tb) >= share
