"""Do the cited sentences agree? Checked with rules that need no LLM.

Two sentences about the same thing (they share content words) differ when:

- **denial**: one denies, rejects or dismisses what the other asserts ("X claimed the
  troops were surrounded" / "Y dismissed suggestions the troops are surrounded"): the
  words after the denial verb are found outside any denial in the other sentence;
- **negation**: they say nearly the same words and one is negated ("resigned" / "has
  not resigned");
- **opposites**: nearly the same words with a known pair of opposites (rose / fell,
  for / against, open / closed);
- **figures**: the same kind of number (percent, money, count) next to the same word
  has different values (12 people / 15 people);
- **dates**: nearly the same words and dates that do not overlap (on Tuesday / on
  Wednesday, 2021 / 2023).

Sentences that share most of their content words and differ in none of these ways
agree. Measured on bench/agreement_pairs.jsonl (bench/agreement.py): see the README.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

from .dates import find_dates
from .extractive import STOPWORDS, stem

_WORD = re.compile(r"[\w’'-]+", re.UNICODE)
NEGATIONS = frozenset({"not", "no", "never", "none", "neither", "nor", "n't", "cannot", "nobody", "nothing",
                       "longer"})
DENIALS = frozenset(stem(w) for w in """deny denied denies denying dismiss dismissed dismisses rejected reject
rejects refute refuted refutes dispute disputed disputes contradict contradicted contradicts rebuff rebuffed
baseless""".split())
OPPOSITES = [("rose", "fell"), ("rise", "fall"), ("rises", "falls"), ("risen", "fallen"), ("increase", "decrease"),
             ("increased", "decreased"), ("up", "down"), ("for", "against"), ("won", "lost"), ("win", "lose"),
             ("higher", "lower"), ("more", "fewer"), ("more", "less"), ("open", "closed"), ("opened", "closed"),
             ("stable", "critical"), ("accepted", "rejected"), ("with", "without"), ("present", "absent"),
             ("alive", "dead"), ("guilty", "innocent"), ("confirmed", "denied"), ("under control", "spreading"),
             ("gained", "lost"), ("support", "oppose"), ("supports", "opposes"), ("approved", "rejected")]
# words that say who said what, not what was said: they do not make two sentences about the same thing
REPORTING = frozenset(stem(w) for w in """said says say told stated state claimed claim claims according
reported report reports announced confirmed added acknowledged suggested suggestions suggest officials official
spokesperson spokesman spokeswoman sources source""".split())
_NUMBER = re.compile(r"(?P<cur>[$€£])?\s?(?P<num>\d+(?:[.,]\d+)*)(?P<score>-\d+\b)?\s*(?P<unit>%|percent|per cent|"
                     r"billion|million|thousand|bn|m\b)?", re.I)
_CLAUSE = re.compile(r"[,;:—–()\"“”]|\s-\s")
_WEEKDAY = re.compile(r"\b(monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b", re.I)

SAME_TOPIC = 0.3  # share of the shorter sentence's content words the two must have in common
NEAR_SAME = 0.5  # ... for negation, opposites and dates, where the rest of the sentence must match
AGREE = 0.5


@dataclass(frozen=True)
class Relation:
    label: str  # "differ" or "agree"
    kind: str  # differ: "denial", "negation", "opposites", "figures", "dates"; agree: "same claim"
    first: str  # what the first sentence says on the point (a short quote)
    second: str


@dataclass(frozen=True)
class Disagreement:
    first: int  # citation numbers
    second: int
    kind: str
    first_says: str
    second_says: str

    def sentence(self) -> str:
        return f"[{self.first}] says “{self.first_says}”; [{self.second}] says “{self.second_says}”"


@dataclass(frozen=True)
class Agreement:
    numbers: tuple[int, ...]  # citations from different articles that say the same


@dataclass(frozen=True)
class CitedSentence:
    number: int  # the citation it belongs to
    article: str  # article (or near-duplicate group) it comes from: sentences of one are not compared
    text: str


def _words(text: str) -> list[str]:
    return [w.lower().replace("’", "'") for w in _WORD.findall(text)]


def _terms(words: Sequence[str]) -> set[str]:
    return {stem(w) for w in words if w not in STOPWORDS and w not in NEGATIONS and not w[0].isdigit()
            and len(w) > 1} - REPORTING - DENIALS


def _overlap(a: set[str], b: set[str]) -> float:
    return len(a & b) / min(len(a), len(b)) if a and b else 0.0


def _negated(words: Sequence[str]) -> bool:
    return any(w in NEGATIONS or w.endswith("n't") for w in words)


def _polarity(words: Sequence[str]) -> bool:
    """True when a sentence negates or denies (a denied negation counts as neither)."""
    return _negated(words) != any(stem(w) in DENIALS for w in words)


def _denial_scope(words: Sequence[str]) -> tuple[set[str], set[str]]:
    """(terms after a denial verb, up to the end of its clause; the other terms)."""
    inside: list[str] = []
    outside: list[str] = []
    in_scope = False
    for word in words:
        if stem(word) in DENIALS:
            in_scope = True
            continue
        (inside if in_scope else outside).append(word)
    return _terms(inside), _terms(outside)


def _clauses(text: str) -> list[str]:
    return [c.strip() for c in _CLAUSE.split(text) if c and c.strip()]


def _quote(text: str, key: set[str], limit: int = 14) -> str:
    """The clause of `text` that holds most of the `key` terms, cut to `limit` words."""
    clauses = _clauses(text) or [text]
    best = max(clauses, key=lambda c: (len(_terms(_words(c)) & key), -len(c)))
    words = best.split()
    return " ".join(words[:limit]) + ("…" if len(words) > limit else "")


@dataclass(frozen=True)
class _Figure:
    value: float
    unit: str
    context: frozenset[str]
    text: str


def _figures(text: str) -> list[_Figure]:
    found = []
    for match in _NUMBER.finditer(text):
        raw = match.group("num")
        if re.fullmatch(r"(19|20)\d{2}", raw) and not match.group("unit"):
            continue  # a year: compared as a date
        if match.group("score"):
            value, unit = float(raw), "score" + match.group("score")
        else:
            try:
                value = float(raw.replace(",", "")) if raw.count(",") else float(raw)
            except ValueError:
                continue
            unit_word = (match.group("unit") or "").lower()
            unit = "%" if unit_word in ("%", "percent", "per cent") else (match.group("cur") or "")
            value *= {"billion": 1e9, "bn": 1e9, "million": 1e6, "m": 1e6, "thousand": 1e3}.get(unit_word, 1)
        before = _words(text[:match.start()])[-3:]
        after = _words(text[match.end():])[:3]
        if after and after[0].startswith("year-old"):
            unit = "age"
        found.append(_Figure(value, unit, frozenset(_terms(before + after)), match.group(0).strip()))
    return found


def _differing_figures(a: str, b: str, topic: float) -> tuple[str, str] | None:
    fa, fb = _figures(a), _figures(b)
    if not fa or not fb:
        return None
    same_value = any(x.value == y.value and x.unit == y.unit for x in fa for y in fb)
    for x in fa:
        for y in fb:
            if x.unit != y.unit or x.value == y.value:
                continue
            if x.unit.startswith("score"):
                return x.text, y.text
            near = x.context & y.context
            only = len(fa) == 1 and len(fb) == 1 and topic >= NEAR_SAME
            if (near or only) and not same_value:
                return x.text, y.text
    return None


def _differing_dates(a: str, b: str) -> tuple[str, str] | None:
    da, db = find_dates(a), find_dates(b)
    for x in da:
        for y in db:
            if x.precision == y.precision and (x.last < y.first or y.last < x.first):
                return x.text, y.text
    wa = {w.lower() for w in _WEEKDAY.findall(a)}
    wb = {w.lower() for w in _WEEKDAY.findall(b)}
    if wa and wb and not wa & wb:
        return sorted(wa)[0].capitalize(), sorted(wb)[0].capitalize()
    return None


def _opposite(wa: Sequence[str], wb: Sequence[str]) -> tuple[str, str] | None:
    ta, tb = " " + " ".join(wa) + " ", " " + " ".join(wb) + " "
    for x, y in OPPOSITES:
        for p, q in ((x, y), (y, x)):
            if f" {p} " in ta and f" {q} " in tb and f" {q} " not in ta and f" {p} " not in tb:
                return p, q
    return None


def compare(a: str, b: str) -> Relation | None:
    """How two sentences relate: they differ, they agree, or None (not about the same thing,
    or nothing checkable)."""
    wa, wb = _words(a), _words(b)
    ta, tb = _terms(wa), _terms(wb)
    topic = _overlap(ta, tb)
    shared = ta & tb
    if not shared:
        return None
    # denial: what one denies, the other says (outside any denial of its own)
    scope_a, rest_a = _denial_scope(wa)
    scope_b, rest_b = _denial_scope(wb)
    for scope, rest, other in ((scope_a, rest_b, wb), (scope_b, rest_a, wa)):
        common = scope & rest
        if common and (len(common) >= 2 or topic >= SAME_TOPIC):
            if _negated(other) and not (scope_a and scope_b):
                break  # denying what the other negates is saying the same
            return Relation("differ", "denial", _quote(a, common), _quote(b, common))
    if topic < SAME_TOPIC:
        return None
    if topic >= NEAR_SAME and _polarity(wa) != _polarity(wb):
        return Relation("differ", "negation", _quote(a, shared), _quote(b, shared))
    if topic >= NEAR_SAME:
        opposite = _opposite(wa, wb)
        if opposite:
            return Relation("differ", "opposites", _quote(a, shared | {stem(opposite[0])}),
                            _quote(b, shared | {stem(opposite[1])}))
    figures = _differing_figures(a, b, topic)
    if figures:
        return Relation("differ", "figures", figures[0], figures[1])
    if topic >= NEAR_SAME:
        dates = _differing_dates(a, b)
        if dates:
            return Relation("differ", "dates", dates[0], dates[1])
    if topic >= AGREE or _same_figure(a, b) or _same_quote(a, b):
        return Relation("agree", "same claim", _quote(a, shared), _quote(b, shared))
    return None


def _same_figure(a: str, b: str) -> bool:
    """The same number with the same unit (180 passengers, $85 a barrel): the same fact."""
    return any(x.value == y.value and x.unit == y.unit and x.context & y.context
               for x in _figures(a) for y in _figures(b))


_QUOTED = re.compile(r"[“\"]([^”\"]{6,})[”\"]")


def _same_quote(a: str, b: str) -> bool:
    """Both quote the same words ("cautious optimism")."""
    qa = {" ".join(_words(q)) for q in _QUOTED.findall(a)}
    qb = {" ".join(_words(q)) for q in _QUOTED.findall(b)}
    return any(x and (x in y or y in x) for x in qa for y in qb if x and y)


def check(cited: Sequence[CitedSentence]) -> tuple[tuple[Disagreement, ...], tuple[Agreement, ...]]:
    """Where the cited sentences of different articles differ, and which citations agree.

    Each pair of citations is reported once (the first difference found); citations that
    agree are grouped, unless they also differ somewhere."""
    disagreements: list[Disagreement] = []
    agreeing: list[set[int]] = []
    differing: set[frozenset[int]] = set()
    for i, x in enumerate(cited):
        for y in cited[i + 1:]:
            if x.article == y.article or x.number == y.number:
                continue
            pair = frozenset((x.number, y.number))
            relation = compare(x.text, y.text)
            if relation is None:
                continue
            if relation.label == "differ" and pair not in differing:
                differing.add(pair)
                first, second = (x, y) if x.number < y.number else (y, x)
                says = (relation.first, relation.second) if first is x else (relation.second, relation.first)
                disagreements.append(Disagreement(first.number, second.number, relation.kind, *says))
            elif relation.label == "agree":
                agreeing.append(set(pair))
    groups: list[set[int]] = []
    for pair in agreeing:
        if frozenset(pair) in differing:
            continue
        joined = [g for g in groups if g & pair]
        merged = set(pair).union(*joined)
        groups = [g for g in groups if g not in joined] + [merged]
    agreements = tuple(Agreement(tuple(sorted(g))) for g in sorted(groups, key=min))
    return tuple(sorted(disagreements, key=lambda d: (d.first, d.second))), agreements


def summary(disagreements: Sequence[Disagreement], agreements: Sequence[Agreement]) -> str:
    """The plain sentences appended to an answer ("" when there is nothing to say)."""
    parts = []
    if disagreements:
        parts.append("Sources differ: " + "; ".join(d.sentence() for d in disagreements) + ".")
    for agreement in agreements:
        numbers = [f"[{n}]" for n in agreement.numbers]
        parts.append(f"{', '.join(numbers[:-1])} and {numbers[-1]} agree.")
    return " ".join(parts)
