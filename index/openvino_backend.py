"""The embedding model run by OpenVINO: exported once from the sentence-transformers model,
offline, cached on disk, and read without torch.

Why: on a laptop CPU the torch model is the whole cost of a build. OpenVINO runs the same
network in bf16 where the CPU has it (about 2.5x here, vectors within 1e-5 cosine of fp32).
Static int8 (nncf, calibrated on 161 news sentences written for it) was measured on the
sentences the index embeds and left out: no faster than bf16 (46 vs 47 sentences/s with
the throughput queue below, 27 vs 42 without), and its vectors drift (mean cosine 0.994,
worst 0.74; a question's top 5 sentences unchanged for 53%; dense answer@5 0.834 vs 0.842).
A query process that finds the export never imports torch, which saves ~400 MB.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import threading
import time
from collections import deque
from collections.abc import Sequence
from functools import cached_property
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np

STALE_EXPORT_SECONDS = 3600  # an export folder this old was left by a killed process
_EXPORT_LOCK = threading.Lock()


def _pooling(model_dir: Path) -> str:
    """mean or cls, from the sentence-transformers pooling config (mean if there is none)."""
    for config in sorted(model_dir.glob("*_Pooling/config.json")):
        settings = json.loads(config.read_text())
        if settings.get("pooling_mode_cls_token"):
            return "cls"
        if settings.get("pooling_mode_mean_tokens"):
            return "mean"
        raise ValueError(f"{model_dir.name}: only mean or CLS pooling runs on OpenVINO; "
                         "use ASSISTANT_EMBEDDING_BACKEND=torch")
    return "mean"


def _max_length(model_dir: Path) -> int:
    config = model_dir / "sentence_bert_config.json"
    return int(json.loads(config.read_text()).get("max_seq_length", 256)) if config.exists() else 256


def export_dir(model_dir: Path, model_id: str, cache_dir: Path) -> Path:
    """Where the export of this model by this OpenVINO lives."""
    key = hashlib.sha256(f"{model_id}|{version('openvino')}".encode()).hexdigest()[:16]
    return cache_dir / f"{model_dir.name}-{key}"


def export(model_dir: Path, target: Path) -> Path:
    """Convert the transformer to OpenVINO IR into `target`.

    Writes into a temporary folder and renames it into place, so an interrupted export
    is simply redone and a reader never sees half a model."""
    import openvino as ov
    import torch
    from transformers import AutoModel

    with _EXPORT_LOCK:
        if (target / "model.xml").exists():
            return target
        target.parent.mkdir(parents=True, exist_ok=True)
        _remove_stale(target.parent)
        work = Path(tempfile.mkdtemp(prefix=".export-", dir=target.parent))
        try:
            network = AutoModel.from_pretrained(str(model_dir)).eval()
            example = {"input_ids": torch.ones(1, 8, dtype=torch.long),
                       "attention_mask": torch.ones(1, 8, dtype=torch.long),
                       "token_type_ids": torch.zeros(1, 8, dtype=torch.long)}
            with torch.no_grad():
                model = ov.convert_model(network, example_input=example)
            ov.save_model(model, str(work / "model.xml"))
            for name in ("tokenizer.json", "sentence_bert_config.json"):
                if (model_dir / name).exists():
                    shutil.copy2(model_dir / name, work / name)
            (work / "pooling").write_text(_pooling(model_dir))
            try:
                work.rename(target)
            except OSError:  # another process finished first: its export is as good
                if not (target / "model.xml").exists():
                    raise
        finally:
            shutil.rmtree(work, ignore_errors=True)
    return target


def _remove_stale(folder: Path) -> None:
    now = time.time()
    for path in folder.glob(".export-*"):
        try:
            if now - path.stat().st_mtime > STALE_EXPORT_SECONDS:
                shutil.rmtree(path, ignore_errors=True)
        except OSError:
            pass


def _tokenizer(model_dir: Path, max_length: int):
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    tokenizer.enable_truncation(max_length)
    tokenizer.no_padding()  # `_inputs` pads, to a length that depends on the text alone
    return tokenizer


PAD_TO = 2  # a text runs padded to its own length in word pieces rounded up to this
# what, besides the network, this backend's vectors depend on (part of Embedder.model_id, so an
# index or embedding cache made under other padding is re-embedded, never mixed with these)
VECTORS = f"pad{PAD_TO}"


class OpenVinoEncoder:
    """Texts -> L2-normalised float32 vectors with an exported model; no torch.

    A text's vector depends on the text alone, not on the batch it was embedded in: the
    network's rows are computed independently, but padding moves the last bits (bf16: up
    to 7e-4; 3.5% of SQuAD's sentences changed when batched differently), so an index
    built in another order or batch size would hold other vectors. Each text is therefore
    padded to its own length rounded up to PAD_TO, and a batch holds texts of one such
    length only.

    Why 2: the network costs the same per word piece whatever the width (~120 us a piece
    on one core here, batches of 16 or more), so padding is wasted work: rounding to 8
    added 9.6% to squad-dev's 189,834 pieces. Exact lengths waste nothing but leave the
    texts of a build's batch of sentences in many small groups, whose small requests cost
    more per piece. Measured on one core, squad-dev's inputs in a build's calls (64, 128,
    ... 2,048 sentences), three alternating rounds: 25.5 CPU s rounded to 8, 24.7 to 4,
    24.5 to 2, 25.4 exact."""

    BULK = 16  # texts from which `encode` takes the throughput path (a build), not the query one

    def __init__(self, export: Path, batch_size: int = 16):
        import openvino as ov

        self.core = ov.Core()
        # the compiled network is cached beside the export: compiling costs 2-7 s of a cold
        # start on 2 cores, loading the cached blob under 1 s (a damaged blob is recompiled)
        self.core.set_property({"CACHE_DIR": str(export / "compiled")})
        self.export = export
        self.model = self.core.compile_model(str(export / "model.xml"), "CPU")
        self.output = self.model.outputs[0]
        self.request = self.model.create_infer_request()
        self.tokenizer = _tokenizer(export, _max_length(export))
        self.pad_id = self.tokenizer.token_to_id("[PAD]") or 0
        self.pooling = (export / "pooling").read_text().strip()
        self.batch_size = batch_size
        self._lock = threading.Lock()

    QUEUED = 16  # requests handed to the runtime at once in a build (see `_bulk`)

    @cached_property
    def _bulk(self) -> list:
        """The same network compiled for throughput, and QUEUED requests for it: one stream per
        core, each running a batch while Python prepares the next. On 2 cores this embeds
        1.7-1.9x the sentences per second of one request on both cores (48-56 vs 25-32,
        alternating runs on 1,533 SQuAD sentences), which loses much of its time to thread
        hand-offs on matrices this small.

        The requests are queued in the runtime ahead of the streams and read back in order
        by the caller, with no Python callback: a build writes to embedded Chroma meanwhile,
        whose calls hold the GIL for up to a second or two, and a stream that needed Python
        to hand it its next batch (or to take its result) would stand idle that long. 16
        batches of up to 64 texts are a few seconds of the streams' work and ~60 MB of
        outputs. Compiled only when a build first needs it: a query process never does."""
        model = self.core.compile_model(str(self.export / "model.xml"), "CPU", {"PERFORMANCE_HINT": "THROUGHPUT"})
        return [model.create_infer_request() for _ in range(self.QUEUED)]

    def encode(self, texts: Sequence[str], batch_size: int = 0) -> np.ndarray:
        """Vectors in text order; batches are this encoder's own size (`batch_size` is the
        Encoder protocol's, for backends that take it per call)."""
        texts = list(texts)
        vectors = np.zeros((len(texts), self.output.partial_shape[-1].get_length()), dtype=np.float32)
        # one text at a time: the tokenizer's thread pool (encode_batch) costs more CPU than it
        # saves on a call's short sentences, CPU the model's streams share the cores with
        # (`assistant index` of the wire items, three alternating cold pairs: 19.4 s with it, 19.2 without)
        encoded = [self.tokenizer.encode(text) for text in texts]
        widths = [-(-max(1, len(e.ids)) // PAD_TO) * PAD_TO for e in encoded]
        batches = _batches(widths, self.batch_size)
        with self._lock:
            if len(texts) < self.BULK:
                for rows in batches:
                    mask, inputs = self._inputs([encoded[i] for i in rows], widths[rows[0]])
                    vectors[rows] = self._pool(self.request.infer(inputs)[self.output], mask)
                return vectors
            requests = self._bulk
            running: deque[tuple[Any, list[int], np.ndarray]] = deque()
            try:
                for number, rows in enumerate(batches):
                    if len(running) == len(requests):  # the oldest holds the request this batch reuses
                        self._collect(*running.popleft(), vectors)
                    mask, inputs = self._inputs([encoded[i] for i in rows], widths[rows[0]])
                    request = requests[number % len(requests)]
                    request.start_async(inputs)
                    running.append((request, rows, mask))
                while running:
                    self._collect(*running.popleft(), vectors)
            finally:  # a failed batch: the others still finish before the requests are used again
                for request, _, _ in running:
                    request.wait()
        return vectors

    def _collect(self, request, rows: list[int], mask: np.ndarray, vectors: np.ndarray) -> None:
        request.wait()  # without the GIL
        vectors[rows] = self._pool(request.get_output_tensor(0).data, mask)

    def _inputs(self, encoded: list, width: int) -> tuple[np.ndarray, dict]:
        ids = np.full((len(encoded), width), self.pad_id, dtype=np.int64)
        mask = np.zeros((len(encoded), width), dtype=np.int64)
        for row, e in enumerate(encoded):
            ids[row, :len(e.ids)] = e.ids
            mask[row, :len(e.ids)] = 1
        return mask, {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}

    def _pool(self, hidden: np.ndarray, mask: np.ndarray) -> np.ndarray:
        if self.pooling == "cls":
            pooled = hidden[:, 0]
        else:
            weights = mask[..., None].astype(np.float32)
            pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        return pooled / np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)


def _batches(widths: Sequence[int], size: int) -> list[list[int]]:
    """Row numbers grouped by padded width (at most `size` a batch), longest first: the
    requests left when the queue runs dry at the end of a call are then the shortest, so
    a core idles least while the other finishes (whole builds of the short corpus, three
    alternating rounds: 2-3 s faster of 20-28 s than shortest first, the same CPU)."""
    order = sorted(range(len(widths)), key=lambda i: (-widths[i], i))
    batches: list[list[int]] = []
    for i in order:
        if not batches or len(batches[-1]) == size or widths[batches[-1][0]] != widths[i]:
            batches.append([])
        batches[-1].append(i)
    return batches


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "news-assistant" / "models"


def load(embedder) -> OpenVinoEncoder:
    """The backend for an Embedder (index/backends.py): the export, made on first use."""
    from .embedding import download_model, log

    model_dir = Path(embedder.model_name) if embedder.local else download_model(embedder.model_name)
    target = export_dir(model_dir, embedder.network_id, embedder.cache_dir or default_cache_dir())
    if not (target / "model.xml").exists():
        log.warning("Exporting the embedding model to OpenVINO (once per machine, under a minute)...")
        try:
            export(model_dir, target)
        except Exception as error:
            raise RuntimeError(f"Could not export {embedder.model_name} to OpenVINO ({error}); "
                               "set ASSISTANT_EMBEDDING_BACKEND=torch to use sentence-transformers") from error
    return OpenVinoEncoder(target, batch_size=embedder.batch_size)
