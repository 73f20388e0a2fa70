"""The write path: articles -> sentence-aware chunks -> embeddings -> Chroma and a lexical index.

Never imports `assistant` (the read path sits above it).
"""

from .articles import Article, Skipped, load_folder
from .build import IndexReport, Shard, build_index
from .errors import AssistantError, ConfigError, IndexBusy, StoreUnavailable
from .settings import Settings
from .status import IndexStatus, index_status

__all__ = [
    "Article", "AssistantError", "ConfigError", "IndexBusy", "IndexReport", "IndexStatus", "Settings",
    "Shard", "Skipped", "StoreUnavailable", "build_index", "index_status", "load_folder",
]
