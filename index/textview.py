"""The normalised view of an article's text, and the map from the view back to the text as given.

An article's text is stored exactly as the loader decoded it, and every stored offset
(chunks, sentences, citations, highlights) indexes that text. Text from news sites and
CMS exports carries characters that no reader sees but that cut words in two for a
tokenizer ("Wit\\u00adkoff", "cease\\u200bfire"), so sentence splitting, embedding,
keyword indexing and word matching read a view of it instead:

- invisible characters out: zero-width space, non-joiner and joiner (a joiner between two
  emoji stays: it makes one picture of them), word joiner, invisible operators, BOMs,
  soft hyphens, bidi marks, embeddings, overrides and isolates;
- no-break and other Unicode spaces, tabs and control characters as a plain space;
- CRLF, lone CR, NEL and the line separator as "\\n", the paragraph separator as "\\n\\n";
- NFC: a letter and its combining accents as the one composed character.

`view(text)` gives the view with its map: `span(start, end)` turns a span of the view into
the span of the original text it was read from. A span never starts or ends on a dropped
character, and the characters of one composed or replaced group map to the whole group.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

import numpy as np

# zero-width space / non-joiner / joiner, LRM, RLM, ALM, Mongolian vowel separator, word
# joiner and invisible operators, bidi embeddings / overrides / isolates, BOM, soft hyphen
DROPPED = ("\u00ad\u061c\u180e\u200b\u200c\u200d\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff")
SPACES = "\t\x0b\x0c\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000"
CONTROLS = "\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f"
_SPECIAL = re.compile(f"\r\n?|[\u0085\u2028\u2029]|[{DROPPED}]|[{SPACES}{CONTROLS}]")
_DROPPED = re.compile(f"[{DROPPED}]")
_LINE_ENDS = {"\r\n": "\n", "\r": "\n", "\u0085": "\n", "\u2028": "\n", "\u2029": "\n\n"}
ZWJ = "\u200d"
# Characters that NFC may compose with the character before them although they are not
# combining marks (canonical combining class 0): Hangul vowels and final consonants, and
# the vowel signs and length marks of a few Indic and Southeast Asian scripts.
_COMPOSE_WITH_PREVIOUS = re.compile(
    "[\u0300-\u036f\u1161-\u1175\u11a8-\u11c2\u09be\u09d7\u0b3e\u0b56\u0b57\u0bbe\u0bd7\u0c56\u0cc2\u0cd5"
    "\u0cd6\u0d3e\u0d57\u0dcf\u0ddf\u102e\u1b35\U000110ba\U00011127\U0001133e\U00011357\U000114b0\U000114ba"
    "\U000114bd\U000115af]")


@dataclass(frozen=True, eq=False)
class TextView:
    """`text`, the view of `original`; for each view character, the original span it came from."""
    original: str
    text: str
    _starts: np.ndarray | None = field(default=None, repr=False)  # None: the view is the text itself
    _ends: np.ndarray | None = field(default=None, repr=False)

    @property
    def identical(self) -> bool:
        return self._starts is None

    def position(self, offset: int) -> int:
        """Where view offset `offset` (0..len(text)) falls in the original text."""
        if self._starts is None:
            return offset
        if offset >= len(self.text):
            return int(self._ends[-1]) if len(self.text) else 0
        return int(self._starts[offset])

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original span that the view's text[start:end] was read from."""
        if self._starts is None:
            return start, end
        if end <= start:
            where = self.position(start)
            return where, where
        return int(self._starts[start]), int(self._ends[end - 1])


def view(text: str) -> TextView:
    """The normalised view of `text` with its map back (the text itself when nothing needs normalising)."""
    if not _SPECIAL.search(text) and unicodedata.is_normalized("NFC", text):
        return TextView(text, text)
    shown, starts, ends = _replace_specials(text)
    if not unicodedata.is_normalized("NFC", shown):
        shown, starts, ends = _compose(shown, starts, ends)
    return TextView(text, shown, starts, ends)


def normalised(text: str) -> str:
    """The view of `text` alone (no map): what word matching, keyword indexing and the model read."""
    if not _SPECIAL.search(text) and unicodedata.is_normalized("NFC", text):
        return text
    shown = _SPECIAL.sub(lambda match: _replacement(text, match), text)
    if unicodedata.is_normalized("NFC", shown):
        return shown
    return "\n".join(line if unicodedata.is_normalized("NFC", line)
                     else "".join(unicodedata.normalize("NFC", line[a:b]) for a, b in _clusters(line))
                     for line in shown.split("\n"))


def _replacement(text: str, match: re.Match) -> str:
    found = match.group()
    if found in _LINE_ENDS:
        return _LINE_ENDS[found]
    if found == ZWJ and _emoji_joined(text, match.start()):
        return found
    return "" if _DROPPED.match(found) else " "


def _emoji_joined(text: str, at: int) -> bool:
    """Whether the joiner at `at` joins two emoji (👩‍🔬): then it is part of one picture."""
    return 0 < at < len(text) - 1 and _pictographic(text[at - 1]) and _pictographic(text[at + 1])


def _pictographic(ch: str) -> bool:
    return ch == "\ufe0f" or (ord(ch) >= 0x2190 and unicodedata.category(ch) in ("So", "Sk"))


def _replace_specials(text: str) -> tuple[str, np.ndarray, np.ndarray]:
    """The view before NFC, with each view character's original start and end."""
    parts: list[str] = []
    pieces: list[tuple[int, int, int]] = []  # (original start, original end, view length)
    position = 0
    for match in _SPECIAL.finditer(text):
        if match.start() > position:
            parts.append(text[position:match.start()])
            pieces.append((position, match.start(), match.start() - position))
        replacement = _replacement(text, match)
        if replacement == ZWJ:  # part of one picture: it stands for the two emoji it joins
            parts.append(ZWJ)
            pieces.append((match.start() - 1, match.end() + 1, 1))
        elif replacement:
            parts.append(replacement)
            pieces.append((match.start(), match.end(), len(replacement)))
        position = match.end()
    if position < len(text):
        parts.append(text[position:])
        pieces.append((position, len(text), len(text) - position))
    return "".join(parts), *_arrays(pieces)


def _arrays(pieces: list[tuple[int, int, int]]) -> tuple[np.ndarray, np.ndarray]:
    """Per view character (start, end) from pieces: a piece as long as its original maps
    character by character, any other maps each of its characters to the whole piece."""
    size = sum(p[2] for p in pieces)
    starts, ends = np.empty(size, dtype=np.int64), np.empty(size, dtype=np.int64)
    at = 0
    for start, end, length in pieces:
        if end - start == length:
            starts[at:at + length] = np.arange(start, end)
            ends[at:at + length] = starts[at:at + length] + 1
        else:
            starts[at:at + length], ends[at:at + length] = start, end
        at += length
    return starts, ends


def _compose(shown: str, starts: np.ndarray, ends: np.ndarray) -> tuple[str, np.ndarray, np.ndarray]:
    """NFC of the view, one line at a time (no composition crosses a line end); the map follows."""
    parts, new_starts, new_ends = [], [], []
    position = 0
    for line in shown.split("\n"):
        end = position + len(line)
        if unicodedata.is_normalized("NFC", line):
            parts.append(line)
            new_starts.append(starts[position:end])
            new_ends.append(ends[position:end])
        else:
            for a, b in _clusters(line):
                group = line[a:b]
                composed = unicodedata.normalize("NFC", group)
                parts.append(composed)
                if composed == group:
                    new_starts.append(starts[position + a:position + b])
                    new_ends.append(ends[position + a:position + b])
                else:  # every character of the composed group stands for the whole group
                    new_starts.append(np.full(len(composed), starts[position + a], dtype=np.int64))
                    new_ends.append(np.full(len(composed), ends[position + b - 1], dtype=np.int64))
        if end < len(shown):  # the line end itself
            parts.append("\n")
            new_starts.append(starts[end:end + 1])
            new_ends.append(ends[end:end + 1])
        position = end + 1
    return "".join(parts), np.concatenate(new_starts), np.concatenate(new_ends)


def _clusters(line: str) -> list[tuple[int, int]]:
    """Spans of a character and the marks that follow it: the units NFC composes within."""
    spans: list[tuple[int, int]] = []
    for i, ch in enumerate(line):
        if spans and (unicodedata.combining(ch) or _COMPOSE_WITH_PREVIOUS.match(ch)):
            spans[-1] = (spans[-1][0], i + 1)
        else:
            spans.append((i, i + 1))
    return spans
