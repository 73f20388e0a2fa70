"""The followed feeds: the list in the data dir (`feeds.json`, locked while in use), adding
(a feed is checked once before it is followed), removing, and OPML import and export."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

from .errors import IndexBusy
from .feed_formats import FeedError, parse_feed
from .fetch import Fetcher, FetchFailed, check_url, using_fetcher
from .settings import Settings
from .web import Failure, normalize_url, utc_now, write_atomic

FEEDS_FILE = "feeds.json"
FEED_ACCEPT = ("application/rss+xml, application/atom+xml, application/feed+json, application/json;q=0.9, "
               "application/xml;q=0.8, text/xml;q=0.8, */*;q=0.5")


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
            self.data = self.load()
        except BaseException:
            self._lock.release()
            raise
        return self

    def __exit__(self, kind, *exc) -> None:
        try:
            self.save()  # also after an interruption: what was saved so far is remembered
        finally:
            self._lock.release()

    def load(self) -> dict:
        """The stored list (empty when there is none)."""
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
        write_atomic(self.path, json.dumps(self.data, ensure_ascii=False, indent=1).encode("utf-8"))

    @property
    def feeds(self) -> list[dict]:
        return self.data["feeds"]

    def find(self, url: str) -> dict | None:
        key = normalize_url(url)
        return next((f for f in self.feeds if normalize_url(f["url"]) == key), None)

    def add(self, url: str, title: str = "") -> dict:
        feed: dict[str, Any] = {"url": url, "title": title, "added": utc_now(), "last_checked": "", "last_error": None,
                "etag": "", "last_modified": "", "items": {}}
        self.feeds.append(feed)
        return feed


def _info(feed: dict) -> FeedInfo:
    return FeedInfo(url=feed["url"], title=feed.get("title", ""), last_checked=feed.get("last_checked", ""),
                    items_seen=len(feed.get("items", {})), last_error=feed.get("last_error"))


def list_feeds(settings: Settings | None = None) -> list[FeedInfo]:
    """The followed feeds as last saved. Read without the lock (the file is replaced whole),
    so the page's list never waits for an update that is running."""
    store = FeedStore(settings or Settings.load())
    return [_info(f) for f in store.load()["feeds"]]


def add_feed(url: str, settings: Settings | None = None, *, fetcher: Fetcher | None = None) -> FeedInfo:
    """Follow the feed at `url` after checking that it is one (fetched once, items not saved)."""
    settings = settings or Settings.load()
    url = url.strip()
    try:
        check_url(url)
        with using_fetcher(settings, fetcher) as client:
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
