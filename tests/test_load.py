"""Load: the chat page served on 127.0.0.1 by `python app.py` (real index, real model),
driven through its Gradio API by many `gradio_client.Client`s at once, each its own
conversation.

Every answer under load must be what the same conversation gets when asked alone (straight
from the app's Assistant; a race in shared state shows up as a different answer), carry
valid citations (each [n] names a listed source, each cited sentence is the article's text
at the cited offsets, read from the file), and abstain only where expected. Then the same
while the index is rebuilt with a new article, which must answer once the build is done.
Times are reported and recorded, never asserted (this is a shared 2-core VM)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from index import Settings, build_index
from index.articles import load_folder

from . import figures
from .helpers import REPO, SAMPLE, api_client, free_port, squad_articles

pytestmark = [pytest.mark.slow, pytest.mark.reliability]

CLIENTS, QUESTIONS = 16, 25  # the load run: clients at once, questions each
OPENAI_QUESTIONS = 10  # each of CLIENTS clients, through /v1/chat/completions
BUILD_CLIENTS, BUILD_QUESTIONS = 8, 15  # while the index is rebuilt (more if the build is still running)
BUILD_QUESTIONS_MAX = 60  # bound per client however long the build takes
START_SECONDS = 300  # python app.py: imports, the page (a minute on a busy VM)
ANSWER_SECONDS = 120  # api_client's timeout too; one answer, queue wait included: far beyond any healthy wait, so a hang fails
SQUAD_CHARS = 5000  # each SQuAD article cut to its first paragraphs: a small index builds fast
SQUAD = ("Super_Bowl_50.json", "Nikola_Tesla.json", "Apollo_program.json", "Black_Death.json")
ABSTAIN = None  # expected: "not in the articles"

# Conversations: a fresh question, then follow-ups that only make sense with it. Each turn
# names a string its answer must contain (answers checked by hand against the articles),
# or ABSTAIN. Sample articles (articles/) and SQuAD questions from ../shared/eval.
CONVERSATIONS: list[list[tuple[str, str | None]]] = [
    [("Who did Trump send to meet Putin in Moscow?", "Witkoff"), ("When did he meet him?", "Thursday"),
     ("What did the Kremlin say?", "Peskov")],
    [("How long is the ceasefire that Putin signaled openness to?", "30-day"), ("Who said that?", "Putin")],
    [("What did Trump post on Truth Social about the war?", "very good chance")],
    [("Which region ordered villages to be evacuated?", "Sumy"), ("Why?", "security concerns")],
    [("How much of Ukraine's territory does Russia occupy?", "20%")],
    [("What did Keir Starmer warn against?", "play games"), ("What did he accuse the Kremlin of?", "disregarding")],
    [("How many Russian combatants have been reported killed?", "95,000")],
    [("What did Zelensky say about his troops in Kursk?", "difficult conditions")],
    [("Who is the US National Security Adviser mentioned?", "Waltz"), ("What did he say?", "cautious optimism")],
    [("Which newspaper reported on Witkoff's meeting with Putin?", "Washington Post")],
    [("What was the price of Brent crude oil on Friday?", ABSTAIN)],
    [("What is the recommended dosage of ibuprofen for children?", ABSTAIN)],
    [("How do I reset my router password?", ABSTAIN)],
    [("What network aired Super Bowl 50?", "CBS"), ("Who performed at halftime?", "Coldplay")],
    [("Who did the Panthers face in the NFC Championship Game?", "Arizona Cardinals")],
    [("How much money did a 1/2 minute commercial cost?", "$5 million")],
    [("In what year did Nikola Tesla emigrate to the United States?", "1884"), ("Who was his father?", "Milutin")],
    [("What did Tesla's father originally want him to do?", "priesthood"),
     ("How long was he bedridden with cholera?", "nine months")],
    [("What year did Tesla die?", "1943")],
    [("Who was Tesla's main influence in Karlovac?", "Sekulić")],
    [("Where did the black death originate?", "Central Asia"), ("When did it reach Alexandria?", "1347")],
    [("What is the Latin name for Black Death?", "atra mors"), ("Who coined that name?", "Pontanus")],
    [("What space station supported three manned missions in 1973-1974?", "Skylab")],
    [("What did the Lunar Module provide to help get the Apollo 13 home safely?", "lifeboat")],
]

NEW_ARTICLE = ("Lakeside harbour festival draws record crowd\n\n"
               "The Lakeside harbour festival drew 12,400 visitors on Saturday, organisers said. "
               "Mayor Ingrid Solberg opened the festival with a boat parade along the old quay, and the "
               "lifeboat crew of Lakeside gave rides around the breakwater until dusk.\n\n"
               "Stallholders said the crowd was the largest since the festival began in 1998.")
NEW_QUESTION, NEW_ANSWER = "How many visitors did the Lakeside harbour festival draw?", "12,400"
FAILURE_WORDS = ("The answer failed", "unavailable", "Cannot ask that")


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """The page served by `python app.py` in its own process, as `make run` does, on an index
    built beforehand. Its own process, not a thread of this one: the clients below are Python
    too (about as much CPU per answer as the server), and in one process they would share its
    GIL and the figures would describe the test, not the app."""
    root = tmp_path_factory.mktemp("load")
    folder = root / "articles"
    shutil.copytree(SAMPLE, folder)
    for record in squad_articles(max_chars=SQUAD_CHARS):
        name = record.pop("name")
        if name in SQUAD:
            (folder / name).write_text(json.dumps(record))
    settings = Settings.load(env={}, data_dir=root / "data", articles_dir=folder, port=free_port())
    env = {key: value for key, value in os.environ.items() if not key.startswith("ASSISTANT_")}
    env.update(ASSISTANT_DATA_DIR=str(settings.data_dir), ASSISTANT_ARTICLES_DIR=str(folder),
               ASSISTANT_PORT=str(settings.port), PYTHONUNBUFFERED="1")
    url = f"http://127.0.0.1:{settings.port}/"
    log = root / "server.log"
    with log.open("wb") as output:
        server = subprocess.Popen([sys.executable, str(REPO / "app.py")], cwd=REPO, env=env, stdout=output,
                                  stderr=subprocess.STDOUT)
    try:
        # the index is built while the page starts (both take tens of seconds here); the page
        # reads the index only when asked, and nothing asks before the build is done
        build_index(settings=settings)
        wait_until_served(url, server, log)
        yield settings, url
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def wait_until_served(url: str, server: subprocess.Popen, log: Path) -> None:
    import httpx

    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"app.py exited with {server.returncode}:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(url, timeout=10).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(1)
    pytest.fail(f"app.py did not serve {url} within {START_SECONDS} s:\n{log.read_text()[-3000:]}")


# -- driving the API -------------------------------------------------------------------
@dataclass
class Asked:
    client: int
    conversation: int
    turn: int
    question: str
    expected: str | None
    started: float
    seconds: float = 0.0
    answer: dict | None = None
    reply: str = ""  # the chat's last message, as the page shows it
    error: str = ""


def connect(url: str):
    """A client as a program would make one. Plain HTTP on loopback: no certificates to load
    (gradio_client opens a new httpx client per request, and loading the CA bundle each time
    costs more CPU than the answer). Each request, an answer included, has ANSWER_SECONDS."""
    return api_client(url, analytics_enabled=False, download_files=False, ssl_verify=False)


def close(client) -> None:
    client.close()  # stops its heartbeat thread
    for pool in (client.executor, client.helper_executor, client.stream_executor):
        pool.shutdown(wait=False, cancel_futures=True)


def ask(client, question: str, chat: list) -> tuple[list, dict | None, str]:
    """One question through /chat, as the page's Enter key sends it; (chat, answer, reply)."""
    job = client.submit(question, chat, "extractive", 5, [], "", "", api_name="/chat")
    try:
        _, chat, _, answer = job.result(timeout=ANSWER_SECONDS)
    except BaseException:
        job.cancel()
        raise
    return chat, answer, str(chat[-1]["content"]) if chat else ""


def converse(client, number: int, plan: list[int], limit: int, out: list[Asked],
             keep_going: threading.Event | None = None, hard_limit: int = 0, answered: list | None = None) -> None:
    """Ask `limit` questions (up to `hard_limit` while `keep_going` is set), conversation
    after conversation from `plan`; each conversation starts a new session, as "New
    conversation" does on the page, and its follow-ups send the chat back."""
    asked = 0
    while True:
        for conversation in plan:
            client.reset_session()  # a new session: the server's turns state starts empty
            chat: list = []
            for turn, (question, expected) in enumerate(CONVERSATIONS[conversation]):
                more = keep_going is not None and keep_going.is_set() and asked < hard_limit
                if asked >= limit and not more:
                    return
                item = Asked(number, conversation, turn, question, expected, time.perf_counter())
                out.append(item)
                asked += 1
                try:
                    chat, item.answer, item.reply = ask(client, question, chat)
                except Exception as error:  # counted as a failed answer; the conversation is lost
                    item.error = f"{type(error).__name__}: {error}"
                    item.seconds = time.perf_counter() - item.started
                    break
                item.seconds = time.perf_counter() - item.started
                if answered is not None:
                    answered.append(item)


def plans(clients: int) -> list[list[int]]:
    """Each client walks all conversations from its own starting point, so at any moment the
    clients ask different questions (and the same ones at different times)."""
    n = len(CONVERSATIONS)
    return [[(start * 7 + i) % n for i in range(n)] for start in range(clients)]


def run_clients(url: str, clients: int, questions: int, *, keep_going: threading.Event | None = None,
                hard_limit: int = 0, answered: list | None = None) -> tuple[list[Asked], float]:
    """`clients` threads, each with its own Client, asking at once; (everything asked, wall seconds)."""
    connected = []
    results: list[list[Asked]] = [[] for _ in range(clients)]
    try:
        for _ in range(clients):
            connected.append(connect(url))
        threads = [threading.Thread(target=converse, name=f"load-client-{i}", daemon=True,
                                    args=(c, i, plan, questions, results[i], keep_going, hard_limit, answered))
                   for i, (c, plan) in enumerate(zip(connected, plans(clients)))]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:  # every answer has its own timeout: this cannot wait forever
            thread.join()
        return [item for items in results for item in items], time.perf_counter() - started
    finally:
        for client in connected:
            close(client)


# -- checking answers --------------------------------------------------------------------
_MARKER = re.compile(r"\[(\d+)\]")
_QUOTE = re.compile(r"\[(\d+)\] says “([^”]*)”")
_TEMPLATE_WORDS = {"Sources", "differ:", "says", "and", "agree."}


def citation_problems(answer: dict, articles: dict[str, str]) -> list[str]:
    """What is wrong with an answer's citations, judged from the article files themselves."""
    problems = []
    text = answer["text"]
    cited = {c["number"]: c for c in answer["citations"]}
    markers = {int(n) for n in _MARKER.findall(text)}
    if markers != set(cited):
        problems.append(f"markers {sorted(markers)} but sources {sorted(cited)}")
    sentences: dict[int, list[str]] = {}
    for number, c in cited.items():
        article = articles.get(c["article_id"])
        if article is None:
            problems.append(f"[{number}] cites {c['article_id']!r}, which is no article file")
            continue
        if article[c["start"]:c["end"]] != c["passage"]:
            problems.append(f"[{number}] passage is not the article's text at {c['start']}:{c['end']}")
        if not c["highlights"]:
            problems.append(f"[{number}] highlights no sentence")
        for start, end in c["highlights"]:
            if not c["start"] <= start < end <= c["end"]:
                problems.append(f"[{number}] highlight {start}:{end} lies outside its passage")
            sentences.setdefault(number, []).append(article[start:end])
    if problems:
        return problems
    if answer["abstained"]:
        if not text.startswith("I could not find this in the articles."):
            problems.append(f"abstained with {text!r}")
        return problems
    # the answer is its cited sentences, each followed by its [n], then perhaps a plain
    # sentence on where they agree or differ, quoting them
    rest, used = text, 0
    while rest:
        piece = next((f"{s} [{n}]" for n, found in sentences.items() for s in found
                      if rest.startswith(f"{s} [{n}]")), None)
        if piece is None:
            break
        rest, used = rest[len(piece):].lstrip(" "), used + 1
    if used == 0:
        problems.append(f"the answer does not start with a cited sentence: {text[:120]!r}")
    if used < sum(len(found) for found in sentences.values()):
        problems.append(f"only {used} of the highlighted sentences are in the answer")
    for number, quoted in _QUOTE.findall(rest):
        if not any(quoted in s for s in sentences.get(int(number), [])):
            problems.append(f"[{number}] is quoted as {quoted!r}, which is not in its cited sentences")
    leftover = _MARKER.sub(" ", _QUOTE.sub(" ", rest)).replace(";", " ").replace(",", " ").split()
    if any(word not in _TEMPLATE_WORDS for word in leftover):
        problems.append(f"uncited text after the cited sentences: {rest!r}")
    return problems


def what_it_says(answer: dict) -> tuple:
    """What a reader sees of an answer: its text, whether it abstained, what was searched and
    exactly which sentences it cites (scores are left out: rounding is not the point)."""
    return (answer["text"], answer["abstained"], answer["question"],
            tuple((c["number"], c["article_id"], c["start"], c["end"], tuple(map(tuple, c["highlights"])))
                  for c in answer["citations"]))


def problems_of(item: Asked, articles: dict[str, str], alone: dict[tuple[int, int], tuple] | None) -> list[str]:
    if item.error:
        return [item.error]
    if item.answer is None:
        return [f"no answer; the chat says {item.reply[:160]!r}"]
    found = [f"the chat says {item.reply[:160]!r}" for word in FAILURE_WORDS if word in item.reply]
    found += citation_problems(item.answer, articles)
    if item.expected is ABSTAIN and not item.answer["abstained"]:
        found.append("answered where the articles do not answer")
    if item.expected is not ABSTAIN:
        if item.answer["abstained"]:
            found.append("abstained")
        elif item.expected.lower() not in item.answer["text"].lower():
            found.append(f"{item.expected!r} is not in the answer")
    if alone is not None and what_it_says(item.answer) != alone[item.conversation, item.turn]:
        found.append("differs from the answer the same conversation gets alone")
    return found


def article_texts(folder: Path) -> dict[str, str]:
    return {a.id: a.text for a in load_folder(folder).articles}


def asked_alone(settings: Settings) -> dict[tuple[int, int], tuple]:
    """Every conversation once, one question at a time, straight from the served app's own
    Assistant (what the chat endpoint streams), with the chat's options."""
    from assistant import get_assistant

    helper = get_assistant(settings)
    alone = {}
    for number, conversation in enumerate(CONVERSATIONS):
        earlier: list[tuple[str, str]] = []
        for turn, (question, _) in enumerate(conversation):
            answer = helper.answer(question, earlier, mode="extractive", k=5)
            alone[number, turn] = what_it_says(json.loads(json.dumps(answer.as_dict())))
            earlier.append((question, answer.text))
    return alone


def latency_figures(items: list[Asked], seconds: float) -> str:
    ms = np.array([item.seconds for item in items]) * 1000
    p50, p95, p99 = np.percentile(ms, [50, 95, 99])
    return f"p50 {p50:.0f} ms · p95 {p95:.0f} ms · p99 {p99:.0f} ms · {len(items) / seconds:.1f} answers/s"


def report(title: str, items: list[Asked], failed: list, seconds: float) -> str:
    follow_ups = sum(1 for item in items if item.turn > 0)
    line = (f"{title}: {len(items)} answers ({follow_ups} follow-ups) in {seconds:.1f} s, {len(failed)} failed; "
            f"{latency_figures(items, seconds)}")
    print("\n" + line)
    return line


# -- the checks --------------------------------------------------------------------------
def test_many_clients_at_once_get_the_answers_they_get_alone(served):
    settings, url = served
    articles = article_texts(settings.articles_dir)
    alone = asked_alone(settings)  # also loads the model the served app uses

    items, seconds = run_clients(url, CLIENTS, QUESTIONS)

    failed = [(item.client, item.question, problems) for item in items
              if (problems := problems_of(item, articles, alone))]
    report(f"{CLIENTS} clients x {QUESTIONS} questions", items, failed, seconds)
    assert not failed, failed[:10]
    assert len(items) == CLIENTS * QUESTIONS  # nothing was skipped
    assert sum(item.turn > 0 for item in items) >= CLIENTS * QUESTIONS // 4  # follow-ups are part of the mix
    assert any(item.expected is ABSTAIN for item in items)
    figures.record(area="load", check=f"{CLIENTS} clients x {QUESTIONS} questions, follow-ups mixed",
                   tried=len(items), failed=len(failed), lost=CLIENTS * QUESTIONS - len(items),
                   detail=latency_figures(items, seconds))


# -- the OpenAI-compatible door under the same load ----------------------------------------
def ask_openai(client, messages: list[dict], stream: bool) -> dict:
    """One question through /v1/chat/completions; the answer as a dict `citation_problems` reads."""
    from assistant.answers import ABSTAIN_TEXT
    from assistant.api.sources import answer_text

    if stream:
        chunks = list(client.chat.completions.create(model="news-assistant", messages=messages, stream=True))
        content = "".join(c.choices[0].delta.content or "" for c in chunks)
        citations = chunks[-1].model_extra["citations"]
    else:
        reply = client.chat.completions.create(model="news-assistant", messages=messages)
        content, citations = reply.choices[0].message.content, reply.model_extra["citations"]
    text = answer_text(content)
    return {"text": text, "citations": citations, "abstained": text.startswith(ABSTAIN_TEXT), "content": content}


def converse_openai(url: str, number: int, plan: list[int], limit: int, out: list[Asked]) -> None:
    """Like `converse`, through the OpenAI package: even clients stream, odd ones do not; each
    follow-up sends the conversation so far, our replies included, as OpenAI messages."""
    import openai

    client = openai.OpenAI(base_url=f"{url}v1", api_key="unused", max_retries=0, timeout=ANSWER_SECONDS)
    asked = 0
    for conversation in plan:
        messages: list[dict] = []
        for turn, (question, expected) in enumerate(CONVERSATIONS[conversation]):
            if asked >= limit:
                return
            item = Asked(number, conversation, turn, question, expected, time.perf_counter())
            out.append(item)
            asked += 1
            messages.append({"role": "user", "content": question})
            try:
                item.answer = ask_openai(client, messages, stream=number % 2 == 0)
            except Exception as error:  # counted as a failed answer; the conversation is lost
                item.error = f"{type(error).__name__}: {error}"
                item.seconds = time.perf_counter() - item.started
                break
            item.seconds = time.perf_counter() - item.started
            item.reply = item.answer["content"]
            messages.append({"role": "assistant", "content": item.answer["content"]})


def test_many_openai_clients_at_once_streaming_and_not_get_the_answers_they_get_alone(served):
    settings, url = served
    articles = article_texts(settings.articles_dir)
    alone = asked_alone(settings)
    results: list[list[Asked]] = [[] for _ in range(CLIENTS)]
    threads = [threading.Thread(target=converse_openai, args=(url, i, plan, OPENAI_QUESTIONS, results[i]),
                                name=f"openai-client-{i}", daemon=True) for i, plan in enumerate(plans(CLIENTS))]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:  # every request has its own timeout: this cannot wait forever
        thread.join()
    seconds = time.perf_counter() - started
    items = [item for found in results for item in found]
    failed = []
    for item in items:
        problems = problems_of(item, articles, None)
        said = alone[item.conversation, item.turn]
        if item.answer and what_it_says({**item.answer, "question": said[2]}) != said:
            problems.append("differs from the answer the same conversation gets alone")
        if problems:
            failed.append((item.client, item.question, problems))
    report(f"{CLIENTS} OpenAI clients x {OPENAI_QUESTIONS} questions (half streamed)", items, failed, seconds)
    assert not failed, failed[:10]
    assert len(items) == CLIENTS * OPENAI_QUESTIONS
    assert sum(item.turn > 0 for item in items) >= CLIENTS * OPENAI_QUESTIONS // 4
    figures.record(area="load", check=f"{CLIENTS} OpenAI-API clients x {OPENAI_QUESTIONS} questions, half streamed",
                   tried=len(items), failed=len(failed), lost=CLIENTS * OPENAI_QUESTIONS - len(items),
                   detail=latency_figures(items, seconds))


def test_answers_keep_coming_while_the_index_is_rebuilt_with_a_new_article(served):
    settings, url = served
    client = connect(url)
    try:
        _, before, _ = ask(client, NEW_QUESTION, [])
        assert before is not None and before["abstained"]  # nothing answers it yet

        building, answered, loaded = threading.Event(), [], {}
        building.set()  # the clients ask BUILD_QUESTIONS each, and go on (to a bound) while this is set
        load = threading.Thread(target=lambda: loaded.update(zip(("items", "seconds"), run_clients(
            url, BUILD_CLIENTS, BUILD_QUESTIONS, keep_going=building, hard_limit=BUILD_QUESTIONS_MAX,
            answered=answered))), daemon=True)
        load.start()
        try:
            deadline = time.monotonic() + START_SECONDS
            while len(answered) < BUILD_CLIENTS and load.is_alive() and time.monotonic() < deadline:
                time.sleep(0.1)  # the clients are connected and answers are coming
            (settings.articles_dir / "harbour-festival.txt").write_text(NEW_ARTICLE)
            build_started = time.perf_counter()
            build_report, *_ = client.submit(api_name="/rebuild").result(timeout=START_SECONDS)
            build_ended = time.perf_counter()
        finally:
            building.clear()
            load.join()
        assert "Index updated" in build_report and "1 added" in build_report, build_report

        articles = article_texts(settings.articles_dir)
        items = loaded["items"]
        failed = [(item.client, item.question, problems) for item in items
                  if (problems := problems_of(item, articles, None))]
        during = [item for item in items if item.started < build_ended and item.started + item.seconds > build_started]
        build_seconds = build_ended - build_started
        report(f"{BUILD_CLIENTS} clients, a {build_seconds:.1f} s rebuild", items, failed, loaded["seconds"])
        print(f"during the build: {len(during)} answers, {latency_figures(during, build_seconds)}")
        assert not failed, failed[:10]
        assert len(items) >= BUILD_CLIENTS * BUILD_QUESTIONS
        # the build ran while every client was asking (each has a question in flight but for
        # the moment between two)
        assert len({item.client for item in during}) >= BUILD_CLIENTS // 2

        client.reset_session()
        _, after, _ = ask(client, NEW_QUESTION, [])
        assert after is not None and not after["abstained"] and NEW_ANSWER in after["text"]
        assert after["citations"][0]["article_id"] == "harbour-festival.txt"
        assert not citation_problems(after, articles)
    finally:
        close(client)
    figures.record(area="load", check="rebuild during load (new article added)", tried=len(items),
                   failed=len(failed), lost=max(0, BUILD_CLIENTS * BUILD_QUESTIONS - len(items)),
                   detail=f"{len(during)} answers during the {build_seconds:.0f} s build: "
                          f"{latency_figures(during, build_seconds)}")
