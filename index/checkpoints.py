"""Named points inside a build's batch write, where a test can SIGKILL the process.

The crash-safety promise (a kill at any moment leaves every committed article answering,
and the next run finishes with no duplicates and no orphans) is tested by killing a real
`assistant index` at each of these points, not only at a moment picked by a timer:

    INDEX_CRASH_AT=committed:2 assistant index FOLDER      # killed after the 2nd batch's commit
    INDEX_CRASH_AT=marked:1@30 assistant index FOLDER      # killed 30 ms later, inside the next write

A test hook, not a setting (so it does not start with ASSISTANT_): unset, `reached` costs
one dictionary lookup per batch step.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections import Counter

ENV = "INDEX_CRASH_AT"
# in the order a batch reaches them (see store.Store.put_articles)
POINTS = ("marked", "chunks", "sentences", "committed", "cleaned")
_reached: Counter[str] = Counter()


def reached(point: str) -> None:
    """SIGKILL this process if INDEX_CRASH_AT names `point`: `point`, `point:N` (the N-th
    time it is reached) or `point:N@MS` (MS milliseconds later, from another thread, so the
    kill lands inside whatever the build does next)."""
    wanted = os.environ.get(ENV)
    if not wanted:
        return
    name, _, when = wanted.partition(":")
    nth, _, delay = when.partition("@")
    if name != point:
        return
    _reached[point] += 1
    if _reached[point] != int(nth or 1):
        return
    if not delay:
        os.kill(os.getpid(), signal.SIGKILL)
    threading.Thread(target=_kill_after, args=(int(delay) / 1000,), daemon=True).start()


def _kill_after(seconds: float) -> None:
    time.sleep(seconds)
    os.kill(os.getpid(), signal.SIGKILL)
