"""Adding articles from the page: whatever the file is called, it lands inside the articles
folder, replaces nothing, and a refusal says why."""

import json
import os

import pytest

from index import UploadRejected, add_file, add_text, load_folder
from index.uploads import safe_name

LIMIT = 10_000


@pytest.fixture
def folder(tmp_path):
    path = tmp_path / "articles"
    path.mkdir()
    (path / "existing.txt").write_text("An existing article about the harbour.")
    return path


def upload(tmp_path, name: str, data: bytes = b"A new article about the harbour festival."):
    source = tmp_path / "incoming.bin"
    source.write_bytes(data)
    return source


@pytest.mark.parametrize("name", [
    "../../etc/passwd.txt", "..\\..\\windows\\evil.txt", "/etc/cron.d/evil.txt", "....txt", ".hidden.txt",
    "sub/dir/../../../x.md", "a\x00b.txt", "C:\\Users\\me\\story.txt", "\u202etxt.exe.txt",
])
def test_a_hostile_name_still_lands_inside_the_folder(tmp_path, folder, name):
    added = add_file(upload(tmp_path, name), name, folder, max_bytes=LIMIT)
    path = folder / added.name
    assert path.resolve().parent == folder.resolve()
    assert not added.name.startswith(".")  # the loader would hide it
    assert path.read_bytes() == b"A new article about the harbour festival."
    assert {p.name for p in folder.iterdir()} == {"existing.txt", added.name}  # no temp file left


def test_safe_names_keep_readable_names_and_the_format():
    assert safe_name("Ukraine talks (draft) 2.TXT") == "Ukraine talks _draft_ 2.txt"
    assert safe_name("Москва.md") == "Москва.md"
    assert safe_name("noext") == "noext"
    assert len(safe_name("x" * 500 + ".json")) <= 105


def test_an_existing_article_is_never_replaced(tmp_path, folder):
    added = add_file(upload(tmp_path, "existing.txt"), "existing.txt", folder, max_bytes=LIMIT)
    assert added.name == "existing-2.txt" and "already exists" in added.note
    assert (folder / "existing.txt").read_text() == "An existing article about the harbour."
    same = add_file(upload(tmp_path, "x", b"An existing article about the harbour."), "existing.txt", folder,
                    max_bytes=LIMIT)
    assert same.name == "existing.txt" and "already in the folder" in same.note


@pytest.mark.parametrize("name, data, reason", [
    ("run.sh", b"echo hi", "not an article format"),
    ("photo.png", b"\x89PNG", "not an article format"),
    ("big.txt", b"x" * (LIMIT + 1), "too large"),
    ("empty.txt", b"", "empty file"),
])
def test_a_refused_upload_names_the_file_and_the_reason(tmp_path, folder, name, data, reason):
    with pytest.raises(UploadRejected, match=rf"^{name}: {reason}"):
        add_file(upload(tmp_path, name, data), name, folder, max_bytes=LIMIT)
    assert {p.name for p in folder.iterdir()} == {"existing.txt"}


def test_a_symlink_planted_in_the_folder_is_not_followed(tmp_path, folder):
    outside = tmp_path / "outside.txt"
    outside.write_text("do not touch")
    os.symlink(outside, folder / "story.txt")
    with pytest.raises(UploadRejected, match="outside the articles folder"):
        add_file(upload(tmp_path, "story.txt"), "story.txt", folder, max_bytes=LIMIT)
    assert outside.read_text() == "do not touch"


def test_a_pasted_article_is_saved_with_its_metadata_and_loads(folder):
    added = add_text(folder, title="Harbour festival draws crowds", text="The festival drew 12,400 visitors.",
                     source="Lakeside Gazette", url="https://gazette.example/festival", published="2025-06-01",
                     max_bytes=LIMIT)
    assert added.name.endswith(".json") and "Harbour festival" in added.name
    record = json.loads((folder / added.name).read_text())
    assert record["source"] == "Lakeside Gazette"
    loaded = {a.id: a for a in load_folder(folder).articles}
    article = loaded[added.name]
    assert (article.title, article.source, article.published) == ("Harbour festival draws crowds",
                                                                  "Lakeside Gazette", "2025-06-01")
    with pytest.raises(UploadRejected, match="text is empty"):
        add_text(folder, title="Nothing", text="  \n", max_bytes=LIMIT)
