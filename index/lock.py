"""One index run per data directory at a time; the second waits, then says who holds it."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from filelock import FileLock, Timeout

from .errors import IndexBusy


class DataDirLock:
    def __init__(self, data_dir: Path, timeout: float = 600.0):
        self.dir = Path(data_dir)
        self.timeout = timeout
        self._lock = FileLock(str(self.dir / "index.lock"))
        self._owner = self.dir / "index.lock.owner"

    def __enter__(self) -> DataDirLock:
        self.dir.mkdir(parents=True, exist_ok=True)
        try:
            self._lock.acquire(timeout=self.timeout)
        except Timeout:
            raise IndexBusy(
                f"Another index run ({self._holder()}) is using {self.dir}; waited {self.timeout:.0f} s. "
                f"Try again when it finishes, or raise ASSISTANT_LOCK_TIMEOUT.") from None
        self._owner.write_text(json.dumps({"pid": os.getpid(), "since": time.time()}))
        return self

    def __exit__(self, *exc) -> None:
        self._owner.unlink(missing_ok=True)
        self._lock.release()

    def _holder(self) -> str:
        try:
            owner = json.loads(self._owner.read_text())
            started = time.strftime("%H:%M:%S", time.localtime(owner["since"]))
            return f"pid {owner['pid']}, started {started}"
        except (OSError, ValueError, KeyError):
            return "pid unknown"
