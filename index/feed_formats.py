"""Reading feeds: RSS 0.9x/1.0/2.0 and Atom (feedparser), JSON Feed 1.x (read here, as
feedparser 6 does not), the feeds an HTML page announces, and an item's HTML as text."""

from __future__ import annotations

import calendar
import hashlib
import html as html_lib
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urljoin

from .articles import clean_text
from .errors import AssistantError
from .fetch import Fetched


class FeedError(AssistantError):
    """A feed that cannot be added, removed or read; the message says why."""


@dataclass(frozen=True, kw_only=True)
class Entry:
    """One item of a feed, whatever the format."""
    id: str
    link: str
    title: str = ""
    author: str = ""
    published: str = ""
    updated: str = ""
    content: str = ""  # HTML or text: the item's own content, else its summary

    def fingerprint(self) -> str:
        """Changes when the feed says the item changed (a new date, title or text)."""
        fields = [self.id, self.link, self.title, self.updated or self.published, self.content]
        return hashlib.sha256("\x1f".join(fields).encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True, kw_only=True)
class ParsedFeed:
    title: str
    entries: tuple[Entry, ...]


def parse_feed(fetched: Fetched) -> ParsedFeed:
    """The feed's title and items; FeedError naming what the body is when it is no feed."""
    head = fetched.body[:512].lstrip()
    if "json" in fetched.content_type or head.startswith(b"{"):
        return _parse_json_feed(fetched.body, fetched.url)
    import feedparser

    parsed = feedparser.parse(fetched.body, response_headers={"content-type": fetched.content_type or "text/xml"})
    if not parsed.get("version"):
        if fetched.is_html():
            found = discover_feeds(fetched)
            hint = f"; it links to the feed {found[0]}" if found else ""
            raise FeedError(f"an HTML page, not a feed{hint}")
        problem = parsed.get("bozo_exception")
        raise FeedError(f"not a feed (RSS, Atom or JSON Feed){f': {problem}' if problem else ''}")
    # feedparser reads past small faults, as a feed reader should; a feed broken so badly
    # that no item with a link survives is reported as malformed
    if parsed.get("bozo") and not any(item.get("link") for item in parsed.entries):
        raise FeedError(f"malformed feed ({parsed.get('bozo_exception')})")
    entries = tuple(_entry(item, fetched.url) for item in parsed.entries)
    return ParsedFeed(title=" ".join(str(parsed.feed.get("title") or "").split()), entries=entries)


def _entry(item, base: str) -> Entry:
    content = item.get("content") or []
    body = next((c.get("value", "") for c in content if c.get("value")), "") or item.get("summary", "")
    link = item.get("link") or ""
    return Entry(id=str(item.get("id") or ""), link=urljoin(base, link) if link else "",
                 title=" ".join(str(item.get("title") or "").split()), author=str(item.get("author") or ""),
                 published=_date(dict.get(item, "published_parsed")),
                 updated=_date(dict.get(item, "updated_parsed")),  # dict.get: no feedparser fallback warning
                 content=body)


def _date(parsed) -> str:
    """ISO 8601 of feedparser's UTC time tuple, or ""."""
    if not parsed:
        return ""
    try:
        return datetime.fromtimestamp(calendar.timegm(parsed), tz=UTC).isoformat()
    except (TypeError, ValueError, OverflowError):
        return ""


def _parse_json_feed(body: bytes, base: str) -> ParsedFeed:
    try:
        data = json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise FeedError(f"malformed JSON Feed ({error})") from None
    if not isinstance(data, dict) or not str(data.get("version", "")).startswith("https://jsonfeed.org/version/"):
        raise FeedError("JSON, but not a JSON Feed (no https://jsonfeed.org/version/ version)")
    items = data.get("items")
    if not isinstance(items, list):
        raise FeedError("malformed JSON Feed (no list of items)")
    entries = []
    for item in items:
        if not isinstance(item, dict):
            continue
        authors = item.get("authors") or ([item["author"]] if isinstance(item.get("author"), dict) else [])
        entries.append(Entry(
            id=str(item.get("id") or ""), link=_absolute(base, item.get("url") or item.get("external_url")),
            title=" ".join(str(item.get("title") or "").split()),
            author=", ".join(a.get("name", "") for a in authors if isinstance(a, dict) and a.get("name")),
            published=str(item.get("date_published") or ""), updated=str(item.get("date_modified") or ""),
            content=str(item.get("content_html") or item.get("content_text") or item.get("summary") or "")))
    return ParsedFeed(title=" ".join(str(data.get("title") or "").split()), entries=tuple(entries))


def _absolute(base: str, link) -> str:
    return urljoin(base, str(link)) if link else ""


_FEED_LINK = re.compile(r"<link\b[^>]*>", re.I)


def discover_feeds(fetched: Fetched) -> list[str]:
    """Feeds an HTML page announces (<link rel="alternate" type="application/rss+xml" ...>)."""
    found = []
    for tag in _FEED_LINK.findall(fetched.text()[:200_000]):
        attrs = {k.lower(): v for k, _, v in re.findall(r"""([\w-]+)\s*=\s*(["'])(.*?)\2""", tag)}
        kind = attrs.get("type", "").lower()
        if "alternate" in attrs.get("rel", "").lower() and kind.endswith(("rss+xml", "atom+xml", "feed+json")):
            found.append(urljoin(fetched.url, html_lib.unescape(attrs.get("href", ""))))
    return [url for url in found if url]


def html_text(fragment: str) -> str:
    """Plain text of an item's HTML content, one paragraph per line."""
    if "<" not in fragment:
        return clean_text(html_lib.unescape(fragment))
    import lxml.html

    marked = re.sub(r"(?i)<br\s*/?>|</(p|div|h[1-6]|li|blockquote|section|article)\s*>", "\n", fragment)
    try:
        text = lxml.html.fragment_fromstring(marked, create_parent="div").text_content()
    except Exception:  # lxml refuses some fragments outright: fall back to dropping the tags
        text = html_lib.unescape(re.sub(r"<[^>]+>", " ", marked))
    lines = (" ".join(line.split()) for line in text.split("\n"))
    return clean_text("\n".join(line for line in lines if line))
