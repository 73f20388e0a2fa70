"""The doors' small parts with real threads and a real event loop: the answer gate every door
and the page share, the key check, the start-up warning, and our replies read back as history."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from assistant.answers import Answer, Citation
from assistant.api.auth import exposure_warning, is_loopback, key_accepted
from assistant.api.common import door_error
from assistant.api.sources import answer_text, message_text
from assistant.gate import AnswerGate, QueueFull
from index import InvalidRequest, Settings


def test_the_gate_lets_in_at_most_its_concurrency_and_refuses_past_its_line():
    gate = AnswerGate(2, 1)
    inside, peak, release = [0], [0], threading.Event()
    lock = threading.Lock()
    refused: list[str] = []

    def answer():
        try:
            with gate.held():
                with lock:
                    inside[0] += 1
                    peak[0] = max(peak[0], inside[0])
                release.wait(10)
                with lock:
                    inside[0] -= 1
        except QueueFull as error:
            refused.append(str(error))

    threads = [threading.Thread(target=answer) for _ in range(3)]
    for thread in threads:
        thread.start()
    while gate.state().running + gate.state().waiting < 3:
        time.sleep(0.01)
    answer()  # a fourth: two answering, one waiting, no room in line
    assert refused and "waiting" in refused[0]
    with pytest.raises(QueueFull):
        gate.refuse_if_full()
    release.set()
    for thread in threads:
        thread.join(10)
    assert peak[0] == 2 and gate.state().running == 0 and gate.state().waiting == 0


def test_an_async_waiter_that_leaves_gives_its_place_back():
    gate = AnswerGate(1, 4)

    async def scenario():
        async with gate.held_async():
            waiter = asyncio.create_task(_enter(gate))
            await asyncio.sleep(0.05)
            assert gate.state().waiting == 1
            waiter.cancel()  # the client went away while waiting
            with pytest.raises(asyncio.CancelledError):
                await waiter
            assert gate.state().waiting == 0
        assert gate.state().running == 0
        await _enter(gate)  # and the gate still works
    asyncio.run(scenario())


async def _enter(gate: AnswerGate) -> None:
    async with gate.held_async():
        await asyncio.sleep(0)


def test_threads_and_coroutines_share_one_line_first_come_first_served():
    gate, order = AnswerGate(1, 8), []
    first_in = threading.Event()

    def page_answer():
        with gate.held():
            first_in.set()
            time.sleep(0.2)
            order.append("page")

    async def door_answer():
        async with gate.held_async():
            order.append("door")

    thread = threading.Thread(target=page_answer)
    thread.start()
    first_in.wait(5)
    asyncio.run(door_answer())  # waits for the page's answer, without holding a thread
    thread.join(5)
    assert order == ["page", "door"]


def test_the_key_is_a_bearer_token_compared_exactly():
    assert key_accepted(None, "") and key_accepted("Bearer anything", "")
    assert key_accepted("Bearer s3cret", "s3cret") and key_accepted("bearer  s3cret ", "s3cret")
    for header in (None, "", "s3cret", "Basic s3cret", "Bearer s3cre", "Bearer s3cret2"):
        assert not key_accepted(header, "s3cret")


def test_listening_beyond_loopback_without_a_key_or_login_warns():
    assert all(is_loopback(h) for h in ("127.0.0.1", "localhost", "::1", "[::1]", "127.0.0.2"))
    assert not any(is_loopback(h) for h in ("0.0.0.0", "::", "192.168.1.4", "news.example.org"))
    open_wide = Settings.load(env={}, host="0.0.0.0")
    assert "ASSISTANT_API_KEY" in exposure_warning(open_wide) and "/api/index" in exposure_warning(open_wide)
    assert "/v1, /api and /mcp" in exposure_warning(open_wide.with_(auth="me:pw"))
    assert exposure_warning(open_wide.with_(api_key="k")) is None
    assert exposure_warning(Settings.load(env={})) is None


def _citation(number: int) -> Citation:
    passage = "Before. The envoy met Putin on Thursday. After."
    return Citation(number=number, article_id="a.txt", title="Envoy meets Putin", source="Wire", url="",
                    published="2025-03-14T10:00:00", passage=passage, start=100, end=100 + len(passage),
                    highlights=((108, 140),), score=1.0)


def test_a_reply_lists_its_sources_and_reads_back_as_its_answer_text():
    answer = Answer(text="The envoy met Putin on Thursday. [1]", citations=(_citation(1),), abstained=False,
                    question="When?", mode="extractive", notice="The LLM timed out; answered from the articles.")
    reply = message_text(answer)
    assert reply.startswith(answer.text + "\n\nNote: The LLM timed out")
    assert ("Sources:\n- [1] Envoy meets Putin — Wire, 2025-03-14 — article a.txt\n"
            "  > The envoy met Putin on Thursday.") in reply
    assert answer_text(reply) == answer.text
    assert answer_text("A reply another model wrote.\n\nWith two paragraphs.") == \
        "A reply another model wrote.\n\nWith two paragraphs."
    abstained = Answer(text="I could not find this in the articles.", citations=(_citation(1),), abstained=True,
                       question="Q", mode="extractive")
    assert "\n\nPossibly related:\n- [1]" in message_text(abstained)
    assert answer_text(message_text(abstained)) == abstained.text


def test_a_bad_option_is_the_callers_400_and_our_own_failure_a_500_that_does_not_leak():
    bad = door_error(InvalidRequest("since must be a date (YYYY-MM-DD), datetime or epoch seconds, got 'soon'"))
    assert (bad.status, bad.param, bad.code) == (400, "since", "invalid_value")
    assert "'soon'" in bad.message
    # a ValueError from inside the pipeline is a bug of ours, not a bad request: the caller
    # gets a 500 that names no internals
    ours = door_error(ValueError("could not convert string to float: 'x'"))
    assert ours.status == 500 and "float" not in ours.message
