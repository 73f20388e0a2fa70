"""Versions of one story that changed: a correction, an update, a copy edited elsewhere.

Copies of a story are cited once (retrieval.collapse_copies), so a corrected figure or
time would go unseen. For each cited sentence, its counterpart in every other article of
the near-duplicate group is the sentence that shares most of its words. Two versions of
one sentence are nearly the same words, so any changed number, date or time word,
negation or opposite is a change of fact, while edits of style ("horrible, bloody" /
"horrible and bloody", "President" / "US President") are not reported.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Sequence

from index.text import content_terms, repeats

from ..answers import Revision
from . import agreement
from .dates import MONTHS, WEEKDAYS
from .figures import token_value

SAME_SENTENCE = 0.6  # share of content words (Jaccard) for two sentences to be versions of one
CONTEXT_WORDS = 2  # words quoted on each side of a change
QUOTE_WORDS = 14

_TIME_WORDS = frozenset("""morning afternoon evening night overnight tonight noon midnight dawn dusk late early
am pm a.m p.m yesterday today tomorrow earlier later hours hour minutes week month year""".split())
_OPPOSITE_WORDS = frozenset(w for pair in agreement.OPPOSITES for w in pair if " " not in w)


def counterpart(sentence: str, others: Sequence[str]) -> str | None:
    """The version of `sentence` among `others` (most shared content words, at least
    SAME_SENTENCE); None when it has none or when one of them is the very same sentence."""
    mine = set(content_terms(sentence))
    best, best_share = None, 0.0
    for other in others:
        if other.strip() == sentence.strip():
            return None  # told the same way: nothing changed
        theirs = set(content_terms(other))
        if not mine or not theirs:
            continue
        share = len(mine & theirs) / len(mine | theirs)
        if share > best_share:
            best, best_share = other, share
    return best if best_share >= SAME_SENTENCE else None


def same_version(a: str, b: str) -> bool:
    """Whether two sentences tell one fact in nearly the same words (a copy's sentence).
    Nearly the same words with another name, figure or date in one slot ("awarded to A" /
    "awarded to B") are two versions of the fact, to be shown both and said to differ."""
    return repeats(a, b) and change(a, b) is None


def change(cited: str, other: str) -> tuple[str, str, str] | None:
    """How two versions of one sentence differ in fact: (kind, cited quote, other quote), or
    None when they differ only in wording."""
    tokens_a, tokens_b = cited.split(), other.split()
    keys_a, keys_b = [_key(t) for t in tokens_a], [_key(t) for t in tokens_b]
    ops = [op for op in difflib.SequenceMatcher(a=keys_a, b=keys_b, autojunk=False).get_opcodes() if op[0] != "equal"]
    if not ops:
        return None
    removed = [k for _, i1, i2, _, _ in ops for k in keys_a[i1:i2] if k]
    added = [k for _, _, _, j1, j2 in ops for k in keys_b[j1:j2] if k]
    kind = _kind(removed, added)
    if kind is None:
        relation = agreement.compare(cited, other)
        if relation is None or relation.label != "differ":
            return None
        return relation.kind, relation.first, relation.second
    first_a, last_a = min(op[1] for op in ops), max(op[2] for op in ops)
    first_b, last_b = min(op[3] for op in ops), max(op[4] for op in ops)
    return kind, _quote(tokens_a, first_a, last_a), _quote(tokens_b, first_b, last_b)


def _key(token: str) -> str:
    return re.sub(r"[^\w.%$€£]", "", token.lower().replace("’", "'")).strip(".")


def _kind(removed: Sequence[str], added: Sequence[str]) -> str | None:
    """The kind of fact the changed words touch; None for wording alone."""
    changed = list(removed) + list(added)
    if any(w in agreement.NEGATIONS or w.endswith("n't") for w in changed):
        return "negation"
    if any(w in _OPPOSITE_WORDS for w in changed):
        return "opposites"
    if sorted(filter(None, map(token_value, removed))) != sorted(filter(None, map(token_value, added))):
        return "figures"  # "twelve" for "12" is the same figure
    if any(w in MONTHS or w in WEEKDAYS or w in _TIME_WORDS for w in changed):
        return "dates"
    return None


def _quote(tokens: Sequence[str], first: int, last: int) -> str:
    start, end = max(0, first - CONTEXT_WORDS), min(len(tokens), max(last, first + 1) + CONTEXT_WORDS)
    words = list(tokens[start:end])
    if len(words) > QUOTE_WORDS:
        words = words[:QUOTE_WORDS] + ["…"]
    return " ".join(words).strip(" ,;:.")
