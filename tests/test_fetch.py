"""The fetcher keeps its promises against a real HTTP server on 127.0.0.1: limits on time
and size, redirects checked one by one, private addresses refused, robots.txt obeyed,
one polite request at a time per host, and every failure told in plain words."""

import gzip
import threading

import pytest

from index import Settings
from index.fetch import Fetcher, FetchFailed, address_refusal
from tests.news_site import STORIES, Resource, article_page, endless, gzip_bomb, redirect, slow

from .helpers import free_port


def failure(site_or_url, path: str = "", **env) -> str:
    url = site_or_url.url(path) if path else site_or_url
    with Fetcher(Settings.load(**env)) as fetcher:
        with pytest.raises(FetchFailed) as caught:
            fetcher.get(url)
    assert caught.value.url == url
    return caught.value.reason


def test_a_page_comes_with_its_charset_and_the_request_names_the_project(news_site):
    with Fetcher(Settings.load()) as fetcher:
        page = fetcher.get(news_site.url("/news/harbour-ferry-strike.html"))
    assert page.status == 200 and page.is_html() and "Port Elling" in page.text()
    assert "news-assistant" in news_site.hits("/news/harbour-ferry-strike.html")[0]["User-Agent"]


def test_charset_from_the_header_else_from_the_meta_tag(news_site):
    story = {**STORIES["lake"], "title": "Café owners in Varna count the cost of the drought"}
    body = article_page(story, news_site.base, charset="windows-1252")
    news_site.resources["/meta-only"] = Resource(body, content_type="text/html")
    news_site.resources["/header"] = Resource(body, content_type="text/html; charset=windows-1252")
    with Fetcher(Settings.load()) as fetcher:
        for path in ("/meta-only", "/header"):
            assert "Café owners" in fetcher.get(news_site.url(path)).text()


def test_a_gzipped_page_is_read(news_site):
    body = gzip.compress(article_page(STORIES["museum"], news_site.base))
    news_site.resources["/gz"] = Resource(body, headers={"Content-Encoding": "gzip"})
    with Fetcher(Settings.load()) as fetcher:
        assert "schooner Albatross" in fetcher.get(news_site.url("/gz")).text()
    assert "gzip" in news_site.hits("/gz")[0]["Accept-Encoding"]


@pytest.mark.parametrize("path, resource, reason", [
    ("/gone", None, "HTTP 404 Not Found"),
    ("/broken", Resource(b"oops", status=500), "HTTP 500"),
    ("/endless", endless, "too large (more than 0.2 MB; cut off"),
    ("/bomb", gzip_bomb, "too large (more than 0.2 MB; cut off"),
    ("/slow", slow(2), "timed out waiting for 127.0.0.1"),
])
def test_each_broken_response_is_reported_with_its_reason(news_site, monkeypatch, path, resource, reason):
    monkeypatch.setenv("ASSISTANT_MAX_ARTICLE_BYTES", "200000")
    monkeypatch.setenv("ASSISTANT_FETCH_TIMEOUT", "0.5")
    if resource is not None:
        news_site.resources[path] = resource
    assert reason in failure(news_site, path)


def test_unreachable_hosts_and_unfetchable_urls_are_reported(news_site):
    assert "cannot connect to 127.0.0.1" in failure(f"http://127.0.0.1:{free_port()}/news")
    assert "DNS lookup of no-such-host.invalid failed" in failure("http://no-such-host.invalid/story")
    assert "only http and https" in failure("file:///etc/passwd")
    assert "only http and https" in failure("javascript:alert(1)")
    assert "user name or password" in failure("http://admin:secret@example.com/")
    assert "not a valid URL" in failure("http://[::1/")


def test_redirects_are_followed_at_most_five_times(news_site):
    news_site.resources["/moved"] = redirect("/news/lake-varna-record-low.html", 301)
    with Fetcher(Settings.load()) as fetcher:
        page = fetcher.get(news_site.url("/moved"))
    assert page.url.endswith("/news/lake-varna-record-low.html") and "Lake Varna" in page.text()
    for n in range(7):
        news_site.resources[f"/hop{n}"] = redirect(f"/hop{n + 1}")
    assert failure(news_site, "/hop0") == "more than 5 redirects"
    news_site.resources["/to-ftp"] = redirect("ftp://127.0.0.1/file")
    assert "only http and https" in failure(news_site, "/to-ftp")


def test_private_addresses_are_refused_unless_allowed(news_site, monkeypatch):
    monkeypatch.setenv("ASSISTANT_FETCH_ALLOW_PRIVATE", "false")
    for url in (news_site.url("/news/harbour-ferry-strike.html"),
                news_site.url("/news/harbour-ferry-strike.html").replace("127.0.0.1", "localhost")):
        assert "a loopback address (127.0.0.1; ASSISTANT_FETCH_ALLOW_PRIVATE=true allows it)" in failure(url)
    assert news_site.requests == []  # refused before any connection


def test_a_redirect_to_a_cloud_metadata_address_is_refused_even_when_private_is_allowed(news_site):
    news_site.resources["/innocent"] = redirect("http://169.254.169.254/latest/meta-data/iam/")
    assert "refused: 169.254.169.254 resolves to a cloud metadata address" in failure(news_site, "/innocent")


@pytest.mark.parametrize("address, refused", [
    ("8.8.8.8", ""), ("2a00:1450:4001:82b::200e", ""),
    ("127.0.0.1", "loopback"), ("::1", "loopback"), ("::ffff:127.0.0.1", "loopback"),
    ("10.1.2.3", "private"), ("192.168.0.10", "private"), ("172.16.5.4", "private"), ("fd12::1", "private"),
    ("100.64.0.1", "private"), ("0.0.0.0", "unspecified"), ("169.254.10.10", "link-local"),
    ("fe80::1", "link-local"), ("169.254.169.254", "metadata"), ("fd00:ec2::254", "metadata"),
])
def test_which_addresses_are_refused(address, refused):
    why = address_refusal(address, allow_private=False)
    assert (refused in why) if refused else why == ""
    if refused != "metadata":
        assert address_refusal(address, allow_private=True) == ""


def test_robots_txt_is_obeyed_unless_told_otherwise(news_site, monkeypatch):
    news_site.resources["/robots.txt"] = Resource(b"User-agent: *\nDisallow: /news/lake\n", content_type="text/plain")
    assert "robots.txt of 127.0.0.1" in failure(news_site, "/news/lake-varna-record-low.html")
    with Fetcher(Settings.load()) as fetcher:
        assert fetcher.get(news_site.url("/news/harbour-ferry-strike.html")).status == 200
    monkeypatch.setenv("ASSISTANT_FETCH_ROBOTS", "false")
    with Fetcher(Settings.load()) as fetcher:
        assert fetcher.get(news_site.url("/news/lake-varna-record-low.html")).status == 200


def test_one_request_at_a_time_per_host_with_a_delay_between(news_site, monkeypatch):
    monkeypatch.setenv("ASSISTANT_FETCH_DELAY", "0.3")
    news_site.resources["/a"] = slow(0.2)
    news_site.resources["/b"] = slow(0.2)
    settings = Settings.load()

    def get(path):
        with Fetcher(settings) as fetcher:
            fetcher.get(news_site.url(path))

    threads = [threading.Thread(target=get, args=(p,)) for p in ("/a", "/b", "/a", "/b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert news_site.most_in_flight == 1
    starts = sorted(news_site.started)
    # each request (robots.txt's too) starts at least the delay after the one before ended
    assert len(starts) >= 4 and all(b - a >= 0.29 for a, b in zip(starts, starts[1:]))


def test_conditional_requests_come_back_as_not_modified(news_site):
    with Fetcher(Settings.load()) as fetcher:
        first = fetcher.get(news_site.url("/feeds/harbour.rss"))
        again = fetcher.get(news_site.url("/feeds/harbour.rss"), etag=first.etag)
        atom = fetcher.get(news_site.url("/feeds/valley.atom"))
        atom_again = fetcher.get(news_site.url("/feeds/valley.atom"), last_modified=atom.last_modified)
    assert first.etag and again.not_modified and again.body == b""
    assert atom.last_modified and atom_again.not_modified
