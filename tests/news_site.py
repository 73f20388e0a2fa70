"""A small news site on 127.0.0.1 for the fetching tests: realistic article pages (Open
Graph and article: meta, JSON-LD, bylines, navigation and comments that must be left out),
RSS, Atom and JSON feeds pointing at them, conditional GET, and every way a site can fail
(slow, endless, gzip bomb, 404/500, not HTML, no text, redirects)."""

from __future__ import annotations

import gzip
import hashlib
import html
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import formatdate, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Resource:
    body: bytes
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    headers: dict = field(default_factory=dict)
    etag: bool = True  # answer If-None-Match
    modified: float | None = None  # Last-Modified (epoch seconds); answer If-Modified-Since


STORIES = {
    "ferry": dict(
        slug="harbour-ferry-strike", outlet="Harbour Times", author="Mara Lindqvist",
        published="2026-11-20T08:30:00+00:00", title="Ferry crews in Port Elling strike over night shifts",
        paragraphs=[
            "Ferry crews in Port Elling walked off the job on Thursday morning, halting the crossing to "
            "Skerry Island for the first time in eleven years, the Harbour Ferry Company said.",
            "The crews' union said the strike would last 48 hours and was called over a new rota that "
            "adds three night shifts a month without extra pay. About 4,200 passengers use the crossing "
            "each day, most of them commuters and pupils of the island's secondary school.",
            "Company spokesperson Olav Brenn said talks with the union would resume on Monday and that a "
            "replacement water taxi would carry medical staff and patients during the strike.",
            "Island councillor Henrike Aas called the stoppage a blow to the island's shops in the run-up "
            "to the winter market, which opens on 5 December.",
        ]),
    "lake": dict(
        slug="lake-varna-record-low", outlet="Valley Courier", author="Tomas Reyes",
        published="2026-11-18T14:00:00+00:00", title="Lake Varna falls to its lowest level on record",
        paragraphs=[
            "Lake Varna has fallen to 212.4 metres above sea level, its lowest level since measurements "
            "began in 1921, the regional water authority reported on Tuesday.",
            "The authority blamed a dry autumn with 38 percent of the usual rainfall and rising demand "
            "from farms along the valley. Boat launches at Kessel Bay have been closed since October.",
            "Hydrologist Ines Marlow said the lake would need a wet winter with at least twice the usual "
            "snowfall on the Varna ridge to recover by next summer.",
            "Farmers' groups asked for a temporary cut in irrigation fees while restrictions on pumping "
            "from the lake remain in force.",
        ]),
    "museum": dict(
        slug="museum-reopens", outlet="Harbour Times", author="Jon Edvardsen",
        published="2026-11-22T10:15:00+00:00", title="Maritime museum reopens after a two-year refit",
        paragraphs=[
            "The Port Elling Maritime Museum reopened on Saturday after a two-year refit that cost 14 "
            "million crowns, with a restored nineteenth-century schooner as its centrepiece.",
            "Director Sigrid Holm said the schooner Albatross had been lifted into the new glass hall in "
            "a single night in March, watched by more than three hundred residents.",
            "Entry stays free for children under sixteen, and the museum will open late on Thursdays "
            "through the winter, Holm said.",
        ]),
}

CHANGED_PARAGRAPH = ("Company spokesperson Olav Brenn said talks with the union would resume on Wednesday and "
                     "that a replacement water taxi would carry medical staff and patients during the strike.")


def article_page(story: dict, base: str, *, paragraphs: list[str] | None = None, charset: str = "utf-8") -> bytes:
    """A news page as a CMS would serve it: meta, JSON-LD, a menu, the article, comments, a footer."""
    e = html.escape
    url = f"{base}/news/{story['slug']}.html"
    ld = json.dumps({"@context": "https://schema.org", "@type": "NewsArticle", "headline": story["title"],
                     "datePublished": story["published"], "dateModified": story.get("modified", story["published"]),
                     "author": {"@type": "Person", "name": story["author"]},
                     "publisher": {"@type": "Organization", "name": story["outlet"]}, "mainEntityOfPage": url})
    body = "\n".join(f"<p>{e(p)}</p>" for p in (paragraphs or story["paragraphs"]))
    page = f"""<!DOCTYPE html>
<html lang="en"><head>
<meta charset="{charset}">
<title>{e(story['title'])} | {e(story['outlet'])}</title>
<link rel="canonical" href="{url}">
<meta property="og:title" content="{e(story['title'])}">
<meta property="og:site_name" content="{e(story['outlet'])}">
<meta property="og:type" content="article">
<meta property="og:url" content="{url}">
<meta property="article:published_time" content="{story['published']}">
<meta property="article:modified_time" content="{story.get('modified', story['published'])}">
<meta property="article:author" content="{e(story['author'])}">
<meta name="author" content="{e(story['author'])}">
<script type="application/ld+json">{ld}</script>
</head><body>
<header><nav class="menu"><ul><li><a href="/">Home</a></li><li><a href="/news">News</a></li>
<li><a href="/sport">Sport</a></li><li><a href="/weather">Weather</a></li><li><a href="/subscribe">Subscribe
today and save 50 percent on your first year</a></li></ul></nav></header>
<main><article>
<h1>{e(story['title'])}</h1>
<p class="byline">By <span class="author">{e(story['author'])}</span> ·
<time datetime="{story['published']}">{story['published'][:10]}</time></p>
{body}
</article>
<aside class="related"><h2>Most read</h2><ul><li><a href="/news/x">Celebrity chef opens a pop-up bakery</a></li>
<li><a href="/news/y">Ten things to do this weekend</a></li></ul></aside>
<section id="comments" class="comments"><h2>Comments</h2>
<div class="comment"><p>Reader4711 wrote: This is outrageous, the council has been asleep for years!</p></div>
<div class="comment"><p>BoatFan wrote: I remember when the crossing cost one crown. Bring back the old boats.</p></div>
</section></main>
<footer><p>Copyright 2026 {e(story['outlet'])}. All rights reserved. Cookie settings. Privacy policy.</p></footer>
</body></html>"""
    return page.encode(charset)


def rss(base: str, stories: list[dict], *, title: str = "Harbour Times: News") -> bytes:
    items = "".join(f"""<item><title>{html.escape(s['title'])}</title><link>{base}/news/{s['slug']}.html</link>
<guid isPermaLink="false">{s['slug']}</guid><pubDate>{formatdate(_ts(s['published']), usegmt=True)}</pubDate>
<description>{html.escape(s['paragraphs'][0])}</description></item>""" for s in stories)
    return (f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>{title}</title>'
            f'<link>{base}/</link><description>News</description>{items}</channel></rss>').encode()


def atom(base: str, stories: list[dict], *, title: str = "Valley Courier") -> bytes:
    entries = "".join(f"""<entry><title>{html.escape(s['title'])}</title>
<link rel="alternate" href="{base}/news/{s['slug']}.html"/><id>urn:story:{s['slug']}</id>
<updated>{s.get('updated', s['published'])}</updated><published>{s['published']}</published>
<author><name>{html.escape(s['author'])}</name></author><summary>{html.escape(s['paragraphs'][0])}</summary></entry>"""
                      for s in stories)
    return (f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>{title}</title>'
            f'<id>urn:feed:{title}</id><updated>2026-11-22T10:15:00Z</updated>{entries}</feed>').encode()


def json_feed(base: str, stories: list[dict], *, title: str = "Harbour Times (JSON)") -> bytes:
    return json.dumps({"version": "https://jsonfeed.org/version/1.1", "title": title, "home_page_url": base,
                       "items": [{"id": s["slug"], "url": f"{base}/news/{s['slug']}.html", "title": s["title"],
                                  "date_published": s["published"], "summary": s["paragraphs"][0],
                                  "authors": [{"name": s["author"]}]} for s in stories]}).encode()


def _ts(iso: str) -> float:
    from datetime import datetime

    return datetime.fromisoformat(iso).timestamp()


class NewsSite:
    """The server; `resources` maps a path to what it serves (tests change them as they go)."""

    def __init__(self) -> None:
        self.resources: dict[str, Resource | Callable] = {}
        self.requests: list[tuple[str, dict]] = []  # (path, headers) of every request
        self.started: list[float] = []  # when each request arrived (time.monotonic)
        self.in_flight = self.most_in_flight = 0
        self._count = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, name="news-site", daemon=True)

    def url(self, path: str) -> str:
        return self.base + path

    def hits(self, path: str) -> list[dict]:
        return [headers for p, headers in self.requests if p == path]

    def start(self) -> NewsSite:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _handler(self):
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # quiet
                pass

            def do_GET(self):
                with site._count:
                    site.requests.append((self.path, dict(self.headers)))
                    site.started.append(time.monotonic())
                    site.in_flight += 1
                    site.most_in_flight = max(site.most_in_flight, site.in_flight)
                try:
                    resource = site.resources.get(self.path) or site.resources.get(self.path.split("?")[0])
                    if resource is None:
                        return self._send(Resource(b"<html><body><h1>Not found</h1></body></html>", status=404))
                    if callable(resource):
                        return resource(self)
                    return self._send(resource)
                finally:
                    with site._count:
                        site.in_flight -= 1

            def _send(self, r: Resource) -> None:
                etag = '"' + hashlib.sha256(r.body).hexdigest()[:16] + '"'
                if r.status == 200 and r.etag and self.headers.get("If-None-Match") == etag:
                    return self._empty(304, {"ETag": etag})
                since = self.headers.get("If-Modified-Since")
                if r.status == 200 and r.modified and since and parsedate_to_datetime(since).timestamp() >= int(r.modified):
                    return self._empty(304, {"Last-Modified": formatdate(r.modified, usegmt=True)})
                self.send_response(r.status)
                self.send_header("Content-Type", r.content_type)
                self.send_header("Content-Length", str(len(r.body)))
                if r.etag:
                    self.send_header("ETag", etag)
                if r.modified:
                    self.send_header("Last-Modified", formatdate(r.modified, usegmt=True))
                for key, value in r.headers.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(r.body)

            def _empty(self, status: int, headers: dict) -> None:
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", "0")
                self.end_headers()

        return Handler


# -- ways to fail (callables for NewsSite.resources) ------------------------------------

def slow(seconds: float):
    def handler(request):
        time.sleep(seconds)
        try:
            request._send(Resource(b"<html><body><p>late</p></body></html>"))
        except OSError:  # the client gave up first, as it should
            pass
    return handler


def endless(request) -> None:
    """A body that never ends: chunked, a kilobyte at a time, until the client hangs up."""
    request.send_response(200)
    request.send_header("Content-Type", "text/html")
    request.send_header("Transfer-Encoding", "chunked")
    request.end_headers()
    chunk = b"<p>" + b"more " * 200 + b"</p>"
    try:
        while True:
            request.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
    except OSError:
        pass


_BOMB: list[bytes] = []


def gzip_bomb(request) -> None:
    """10 MB of spaces in a 10 KB gzip body (the tests' size limits are far below 10 MB)."""
    if not _BOMB:
        _BOMB.append(gzip.compress(b"<html><body>" + b" " * 10_000_000, compresslevel=9))
    body = _BOMB[0]
    request.send_response(200)
    request.send_header("Content-Type", "text/html")
    request.send_header("Content-Encoding", "gzip")
    request.send_header("Content-Length", str(len(body)))
    request.end_headers()
    try:
        request.wfile.write(body)
    except OSError:  # the client stopped reading at its limit, as it should
        pass


def redirect(to: str, status: int = 302):
    def handler(request):
        request._empty(status, {"Location": to})
    return handler


def hang_up(request) -> None:
    """Closes the connection without an answer."""
    request.close_connection = True
    request.connection.close()


def standard_site() -> NewsSite:
    """The site most tests use (not started): the three stories as pages; the harbour stories
    in an RSS feed (ETag) and a JSON Feed, the lake story in an Atom feed (Last-Modified)."""
    site = NewsSite()
    for story in STORIES.values():
        site.resources[f"/news/{story['slug']}.html"] = Resource(article_page(story, site.base))
    harbour = [STORIES["ferry"], STORIES["museum"]]
    site.resources["/feeds/harbour.rss"] = Resource(rss(site.base, harbour), content_type="application/rss+xml")
    site.resources["/feeds/valley.atom"] = Resource(atom(site.base, [STORIES["lake"]]),
                                                    content_type="application/atom+xml", etag=False,
                                                    modified=1_764_000_000)
    site.resources["/feeds/harbour.json"] = Resource(json_feed(site.base, harbour),
                                                     content_type="application/feed+json")
    return site
