"""The pipeline a user would pick instead of this project: stock LangChain RAG.

RecursiveCharacterTextSplitter(1000, 200) + HuggingFaceEmbeddings on the same packaged
all-MiniLM-L6-v2 + Chroma, a top-k similarity retriever, and (no LLM here) its top chunk as
the answer. Written as a user would from the LangChain docs; nothing of ours is used but
the article loader, so both systems read exactly the same text.

    python bench/stock.py ../shared/eval/squad-dev/articles "Who founded the university?"
"""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from langchain_chroma import Chroma
from langchain_core.documents import Document
from langchain_huggingface import HuggingFaceEmbeddings
from langchain_text_splitters import RecursiveCharacterTextSplitter

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from index import load_folder  # noqa: E402  (the same text for both systems)
from index.embedding import packaged_model_path  # noqa: E402


@dataclass(frozen=True)
class StockAnswer:
    """What evaluation reads from an answer: the stock pipeline never abstains."""
    text: str
    abstained: bool = False


@dataclass(frozen=True)
class Passage:
    text: str
    article_id: str


def embeddings() -> HuggingFaceEmbeddings:
    return HuggingFaceEmbeddings(model_name=str(packaged_model_path()), model_kwargs={"device": "cpu"},
                                 encode_kwargs={"normalize_embeddings": True})


def split(folder: Path) -> list[Document]:
    splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)
    articles = load_folder(folder).articles
    return splitter.create_documents([a.text for a in articles],
                                     metadatas=[{"article_id": a.id, "title": a.title} for a in articles])


def build(folder: Path, persist: Path | None, embedding: HuggingFaceEmbeddings, *, client=None,
          collection: str = "stock") -> Chroma:
    """Split, embed and store every article (the stock pipeline has no incremental update):
    under `persist`, or in `collection` of a Chroma server's `client`, replaced."""
    if client is not None:
        try:
            client.delete_collection(collection)
        except Exception:  # not there yet
            pass
    return Chroma.from_documents(split(folder), embedding, client=client,
                                 persist_directory=None if persist is None else str(persist),
                                 collection_name=collection, collection_metadata={"hnsw:space": "cosine"})


class StockRag:
    def __init__(self, store: Chroma, k: int = 5):
        self.retriever = store.as_retriever(search_kwargs={"k": k})

    def ask(self, question: str) -> tuple[StockAnswer, list[Passage]]:
        documents = self.retriever.invoke(question)
        passages = [Passage(d.page_content, d.metadata["article_id"]) for d in documents]
        return StockAnswer(passages[0].text if passages else ""), passages


def main() -> None:
    import argparse
    import tempfile

    parser = argparse.ArgumentParser(description="Build the stock pipeline over a folder and ask it one question.")
    parser.add_argument("folder", type=Path)
    parser.add_argument("question")
    parser.add_argument("--chroma-url", help="a Chroma server (http://host:port) instead of a local directory")
    parser.add_argument("--collection", default="stock", help="the collection on the server (replaced)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        if args.chroma_url:
            from urllib.parse import urlparse

            import chromadb

            url = urlparse(args.chroma_url)
            store = build(args.folder, None, embeddings(), client=chromadb.HttpClient(host=url.hostname, port=url.port),
                          collection=args.collection)
        else:
            store = build(args.folder, Path(tmp), embeddings())
        print(f"built in {time.perf_counter() - started:.1f} s")
        answer, passages = StockRag(store).ask(args.question)
        print(answer.text)


if __name__ == "__main__":
    main()
