"""The articles as the doors list and read them (REST and MCP share this)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from index import indexed_articles
from index.articles import parse_date
from index.status import ArticleInfo

from ..answering import Assistant
from ..retrieval import Filters
from .common import DoorError


def listed_articles(helper: Assistant, source: Any = None, since: Any = None, until: Any = None) -> list[dict]:
    """The indexed articles, newest first, of these outlets and published in this date range
    (the same options, checked the same way, as a question's filters; a bad date raises InvalidRequest)."""
    filters = helper.request("articles", source=source, since=since, until=until).filters
    return [asdict(a) for a in _articles(helper) if _within(a, filters)]


def _articles(helper: Assistant) -> list[ArticleInfo]:
    # the index's own store when the corpus is one (its Chroma client is reused), else one opened for this
    return indexed_articles(helper.settings, store=getattr(helper.search, "store", None))


def _within(article: ArticleInfo, filters: Filters) -> bool:
    if filters.sources and article.source not in filters.sources:
        return False
    if filters.since is None and filters.until is None:
        return True
    _, seconds = parse_date(article.published) if article.published else ("", None)
    return seconds is not None and (filters.since is None or seconds >= filters.since) and (
        filters.until is None or seconds <= filters.until)


def article_record(helper: Assistant, article_id: str) -> dict:
    """An article's metadata and exact stored text (what citation offsets point into)."""
    found = next((a for a in _articles(helper) if a.id == article_id), None)
    text = helper.article_texts([article_id]).get(article_id) if found else None
    if found is None or text is None:
        raise DoorError(status=404, message=f"No indexed article has the id {article_id!r}.", param="article_id",
                        code="article_not_found")
    return {**asdict(found), "text": text}
