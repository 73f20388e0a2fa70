"""The lexical (BM25) index beside Chroma: SQLite FTS5 with the Porter stemmer.

Local Chroma has no sparse index, so keyword search lives here. It is a cache of what
Chroma holds: each article's version is recorded, and `sync()` brings it in step
with Chroma (missing, stale or corrupt: rebuilt from Chroma, never the other way).
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from .text import WORD as _WORD
from .text import stem

SCHEMA_VERSION = "2"
BUSY_SECONDS = 10


@dataclass(frozen=True)
class LexicalRow:
    chunk_id: str
    article_id: str
    title: str
    text: str
    source: str
    published_ts: int | None


REMEMBERED_TERMS = 100_000  # document frequencies kept between writes (a few MB)


def query_words(question: str, max_terms: int = 64) -> list[str]:
    return list(dict.fromkeys(w.lower() for w in _WORD.findall(question)))[:max_terms]


def match_query(words: Sequence[str]) -> str:
    """An FTS5 MATCH expression that ORs the words (quoted: no syntax to inject)."""
    return " OR ".join(f'"{w}"' for w in words)


def _chunk_filter(sources: Sequence[str], since: int | None, until: int | None,
                  article_ids: Iterable[str] | None) -> tuple[str, list]:
    """The SQL (appended to a MATCH) and parameters that keep only the chunks the filters allow."""
    where: list[str] = []
    params: list = []
    if sources:
        where.append(f"source IN ({','.join('?' * len(sources))})")
        params += list(sources)
    if since is not None:
        where.append("published_ts >= ?")
        params.append(since)
    if until is not None:
        where.append("published_ts <= ?")
        params.append(until)
    if article_ids is not None:
        ids = list(article_ids)
        where.append(f"article_id IN ({','.join('?' * len(ids))})")
        params += ids
    if not where:
        return "", []
    # "+rowid": a plain rowid IN would make SQLite run the MATCH once per listed chunk
    return f" AND +rowid IN (SELECT rowid FROM chunks WHERE {' AND '.join(where)})", params


class LexicalIndex:
    def __init__(self, path: Path):
        self.path = Path(path)
        self._lock = threading.RLock()
        self._db = self._open()
        self._writes = 0  # own commits; PRAGMA data_version counts only other connections'
        self._seen: tuple[int, int] | None = None
        self._frequencies: dict[str, int] = {}
        self._rows: int | None = None

    # -- opening, and starting again when the file is damaged ------------------------
    def _open(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = None
        try:
            db = self._connect()
            if db.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                raise sqlite3.DatabaseError("quick_check failed")
            version = db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
            if version is None or version[0] != SCHEMA_VERSION:
                raise sqlite3.DatabaseError("old schema")
            return db
        except sqlite3.DatabaseError:
            # includes "locked" after the busy handler's wait: a healthy writer holds the
            # file for milliseconds, so a lock that outlives BUSY_SECONDS is a stuck file
            self.damaged = True
            if db is not None:
                db.close()
            self._delete_files()
            return self._connect()

    damaged = False  # True when the file on disk was unusable and had to be started again

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None, timeout=BUSY_SECONDS)
        db.execute("PRAGMA journal_mode=WAL")
        db.executescript(f"""
            CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
            INSERT OR IGNORE INTO meta VALUES ('schema', '{SCHEMA_VERSION}');
            CREATE TABLE IF NOT EXISTS articles (article_id TEXT PRIMARY KEY, version TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS chunks (
                rowid INTEGER PRIMARY KEY, chunk_id TEXT UNIQUE NOT NULL, article_id TEXT NOT NULL,
                source TEXT NOT NULL, published_ts INTEGER);
            CREATE INDEX IF NOT EXISTS chunks_article ON chunks(article_id);
            CREATE VIRTUAL TABLE IF NOT EXISTS chunks_fts USING fts5(
                title, text, tokenize = 'porter unicode61 remove_diacritics 2');
            CREATE VIRTUAL TABLE IF NOT EXISTS chunks_vocab USING fts5vocab(chunks_fts, 'row');
        """)
        return db

    def _delete_files(self) -> None:
        for suffix in ("", "-wal", "-shm"):
            Path(str(self.path) + suffix).unlink(missing_ok=True)

    # -- writing --------------------------------------------------------------------
    def replace_articles(self, articles: Sequence[tuple[str, str, Sequence[LexicalRow]]]) -> None:
        """Swap the rows of many articles ((id, version, rows) each) in a single transaction:
        a build writes a batch at a time, and one commit per article cost a disk sync each."""
        with self._lock, self._db:
            self._db.execute("BEGIN IMMEDIATE")
            for article_id, version, rows in articles:
                self._remove(article_id)
                for row in rows:
                    self._remove_chunk(row.chunk_id)  # a concurrent sync may have written it already
                    cursor = self._db.execute(
                        "INSERT INTO chunks (chunk_id, article_id, source, published_ts) VALUES (?, ?, ?, ?)",
                        (row.chunk_id, row.article_id, row.source, row.published_ts))
                    self._db.execute("INSERT INTO chunks_fts (rowid, title, text) VALUES (?, ?, ?)",
                                     (cursor.lastrowid, row.title, row.text))
                self._db.execute("INSERT OR REPLACE INTO articles VALUES (?, ?)", (article_id, version))
            self._writes += 1

    def remove_article(self, article_id: str) -> None:
        with self._lock, self._db:
            self._db.execute("BEGIN IMMEDIATE")
            self._remove(article_id)
            self._writes += 1

    def _remove_chunk(self, chunk_id: str) -> None:
        row = self._db.execute("SELECT rowid FROM chunks WHERE chunk_id = ?", (chunk_id,)).fetchone()
        if row:
            self._db.execute("DELETE FROM chunks_fts WHERE rowid = ?", row)
            self._db.execute("DELETE FROM chunks WHERE rowid = ?", row)

    def _remove(self, article_id: str) -> None:
        rowids = [r[0] for r in self._db.execute("SELECT rowid FROM chunks WHERE article_id = ?", (article_id,))]
        self._db.executemany("DELETE FROM chunks_fts WHERE rowid = ?", [(r,) for r in rowids])
        self._db.execute("DELETE FROM chunks WHERE article_id = ?", (article_id,))
        self._db.execute("DELETE FROM articles WHERE article_id = ?", (article_id,))

    # -- reading --------------------------------------------------------------------
    def hashes(self) -> dict[str, str]:
        with self._lock:
            return dict(self._db.execute("SELECT article_id, version FROM articles"))

    def _remembered(self) -> None:
        """Forget counts taken before the last write by this or any other connection."""
        seen = (self._db.execute("PRAGMA data_version").fetchone()[0], self._writes)
        if seen != self._seen or len(self._frequencies) > REMEMBERED_TERMS:
            self._seen, self._frequencies, self._rows = seen, {}, None

    def document_frequencies(self, stems: Sequence[str]) -> dict[str, int]:
        """Chunks containing each (Porter-stemmed) term: the rarity that weighs word overlap."""
        stems = list(dict.fromkeys(stems))
        with self._lock:
            self._remembered()
            # fts5vocab counts a term by reading its whole posting list: remember the counts
            unknown = [s for s in stems if s not in self._frequencies]
            if unknown:
                found = dict(self._db.execute(
                    f"SELECT term, doc FROM chunks_vocab WHERE term IN ({','.join('?' * len(unknown))})",
                    unknown).fetchall())
                self._frequencies.update({s: found.get(s, 0) for s in unknown})
            return {s: self._frequencies[s] for s in stems if self._frequencies[s]}

    def count(self) -> int:
        with self._lock:
            self._remembered()
            if self._rows is None:
                self._rows = self._db.execute("SELECT count(*) FROM chunks").fetchone()[0]
            return self._rows

    def search(self, question: str, k: int = 20, *, sources: Sequence[str] = (),
               since: int | None = None, until: int | None = None,
               article_ids: Iterable[str] | None = None) -> list[tuple[str, float]]:
        """(chunk_id, BM25 score; higher is better) for the best `k` chunks, filters applied in SQL.

        Ranks as a query of every word would (up to chunks scored within 1e-4 of each other),
        but leaves out the words found in half the chunks or more when it can: FTS5's bm25
        gives those an idf of 1e-6 (the log of a ratio <= 1, clamped), so they cannot move a
        ranking, yet scoring them reads the longest posting lists (at 114k chunks, half of a
        search's time). Chunks that match only such words still come after all others, in
        the same order, from the full query when fewer than `k` chunks hold a rarer word.
        """
        words = query_words(question)
        if not words:
            return []
        among, params = _chunk_filter(sources, since, until, article_ids)
        with self._lock:
            stems = [stem(w) for w in words]
            frequencies, total = self.document_frequencies(stems), self.count()
            rare = [w for w, s in zip(words, stems) if 2 * frequencies.get(s, 0) < total]
            if rare and len(rare) < len(words):
                found = self._ranked(rare, k, among, params)
                if len(found) == k:
                    return found
            return self._ranked(words, k, among, params)

    def _ranked(self, words: Sequence[str], k: int, among: str, params: list) -> list[tuple[str, float]]:
        # chunk ids are joined after the LIMIT: for 40 rows, not for every match (~8% faster).
        # Equal scores (copies of one text) come out in rowid order, which is the order the
        # chunks were written in: twice k rows are read and ties ordered by chunk id, so the
        # same articles rank the same however they were indexed.
        sql = (f"SELECT c.chunk_id, found.score FROM (SELECT rowid, bm25(chunks_fts, 0.5, 1.0) AS score "
               f"FROM chunks_fts WHERE chunks_fts MATCH ?{among} ORDER BY score LIMIT ?) AS found "
               f"JOIN chunks c ON c.rowid = found.rowid ORDER BY found.score, c.chunk_id")
        rows = self._db.execute(sql, [match_query(words), *params, 2 * k]).fetchall()
        return [(chunk_id, -score) for chunk_id, score in rows[:k]]  # FTS5's bm25 is lower-is-better

    # -- keeping in step with Chroma ------------------------------------------------
    def sync(self, committed: Mapping[str, str], fetch_rows) -> int:
        """Make this cache hold exactly the `committed` articles ({id: version}).

        `fetch_rows(versions)` returns the LexicalRows of those versions from Chroma (records
        of a version never change, so what it returns matches the version recorded here).
        Returns how many articles were (re)loaded or removed.
        """
        have = self.hashes()
        stale = [a for a, h in committed.items() if have.get(a) != h]
        gone = [a for a in have if a not in committed]
        for article_id in gone:
            self.remove_article(article_id)
        for i in range(0, len(stale), 200):
            batch = stale[i:i + 200]
            rows = fetch_rows([committed[a] for a in batch])
            by_article: dict[str, list[LexicalRow]] = {a: [] for a in batch}
            for row in rows:
                by_article.setdefault(row.article_id, []).append(row)
            self.replace_articles([(a, committed[a], by_article[a]) for a in batch])
        return len(stale) + len(gone)

    def close(self) -> None:
        with self._lock:
            self._db.close()
