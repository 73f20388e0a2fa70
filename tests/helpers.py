"""What tests share besides fixtures: the corpora's paths, corpus writers, ports, clients,
and the invariants every answer keeps. Test files import from here, never from each other."""

from __future__ import annotations

import contextlib
import json
import socket
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "articles"
SHARED_EVAL = REPO.parent / "shared" / "eval"
SQUAD = SHARED_EVAL / "squad-dev" / "articles"


def squad_articles(limit: int | None = None, max_chars: int | None = None) -> list[dict]:
    if not SQUAD.is_dir():
        pytest.skip("../shared/eval/squad-dev is not beside the repo")
    records = []
    for path in sorted(SQUAD.glob("*.json"))[:limit]:
        record = json.loads(path.read_text())
        if max_chars:
            cut = record["text"].rfind("\n\n", 0, max_chars)
            record["text"] = record["text"][:cut if cut > 0 else max_chars]
        records.append({"name": path.name, **record})
    return records


def write_squad(folder: Path, limit: int | None = None, max_chars: int | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for record in squad_articles(limit, max_chars):
        name = record.pop("name")
        (folder / name).write_text(json.dumps(record))
    return folder


def free_port() -> int:
    """A loopback port nobody listens on (for a server a test starts)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def api_client(url: str, **options):
    """A gradio_client as a program would make one, patient enough for a busy 2-core VM: its
    default 5 s for fetching the page config is shorter than a first request can take while
    the app warms its model (the CI failure that added this)."""
    from gradio_client import Client

    return Client(url, verbose=False, httpx_kwargs={"timeout": 120}, **options)


def article_texts(settings) -> dict[str, str]:
    """Every indexed article's stored text, by id (what citation offsets index)."""
    from index.store import Store

    store = Store.open(settings)
    return store.article_texts(store.articles.get(include=[])["ids"])


def check_invariants(result, texts) -> None:
    """Every [n] has its citation and back; every passage is the article's text at its offsets;
    every highlight lies inside its passage."""
    assert result.markers == {c.number for c in result.citations}
    for c in result.citations:
        text = texts[c.article_id]
        assert text[c.start:c.end] == c.passage
        for start, end in c.highlights:
            assert c.start <= start < end <= c.end <= len(text)


class MemoryCorpus:
    """A corpus held in memory, for the fast tier of pipeline tests: the `Corpus` protocol
    over a few articles, with the real model's sentence vectors and plain word-overlap
    keyword search (no Chroma, no SQLite, no build)."""

    def __init__(self, articles, embedder=None):
        import numpy as np

        from assistant.retrieval import ArticleMeta
        from index.articles import parse_date
        from index.chunking import paragraphs, split_sentences
        from index.text import content_terms

        self._terms = content_terms
        self.embedder = embedder or shared_embedder()
        self.catalog, self.committed, self.texts = {}, {}, {}
        self.passages = []  # (chunk_id, article, start, end, sentence spans)
        for a in articles:
            published = a.get("published", "")
            iso, ts = parse_date(published) if published else ("", None)
            self.catalog[a["id"]] = ArticleMeta(a["id"], a.get("title", ""), a.get("source", ""), iso, ts,
                                                a.get("group", ""))
            self.committed[a["id"]] = "v1"
            self.texts[a["id"]] = a["text"]
            for i, (start, end) in enumerate(paragraphs(a["text"])):
                spans = tuple(split_sentences(a["text"], start, end))
                self.passages.append((f"{a['id']}|v1|{i}", a, start, end, spans))
        sentences = [a["text"][s:e] for _, a, _, _, spans in self.passages for s, e in spans]
        vectors = self.embedder.embed(sentences) if sentences else np.zeros((0, 1))
        self.vectors, cursor = {}, 0
        for chunk_id, _, _, _, spans in self.passages:
            self.vectors[chunk_id] = vectors[cursor:cursor + len(spans)]
            cursor += len(spans)

    def follow_builds(self) -> None:
        pass

    def search(self, question, k=5, candidates=40, filters=None, vector=None):
        import numpy as np

        from assistant.retrieval import Filters, Hit

        filters = filters or Filters()
        vector = self.embed_query(question) if vector is None else vector
        words = set(self._terms(question))
        scored = []
        for chunk_id, a, start, end, spans in self.passages:
            meta = self.catalog[a["id"]]
            if filters.sources and meta.source not in filters.sources:
                continue
            if (filters.since is not None or filters.until is not None) and meta.published_ts is None:
                continue
            if filters.since is not None and meta.published_ts < filters.since:
                continue
            if filters.until is not None and meta.published_ts > filters.until:
                continue
            dense = float(np.max(self.vectors[chunk_id] @ vector)) if spans else 0.0
            overlap = len(words & set(self._terms(a["text"][start:end]))) / max(len(words), 1)
            scored.append((dense + overlap, chunk_id, a, start, end, spans))
        scored.sort(key=lambda item: -item[0])
        return [Hit(chunk_id=chunk_id, article_id=a["id"], title=a.get("title", ""), source=a.get("source", ""),
                    url="", published=self.catalog[a["id"]].published, text=a["text"][start:end], start=start,
                    end=end, sentences=spans, score=score)
                for score, chunk_id, a, start, end, spans in scored[:k]]

    def sentences(self, hits):
        from assistant.retrieval import Sentence

        out = {}
        for hit in hits:
            text = self.texts[hit.article_id]
            out[hit.chunk_id] = [Sentence(s, e, text[s:e], v) for (s, e), v in zip(hit.sentences,
                                                                                    self.vectors[hit.chunk_id])]
        return out

    def embed_query(self, text):
        return self.embedder.embed_query(text)

    def embed(self, texts):
        return self.embedder.embed(list(texts))

    def document_frequencies(self, stems):
        found = [set(self._terms(a["text"][s:e])) for _, a, s, e, _ in self.passages]
        return {t: sum(t in terms for terms in found) for t in stems}

    def passage_count(self):
        return len(self.passages)

    def collapse_copies(self, hits):
        from dataclasses import replace

        return [replace(h, group=self.catalog[h.article_id].group,
                        also_reported_by=tuple(dict.fromkeys(m.source for m in self.copies_of(h.article_id)
                                                             if m.source and m.source != h.source)))
                for h in hits]

    def copies_of(self, article_id):
        meta = self.catalog.get(article_id)
        if meta is None or not meta.group:
            return []
        return sorted((m for m in self.catalog.values() if m.group == meta.group and m.article_id != article_id),
                      key=lambda m: (m.published_ts is None, m.published_ts or 0, m.article_id))

    def article_sentences(self, article_id):
        from index.chunking import split_sentences

        text = self.texts.get(article_id, "")
        return [text[s:e] for s, e in split_sentences(text)]

    def article_texts(self, article_ids):
        return {i: self.texts[i] for i in article_ids if i in self.texts}

    def article_vectors(self, article_ids):
        import numpy as np

        out = {}
        for article_id in article_ids:
            rows = [self.vectors[c] for c, a, _, _, spans in self.passages if a["id"] == article_id and spans]
            if rows:
                mean = np.concatenate(rows).mean(axis=0)
                out[article_id] = mean / np.linalg.norm(mean)
        return out

    def article_passages(self, article_ids):
        from assistant.retrieval import Hit

        return {article_id: [Hit(chunk_id=c, article_id=a["id"], title=a.get("title", ""), source=a.get("source", ""),
                                 url="", published=self.catalog[a["id"]].published, text=a["text"][s:e], start=s,
                                 end=e, sentences=spans, score=0.0)
                             for c, a, s, e, spans in self.passages if a["id"] == article_id]
                for article_id in article_ids if article_id in self.texts}

    def generation(self):
        return len(self.texts)


_EMBEDDER = []


def shared_embedder():
    """The real model, loaded once per test session (the fast tier's only heavy part)."""
    if not _EMBEDDER:
        from index import Settings
        from index.embedding import embedder_for

        _EMBEDDER.append(embedder_for(Settings.load(env={})))
    return _EMBEDDER[0]


@contextlib.contextmanager
def serve_page(settings):
    """The page and its doors served as `python app.py` serves them (app.build_app, app.serve),
    on 127.0.0.1 in this process; yields the base URL (no trailing slash)."""
    import app as chat_app

    page = chat_app.build_app(settings)
    chat_app.serve(page, settings, prevent_thread_lock=True, quiet=True)
    try:
        yield f"http://127.0.0.1:{settings.port}"
    finally:
        chat_app.stop(page)


@contextlib.contextmanager
def serve_doors(settings, assistant=None):
    """The doors (/v1, /api, /docs, /mcp) alone, `mount`ed on a plain FastAPI app served by
    uvicorn on 127.0.0.1 in a thread of this process, answering with `assistant` (default: the
    settings' shared one); yields the base URL."""
    import threading
    import time

    import uvicorn
    from fastapi import FastAPI

    from assistant import get_assistant
    from assistant.api import mount
    from assistant.gate import answer_gate

    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    mount(app, (lambda: assistant) if assistant else (lambda: get_assistant(settings)), settings=settings,
          gate=answer_gate(settings))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=settings.port, log_level="warning"))
    thread = threading.Thread(target=server.run, name="doors", daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the doors' server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{settings.port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
