"""Citations index the article text exactly as it was read, whatever invisible or odd
characters it holds, and those characters change no answer.

Two copies of one corpus are indexed: clean text, and the same text as news sites and CMS
exports deliver it (zero-width spaces, joiners and non-joiners, word joiners, soft hyphens,
BOMs inside the text, no-break spaces, tabs, CRLF and lone CR line ends, decomposed
accents, bidi marks; emoji ZWJ sequences in both), in .txt, .md, .json and .jsonl files.
"""

import html
import json
import re
import shutil
import unicodedata
from pathlib import Path

import numpy as np
import pytest

from assistant import Assistant, HybridSearch, article_text
from index import Settings, build_index, load_folder
from index.store import Store, article_metadata, chunk_metadata
from index.textview import normalised

from .helpers import SAMPLE, SHARED_EVAL

pytestmark = pytest.mark.slow

SHY, ZWSP, ZWNJ, ZWJ, WJ, BOM = "\u00ad", "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"
INSIDE_WORDS = [SHY, ZWSP, ZWNJ, ZWJ, WJ, BOM]
SPACES = {0: "\u00a0", 3: "\t", 6: "\u202f", 9: ZWSP + " "}  # every 12th space: one of these for it
AROUND_NAMES = [("\u2068", "\u2069"), ("\u200e", ""), ("", "\u200f"), ("\u202a", "\u202c")]

EXTRA = [  # news items of our own, in the clean form (NFC, plain spaces, "\n")
    {"title": "Zürich lab reports battery breakthrough", "source": "Swiss Science Wire", "published": "2025-03-12",
     "text": "ZÜRICH — Researchers at ETH Zürich said on Wednesday that a new solid-state battery cell kept 92% of "
             "its capacity after 5,000 charging cycles, a result the team called “a step towards cheaper grid "
             "storage.”\n\nThe study, led by chemist José Álvarez-Müller, was published in the journal Nature "
             "Energy. Álvarez-Müller said the cell uses a sodium-based electrolyte that does not catch fire when "
             "punctured.\n\nOn social media the university shared the news with a scientist emoji \U0001F469\u200d"
             "\U0001F52C and the words “Made in Zürich \U0001F1E8\U0001F1ED”. Industry analysts cautioned that "
             "manufacturing the cells at scale could take until 2030.\n\nThe project received 4.5 million Swiss "
             "francs from the Swiss National Science Foundation, according to a statement from the university."},
    {"title": "Montréal transit strike ends after three weeks", "source": "Canadian Press Digest",
     "published": "2025-03-10",
     "text": "MONTRÉAL — Bus and métro drivers in Montréal returned to work on Monday after a three-week strike "
             "that stranded about 400,000 daily riders.\n\nThe union and the Société de transport de Montréal "
             "agreed on a 4.5% wage increase over two years, union president Hélène Côté told reporters. “Our "
             "members held firm, and it paid off,” Côté said.\n\nMayor Valérie Plante said the city would refund "
             "monthly passes for March. The strike cost local businesses an estimated 60 million dollars, "
             "according to the Chamber of Commerce of Metropolitan Montréal."},
    {"title": "Council approves bridge repairs", "source": "Riverside Gazette", "published": "2025-03-11",
     "text": "The Riverside city council voted 7–2 on Tuesday to approve repairs to the Old Mill Bridge, which "
             "engineers closed in January after finding cracks in two support beams.\n\nThe repairs will cost "
             "3.2 million dollars and take about eight months, city engineer Priya Natarajan told the council. "
             "Temporary ferry service will continue until the bridge reopens.\n\nCouncillor Dan O’Brien, who "
             "voted against the plan, said the city should replace the bridge instead of repairing it."},
    {"title": "Jerusalem book fair draws record crowds", "source": "Middle East Arts Review",
     "published": "2025-03-09",
     "text": "The Jerusalem International Book Fair drew a record 120,000 visitors over five days, organisers "
             "said on Sunday.\n\nThe fair’s top prize went to the novelist Yael Ben-David for her novel about "
             "three generations of a Haifa family. Ben-David, 44, said she wrote most of the book in a café near "
             "the old port.\n\nPublishers from 35 countries attended, and the fair’s director Amir Haddad said "
             "next year’s edition would add a children’s section."},
    {"title": "Old Mill Bridge fix approved", "source": "Valley Herald", "published": "2025-03-12",
     "text": "Riverside councillors approved repairs to the Old Mill Bridge on Tuesday. The repairs will cost "
             "4.1 million dollars, city engineer Priya Natarajan told the council, and the bridge should reopen "
             "in November.\n\nThe bridge has been closed since January, when inspectors found cracks in two "
             "support beams."},
]

OWN_QUESTIONS = [
    "What capacity did the battery cell keep after 5,000 cycles?",
    "Who led the solid-state battery study?",
    "What did the university share on social media?",
    "What wage increase did the Montréal transit union get?",
    "What did Hélène Côté tell reporters?",
    "How much will the Old Mill Bridge repairs cost?",
    "Who voted against the bridge plan?",
    "Who won the top prize at the Jerusalem book fair?",
    "How many visitors did the book fair draw?",
    "Where did Yael Ben-David write her novel?",
    "What did Witkoff discuss with Putin?",
    "What did Peskov say about Putin's stance?",
    "When did engineers close the Old Mill Bridge?",
    "How long did the Montréal strike last?",
    "Where was the battery study published?",
    "Who directs the Jerusalem book fair?",
    "What did the Kremlin clarify about a call between Putin and Trump?",
    "What did the strike cost local businesses?",
    "How much did city engineer Priya Natarajan say the repairs will cost?",
]
TIMELINE_QUESTIONS = ["How did the Montréal transit strike unfold?", "How did the ceasefire talks unfold?"]


def questions() -> list[str]:
    seed = [json.loads(line)["question"] for line in (SHARED_EVAL / "seed_questions.jsonl").read_text().splitlines()]
    return seed + OWN_QUESTIONS


def dirty(clean: str, line_end: str) -> str:
    """`clean` as a CMS might deliver it: the same words to a reader, other characters."""
    out, spaces, words, names = [], 0, 0, 0
    for token in re.split(r"([ \n])", clean.replace("Witkoff", f"Wit{SHY}koff")):
        if token == " ":
            spaces += 1
            token = SPACES.get(spaces % 12, " ")
        elif token == "\n":
            token = line_end + (BOM if spaces % 2 else "")  # a BOM where a paragraph starts, now and then
        elif (long := re.search(r"[^\W\d_]{7,}", token)) and SHY not in token:
            middle = (long.start() + long.end()) // 2
            token = token[:middle] + INSIDE_WORDS[words % len(INSIDE_WORDS)] + token[middle:]
            words += 1
        elif re.fullmatch(r"[A-Z][a-z]+", token):
            before, after = AROUND_NAMES[names % len(AROUND_NAMES)]
            token = before + token + after
            names += 1
        out.append(unicodedata.normalize("NFD", token))  # accents as combining marks
    return "".join(out)


def write_corpus(folder: Path, messy: bool) -> Path:
    """The sample articles as .txt (CRLF, a BOM) and .md (lone CR), ours as .json and .jsonl."""
    folder.mkdir(parents=True)
    first, second = (p.read_text() for p in sorted(SAMPLE.glob("*.txt"))[:2])
    text = (lambda t, end: dirty(t, end)) if messy else (lambda t, end: t)
    (folder / "ceasefire.txt").write_bytes(((BOM if messy else "") + text(first, "\r\n")).encode())
    (folder / "envoy.md").write_bytes(text("# Trump envoy Witkoff meets Putin in Moscow\n\n" + second, "\r").encode())
    records = [{**r, "title": text(r["title"], "\n"), "text": text(r["text"], "\r\n" if i else "\n")}
               for i, r in enumerate(EXTRA)]
    (folder / "science.json").write_text(json.dumps(records[:2], ensure_ascii=False, indent=1), encoding="utf-8")
    (folder / "wire.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records[2:]),
                                       encoding="utf-8")
    return folder


def decoded(folder: Path, article_id: str) -> str:
    """An article's text decoded from its file here, as the loader decodes it."""
    name, _, number = article_id.partition("#")
    data = (folder / name).read_bytes().decode("utf-8-sig")
    if name.endswith(".json"):
        return json.loads(data)[int(number)]["text"]
    if name.endswith(".jsonl"):
        return json.loads(data.split("\n")[int(number)])["text"]
    return data


@pytest.fixture(scope="module")
def corpora(tmp_path_factory):
    """{"clean" | "messy": (folder, settings, assistant, answers)}; answers: (question, mode) -> Answer."""
    built = {}
    for kind in ("clean", "messy"):
        root = tmp_path_factory.mktemp(kind)
        folder = write_corpus(root / "articles", messy=kind == "messy")
        settings = Settings.load(env={}, data_dir=root / "data")
        report = build_index(folder, settings=settings)
        assert report.added == 7 and not report.skipped, report
        helper = Assistant(settings)
        asked = [(q, "extractive") for q in questions()] + [(q, "timeline") for q in TIMELINE_QUESTIONS]
        # the messy corpus is asked the questions in messy form too: "Wit\u00adkoff" asks about Witkoff
        ask = (lambda q: dirty(q, "\n")) if kind == "messy" else (lambda q: q)
        built[kind] = (folder, settings, helper, {(q, m): helper.answer(ask(q), mode=m) for q, m in asked})
    return built


def stored_sentences(settings: Settings) -> dict[str, set[tuple[int, int]]]:
    records = Store.open(settings).chunks.get(include=["metadatas"])
    spans: dict[str, set[tuple[int, int]]] = {}
    for meta in records["metadatas"]:
        spans.setdefault(meta["article_id"], set()).update(tuple(s) for s in chunk_metadata(None, meta)["sentences"])
    return spans


def test_the_messy_corpus_reads_as_the_clean_one_and_loads_exactly_as_written(corpora):
    clean_folder, messy_folder = corpora["clean"][0], corpora["messy"][0]
    clean = {a.id: a for a in load_folder(clean_folder).articles}
    messy = {a.id: a for a in load_folder(messy_folder).articles}
    assert sorted(messy) == sorted(clean) == ["ceasefire.txt", "envoy.md", "science.json#0", "science.json#1",
                                              "wire.jsonl#0", "wire.jsonl#1", "wire.jsonl#2"]
    for article_id, article in messy.items():
        assert article.text == decoded(messy_folder, article_id)  # nothing cleaned away
        assert article.text != clean[article_id].text
        assert normalised(article.text) == clean[article_id].text
        assert article.title == clean[article_id].title
    every = "".join(a.text for a in messy.values())
    for odd in [SHY, ZWSP, ZWNJ, ZWJ, WJ, BOM, "\u00a0", "\u202f", "\t", "\r\n", "\u2068", "\u200f", "\u0301",
                "\U0001F469\u200d\U0001F52C"]:
        assert odd in every, repr(odd)
    assert re.search("\r[^\n]", messy["envoy.md"].text) and BOM in messy["ceasefire.txt"].text[100:]


def test_every_citation_indexes_the_file_text_and_each_highlight_is_a_stored_sentence(corpora):
    folder, settings, _, answers = corpora["messy"]
    sentences = stored_sentences(settings)
    checked = highlights = 0
    for (question, mode), result in answers.items():
        for c in result.citations:
            text = decoded(folder, c.article_id)
            assert article_text(c.article_id, settings) == text
            assert text[c.start:c.end] == c.passage, (question, c.article_id)
            for start, end in c.highlights:
                assert c.start <= start < end <= c.end and (start, end) in sentences[c.article_id]
                shown = normalised(text[start:end])
                assert shown == shown.strip() and normalised(text[start]) == text[start] != " "
                if mode == "extractive" and not result.abstained:
                    assert shown in result.text  # the sentence the answer quotes, in its readable form
                highlights += 1
            checked += 1
    print(f"\n{checked} citations ({highlights} highlights) of {len(answers)} answers checked against the file text")
    assert checked >= 40


def test_answers_equal_those_for_the_clean_corpus(corpora):
    clean, messy = corpora["clean"][3], corpora["messy"][3]
    answered = 0
    for key, ours in messy.items():
        theirs = clean[key]
        assert (ours.text, ours.abstained, ours.mode) == (theirs.text, theirs.abstained, theirs.mode), key
        assert [(c.number, c.article_id, c.score) for c in ours.citations] == \
            [(c.number, c.article_id, c.score) for c in theirs.citations], key
        for a, b in zip(ours.citations, theirs.citations):
            assert normalised(a.passage) == b.passage
            assert [normalised(a.passage[s - a.start:e - a.start]) for s, e in a.highlights] == \
                [b.passage[s - b.start:e - b.start] for s, e in b.highlights]
        assert normalised(ours.text) == ours.text  # the answer reads clean: no invisible character in it
        answered += not ours.abstained
    assert answered >= len(OWN_QUESTIONS) + 8
    # the two reports of the bridge's cost differ, and the figures are quoted as a reader reads them
    cost = messy[("How much did city engineer Priya Natarajan say the repairs will cost?", "extractive")]
    assert cost.disagreements and cost.text.count("million") >= 4, cost.text
    # "Wit\u00adkoff" is the word "Witkoff" to the search, the model and the answer
    witkoff = messy[("Who did Trump send to meet Putin in Moscow?", "extractive")]
    assert "Witkoff" in witkoff.text and any(f"Wit{SHY}koff" in c.passage for c in witkoff.citations)


def test_every_stored_chunk_and_sentence_indexes_the_text_and_reads_as_the_clean_one(corpora):
    views = {}
    for kind in ("clean", "messy"):
        folder, settings = corpora[kind][:2]
        records = Store.open(settings).chunks.get(include=["documents", "metadatas"])
        views[kind] = {}
        for record_id, document, stored in zip(records["ids"], records["documents"], records["metadatas"]):
            meta = chunk_metadata(document, stored)
            whole = decoded(folder, meta["article_id"])
            # the text is metadata, not a document Chroma would full-text index
            assert document is None and whole[meta["start"]:meta["end"]] == meta["text"]
            spans = [tuple(s) for s in meta["sentences"]]
            views[kind][(meta["article_id"], record_id.rsplit("|c", 1)[1])] = [normalised(whole[s:e]) for s, e in spans]
    assert views["messy"] == views["clean"] and len(views["messy"]) >= 6


def test_each_text_is_stored_once_and_read_back_exactly_from_its_chunks_and_gaps(corpora):
    folder, settings = corpora["messy"][:2]
    store = Store.open(settings)
    records = store.articles.get(include=["documents", "metadatas"])
    # no second copy for Chroma to full-text index: the chunks hold the text
    assert records["ids"] and all(not text for text in records["documents"])
    assert all(json.loads(article_metadata(meta)["gaps"]) for meta in records["metadatas"])
    texts = store.article_texts(records["ids"])
    assert texts == {article_id: decoded(folder, article_id) for article_id in records["ids"]}


def test_a_text_or_its_sentences_are_read_back_exactly_or_not_at_all(corpora, tmp_path):
    folder, settings = corpora["messy"][:2]
    copy = settings.with_(data_dir=tmp_path / "data")
    shutil.copytree(settings.data_dir, copy.data_dir)
    store = Store.open(copy)
    committed = store.committed()
    article_id = "ceasefire.txt"
    assert store.article_texts([article_id]) == {article_id: decoded(folder, article_id)}
    # gaps that no longer fit the chunks (damage): the text is left out, not returned wrong
    about = json.loads(store.articles.get(ids=[article_id], include=["metadatas"])["metadatas"][0]["about"])
    gaps = json.loads(about["gaps"])
    store.articles.update(ids=[article_id], metadatas=[{"about": json.dumps({**about, "gaps": json.dumps(
        [gaps[0] + " "] + gaps[1:])})}])
    assert article_id not in store.article_texts(sorted(committed)) and len(store.article_texts(sorted(committed))) > 1
    # its version's chunks deleted under a reader (a build replaced the article and cleaned
    # up): the reader finds no sentences for the version it trusts, not another version's
    search = HybridSearch(copy)
    store.chunks.delete(ids=[f"{article_id}|{committed[article_id]}|c0"])
    assert search.article_sentences(article_id) == []


def test_a_text_its_chunks_do_not_tile_is_kept_whole():
    from index.articles import Article
    from index.chunking import Chunk
    from index.store import NewVersion

    text = "  One. Two.\n\nThree."
    article = Article(id="a", text=text, title="")

    def version(*chunks):
        return NewVersion(article=article, version="v", chunks=chunks, vectors=np.zeros((1, 2)), signature=np.zeros(2))

    first, second = Chunk(0, 2, 11, text[2:11], ((2, 6), (7, 11))), Chunk(1, 13, 19, "Three.", ((13, 19),))
    assert json.loads(version(first, second).gaps) == ["  ", "\n\n", ""]
    assert version(second, first).gaps is None  # out of order
    assert version(first, Chunk(1, 13, 19, "Thre", ((13, 19),))).gaps is None  # not the text at its offsets


def test_article_text_is_the_indexed_text_even_after_the_file_changes(corpora):
    folder, settings, helper, answers = corpora["messy"]
    before = decoded(folder, "ceasefire.txt")
    path = folder / "ceasefire.txt"
    saved = path.read_bytes()
    try:
        path.write_text("Rewritten since it was indexed.")
        assert article_text("ceasefire.txt", settings) == before
        assert helper.article_texts(["ceasefire.txt", "no-such-article.txt"]) == {"ceasefire.txt": before}
        assert article_text("no-such-article.txt", settings) is None
    finally:
        path.write_bytes(saved)


def test_the_page_marks_the_cited_sentences_in_the_indexed_text(corpora):
    from assistant.present.render import citation_cards

    helper, answers = corpora["messy"][2], corpora["messy"][3]
    result = answers[("Who did Trump send to meet Putin in Moscow?", "extractive")]
    texts = helper.article_texts(c.article_id for c in result.citations)  # what the page's "Whole article" shows
    cards = citation_cards(result, "0", texts)
    assert cards.count("Whole article") == len(result.citations)
    for c in result.citations:
        for start, end in c.highlights:  # the passage's mark and the whole article's
            assert cards.count(f"<mark>{html.escape(texts[c.article_id][start:end])}</mark>") >= 2


def test_the_page_suggests_the_example_questions_of_the_clean_corpus(corpora):
    from assistant.present.examples import example_questions

    suggested = example_questions(corpora["messy"][2])
    assert suggested and suggested == example_questions(corpora["clean"][2])
