"""Every input format indexes; every bad input is reported by name and skipped, never fatal."""

import json
import os

from index import load_folder

from .helpers import SAMPLE


def loaded(folder):
    result = load_folder(folder)
    return {a.id: a for a in result.articles}, {s.name: s.reason for s in result.skipped}


def test_sample_articles_load_with_path_ids_and_derived_titles():
    articles, skipped = loaded(SAMPLE)
    assert set(articles) == {"000_53139e8ccc0aea71.txt", "001_df81dadaca52e98b.txt"} and not skipped
    title = articles["000_53139e8ccc0aea71.txt"].title
    assert title.startswith("President Donald Trump said") and len(title.split()) <= 13


def test_every_format_reads_recursively(tmp_path):
    (tmp_path / "nested" / "deeper").mkdir(parents=True)
    (tmp_path / "plain.txt").write_text("Kyiv Talks Resume\nDelegations met in Geneva on Monday.")
    (tmp_path / "nested" / "note.md").write_text("# Grain deal extended\n\nThe deal was extended by 60 days.")
    (tmp_path / "nested" / "deeper" / "one.json").write_text(json.dumps(
        {"title": "One", "content": "Body of one.", "published_at": "2025-03-14T10:00:00Z", "source": "Wire"}))
    records = [{"title": "Rec A", "author": "Ann", "source": "Daily", "published_at": "2025-03-01",
                "category": "world", "url": "https://example.com/a", "body": "Alpha body text."},
               {"title": "Rec B", "author": "Bob", "source": "Herald", "published_at": "2025-03-02",
                "category": "world", "url": "https://example.com/b", "body": "Beta body text."}]
    (tmp_path / "records.json").write_text(json.dumps(records))
    (tmp_path / "feed.jsonl").write_text("\n".join(json.dumps({"title": f"L{i}", "text": f"Line {i} text."})
                                                    for i in range(3)))
    (tmp_path / "page.html").write_text(
        "<html><head><title>Ceasefire talks | The Courier</title>"
        "<meta property='og:site_name' content='The Courier'>"
        "<meta name='author' content='Jane Roe'><meta property='article:published_time' content='2025-03-14'>"
        "</head><body><nav>Home | World | Sport</nav><article><h1>Ceasefire talks</h1>"
        + "".join(f"<p>Paragraph {i} of the report says the envoys met again in the capital and agreed "
                  f"to continue the negotiations next week.</p>" for i in range(6))
        + "</article><footer>Copyright The Courier</footer></body></html>")
    articles, skipped = loaded(tmp_path)
    assert not skipped, skipped
    assert set(articles) == {"plain.txt", "nested/note.md", "nested/deeper/one.json", "records.json#0",
                             "records.json#1", "feed.jsonl#0", "feed.jsonl#1", "feed.jsonl#2", "page.html"}
    assert articles["plain.txt"].title == "Kyiv Talks Resume"
    assert articles["nested/note.md"].title == "Grain deal extended"
    one = articles["nested/deeper/one.json"]
    assert (one.text, one.source, one.published) == ("Body of one.", "Wire", "2025-03-14T10:00:00+00:00")
    b = articles["records.json#1"]
    assert (b.title, b.author, b.source, b.url, b.published) == (
        "Rec B", "Bob", "Herald", "https://example.com/b", "2025-03-02")
    assert b.published_ts < one.published_ts
    page = articles["page.html"]
    assert "Paragraph 3 of the report" in page.text and "Home | World" not in page.text
    assert page.source == "The Courier" and page.published.startswith("2025-03-14")


def test_bad_files_are_reported_by_name_and_the_rest_is_read(tmp_path):
    (tmp_path / "good.txt").write_text("A good article about the summit.")
    (tmp_path / "empty.txt").write_text("   \n")
    (tmp_path / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + os.urandom(64))
    (tmp_path / "broken.json").write_text('{"title": "x", "text": ')
    (tmp_path / "notext.json").write_text('{"title": "only a title"}')
    (tmp_path / "scalar.json").write_text("42")
    (tmp_path / "mixed.jsonl").write_text('{"text": "First fine."}\nnot json at all\n{"title": "no body"}\n'
                                          '{"text": "Fourth fine."}\n')
    (tmp_path / "photo.pdf").write_bytes(b"%PDF-1.4")
    (tmp_path / "gone.txt").symlink_to(tmp_path / "missing-target.txt")
    (tmp_path / "deep.json").write_text("[" * 100_000 + "]" * 100_000)
    (tmp_path / "huge.txt").write_text("word " * 1_200_000)
    (tmp_path / ".hidden.txt").write_text("Hidden files are not articles.")
    result = load_folder(tmp_path, max_bytes=5_000_000)
    articles = {a.id for a in result.articles}
    skipped = {s.name: s.reason for s in result.skipped}
    assert articles == {"good.txt", "mixed.jsonl#0", "mixed.jsonl#3"}
    assert skipped["empty.txt"] == "empty file"
    assert "binary" in skipped["binary.txt"]
    assert "invalid JSON" in skipped["broken.json"]
    assert "no article text" in skipped["notext.json"]
    assert "expected an article object" in skipped["scalar.json"]
    assert "invalid JSON on line 2" in skipped["mixed.jsonl:2"]
    assert "no article text" in skipped["mixed.jsonl#2"]
    assert "not an article format" in skipped["photo.pdf"]
    assert "cannot be read" in skipped["gone.txt"]
    assert "deep.json" in skipped
    assert "too large" in skipped["huge.txt"]
    assert ".hidden.txt" not in skipped


def test_latin1_and_windows_1252_are_decoded_not_dropped(tmp_path):
    (tmp_path / "latin1.txt").write_bytes("Le président a rencontré les délégués à Genève. Façade, garçon, élève, "
                                          "très intéressé par la sécurité européenne.".encode("latin-1"))
    (tmp_path / "cp1252.txt").write_bytes("The minister said \u201cwe will not retreat\u201d \u2013 a pledge worth "
                                          "\u20ac5 billion \u2026 according to officials.".encode("cp1252"))
    (tmp_path / "cp1251.txt").write_bytes("Переговоры в Женеве продолжатся в понедельник, сообщили "
                                          "дипломаты.".encode("cp1251"))
    articles, skipped = loaded(tmp_path)
    assert not skipped
    assert articles["cp1251.txt"].text.startswith("Переговоры в Женеве")
    assert "président a rencontré les délégués à Genève" in articles["latin1.txt"].text
    assert "\u201cwe will not retreat\u201d \u2013" in articles["cp1252.txt"].text
    assert "\u20ac5 billion" in articles["cp1252.txt"].text


def test_ids_are_stable_when_other_records_change(tmp_path):
    feed = tmp_path / "feed.jsonl"
    feed.write_text('{"text": "A."}\n{"text": "B."}\n{"text": "C."}\n')
    before, _ = loaded(tmp_path)
    feed.write_text('{"text": "A."}\n{"text": "B, edited."}\n{"text": "C."}\n')
    after, _ = loaded(tmp_path)
    assert before["feed.jsonl#0"].content_hash == after["feed.jsonl#0"].content_hash
    assert before["feed.jsonl#2"].content_hash == after["feed.jsonl#2"].content_hash
    assert before["feed.jsonl#1"].content_hash != after["feed.jsonl#1"].content_hash


def test_article_text_is_the_decoded_file_as_is_but_a_leading_bom(tmp_path):
    text = "Zero\u200bwidth and soft\u00adhyphen.\r\nSecond\u00a0line.\rThird \ufeffline.\n"
    (tmp_path / "a.txt").write_bytes(("\ufeff" + text).encode())
    (tmp_path / "b.json").write_text(json.dumps({"title": "Wit\u00adkoff\u200b in Moscow", "text": "  " + text}))
    articles, _ = loaded(tmp_path)
    assert articles["a.txt"].text == text
    assert articles["b.json"].text == "  " + text
    assert articles["b.json"].title == "Witkoff in Moscow"  # metadata is shown in its normalised view
    assert articles["a.txt"].title == "Zerowidth and softhyphen."
