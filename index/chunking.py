"""Sentence-aware chunks with exact character offsets into the article text.

Paragraphs are split into sentences; sentences are packed into chunks that fit the
embedding model (MiniLM reads 256 word pieces). A chunk never cuts a sentence and
starts at a paragraph boundary unless the chunk so far is short (news wires write
one-sentence paragraphs, which alone make passages too thin to read).
Every offset is computed here, once, and stored: highlighting never searches for text.
Splitting and counting read the text's normalised view (textview.py: no invisible
characters to cut words, plain spaces and line ends); the offsets are mapped back, so they
index the text as given.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .textview import view

Span = tuple[int, int]
TokenCounter = Callable[[Sequence[str]], list[int]]


@dataclass(frozen=True)
class Chunk:
    index: int
    start: int
    end: int
    text: str
    sentences: tuple[Span, ...]  # absolute (start, end) of each sentence in the article


def paragraphs(text: str) -> list[Span]:
    """Blank-line separated blocks when the text has blank lines, else one paragraph per line."""
    separator = r"\n[ \t]*\n\s*" if re.search(r"\n[ \t]*\n", text) else r"\n\s*"
    spans, position = [], 0
    for match in re.finditer(separator, text):
        spans.append((position, match.start()))
        position = match.end()
    spans.append((position, len(text)))
    return [_strip(text, s, e) for s, e in spans if text[s:e].strip()]


def _strip(text: str, start: int, end: int) -> Span:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def split_sentences(text: str, start: int = 0, end: int | None = None) -> list[Span]:
    """Sentence spans of text[start:end] in absolute offsets.

    pysbd ships its rules (no downloads) and knows news abbreviations ("Mr.", "Gen.",
    "U.S.") that blingfire cuts at; blingfire is the fallback for huge paragraphs
    (pysbd slows down sharply on them) and for any piece pysbd cannot place exactly.
    """
    end = len(text) if end is None else end
    piece = text[start:end]
    if not piece.strip():
        return []
    spans = _pysbd_spans(piece) if len(piece) <= 20_000 else None
    if spans is None:
        import blingfire

        _, spans = blingfire.text_to_sentences_and_offsets(piece)
    spans = [_strip(text, start + s, start + e) for s, e in spans]
    spans = [(s, e) for s, e in spans if e > s]
    return _merge_fragments(text, spans) if spans else [_strip(text, start, end)]


_segmenter = None


def _segment(piece: str) -> list[str]:
    """What `pysbd.Segmenter(language="en", clean=False).segment(piece)` returns, found faster.

    pysbd's last step places each sentence in the text with a regex made for that sentence
    (`re.escape(sentence) + r"\\s*"`, the first match ending past the sentence before). Those
    thousands of one-off patterns cost their compiling and push pysbd's few hundred rule
    patterns out of `re`'s cache of 512, which then recompiles them: a third of a build's
    splitting time. `_place` finds the same matches with `str.find`; the rules still run as
    pysbd's own code (tests/test_chunking.py compares the two on real and generated text)."""
    global _segmenter
    if _segmenter is None:
        import pysbd

        _segmenter = pysbd.Segmenter(language="en", clean=False)
        _segmenter.language_module = _fast_english()
    if not piece:
        return []
    return [piece[start:end] for start, end in _place(piece, _segmenter.processor(piece).process())]


def _place(text: str, sentences: Sequence[str]) -> list[Span]:
    """pysbd's `Segmenter.sentences_with_char_spans` without a regex per sentence: for each
    sentence, the first of its non-overlapping occurrences (with the whitespace after it:
    `\\s` is `str.isspace`) that ends past the previous sentence's span; none: skipped."""
    spans: list[Span] = []
    prior = 0
    for sentence in sentences:
        if not sentence:  # the pattern would be `\s*` alone, which matches anywhere: pysbd's own way
            found = next((m.span() for m in re.finditer(r"\s*", text) if m.end() > prior), None)
            if found:
                spans.append(found)
                prior = found[1]
            continue
        position = 0
        while (start := text.find(sentence, position)) >= 0:
            end = start + len(sentence)
            while end < len(text) and text[end].isspace():
                end += 1
            if end > prior:
                spans.append((start, end))
                prior = end
                break
            position = end
    return spans


# characters other than ASCII letters that Python's re matches to an ASCII letter under IGNORECASE
# (İ ı ſ K); a line without them matches an abbreviation only in ASCII letters
_FOLDS_TO_ASCII = "\u0130\u0131\u017f\u212a"


def _fast_english():
    """pysbd's English rules with its abbreviation search skipping the abbreviations that
    cannot change the line.

    pysbd looks for each of its 188 abbreviations that occurs anywhere in a line ("al" in
    "also"), finds every word starting with it, and runs a regex substitution per word; each
    substitution only turns a period right after the abbreviation into a placeholder. When
    the abbreviation is plain text (no regex characters), the line has no letter that folds
    to ASCII, and its lowered text nowhere holds the abbreviation followed by a period, no
    match can be followed by a period and every one of those substitutions leaves the line
    as it is: the abbreviation is skipped. Every other abbreviation runs pysbd's own code."""

    from pysbd.lang.english import English

    literal = {a.strip() for a in English.Abbreviation.ABBREVIATIONS if re.escape(a.strip()) == a.strip()}

    class Replacer(English.AbbreviationReplacer):
        def search_for_abbreviations_in_string(self, text):
            lowered = text.lower()
            plain = not any(ch in text for ch in _FOLDS_TO_ASCII)
            for abbr in self.lang.Abbreviation.ABBREVIATIONS:
                stripped = abbr.strip()
                if stripped not in lowered:
                    continue
                if plain and stripped in literal and stripped + "." not in lowered:
                    continue
                # from here on, pysbd 0.3.4's own loop body
                abbrev_match = re.findall(rf"(?:^|\s|\r|\n){stripped}", text, flags=re.IGNORECASE)
                if not abbrev_match:
                    continue
                next_word_start = r"(?<={" + str(re.escape(stripped)) + "} ).{1}"
                char_array = re.findall(next_word_start, text)
                for ind, match in enumerate(abbrev_match):
                    text = self.scan_for_replacements(text, match, ind, char_array)
            return text

    class FastEnglish(English):
        AbbreviationReplacer = Replacer

    return FastEnglish


def _pysbd_spans(piece: str) -> list[Span] | None:
    spans, cursor = [], 0
    for sentence in _segment(piece):
        sentence = sentence.strip()
        if not sentence:
            continue
        found = piece.find(sentence, cursor)
        if found < 0:
            return None
        spans.append((found, found + len(sentence)))
        cursor = found + len(sentence)
    return spans


def _merge_fragments(text: str, spans: list[Span]) -> list[Span]:
    """Re-join pieces a splitter cut after a closing quote or bracket that belong to the sentence before."""
    merged = [spans[0]]
    for start, end in spans[1:]:
        fragment = text[start:end]
        if len(fragment) <= 3 and not any(ch.isalnum() for ch in fragment):
            merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def split_long(text: str, span: Span, tokens: int, max_tokens: int) -> list[Span]:
    """Cut a sentence longer than the model reads into word-aligned pieces of about equal size."""
    if tokens <= max_tokens:
        return [span]
    pieces = math.ceil(tokens / max_tokens)
    words = [(m.start() + span[0], m.end() + span[0]) for m in re.finditer(r"\S+", text[span[0]:span[1]])]
    if len(words) < 2:  # one enormous "word": cut by characters
        size = math.ceil((span[1] - span[0]) / pieces)
        return [(s, min(s + size, span[1])) for s in range(span[0], span[1], size)]
    per_piece = math.ceil(len(words) / pieces)
    return [(words[i][0], words[min(i + per_piece, len(words)) - 1][1]) for i in range(0, len(words), per_piece)]


def _fit(text: str, span: Span, tokens: int, max_tokens: int, count_tokens: TokenCounter) -> list[tuple[Span, int]]:
    """The span, or pieces of it, each within max_tokens (pieces are re-counted until they fit)."""
    if tokens <= max_tokens:
        return [(span, tokens)]
    pieces = split_long(text, span, tokens, max_tokens)
    counts = count_tokens([text[s:e] for s, e in pieces])
    return [fitted for piece, n in zip(pieces, counts) for fitted in _fit(text, piece, n, max_tokens, count_tokens)]


def chunk_text(
    text: str,
    count_tokens: TokenCounter,
    *,
    max_tokens: int = 230,
    max_words: int = 200,
    min_words: int = 60,
) -> list[Chunk]:
    """Chunks of `text`; each sentence (or piece of an over-long one) fits `max_tokens`.
    Offsets and chunk texts are of `text` as given; the sentences were found in its view."""
    shown = view(text)
    result = []
    for number, spans in enumerate(_pack(shown.text, count_tokens, max_tokens, max_words, min_words)):
        sentences = tuple(shown.span(s, e) for s, e in spans)
        start, end = sentences[0][0], sentences[-1][1]
        result.append(Chunk(number, start, end, text[start:end], sentences))
    return result


def _pack(text: str, count_tokens: TokenCounter, max_tokens: int, max_words: int,
          min_words: int) -> list[list[Span]]:
    """The sentence spans of each chunk of `text` (the view)."""
    paras: list[list[tuple[Span, int, int]]] = []  # per paragraph: (span, tokens, words)
    for p_start, p_end in paragraphs(text):
        spans = split_sentences(text, p_start, p_end)
        counts = count_tokens([text[s:e] for s, e in spans])
        units = []
        for span, tokens in zip(spans, counts):
            for piece, piece_tokens in _fit(text, span, tokens, max_tokens, count_tokens):
                units.append((piece, piece_tokens, len(text[piece[0]:piece[1]].split())))
        paras.append(units)

    chunks: list[list[tuple[Span, int, int]]] = []
    current: list[tuple[Span, int, int]] = []

    def size(units: list[tuple[Span, int, int]]) -> tuple[int, int]:
        return sum(u[1] for u in units), sum(u[2] for u in units)

    def flush() -> None:
        nonlocal current
        if current:
            chunks.append(current)
            current = []

    for units in paras:
        cur_tokens, cur_words = size(current)
        if current and cur_words >= min_words:
            flush()
            cur_tokens, cur_words = 0, 0
        para_tokens, para_words = size(units)
        if cur_tokens + para_tokens <= max_tokens and cur_words + para_words <= max_words:
            current.extend(units)
            continue
        flush()
        # split the paragraph into pieces of about equal size instead of leaving a tiny tail
        n = max(math.ceil(para_tokens / max_tokens), math.ceil(para_words / max_words), 1)
        target_tokens, target_words = para_tokens / n, para_words / n
        for unit in units:
            cur_tokens, cur_words = size(current)
            too_big = cur_tokens + unit[1] > max_tokens or cur_words + unit[2] > max_words
            past_target = cur_tokens >= target_tokens or cur_words >= target_words
            if current and (too_big or past_target):
                flush()
            current.append(unit)
    flush()
    return [[unit[0] for unit in units] for units in chunks]
