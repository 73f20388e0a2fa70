"""Larger corpora for the scale rows: the 24 SQuAD articles plus synthetic ones.

Synthetic article `n` is a random mix of paragraphs from the real articles (so it reads like
them and competes with them in retrieval) with every integer shifted by `n` (so no article,
and no sentence with a figure, is an exact copy), titled "Dispatch n". Mixes of ~20 from
~1,100 paragraphs share few 5-word shingles, so duplicate detection leaves them apart.

Embedding half a million sentences takes hours on 2 cores and tells nothing about search
at scale, so scale builds replay vectors: a synthetic sentence gets the vector its real
source sentence got from the real model, plus a little noise (mean cosine ~0.97 to it), so
no two vectors are equal and neighbourhoods look like real ones. Everything else, chunking,
Chroma, the lexical index, duplicate grouping, runs for real. Sentences with no source
(a paragraph split differently) are embedded by the real model and counted.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from index.embedding import Embedder

NUMBER = re.compile(r"\d+")
DISPATCH = re.compile(r"^Dispatch (\d+): ")
NOISE = 0.25  # norm of the noise added to a replayed unit vector


def shift_numbers(text: str, by: int) -> str:
    return NUMBER.sub(lambda m: str(int(m.group()) + by), text)


def unshift_numbers(text: str, by: int) -> str:
    return NUMBER.sub(lambda m: str(int(m.group()) - by), text)


def write_corpus(source: Path, target: Path, factor: int, seed: int = 7) -> int:
    """Copy the articles of `source` and add synthetic ones up to `factor` times as many."""
    target.mkdir(parents=True, exist_ok=True)
    originals = [json.loads(p.read_text()) | {"name": p.name} for p in sorted(source.glob("*.json"))]
    paragraphs = [p for a in originals for p in a["text"].split("\n\n") if p.strip()]
    per_article = max(1, round(len(paragraphs) / len(originals)))
    for a in originals:
        (target / a["name"]).write_text(json.dumps({k: v for k, v in a.items() if k != "name"}))
    rng = random.Random(seed)
    written = len(originals)
    for n in range(1, len(originals) * (factor - 1) + 1):
        text = "\n\n".join(shift_numbers(p, n) for p in rng.sample(paragraphs, per_article))
        (target / f"dispatch-{n:05d}.json").write_text(json.dumps({"title": f"Dispatch {n}", "text": text}))
        written += 1
    return written


class ReplayEmbedder(Embedder):
    """Our build's embedder for synthetic corpora: source vector + noise; real model otherwise."""

    def __init__(self, real: Embedder, sources: dict[str, np.ndarray], seed: int = 11):
        super().__init__(real.model_name if not real.local else "", real.batch_size, real.backend, real.cache_dir)
        self.real = real
        self.model_id = real.model_id  # the index reads as built by the real model (whose vectors these are)
        self.sources = sources  # bare source sentence -> its vector
        self.rng = np.random.default_rng(seed)
        self.replayed = 0
        self.missed = 0

    def _encode(self, texts: list[str], batch_size: int) -> np.ndarray:
        vectors: list[np.ndarray | None] = []
        for text in texts:
            match = DISPATCH.match(text)
            source = self.sources.get(unshift_numbers(text[match.end():], int(match.group(1)))) if match else None
            if source is None:
                source = self.sources.get(text.split(": ", 1)[-1])  # an original article's sentence
            vectors.append(None if source is None else noisy(source, self.rng))
        missing = [i for i, v in enumerate(vectors) if v is None]
        if missing:
            fresh = self.real._encode([texts[i] for i in missing], batch_size)
            for i, vector in zip(missing, fresh):
                vectors[i] = vector
        self.missed += len(missing)
        self.replayed += len(texts) - len(missing)
        return np.stack(vectors).astype(np.float32)


def noisy(vector: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    noise = rng.standard_normal(vector.shape[0]).astype(np.float32)
    noisy = vector + noise * (NOISE / np.linalg.norm(noise))
    return noisy / np.linalg.norm(noisy)


def source_vectors(inputs: Sequence[str], vectors: np.ndarray) -> dict[str, np.ndarray]:
    """bare sentence -> vector, from the embedding inputs ("title: sentence") of the real articles."""
    return {text.split(": ", 1)[-1]: vector for text, vector in zip(inputs, vectors)}


class StockReplayEmbeddings:
    """The stock pipeline's embeddings at scale, by the same rule: a chunk of a synthetic
    article gets the mean of its source sentences' vectors (plus noise); queries and chunks
    of the real articles go through the real model. Call `start_article` before adding an
    article's chunks."""

    def __init__(self, real, sources: dict[str, np.ndarray], seed: int = 13):
        self.real = real
        self.sources = sources
        self.rng = np.random.default_rng(seed)
        self.number = 0
        self.candidates: dict[str, np.ndarray] = {}
        self.missed = 0

    def start_article(self, number: int, text: str) -> None:
        """The synthetic article `number` (0: a real one) whose chunks come next."""
        self.number = number
        plain = unshift_numbers(text, number) if number else ""
        self.candidates = {s: v for s, v in self.sources.items() if s in plain}

    def _replay(self, text: str) -> np.ndarray | None:
        plain = unshift_numbers(text, self.number)
        found = [v for sentence, v in self.candidates.items() if sentence in plain]
        if not self.number or not found:
            return None
        mean = np.mean(found, axis=0)
        return noisy(mean / np.linalg.norm(mean), self.rng)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        vectors = [self._replay(text) for text in texts]
        missing = [i for i, v in enumerate(vectors) if v is None]
        if missing:
            for i, vector in zip(missing, self.real.embed_documents([texts[i] for i in missing])):
                vectors[i] = np.asarray(vector, dtype=np.float32)
            if self.number:
                self.missed += len(missing)
        return [v.tolist() for v in vectors]

    def embed_query(self, text: str) -> list[float]:
        return self.real.embed_query(text)
