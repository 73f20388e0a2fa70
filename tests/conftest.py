"""Shared fixtures: every test gets its own data dir (through the one setting that moves
all state), and real corpora from the repo and ../shared/eval."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from index import Settings

from .helpers import (REPO, SAMPLE, SHARED_EVAL, SQUAD, api_client, article_texts, check_invariants,  # noqa: F401
                      free_port, squad_articles, write_squad)

@pytest.fixture(autouse=True)
def data_dir(tmp_path, monkeypatch) -> Path:
    """All index state of a test lives in its temp dir."""
    path = tmp_path / "data"
    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(path))
    for key in list(__import__("os").environ):
        if key.startswith("ASSISTANT_") and key != "ASSISTANT_DATA_DIR":
            monkeypatch.delenv(key)
    return path


@pytest.fixture
def settings(data_dir) -> Settings:
    return Settings.load()


@pytest.fixture
def sample_folder(tmp_path) -> Path:
    """A writable copy of the sample articles."""
    folder = tmp_path / "articles"
    shutil.copytree(SAMPLE, folder)
    return folder


def pytest_sessionstart(session) -> None:
    from tests import figures
    figures.start()
