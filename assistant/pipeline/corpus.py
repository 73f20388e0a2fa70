"""The seam between the answer steps and the index: what they need of a corpus, as a Protocol.

`HybridSearch` (Chroma + the lexical cache) is the corpus of a real index; the fast test
tier answers from a corpus held in memory. Nothing in `pipeline/` names a concrete store.
"""

from __future__ import annotations

from typing import Mapping, Protocol, Sequence

import numpy as np

from ..retrieval import ArticleMeta, Filters, Hit, Sentence


class Corpus(Protocol):
    @property
    def committed(self) -> Mapping[str, str]:
        """Article id -> its committed version: empty means nothing to answer from."""

    @property
    def catalog(self) -> Mapping[str, ArticleMeta]:
        """Title, outlet, date and copy group of each committed article."""

    def follow_builds(self) -> None:
        """Pick up what a build committed since the last look (a no-op for a fixed corpus)."""

    def search(self, question: str, k: int = 5, candidates: int = 40, filters: Filters = Filters(),
               vector: np.ndarray | None = None) -> list[Hit]:
        """The best passages for a question, best first, within the filters."""

    def sentences(self, hits: Sequence[Hit]) -> dict[str, list[Sentence]]:
        """The stored sentences (offsets, text and unit vector) of each hit, in text order."""

    def embed_query(self, text: str) -> np.ndarray:
        """The unit vector of a question, comparable with the sentences' vectors."""

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Unit vectors of several texts (an LLM's claims, checked against the passages)."""

    def document_frequencies(self, stems: Sequence[str]) -> dict[str, int]:
        """In how many passages each stem occurs: the rarity that weighs word overlap."""

    def passage_count(self) -> int:
        """How many passages the corpus holds."""

    def collapse_copies(self, hits: list[Hit]) -> list[Hit]:
        """One passage per story among `hits`, each naming the outlets of its copies."""

    def copies_of(self, article_id: str) -> list[ArticleMeta]:
        """The other articles of an article's near-duplicate group, oldest first."""

    def article_sentences(self, article_id: str) -> list[str]:
        """The sentences of an article's committed version, in text order."""

    def article_vectors(self, article_ids: Sequence[str]) -> dict[str, np.ndarray]:
        """Each article's stored vector (the mean of its sentence vectors): what stories cluster."""

    def article_passages(self, article_ids: Sequence[str]) -> dict[str, list[Hit]]:
        """Every passage of each article's committed version, in text order (a briefing reads
        whole stories, not search results)."""

    def article_texts(self, article_ids: Sequence[str]) -> dict[str, str]:
        """The text of each article as indexed: what every citation's offsets index."""

    def generation(self) -> object:
        """A value that changes whenever the corpus changes."""
