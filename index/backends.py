"""Which programs can run the embedding model: name -> the module that runs it.

Each module provides `load(embedder) -> Encoder` (see `index/embedding.py`), imported only
when its backend is chosen, so a query process on OpenVINO never imports torch. A third
backend is one new module and one line here; `ASSISTANT_EMBEDDING_BACKEND` accepts the names.
"""

BACKENDS: dict[str, str] = {
    "openvino": "index.openvino_backend",  # the model exported once to OpenVINO; bf16 where the CPU has it
    "torch": "index.torch_backend",  # sentence-transformers on torch, fp32
}
