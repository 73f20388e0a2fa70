"""The commands of issue 19 as a user runs them: `assistant add`, `assistant feeds ...`,
`assistant update [--every]` and `assistant index --watch`, in real subprocesses, against
the news site on 127.0.0.1, with the real model and Chroma."""

import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time

import pytest

from index.web import article_path

from .helpers import REPO

pytestmark = pytest.mark.slow


def cli(*args, check=True):
    done = subprocess.run([sys.executable, "-m", "assistant.cli", *args], cwd=REPO, env=os.environ.copy(),
                          capture_output=True, text=True, timeout=300)
    if check:
        assert done.returncode == 0, done.stderr
    return done


class Running:
    """A long-running command whose stdout lines arrive in a queue."""

    def __init__(self, *args):
        # a Ctrl-C must reach the command as a user's would: a job a shell starts in the background
        # (a CI run) inherits SIGINT ignored, and a process keeps an ignored signal across exec; one
        # caught here is the default again in the child
        previous = signal.signal(signal.SIGINT, signal.default_int_handler)
        try:
            self.process = subprocess.Popen([sys.executable, "-m", "assistant.cli", *args], cwd=REPO,
                                            env=os.environ.copy(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                            text=True)
        finally:
            signal.signal(signal.SIGINT, previous)
        self.lines: queue.Queue = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.process.stdout:
            self.lines.put(line)

    def next_line(self, timeout=180.0) -> str:
        return self.lines.get(timeout=timeout)

    def interrupt(self) -> tuple[int, str]:
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=60)
        finally:
            if self.process.poll() is None:
                self.process.kill()
        return self.process.returncode, self.process.stderr.read()


def test_add_prints_the_contract_and_the_pages_can_be_asked_about(news_site):
    good = news_site.url("/news/harbour-ferry-strike.html")
    missing = news_site.url("/news/missing.html")
    out = json.loads(cli("add", good, missing, "--json").stdout)
    assert out == {"added": [article_path(good)], "updated": [], "unchanged": [],
                   "failed": [{"url": missing, "reason": "HTTP 404 Not Found"}]}
    assert json.loads(cli("add", good, "--json").stdout)["unchanged"] == [article_path(good)]
    answer = json.loads(cli("ask", "How many passengers use the Skerry Island crossing each day?", "--json").stdout)
    assert "4,200 passengers" in answer["text"] and answer["citations"][0]["article_id"] == article_path(good)
    everything_failed = cli("add", missing, check=False)
    assert everything_failed.returncode == 1 and f"failed {missing}: HTTP 404 Not Found" in everything_failed.stdout
    assert "Traceback" not in everything_failed.stderr


def test_feeds_commands_and_update(news_site, tmp_path):
    rss, atom = news_site.url("/feeds/harbour.rss"), news_site.url("/feeds/valley.atom")
    assert "following" in cli("feeds", "add", rss).stdout
    cli("feeds", "add", atom)
    refused = cli("feeds", "add", news_site.url("/news/museum-reopens.html"), check=False)
    assert refused.returncode == 1 and "an HTML page, not a feed" in refused.stderr and "Traceback" not in refused.stderr
    listed = json.loads(cli("feeds", "list", "--json").stdout)
    assert [(f["url"], f["title"], f["items_seen"], f["last_error"]) for f in listed] == [
        (rss, "Harbour Times: News", 0, None), (atom, "Valley Courier", 0, None)]
    assert set(listed[0]) == {"url", "title", "last_checked", "items_seen", "last_error"}

    update = json.loads(cli("update", "--json").stdout)
    assert update == {"feeds": [{"url": rss, "new": 2, "updated": 0, "failed": [], "error": None},
                                {"url": atom, "new": 1, "updated": 0, "failed": [], "error": None}],
                      "added": 3, "updated": 0, "failed": 0}
    assert json.loads(cli("status", "--json").stdout)["articles"] == 3
    assert json.loads(cli("update", "--json").stdout)["added"] == 0
    assert [f["items_seen"] for f in json.loads(cli("feeds", "list", "--json").stdout)] == [2, 1]

    opml = tmp_path / "mine.opml"
    opml.write_text(cli("feeds", "export").stdout)
    cli("feeds", "remove", rss)
    assert [f["url"] for f in json.loads(cli("feeds", "list", "--json").stdout)] == [atom]
    assert "1 feeds added, 1 already followed" in cli("feeds", "import", str(opml)).stdout
    missing = cli("feeds", "import", str(tmp_path / "nope.opml"), check=False)
    assert missing.returncode == 1 and "cannot read" in missing.stderr


def test_update_every_repeats_until_ctrl_c(news_site):
    cli("feeds", "add", news_site.url("/feeds/valley.atom"))
    running = Running("update", "--every", "1s", "--json")
    first = json.loads(running.next_line())
    second = json.loads(running.next_line())
    assert first["added"] == 1 and second["added"] == 0
    code, stderr = running.interrupt()
    assert code == 0 and "Traceback" not in stderr


def test_index_watch_syncs_once_for_a_burst_of_files(tmp_path):
    folder = tmp_path / "watched"
    folder.mkdir()
    (folder / "first.txt").write_text("The harbour ferry resumed service on Monday after a two-day strike.")
    running = Running("index", str(folder), "--watch", "--json")
    try:
        assert json.loads(running.next_line())["added"] == 1
        time.sleep(1.5)  # the watcher is up once the first sync has been printed; give it a moment
        for n in range(60):
            (folder / f"story-{n:02}.txt").write_text(f"Story {n}: the council met on day {n} to discuss the ferry.")
        sync = json.loads(running.next_line())
        assert sync["added"] == 60 and sync["removed"] == 0
        with pytest.raises(queue.Empty):  # one sync for the burst, none after
            running.next_line(timeout=4)
        (folder / "first.txt").unlink()
        assert json.loads(running.next_line())["removed"] == 1
    finally:
        code, stderr = running.interrupt()
    assert code == 0 and "stopped watching" in stderr and "Traceback" not in stderr
