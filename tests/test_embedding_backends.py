"""The embedding model runs on OpenVINO by default: exported once from the packaged model,
offline, its vectors as good as torch's, and a query process that never imports torch."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from index import ConfigError, Settings, build_index, load_folder
from index.embedding import Embedder, packaged_model_path
from index.openvino_backend import export_dir

from .helpers import REPO, SAMPLE

pytestmark = pytest.mark.slow

QUESTIONS = ["Who did Trump send to meet Putin?", "Are the Ukrainian troops in Kursk surrounded?",
             "What did Zelensky say about the ceasefire?", "How many soldiers were captured?"]


def sentences() -> list[str]:
    text = " ".join(a.text for a in load_folder(SAMPLE).articles)
    return [s.strip() for s in text.replace("\n", " ").split(". ") if len(s.split()) > 3][:60]


@pytest.fixture(scope="module")
def torch_vectors():
    torch = Embedder(backend="torch")
    return torch.embed(sentences()), torch.embed(QUESTIONS)


def test_openvino_vectors_match_torch(torch_vectors, settings):
    backend, min_cosine, min_same_top3 = "openvino", 0.999, 1.0
    texts, questions = torch_vectors
    embedder = Embedder(backend=backend, cache_dir=settings.model_cache_dir)
    fast, fast_questions = embedder.embed(sentences()), embedder.embed(QUESTIONS)
    assert fast.shape == texts.shape and np.allclose(np.linalg.norm(fast, axis=1), 1, atol=1e-4)
    assert float((fast * texts).sum(axis=1).min()) >= min_cosine
    top3 = lambda q, d: [set(row) for row in np.argsort(-(q @ d.T), axis=1)[:, :3]]  # noqa: E731
    same = np.mean([a == b for a, b in zip(top3(questions, texts), top3(fast_questions, fast))])
    assert same >= min_same_top3
    assert embedder.model_id.startswith(f"{embedder.network_id}+")  # never mixed with torch vectors in one cache
    assert embedder.network_id.endswith("+" + backend)


def test_the_export_is_made_once_and_reused(settings):
    first = Embedder(backend="openvino", cache_dir=settings.model_cache_dir)
    first.embed_query("warm")
    target = export_dir(packaged_model_path(), first.network_id, settings.model_cache_dir)
    stamp = (target / "model.xml").stat().st_mtime_ns
    before = set(target.parent.iterdir())
    Embedder(backend="openvino", cache_dir=settings.model_cache_dir).embed_query("again")
    assert (target / "model.xml").stat().st_mtime_ns == stamp
    assert set(target.parent.iterdir()) == before  # nothing exported again, nothing half-written left


def test_a_query_process_answers_without_importing_torch(sample_folder, settings):
    build_index(sample_folder, settings=settings)
    code = ("import sys, json; from assistant import answer; a = answer('Who did Trump send to meet Putin?');"
            "print(json.dumps({'text': a.text, 'torch': 'torch' in sys.modules}))")
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert "Witkoff" in result["text"] and result["torch"] is False


def test_switching_backend_re_embeds_every_article(sample_folder, settings):
    first = build_index(sample_folder, settings=settings.with_(embedding_backend="torch"))
    again = build_index(sample_folder, settings=settings.with_(embedding_backend="openvino"))
    assert first.sentences_embedded > 0 and again.sentences_embedded == first.sentences_embedded
    assert build_index(sample_folder, settings=settings.with_(embedding_backend="openvino")).sentences_embedded == 0


def test_other_padding_re_embeds_every_article_and_keeps_the_export(sample_folder, settings, monkeypatch):
    """The padding moves the vectors' last bits: an index (and cache) made under other padding
    is embedded again, never mixed; the exported network stays the same."""
    from index import openvino_backend

    first = build_index(sample_folder, settings=settings.with_(embedding_backend="openvino"))
    before = Embedder(backend="openvino", cache_dir=settings.model_cache_dir)
    monkeypatch.setattr(openvino_backend, "VECTORS", "pad-other")
    other = Embedder(backend="openvino", cache_dir=settings.model_cache_dir)
    assert other.network_id == before.network_id and other.model_id != before.model_id
    again = build_index(sample_folder, settings=settings.with_(embedding_backend="openvino"), embedder=other)
    assert first.sentences_embedded > 0 and again.sentences_embedded == first.sentences_embedded
    assert again.updated == first.added


def test_an_unknown_backend_is_refused_with_the_choices():
    with pytest.raises(ConfigError, match="openvino, torch"):
        Settings.load(env={"ASSISTANT_EMBEDDING_BACKEND": "onnx"})


def test_the_index_command_does_not_load_the_answering_chain(sample_folder, settings):
    # every write-path command pays for what `assistant` imports: LangChain's chain and
    # tracers (about 1.5 s) load only when a question is asked
    code = ("import sys; from assistant.cli import main; main(['index', sys.argv[1]]);"
            "print(sorted(m for m in sys.modules if m.startswith(('assistant.answering', 'assistant.pipeline',"
            " 'langchain_core.tracers'))))")
    out = subprocess.run([sys.executable, "-c", code, str(sample_folder)], cwd=REPO, capture_output=True, text=True,
                         check=True, env={**os.environ, "ASSISTANT_DATA_DIR": str(settings.data_dir)})
    assert "2 added" in out.stdout
    assert out.stdout.strip().splitlines()[-1] == "[]"
