"""Offline evaluation of a content-based recommender on the catalogue itself.

There is no click data, so quality is measured with proxies that can be
computed from the catalogue. The recommender is passed in as two callables,
so this module does not depend on the model:

* ``neighbors(positions, k) -> list[np.ndarray]``: for catalogue row
  positions, the top-k recommended row positions, best first (the query
  itself and titles with an identical description already excluded);
* ``text_neighbors(texts, k) -> list[np.ndarray]``: the same for free text.

Every metric below is a pure function of row positions and the cleaned
catalogue (see :func:`netflix_pyfunc.catalog.clean_catalog`). A "list" is the
recommendation list of one query; its length is the k it was produced with.
Row positions are 0-based positions in the catalogue DataFrame.
"""

from __future__ import annotations

import json
import math
import re
import statistics
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from netflix_pyfunc.catalog import DESCRIPTION, LISTED_IN, TITLE, normalize_text, topical_genres

Neighbors = Callable[[Sequence[int], int], list[np.ndarray]]
TextNeighbors = Callable[[Sequence[str], int], list[np.ndarray]]

METRIC_NAMES = (
    "genre_precision_at_k",
    "franchise_recall_at_k",
    "known_item_success_at_k",
    "catalog_coverage_at_k",
    "hubness_max",
    "hubness_skew",
    "intra_list_diversity",
    "latency_ms_p50",
)

# Weights of objective(). All weighted metrics are in [0, 1], higher is better.
OBJECTIVE_WEIGHTS: Mapping[str, float] = MappingProxyType({
    "genre_precision_at_k": 0.20,
    "genre_precision_at_k_blind": 0.10,
    "franchise_recall_at_k": 0.25,
    "known_item_success_at_k": 0.30,
    "catalog_coverage_at_k": 0.15,
})

REPORT_JSON = "evaluation_report.json"
REPORT_MD = "evaluation_report.md"


# --------------------------------------------------------------------------
# helpers


def _as_lists(rec_lists: Iterable[Sequence[int]], n_items: int | None = None) -> list[np.ndarray]:
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


def work_ids(catalog: pd.DataFrame) -> np.ndarray:
    """One id per distinct work: titles whose normalized descriptions are equal share an id.

    Language versions of one film ("Oh! Baby", "Oh! Baby (Tamil)") carry the same
    description; the model never recommends them for each other.
    """
    codes, _ = pd.factorize(catalog[DESCRIPTION].map(normalize_text))
    return np.asarray(codes, dtype=np.int64)


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
    lists = _as_lists(rec_lists, len(catalog))
    scores = []
    for query, rec in zip(query_positions, lists):
        query_genres = genres[int(query)]
        if not query_genres.any():
            continue
        scores.append(float((genres[rec] & query_genres).any(axis=1).mean()) if rec.size else 0.0)
    return float(np.mean(scores)) if scores else math.nan


# --------------------------------------------------------------------------
# franchises

_LANGUAGES = (
    "arabic|bengali|cantonese|english|french|german|gujarati|hindi|japanese|kannada|korean|"
    "malayalam|mandarin|marathi|portuguese|punjabi|spanish|tamil|telugu|urdu"
)
# "(Hindi Version)", "(Tamil)": a language version, dropped before grouping.
_VERSION_SUFFIX = re.compile(r"\s*\((?:[^()]*\bversion|%s)\)\s*$" % _LANGUAGES, re.IGNORECASE)
_SUBTITLE = re.compile(r":| - ")
_ROMAN = "ii|iii|iv|v|vi|vii|viii|ix|x|xi|xii"
_NUMBER_WORDS = "one|two|three|four|five|six|seven|eight|nine|ten"
_TRAILING_PART = re.compile(rf"\s+(?:part|chapter|vol|volume)\s+(?:\d{{1,2}}|{_ROMAN}|{_NUMBER_WORDS})$")
_TRAILING_NUMBER = re.compile(rf"\s+(?:\d{{1,2}}|{_ROMAN})$")
# A one-content-word key must cover at least this share of the titles containing that word.
MIN_KEY_SPECIFICITY = 0.25
MIN_KEY_CHARS = 3


def franchise_key(title: str) -> str:
    """Normalized franchise key of one title ('' if nothing is left).

    1. drop a trailing "(X Version)" or "(<language>)" suffix;
    2. keep the part before the first ":" or " - ";
    3. :func:`catalog.normalize_text`;
    4. repeatedly drop a trailing "part/chapter/vol(ume) N" (N = 1-2 digits, roman
       numeral ii-xii or one..ten) and a trailing 1-2 digit number or roman numeral ii-xii.

    'Rocky IV' -> 'rocky'; 'Baahubali 2: The Conclusion (Hindi Version)' -> 'baahubali';
    'The Karate Kid Part II' -> 'the karate kid'; 'Oh! Baby (Tamil)' -> 'oh baby'.
    """
    text = _VERSION_SUFFIX.sub("", str(title))
    text = normalize_text(_SUBTITLE.split(text, maxsplit=1)[0])
    previous = None
    while previous != text:
        previous = text
        text = _TRAILING_NUMBER.sub("", _TRAILING_PART.sub("", text))
    return text


def franchise_groups(titles: Sequence[str]) -> dict[str, list[int]]:
    """Franchise key -> positions of its titles, for keys that pass these rules.

    Titles are keyed with :func:`franchise_key`. A group is kept when
    * it has at least 2 members with at least 2 distinct normalized full titles
      (two different films both called "Consequences" are not a franchise);
    * the key has at least ``MIN_KEY_CHARS`` characters and at least one word
      that is not an English stop word (scikit-learn's list), so 'the', 'you'
      or 'we' never form a group;
    * a key with exactly one non-stop-word w is specific: the group holds at least
      ``MIN_KEY_SPECIFICITY`` of all titles having w as a word. 'rocky' (5 of 6
      titles) and 'barbie' (5 of 17) stay; 'life' (2 of 79), 'home' (2 of 23) and
      'black' (2 of 53) go.
    """
    normalized = [normalize_text(title) for title in titles]
    by_key: dict[str, list[int]] = defaultdict(list)
    for position, title in enumerate(titles):
        key = franchise_key(title)
        if key:
            by_key[key].append(position)
    word_counts: dict[str, int] = defaultdict(int)
    for text in normalized:
        for word in set(text.split()):
            word_counts[word] += 1
    groups = {}
    for key, positions in by_key.items():
        if len(positions) < 2 or len({normalized[p] for p in positions}) < 2:
            continue
        if len(key) < MIN_KEY_CHARS:
            continue
        content = [word for word in key.split() if word not in ENGLISH_STOP_WORDS]
        if not content:
            continue
        if len(content) == 1 and len(positions) < MIN_KEY_SPECIFICITY * word_counts[content[0]]:
            continue
        groups[key] = positions
    return groups


def franchise_recall_at_k(
    groups: Mapping[str, Sequence[int]],
    rec_lists_by_position: Mapping[int, Sequence[int]],
    *,
    work_ids: Sequence[int] | None = None,
    k: int | None = None,
) -> float:
    """Mean over franchise members of the share of reachable other works found in the member's list.

    ``work_ids[p]`` says which work position p is (see :func:`work_ids`: equal
    descriptions = one work); by default every position is its own work. For a member
    m with list L, the targets T are the works of the other members, minus m's own
    work (language versions of m are never recommended for m). A target work is hit
    when any of its positions is in L, so a model that shows one language version of
    a sequel is not punished for leaving out the others. Recall of m is
    ``hits / min(|T|, k)``, which makes 1.0 reachable for groups larger than k
    (k defaults to the longest list). Members with empty T (groups that are only
    language versions of one work) are skipped; the mean is over all remaining
    members of all groups, so big franchises weigh more. NaN if nothing is left.
    Every member must have a list in ``rec_lists_by_position``.
    """
    missing = [p for positions in groups.values() for p in positions if p not in rec_lists_by_position]
    if missing:
        raise ValueError(f"franchise members without a recommendation list: {missing[:10]}")
    lists = {
        int(p): np.asarray(rec, dtype=np.int64).reshape(-1) for p, rec in rec_lists_by_position.items()
    }
    if k is None:
        k = max((rec.size for rec in lists.values()), default=0)
    if k <= 0:
        raise ValueError(f"k must be positive, got {k}")

    def work(position: int) -> int:
        return int(work_ids[position]) if work_ids is not None else int(position)

    scores = []
    for positions in groups.values():
        positions = [int(p) for p in positions]
        for member in positions:
            targets = {work(p) for p in positions} - {work(member)}
            if not targets:
                continue
            found = {work(int(p)) for p in lists[member]} & targets
            scores.append(len(found) / min(len(targets), k))
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
    lists = _as_lists(rec_lists, n_items)
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
    for rec in _as_lists(rec_lists, len(catalog)):
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


# --------------------------------------------------------------------------
# all together


def _neighbors_in_batches(
    neighbors: Neighbors, positions: Sequence[int], k: int, batch_size: int
) -> list[np.ndarray]:
    lists: list[np.ndarray] = []
    for start in range(0, len(positions), batch_size):
        batch = positions[start:start + batch_size]
        result = neighbors(batch, k)
        if len(result) != len(batch):
            raise ValueError(f"neighbors returned {len(result)} lists for {len(batch)} positions")
        lists.extend(result)
    return lists


def sample_positions(n_items: int, sample_size: int, seed: int) -> list[int]:
    """The evaluation sample: sample_size positions without replacement, sorted."""
    rng = np.random.default_rng(seed)
    return np.sort(rng.choice(n_items, size=min(sample_size, n_items), replace=False)).tolist()


def evaluate(
    catalog: pd.DataFrame,
    neighbors: Neighbors,
    text_neighbors: TextNeighbors,
    *,
    k: int = 10,
    sample_size: int = 500,
    seed: int = 0,
    predict: Callable[[str], Any] | None = None,
    latency_queries: int = 50,
    batch_size: int = 2048,
) -> dict[str, float]:
    """All offline metrics for one model; keys are ``METRIC_NAMES``.

    Model calls: ``neighbors`` once for every catalogue position (in batches of
    ``batch_size``), ``text_neighbors`` once for the known-item queries, and
    ``latency_queries`` single calls for latency.

    * sample: ``sample_size`` positions drawn without replacement with
      ``np.random.default_rng(seed)`` (all positions if sample_size >= len(catalog));
    * genre_precision_at_k, intra_list_diversity: over the sample;
    * known_item_success_at_k: over the sampled titles whose description is unique
      in the catalogue (a duplicated description cannot identify one title), with
      :func:`known_item_queries` (25% of the words, same seed);
    * franchise_recall_at_k: over all members of :func:`franchise_groups`, with
      :func:`work_ids` so identical-description language versions count as one work;
    * catalog_coverage_at_k, hubness_max, hubness_skew: over the lists of every
      catalogue position (k-occurrence is a property of the whole k-NN graph, and a
      sample would cap coverage at sample_size * k / len(catalog));
    * latency_ms_p50: ``predict(title)`` for the first ``latency_queries`` sampled
      titles (``predict`` is e.g. the loaded pyfunc's predict on a one-row frame);
      without ``predict``, ``text_neighbors([title], k)``.

    genre_precision_at_k_blind is not computed here: run ``evaluate`` on the model
    fitted with genre weight 0 and merge its genre_precision_at_k under that name.
    """
    if k <= 0:
        raise ValueError(f"k must be positive, got {k}")
    if sample_size <= 0:
        raise ValueError(f"sample_size must be positive, got {sample_size}")
    n_items = len(catalog)
    all_positions = list(range(n_items))
    all_lists = _as_lists(_neighbors_in_batches(neighbors, all_positions, k, batch_size), n_items)

    sample = sample_positions(n_items, sample_size, seed)
    sample_lists = [all_lists[p] for p in sample]

    works = work_ids(catalog)
    unique_work = np.bincount(works)[works] == 1
    known = [p for p in sample if unique_work[p]]
    queries = known_item_queries(catalog, known, seed=seed)
    known_lists = _as_lists(text_neighbors(queries, k), n_items) if queries else []

    groups = franchise_groups(catalog[TITLE].tolist())
    hub_max, hub_skew = hubness(all_lists, n_items)

    titles = [catalog[TITLE].iat[p] for p in sample[:latency_queries]]
    timed = predict if predict is not None else (lambda text: text_neighbors([text], k))

    return {
        "genre_precision_at_k": genre_precision_at_k(catalog, sample, sample_lists),
        "franchise_recall_at_k": franchise_recall_at_k(
            groups, dict(enumerate(all_lists)), work_ids=works, k=k
        ),
        "known_item_success_at_k": known_item_success_at_k(known, known_lists),
        "catalog_coverage_at_k": catalog_coverage_at_k(all_lists, n_items),
        "hubness_max": hub_max,
        "hubness_skew": hub_skew,
        "intra_list_diversity": intra_list_diversity(sample_lists, catalog),
        "latency_ms_p50": latency_ms_p50(timed, titles),
    }


def objective(metrics: Mapping[str, float], weights: Mapping[str, float] = OBJECTIVE_WEIGHTS) -> float:
    """The single number sweeps maximize and promotion compares: ``sum(w * metrics[name])``.

    Default weights (sum 1; every term is in [0, 1], higher is better):

    * 0.30 known_item_success_at_k - can a user find the title they describe;
    * 0.25 franchise_recall_at_k - sequels and spin-offs come back together;
    * 0.20 genre_precision_at_k - recommendations are on topic;
    * 0.10 genre_precision_at_k_blind - the same for the model with genre weight 0,
      so weights that only copy the genre field do not win on their own;
    * 0.15 catalog_coverage_at_k - a model that recommends the same few titles to
      everyone loses (the coverage term also penalizes hubs).

    hubness_*, intra_list_diversity and latency_ms_p50 are reported but not weighted:
    diversity pulls against genre precision and latency is not a quality.
    Raises KeyError naming the missing metrics and ValueError for non-finite values.
    """
    missing = sorted(set(weights) - set(metrics))
    if missing:
        raise KeyError(f"objective needs metrics {missing}; got {sorted(metrics)}")
    bad = {name: metrics[name] for name in weights if not math.isfinite(float(metrics[name]))}
    if bad:
        raise ValueError(f"objective got non-finite metrics {bad}")
    return float(sum(weight * float(metrics[name]) for name, weight in weights.items()))


# --------------------------------------------------------------------------
# report


def _json_value(value: Any) -> Any:
    if isinstance(value, np.generic):
        value = value.item()
    if value is pd.NA or value is None:
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _md_cell(value: Any) -> str:
    value = _json_value(value)
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.0f}" if value.is_integer() else f"{value:.3f}"   # counts as counts: 8807, not 8807.000
    if isinstance(value, (list, tuple)):
        value = ", ".join(map(str, value))
    return str(value).replace("|", "\\|").replace("\n", " ")


def _md_table(frame: pd.DataFrame) -> str:
    columns = [str(column) for column in frame.columns]
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for row in frame.itertuples(index=False):
        lines.append("| " + " | ".join(_md_cell(value) for value in row) + " |")
    return "\n".join(lines)


def write_report(
    metrics: Mapping[str, float], examples: Mapping[str, pd.DataFrame], out_dir: str | Path
) -> tuple[Path, Path]:
    """Write ``evaluation_report.json`` and ``evaluation_report.md`` into out_dir (created).

    The JSON holds ``{"metrics": {...}, "examples": {query: [row records]}}`` (NaN -> null).
    The Markdown has a metric table, then one table per example query in the given order.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    payload = {
        "metrics": {name: _json_value(float(value)) for name, value in metrics.items()},
        "examples": {
            query: [
                {str(col): _json_value(val) for col, val in record.items()}
                for record in frame.to_dict("records")
            ]
            for query, frame in examples.items()
        },
    }
    json_path = out / REPORT_JSON
    text = json.dumps(payload, indent=2, ensure_ascii=False, allow_nan=False)
    json_path.write_text(text + "\n", encoding="utf-8")

    parts = ["# Offline evaluation", "", "| metric | value |", "|---|---|"]
    parts += [f"| {name} | {_md_cell(float(value)) or 'n/a'} |" for name, value in metrics.items()]
    parts += ["", "## Example queries"]
    for query, frame in examples.items():
        parts += ["", f"### {_md_cell(query)}", ""]
        parts.append(_md_table(frame) if len(frame) else "_no results_")
    md_path = out / REPORT_MD
    md_path.write_text("\n".join(parts) + "\n", encoding="utf-8")
    return json_path, md_path
