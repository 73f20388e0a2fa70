"""Every setting in one place: defaults < environment (ASSISTANT_*) < explicit arguments.

Each field's metadata carries its help text, so docs/settings.md and `assistant settings`
are generated from (and tested against) this one registry.
"""

from __future__ import annotations

import dataclasses
import difflib
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from .backends import BACKENDS
from .errors import ConfigError

ENV_PREFIX = "ASSISTANT_"
DENSE_SEARCHES = ("auto", "exact", "hnsw")


class AnswerMode(StrEnum):
    """How a question is answered: the one list the settings, the CLI, the page and
    `answer(mode=...)` accept. A StrEnum, so `mode == "llm"` and JSON both see plain text."""
    EXTRACTIVE = "extractive"  # the articles' own sentences, no LLM
    TIMELINE = "timeline"  # dated points in date order, no LLM
    LLM = "llm"  # an LLM writes, every citation checked
    BRIEFING = "briefing"  # the collection's main stories (or one story in depth), cited, no LLM

    @classmethod
    def parse(cls, value: Any, *, source: str = "mode") -> AnswerMode:
        try:
            return cls(str(value))
        except ValueError:
            raise ConfigError(f"{source} must be one of {', '.join(cls)}, got {value!r}.") from None




def _user_cache() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")


def _setting(default: Any, help: str, *, secret: bool = False, choices: tuple[str, ...] = (), shown: str = "") -> Any:
    """A registry entry; `shown` is how the docs write a default that depends on the machine."""
    return field(default=default, repr=not secret,
                 metadata={"help": help, "secret": secret, "choices": choices, "shown": shown})


@dataclass(frozen=True)
class Settings:
    data_dir: Path = _setting(Path(".assistant-data"), "Where the index lives (Chroma, lexical cache, embedding "
                              "cache). Git-ignored.")
    articles_dir: Path = _setting(Path("articles"), "Folder of articles that the app and a bare `assistant index` use.")
    chroma_url: str = _setting("", "URL of a Chroma server (e.g. http://127.0.0.1:8000); empty means embedded Chroma "
                                   "under the data dir.")
    collection: str = _setting("news", "Prefix of the Chroma collection names, so several indexes can share one "
                                       "server.")
    embedding_model: str = _setting("", "sentence-transformers model name or path; empty means the packaged "
                                        "all-MiniLM-L6-v2, loaded offline. A hub name is the only thing that makes "
                                        "the project download a model.")
    embedding_batch_size: int = _setting(64, "Sentences per embedding batch.")
    embedding_backend: str = _setting("openvino", "`openvino`: the model exported once (offline, under a minute) to "
                                                  "OpenVINO and run in bf16 where the CPU has it, about 2.5x faster "
                                                  "than torch with vectors within 1e-5 cosine; a query process then "
                                                  "never imports torch. `torch`: sentence-transformers fp32. Changing "
                                                  "it re-embeds every article.", choices=tuple(BACKENDS))
    model_cache_dir: Path = _setting(_user_cache() / "news-assistant" / "models", "Where the OpenVINO export of the "
                                     "embedding model is kept, shared by every data dir.",
                                     shown="$XDG_CACHE_HOME/news-assistant/models, else ~/.cache/news-assistant/models")
    chunk_max_tokens: int = _setting(230, "Largest chunk in word pieces; MiniLM reads at most 256.")
    chunk_max_words: int = _setting(200, "Largest chunk in words (whichever limit is reached first).")
    write_batch_articles: int = _setting(512, "Most articles an index run embeds and writes together (one write "
                                              "per Chroma collection and one lexical transaction per batch); a kill "
                                              "loses at most the batch under way, whose vectors stay cached.")
    write_batch_sentences: int = _setting(2048, "Sentences after which a batch is closed before it reaches "
                                                "write_batch_articles (long articles: about this many per model "
                                                "call; the first batches are smaller).")
    max_article_bytes: int = _setting(5_000_000, "Larger files are skipped with a reason naming their size and this "
                                                 "setting (a 10 MB article is ~60,000 sentences: about half an hour "
                                                 "of embedding on a busy 2-core machine).")
    lock_timeout: float = _setting(600.0, "Seconds an index run waits for another run on the same data dir before "
                                          "giving up.")
    duplicate_threshold: float = _setting(0.5, "Estimated share of 5-word shingles (MinHash) two articles must share "
                                               "to be grouped as copies of one story (syndicated or corrected); "
                                               "above 1: no grouping.")
    story_threshold: float = _setting(0.4, "Cosine (an article's mean sentence vector against a story's centroid) at "
                                           "which an article joins a story; higher makes smaller, tighter stories "
                                           "(chosen on a dev split: docs/briefing.md).")
    briefing_stories: int = _setting(8, "Stories a briefing of the whole collection shows at most (the rest are "
                                        "counted).")
    fetch_allow_private: bool = _setting(False, "Allow fetching URLs (added pages, feeds, their redirects) that "
                                                "resolve to private, loopback or link-local addresses; off, so the "
                                                "page's Add box cannot reach into the server's network. Cloud "
                                                "metadata addresses are refused always.")
    fetch_timeout: float = _setting(10.0, "Seconds a fetch waits to connect and for each read; a whole response "
                                          "must arrive within 3x this.")
    fetch_delay: float = _setting(1.0, "Seconds between two requests to the same host (one request at a time per "
                                       "host).")
    fetch_robots: bool = _setting(True, "Obey each site's robots.txt (user agent `news-assistant`); false ignores "
                                        "it.")
    feeds_every: str = _setting("", "How often the running app polls its feeds, e.g. `15m`, `1h`, `90s`; empty: "
                                    "never (Update now in the page, or `assistant update`).")
    answer_mode: str = _setting("extractive", "Default answer mode: `extractive` (no LLM), `timeline` (dated points "
                                              "in date order, no LLM), `briefing` (the main stories, or one story "
                                              "in depth, no LLM) or `llm` (needs an LLM provider).",
                                choices=tuple(m.value for m in AnswerMode))
    top_k: int = _setting(5, "Passages retrieved per question.")
    dense_search: str = _setting("auto", "How the question is compared with the stored sentence vectors: `exact` "
                                         "(all of them, one matrix product: the same results whatever order the "
                                         "articles were indexed in, on any store), `hnsw` (Chroma's approximate "
                                         "index) or `auto`: exact up to exact_search_max_sentences, HNSW above "
                                         "(docs/dense-search.md).", choices=DENSE_SEARCHES)
    exact_search_max_sentences: int = _setting(100_000, "Largest index (committed sentences) `auto` searches "
                                                        "exactly: ~1.5 KB of memory per sentence, and time in "
                                                        "proportion.")
    hnsw_ef_search: int = _setting(400, "HNSW candidate list while searching (Chroma's ef_search): higher is closer "
                                        "to exact and slower. Applied by the next `assistant index`, in force for "
                                        "readers started after it.")
    hnsw_ef_construction: int = _setting(200, "HNSW candidate list while inserting (ef_construction). A change "
                                              "rebuilds the sentence collection from its stored vectors at the next "
                                              "`assistant index` (no re-embedding).")
    hnsw_max_neighbors: int = _setting(32, "HNSW links per vector (max_neighbors, M); a change rebuilds like "
                                           "hnsw_ef_construction.")
    hnsw_num_threads: int = _setting(1, "Threads Chroma inserts with (num_threads; Chroma's default is every core): "
                                        "one was twice as fast on 2 busy cores. No thread count makes Chroma's "
                                        "graph reproducible (docs/dense-search.md).")
    llm_provider: str = _setting("", "`openai` (any OpenAI-compatible server: OpenAI, vLLM, llama.cpp, LM Studio) "
                                     "or `ollama`; empty: no LLM.")
    llm_model: str = _setting("", "Chat model name, e.g. gpt-4o-mini or llama3.2.")
    llm_base_url: str = _setting("", "Server URL, e.g. http://127.0.0.1:8080/v1 (llama.cpp) or "
                                     "http://127.0.0.1:11434 (Ollama); empty: the provider's default.")
    llm_api_key: str = _setting("", "Key for an OpenAI-compatible server; empty: `OPENAI_API_KEY`, or none for local "
                                    "servers.", secret=True)
    llm_timeout: float = _setting(30.0, "Seconds an answer waits for the LLM (all its calls together: a follow-up's "
                                        "rewrite and the answer) before answering extractively with a notice.")
    host: str = _setting("127.0.0.1", "Address the chat page listens on; 0.0.0.0 opens it to the network (set "
                                      "`ASSISTANT_AUTH` too).")
    port: int = _setting(7860, "Port of the chat page.")
    auth: str = _setting("", "`user:password` to require a login on the chat page (Gradio's login form); empty: no "
                             "login.", secret=True)
    api_key: str = _setting("", "Key the OpenAI-compatible (/v1), REST (/api) and MCP (/mcp) doors require as "
                                "`Authorization: Bearer KEY`; empty: open (the app warns when it also listens "
                                "beyond loopback without a login).", secret=True)
    api_max_request_bytes: int = _setting(1_000_000, "Largest request body /v1, /api and /mcp accept; a larger one "
                                                     "is refused (413) in each protocol's error form.")

    @classmethod
    def load(cls, env: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
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
        if settings.feeds_every:
            parse_duration(settings.feeds_every, source=f"{ENV_PREFIX}FEEDS_EVERY")
        for name in ("exact_search_max_sentences", "hnsw_ef_search", "hnsw_ef_construction", "hnsw_max_neighbors",
                     "hnsw_num_threads"):
            if getattr(settings, name) < 1:
                raise ConfigError(f"{ENV_PREFIX}{name.upper()} must be at least 1, got {getattr(settings, name)}.")
        return settings

    def with_(self, **changes: Any) -> Settings:
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


_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_duration(text: str, *, source: str = "duration") -> float:
    """Seconds in `15m`, `1h30m`, `90s`, `2d` or a bare number of seconds; ConfigError otherwise."""
    value = str(text or "").strip().lower().replace(" ", "")
    parts = re.fullmatch(r"(?:\d+(?:\.\d+)?[smhd])+|\d+(?:\.\d+)?", value)
    if not parts:
        raise ConfigError(f"{source} takes a duration like 15m, 1h or 90s, got {text!r}.")
    if value.replace(".", "", 1).isdigit():
        seconds = float(value)
    else:
        seconds = sum(float(n) * _UNITS[u] for n, u in re.findall(r"(\d+(?:\.\d+)?)([smhd])", value))
    if seconds <= 0:
        raise ConfigError(f"{source} must be longer than zero, got {text!r}.")
    return seconds


SETTINGS_PAGE_HEAD = """# Settings

One settings object (`index/settings.py`): defaults < environment (`ASSISTANT_*`) <
explicit arguments. An unknown `ASSISTANT_*` name, a wrong type or a value outside a
setting's choices fails at start with a hint. `assistant settings` prints the same list.

This page is generated from that registry (`assistant settings --markdown > docs/settings.md`);
a test fails when the two drift apart.
"""


def settings_page() -> str:
    """docs/settings.md: one row per setting, from the registry's own help text."""
    rows = ["| variable | default | meaning |", "|---|---|---|"]
    for f in dataclasses.fields(Settings):
        default = f.metadata["shown"] or f.default
        shown = f"`{default}`" if default not in ("", None) else "(empty)"
        help = f.metadata["help"] + (" Never printed." if f.metadata["secret"] else "")
        rows.append(f"| `{ENV_PREFIX}{f.name.upper()}` | {shown} | {help} |")
    return SETTINGS_PAGE_HEAD + "\n" + "\n".join(rows) + "\n"


def _convert(f: dataclasses.Field, value: Any, *, source: str) -> Any:
    converted = _typed(f, value, source=source)
    choices = f.metadata["choices"]
    if choices and converted not in choices:
        hint = difflib.get_close_matches(str(converted), choices, n=1)
        extra = f" (did you mean {hint[0]!r}?)" if hint else ""
        raise ConfigError(f"{source} must be one of {', '.join(choices)}, got {value!r}{extra}.")
    return str(converted) if choices else converted


def _typed(f: dataclasses.Field, value: Any, *, source: str) -> Any:
    names = {"Path": Path, "str": str, "int": int, "float": float, "bool": bool}
    kind = f.type if isinstance(f.type, type) else names[f.type]
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
