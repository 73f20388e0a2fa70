"""LangChain's own conformance suite for retrievers (`langchain-tests`), run against our
retriever over a real index of the sample articles: what any LangChain program may rely on
(`k` in the constructor and per call, Documents from invoke and ainvoke) holds for it."""

from __future__ import annotations

import atexit
import shutil
import tempfile
from functools import cache
from pathlib import Path

import pytest
from langchain_core.documents import Document
from langchain_tests.integration_tests import RetrieversIntegrationTests

from assistant.retrieval import HybridRetriever, HybridSearch
from index import Settings, build_index

from .helpers import SAMPLE


@cache
def _search() -> HybridSearch:
    """One real index for the class (the suite builds its retrievers from properties, not fixtures)."""
    folder = Path(tempfile.mkdtemp(prefix="retriever-conformance-"))
    atexit.register(shutil.rmtree, folder, True)
    settings = Settings.load(env={}, data_dir=folder)
    build_index(SAMPLE, settings=settings)
    return HybridSearch(settings)


class TestHybridRetriever(RetrieversIntegrationTests):
    @property
    def retriever_constructor(self) -> type[HybridRetriever]:
        return HybridRetriever

    @property
    def retriever_constructor_params(self) -> dict:
        return {"search": _search()}

    @property
    def retriever_query_example(self) -> str:
        return "Who did Trump send to meet Putin in Moscow?"


@pytest.mark.parametrize("k", [1, 3, 5])
def test_the_documents_carry_what_a_citation_needs(k):
    documents = HybridRetriever(search=_search(), k=k).invoke("Who did Trump send to meet Putin in Moscow?")
    assert len(documents) == k and all(isinstance(d, Document) for d in documents)
    for document in documents:
        meta = document.metadata
        # the passage is the article's own text at its offsets
        text = _search().article_texts([meta["article_id"]])[meta["article_id"]]
        assert text[meta["start"]:meta["end"]] == document.page_content
        assert document.id == meta["chunk_id"] and meta["title"]
