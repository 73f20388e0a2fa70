"""Dates in questions and in article sentences, found with rules (no LLM, no network).

- `question_dates("What happened after March 10, 2025?")` -> `DateQuery(since=2025-03-11, ...)`:
  "in 2024", "in March 2025", "on 14 March 2025", "before/after/since/until <date>",
  "between <date> and <date>", "last week", "this month", "in the past 3 days",
  "yesterday", and the order words "latest / most recent / newest" and
  "earliest / first reported".
- `find_dates(sentence, reference)` -> the dates a sentence mentions, relative ones
  ("on Thursday", "last week", "two days ago") resolved against `reference` (the
  article's published date), so a timeline can place a sentence at the day it tells of.

Every date is a closed range of days (`first`, `last`) with a precision, because news
says "in March" as often as "on 14 March".
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from index.text import words

MONTHS = {name.lower(): number for number, name in enumerate(calendar.month_name) if name}
MONTHS.update({name.lower(): number for number, name in enumerate(calendar.month_abbr) if name})
MONTHS["sept"] = 9
WEEKDAYS = {name.lower(): number for number, name in enumerate(calendar.day_name)}
NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
           "eight": 8, "nine": 9, "ten": 10, "several": 3, "few": 3, "couple of": 2}

_MONTH = r"(?P<month>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?" \
         r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>(?:19|20)\d{2})"
_COUNT = r"(?P<count>\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|several|few|couple of)"
_UNIT = r"(?P<unit>day|week|month|year)s?"
_WEEKDAY = r"(?P<weekday>monday|tuesday|wednesday|thursday|friday|saturday|sunday)"

# Most specific first: a span taken by one pattern is not matched again by a later one.
_PATTERNS = [
    ("iso", re.compile(r"\b(?P<year>(?:19|20)\d{2})-(?P<month>[01]?\d)-(?P<day>[0-3]?\d)\b")),
    ("month_day_year", re.compile(rf"\b{_MONTH}\s+{_DAY},?\s+{_YEAR}\b", re.I)),
    ("day_month_year", re.compile(rf"\b{_DAY}\s+(?:of\s+)?{_MONTH},?\s+{_YEAR}\b", re.I)),
    ("month_year", re.compile(rf"\b{_MONTH},?\s+(?:of\s+)?{_YEAR}\b", re.I)),
    ("month_day", re.compile(rf"\b{_MONTH}\s+{_DAY}\b(?!\s*(?:%|per|million|billion))", re.I)),
    ("day_month", re.compile(rf"\b{_DAY}\s+(?:of\s+)?{_MONTH}\b", re.I)),
    ("month", re.compile(rf"\b(?:in|during|since|before|after|until|by|early|late|mid|mid-|last|this)\s+"
                         rf"{_MONTH}\b(?!\s+\d)",
                         re.I)),
    # a bare year only after a word that makes it a time ("in 2024"), not a count ("2024 troops")
    ("year", re.compile(rf"\b(?:in|during|since|by|until|till|before|after|from|of|to|through|early|late|"
                        rf"mid|and|between|around|throughout|year|summer|winter|spring|autumn|fall)\s+{_YEAR}\b"
                        rf"(?!\s*(?:%|troops|people|soldiers|dollars))", re.I)),
    ("past_span", re.compile(rf"\b(?:in|over|during|within)\s+the\s+(?:last|past|previous)\s+{_COUNT}\s+{_UNIT}\b",
                             re.I)),
    ("ago", re.compile(rf"\b{_COUNT}\s+{_UNIT}\s+ago\b", re.I)),
    ("relative", re.compile(r"\b(?P<which>last|this|past|previous|earlier\s+this|later\s+this|next)\s+"
                            r"(?P<unit>week|month|year)\b", re.I)),
    ("weekday", re.compile(rf"\b(?:(?P<which>last|this|next|on|late\s+on|early\s+on)\s+)?{_WEEKDAY}\b", re.I)),
    ("day_word", re.compile(r"\b(?P<word>yesterday|today|tonight|this\s+morning|this\s+afternoon|this\s+evening)\b",
                            re.I)),
]


@dataclass(frozen=True)
class DateMention:
    """A date a text mentions, as the closed range of days it covers."""
    start: int  # offsets in the text
    end: int
    first: date
    last: date
    precision: str  # "day", "week", "month", "year" or "span"
    text: str

    @property
    def label(self) -> str:
        if self.precision == "day":
            return self.first.isoformat()
        if self.precision == "month":
            return f"{calendar.month_name[self.first.month]} {self.first.year}"
        if self.precision == "year":
            return str(self.first.year)
        if self.precision == "week":
            return f"week of {self.first.isoformat()}"
        return f"{self.first.isoformat()} to {self.last.isoformat()}"


@dataclass(frozen=True)
class DateQuery:
    """What a question says about time: a range of days and an order ("" when it says nothing)."""
    since: date | None = None
    until: date | None = None
    order: str = ""  # "latest", "earliest" or ""
    phrase: str = ""  # the words it was read from, for the notice shown with the answer
    rest: str = ""  # the question without those words: what to search for (dates are filters, not topics)

    @property
    def bounded(self) -> bool:
        return self.since is not None or self.until is not None

    def contains(self, first: date, last: date) -> bool:
        """Whether a date range overlaps the asked one."""
        return (self.since is None or last >= self.since) and (self.until is None or first <= self.until)

    def since_ts(self) -> int | None:
        return None if self.since is None else int(datetime.combine(self.since, time.min, UTC).timestamp())

    def until_ts(self) -> int | None:
        return None if self.until is None else int(datetime.combine(self.until, time.max, UTC).timestamp())

    def describe(self) -> str:
        if self.since and self.until:
            span = (f"on {self.since.isoformat()}" if self.since == self.until
                    else f"from {self.since.isoformat()} to {self.until.isoformat()}")
        elif self.since:
            span = f"on or after {self.since.isoformat()}"
        elif self.until:
            span = f"on or before {self.until.isoformat()}"
        else:
            span = ""
        return span


_LATEST = re.compile(r"\b(latest|most\s+recent(?:ly)?|newest|last\s+reported|recent(?:ly)?|current(?:ly)?|"
                     r"now|so\s+far|to\s+date)\b", re.I)
_EARLIEST = re.compile(r"\b(earliest|initially|originally|first\s+(?:report(?:ed|s)?|said|announced|"
                       r"mentioned|covered|wrote|broke|news|article))\b|\bwho\s+first\b|\bwhen\s+\w+\s+\w*\s*first\b",
                       re.I)
# The order words with the news nouns and the preposition around them ("the latest news
# on", "most recent reports about", "first"): they ask for a sort, they name no topic, and
# as search words they match any sentence that happens to say "latest" or "first".
_ORDER_WORDS = re.compile(
    r"\b(?:the\s+)?(?:very\s+)?(?:latest|newest|most\s+recent(?:ly)?|recent(?:ly)?|current(?:ly)?|so\s+far|to\s+date|"
    r"now|last\s+reported|earliest|initially|originally|first)"
    r"(?:\s+(?:news|reports?|reporting|reported|updates?|developments?|word|information|accounts?|coverage|"
    r"stor(?:y|ies)|articles?|said|announced|mentioned|covered|wrote|broke))?"
    r"(?:\s+(?:on|about|regarding|concerning|over|of))?\b", re.I)
_BEFORE = re.compile(r"\b(before|prior\s+to|earlier\s+than|until|till|up\s+to|by|through)\s*$", re.I)
_AFTER = re.compile(r"\b(after|later\s+than|since|from|starting|beginning)\s*$", re.I)
_BETWEEN = re.compile(r"\bbetween\s+(?P<a>.+?)\s+and\s+(?P<b>.+)$", re.I)


def find_dates(text: str, reference: date | None = None) -> list[DateMention]:
    """Every date `text` mentions, in text order. Relative dates ("on Thursday", "last
    week", "yesterday") need `reference` (the day the text was written) and are skipped
    without it; a day or month without a year takes the reference's year (or the
    nearest year that does not put it after the reference)."""
    taken: list[tuple[int, int]] = []
    found: list[DateMention] = []
    for kind, pattern in _PATTERNS:
        for match in pattern.finditer(text):
            start = match.start("year") if kind == "year" else match.start()  # not the "in" before it
            if any(start < e and s < match.end() for s, e in taken):
                continue
            resolved = _resolve(kind, match, reference)
            if resolved is None:
                continue
            first, last, precision = resolved
            taken.append((start, match.end()))
            found.append(DateMention(start, match.end(), first, last, precision, text[start:match.end()]))
    return sorted(found, key=lambda m: m.start)


Resolved = tuple[date, date, str]  # first day, last day, precision


def _resolve(kind: str, m: re.Match, reference: date | None) -> Resolved | None:
    """The days a matched date names, by its kind's resolver (see _RESOLVERS); None when it
    names none (31 February) or needs the day the text was written and has none."""
    groups = m.groupdict()
    if groups.get("month") == "may":
        return None  # the verb, not the month
    needs_reference, resolver = _RESOLVERS.get(kind, (False, None))
    if resolver is None or (needs_reference and reference is None):
        return None
    try:
        return resolver(groups, reference)
    except ValueError:  # 31 February and the like
        return None


def _full_date(g: dict, _: date | None) -> Resolved:
    day = date(int(g["year"]), _month(g["month"]), int(g["day"]))
    return day, day, "day"


def _month_of_year(g: dict, _: date | None) -> Resolved:
    return (*_month_range(int(g["year"]), _month(g["month"])), "month")


def _year(g: dict, _: date | None) -> Resolved:
    year = int(g["year"])
    return date(year, 1, 1), date(year, 12, 31), "year"


def _day_without_year(g: dict, reference: date) -> Resolved | None:
    month, day_number = _month(g["month"]), int(g["day"])
    if g["month"].lower().rstrip(".") == "may" and day_number > 31:
        return None
    day = date(reference.year, month, day_number)
    if day > reference + timedelta(days=31):  # "December 20" written in January: last year
        day = date(reference.year - 1, month, day_number)
    return day, day, "day"


def _month_without_year(g: dict, reference: date) -> Resolved:
    month = _month(g["month"])
    year = reference.year if month <= reference.month else reference.year - 1  # the latest such month
    return (*_month_range(year, month), "month")


def _past_span(g: dict, reference: date) -> Resolved:
    return reference - _length(g["unit"], _count(g["count"])), reference, "span"


def _ago(g: dict, reference: date) -> Resolved:
    day = reference - _length(g["unit"], _count(g["count"]))
    unit = g["unit"].lower()
    return (day, day, "day") if unit == "day" else _period(day, unit)


def _relative(g: dict, reference: date) -> Resolved:
    which, unit = " ".join(g["which"].lower().split()), g["unit"].lower()
    shift = {"last": -1, "past": -1, "previous": -1, "next": 1}.get(which, 0)
    anchor = reference + _length(unit, shift) if shift else reference
    first, last, precision = _period(anchor, unit)
    if which == "earlier this":
        last = min(last, reference)
    return first, last, precision


def _weekday(g: dict, reference: date) -> Resolved:
    which = " ".join((g["which"] or "").lower().split())
    target = WEEKDAYS[g["weekday"].lower()]
    if which == "next":
        day = reference + timedelta(days=(target - reference.weekday()) % 7 or 7)
    else:  # news reports the past: the latest such day on or before the reference
        day = reference - timedelta(days=(reference.weekday() - target) % 7)
        if which == "last" and day == reference:
            day -= timedelta(days=7)
    return day, day, "day"


def _day_word(g: dict, reference: date) -> Resolved:
    day = reference - timedelta(days=1) if g["word"].lower() == "yesterday" else reference
    return day, day, "day"


# kind of match -> (needs the day the text was written, resolver)
_RESOLVERS: dict[str, tuple[bool, Callable[[dict, Any], Resolved | None]]] = {
    "iso": (False, _full_date),
    "month_day_year": (False, _full_date),
    "day_month_year": (False, _full_date),
    "month_year": (False, _month_of_year),
    "year": (False, _year),
    "month_day": (True, _day_without_year),
    "day_month": (True, _day_without_year),
    "month": (True, _month_without_year),
    "past_span": (True, _past_span),
    "ago": (True, _ago),
    "relative": (True, _relative),
    "weekday": (True, _weekday),
    "day_word": (True, _day_word),
}


def _month(name: str) -> int:
    return int(name) if name.isdigit() else MONTHS[name.lower().rstrip(".")]


def _month_range(year: int, month: int) -> tuple[date, date]:
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def _count(word: str) -> int:
    word = " ".join(word.lower().split())
    return int(word) if word.isdigit() else NUMBERS[word]


def _length(unit: str, count: int) -> timedelta:
    unit = unit.lower()
    days = {"day": 1, "week": 7, "month": 30, "year": 365}[unit]
    return timedelta(days=days * count)


def _period(day: date, unit: str) -> tuple[date, date, str]:
    if unit == "week":
        monday = day - timedelta(days=day.weekday())
        return monday, monday + timedelta(days=6), "week"
    if unit == "month":
        return (*_month_range(day.year, day.month), "month")
    return date(day.year, 1, 1), date(day.year, 12, 31), "year"


def question_dates(question: str, today: date | None = None) -> DateQuery:
    """The date range and order a question asks for, read with rules.

    "before X" ends the day before X starts, "after X" starts the day after X ends, "since
    X" / "from X" start with X, "until X" / "by X" end with X, "between X and Y" spans
    both, and a date on its own ("in 2024", "last week") is the range itself."""
    today = today or datetime.now(UTC).date()
    order = ""
    if _EARLIEST.search(question):
        order = "earliest"
    elif _LATEST.search(question):
        order = "latest"
    # "today" in a question means "nowadays" ("known today"), not a day to filter on
    mentions = [m for m in find_dates(question, today) if m.text.lower() not in ("today", "tonight")]
    if not mentions:
        return DateQuery(order=order, phrase="", rest=question)
    between = _BETWEEN.search(question[:mentions[-1].end])
    if len(mentions) >= 2 and between and between.start() <= mentions[0].start:
        first, second = mentions[0], mentions[1]
        if first.first > second.last and first.precision == "day":  # "between March 1 and March 20, 2025"
            try:
                day = first.first.replace(year=second.last.year)
                first = DateMention(first.start, first.end, day, day, "day", first.text)
            except ValueError:
                pass
        return DateQuery(min(first.first, second.first), max(first.last, second.last), order,
                         question[between.start():second.end], _without(question, [(between.start(), second.end)]))
    since = until = None
    phrases = []
    spans = []
    for mention in mentions:
        before = question[:mention.start]
        if found := _BEFORE.search(before):
            word = found.group(1).lower()
            earlier = word in ("before", "prior to", "earlier than")
            bound = mention.first - timedelta(days=1) if earlier else mention.last
            until = bound if until is None else min(until, bound)
            start = found.start(1)
        elif found := _AFTER.search(before):
            word = found.group(1).lower()
            bound = mention.last + timedelta(days=1) if word in ("after", "later than") else mention.first
            since = bound if since is None else max(since, bound)
            start = found.start(1)
        else:
            since = mention.first if since is None else max(since, mention.first)
            until = mention.last if until is None else min(until, mention.last)
            start = mention.start
        phrases.append(question[start:mention.end])
        spans.append((start, mention.end))
    return DateQuery(since, until, order, "; ".join(phrases), _without(question, spans))


def without_order_words(question: str) -> str:
    """What a latest / earliest question is about: "What is the latest on the ceasefire?"
    -> "What is the ceasefire?" (the question itself when little would be left)."""
    rest = _without(question, [m.span() for m in _ORDER_WORDS.finditer(question)])
    return rest if len(content_words(rest)) >= 1 and len(rest.split()) >= 2 else question


def content_words(text: str) -> list[str]:
    return [w for w in words(text) if w not in _QUESTION_WORDS]


_QUESTION_WORDS = frozenset("what who whom whose which when where why how is are was were did do does has have had "
                            "the a an of on about to in and or s".split())


def _without(text: str, spans: list[tuple[int, int]]) -> str:
    for start, end in sorted(spans, reverse=True):
        text = text[:start] + text[end:]
    text = re.sub(r"\s+([?.!,])", r"\1", " ".join(text.split()))
    return text.strip(" ,") or text


def day_of(published: str) -> date | None:
    """The day of an ISO `published` string ("" -> None)."""
    if not published:
        return None
    try:
        return date.fromisoformat(published[:10])
    except ValueError:
        return None
