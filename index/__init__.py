"""The write path: articles -> sentence-aware chunks -> embeddings -> Chroma and a lexical index.

Never imports `assistant` (the read path sits above it).
"""

from .articles import Article, Skipped, load_folder
from .build import IndexReport, Shard, build_index
from .errors import AssistantError, ConfigError, IndexBusy, InvalidRequest, StoreUnavailable
from .settings import AnswerMode, Settings
from .status import ArticleInfo, IndexStatus, article_text, article_texts, index_status, indexed_articles
from .uploads import Added, UploadRejected, add_file, add_text

__all__ = [
    "Added", "AnswerMode", "Article", "ArticleInfo", "AssistantError", "ConfigError", "IndexBusy", "IndexReport",
    "IndexStatus", "InvalidRequest", "Settings", "Shard", "Skipped", "StoreUnavailable", "UploadRejected", "add_file",
    "add_text", "article_text", "article_texts", "build_index", "index_status",
    "indexed_articles", "load_folder",
]
