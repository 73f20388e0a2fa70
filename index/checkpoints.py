"""Named points inside a build's batch write, where a test can SIGKILL the process.

The crash-safety promise (a kill at any moment leaves every committed article answering,
and the next run finishes with no duplicates and no orphans) is tested by killing a real
`assistant index` at each of these points, not only at a moment picked by a timer:

    INDEX_CRASH_AT=committed:2 assistant index FOLDER   # killed after the 2nd batch's commit

A test hook, not a setting (so it does not start with ASSISTANT_): unset, `reached` costs
one dictionary lookup per batch step.
"""

from __future__ import annotations

import os
import signal
from collections import Counter

ENV = "INDEX_CRASH_AT"
# in the order a batch reaches them (see store.Store.put_articles)
POINTS = ("marked", "sentences", "chunks", "signatures", "committed", "cleaned")
_reached: Counter[str] = Counter()


def reached(point: str) -> None:
    """SIGKILL this process if INDEX_CRASH_AT names `point` (`point` or `point:N`, the N-th time)."""
    wanted = os.environ.get(ENV)
    if not wanted:
        return
    name, _, nth = wanted.partition(":")
    if name != point:
        return
    _reached[point] += 1
    if _reached[point] >= int(nth or 1):
        os.kill(os.getpid(), signal.SIGKILL)
