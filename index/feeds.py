"""Following feeds: updating them, and the public door to the feed functions.

An update polls every feed with a conditional GET (an unchanged feed costs one 304), and
for each item that is new or changed in its feed fetches the item's page and saves it as
an article file (`web.save_record`); when the page cannot be fetched or holds no
article, the item's own content is used if it holds one, else the item is reported.
Items are deduplicated across feeds by id, link and the page's canonical URL. Then the
index is synced once. The formats are read in `feed_formats`, the list of feeds is kept
by `feed_list`; both are re-exported here.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from .errors import AssistantError
from .feed_formats import Entry, FeedError, ParsedFeed, discover_feeds, html_text, parse_feed
from .feed_list import (
    FEED_ACCEPT,
    FEEDS_FILE,
    FeedInfo,
    FeedStore,
    ImportReport,
    add_feed,
    export_opml,
    import_opml,
    list_feeds,
    remove_feed,
)
from .fetch import Fetcher, FetchFailed, using_fetcher
from .settings import Settings
from .web import MIN_WORDS, Failure, article_path, extract, normalize_url, save_or_fail, utc_now

__all__ = ["FEEDS_FILE", "Entry", "FeedError", "FeedInfo", "FeedPoller", "FeedResult", "ImportReport", "ParsedFeed",
           "UpdateReport", "add_feed", "discover_feeds", "export_opml", "html_text", "import_opml", "list_feeds",
           "parse_feed", "remove_feed", "update_feeds"]

log = logging.getLogger("index.feeds")

Progress = Callable[[int, int, str], None]  # (done, total, what)


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
    with FeedStore(settings) as store, using_fetcher(settings, fetcher) as client:
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
        feed["last_checked"] = utc_now()
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
        try:
            outcome = save_or_fail(self.settings.articles_dir, rel, record, entry.link)
        except FetchFailed as failed:  # the folder is full or read-only: say so, go on
            self.failed.append(Failure(url=entry.link, reason=failed.reason))
            return None
        return rel, outcome, validators, canonical

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
