"""Read a folder of articles into `Article` records; whatever cannot be read is `Skipped`, with a reason.

Formats: .txt, .md, .html/.htm (news-page extraction with trafilatura), .json (one
article object or a list of them) and .jsonl (one object per line). An article's id is
its path relative to the folder, plus `#N` (0-based record number) inside .json lists
and .jsonl files, so ids stay stable when other records change.

An article's text is exactly what was read: the decoded file (without a leading
byte-order mark), the record's text string, the page's extracted text. Every offset the
index stores points into it; splitting and matching read its normalised view (textview.py).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator

from .textview import normalised

SUFFIXES = {".txt", ".md", ".markdown", ".html", ".htm", ".json", ".jsonl"}

TEXT_FIELDS = ("text", "body", "content")
DATE_FIELDS = ("published", "published_at", "date")


@dataclass(frozen=True)
class Article:
    id: str
    text: str
    title: str
    source: str = ""
    url: str = ""
    author: str = ""
    published: str = ""  # ISO 8601 as given (normalised), "" when unknown
    published_ts: int | None = None  # seconds since the epoch (UTC), for sorting and range filters

    @property
    def content_hash(self) -> str:
        """Changes whenever anything that is indexed changes (text or metadata)."""
        fields = [self.text, self.title, self.source, self.url, self.author, self.published]
        return hashlib.sha256("\x1f".join(fields).encode("utf-8")).hexdigest()[:32]


@dataclass(frozen=True)
class Skipped:
    name: str  # path relative to the folder, with `#N` or `:LINE` for a record
    reason: str

    def __str__(self) -> str:
        return f"{self.name}: {self.reason}"


@dataclass(frozen=True)
class Loaded:
    articles: tuple[Article, ...]
    skipped: tuple[Skipped, ...]


class _Skip(Exception):
    pass


def load_folder(folder: Path, *, max_bytes: int = 5_000_000) -> Loaded:
    """Every article below `folder` (recursively), in path order; unreadable ones are skipped."""
    folder = Path(folder)
    if not folder.is_dir():
        return Loaded((), (Skipped(str(folder), "articles folder does not exist"),))
    articles: list[Article] = []
    skipped: list[Skipped] = []
    for path in sorted(_files(folder)):
        rel = path.relative_to(folder).as_posix()
        try:
            rel.encode("utf-8")
        except UnicodeEncodeError:  # bytes that are no UTF-8: Chroma ids and JSON need text
            skipped.append(Skipped(os.fsencode(rel).decode("utf-8", "backslashreplace"),
                                   "file name is not valid UTF-8; rename the file"))
            continue
        if path.suffix.lower() not in SUFFIXES:
            skipped.append(Skipped(rel, f"not an article format ({path.suffix or 'no extension'}); "
                                        f"readable: {', '.join(sorted(SUFFIXES))}"))
            continue
        try:
            for item in load_file(path, rel, max_bytes=max_bytes):
                (articles if isinstance(item, Article) else skipped).append(item)
        except _Skip as why:
            skipped.append(Skipped(rel, str(why)))
    return Loaded(tuple(articles), tuple(skipped))


def _files(folder: Path) -> Iterator[Path]:
    for path in folder.rglob("*"):
        parts = path.relative_to(folder).parts
        if any(part.startswith(".") for part in parts):
            continue  # hidden files and folders (.git, .DS_Store) are not articles
        if path.is_file() or (path.is_symlink() and not path.exists()):
            yield path  # a broken link is reported as unreadable, not passed over


def load_file(path: Path, rel: str, *, max_bytes: int = 5_000_000) -> Iterator[Article | Skipped]:
    """The articles of one file; raises _Skip when the whole file is unusable."""
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise _Skip(f"too large ({size / 1e6:.1f} MB; the limit is {max_bytes / 1e6:.1f} MB, "
                        f"ASSISTANT_MAX_ARTICLE_BYTES)")
        data = path.read_bytes()
    except OSError as error:
        raise _Skip(f"cannot be read ({error.strerror or error})") from None
    suffix = path.suffix.lower()
    if suffix in {".html", ".htm"}:
        yield _from_html(decode(data), rel)
    elif suffix == ".json":
        yield from _from_json(decode(data), rel)
    elif suffix == ".jsonl":
        yield from _from_jsonl(decode(data), rel)
    else:
        text = decode(data)
        title = _markdown_title(normalised(text)) if suffix in {".md", ".markdown"} else ""
        yield _article(rel, text, title=title)


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM) first, else the encoding charset-normalizer detects."""
    if not data.strip():
        raise _Skip("empty file")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")  # the byte-order mark goes
        except UnicodeDecodeError:
            raise _Skip("invalid UTF-16 text") from None
    if b"\x00" in data[:8192]:
        raise _Skip("binary file, not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    # Western news in a legacy encoding is nearly always Windows-1252 (a superset of
    # Latin-1's printable range); detectors guess badly on short text, so try it first
    # and accept it when accented letters stay a minority, as they do in those languages.
    for encoding in ("cp1252", "latin-1"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        letters = sum(ch.isalpha() for ch in text)
        if letters and sum(ch.isalpha() and ord(ch) > 127 for ch in text) / letters < 0.3:
            return text
        break
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise _Skip("not text in any encoding that could be detected")
    return str(best).removeprefix("\ufeff")


def clean_text(text: str) -> str:
    """Metadata (titles, outlets, authors) as shown: the normalised view, trimmed. Never
    applied to an article's text, which offsets index as it was read."""
    return normalised(text).strip()


def _article(rel: str, text: str, *, title: str = "", source: str = "", url: str = "",
             author: str = "", published: Any = "") -> Article:
    if not text or not normalised(text).strip():
        raise _Skip("no article text")
    iso, ts = parse_date(published)
    title = " ".join(clean_text(str(title or "")).split()) or derive_title(normalised(text))
    return Article(id=rel, text=text, title=title, source=_plain(source), url=_plain(url),
                   author=_plain(author), published=iso, published_ts=ts)


def _plain(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        value = ", ".join(str(v) for v in value if v)
    return " ".join(clean_text(str(value or "")).split())


def derive_title(text: str, max_words: int = 12) -> str:
    """A short title for text that has none: a headline-like first line, else the first sentence."""
    first_line = text.strip().split("\n", 1)[0].strip()
    words = first_line.split()
    if 0 < len(words) <= 15 and not first_line.endswith((".", "!", "?", "\u201d", '"')):
        return first_line
    sentence = re.split(r"(?<=[.!?])\s", first_line, maxsplit=1)[0]
    words = sentence.split()
    return " ".join(words[:max_words]) + ("\u2026" if len(words) > max_words else "")


def _markdown_title(text: str) -> str:
    match = re.match(r"\s*#\s+(.+)", text)
    return match.group(1).strip() if match else ""


def parse_date(value: Any) -> tuple[str, int | None]:
    """(ISO 8601 string, epoch seconds) from a date string or number; ("", None) if unusable."""
    if value in (None, ""):
        return "", None
    try:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            moment = datetime.fromtimestamp(float(value) / (1000 if value > 1e11 else 1), tz=timezone.utc)
        else:
            from dateutil import parser

            moment = parser.parse(str(value))
    except (ValueError, OverflowError, OSError, TypeError):
        return "", None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    only_date = isinstance(value, str) and len(value.strip()) <= 10 and ":" not in value
    iso = moment.date().isoformat() if only_date else moment.isoformat()
    return iso, int(moment.timestamp())


def _record(obj: Any, rel: str) -> Article:
    if not isinstance(obj, dict):
        raise _Skip(f"expected an article object, got {type(obj).__name__}")
    text = next((obj[k] for k in TEXT_FIELDS
                 if isinstance(obj.get(k), str) and normalised(obj[k]).strip()), None)
    if text is None:
        raise _Skip(f"no article text (looked for {', '.join(TEXT_FIELDS)})")
    published = next((obj[k] for k in DATE_FIELDS if obj.get(k) not in (None, "")), "")
    source = obj.get("source") or ""
    if isinstance(source, dict):  # e.g. NewsAPI's {"id": ..., "name": ...}
        source = source.get("name") or source.get("id") or ""
    return _article(rel, text, title=obj.get("title") or "", source=source,
                    url=obj.get("url") or "", author=obj.get("author") or "", published=published)


def _from_json(text: str, rel: str) -> Iterator[Article | Skipped]:
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as error:
        raise _Skip(f"invalid JSON ({_json_reason(error)})") from None
    if isinstance(data, dict):
        yield _record(data, rel)
        return
    if not isinstance(data, list):
        raise _Skip(f"expected an article object or a list of them, got {type(data).__name__}")
    if not data:
        raise _Skip("empty list of articles")
    for number, obj in enumerate(data):
        name = f"{rel}#{number}"
        try:
            yield _record(obj, name)
        except _Skip as why:
            yield Skipped(name, str(why))


def _from_jsonl(text: str, rel: str) -> Iterator[Article | Skipped]:
    found = False
    for number, line in enumerate(text.split("\n")):
        if not line.strip():
            continue
        found = True
        name = f"{rel}#{number}"
        try:
            yield _record(json.loads(line), name)
        except (json.JSONDecodeError, RecursionError) as error:
            yield Skipped(f"{rel}:{number + 1}", f"invalid JSON on line {number + 1} ({_json_reason(error)})")
        except _Skip as why:
            yield Skipped(name, str(why))
    if not found:
        raise _Skip("empty file")


def _json_reason(error: Exception) -> str:
    return error.msg if isinstance(error, json.JSONDecodeError) else "nested too deeply"


def _from_html(html: str, rel: str) -> Article:
    import trafilatura

    doc = trafilatura.bare_extraction(html, with_metadata=True, include_comments=False,
                                      include_tables=False, favor_precision=True)
    if doc is None:
        raise _Skip("no article text found in the HTML page")
    meta = doc.as_dict() if hasattr(doc, "as_dict") else dict(doc)
    return _article(rel, meta.get("text") or "", title=meta.get("title") or "", source=meta.get("sitename") or "",
                    url=meta.get("url") or "", author=meta.get("author") or "",
                    published=meta.get("date") or "")
