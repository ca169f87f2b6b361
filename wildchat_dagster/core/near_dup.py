"""Near-duplicate first prompts: MinHash signatures per day, LSH clusters over all days.

Signatures are computed once per released day (``prompt_signatures[D]``) and stored, so adding a
day never recomputes older days; clustering reads the stored signatures only.

- Shingles: overlapping windows of ``SHINGLE_TOKENS`` tokens over the lower-cased prompt; a token
  is a run of letters/digits, or one CJK/kana character (those scripts have no spaces, and a
  character is closer to a word there). Templates whose persona name or final question changed
  still share most shingles.
- Signatures: rensa's ``RMinHash`` (Rust, ~60 µs per prompt), ``NUM_PERM`` 32-bit values.
- Index: LSH banding over the cluster centers' stored signatures; a prompt joins the most similar
  earlier center whose estimated Jaccard similarity (share of equal signature values) reaches
  the threshold, or becomes a center (``cluster``). The banding is a dict per band over numpy-folded
  band keys: datasketch's ``MinHashLSH`` did the same at ~1 ms per prompt of Python object
  overhead (insert + query, measured), too slow for a 100k-turn day.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import regex

NUM_PERM = 128
SEED = 20240501  # fixed: signatures of different days must be comparable
SHINGLE_TOKENS = 3
MAX_PROMPT_CHARS = 20_000  # jailbreak templates run to a few thousand characters; cap the outliers
DEFAULT_THRESHOLD = 0.5  # estimated Jaccard similarity of shingle sets joining two prompts
# LSH bands of 3 values each (126 of the 128): P(candidate) = 1 - (1 - J**3)**42, 0.996 at J = 0.5,
# 0.29 at J = 0.2 (verified on the whole signature either way).
BANDS = 42

_TOKEN = regex.compile(r"[\p{Han}\p{Hiragana}\p{Katakana}\p{Hangul}]|[\p{L}\p{N}_]+")


def shingles(text: str) -> list[str]:
    """The prompt's token windows (a prompt shorter than a window is one shingle)."""
    tokens = _TOKEN.findall(text[:MAX_PROMPT_CHARS].lower())
    if len(tokens) <= SHINGLE_TOKENS:
        return [" ".join(tokens)] if tokens else []
    return [" ".join(tokens[i : i + SHINGLE_TOKENS]) for i in range(len(tokens) - SHINGLE_TOKENS + 1)]


def signatures(texts: Sequence[str | None]) -> np.ndarray:
    """``(len(texts), NUM_PERM)`` uint32 MinHash signatures; a text without tokens gets a row of
    ``2**32 - 1`` (it never matches anything: ``cluster`` skips such rows)."""
    from rensa import RMinHash

    out = np.full((len(texts), NUM_PERM), np.iinfo(np.uint32).max, dtype=np.uint32)
    for i, text in enumerate(texts):
        items = shingles(text or "")
        if items:
            minhash = RMinHash(NUM_PERM, SEED)
            minhash.update(items)
            out[i] = minhash.digest()
    return out


def _empty_rows(sigs: np.ndarray) -> np.ndarray:
    return (sigs == np.iinfo(np.uint32).max).all(axis=1)


def band_keys(sigs: np.ndarray, bands: int = BANDS) -> np.ndarray:
    """``(rows, bands)`` uint64 keys: each band's values folded into one number (rows with equal
    values in a band share its key)."""
    rows = sigs.shape[1] // bands
    folded = sigs[:, : bands * rows].reshape(len(sigs), bands, rows).astype(np.uint64)
    weights = np.array([pow(0x9E3779B97F4A7C15, k + 1, 1 << 64) for k in range(rows)], dtype=np.uint64)
    with np.errstate(over="ignore"):  # wrap-around multiplication is the point
        return (folded * weights).sum(axis=2, dtype=np.uint64)


def cluster(sigs: np.ndarray, threshold: float = DEFAULT_THRESHOLD) -> np.ndarray:
    """Cluster index per row: the index of the cluster's center, its earliest member.

    Greedy centers, in row order (rows should come in a stable order, e.g. by day then
    conversation id): a row joins the most similar earlier center whose estimated Jaccard
    similarity is at least ``threshold``, or becomes a center itself. Unlike connected components
    this never chains unrelated prompts through a run of pairwise-similar ones, and a row's
    cluster never changes when later rows (days) are added. A row without tokens is its own
    cluster. Candidates come from an LSH banding index of the centers (``BANDS`` bands: a pair at
    the threshold shares a band with probability 0.996), verified on the full signatures.
    """
    n = len(sigs)
    out = np.arange(n, dtype=np.int64)
    if n == 0:
        return out
    empty = _empty_rows(sigs)
    keys = band_keys(sigs).tolist()
    need = threshold * sigs.shape[1]
    buckets: list[dict[int, list[int]]] = [{} for _ in range(BANDS)]
    center_of_signature: dict[bytes, int] = {}  # the same prompt repeated: no index query
    for i in range(n):
        if empty[i]:
            continue
        signature = sigs[i].tobytes()
        known = center_of_signature.get(signature)
        if known is not None:
            out[i] = known
            continue
        candidates = set()
        for bucket, key in zip(buckets, keys[i], strict=True):
            hit = bucket.get(key)
            if hit:
                candidates.update(hit)
        best, best_equal = i, -1
        for j in sorted(candidates):
            equal = int(np.count_nonzero(sigs[i] == sigs[j]))
            if equal >= need and equal > best_equal:
                best, best_equal = j, equal
        if best == i:  # a new center
            for bucket, key in zip(buckets, keys[i], strict=True):
                bucket.setdefault(key, []).append(i)
        out[i] = best
        center_of_signature[signature] = best
    return out


def jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """Estimated Jaccard similarity of two signatures."""
    return float(np.count_nonzero(a == b)) / len(a)
