"""Following feeds: RSS 0.9x/1.0/2.0 and Atom (feedparser), JSON Feed 1.x (read here).

The feed list and what was seen of each feed live in the data dir (`feeds.json`). An
update polls every feed with a conditional GET (an unchanged feed costs one 304), and
for each item that is new or changed in its feed fetches the item's page and saves it as
an article file (`web.save_record`); when the page cannot be fetched or holds no
article, the item's own content is used if it holds one, else the item is reported.
Items are deduplicated across feeds by id, link and the page's canonical URL. Then the
index is synced once.
"""

from __future__ import annotations

import calendar
import hashlib
import html as html_lib
import json
import logging
import os
import re
import tempfile
import threading
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

from filelock import FileLock, Timeout

from .articles import clean_text
from .errors import AssistantError, IndexBusy
from .fetch import Fetched, Fetcher, FetchFailed, check_url
from .settings import Settings
from .web import MIN_WORDS, Failure, article_path, extract, normalize_url, save_record

log = logging.getLogger("index.feeds")

FEEDS_FILE = "feeds.json"
FEED_ACCEPT = ("application/rss+xml, application/atom+xml, application/feed+json, application/json;q=0.9, "
               "application/xml;q=0.8, text/xml;q=0.8, */*;q=0.5")
Progress = Callable[[int, int, str], None]  # (done, total, what)


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


@dataclass(frozen=True, kw_only=True)
class FeedInfo:
    url: str
    title: str
    last_checked: str  # ISO 8601, "" when never
    items_seen: int
    last_error: str | None

    def as_dict(self) -> dict:
        return {"url": self.url, "title": self.title, "last_checked": self.last_checked,
                "items_seen": self.items_seen, "last_error": self.last_error}


@dataclass(frozen=True, kw_only=True)
class FeedResult:
    url: str
    new: int = 0
    updated: int = 0
    failed: tuple[Failure, ...] = ()
    error: str | None = None  # the feed itself could not be read

    def as_dict(self) -> dict:
        return {"url": self.url, "new": self.new, "updated": self.updated,
                "failed": [f.as_dict() for f in self.failed], "error": self.error}


@dataclass(frozen=True, kw_only=True)
class UpdateReport:
    feeds: tuple[FeedResult, ...]
    stopped: bool = False  # asked to stop before every item was seen
    index: object = None  # the IndexReport of the sync that followed, if any

    @property
    def added(self) -> int:
        return sum(f.new for f in self.feeds)

    @property
    def updated(self) -> int:
        return sum(f.updated for f in self.feeds)

    @property
    def failed(self) -> int:
        return sum(len(f.failed) + (f.error is not None) for f in self.feeds)

    def as_dict(self) -> dict:
        return {"feeds": [f.as_dict() for f in self.feeds], "added": self.added, "updated": self.updated,
                "failed": self.failed}


# -- parsing ----------------------------------------------------------------------------

def parse_feed(fetched: Fetched) -> ParsedFeed:
    """The feed's title and items; FeedError naming what the body is when it is no feed."""
    head = fetched.body[:512].lstrip()
    if "json" in fetched.content_type or head.startswith(b"{"):
        return _parse_json_feed(fetched.body)
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


def _parse_json_feed(body: bytes) -> ParsedFeed:
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
            id=str(item.get("id") or ""), link=str(item.get("url") or item.get("external_url") or ""),
            title=" ".join(str(item.get("title") or "").split()),
            author=", ".join(a.get("name", "") for a in authors if isinstance(a, dict) and a.get("name")),
            published=str(item.get("date_published") or ""), updated=str(item.get("date_modified") or ""),
            content=str(item.get("content_html") or item.get("content_text") or item.get("summary") or "")))
    return ParsedFeed(title=" ".join(str(data.get("title") or "").split()), entries=tuple(entries))


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


# -- the stored list --------------------------------------------------------------------

class FeedStore:
    """feeds.json in the data dir: the feeds, their conditional-GET state and seen items.

    {"feeds": [{"url", "title", "added", "last_checked", "last_error", "etag", "last_modified",
                "items": {item key: {"article", "fingerprint", "etag", "last_modified"}}}],
     "seen": {"id:..." or "url:...": article id}}
    Use as a context manager: it holds a lock on the file and saves on a clean exit.
    """

    def __init__(self, settings: Settings):
        self.path = Path(settings.data_dir) / FEEDS_FILE
        self.timeout = settings.lock_timeout
        self._lock = FileLock(str(self.path) + ".lock")
        self.data: dict = {"feeds": [], "seen": {}}

    def __enter__(self) -> FeedStore:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._lock.acquire(timeout=self.timeout)
        except Timeout:
            raise IndexBusy(f"another feed update is using {self.path}; waited {self.timeout:.0f} s") from None
        try:
            self.data = self._load()
        except BaseException:
            self._lock.release()
            raise
        return self

    def __exit__(self, kind, *exc) -> None:
        try:
            self.save()  # also after an interruption: what was saved so far is remembered
        finally:
            self._lock.release()

    def _load(self) -> dict:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {"feeds": [], "seen": {}}
        except (OSError, ValueError) as error:
            raise FeedError(f"{self.path} is unreadable ({error}); move it away to start a new feed list") from None
        data.setdefault("feeds", [])
        data.setdefault("seen", {})
        return data

    def save(self) -> None:
        handle, temp = tempfile.mkstemp(prefix=".feeds-", dir=self.path.parent)
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(self.data, out, ensure_ascii=False, indent=1)
        os.replace(temp, self.path)

    @property
    def feeds(self) -> list[dict]:
        return self.data["feeds"]

    def find(self, url: str) -> dict | None:
        key = normalize_url(url)
        return next((f for f in self.feeds if normalize_url(f["url"]) == key), None)

    def add(self, url: str, title: str = "") -> dict:
        feed: dict[str, Any] = {"url": url, "title": title, "added": _now(), "last_checked": "", "last_error": None,
                "etag": "", "last_modified": "", "items": {}}
        self.feeds.append(feed)
        return feed


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def _info(feed: dict) -> FeedInfo:
    return FeedInfo(url=feed["url"], title=feed.get("title", ""), last_checked=feed.get("last_checked", ""),
                    items_seen=len(feed.get("items", {})), last_error=feed.get("last_error"))


def list_feeds(settings: Settings | None = None) -> list[FeedInfo]:
    with FeedStore(settings or Settings.load()) as store:
        return [_info(f) for f in store.feeds]


def add_feed(url: str, settings: Settings | None = None, *, fetcher: Fetcher | None = None) -> FeedInfo:
    """Follow the feed at `url` after checking that it is one (fetched once, items not saved)."""
    settings = settings or Settings.load()
    url = url.strip()
    try:
        check_url(url)
        with _fetcher(settings, fetcher) as client:
            parsed = parse_feed(client.get(url, accept=FEED_ACCEPT))
    except FetchFailed as failed:
        raise FeedError(f"{url}: {failed.reason}") from None
    except FeedError as error:
        raise FeedError(f"{url}: {error}") from None
    with FeedStore(settings) as store:
        if store.find(url):
            raise FeedError(f"{url}: already followed")
        return _info(store.add(url, parsed.title))


def remove_feed(url: str, settings: Settings | None = None) -> FeedInfo:
    """Stop following a feed; its saved articles stay in the folder (remove files to drop them)."""
    with FeedStore(settings or Settings.load()) as store:
        feed = store.find(url)
        if feed is None:
            raise FeedError(f"{url}: not followed (see `assistant feeds list`)")
        store.feeds.remove(feed)
        return _info(feed)


class _fetcher:
    """The caller's fetcher, or a new one closed afterwards."""

    def __init__(self, settings: Settings, given: Fetcher | None):
        self.given, self.settings = given, settings
        self.own: Fetcher | None = None

    def __enter__(self) -> Fetcher:
        if self.given is not None:
            return self.given
        self.own = Fetcher(self.settings)
        return self.own

    def __exit__(self, *exc) -> None:
        if self.own is not None:
            self.own.close()


# -- OPML -------------------------------------------------------------------------------

def export_opml(settings: Settings | None = None) -> str:
    """The feed list as OPML 2.0, the format every feed reader imports."""
    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = "News assistant feeds"
    ET.SubElement(head, "dateCreated").text = datetime.now(UTC).strftime("%a, %d %b %Y %H:%M:%S GMT")
    body = ET.SubElement(root, "body")
    for feed in list_feeds(settings):
        title = feed.title or feed.url
        ET.SubElement(body, "outline", type="rss", text=title, title=title, xmlUrl=feed.url)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


@dataclass(frozen=True, kw_only=True)
class ImportReport:
    added: tuple[str, ...]
    already: tuple[str, ...]
    failed: tuple[Failure, ...]

    def as_dict(self) -> dict:
        return {"added": list(self.added), "already": list(self.already),
                "failed": [f.as_dict() for f in self.failed]}


def import_opml(path: str | Path, settings: Settings | None = None) -> ImportReport:
    """Follow every feed an OPML file lists (outlines with an xmlUrl, in any folder)."""
    try:
        root = ET.fromstring(Path(path).read_bytes())
    except OSError as error:
        raise FeedError(f"cannot read {path} ({error.strerror or error})") from None
    except ET.ParseError as error:
        raise FeedError(f"{path} is not OPML (invalid XML: {error})") from None
    if root.tag != "opml":
        raise FeedError(f"{path} is not OPML (its root element is <{root.tag}>)")
    added, already, failed = [], [], []
    with FeedStore(settings or Settings.load()) as store:
        for outline in root.iter("outline"):
            url = (outline.get("xmlUrl") or "").strip()
            if not url:
                continue  # a folder
            try:
                check_url(url)
            except FetchFailed as why:
                failed.append(Failure(url=url, reason=why.reason))
                continue
            if store.find(url):
                already.append(url)
                continue
            store.add(url, (outline.get("title") or outline.get("text") or "").strip())
            added.append(url)
    return ImportReport(added=tuple(added), already=tuple(already), failed=tuple(failed))


# -- updating ---------------------------------------------------------------------------

def update_feeds(settings: Settings | None = None, *, only: Iterable[str] | None = None,
                 progress: Progress | None = None, stop: threading.Event | None = None, index: bool = True,
                 fetcher: Fetcher | None = None) -> UpdateReport:
    """Poll the feeds (all, or those in `only`), save new and changed items' articles and
    sync the index once. `stop` set: ends between two items, keeping what was saved."""
    settings = settings or Settings.load()
    stop = stop or threading.Event()
    wanted = {normalize_url(u) for u in only} if only is not None else None
    results: list[FeedResult] = []
    with FeedStore(settings) as store, _fetcher(settings, fetcher) as client:
        feeds = [f for f in store.feeds if wanted is None or normalize_url(f["url"]) in wanted]
        for feed in feeds:
            if stop.is_set():
                break
            results.append(_Poll(store, feed, client, settings, progress, stop).run())
    report = UpdateReport(feeds=tuple(results), stopped=stop.is_set())
    if index and (report.added or report.updated):
        from .build import build_index

        report = UpdateReport(feeds=report.feeds, stopped=report.stopped,
                              index=build_index(settings.articles_dir, settings=settings))
    return report


class _Poll:
    """One feed's update: fetch it (conditionally), then each new or changed item."""

    def __init__(self, store: FeedStore, feed: dict, client: Fetcher, settings: Settings,
                 progress: Progress | None, stop: threading.Event):
        self.store, self.feed, self.client, self.settings = store, feed, client, settings
        self.progress, self.stop = progress, stop
        self.new = self.updated = 0
        self.failed: list[Failure] = []
        self.saved_now: dict[str, str] = {}  # article id -> item link, saved by this feed in this run

    def run(self) -> FeedResult:
        feed = self.feed
        feed["last_checked"] = _now()
        try:
            fetched = self.client.get(feed["url"], accept=FEED_ACCEPT, etag=feed.get("etag", ""),
                                      last_modified=feed.get("last_modified", ""))
            if fetched.not_modified:
                feed["last_error"] = None
                return FeedResult(url=feed["url"])
            parsed = parse_feed(fetched)
        except (FetchFailed, FeedError) as error:
            feed["last_error"] = getattr(error, "reason", None) or str(error)
            return FeedResult(url=feed["url"], error=feed["last_error"])
        feed["title"] = parsed.title or feed.get("title", "")
        for number, entry in enumerate(parsed.entries, 1):
            if self.stop.is_set():
                break  # validators not stored: the next update reads the whole feed again
            self._item(entry)
            if self.progress:
                self.progress(number, len(parsed.entries), f"{feed['title'] or feed['url']}: {entry.title}")
        else:
            feed["etag"], feed["last_modified"] = fetched.etag, fetched.last_modified
        feed["last_error"] = None
        return FeedResult(url=feed["url"], new=self.new, updated=self.updated, failed=tuple(self.failed))

    def _item(self, entry: Entry) -> None:
        items, seen = self.feed.setdefault("items", {}), self.store.data["seen"]
        if not entry.link:
            self.failed.append(Failure(url=self.feed["url"], reason=f"item {entry.title or entry.id or '(untitled)'!r}"
                                                                    " has no link"))
            return
        key = entry.id or normalize_url(entry.link)
        known = items.get(key)
        if known and known["fingerprint"] == entry.fingerprint():
            return
        keys = self._keys(entry)
        if not known:
            other = next((seen[k] for k in keys if k in seen), None)
            if other is not None:
                items[key] = {"article": other, "fingerprint": entry.fingerprint(), "etag": "", "last_modified": ""}
                self.failed.append(Failure(url=entry.link, reason=f"duplicate item: already saved as {other}"))
                return
        saved = self._save(entry, known)
        if saved is None:
            return
        rel, outcome, page, canonical = saved
        items[key] = {"article": rel, "fingerprint": entry.fingerprint(), **page}
        for k in keys + [f"url:{canonical}"]:
            seen[k] = rel
        self.new += outcome == "added" and not known
        self.updated += outcome == "updated" or (outcome == "added" and bool(known))

    def _keys(self, entry: Entry) -> list[str]:
        keys = [f"url:{normalize_url(entry.link)}"]
        if entry.id:
            # an id that is a URL or URN names the item everywhere; a bare one ("42") only on its site
            scope = "" if ":" in entry.id else f"{urlsplit(self.feed['url']).hostname}:"
            keys.append(f"id:{scope}{entry.id}")
        return keys

    def _save(self, entry: Entry, known: dict | None) -> tuple[str, str, dict, str] | None:
        """(article id, outcome, the page's validators, canonical URL), or None when the item
        is reported."""
        previous = known or {}
        try:
            page = self.client.get(entry.link, etag=previous.get("etag", ""),
                                   last_modified=previous.get("last_modified", ""))
            if page.not_modified and previous.get("article"):
                validators = {"etag": page.etag or previous.get("etag", ""),
                              "last_modified": page.last_modified or previous.get("last_modified", "")}
                return previous["article"], "unchanged", validators, normalize_url(entry.link)
            if page.not_modified:  # a 304 to a request that was not conditional
                raise FetchFailed(entry.link, "HTTP 304 Not Modified to a plain request")
            record = extract(page, given_url=entry.link)
            validators = {"etag": page.etag, "last_modified": page.last_modified}
        except FetchFailed as failed:
            from_item = self._from_item(entry)
            if from_item is None:
                self.failed.append(Failure(url=entry.link, reason=f"{failed.reason}; the item holds no article "
                                                                  "text of its own"))
                return None
            record = from_item
            validators = {"etag": "", "last_modified": ""}
        canonical = normalize_url(record["url"])
        rel = article_path(canonical)
        first = self.saved_now.get(rel)
        if first is not None and first != entry.link:
            self.failed.append(Failure(url=entry.link, reason=f"duplicate item: the same article as {first}"))
            return None
        if not known and f"url:{canonical}" in self.store.data["seen"]:  # another item led to the same page
            self.failed.append(Failure(url=entry.link, reason=f"duplicate item: already saved as {rel}"))
            return None
        self.saved_now[rel] = entry.link
        return rel, save_record(self.settings.articles_dir, rel, record), validators, canonical

    def _from_item(self, entry: Entry) -> dict | None:
        """The item's own content as the article, when it holds one."""
        text = html_text(entry.content)
        if len(text.split()) < MIN_WORDS:
            return None
        source = self.feed.get("title") or urlsplit(entry.link).hostname or ""
        return {"title": entry.title, "source": source, "author": entry.author,
                "published": entry.published or entry.updated, "url": normalize_url(entry.link),
                "fetched_url": entry.link, "from_feed": self.feed["url"], "text": text}



class FeedPoller:
    """Updates the feeds in a background thread: at start, then every `every` seconds
    (ASSISTANT_FEEDS_EVERY), until stop(). Builds are crash-safe and readers never wait for
    them, so answers keep flowing during an update."""

    def __init__(self, settings: Settings, every: float | None = None,
                 on_report: Callable[[UpdateReport], None] | None = None):
        from .settings import parse_duration

        self.settings = settings
        self.every = every if every is not None else parse_duration(settings.feeds_every)
        self.on_report = on_report
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="feed-poller", daemon=True)

    def start(self) -> FeedPoller:
        self._thread.start()
        return self

    def stop(self, timeout: float = 30.0) -> None:
        self._stop.set()  # an update in progress ends after its current item
        if self._thread.is_alive():
            self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                report = update_feeds(self.settings, stop=self._stop)
                if self.on_report:
                    self.on_report(report)
            except AssistantError as error:  # the store is down, the index busy: try again next time
                log.warning("feed update failed: %s", error)
            except Exception:  # a bug must not end the polling of a running app
                log.exception("feed update failed")
            self._stop.wait(self.every)
