"""The sweep's search space and its seeded sampling."""

from __future__ import annotations

import itertools
import random

# Values tried per training parameter; everything else keeps its default.
SEARCH_SPACE = {
    "w_title": (0.6, 1.0, 1.4),
    "w_genre": (0.2, 0.35, 0.5),
    "w_people": (0.3, 0.6, 0.9),
    "w_country": (0.0, 0.15),
    "w_semantic": (0.5, 1.0, 1.5),
    "w_semantic_title": (0.05, 0.1, 0.25),
    "w_intent": (0.5, 1.0),
    "desc_ngram_max": (1, 2),
    "desc_min_df": (1, 2),
}


def sample_trials(defaults: dict, trials: int, seed: int) -> list[dict]:
    """The defaults first, then distinct random grid points (seeded); `trials` in all."""
    if trials < 1:
        raise ValueError(f"trials must be >= 1, got {trials}")
    names = list(SEARCH_SPACE)
    grid = [dict(zip(names, values)) for values in itertools.product(*SEARCH_SPACE.values())]
    baseline = {name: defaults[name] for name in names}
    others = [point for point in grid if point != baseline]
    chosen = [baseline] + random.Random(seed).sample(others, min(trials - 1, len(others)))
    return [{**defaults, **point} for point in chosen]
