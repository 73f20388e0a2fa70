"""The figures a sentence gives: value, unit, the words around it and what it counts.

Digits ("12", "1,200", "$85", "2.4%", "3-1") and number words ("three", "twenty-five",
"a dozen", "half a percentage point", "two million") are read alike, so "three people"
and "5 people" compare as 3 and 5. Years are left to the date rules.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from index.text import NEWS_TOKEN as _TOKEN, STOPWORDS, stem

from .words import fate_of, same_thing

# longest first: "percent" would take the start of "percentage points"
_UNITS = r"(?P<unit>%|percentage points?|percent|per cent|billion|million|thousand|bn|m\b)"
_DIGITS = re.compile(r"(?P<cur>[$€£])?\s?(?P<num>\d+(?:[.,]\d+)*)(?P<score>-\d+\b)?\s*" + _UNITS + "?", re.I)
SMALL = {w: n for n, w in enumerate("""zero one two three four five six seven eight nine ten eleven twelve thirteen
fourteen fifteen sixteen seventeen eighteen nineteen""".split())}
TENS = {w: 10 * n for n, w in enumerate("twenty thirty forty fifty sixty seventy eighty ninety".split(), 2)}
FRACTIONS = {"half": 0.5, "quarter": 0.25}
SCALES = {"hundred": 100, "thousand": 1e3, "million": 1e6, "billion": 1e9}
# "one" and "a" are left out: "one of the", "no one", "a man" are not counts
NUMBER_WORDS = frozenset(set(SMALL) - {"zero", "one"} | set(TENS) | set(FRACTIONS) | {"dozen", "both"})
_WORDS = re.compile(
    r"\b(?:(?:a|an)\s+)?(?P<word>(?:" + "|".join(TENS) + r")(?:-(?:" + "|".join(list(SMALL)[1:10]) + r"))?|"
    + "|".join(sorted(set(SMALL) - {"zero", "one"}, key=len, reverse=True)) + r"|dozen|half|quarter|both)\b"
    r"(?:\s+(?P<scale>hundred|thousand|million|billion)\b)?"
    r"(?P<tail>\s+(?:of\s+)?(?:an?\s+)?(?:percentage\s+points?|percent|per\s+cent)\b)?", re.I)
_CLAUSE = re.compile(r"[,;:—–()\"“”]|\s-\s|\band\b|\bbut\b|\bwhile\b")
WINDOW = 2  # words each side that say what a figure is a figure of


@dataclass(frozen=True)
class Figure:
    value: float
    unit: str  # "", "%", "pp" (percentage points), a currency sign, "age", "fraction", "score-N"
    context: frozenset[str]  # word classes within WINDOW words (not time words: "last year" is no topic)
    noun: frozenset[str]  # what a count counts: the content words right after it ("Ukrainian soldiers"), as
    # word classes; empty for other units and when a function word follows ("64 percent, the ...")
    fate: str  # what happened to what it counts ("dead", "injured", "held", ...; news_words.FATES) or ""
    text: str  # the figure as written
    phrase: str  # the figure with the words up to its fate word ("seven soldiers were killed")


def figures(text: str) -> list[Figure]:
    """Every figure in `text`, in text order (digits and number words)."""
    found = []
    for match in _DIGITS.finditer(text):
        raw = match.group("num")
        unit_word = " ".join((match.group("unit") or "").lower().split())
        if re.fullmatch(r"(19|20)\d{2}", raw) and not unit_word:
            continue  # a year: compared as a date
        if match.group("score"):
            value, unit = float(raw), "score" + match.group("score")
        else:
            try:
                value = float(raw.replace(",", "")) if raw.count(",") else float(raw)
            except ValueError:
                continue
            unit = _unit(unit_word) or (match.group("cur") or "")
            value *= {"billion": 1e9, "bn": 1e9, "million": 1e6, "m": 1e6, "thousand": 1e3}.get(unit_word, 1)
        found.append((match.start(), _figure(text, match.start(), match.end(), value, unit)))
    for match in _WORDS.finditer(text):
        word = match.group("word").lower()
        value = _word_value(word) * SCALES.get((match.group("scale") or "").lower(), 1)
        tail = " ".join((match.group("tail") or "").lower().split())
        unit = _unit(tail) if tail else ("fraction" if word in FRACTIONS else "")
        found.append((match.start("word"), _figure(text, match.start("word"), match.end(), value, unit)))
    return [figure for _, figure in sorted(found, key=lambda item: item[0])]


def is_number_word(word: str) -> bool:
    """"three", "twenty-five", "dozen", "million": words that are numbers, not topics."""
    word = word.lower()
    if word in NUMBER_WORDS or word in SCALES or word == "one":
        return True
    tens, _, ones = word.partition("-")
    return tens in TENS and ones in SMALL


def token_value(token: str) -> str | None:
    """One word as a comparable value: "twelve" and "12" -> "12.0", "1,200" -> "1200.0"; a
    scale word ("million") stands for itself; None for any other word."""
    token = token.lower()
    if token in SCALES:
        return token
    if is_number_word(token) and token != "one":
        return str(_word_value(token))
    try:
        return str(float(token.replace(",", "").lstrip("$€£").rstrip("%")))
    except ValueError:
        return None


def _unit(words: str) -> str:
    words = re.sub(r"^(?:(?:an?|of)\s+)+", "", words.strip())
    if words in ("%", "percent", "per cent"):
        return "%"
    if words.startswith("percentage point"):
        return "pp"
    return ""


def _word_value(word: str) -> float:
    if word in FRACTIONS:
        return FRACTIONS[word]
    if word == "dozen":
        return 12.0
    if word == "both":
        return 2.0
    tens, _, ones = word.partition("-")
    return float(TENS.get(tens, SMALL.get(tens, 0)) + SMALL.get(ones, 0))


def _figure(text: str, start: int, end: int, value: float, unit: str) -> Figure:
    before = _TOKEN.findall(text[:start])[-WINDOW:]
    after = _TOKEN.findall(text[end:])[:WINDOW]
    if after and after[0].lower().startswith("year-old"):
        unit = "age"
    context = frozenset(_class(w) for w in before + after if _topical(w))
    counted: list[str] = []
    for word in after[:2] if not unit else []:
        if not _topical(word):
            break
        counted.append(_class(word))
    fate, phrase = _fate(text, start, end)
    return Figure(value, unit, context, frozenset(counted), fate, text[start:end].strip(), phrase)


_TIME_WORDS = frozenset("""last this next year years month months week weeks day days today yesterday morning
evening night monday tuesday wednesday thursday friday saturday sunday january february march april may june july
august september october november december percent cent percentage point points""".split())


def _topical(word: str) -> bool:
    word = word.lower()
    return (word not in STOPWORDS and word not in _TIME_WORDS and not is_number_word(word)
            and not word[0].isdigit() and not word.startswith("-"))


def _class(word: str) -> str:
    word = word.lower().replace("’", "'")
    return same_thing(stem(word[:-2] if word.endswith("'s") else word))


def _fate(text: str, start: int, end: int) -> tuple[str, str]:
    """The fate word nearest the figure within its clause (after it on a tie), and the
    words from the figure to it."""
    clause_start = max((m.end() for m in _CLAUSE.finditer(text, 0, start)), default=0)
    following = _CLAUSE.search(text, end)
    clause_end = following.start() if following else len(text)
    best: tuple[int, int, int, int] | None = None  # (distance, after it? 0 : 1, start, end)
    best_fate = ""
    for token in _TOKEN.finditer(text, clause_start, clause_end):
        if start <= token.start() < end:
            continue
        fate = fate_of(stem(token.group().lower()))
        if not fate:
            continue
        distance = len(_TOKEN.findall(text[min(end, token.start()):max(start, token.end())]))
        key = (distance, 0 if token.start() >= end else 1)
        if best is None or key < best[:2]:
            best = (*key, token.start(), token.end())
            best_fate = fate
    if best is None:
        following_words = list(_TOKEN.finditer(text, end, clause_end))[:2]
        return "", text[start:following_words[-1].end() if following_words else end].strip()
    left, right = min(start, best[2]), max(end, best[3])
    return best_fate, text[left:right].strip()
