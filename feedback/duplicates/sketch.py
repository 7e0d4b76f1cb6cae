"""How much two concern texts repeat each other, and keys that find the candidates quickly. Pure functions.

- `normalise`: lower case, accents removed, every run of punctuation and spaces one space, so a text pasted
  again with other capitals, accents or punctuation is the same text. `fingerprint` hashes that.
- `shingles`: the set of overlapping 5-character pieces of the normalised text (as 64-bit hashes);
  `similarity` is their Jaccard index: 1 for the same text, about 0.9 after one changed word in a
  paragraph, under 0.5 for different concerns that share a stock phrase.
- `keys`: the fingerprint's key, then MinHash in `BANDS` bands of `ROWS` hashes (18 in all). Two texts of
  similarity s share at least one band key with probability 1 - (1 - s**ROWS)**BANDS: 0.96 at 0.75, above
  0.99 at 0.85, 0.33 at 0.4; equal normalised texts share every key. Candidates found by key are then
  checked with the exact `similarity`.

Every hash comes from fixed arithmetic and BLAKE2b, never from Python's per-process `hash()` or a random
generator, so keys stored in the database stay comparable across processes, machines and upgrades.
"""

from __future__ import annotations

import hashlib
import re
import struct
import unicodedata

import numpy as np

SHINGLE_LENGTH = 5
BANDS = 6
ROWS = 3
#: Jaccard index of the shingles from which a concern counts as nearly repeating another.
NEAR_DUPLICATE_SIMILARITY = 0.75

_NOT_A_WORD = re.compile(r"[\W_]+")
_MERSENNE_61 = np.uint64((1 << 61) - 1)
_BASE = np.uint64(1_000_003)


def _constant(name: str, index: int, bits: int) -> int:
    digest = hashlib.blake2b(f"civictrust.duplicates.{name}.{index}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") >> (64 - bits)


# (a * x + b) mod (2**61 - 1) with a, b < 2**31 and x < 2**32 never overflows 64 bits.
_A = np.array([_constant("a", i, 31) | 1 for i in range(BANDS * ROWS)], dtype=np.uint64)
_B = np.array([_constant("b", i, 31) for i in range(BANDS * ROWS)], dtype=np.uint64)


def normalise(text: str) -> str:
    """`text` lower-cased, without accents, with punctuation and runs of spaces as single spaces."""
    if text.isascii():  # most concerns: nothing to decompose
        return _NOT_A_WORD.sub(" ", text.lower()).strip()
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(character for character in decomposed if not unicodedata.combining(character))
    return _NOT_A_WORD.sub(" ", plain).strip()


def fingerprint(text: str) -> str:
    """32 hex digits identifying the normalised text: equal exactly when the normalised texts are equal."""
    return hashlib.blake2b(normalise(text).encode(), digest_size=16).hexdigest()


def _mix(values: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser: spreads the bits of each value (wrapping uint64 arithmetic)."""
    values = values ^ (values >> np.uint64(30))
    values = values * np.uint64(0xBF58476D1CE4E5B9)
    values = values ^ (values >> np.uint64(27))
    values = values * np.uint64(0x94D049BB133111EB)
    return values ^ (values >> np.uint64(31))


def shingles(text: str) -> np.ndarray:
    """Sorted unique 64-bit hashes of the normalised text's 5-character pieces (one piece if it is shorter)."""
    normalised = normalise(text)
    if not normalised:
        return np.zeros(0, dtype=np.uint64)
    codes = np.frombuffer(normalised.encode("utf-32-le"), dtype="<u4").astype(np.uint64)
    if len(codes) < SHINGLE_LENGTH:
        codes = np.concatenate([codes, np.zeros(SHINGLE_LENGTH - len(codes), dtype=np.uint64)])
    count = len(codes) - SHINGLE_LENGTH + 1
    rolling = np.zeros(count, dtype=np.uint64)
    for offset in range(SHINGLE_LENGTH):  # a polynomial hash of each piece; uint64 arrays wrap, never raise
        rolling = rolling * _BASE + codes[offset : offset + count]
    return np.unique(_mix(rolling))


def similarity(first: np.ndarray, second: np.ndarray) -> float:
    """Jaccard index of two `shingles` results: |both| / |either|, 0.0 when both are empty."""
    if not len(first) and not len(second):
        return 0.0
    both = len(np.intersect1d(first, second, assume_unique=True))
    return both / (len(first) + len(second) - both)


def _signed_key(packed: bytes) -> int:
    return int.from_bytes(hashlib.blake2b(packed, digest_size=8).digest(), "big", signed=True)


def keys(text: str, hashes: np.ndarray, *, scope: int) -> list[int]:
    """The keys of `text` (whose `shingles` are `hashes`) as signed 64-bit integers (a BigIntegerField).

    First the key of its fingerprint, then one per MinHash band (none for a text with nothing but
    punctuation). `scope` (the consultation's id) is part of every key, so texts of different
    consultations never share one.
    """
    found = [_signed_key(struct.pack(">qi", scope, -1) + fingerprint(text).encode())]
    if not len(hashes):
        return found
    low = hashes >> np.uint64(32)
    minimums = ((np.outer(_A, low) + _B[:, None]) % _MERSENNE_61).min(axis=1)
    for band in range(BANDS):
        rows = minimums[band * ROWS : (band + 1) * ROWS].tolist()
        found.append(_signed_key(struct.pack(f">qi{ROWS}Q", scope, band, *rows)))
    return found
