"""One line of questions for every door: at most `concurrency` answers at once and at most
`max_waiting` waiting, whoever asks (the chat page, /v1, /api, /mcp). `answer_gate(settings)`
is the one line of an index in a process, as `get_assistant(settings)` is its one Assistant.

The page's answers run in Gradio's worker threads and the doors' in an event loop, so the
gate is entered both ways: `held()` blocks a thread, `held_async()` awaits without taking a
thread from the pool (a waiter that held a pool thread could starve the answers it waits
for). Waiters are served first come, first served; a freed place passes straight to the
next waiter."""

from __future__ import annotations

import asyncio
import threading
from collections import deque
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass

from index import Settings

# Answers computed at once, and questions that may wait (README, "The chat page": measured
# with 16 clients). Answering is mostly Python, so more answers at once only fight over the
# GIL; 2 lets one answer's Chroma, SQLite and OpenVINO time overlap another's Python. Past
# MAX_WAITING a question is refused at once instead of waiting minutes.
CONCURRENCY = 2
MAX_WAITING = 64


class QueueFull(Exception):
    """More questions are waiting than the gate lets wait: refused at once, not after minutes."""


@dataclass(frozen=True, kw_only=True)
class GateState:
    running: int
    waiting: int


class AnswerGate:
    def __init__(self, concurrency: int, max_waiting: int):
        if concurrency < 1 or max_waiting < 0:
            raise ValueError("concurrency must be at least 1 and max_waiting at least 0")
        self.concurrency = concurrency
        self.max_waiting = max_waiting
        self._lock = threading.Lock()
        self._running = 0
        self._waiters: deque[Callable[[], None]] = deque()  # each wakes one waiter, handing it a place

    def state(self) -> GateState:
        with self._lock:
            return GateState(running=self._running, waiting=len(self._waiters))

    def refuse_if_full(self) -> None:
        """Raise QueueFull if a question asked now would be refused (a streamed reply checks
        before it sends its headers; the place itself is taken when the answer starts)."""
        with self._lock:
            if self._running >= self.concurrency and len(self._waiters) >= self.max_waiting:
                raise QueueFull(f"{len(self._waiters)} questions are already waiting; try again shortly")

    def _enter_or_queue(self, wake: Callable[[], None]) -> bool:
        """True: entered at once. False: `wake` is queued and will be called with a place."""
        with self._lock:
            if self._running < self.concurrency and not self._waiters:
                self._running += 1
                return True
            if len(self._waiters) >= self.max_waiting:
                raise QueueFull(f"{len(self._waiters)} questions are already waiting; try again shortly")
            self._waiters.append(wake)
            return False

    def _leave(self) -> None:
        with self._lock:
            if self._waiters:
                self._waiters.popleft()()  # the place passes on: `running` stays the same
            else:
                self._running -= 1

    def _withdraw(self, wake: Callable[[], None]) -> bool:
        """Take a waiter out of line; False if it was already handed a place."""
        with self._lock:
            try:
                self._waiters.remove(wake)
                return True
            except ValueError:
                return False

    @contextmanager
    def held(self, timeout: float | None = None) -> Iterator[None]:
        event = threading.Event()
        if not self._enter_or_queue(event.set) and not event.wait(timeout):
            if self._withdraw(event.set):
                raise QueueFull(f"no answer slot within {timeout:g} s")
        try:
            yield
        finally:
            self._leave()

    @asynccontextmanager
    async def held_async(self) -> AsyncIterator[None]:
        loop = asyncio.get_running_loop()
        future: asyncio.Future = loop.create_future()

        def settle() -> None:
            if not future.done():
                future.set_result(None)

        def wake() -> None:  # called with the gate's lock held, maybe from another thread
            loop.call_soon_threadsafe(settle)

        if not self._enter_or_queue(wake):
            try:
                await future
            except BaseException:  # cancelled (the client left): give back a place handed to us meanwhile
                if not self._withdraw(wake):
                    self._leave()
                raise
        try:
            yield
        finally:
            self._leave()


_gates: dict[Settings, AnswerGate] = {}
_gates_lock = threading.Lock()


def answer_gate(settings: Settings) -> AnswerGate:
    """The line every door of this index waits in (made on first use)."""
    with _gates_lock:
        if settings not in _gates:
            _gates[settings] = AnswerGate(CONCURRENCY, MAX_WAITING)
        return _gates[settings]
