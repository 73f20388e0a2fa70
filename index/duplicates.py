"""Near-duplicate articles: the same wire story in several outlets, a corrected version.

Each article gets a MinHash signature of its 5-word shingles at index time (stored with
the article); after every build the committed articles are grouped: two articles whose
estimated Jaccard similarity reaches `duplicate_threshold` are in one group, and groups
are closed under that relation. Candidates come from locality-sensitive hashing (bands
of the signature), so grouping stays near-linear in the number of articles.

Hand-written rather than `datasketch`: it is forty lines of numpy, needs no dependency,
and the signature format is ours to keep stable in the stored index.
"""

from __future__ import annotations

import base64
import hashlib

import numpy as np

from .text import words as text_words
from .textview import normalised

PERMUTATIONS = 128
BAND_ROWS = 4  # 32 bands of 4 rows: pairs above ~0.42 Jaccard become candidates
SHINGLE_WORDS = 5
# Stored with each signature; signatures of another scheme are computed again from the text.
# Scheme 1 hashed with (a*x + b) mod 2^61-1 for a, b < 2^32: too little mixing, so the
# smallest shingle hashes won most permutations and two long articles sharing one phrase
# looked like copies (0.77 estimated for 0.04 true similarity).
SCHEME = "2"
_SEEDS = np.random.default_rng(20261125).integers(0, 1 << 63, PERMUTATIONS, dtype=np.uint64)  # fixed


def shingles(text: str) -> set[int]:
    """32-bit hashes of the lower-cased word 5-grams (punctuation and spacing ignored, so a
    re-typeset copy matches; read in the normalised view, so invisible characters cut no word)."""
    words = text_words(normalised(text))
    if len(words) < SHINGLE_WORDS:
        words = words + [""] * (SHINGLE_WORDS - len(words))
    grams = {" ".join(words[i:i + SHINGLE_WORDS]) for i in range(len(words) - SHINGLE_WORDS + 1)}
    return {int.from_bytes(hashlib.blake2b(g.encode("utf-8"), digest_size=4).digest(), "little") for g in grams}


def _mix(z: np.ndarray) -> np.ndarray:
    """SplitMix64's finalizer: each input bit flips about half the output bits (uint64 wraps)."""
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def signature(text: str) -> np.ndarray:
    """The MinHash signature: for each of 128 hash functions, the least hash of any shingle."""
    values = np.fromiter(shingles(text), dtype=np.uint64)
    hashed = _mix(values[:, None] ^ _SEEDS[None, :])  # one seeded hash function per column
    return (hashed.min(axis=0) >> np.uint64(32)).astype(np.uint32)


def encode(sig: np.ndarray) -> str:
    return base64.b64encode(np.asarray(sig, dtype="<u4").tobytes()).decode("ascii")


def label(sig: np.ndarray) -> str:
    """A signature as stored: its hashing scheme, a colon, then `encode`'s text."""
    return f"{SCHEME}:{encode(sig)}"


def unlabel(text: str) -> np.ndarray | None:
    """The signature `label` stored, or None if it is missing, damaged or of another scheme."""
    scheme, _, encoded = (text or "").partition(":")
    return decode(encoded) if scheme == SCHEME else None


def decode(text: str) -> np.ndarray | None:
    try:
        sig = np.frombuffer(base64.b64decode(text.encode("ascii")), dtype="<u4")
    except (ValueError, TypeError):
        return None
    return sig if sig.size == PERMUTATIONS else None


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Estimated Jaccard similarity of the two shingle sets."""
    return float(np.mean(a == b))


def group(signatures: dict[str, np.ndarray], threshold: float) -> dict[str, list[str]]:
    """{article id: the ids of its group, itself included}, for articles with a near-duplicate.

    Two articles are candidates when one band of their signatures is equal; candidates as
    similar as `threshold` are joined, and groups are the connected sets. Each band's equal
    rows are found by one sort of the whole column of bands (a Python loop over 32 bands
    per article was 0.38 s of a 2,922-item build's serial end)."""
    ids = sorted(signatures)
    if len(ids) < 2:
        return {}
    matrix = np.stack([np.asarray(signatures[i], dtype="<u4") for i in ids])
    bands = np.ascontiguousarray(matrix.reshape(len(ids), PERMUTATIONS // BAND_ROWS, BAND_ROWS))
    parent = list(range(len(ids)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    checked: set[tuple[int, int]] = set()
    for band in range(bands.shape[1]):
        keys = bands[:, band].view(np.dtype((np.void, 4 * BAND_ROWS))).ravel()
        order = np.argsort(keys, kind="stable")  # rows with equal keys end up side by side, in id order
        ordered = keys[order]
        starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
        ends = np.r_[starts[1:], len(ordered)]
        shared = ends - starts > 1  # most bands of most articles are their own
        for first, end in zip(starts[shared].tolist(), ends[shared].tolist()):
            members = order[first:end].tolist()
            for i, a in enumerate(members):
                for b in members[i + 1:]:
                    if (a, b) in checked:
                        continue
                    checked.add((a, b))
                    if root(a) != root(b) and similarity(matrix[a], matrix[b]) >= threshold:
                        parent[root(b)] = root(a)
    groups: dict[int, list[str]] = {}
    for row, article_id in enumerate(ids):
        groups.setdefault(root(row), []).append(article_id)
    return {member: members for members in groups.values() if len(members) > 1 for member in members}
