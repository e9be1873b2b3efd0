"""Offline evaluation of a content-based recommender on the catalogue itself.

There is no click data, so quality is measured with proxies that can be
computed from the catalogue (metrics.py, franchises.py); this module runs them
all for one model and writes the report. The recommender is passed in as two
callables, so this module does not depend on the model:

* ``neighbors(positions, k) -> list[np.ndarray]``: for catalogue row
  positions, the top-k recommended row positions, best first (the query
  itself and titles with an identical description already excluded);
* ``text_neighbors(texts, k) -> list[np.ndarray]``: the same for free text.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

from netflix_pyfunc.catalog import TITLE, work_ids
from netflix_pyfunc.franchises import franchise_groups, franchise_recall_at_k
from netflix_pyfunc.metrics import (
    as_lists, catalog_coverage_at_k, genre_precision_at_k, hubness, intra_list_diversity, known_item_queries,
    known_item_success_at_k, latency_ms_p50,
)

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
    "genre_precision_at_k": 0.15,
    "genre_precision_at_k_blind": 0.05,
    "franchise_recall_at_k": 0.20,
    "known_item_success_at_k": 0.25,
    "catalog_coverage_at_k": 0.10,
    "text_precision_at_k": 0.15,
    "people_precision_at_k": 0.10,
})

REPORT_JSON = "evaluation_report.json"
REPORT_MD = "evaluation_report.md"


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
    all_lists = as_lists(_neighbors_in_batches(neighbors, all_positions, k, batch_size), n_items)

    sample = sample_positions(n_items, sample_size, seed)
    sample_lists = [all_lists[p] for p in sample]

    works = work_ids(catalog)
    unique_work = np.bincount(works)[works] == 1
    known = [p for p in sample if unique_work[p]]
    queries = known_item_queries(catalog, known, seed=seed)
    known_lists = as_lists(text_neighbors(queries, k), n_items) if queries else []

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

    * 0.25 known_item_success_at_k - can a user find the title they describe;
    * 0.20 franchise_recall_at_k - sequels and spin-offs come back together;
    * 0.15 genre_precision_at_k - recommendations are on topic;
    * 0.05 genre_precision_at_k_blind - the same for the model with genre weight 0,
      so weights that only copy the genre field do not win on their own;
    * 0.10 catalog_coverage_at_k - a model that recommends the same few titles to
      everyone loses (the coverage term also penalizes hubs);
    * 0.15 text_precision_at_k - free-text wishes answered (judged_queries.json, both halves);
    * 0.10 people_precision_at_k - people named in a query come first (judged_people.py).

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
