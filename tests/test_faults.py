"""Faults while the app runs: the Chroma server stopped mid-session and started again.

The CLI, `answer()` and the chat page say which server cannot be reached (no traceback),
the app stays up, and the same objects answer again, with the same answers, once the
server is back, without a restart. (SIGKILL during a build: test_crash.py; a damaged
lexical cache: test_index.py; a dead or hanging LLM: test_chain.py.)"""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from assistant import StoreUnavailable, answer, get_assistant
from index import Settings, build_index

from . import figures
from .helpers import SAMPLE, api_client, free_port

pytestmark = [pytest.mark.slow, pytest.mark.server, pytest.mark.reliability]

QUESTIONS = ["Who did Trump send to meet Putin in Moscow?", "How much of Ukraine's territory does Russia occupy?",
             "Which region ordered villages to be evacuated?"]


class ChromaServer:
    """A real `chroma run` that can be stopped and started again on the same port and path."""

    def __init__(self, root: Path):
        self.root = root
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        chroma = shutil.which("chroma") or str(Path(sys.executable).parent / "chroma")
        log = open(self.root / "server.log", "a")
        self.process = subprocess.Popen([chroma, "run", "--path", str(self.root / "db"), "--host", "127.0.0.1",
                                         "--port", str(self.port)], stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 180  # `chroma run` imports chromadb first: over 60 s on a loaded 2-core VM
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                assert self.process.poll() is None, (self.root / "server.log").read_text()
                time.sleep(0.2)
        raise AssertionError(f"chroma run did not listen on {self.port} within 180 s")

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(30)


def essence(result) -> tuple:
    """What a reader sees of an answer: its text and where each citation points."""
    return (result.text, result.abstained,
            tuple((c.number, c.article_id, c.start, c.end, c.highlights) for c in result.citations))


def test_a_chroma_server_stopped_mid_session_is_reported_and_the_same_app_recovers(tmp_path, monkeypatch):
    import app as chat_app

    server = ChromaServer(tmp_path)
    server.start()
    settings = Settings.load(env={}, data_dir=tmp_path / "data", chroma_url=server.url, articles_dir=SAMPLE,
                             port=free_port())
    monkeypatch.setenv("ASSISTANT_CHROMA_URL", server.url)  # for the CLI
    page = None
    try:
        build_index(SAMPLE, settings=settings)
        before = {q: essence(answer(q, settings=settings)) for q in QUESTIONS}
        assert all(not abstained and "[1]" in text for text, abstained, _ in before.values())
        helper = get_assistant(settings)  # the one Assistant that answer() and the page share
        page = chat_app.build_app(settings)
        chat_app.serve(page, settings, prevent_thread_lock=True, quiet=True)
        client = api_client(f"http://127.0.0.1:{settings.port}/")

        def ask_page(question: str):
            _, chat, _, result = client.predict(question, [], "extractive", 5, [], "", "", api_name="/chat")
            return str(chat[-1]["content"]), result

        reply, result = ask_page(QUESTIONS[0])
        assert "Witkoff" in result["text"]

        server.kill()  # the fault
        down: list[str] = []
        for question in QUESTIONS:
            with pytest.raises(StoreUnavailable, match=re.escape(f"Cannot reach the Chroma server at {server.url}")):
                answer(question, settings=settings)
            down.append("answer()")
        reply, result = ask_page(QUESTIONS[0])
        assert result is None
        assert f"The index is unavailable: Cannot reach the Chroma server at {server.url}" in reply
        assert "Traceback" not in reply and "httpx" not in reply
        down.append("page")
        cli = subprocess.run([sys.executable, "-m", "assistant.cli", "ask", QUESTIONS[0]], capture_output=True,
                             text=True, timeout=300)
        assert cli.returncode == 1 and cli.stdout == ""
        assert cli.stderr.startswith(f"error: Cannot reach the Chroma server at {server.url}"), cli.stderr
        assert "Traceback" not in cli.stderr
        down.append("CLI")

        server.start()  # back on the same port and path: no restart of anything else
        back = time.perf_counter()
        after = {q: essence(answer(q, settings=settings)) for q in QUESTIONS}
        recovered = time.perf_counter() - back
        assert get_assistant(settings) is helper
        reply, result = ask_page(QUESTIONS[0])
        assert "Witkoff" in result["text"] and re.search(r"\(#cite-\d+-1\)", reply)
        lost = sum(after[q] != before[q] for q in QUESTIONS)
        assert lost == 0, {q: (before[q][0], after[q][0]) for q in QUESTIONS if after[q] != before[q]}
    finally:
        if page is not None:
            chat_app.stop(page)
        server.kill()
    figures.record(area="faults", check="Chroma server stopped mid-session, then back",
                   tried=len(down), failed=0, lost=lost,
                   detail=f"{len(down)} requests while down ({', '.join(sorted(set(down)))}) each named "
                          f"the server; once it was back, the same app answered {len(QUESTIONS)} questions as before "
                          f"(in {recovered:.1f} s), and the page again")
