"""The read path: search the index and answer with citations. `build_index` is re-exported
so one import serves both uses."""

from index import (AssistantError, ConfigError, IndexBusy, IndexReport, IndexStatus, Settings, StoreUnavailable,
                   build_index, index_status)

from .retrieval import Hit, HybridSearch

__all__ = [
    "AssistantError", "ConfigError", "Hit", "HybridSearch", "IndexBusy", "IndexReport", "IndexStatus",
    "Settings", "StoreUnavailable", "build_index", "index_status",
]
