import re
from pathlib import Path

import pytest

from index import ConfigError, Settings
from index.settings import describe, settings_page

from .helpers import REPO


def test_defaults_then_environment_then_arguments(monkeypatch):
    monkeypatch.delenv("ASSISTANT_DATA_DIR")
    assert Settings.load().data_dir == Path(".assistant-data")
    monkeypatch.setenv("ASSISTANT_DATA_DIR", "/tmp/from-env")
    monkeypatch.setenv("ASSISTANT_CHUNK_MAX_WORDS", "150")
    settings = Settings.load()
    assert settings.data_dir == Path("/tmp/from-env") and settings.chunk_max_words == 150
    assert Settings.load(data_dir="/tmp/explicit").data_dir == Path("/tmp/explicit")


def test_unknown_environment_setting_fails_with_a_hint(monkeypatch):
    monkeypatch.setenv("ASSISTANT_CHROMA_ULR", "http://x")
    with pytest.raises(ConfigError, match="did you mean ASSISTANT_CHROMA_URL"):
        Settings.load()


def test_wrong_type_is_named(monkeypatch):
    monkeypatch.setenv("ASSISTANT_LOCK_TIMEOUT", "soon")
    with pytest.raises(ConfigError, match="ASSISTANT_LOCK_TIMEOUT must be float"):
        Settings.load()


def test_the_settings_page_is_the_registry_and_documents_every_setting():
    page = (REPO / "docs" / "settings.md").read_text()
    assert page == settings_page(), "docs/settings.md drifted: run `assistant settings --markdown > docs/settings.md`"
    for env, _, _ in describe():
        assert re.search(rf"`{env}`", page), f"{env} is missing from docs/settings.md"
