"""The embedding model run by sentence-transformers on torch (fp32): the reference the
OpenVINO backend is tested against, and the fallback where OpenVINO cannot export."""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

import numpy as np

if TYPE_CHECKING:
    from .embedding import Embedder


class TorchEncoder:
    def __init__(self, model):
        self.model = model  # a SentenceTransformer

    def encode(self, texts: Sequence[str], batch_size: int) -> np.ndarray:
        return self.model.encode(list(texts), batch_size=batch_size, normalize_embeddings=True,
                                 convert_to_numpy=True, show_progress_bar=False)


def load(embedder: Embedder) -> TorchEncoder:
    return TorchEncoder(embedder.model)
