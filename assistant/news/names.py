"""The proper names a sentence gives, read with rules (no tagger, no LLM).

A name is a run of capitalised words ("Abdulrazak Gurnah", "Stade de France", "FIFA"),
without the titles before it ("President Trump" is "Trump") and without dates, which
the date rules compare. A lone capitalised word at the start of a sentence ("Heavy
rain", "Officials said", "Argentina won") cannot be told from an ordinary word by its
case, so it is only a possible name (`initial`). A name that is the source of what is
said ("Trump said", "according to Reuters", "reports The Washington Post") is a
`speaker`: two sources telling one fact are no difference of fact.

Two spellings name the same one (`same_name`) when one's words are the other's ("Trump"
/ "Donald Trump", "Merz" / "Friedrich Merz"), as initials ("IOC"), a demonym or
possessive ("Ukraine" / "Ukrainian", "Kremlin's"), or a transliteration: the same
consonants in the same order, of about the same length ("Zelensky" / "Zelenskyy",
"Erdoğan" / "Erdogan", "Mohammed" / "Mohammad"; not "Niger" / "Nigeria").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from index.text import NEWS_TOKEN

from .dates import MONTHS, WEEKDAYS

_TOKEN = re.compile(rf"{NEWS_TOKEN.pattern}|[“”\"(]")
CLAUSE_MARK = re.compile(r"[,;:—–()\"“”]|\s-\s")  # where a clause ends
# lower-case words that belong inside a name ("Stade de France", "Mohammed bin Salman")
CONNECTORS = frozenset("of de da di del della du van von der den bin ibn al el la le y".split())
# words before a name that say what the person is, not who (stripped: "President Trump" is "Trump")
TITLES = frozenset("""president presidents vice prime minister ministers chancellor mr mrs ms miss dr prof professor
sir dame lord lady king queen prince princess crown pope cardinal archbishop bishop sheikh emir sultan senator
senators sen rep representative congressman congresswoman governor mayor general gen colonel col admiral captain
capt lieutenant sergeant judge justice chief secretary spokesman spokeswoman spokesperson ambassador envoy special
coach manager chairman chairwoman chair ceo director defence defense foreign interior finance deputy acting former
late saint st""".split())
# capitalised words that start sentences and clauses without being names
COMMON_STARTS = frozenset("""the a an this that these those there here it its he she they we you i his her their our
my in on at by for with from to of after before during since while when where as if but and or so yet however
meanwhile moreover also earlier later then now today yesterday tomorrow last next following according despite
although though under over about some many several most all both each other another no not one two three what who
which why how""".split())
REPORTING = frozenset("""said says say saying told tells tell reported reports report announced announces confirmed
confirms added stated states wrote writes according acknowledged acknowledges indicated indicates noted notes insisted
insists argued argues warned warns claimed claims admitted admits explained explains""".split())
_TIME = frozenset(MONTHS) | frozenset(WEEKDAYS)
_NUMBERED = re.compile(r"\d{1,3}|[IVX]{1,4}")  # "Falcon 9", "Apollo 11", "Artemis II", "Charles III"


@dataclass(frozen=True, kw_only=True)
class Name:
    text: str  # the name as written, titles left out
    words: tuple[str, ...]  # its words, folded (lower case, no accents, no possessive)
    start: int  # character offsets in the sentence
    end: int
    initial: bool  # a lone capitalised word opening the sentence: maybe a name, maybe not
    speaker: bool  # the source of what the sentence says


def fold(word: str) -> str:
    """Lower case, accents off, possessive and hyphens off: "Erdoğan's" -> "erdogan"."""
    word = unaccented(word.replace("’", "'")).lower()
    return re.sub(r"'s?$", "", word).replace("-", "")


def unaccented(text: str) -> str:
    """Accents off ("Erdoğan" is "Erdogan", as many outlets write it)."""
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def names(text: str) -> list[Name]:
    """The names in `text`, in order."""
    tokens = list(_TOKEN.finditer(text))
    found: list[Name] = []
    run: list[re.Match] = []
    opening = True  # the next word opens the sentence or a quotation
    for i, token in enumerate(tokens + [None]):
        word = token.group() if token else ""
        capital = bool(word) and word[0].isupper() or bool(run) and _NUMBERED.fullmatch(word) is not None
        inside = run and word.lower() in CONNECTORS and i + 1 < len(tokens) and tokens[i + 1].group()[:1].isupper()
        if token is not None and (capital or inside):
            if not run:
                run_opens = opening
            run.append(token)
        if token is None or not (capital or inside) or _possessive(word):
            if run:
                found.extend(_split(text, run, run_opens, tokens))
            run = []
        opening = word in ("“", '"', "(")
    return found


def _split(text: str, run: list[re.Match], opens: bool, tokens: list[re.Match]) -> list[Name]:
    """A run of capitalised words as names: titles, dates and sentence-opening words out."""
    parts: list[list[re.Match]] = [[]]
    for position, token in enumerate(run):
        low = fold(token.group())
        if low in TITLES or low in _TIME or (position == 0 and opens and low in COMMON_STARTS):
            parts.append([])
        else:
            parts[-1].append(token)
    result = []
    for part in parts:
        while part and part[-1].group().lower() in CONNECTORS:
            part = part[:-1]
        while part and part[0].group()[0].isdigit():
            part = part[1:]  # "in May 2024": a year after a date word is no name
        if not part:
            continue
        start, end = part[0].start(), part[-1].end()
        # "Germany's foreign minister": a possessive opening the sentence is a name's
        initial = opens and part[0] is run[0] and len(part) == 1 and not _possessive(part[0].group())
        result.append(Name(text=text[start:end], words=tuple(fold(t.group()) for t in part), start=start, end=end,
                           initial=initial, speaker=_speaks(text, start, end, tokens)))
    return result


def _possessive(word: str) -> bool:
    return word.lower().replace("’", "'").endswith("'s")


def _speaks(text: str, start: int, end: int, tokens: list[re.Match]) -> bool:
    """Whether the name is who says it: a reporting word within three words after it in its
    clause ("Brazil's government said"), or right before it ("according to Reuters",
    "reports The Washington Post")."""
    clause_after = CLAUSE_MARK.search(text, end)
    limit = clause_after.start() if clause_after else len(text)
    after = [t.group().lower() for t in tokens if end <= t.start() < limit][:4]
    if any(w in REPORTING for w in after):
        return True
    before = [t.group().lower() for t in tokens if t.end() <= start][-2:]
    return bool(before) and (before[-1] in REPORTING or before == ["according", "to"])


def same_name(a: Name, b: Name) -> bool:
    """Whether two names name the same one (see the module's docstring)."""
    short, long = sorted((a.words, b.words), key=len)
    if all(any(_same_word(w, v) for v in long) for w in short):
        return True
    return len(short) == 1 and len(long) > 1 and short[0] == "".join(v[0] for v in long if v not in CONNECTORS)


def same_word(a: str, b: str) -> bool:
    """Whether two lower-case words are one name's word in two spellings ("gaddafi" /
    "qaddafi", "ukraine" / "ukrainian")."""
    return _same_word(fold(a), fold(b))


def _same_word(a: str, b: str) -> bool:
    if a == b:
        return True
    short, long = sorted((a, b), key=len)
    if len(short) >= 4 and long.startswith(short.rstrip("aey")) and long[len(short.rstrip("aey")):].rstrip("s") in \
            ("", "n", "an", "ian", "ese", "ish", "i", "ean"):
        return True  # "ukraine" / "ukrainian", "china" / "chinese", "oscar" / "oscars"
    return _consonants(a) == _consonants(b) and len(short) >= 4 and len(short) / len(long) >= 0.75


def _consonants(word: str) -> str:
    """The first letter and the consonants after it, doubled letters once: "zlnsk" for
    Zelensky, Zelenskyy and Zelenskiy; a first g, q or c as k (Gaddafi / Qaddafi)."""
    word = re.sub(r"(.)\1+", r"\1", word)
    return _FIRST.get(word[:1], word[:1]) + re.sub(r"[aeiouyh]", "", word[1:])


_FIRST = {"q": "k", "g": "k", "c": "k"}


def unmatched(mine: Sequence[Name], theirs: Sequence[Name], other_text: str) -> list[Name]:
    """My names that the other sentence does not name (in any spelling, nor as an ordinary
    word: "Heavy rain" / "heavy rain")."""
    other_words = {fold(w) for w in NEWS_TOKEN.findall(other_text)}
    return [n for n in mine if not any(same_name(n, t) for t in theirs) and not set(n.words) <= other_words]
