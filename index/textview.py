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
from functools import lru_cache

import numpy as np

# zero-width space / non-joiner / joiner, LRM, RLM, ALM, Mongolian vowel separator, word
# joiner and invisible operators, bidi embeddings / overrides / isolates, BOM, soft hyphen
_DROPPED = [0xad, 0x61c, 0x180e, *range(0x200b, 0x2010), *range(0x202a, 0x202f), *range(0x2060, 0x2065),
            *range(0x2066, 0x206a), 0xfeff]
_AS_SPACE = [0x09, 0x0b, 0x0c, 0xa0, 0x1680, *range(0x2000, 0x200b), 0x202f, 0x205f, 0x3000,  # spaces, tabs
             *range(0x00, 0x09), *range(0x0e, 0x20), *range(0x7f, 0x85), *range(0x86, 0xa0)]  # controls
_AS_NEWLINE = [0x0d, 0x85, 0x2028]  # CR (CRLF: one), NEL, line separator; the paragraph separator: "\n\n"
_SPECIAL = re.compile(f"[{re.escape(''.join(map(chr, _DROPPED + _AS_SPACE + _AS_NEWLINE + [0x2029])))}]")
# Characters that NFC may compose with the character before them although they are not
# combining marks (canonical combining class 0): Hangul vowels and final consonants, and
# the vowel signs and length marks of a few Indic and Southeast Asian scripts.
COMPOSE_WITH_PREVIOUS = [*range(0x1161, 0x1176), *range(0x11a8, 0x11c3), 0x9be, 0x9d7, 0xb3e, 0xb56, 0xb57, 0xbbe,
                         0xbd7, 0xc56, 0xcc2, 0xcd5, 0xcd6, 0xd3e, 0xd57, 0xdcf, 0xddf, 0x102e, 0x1b35, 0x110ba,
                         0x11127, 0x1133e, 0x11357, 0x114b0, 0x114ba, 0x114bd, 0x115af]
_COMPOSING = frozenset(COMPOSE_WITH_PREVIOUS)


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
        if self._starts is None or self._ends is None:
            return offset
        if offset >= len(self.text):
            return int(self._ends[-1]) if len(self.text) else 0
        return int(self._starts[offset])

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original span that the view's text[start:end] was read from."""
        if self._starts is None or self._ends is None:
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
    """The view of `text` alone: what word matching, keyword indexing and the model read."""
    return view(text).text


def _replace_specials(text: str) -> tuple[str, np.ndarray, np.ndarray]:
    """The view before NFC, with each view character's original start and end. Vectorised
    over the code points: CRLF files, or no-break spaces before every colon, are common."""
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32).copy()
    kept = ~np.isin(codes, _DROPPED)
    joined = [int(at) for at in np.flatnonzero(codes == 0x200D) if _emoji_joined(text, int(at))]
    kept[joined] = True  # a joiner between two emoji makes one picture of them
    crlf = np.flatnonzero((codes[:-1] == 0x0D) & (codes[1:] == 0x0A))
    kept[crlf + 1] = False  # the CR of a CRLF stands for both
    codes[np.isin(codes, _AS_SPACE)] = 0x20
    codes[np.isin(codes, _AS_NEWLINE)] = 0x0A
    starts = np.flatnonzero(kept)
    ends = starts + 1
    ends[np.searchsorted(starts, crlf)] += 1
    joins = np.searchsorted(starts, joined)
    starts[joins], ends[joins] = starts[joins] - 1, ends[joins] + 1
    shown = codes[kept].tobytes().decode("utf-32-le", "surrogatepass")
    if "\u2029" in shown:  # a paragraph separator reads as a blank line
        where = np.array([m.start() for m in re.finditer("\u2029", shown)])
        shown = shown.replace("\u2029", "\n\n")
        starts, ends = np.insert(starts, where + 1, starts[where]), np.insert(ends, where + 1, ends[where])
    return shown, starts, ends


def _emoji_joined(text: str, at: int) -> bool:
    """Whether the joiner at `at` joins two emoji (👩‍🔬): then it is part of one picture."""
    return 0 < at < len(text) - 1 and _pictographic(text[at - 1]) and _pictographic(text[at + 1])


def _pictographic(ch: str) -> bool:
    return ch == "\ufe0f" or (ord(ch) >= 0x2190 and unicodedata.category(ch) in ("So", "Sk"))


def _compose(shown: str, starts: np.ndarray, ends: np.ndarray) -> tuple[str, np.ndarray, np.ndarray]:
    """NFC of the view, cluster by cluster (a character and the marks after it); the
    characters of a cluster that changes map to the whole cluster. Clusters with marks are
    found by one regular expression; a rare character that NFC changes alone (U+212B, the
    Angstrom sign, say) sends its lines through the cluster-by-cluster path."""
    # runs of marks, each with the character before it
    marked = np.isin(np.frombuffer(shown.encode("utf-32-le", "surrogatepass"), dtype=np.uint32), _marks())
    edges = np.diff(np.concatenate(([0], marked.astype(np.int8), [0])))
    edits = [(max(int(a) - 1, 0), int(b)) for a, b in zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1))]
    shown, starts, ends = _apply(shown, starts, ends, edits)
    if unicodedata.is_normalized("NFC", shown):
        return shown, starts, ends
    edits, position = [], 0
    for line in shown.split("\n"):
        if not unicodedata.is_normalized("NFC", line):
            edits += [(position + a, position + b) for a, b in _clusters(line)]
        position += len(line) + 1
    return _apply(shown, starts, ends, edits)


def _apply(shown: str, starts: np.ndarray, ends: np.ndarray,
           clusters: list[tuple[int, int]]) -> tuple[str, np.ndarray, np.ndarray]:
    """`shown` with each cluster replaced by its NFC, and the map to match."""
    parts, new_starts, new_ends, at = [], [], [], 0
    for a, b in clusters:
        composed = unicodedata.normalize("NFC", shown[a:b])
        if composed == shown[a:b]:
            continue
        parts += [shown[at:a], composed]
        new_starts += [starts[at:a], np.full(len(composed), starts[a])]
        new_ends += [ends[at:a], np.full(len(composed), ends[b - 1])]
        at = b
    if not parts:
        return shown, starts, ends
    parts.append(shown[at:])
    new_starts.append(starts[at:])
    new_ends.append(ends[at:])
    return "".join(parts), np.concatenate(new_starts), np.concatenate(new_ends)


@lru_cache(maxsize=1)
def _marks() -> np.ndarray:
    """The code points of combining marks and of what composes with the character before:
    listed once, when a text first needs NFC, from Unicode's combining classes."""
    marks = [c for c in range(0x300, 0x1F000) if unicodedata.combining(chr(c))]  # the last is U+1E94A
    return np.array(sorted(marks + COMPOSE_WITH_PREVIOUS), dtype=np.uint32)


def _clusters(line: str) -> list[tuple[int, int]]:
    """Spans of a character and the marks that follow it: the units NFC composes within."""
    spans: list[tuple[int, int]] = []
    for i, ch in enumerate(line):
        if spans and (unicodedata.combining(ch) or ord(ch) in _COMPOSING):
            spans[-1] = (spans[-1][0], i + 1)
        else:
            spans.append((i, i + 1))
    return spans
