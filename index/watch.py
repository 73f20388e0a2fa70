"""Keep the index in step with a folder as files come and go (`assistant index --watch`).

Changes are gathered until the folder has been quiet for QUIET seconds (at most LONGEST
seconds), then the index is synced once: copying 500 files is one sync, not 500. Hidden
files (the temporary names uploads and fetches write before moving a file into place)
are not changes.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from .build import IndexReport, build_index
from .errors import AssistantError, ConfigError
from .settings import Settings

QUIET = 1.0  # seconds without a change before a sync
LONGEST = 60.0  # seconds of constant change after which a sync happens anyway


def watch_folder(folder: str | Path, *, settings: Settings, on_sync: Callable[[IndexReport, int], None],
                 on_error: Callable[[AssistantError], None] = lambda error: None,
                 stop: threading.Event | None = None, quiet: float = QUIET) -> None:
    """Sync the index after every quiet spell that follows changes in `folder`, until `stop`
    is set (or Ctrl-C). `on_sync(report, changed_paths)` hears of every sync; a sync that
    fails (the store is down, the index is busy) goes to `on_error` and watching goes on."""
    from watchfiles import watch

    folder = Path(folder)
    if not folder.is_dir():
        raise ConfigError(f"cannot watch {folder}: it is not a folder")
    root = folder.resolve()

    def visible(change, path: str) -> bool:
        try:
            parts = Path(path).resolve().relative_to(root).parts
        except ValueError:
            return False
        return not any(part.startswith(".") for part in parts)

    for changes in watch(root, watch_filter=visible, debounce=int(LONGEST * 1000), step=int(quiet * 1000),
                         stop_event=stop, raise_interrupt=False):
        try:
            report = build_index(folder, settings=settings)
        except AssistantError as error:
            on_error(error)
            continue
        on_sync(report, len(changes))
