"""Keyword search ranks chunks as SQLite's BM25 query of every question word would, while
leaving the words too common to score out of the query whenever that changes nothing."""

from __future__ import annotations

import json

import pytest

from index.articles import load_folder
from index.chunking import chunk_text
from index.embedding import embedder_for
from index.lexical import LexicalIndex, LexicalRow, match_query, query_words

from .helpers import SAMPLE, SHARED_EVAL, SQUAD

TIE = 1e-4  # each left-out word adds at most ~2e-6 to a chunk's score


def lexical_index(folder, path, settings) -> LexicalIndex:
    counter = embedder_for(settings).count_tokens
    index = LexicalIndex(path)
    for article in load_folder(folder).articles:
        chunks = chunk_text(article.text, counter, max_tokens=settings.chunk_max_tokens,
                            max_words=settings.chunk_max_words)
        index.replace_articles([(article.id, "v1", [
            LexicalRow(f"{article.id}|v1|{c.index}", article.id, article.title, c.text, "", None) for c in chunks])])
    return index


def every_word(index: LexicalIndex, question: str, k: int, article_ids=None) -> list[tuple[str, float]]:
    """The reference: FTS5's own ranking for all the question's words."""
    where, params = "", []
    if article_ids is not None:
        where, params = f" AND c.article_id IN ({','.join('?' * len(article_ids))})", list(article_ids)
    rows = index._db.execute(
        "SELECT c.chunk_id, bm25(chunks_fts, 0.5, 1.0) AS s FROM chunks_fts JOIN chunks c ON c.rowid = chunks_fts.rowid "
        f"WHERE chunks_fts MATCH ?{where} ORDER BY s LIMIT ?", [match_query(query_words(question)), *params, k])
    return [(chunk_id, -score) for chunk_id, score in rows]


def questions(path) -> list[str]:
    return [json.loads(line)["question"] for line in path.read_text().splitlines() if line.strip()]


@pytest.mark.parametrize("corpus", ["squad", "sample"])
def test_keyword_search_ranks_as_the_query_of_every_word(corpus, tmp_path, settings):
    if not SQUAD.is_dir():
        pytest.skip("../shared/eval/squad-dev is not beside the repo")
    folder = SQUAD if corpus == "squad" else SAMPLE
    index = lexical_index(folder, tmp_path / "lexical.sqlite", settings)
    asked = questions(SQUAD.parent / "questions.jsonl")
    if corpus == "sample":
        asked = questions(SHARED_EVAL / "seed_questions.jsonl") + asked[:100]
    articles = sorted(index.hashes())
    matches: list[str] = []
    index._db.set_trace_callback(lambda sql: matches.append(sql) if sql.startswith("SELECT c.chunk_id") else None)
    narrowed = 0
    for question in asked:
        for k, article_ids in ((5, None), (40, None), (40, articles[::2])):
            matches.clear()
            ours = index.search(question, k=k, article_ids=article_ids)
            searched = list(matches)
            reference = every_word(index, question, k, article_ids)
            assert len(ours) == len(reference), question
            # rank by rank, the same score (chunks tied within TIE may trade places) ...
            assert all(abs(a[1] - b[1]) < TIE for a, b in zip(ours, reference)), question
            # ... and each chunk we return is one the full query scores the same
            full = dict(every_word(index, question, 10_000, article_ids))
            assert all(abs(full[chunk_id] - score) < TIE for chunk_id, score in ours), question
            narrowed += len(searched) == 1 and match_query(query_words(question)) not in searched[0]
    # the shortcut is taken (on the squad set: most questions), not only the full query
    assert narrowed > (len(asked) if corpus == "squad" else 0)


def test_word_counts_follow_writes_from_another_connection(tmp_path):
    path = tmp_path / "lexical.sqlite"
    reader, writer = LexicalIndex(path), LexicalIndex(path)
    writer.replace_articles([("a", "v1", [LexicalRow("a|v1|0", "a", "Zebras", "A zebra crossing.", "", None)])])
    assert reader.document_frequencies(["zebra", "cross"]) == {"zebra": 1, "cross": 1}
    assert reader.count() == 1
    writer.replace_articles([("b", "v1", [LexicalRow("b|v1|0", "b", "Zebras", "Zebras everywhere.", "", None),
                                          LexicalRow("b|v1|1", "b", "Zebras", "No crossing.", "", None)])])
    assert reader.document_frequencies(["zebra", "cross"]) == {"zebra": 3, "cross": 2}  # titles count
    assert reader.count() == 3
    writer.remove_article("a")
    assert reader.document_frequencies(["zebra", "cross"]) == {"zebra": 2, "cross": 1}
    assert reader.count() == 2
    assert {chunk_id for chunk_id, _ in reader.search("zebra crossing", k=5)} == {"b|v1|0", "b|v1|1"}
