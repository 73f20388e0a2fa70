"""A web page becomes one article file with the page's metadata and only its main text;
`add_urls` adds the good pages, reports every bad one and indexes what it saved."""

import json

import pytest

from index import Settings, load_folder
from index.fetch import Fetcher
from index.web import add_urls, article_path, fetch_article, normalize_url, save_record
from tests.news_site import CHANGED_PARAGRAPH, STORIES, Resource, article_page, endless, gzip_bomb, slow

from .helpers import free_port


def test_the_main_text_and_metadata_are_kept_and_the_boilerplate_left_out(news_site):
    url = news_site.url("/news/harbour-ferry-strike.html")
    with Fetcher(Settings.load()) as fetcher:
        record = fetch_article(fetcher, url)
    assert record["title"] == "Ferry crews in Port Elling strike over night shifts"
    assert record["source"] == "Harbour Times" and record["author"] == "Mara Lindqvist"
    assert record["published"].startswith("2026-11-20")
    assert record["url"] == url and record["fetched_url"] == url
    for paragraph in STORIES["ferry"]["paragraphs"]:
        assert paragraph in record["text"]
    for boilerplate in ("Reader4711", "BoatFan", "Subscribe", "Most read", "Celebrity chef", "Copyright", "Cookie"):
        assert boilerplate not in record["text"]


def test_the_file_is_named_after_the_canonical_url(news_site):
    news_site.resources["/news/harbour-ferry-strike.html?utm_source=feed&ref=7"] = Resource(
        article_page(STORIES["ferry"], news_site.base))
    with Fetcher(Settings.load()) as fetcher:
        tracked = fetch_article(fetcher, news_site.url("/news/harbour-ferry-strike.html?utm_source=feed&ref=7"))
    assert tracked["url"] == news_site.url("/news/harbour-ferry-strike.html")
    assert article_path(tracked["url"]).startswith("web/127.0.0.1/harbour-ferry-strike-")
    assert normalize_url("HTTP://Example.COM:80/a?utm_medium=x&id=3#top") == "http://example.com/a?id=3"


def test_a_page_cannot_claim_another_sites_canonical_url(news_site):
    page = article_page(STORIES["lake"], news_site.base).replace(
        f"{news_site.base}/news/lake-varna-record-low.html".encode(), b"https://www.bbc.co.uk/news/x")
    news_site.resources["/copy.html"] = Resource(page)
    with Fetcher(Settings.load()) as fetcher:
        record = fetch_article(fetcher, news_site.url("/copy.html"))
    assert record["url"] == news_site.url("/copy.html")


def test_a_changed_page_rewrites_its_file_and_keeps_the_earlier_version(tmp_path, news_site):
    folder = tmp_path / "folder"
    url = news_site.url("/news/harbour-ferry-strike.html")
    with Fetcher(Settings.load()) as fetcher:
        first = fetch_article(fetcher, url)
        rel = article_path(first["url"])
        assert save_record(folder, rel, first) == "added"
        assert save_record(folder, rel, fetch_article(fetcher, url)) == "unchanged"
        paragraphs = [CHANGED_PARAGRAPH if "Monday" in p else p for p in STORIES["ferry"]["paragraphs"]]
        news_site.resources["/news/harbour-ferry-strike.html"] = Resource(
            article_page(STORIES["ferry"], news_site.base, paragraphs=paragraphs))
        assert save_record(folder, rel, fetch_article(fetcher, url)) == "updated"
    loaded = {a.id: a for a in load_folder(folder).articles}
    earlier = rel.replace(".json", ".v1.json")
    assert set(loaded) == {rel, earlier}
    assert "Wednesday" in loaded[rel].text and "Monday" in loaded[earlier].text
    assert loaded[rel].url == url and loaded[rel].source == "Harbour Times" and loaded[rel].author == "Mara Lindqvist"


def test_bad_urls_are_reported_one_by_one_while_the_good_ones_are_saved(news_site, monkeypatch):
    monkeypatch.setenv("ASSISTANT_MAX_ARTICLE_BYTES", "300000")
    monkeypatch.setenv("ASSISTANT_FETCH_TIMEOUT", "0.5")
    site = news_site
    site.resources.update({
        "/endless": endless, "/bomb": gzip_bomb, "/slow": slow(2),
        "/report.pdf": Resource(b"%PDF-1.7 ...", content_type="application/pdf"),
        "/empty.html": Resource(b"<html><body><nav><a href='/'>Home</a></nav><p>Sign in.</p></body></html>"),
        "/500": Resource(b"error", status=500),
    })
    good = site.url("/news/lake-varna-record-low.html")
    bad = {
        site.url("/missing.html"): "HTTP 404", site.url("/500"): "HTTP 500",
        site.url("/endless"): "too large", site.url("/bomb"): "too large", site.url("/slow"): "timed out",
        site.url("/report.pdf"): "not an HTML page (application/pdf)",
        site.url("/empty.html"): "no article text could be extracted",
        f"http://127.0.0.1:{free_port()}/x": "cannot connect", "http://nowhere.invalid/x": "DNS lookup",
        "gopher://example.com/": "only http and https",
        site.url("/news/lake-varna-record-low.html?utm_campaign=x"): "duplicate: the same article as " + good,
    }
    report = add_urls([good, *bad], index=False)
    assert report.added == (article_path(good),)
    assert {f.url: f.reason for f in report.failed}.keys() == bad.keys()
    for failure in report.failed:
        assert bad[failure.url] in failure.reason
    assert list(report.as_dict()) == ["added", "updated", "unchanged", "failed"]


def test_private_addresses_are_refused_by_add_with_the_setting_off(news_site, monkeypatch):
    monkeypatch.setenv("ASSISTANT_FETCH_ALLOW_PRIVATE", "false")
    report = add_urls([news_site.url("/news/lake-varna-record-low.html")], index=False)
    assert not report.added and "loopback address" in report.failed[0].reason
    assert news_site.requests == []


@pytest.mark.slow
def test_added_pages_are_indexed_and_answered_from(news_site):
    from assistant import answer

    urls = [news_site.url(f"/news/{s['slug']}.html") for s in STORIES.values()]
    report = add_urls(urls + [news_site.url("/nope")])
    assert len(report.added) == 3 and report.index.added == 3 and len(report.failed) == 1
    result = answer("How low has Lake Varna fallen?")
    assert not result.abstained and "212.4 metres" in result.text
    assert result.citations[0].article_id == article_path(urls[1])
    assert result.citations[0].source == "Valley Courier"
    again = add_urls(urls)
    assert again.unchanged == report.added and again.index.unchanged == 3
    saved = json.loads((Settings.load().articles_dir / report.added[0]).read_text())
    assert saved["url"] == urls[0] and saved["fetched_url"] == urls[0]


@pytest.mark.slow
def test_a_corrected_page_is_answered_from_the_new_version_and_the_change_is_told(news_site):
    from assistant import answer

    url = news_site.url("/news/harbour-ferry-strike.html")
    first = add_urls([url])
    story = {**STORIES["ferry"], "modified": "2026-11-21T09:00:00+00:00"}
    paragraphs = [CHANGED_PARAGRAPH if "Monday" in p else p for p in story["paragraphs"]]
    news_site.resources["/news/harbour-ferry-strike.html"] = Resource(
        article_page(story, news_site.base, paragraphs=paragraphs))
    second = add_urls([url])
    assert second.updated == first.added and second.index.added == 1 and second.index.updated == 1
    saved = json.loads((Settings.load().articles_dir / second.updated[0]).read_text())
    assert saved["published"].startswith("2026-11-21T09:00") and saved["first_published"] == "2026-11-20"
    assert add_urls([url]).unchanged == second.updated  # the version's own date is not a change

    result = answer("When will talks between the ferry company and the union resume?")
    assert "Wednesday" in result.text and result.citations[0].article_id == second.updated[0]
    assert [(r.says, r.other_says) for r in result.revisions] and "Monday" in result.revisions[0].other_says
    assert "[1] was updated" in result.text and "the earlier version (2026-11-20) said" in result.text


def test_a_folder_that_cannot_be_written_is_reported_not_raised(news_site, tmp_path, monkeypatch):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the articles folder should be")
    monkeypatch.setenv("ASSISTANT_ARTICLES_DIR", str(blocked))
    url = news_site.url("/news/lake-varna-record-low.html")
    report = add_urls([url], index=False)
    assert not report.added and report.failed[0].url == url and "cannot be saved as web/" in report.failed[0].reason
