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
import re

import numpy as np

PERMUTATIONS = 128
BAND_ROWS = 4  # 32 bands of 4 rows: pairs above ~0.42 Jaccard become candidates
SHINGLE_WORDS = 5
_PRIME = (1 << 61) - 1
_rng = np.random.default_rng(20250314)  # fixed: stored signatures must stay comparable
_A = _rng.integers(1, 1 << 32, PERMUTATIONS, dtype=np.uint64)
_B = _rng.integers(0, 1 << 32, PERMUTATIONS, dtype=np.uint64)
_WORD = re.compile(r"\w+", re.UNICODE)


def shingles(text: str) -> set[int]:
    """32-bit hashes of the lower-cased word 5-grams (punctuation and spacing ignored, so a
    re-typeset copy matches)."""
    words = _WORD.findall(text.lower())
    if len(words) < SHINGLE_WORDS:
        words = words + [""] * (SHINGLE_WORDS - len(words))
    grams = {" ".join(words[i:i + SHINGLE_WORDS]) for i in range(len(words) - SHINGLE_WORDS + 1)}
    return {int.from_bytes(hashlib.blake2b(g.encode("utf-8"), digest_size=4).digest(), "little") for g in grams}


def signature(text: str) -> np.ndarray:
    """The MinHash signature: for each of 128 hash functions, the least hash of any shingle."""
    values = np.fromiter(shingles(text), dtype=np.uint64)
    # (a * x + b) mod p: a, x < 2**32 and b < 2**32, so nothing overflows 64 bits
    hashed = (np.outer(values, _A) + _B) % _PRIME
    return (hashed.min(axis=0) & 0xFFFFFFFF).astype(np.uint32)


def encode(sig: np.ndarray) -> str:
    return base64.b64encode(np.asarray(sig, dtype="<u4").tobytes()).decode("ascii")


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
    """{article id: the ids of its group, itself included}, for articles with a near-duplicate."""
    ids = sorted(signatures)
    parent = {i: i for i in ids}

    def root(i: str) -> str:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    buckets: dict[tuple[int, bytes], list[str]] = {}
    for article_id in ids:
        sig = signatures[article_id]
        for band in range(PERMUTATIONS // BAND_ROWS):
            key = (band, sig[band * BAND_ROWS:(band + 1) * BAND_ROWS].tobytes())
            buckets.setdefault(key, []).append(article_id)
    checked: set[tuple[str, str]] = set()
    for members in buckets.values():
        for i, a in enumerate(members):
            for b in members[i + 1:]:
                if (a, b) in checked:
                    continue
                checked.add((a, b))
                if root(a) != root(b) and similarity(signatures[a], signatures[b]) >= threshold:
                    parent[root(b)] = root(a)
    groups: dict[str, list[str]] = {}
    for article_id in ids:
        groups.setdefault(root(article_id), []).append(article_id)
    return {member: members for members in groups.values() if len(members) > 1 for member in members}
