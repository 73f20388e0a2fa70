"""Step 1, the request: the question and its options checked and cleaned, then read for what
it says without an LLM (dates, "latest"/"earliest", a timeline wanted)."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, replace
from datetime import date, datetime, time as day_time, timezone
from typing import Any, Sequence

from index.articles import parse_date
from index.errors import ConfigError, InvalidRequest
from index.settings import AnswerMode
from index.textview import normalised

from ..news.dates import DateQuery, question_dates
from ..news.timeline import is_timeline_question, without_timeline_words
from ..retrieval import Filters
from .briefing import is_collection_question

MAX_QUESTION_CHARS = 2000
MAX_K = 50


@dataclass(frozen=True, kw_only=True)
class Request:
    question: str  # as asked, cleaned
    history: tuple[tuple[str, str], ...] = ()
    k: int = 5
    mode: AnswerMode = AnswerMode.EXTRACTIVE
    filters: Filters = Filters()
    standalone: str = ""
    dates: DateQuery = DateQuery()  # what the standalone question says about time
    searched: str = ""  # the standalone question without its dates (and timeline words): searched within the dates
    llm_deadline: float = 0.0  # time.monotonic() by which every LLM call of this request must have answered


def clean_question(question: Any) -> str:
    """Printable text on one line, cut to a length worth searching (a 100 kB paste is not a question).
    Read in the normalised view, as the articles are: "Wit\u00adkoff" asks about Witkoff."""
    printable = "".join(ch if unicodedata.category(ch)[0] != "C" else " " for ch in normalised(str(question or "")))
    return " ".join(printable.split())[:MAX_QUESTION_CHARS]


def make_request(question: Any, history: Sequence[tuple[str, str]] | None = None, *, k: int = 5,
                 mode: str = AnswerMode.EXTRACTIVE, source: str | Sequence[str] | None = None,
                 sources: Sequence[str] | None = None, since: Any = None, until: Any = None) -> Request:
    """A checked request; a bad option raises `InvalidRequest` naming it."""
    try:
        answer_mode = AnswerMode.parse(mode)
    except ConfigError as error:
        raise InvalidRequest(str(error)) from None
    if not isinstance(k, int) or isinstance(k, bool) or not 1 <= k <= MAX_K:
        raise InvalidRequest(f"k must be an integer from 1 to {MAX_K}, got {k!r}")
    outlets = [source] if isinstance(source, str) else list(source or [])
    outlets += list(sources or [])
    turns = tuple((clean_question(q), clean_question(a)) for q, a in (history or ()))
    filters = Filters(tuple(dict.fromkeys(o for o in outlets if o)), moment(since, "since"),
                      moment(until, "until", end_of_day=True))
    return Request(question=clean_question(question), history=turns, k=k, mode=answer_mode, filters=filters)


def moment(value: Any, name: str, end_of_day: bool = False) -> int | None:
    """Epoch seconds from a date, datetime, epoch number or date string; a bare date as `until`
    includes that whole day."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=timezone.utc)
        return int(moment.timestamp())
    if isinstance(value, date):
        moment = datetime.combine(value, day_time.max if end_of_day else day_time.min, tzinfo=timezone.utc)
        return int(moment.timestamp())
    iso, seconds = parse_date(value)
    if seconds is None:
        raise InvalidRequest(f"{name} must be a date (YYYY-MM-DD), datetime or epoch seconds, got {value!r}")
    if end_of_day and len(iso) == 10:
        seconds += 86399
    return seconds


def read_question(request: Request) -> Request:
    """What the question says without an LLM: its dates and order words, and whether it asks
    for a timeline (only when the extractive mode was left as is: an explicit mode wins) or
    about the whole collection (a briefing, in the extractive or the LLM mode: an LLM sees k
    passages, the stories cover every article)."""
    asked = question_dates(request.standalone)
    mode = request.mode
    if mode in (AnswerMode.EXTRACTIVE, AnswerMode.LLM) and is_collection_question(request.standalone):
        mode = AnswerMode.BRIEFING
    elif mode == AnswerMode.EXTRACTIVE and is_timeline_question(request.standalone):
        mode = AnswerMode.TIMELINE
    searched = asked.rest or request.standalone
    if mode == AnswerMode.TIMELINE:
        searched = without_timeline_words(searched)
    return replace(request, dates=asked, mode=mode, searched=searched)
