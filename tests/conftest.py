"""Shared fixtures: every test gets its own data dir (through the one setting that moves
all state), and real corpora from the repo and ../shared/eval."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from index import Settings

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "articles"
SHARED_EVAL = REPO.parent / "shared" / "eval"
SQUAD = SHARED_EVAL / "squad-dev" / "articles"


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


def squad_articles(limit: int | None = None, max_chars: int | None = None) -> list[dict]:
    if not SQUAD.is_dir():
        pytest.skip("../shared/eval/squad-dev is not beside the repo")
    records = []
    for path in sorted(SQUAD.glob("*.json"))[:limit]:
        record = json.loads(path.read_text())
        if max_chars:
            cut = record["text"].rfind("\n\n", 0, max_chars)
            record["text"] = record["text"][:cut if cut > 0 else max_chars]
        records.append({"name": path.name, **record})
    return records


def write_squad(folder: Path, limit: int | None = None, max_chars: int | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for record in squad_articles(limit, max_chars):
        name = record.pop("name")
        (folder / name).write_text(json.dumps(record))
    return folder


def pytest_sessionstart(session) -> None:
    from tests import figures
    figures.start()


def free_port() -> int:
    """A loopback port nobody listens on (for a server a test starts)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def api_client(url: str, **options):
    """A gradio_client as a program would make one, patient enough for a busy 2-core VM: its
    default 5 s for fetching the page config is shorter than a first request can take while
    the app warms its model (the CI failure that added this)."""
    from gradio_client import Client

    return Client(url, verbose=False, httpx_kwargs={"timeout": 120}, **options)


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory):
    """A real `chroma run` server on a free loopback port, for one test module."""
    chroma = shutil.which("chroma") or str(Path(sys.executable).parent / "chroma")
    port = free_port()
    path = tmp_path_factory.mktemp("chroma-server")
    log = open(path / "server.log", "w")
    process = subprocess.Popen([chroma, "run", "--path", str(path / "db"), "--host", "127.0.0.1", "--port", str(port)],
                               stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            assert process.poll() is None, (path / "server.log").read_text()
            time.sleep(0.2)
    yield url
    process.terminate()
    process.wait(30)
