"""Sorted, distinct id arrays (catalogue positions, vocabulary columns): union and lookup.

The request path looks a few dozen ids up among a few hundred, many times per request; a binary
search over the sorted side does it without building sets or hash tables.
"""

from __future__ import annotations

import numpy as np


def lookup(keys: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per value: whether it is in keys (sorted, distinct), and its position in keys where it is
    (elsewhere some valid position, to be ignored)."""
    if not len(keys):
        return np.zeros(len(values), dtype=bool), np.zeros(len(values), dtype=np.intp)
    at = np.minimum(np.searchsorted(keys, values), len(keys) - 1)
    return keys[at] == values, at


def union(rows: list[np.ndarray]) -> np.ndarray:
    """The sorted distinct ids of some sorted, distinct arrays (np.union1d, without its checks)."""
    if len(rows) == 1:
        return rows[0]
    merged = np.sort(np.concatenate(rows))
    first = np.ones(len(merged), dtype=bool)   # each id's first occurrence (none when all are empty)
    first[1:] = merged[1:] != merged[:-1]
    return merged[first]
