"""Every setting in one place: defaults < environment (ASSISTANT_*) < explicit arguments.

Each field's metadata carries its help text, so the README table and `assistant settings`
are generated from (and tested against) this one registry.
"""

from __future__ import annotations

import dataclasses
import difflib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from .errors import ConfigError

ENV_PREFIX = "ASSISTANT_"
BACKENDS = ("openvino", "torch")


def _user_cache() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")


def _setting(default: Any, help: str, *, secret: bool = False) -> Any:
    return field(default=default, repr=not secret, metadata={"help": help, "secret": secret})


@dataclass(frozen=True)
class Settings:
    data_dir: Path = _setting(Path(".assistant-data"), "Where the index lives (Chroma, lexical cache, embedding cache).")
    articles_dir: Path = _setting(Path("articles"), "Folder of articles that the app and a bare `assistant index` use.")
    chroma_url: str = _setting("", "URL of a Chroma server (e.g. http://127.0.0.1:8000); empty means embedded Chroma under data_dir.")
    collection: str = _setting("news", "Prefix of the Chroma collection names, so several indexes can share one server.")
    embedding_model: str = _setting("", "sentence-transformers model name or path; empty means the packaged all-MiniLM-L6-v2 (offline).")
    embedding_batch_size: int = _setting(64, "Sentences per embedding batch.")
    embedding_backend: str = _setting("openvino", "`openvino` (the model exported once to OpenVINO; bf16 where the CPU has it, ~2.5x faster) or `torch` (sentence-transformers fp32). Changing it re-embeds every article.")
    model_cache_dir: Path = _setting(_user_cache() / "news-assistant" / "models", "Where OpenVINO exports of the embedding model are kept (shared by every data dir).")
    chunk_max_tokens: int = _setting(230, "Largest chunk in word pieces; MiniLM reads at most 256.")
    chunk_max_words: int = _setting(200, "Largest chunk in words (whichever limit is reached first).")
    write_batch_articles: int = _setting(256, "Most articles an index run embeds and writes together (one write "
                                              "per Chroma collection and one lexical transaction per batch); a kill "
                                              "loses at most the batch under way, whose vectors stay cached.")
    write_batch_sentences: int = _setting(2048, "Sentences after which a batch is closed before it reaches "
                                                "write_batch_articles (long articles: about this many per model "
                                                "call; the first batches are smaller).")
    max_article_bytes: int = _setting(5_000_000, "Files larger than this are skipped with a reason (a 10 MB article would take hours to embed).")
    lock_timeout: float = _setting(600.0, "Seconds an index run waits for another run on the same data dir before giving up.")
    duplicate_threshold: float = _setting(0.5, "Estimated share of 5-word shingles two articles must share to be grouped as copies of one story (syndicated or corrected); above 1: no grouping.")
    answer_mode: str = _setting("extractive", "Default answer mode: `extractive` (no LLM), `timeline` (dated points, no LLM) or `llm` (needs llm_provider).")
    top_k: int = _setting(5, "Passages retrieved per question.")
    llm_provider: str = _setting("", "`openai` (any OpenAI-compatible server: OpenAI, vLLM, llama.cpp, LM Studio) or `ollama`; empty: no LLM.")
    llm_model: str = _setting("", "Chat model name, e.g. gpt-4o-mini or llama3.2.")
    llm_base_url: str = _setting("", "Server URL, e.g. http://127.0.0.1:8080/v1 or http://127.0.0.1:11434; empty: the provider's default.")
    llm_api_key: str = _setting("", "API key for an OpenAI-compatible server; empty: OPENAI_API_KEY, or none for local servers.", secret=True)
    llm_timeout: float = _setting(30.0, "Seconds an answer waits for the LLM (all its calls together: a follow-up's rewrite and the answer) before answering extractively with a notice.")
    host: str = _setting("127.0.0.1", "Address the chat page listens on; 0.0.0.0 opens it to the network (set auth too).")
    port: int = _setting(7860, "Port of the chat page.")
    auth: str = _setting("", "`user:password` to require a login on the chat page (Gradio's login form); empty: no login.", secret=True)

    @classmethod
    def load(cls, env: Mapping[str, str] | None = None, **overrides: Any) -> "Settings":
        """Build settings from defaults, then the environment, then keyword overrides."""
        env = os.environ if env is None else env
        names = {f.name: f for f in dataclasses.fields(cls)}
        values: dict[str, Any] = {}
        for key, raw in env.items():
            if not key.startswith(ENV_PREFIX):
                continue
            name = key[len(ENV_PREFIX):].lower()
            if name not in names:
                hint = difflib.get_close_matches(name, names, n=1)
                extra = f" (did you mean {ENV_PREFIX}{hint[0].upper()}?)" if hint else ""
                raise ConfigError(f"Unknown setting {key}{extra}. Known: {', '.join(sorted(names))}.")
            values[name] = _convert(names[name], raw, source=key)
        for name, value in overrides.items():
            if name not in names:
                raise ConfigError(f"Unknown setting {name!r}. Known: {', '.join(sorted(names))}.")
            if value is not None:
                values[name] = _convert(names[name], value, source=name)
        settings = cls(**values)
        if settings.embedding_backend not in BACKENDS:
            raise ConfigError(f"{ENV_PREFIX}EMBEDDING_BACKEND must be one of {', '.join(BACKENDS)}, "
                              f"got {settings.embedding_backend!r}.")
        return settings

    def with_(self, **changes: Any) -> "Settings":
        return Settings.load(env={}, **{**dataclasses.asdict(self), **changes})

    @property
    def chroma_dir(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def store_label(self) -> str:
        return self.chroma_url or str(self.chroma_dir)


def describe() -> list[tuple[str, str, Any]]:
    """(environment variable, help, default) for every setting, for docs and `--help`."""
    return [
        (ENV_PREFIX + f.name.upper(), f.metadata["help"], f.default)
        for f in dataclasses.fields(Settings)
    ]


def _convert(f: dataclasses.Field, value: Any, *, source: str) -> Any:
    kind = f.type if isinstance(f.type, type) else {"Path": Path, "str": str, "int": int, "float": float, "bool": bool}[f.type]
    if isinstance(value, kind):
        return value
    try:
        if kind is bool:
            text = str(value).strip().lower()
            if text not in {"1", "0", "true", "false", "yes", "no", "on", "off"}:
                raise ValueError(text)
            return text in {"1", "true", "yes", "on"}
        return kind(value)
    except (TypeError, ValueError):
        raise ConfigError(f"{source} must be {kind.__name__}, got {value!r}.") from None
