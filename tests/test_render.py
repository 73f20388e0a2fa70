"""What the chat page shows is built from escaped text: an article can put words on the
page, never markup."""

import html
import re

from assistant.answers import Answer, Citation
from assistant.present.render import (WHOLE_ARTICLE_CHARS, Turn, answer_markdown, citation_cards, highlight, markdown_text,
                              safe_url, sources_panel)

HOSTILE = ("Officials met. <script>alert('x')</script> <img src=x onerror=alert(1)> "
           "[click](javascript:alert(1)) **bold** `code` # heading")


def citation(number=1, text=HOSTILE, start=0, spans=((0, 15),), **fields) -> Citation:
    values = dict(number=number, article_id="a.txt", title="T", source="", url="", published="", passage=text,
                  start=start, end=start + len(text), highlights=spans, score=0.8123)
    return Citation(**{**values, **fields})


def test_markdown_text_keeps_every_character_literal():
    shown = markdown_text(HOSTILE)
    assert "<" not in shown and ">" not in shown  # only entities: no tag can open
    # no Markdown construct survives: each special character is backslash-escaped
    for special in "[]()*`#":
        assert re.search(rf"(?<!\\){re.escape(special)}", shown) is None
    assert markdown_text("- not a list") .startswith("\\-")
    assert markdown_text("1. not a list").startswith("1\\.")


def test_answer_links_each_known_marker_to_its_card_and_escapes_the_rest():
    answer = Answer(text="Putin met Witkoff <b>. [1] Also [7] [2]", citations=(citation(1), citation(2)), abstained=False, question="q", mode="extractive",
                    notice="The LLM did not answer (x); this is the extractive answer.")
    shown = answer_markdown(answer, "3")
    assert "[\\[1\\]](#cite-3-1)" in shown and "[\\[2\\]](#cite-3-2)" in shown
    assert "\\[7\\]" in shown  # a number with no citation is not a link
    assert "&lt;b&gt;" in shown and "<b>" not in shown
    assert shown.endswith("this is the extractive answer.*")


def test_highlight_marks_exactly_the_cited_spans_and_escapes_around_them():
    text = "First <one>. Second & two. Third."
    out = highlight(text, [(13, 26)], offset=0)
    assert out == "First &lt;one&gt;. <mark>Second &amp; two.</mark> Third."
    # offsets are article offsets: a passage starting at 100 shifts them
    assert highlight("abc def", [(104, 107)], offset=100) == "abc <mark>def</mark>"
    # overlapping or out-of-range spans never duplicate or lose text
    out = highlight("abcdef", [(0, 4), (2, 6), (50, 60)])
    assert html.unescape(re.sub("</?mark>", "", out)) == "abcdef"


def test_card_shows_metadata_and_marks_the_cited_sentence_in_passage_and_whole_article():
    article = "Lead sentence. " + HOSTILE + " Tail."
    start = len("Lead sentence. ")
    c = citation(text=HOSTILE, start=start, spans=((start, start + 14),), title="<i>Title</i>",
                 source="Reuters", published="2025-03-14T10:00:00+00:00", url="https://example.com/a?b=1&c=2")
    cards = citation_cards(Answer(text="x [1]", citations=(c,), abstained=False, question="q", mode="extractive"), "0", {"a.txt": article})
    assert "id='cite-0-1'" in cards
    assert "Reuters · 2025-03-14 · score 0.81" in cards
    assert "&lt;i&gt;Title&lt;/i&gt;" in cards
    assert "href='https://example.com/a?b=1&amp;c=2'" in cards and "rel='noopener noreferrer nofollow'" in cards
    assert cards.count("<mark>Officials met.</mark>") == 2  # passage and whole article
    assert "<script" not in cards and "<img" not in cards and "javascript:alert" in cards  # as text only
    assert "href='javascript" not in cards


def test_only_http_urls_become_links():
    assert safe_url("https://a.example/x") and safe_url("http://a.example")
    for url in ("javascript:alert(1)", "JAVASCRIPT:alert(1)", " javascript:alert(1)", "data:text/html,<b>",
                "file:///etc/passwd", "//evil.example", "http://", "vbscript:x", "http://[bad"):
        assert safe_url(url) == "", url
    c = citation(url="javascript:alert(1)")
    cards = citation_cards(Answer(text="x [1]", citations=(c,), abstained=False, question="q", mode="extractive"), "0", {})
    assert "<a " not in cards and "link not opened" in cards


def test_a_changed_article_shows_the_passage_but_not_a_wrong_whole_article():
    c = citation(text="Old text.", spans=((0, 9),))
    cards = citation_cards(Answer(text="x [1]", citations=(c,), abstained=False, question="q", mode="extractive"), "0", {"a.txt": "New text entirely."})
    assert "<mark>Old text.</mark>" in cards and "Whole article" not in cards


def test_a_huge_article_shows_a_window_around_the_cited_sentences():
    filler = "word " * (WHOLE_ARTICLE_CHARS // 2)
    article = filler + "The cited fact. " + filler
    start = len(filler)
    c = citation(text="The cited fact.", start=start, spans=((start, start + 15),))
    cards = citation_cards(Answer(text="x [1]", citations=(c,), abstained=False, question="q", mode="extractive"), "0", {"a.txt": article})
    assert "<mark>The cited fact.</mark>" in cards.split("Whole article")[1]
    assert len(cards) < WHOLE_ARTICLE_CHARS + 10_000


def test_abstention_is_labelled_and_the_panel_keeps_earlier_answers_folded():
    related = Answer(text="I could not find this in the articles. Possibly related: [1]", citations=(citation(),), abstained=True, question="q", mode="extractive")
    first = Turn("0", "first <question>", related, citation_cards(related, "0", {}))
    answered = Answer(text="x [1]", citations=(citation(),), abstained=False, question="q", mode="extractive")
    second = Turn("1", "second", answered, citation_cards(answered, "1", {}))
    assert "Possibly related" in first.cards
    panel = sources_panel([first, second])
    assert panel.index("cite-1-1") < panel.index("cite-0-1")  # newest on top
    assert "<details class='turn earlier'><summary>Earlier: first &lt;question&gt;</summary>" in panel
    assert "Sources appear here" in sources_panel([])


def test_a_timeline_answer_is_a_dated_list_in_the_chat_and_a_timeline_beside_it():
    from assistant.answers import TimelinePoint

    points = (TimelinePoint(day="2025-03-11", label="2025-03-11", text="Ukraine backed the <plan>.", number=1,
                            dated_by="sentence"),
              TimelinePoint(day="2025-03-14", label="reported 2025-03-14", text="Trump hailed the talks.", number=2,
                            dated_by="published"))
    answer = Answer(text="2025-03-11: Ukraine backed the <plan>. [1]\nreported 2025-03-14: Trump hailed the talks. [2]\n"
                    "[1] and [2] agree.", citations=(citation(1), citation(2)), abstained=False, question="q", mode="timeline", timeline=points)
    shown = answer_markdown(answer, "4")
    lines = shown.split("\n")
    assert lines[0] == "- **2025-03-11** · Ukraine backed the &lt;plan&gt;. [\\[1\\]](#cite-4-1)"
    assert lines[1].startswith("- **reported 2025-03-14** · Trump hailed")
    assert shown.endswith("[\\[1\\]](#cite-4-1) and [\\[2\\]](#cite-4-2) agree.")
    cards = citation_cards(answer, "4", {})
    timeline = cards.split("<article")[0]
    assert timeline.startswith("<ol class='timeline'><li><time datetime='2025-03-11'>2025-03-11</time>")
    assert "Ukraine backed the &lt;plan&gt;." in timeline and "<a href='#cite-4-2'>[2]</a>" in timeline


def test_a_card_names_the_other_outlets_of_a_syndicated_story():
    c = citation(source="Reuters", published="2025-03-14", also_reported_by=("Harbour <Times>", "AP"))
    cards = citation_cards(Answer(text="x [1]", citations=(c,), abstained=False, question="q", mode="extractive"), "0", {})
    assert "Reuters · 2025-03-14 · score 0.81" in cards
    assert "also reported by Harbour &lt;Times&gt;, AP" in cards
