"""Articles from web pages: fetch, extract the main text and metadata, keep it as a file.

Each page becomes one article JSON file, `web/<host>/<slug>.json` under the articles
folder, holding the fields the loader reads (title, source, author, published, url,
text) plus the URL it was fetched from, so the folder stays the one source of truth
(rebuilds, shards and offsets work as for any other file). The file is named after the
page's canonical URL, so the same story reached by another link is the same file. When
a page changed since it was saved (a correction, an update), the earlier version is kept
beside it as `<slug>.vN.json` and the file is rewritten: the index sees a new version,
and the news features (versions of a story, corrections) see both.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from .articles import clean_text
from .errors import AssistantError
from .fetch import Fetched, Fetcher, FetchFailed, check_url, using_fetcher
from .settings import Settings

WEB_FOLDER = "web"
MIN_WORDS = 20  # less main text than this is navigation or a teaser, not an article
ARTICLE_FIELDS = ("title", "source", "author", "published", "url", "text")  # what decides "changed"
_TRACKING = re.compile(r"^(utm_\w+|fbclid|gclid|dclid|mc_cid|mc_eid|ocid|cmpid|_ga|at_medium|at_campaign)$", re.I)

Progress = Callable[[int, int, str], None]  # (done, total, url)


@dataclass(frozen=True, kw_only=True)
class Failure:
    url: str
    reason: str

    def as_dict(self) -> dict:
        return {"url": self.url, "reason": self.reason}


@dataclass(frozen=True, kw_only=True)
class Saved:
    id: str  # the article id: its path relative to the articles folder
    outcome: str  # "added", "updated" or "unchanged"
    url: str  # the article's (canonical) URL


@dataclass(frozen=True, kw_only=True)
class AddReport:
    added: tuple[str, ...] = ()
    updated: tuple[str, ...] = ()
    unchanged: tuple[str, ...] = ()
    failed: tuple[Failure, ...] = ()
    index: object = field(default=None, compare=False)  # the IndexReport of the sync that followed

    def as_dict(self) -> dict:
        return {"added": list(self.added), "updated": list(self.updated), "unchanged": list(self.unchanged),
                "failed": [f.as_dict() for f in self.failed]}


# -- URLs and file names ----------------------------------------------------------------

def normalize_url(url: str) -> str:
    """One spelling per page: lower-case scheme and host, no default port, no fragment, no
    tracking parameters (utm_*, fbclid, ...)."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    port = parts.port
    netloc = host if port is None or (scheme, port) in (("http", 80), ("https", 443)) else f"{host}:{port}"
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _TRACKING.match(k)])
    return urlunsplit((scheme, netloc, parts.path or "/", query, ""))


def article_path(url: str) -> str:
    """`web/<host>/<slug>.json` for a page: readable, and unique per normalized URL."""
    url = normalize_url(url)
    parts = urlsplit(url)
    host = re.sub(r"[^a-z0-9.-]+", "_", (parts.hostname or "").lower().removeprefix("www.")).strip(".") or "unknown"
    segments = [s for s in parts.path.split("/") if s]
    last = re.sub(r"\.(s?html?|php|aspx?)$", "", segments[-1], flags=re.I) if segments else "index"
    slug = re.sub(r"[^a-z0-9]+", "-", last.lower()).strip("-")[:60].strip("-") or "page"
    digest = hashlib.sha256(url.encode("utf-8")).hexdigest()[:8]
    return f"{WEB_FOLDER}/{host}/{slug}-{digest}.json"


# -- extraction -------------------------------------------------------------------------

def extract(fetched: Fetched, *, given_url: str) -> dict:
    """The article record of a fetched page; FetchFailed when it holds no article."""
    if not fetched.is_html():
        raise FetchFailed(given_url, f"not an HTML page ({fetched.content_type or 'unknown content type'})")
    import trafilatura

    html = fetched.text()
    doc = trafilatura.bare_extraction(html, url=fetched.url, with_metadata=True, include_comments=False,
                                      include_tables=False, favor_precision=True)
    meta = (doc.as_dict() if hasattr(doc, "as_dict") else dict(doc)) if doc is not None else {}
    title = " ".join(str(meta.get("title") or "").split())
    text = _without_headline(clean_text(meta.get("text") or ""), title)
    if len(text.split()) < MIN_WORDS:
        raise FetchFailed(given_url, "no article text could be extracted from the page")
    return {
        "title": title,
        "source": str(meta.get("sitename") or "").strip() or _site(fetched.url),
        "author": str(meta.get("author") or "").strip(),
        "published": str(meta.get("date") or ""),
        "url": canonical_url(meta.get("url"), fetched.url),
        "fetched_url": given_url,
        "modified": _modified(html),
        "text": text,
    }


def _modified(html: str) -> str:
    """When the page says it was last changed (article:modified_time, dateModified), or ""."""
    from htmldate import find_date

    try:
        return find_date(html, extensive_search=False, original_date=False, outputformat="%Y-%m-%dT%H:%M:%S%z") or ""
    except Exception:  # htmldate reads arbitrary markup; a date is a nicety, never a reason to fail
        return ""


def _without_headline(text: str, title: str) -> str:
    """The text without its first line when that is the headline (trafilatura keeps the
    <h1>): the title is stored apart, and as a line of text it would be cited as a sentence."""
    first, _, rest = text.partition("\n")
    return rest.lstrip() if title and " ".join(first.split()) == title and rest.strip() else text


def canonical_url(declared: str | None, final_url: str) -> str:
    """The page's canonical URL when it names the same site (a page cannot claim another
    site's name, and so another site's file); else the URL it was fetched from."""
    final = normalize_url(final_url)
    if not declared:
        return final
    candidate = urljoin(final_url, str(declared).strip())
    try:
        check_url(candidate)
    except FetchFailed:
        return final
    if _site(candidate) != _site(final_url):
        return final
    return normalize_url(candidate)


def _site(url: str) -> str:
    return (urlsplit(url).hostname or "").lower().removeprefix("www.")


def utc_now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


# -- saving -----------------------------------------------------------------------------

def save_record(folder: Path, rel: str, record: dict) -> str:
    """Write `record` as `rel` under `folder`: "added", "updated" (the earlier version kept as
    <slug>.vN.json) or "unchanged" (same article fields; the file is not touched)."""
    root = Path(folder).resolve()
    target = root / rel
    if root not in target.resolve().parents:
        raise AssistantError(f"refused to write {rel} outside the articles folder")
    target.parent.mkdir(parents=True, exist_ok=True)
    previous = _read(target)
    if previous is not None and _same_article(previous, record):
        return "unchanged"
    now = utc_now()
    record = {**record, "fetched": now}
    if previous is not None:
        record = _later_version(previous, record, now)
        number = 1
        while (earlier := target.with_name(f"{target.stem}.v{number}.json")).exists():
            number += 1
        os.replace(target, earlier)  # same folder: atomic; the reader sees the old name or the new one
    write_atomic(target, json.dumps(record, ensure_ascii=False, indent=1).encode("utf-8"))
    return "added" if previous is None else "updated"


def _same_article(previous: dict, record: dict) -> bool:
    """Same article fields; a saved later version's date counts as the page's own date."""
    published = previous.get("published", "")
    if previous.get("first_published") and record.get("published", "") == previous["first_published"]:
        published = record.get("published", "")
    return published == record.get("published", "") and all(
        previous.get(k, "") == record.get(k, "") for k in ARTICLE_FIELDS if k != "published")


def _later_version(previous: dict, record: dict, now: str) -> dict:
    """A changed page is a later version of its story, and its date must say so: the news
    features tell versions apart by date (the newer one speaks for the story). When the
    page kept its publication date, the version is dated by the page's modification date,
    else by when the change was fetched; `first_published` keeps the original date."""
    from .articles import parse_date

    before = parse_date(previous.get("published", ""))[1]
    after = parse_date(record.get("published", ""))[1]
    if before is None or (after is not None and after > before):
        return record
    for candidate in (record.get("modified", ""), now):
        stamp = parse_date(candidate)[1]
        if stamp is not None and stamp > before:
            first = previous.get("first_published") or previous.get("published", "")
            return {**record, "published": candidate, "first_published": first}
    return record


def save_or_fail(folder: Path, rel: str, record: dict, url: str) -> str:
    """save_record, with a folder that cannot be written to reported like a failed fetch."""
    try:
        return save_record(folder, rel, record)
    except (OSError, AssistantError) as error:
        raise FetchFailed(url, f"cannot be saved as {rel} ({getattr(error, 'strerror', None) or error})") from None


def _read(path: Path) -> dict | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def write_atomic(target: Path, data: bytes) -> None:
    # a hidden temporary name: the loader skips hidden files, so it never reads half a file
    handle, temp = tempfile.mkstemp(prefix=".fetch-", dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temp, target)
    except BaseException:
        os.unlink(temp)
        raise


# -- adding URLs ------------------------------------------------------------------------

def fetch_article(fetcher: Fetcher, url: str) -> dict:
    """The article record of the page at `url`; FetchFailed with the reason otherwise."""
    check_url(url)
    return extract(fetcher.get(url), given_url=url)


def add_urls(urls: Iterable[str], *, settings: Settings | None = None, progress: Progress | None = None,
             index: bool = True, fetcher: Fetcher | None = None) -> AddReport:
    """Fetch each page, save it as an article file and (with `index`) sync the index once.
    Every URL that fails is reported with the reason; the others are added regardless."""
    settings = settings or Settings.load()
    urls = list(urls)
    outcomes: dict[str, list[str]] = {"added": [], "updated": [], "unchanged": []}
    failed: list[Failure] = []
    done: dict[str, str] = {}  # article id -> the URL that gave it (duplicates in one request)
    with using_fetcher(settings, fetcher) as client:
        for number, url in enumerate(urls, 1):
            try:
                record = fetch_article(client, url)
                rel = article_path(record["url"])
                if rel in done:
                    raise FetchFailed(url, f"duplicate: the same article as {done[rel]}")
                outcome = save_or_fail(settings.articles_dir, rel, record, url)
                done[rel] = url
                outcomes[outcome].append(rel)
            except FetchFailed as failure:
                failed.append(Failure(url=url, reason=failure.reason))
            if progress:
                progress(number, len(urls), url)
    report = None
    if index and done:
        from .build import build_index

        report = build_index(settings.articles_dir, settings=settings)
        failed += _skipped_by_loader(report, done)
    bad = {f.url for f in failed}
    keep = {rel for rel, url in done.items() if url not in bad}
    return AddReport(**{k: tuple(v for v in ids if v in keep) for k, ids in outcomes.items()},
                     failed=tuple(failed), index=report)


def _skipped_by_loader(report, done: dict[str, str]) -> list[Failure]:
    """A saved file that the loader then refused (it should not happen: said, not hidden)."""
    return [Failure(url=done[s.name], reason=f"saved but not indexed: {s.reason}")
            for s in report.skipped if s.name in done]
