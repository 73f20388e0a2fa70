"""Adding articles to the articles folder from outside (the chat page's upload and paste).

A file's name comes from the user's machine and is never trusted: only its last component
is kept, reduced to safe characters, and the file is created inside the folder without
ever replacing an existing one.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from .articles import SUFFIXES
from .errors import AssistantError

MAX_NAME_CHARS = 100


class UploadRejected(AssistantError):
    """A file that is not added, with the reason (the name is in the message)."""


@dataclass(frozen=True)
class Added:
    name: str  # the file name inside the articles folder
    note: str = ""  # e.g. "saved as x-2.txt: x.txt already exists"


def safe_name(name: str) -> str:
    """A plain file name for `name`: no folders, no hidden files, no characters a shell or
    another OS would trip on; the suffix is kept (lower-cased) so the loader knows the format."""
    base = unicodedata.normalize("NFC", str(name)).replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C")
    stem, dot, suffix = base.rpartition(".")
    if not dot:
        stem, suffix = base, ""
    stem = re.sub(r"[^\w\- ]+", "_", stem, flags=re.UNICODE).strip(" ._-") or "article"
    stem = re.sub(r"\s+", " ", stem)[:MAX_NAME_CHARS]
    return f"{stem}.{suffix.lower()}" if suffix else stem


def add_file(source: str | Path, name: str, folder: Path, *, max_bytes: int) -> Added:
    """Copy the uploaded file `source` into `folder` under a safe version of `name`."""
    shown = Path(str(name).replace("\\", "/")).name or str(name)
    target_name = safe_name(name)
    suffix = Path(target_name).suffix
    if suffix not in SUFFIXES:
        raise UploadRejected(f"{shown}: not an article format (use {', '.join(sorted(SUFFIXES))})")
    try:
        size = os.path.getsize(source)
        if size > max_bytes:
            raise UploadRejected(f"{shown}: too large ({size / 1e6:.1f} MB; the limit is {max_bytes / 1e6:.1f} MB)")
        if size == 0:
            raise UploadRejected(f"{shown}: empty file")
        data = Path(source).read_bytes()
    except OSError as error:
        raise UploadRejected(f"{shown}: cannot be read ({error.strerror or error})") from None
    return _create(folder, target_name, data, shown)


def add_text(folder: Path, *, title: str, text: str, source: str = "", url: str = "",
             published: str = "", max_bytes: int) -> Added:
    """A pasted article, saved as a JSON article file named after its title."""
    if not text.strip():
        raise UploadRejected("pasted article: the text is empty")
    record = {"title": title.strip(), "source": source.strip(), "url": url.strip(),
              "published": published.strip(), "text": text}
    data = json.dumps({k: v for k, v in record.items() if v}, ensure_ascii=False, indent=1).encode("utf-8")
    if len(data) > max_bytes:
        raise UploadRejected(f"pasted article: too large ({len(data) / 1e6:.1f} MB; the limit is "
                             f"{max_bytes / 1e6:.1f} MB)")
    words = (title.strip() or " ".join(text.split()[:8]))
    return _create(folder, safe_name(f"pasted {words[:60]}.json"), data, "pasted article")


def _create(folder: Path, name: str, data: bytes, shown: str) -> Added:
    folder.mkdir(parents=True, exist_ok=True)
    root = folder.resolve()
    stem, suffix = Path(name).stem, Path(name).suffix
    # written under a hidden name (the loader skips hidden files), then linked into place:
    # a reader never sees half a file and a link never replaces an existing file
    handle, temp = tempfile.mkstemp(prefix=".upload-", dir=root)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        for attempt in range(1, 1000):
            candidate = name if attempt == 1 else f"{stem}-{attempt}{suffix}"
            target = root / candidate
            if target.resolve().parent != root:  # a symlink planted in the folder
                raise UploadRejected(f"{shown}: refused to write outside the articles folder")
            if target.exists() and target.read_bytes() == data:
                return Added(candidate, f"{candidate} is already in the folder")
            try:
                os.link(temp, target)
            except FileExistsError:
                continue
            note = f"saved as {candidate}: {name} already exists" if attempt > 1 else ""
            return Added(candidate, note)
        raise UploadRejected(f"{shown}: too many files named {name}")
    finally:
        os.unlink(temp)
