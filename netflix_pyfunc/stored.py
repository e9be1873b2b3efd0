"""Answering a title-only query from the title's stored neighbours (its top MAX_K, searched at fit time)."""

from __future__ import annotations

import numpy as np


def stored_top_k(hits: np.ndarray, scores: np.ndarray, k: int, allowed: np.ndarray | None,
                 work: np.ndarray, shared_work: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """The top k of a title-only query from one title's stored neighbours (hits, -1 past the end,
    and their scores), or None when they do not hold it.

    A filter only removes titles, so the first k stored neighbours that pass it (allowed) are the
    filtered top k, unless fewer than k pass, or a neighbour before the k-th that fails shares its
    work with a title that passes: the filtered search, which lists one title per work, could list
    that one instead.
    """
    hits = hits[hits >= 0]
    if allowed is None:
        chosen = np.arange(min(k, len(hits)))
    else:
        chosen = np.flatnonzero(allowed[hits])[:k]
        if len(chosen) < k:
            return None
        before = hits[:chosen[-1]]
        failed = before[shared_work[before] & ~allowed[before]]
        if len(failed) and (np.bincount(work, weights=allowed)[work[failed]] > 0).any():
            return None
    return hits[chosen].astype(np.int64), scores[chosen]
