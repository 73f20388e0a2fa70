"""Following feeds: RSS, Atom and JSON Feed items become article files; an unchanged feed
costs one 304; items are saved once across feeds; a corrected page is saved again with
the earlier version kept; every bad feed or item is reported while the rest is added."""

import json

import pytest

from index import Settings, load_folder
from index.feeds import FeedError, add_feed, export_opml, import_opml, list_feeds, remove_feed, update_feeds
from index.web import article_path
from tests.news_site import CHANGED_PARAGRAPH, STORIES, Resource, article_page, atom, rss


def follow(site, *paths):
    for path in paths:
        add_feed(site.url(path))


def saved(settings=None):
    return {a.id: a for a in load_folder((settings or Settings.load()).articles_dir).articles}


def page_path(site, story):
    return article_path(site.url(f"/news/{story['slug']}.html"))


def test_rss_atom_and_json_feed_items_become_articles(news_site):
    follow(news_site, "/feeds/harbour.rss", "/feeds/valley.atom")
    report = update_feeds(index=False)
    assert report.as_dict() == {
        "feeds": [{"url": news_site.url("/feeds/harbour.rss"), "new": 2, "updated": 0, "failed": [], "error": None},
                  {"url": news_site.url("/feeds/valley.atom"), "new": 1, "updated": 0, "failed": [], "error": None}],
        "added": 2 + 1, "updated": 0, "failed": 0}
    articles = saved()
    lake = articles[page_path(news_site, STORIES["lake"])]
    assert lake.source == "Valley Courier" and lake.author == "Tomas Reyes" and lake.published.startswith("2026-11-18")
    assert "212.4 metres" in lake.text and "Reader4711" not in lake.text
    assert set(articles) == {page_path(news_site, s) for s in STORIES.values()}


def test_a_json_feed_alone(news_site):
    follow(news_site, "/feeds/harbour.json")
    assert update_feeds(index=False).added == 2
    assert [f.title for f in list_feeds()] == ["Harbour Times (JSON)"]


def test_an_unchanged_feed_costs_one_304(news_site):
    follow(news_site, "/feeds/harbour.rss", "/feeds/valley.atom")
    update_feeds(index=False)
    before = len(news_site.requests)
    report = update_feeds(index=False)
    assert report.added == report.updated == report.failed == 0
    asked = news_site.requests[before:]
    assert [path for path, _ in asked] == ["/feeds/harbour.rss", "/feeds/valley.atom"]
    assert asked[0][1]["If-None-Match"] and asked[1][1]["If-Modified-Since"]  # ETag, then Last-Modified
    assert [f.items_seen for f in list_feeds()] == [2, 1]


def test_items_are_saved_once_across_feeds_and_duplicates_reported_once(news_site):
    follow(news_site, "/feeds/harbour.rss", "/feeds/harbour.json")
    report = update_feeds(index=False).as_dict()
    rss_result, json_result = report["feeds"]
    assert rss_result["new"] == 2 and json_result["new"] == 0
    assert [f["url"] for f in json_result["failed"]] == [news_site.url(f"/news/{s['slug']}.html")
                                                         for s in (STORIES["ferry"], STORIES["museum"])]
    assert all(f["reason"].startswith("duplicate item: already saved as web/") for f in json_result["failed"])
    assert len(saved()) == 2
    news_site.resources["/feeds/harbour.json"].body += b" "  # the feed changes, its items do not
    assert update_feeds(index=False).failed == 0


def test_the_same_page_under_two_links_is_one_article(news_site):
    stories = [STORIES["lake"], {**STORIES["lake"], "slug": "lake-varna-record-low.html?utm_source=rss#x"}]
    news_site.resources["/feeds/twice.rss"] = Resource(rss(news_site.base, stories), content_type="application/rss+xml")
    follow(news_site, "/feeds/twice.rss")
    # the second item's link differs, its page's canonical URL is the first one's
    stories[1]["slug"] = "lake-varna-record-low"
    report = update_feeds(index=False).feeds[0]
    assert report.new == 1 and len(report.failed) == 1 and "duplicate item" in report.failed[0].reason
    assert len(saved()) == 1


def test_a_corrected_page_is_saved_again_with_the_earlier_version_kept(news_site):
    follow(news_site, "/feeds/valley.atom")
    update_feeds(index=False)
    story = STORIES["ferry"]
    paragraphs = [CHANGED_PARAGRAPH if "Monday" in p else p for p in story["paragraphs"]]
    news_site.resources["/feeds/valley.atom"] = Resource(
        atom(news_site.base, [STORIES["lake"], story]), content_type="application/atom+xml", modified=1_764_100_000)
    follow(news_site, "/feeds/harbour.rss")
    update_feeds(index=False)
    # the Atom feed says the ferry story was updated, and its page now says Wednesday
    news_site.resources[f"/news/{story['slug']}.html"] = Resource(
        article_page(story, news_site.base, paragraphs=paragraphs))
    news_site.resources["/feeds/valley.atom"] = Resource(
        atom(news_site.base, [STORIES["lake"], {**story, "updated": "2026-11-21T09:00:00+00:00"}]),
        content_type="application/atom+xml", modified=1_764_200_000)
    report = update_feeds(index=False)
    assert report.updated == 1 and report.added == 0
    rel = page_path(news_site, story)
    articles = saved()
    assert "Wednesday" in articles[rel].text
    assert "Monday" in articles[rel.replace(".json", ".v1.json")].text


def test_an_item_whose_page_fails_falls_back_to_its_own_content(news_site):
    full = "\n".join(f"<p>{p}</p>" for p in STORIES["museum"]["paragraphs"])
    feed = f"""<?xml version="1.0"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel><title>Harbour Times</title><link>{news_site.base}</link><description>x</description>
<item><title>{STORIES['museum']['title']}</title><link>{news_site.base}/gone/museum.html</link>
<pubDate>Sun, 22 Nov 2026 10:15:00 GMT</pubDate><content:encoded><![CDATA[{full}]]></content:encoded></item>
<item><title>Teaser only</title><link>{news_site.base}/gone/teaser.html</link><description>Read more.</description></item>
<item><title>No link at all</title><description>Something happened.</description></item>
</channel></rss>""".encode()
    news_site.resources["/feeds/full.rss"] = Resource(feed, content_type="application/rss+xml")
    follow(news_site, "/feeds/full.rss")
    result = update_feeds(index=False).feeds[0]
    assert result.new == 1
    assert {f.url: f.reason for f in result.failed} == {
        news_site.url("/gone/teaser.html"): "HTTP 404 Not Found; the item holds no article text of its own",
        news_site.url("/feeds/full.rss"): "item 'No link at all' has no link"}
    museum = saved()[article_path(news_site.url("/gone/museum.html"))]
    assert museum.title == STORIES["museum"]["title"] and museum.published.startswith("2026-11-22")
    assert "schooner Albatross" in museum.text and "<p>" not in museum.text


@pytest.mark.parametrize("body, content_type, reason", [
    (b"<?xml version='1.0'?><rss version='2.0'><channel><title>x</title><item><title>a</ite", "application/rss+xml",
     "malformed feed"),
    (b'{"version": "https://jsonfeed.org/version/1.1", "items": [', "application/feed+json", "malformed JSON Feed"),
    (b'{"hello": "world"}', "application/json", "not a JSON Feed"),
    (b"just some words", "text/plain", "not a feed"),
])
def test_what_is_not_a_feed_is_refused_with_the_reason(news_site, body, content_type, reason):
    news_site.resources["/feeds/bad"] = Resource(body, content_type=content_type)
    with pytest.raises(FeedError, match=reason):
        add_feed(news_site.url("/feeds/bad"))
    assert list_feeds() == []


def test_an_html_page_given_as_a_feed_names_the_feed_it_links_to(news_site):
    page = article_page(STORIES["lake"], news_site.base).replace(
        b"</head>", b'<link rel="alternate" type="application/atom+xml" href="/feeds/valley.atom"></head>')
    news_site.resources["/front"] = Resource(page)
    with pytest.raises(FeedError, match=r"an HTML page, not a feed; it links to the feed http://127\.0\.0\.1:\d+/feeds/valley.atom"):
        add_feed(news_site.url("/front"))


def test_a_feed_that_breaks_later_is_reported_and_the_others_still_update(news_site):
    follow(news_site, "/feeds/harbour.rss", "/feeds/valley.atom")
    news_site.resources["/feeds/harbour.rss"] = Resource(b"<html><body>We moved!</body></html>", status=500)
    report = update_feeds(index=False)
    assert report.feeds[0].error == "HTTP 500 Internal Server Error" and report.feeds[1].new == 1
    assert report.failed == 1 and report.added == 1
    assert list_feeds()[0].last_error == "HTTP 500 Internal Server Error" and list_feeds()[1].last_error is None


def test_feeds_are_added_once_removed_and_refused_when_private(news_site, monkeypatch):
    follow(news_site, "/feeds/harbour.rss")
    with pytest.raises(FeedError, match="already followed"):
        add_feed(news_site.url("/feeds/harbour.rss"))
    assert remove_feed(news_site.url("/feeds/harbour.rss")).url == news_site.url("/feeds/harbour.rss")
    with pytest.raises(FeedError, match="not followed"):
        remove_feed(news_site.url("/feeds/harbour.rss"))
    monkeypatch.setenv("ASSISTANT_FETCH_ALLOW_PRIVATE", "false")
    with pytest.raises(FeedError, match="loopback address"):
        add_feed(news_site.url("/feeds/harbour.rss"))


def test_opml_export_and_import_round_trip(news_site, tmp_path, monkeypatch):
    follow(news_site, "/feeds/harbour.rss", "/feeds/valley.atom")
    opml = tmp_path / "feeds.opml"
    opml.write_text(export_opml())
    assert 'xmlUrl="' + news_site.url("/feeds/valley.atom") in opml.read_text()
    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(tmp_path / "elsewhere"))
    report = import_opml(opml)
    assert report.added == (news_site.url("/feeds/harbour.rss"), news_site.url("/feeds/valley.atom"))
    assert [f.title for f in list_feeds()] == ["Harbour Times: News", "Valley Courier"]
    assert import_opml(opml).already == report.added
    nested = tmp_path / "nested.opml"
    nested.write_text('<opml version="1.0"><body><outline text="News"><outline xmlUrl="https://example.com/a.xml"/>'
                      '<outline xmlUrl="file:///etc/passwd"/></outline></body></opml>')
    report = import_opml(nested)
    assert report.added == ("https://example.com/a.xml",) and "only http and https" in report.failed[0].reason
    (tmp_path / "bad.opml").write_text("<rss/>")
    with pytest.raises(FeedError, match="not OPML"):
        import_opml(tmp_path / "bad.opml")


def test_a_stop_request_ends_the_update_between_items(news_site):
    import threading

    follow(news_site, "/feeds/harbour.rss", "/feeds/valley.atom")
    stop = threading.Event()
    report = update_feeds(index=False, stop=stop, progress=lambda done, total, what: stop.set())
    assert report.stopped and report.added == 1 and len(report.feeds) == 1
    finished = update_feeds(index=False)  # the next update reads the whole feed again and finishes
    assert finished.added == 2 and not finished.stopped
    stored = json.loads((Settings.load().data_dir / "feeds.json").read_text())
    assert len(stored["feeds"][0]["items"]) == 2


def test_the_feed_list_can_be_read_while_an_update_holds_it(news_site):
    from index.feed_list import FeedStore

    follow(news_site, "/feeds/harbour.rss")
    with FeedStore(Settings.load()):  # as an update in another thread or process does
        assert [f.url for f in list_feeds()] == [news_site.url("/feeds/harbour.rss")]


def test_an_item_that_cannot_be_saved_is_reported_and_the_update_goes_on(news_site, tmp_path, monkeypatch):
    follow(news_site, "/feeds/valley.atom")
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the articles folder should be")
    monkeypatch.setenv("ASSISTANT_ARTICLES_DIR", str(blocked))
    report = update_feeds(index=False)
    [feed] = report.feeds
    assert feed.new == 0 and feed.error is None and report.failed == 1
    assert feed.failed[0].url == news_site.url(f"/news/{STORIES['lake']['slug']}.html")
    assert "cannot be saved as web/" in feed.failed[0].reason
