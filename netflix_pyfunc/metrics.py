"""Offline quality metrics of recommendation lists, computed from the catalogue itself.

Every metric is a pure function of row positions and the cleaned catalogue (see
:func:`netflix_pyfunc.catalog.clean_catalog`). A "list" is the recommendation list of one
query; its length is the k it was produced with. Row positions are 0-based positions in the
catalogue DataFrame.
"""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from netflix_pyfunc.catalog import DESCRIPTION, LISTED_IN, normalize_text, topical_genres


# --------------------------------------------------------------------------
# helpers


def as_lists(rec_lists: Iterable[Sequence[int]], n_items: int | None = None) -> list[np.ndarray]:
    """Recommendation lists as int64 arrays; positions checked against n_items."""
    arrays = [np.asarray(rec, dtype=np.int64).reshape(-1) for rec in rec_lists]
    if n_items is not None:
        for index, rec in enumerate(arrays):
            if rec.size and (rec.min() < 0 or rec.max() >= n_items):
                raise ValueError(
                    f"recommendation list {index} has positions outside [0, {n_items}): {rec.tolist()}"
                )
    return arrays


def _check_same_length(query_positions: Sequence[int], rec_lists: Sequence[Any]) -> None:
    if len(query_positions) != len(rec_lists):
        raise ValueError(
            f"{len(query_positions)} query positions but {len(rec_lists)} recommendation lists"
        )


def topical_genre_matrix(catalog: pd.DataFrame) -> np.ndarray:
    """Boolean (n_titles, n_topical_genres) incidence matrix of topical genres.

    Topical genres are ``listed_in`` minus ``catalog.NON_TOPICAL_GENRES``
    ("International Movies", "International TV Shows").
    """
    genre_sets = [topical_genres(genres) for genres in catalog[LISTED_IN]]
    vocabulary = {genre: column for column, genre in enumerate(sorted(set().union(*genre_sets)))}
    matrix = np.zeros((len(genre_sets), len(vocabulary)), dtype=bool)
    for row, genres in enumerate(genre_sets):
        matrix[row, [vocabulary[genre] for genre in genres]] = True
    return matrix


# --------------------------------------------------------------------------
# genre precision


def genre_precision_at_k(
    catalog: pd.DataFrame, query_positions: Sequence[int], rec_lists: Sequence[Sequence[int]]
) -> float:
    """Mean over queries of the share of recommended titles sharing a topical genre with the query.

    For a query q with list L: ``|{r in L : G(r) & G(q) != {}}| / |L|`` where G is the
    set of topical genres (``listed_in`` without "International Movies" /
    "International TV Shows"). Queries whose G(q) is empty are skipped (nothing can
    match). A recommended title with empty G never matches. An empty list scores 0.
    Returns NaN when every query is skipped.
    """
    _check_same_length(query_positions, rec_lists)
    genres = topical_genre_matrix(catalog)
    lists = as_lists(rec_lists, len(catalog))
    scores = []
    for query, rec in zip(query_positions, lists):
        query_genres = genres[int(query)]
        if not query_genres.any():
            continue
        scores.append(float((genres[rec] & query_genres).any(axis=1).mean()) if rec.size else 0.0)
    return float(np.mean(scores)) if scores else math.nan


# --------------------------------------------------------------------------
# known-item search


def known_item_queries(
    catalog: pd.DataFrame, sample_positions: Sequence[int], fraction: float = 0.25, seed: int = 0
) -> list[str]:
    """For each position, a query made of a random ``fraction`` of its description words.

    Words are those of ``normalize_text(description)``; the query keeps
    ``max(1, floor(fraction * n_words + 0.5))`` of them, chosen without replacement,
    in their original order. The choice for a title depends only on (seed, position),
    not on which other titles are sampled.
    """
    if not 0 < fraction <= 1:
        raise ValueError(f"fraction must be in (0, 1], got {fraction}")
    queries = []
    for position in sample_positions:
        words = normalize_text(catalog[DESCRIPTION].iat[int(position)]).split()
        if not words:
            raise ValueError(f"title at position {position} has an empty description")
        n_keep = max(1, math.floor(fraction * len(words) + 0.5))
        rng = np.random.default_rng([seed, int(position)])
        keep = np.sort(rng.choice(len(words), size=n_keep, replace=False))
        queries.append(" ".join(words[i] for i in keep))
    return queries


def known_item_success_at_k(
    target_positions: Sequence[int], rec_lists: Sequence[Sequence[int]]
) -> float:
    """Share of queries whose target position is in their list (NaN for no queries)."""
    _check_same_length(target_positions, rec_lists)
    if not len(target_positions):
        return math.nan
    hits = [
        int(target) in set(np.asarray(rec).tolist()) for target, rec in zip(target_positions, rec_lists)
    ]
    return float(np.mean(hits))


# --------------------------------------------------------------------------
# coverage, hubness, diversity


def _k_occurrence(rec_lists: Sequence[Sequence[int]], n_items: int) -> np.ndarray:
    """N_k(x): in how many lists item x appears (once per list at most)."""
    lists = as_lists(rec_lists, n_items)
    if not lists:
        return np.zeros(n_items, dtype=np.int64)
    list_ids = np.repeat(np.arange(len(lists), dtype=np.int64), [rec.size for rec in lists])
    items = np.concatenate(lists)
    pairs = np.unique(list_ids * n_items + items)
    return np.bincount(pairs % n_items, minlength=n_items)


def catalog_coverage_at_k(rec_lists: Sequence[Sequence[int]], n_items: int) -> float:
    """Share of the n_items catalogue positions that appear in at least one list."""
    if n_items <= 0:
        raise ValueError(f"n_items must be positive, got {n_items}")
    return float((_k_occurrence(rec_lists, n_items) > 0).mean())


def hubness(rec_lists: Sequence[Sequence[int]], n_items: int) -> tuple[float, float]:
    """(hubness_max, hubness_skew) of the k-occurrence distribution N_k.

    N_k(x) is the number of lists containing item x, for every x in range(n_items)
    (items never recommended count as 0).
    * hubness_max = max_x N_k(x) / number of lists: the share of lists that contain
      the single most-recommended title (0 for no lists).
    * hubness_skew = m3 / m2 ** 1.5 with m_i the central moments of N_k over all
      n_items (biased sample skewness, as ``scipy.stats.skew``); 0 when N_k is constant.
      Values well above 1-2 mean a few hubs crowd out the rest.
    """
    if n_items <= 0:
        raise ValueError(f"n_items must be positive, got {n_items}")
    occurrence = _k_occurrence(rec_lists, n_items).astype(np.float64)
    hub_max = float(occurrence.max() / len(rec_lists)) if len(rec_lists) else 0.0
    centered = occurrence - occurrence.mean()
    m2 = float(np.mean(centered**2))
    if m2 <= 1e-12:
        return hub_max, 0.0
    return hub_max, float(np.mean(centered**3) / m2**1.5)


def intra_list_diversity(rec_lists: Sequence[Sequence[int]], catalog: pd.DataFrame) -> float:
    """Mean over lists of the mean pairwise genre distance inside the list.

    Distance between titles a and b is ``1 - |G(a) & G(b)| / |G(a) | G(b)|`` (Jaccard
    distance of topical genre sets); two titles that both have no topical genre are
    at distance 0. Lists with fewer than 2 items are skipped; NaN if all are.
    """
    genres = topical_genre_matrix(catalog).astype(np.float64)
    scores = []
    for rec in as_lists(rec_lists, len(catalog)):
        if rec.size < 2:
            continue
        block = genres[rec]
        intersection = block @ block.T
        sizes = block.sum(axis=1)
        union = sizes[:, None] + sizes[None, :] - intersection
        similarity = np.divide(intersection, union, out=np.ones_like(union), where=union > 0)
        upper = np.triu_indices(rec.size, k=1)
        scores.append(float(np.mean(1.0 - similarity[upper])))
    return float(np.mean(scores)) if scores else math.nan


# --------------------------------------------------------------------------
# latency


def latency_ms_p50(fn: Callable[[Any], Any], queries: Sequence[Any], *, warmup: int = 1) -> float:
    """Median wall time in milliseconds of ``fn(query)``, called once per query.

    The first ``warmup`` queries are called once beforehand and not timed (first
    calls pay for lazy imports and caches).
    """
    if not len(queries):
        raise ValueError("latency_ms_p50 needs at least one query")
    for query in list(queries)[:warmup]:
        fn(query)
    timings = []
    for query in queries:
        start = time.perf_counter()
        fn(query)
        timings.append((time.perf_counter() - start) * 1000.0)
    return float(statistics.median(timings))
