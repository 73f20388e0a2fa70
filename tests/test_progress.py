"""An index run's progress fits where it is shown: a bar on a terminal; in a log, a line
every few seconds with done, total, rate and time left (not one line per article)."""

from __future__ import annotations

import io

from assistant.progress import BuildProgress


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_log_gets_a_line_every_few_seconds_with_rate_and_time_left():
    log, clock = io.StringIO(), Clock()
    progress = BuildProgress(log, every=5.0, clock=clock)
    for second, done in [(1, 100), (3, 300), (6, 500), (8, 700), (11.5, 900)]:
        clock.now = second
        progress(done, 1200, f"wire-{done}.json")
    clock.now = 13
    progress(1200, 1200, "wire-1200.json")
    progress.close()
    assert log.getvalue().splitlines() == [
        "indexed 500/1200 articles (83.3/s, about 8 s left)",
        "indexed 900/1200 articles (78.3/s, about 4 s left)",
        "indexed 1200/1200 articles (92.3/s)",
    ]


def test_a_long_run_says_the_time_left_in_minutes_and_hours():
    log, clock = io.StringIO(), Clock()
    progress = BuildProgress(log, clock=clock)
    clock.now = 10
    progress(10, 100_000, "a")
    clock.now = 20
    progress(1000, 100_000, "b")
    assert log.getvalue().splitlines() == ["indexed 10/100000 articles (1.0/s, about 27 h 46 min left)",
                                           "indexed 1000/100000 articles (50.0/s, about 33 min 00 s left)"]


def test_a_terminal_gets_one_bar_and_no_lines():
    screen, clock = Terminal(), Clock()
    progress = BuildProgress(screen, clock=clock)
    for done in (256, 512, 700):
        clock.now += 1
        progress(done, 700, f"wire-{done}.json")
    progress.close()
    shown = screen.getvalue()
    assert "indexed" not in shown and "700/700" in shown and "100%" in shown
