"""Progress of an index run, shaped for where it is shown: a bar on a terminal; elsewhere
(a log file, CI) a line every few seconds with done, total, rate and time left, so the log
of a 100,000-article build stays readable."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Any, TextIO

LINE_SECONDS = 5.0  # between two lines when not on a terminal


class BuildProgress:
    """A `build_index` progress callback, `(done, total, article id)`, called as batches commit."""

    def __init__(self, stream: TextIO | None = None, *, every: float = LINE_SECONDS,
                 clock: Callable[[], float] = time.monotonic):
        self.stream = stream or sys.stderr
        self.every = every
        self.clock = clock
        self.started = self.last = clock()  # the run starts now: the rate counts its first batch
        self.terminal = self.stream.isatty()
        self._bar: Any = None  # a tqdm bar, made on the first call

    def __call__(self, done: int, total: int, article_id: str) -> None:
        if self.terminal:
            self._update_bar(done, total, article_id)
            return
        now = self.clock()
        if now - self.last < self.every and done < total:
            return
        self.last = now
        rate = done / max(now - self.started, 1e-9)
        left = f", about {_duration((total - done) / rate)} left" if done < total and rate > 0 else ""
        print(f"indexed {done}/{total} articles ({rate:.1f}/s{left})", file=self.stream, flush=True)

    def _update_bar(self, done: int, total: int, article_id: str) -> None:
        if self._bar is None:
            from tqdm import tqdm

            self._bar = tqdm(total=total, unit="article", desc="indexing", file=self.stream)
        self._bar.set_postfix_str(article_id[-40:], refresh=False)
        self._bar.update(done - self._bar.n)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


def _duration(seconds: float) -> str:
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {seconds:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"
