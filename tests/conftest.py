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


@pytest.fixture
def news_site(data_dir, tmp_path, monkeypatch):
    """The fake news site of tests/news_site.py on 127.0.0.1, its stories served as pages and
    feeds; fetching may reach 127.0.0.1 (ASSISTANT_FETCH_ALLOW_PRIVATE) without delays."""
    from tests.news_site import standard_site

    site = standard_site()
    monkeypatch.setenv("ASSISTANT_FETCH_ALLOW_PRIVATE", "true")
    monkeypatch.setenv("ASSISTANT_FETCH_DELAY", "0")
    monkeypatch.setenv("ASSISTANT_FETCH_TIMEOUT", "2")
    monkeypatch.setenv("ASSISTANT_ARTICLES_DIR", str(tmp_path / "articles"))
    site.start()
    yield site
    site.stop()
