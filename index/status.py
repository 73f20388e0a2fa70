"""What the index holds, without loading the model."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass

from . import hnsw
from .embedding import resolve_model
from .settings import Settings
from .store import Store


@dataclass(frozen=True)
class IndexStatus:
    articles: int
    chunks: int
    sentences: int  # embedded records
    model: str
    store: str
    last_build: float | None  # seconds since the epoch
    dense_search: str = ""  # how questions are compared with sentence vectors: "exact" or "hnsw"
    hnsw_pending: tuple[str, ...] = ()  # HNSW settings the next `assistant index` applies ("ef_search 100 -> 200")

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class ArticleInfo:
    id: str
    title: str
    source: str
    url: str
    published: str
    chunks: int
    group: str = ""  # near-duplicate group: the id of its first published article ("" for none)
    copy_of: str = ""  # the title of that first article, for a later copy (syndicated, corrected)
    copies: int = 0  # for the first article of a group: how many later copies it has


def index_status(settings: Settings | None = None) -> IndexStatus:
    settings = settings or Settings.load()
    store = Store.open(settings)
    counts = store.counts()
    info = store.info
    exact = hnsw.search_is_exact(store, counts["sentences"])
    pending = tuple(f"{name} {have} -> {want}" for name, (have, want) in sorted(hnsw.drift(store).items()))
    return IndexStatus(articles=counts["articles"], chunks=counts["chunks"], sentences=counts["sentences"],
                       model=info.get("model") or resolve_model(settings.embedding_model)[0],
                       store=settings.store_label, last_build=info.get("last_build"),
                       dense_search="exact" if exact else "hnsw", hnsw_pending=pending)


def indexed_articles(settings: Settings | None = None, store: Store | None = None) -> list[ArticleInfo]:
    """The committed articles, newest first (undated ones last, by id)."""
    store = store or Store.open(settings or Settings.load())
    described = store.described()
    titles = {m["article_id"]: m.get("title", "") or m["article_id"] for m in described}
    members: dict[str, int] = {}
    for m in described:
        if m.get("dup_group"):
            members[m["dup_group"]] = members.get(m["dup_group"], 0) + 1

    def info(m: dict) -> ArticleInfo:
        group = m.get("dup_group", "") or ""
        first = group == m["article_id"]
        return ArticleInfo(m["article_id"], m.get("title", ""), m.get("source", ""), m.get("url", ""),
                           m.get("published", ""), int(m.get("chunks", 0)), group,
                           titles.get(group, group) if group and not first else "",
                           members.get(group, 1) - 1 if first else 0)

    infos = [info(m) for m in described]
    infos.sort(key=lambda a: a.id)
    return sorted(infos, key=lambda a: a.published or "", reverse=True)


def article_texts(article_ids: Iterable[str], settings: Settings | None = None,
                  store: Store | None = None) -> dict[str, str]:
    """{article id: its text} for the committed articles among `article_ids` (others are left
    out): the exact text every offset of the index points into (`Citation.start`/`end`, the
    highlights), read from the index, so it holds even when the file changed since."""
    ids = list(article_ids)
    return (store or Store.open(settings or Settings.load())).article_texts(ids) if ids else {}


def article_text(article_id: str, settings: Settings | None = None, store: Store | None = None) -> str | None:
    """The text of one committed article, exactly as read when it was indexed (what its
    citations' offsets index); None when no committed article has this id."""
    return article_texts([article_id], settings, store).get(article_id)
