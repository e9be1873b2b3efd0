"""Model registry: register a logged model and move the `champion` alias by a rule."""

from __future__ import annotations

import logging
import math

from mlflow import MlflowClient

MODEL_NAME = "netflix-recommender"
MODEL_DESCRIPTION = (
    "Content-based recommender for the Netflix catalogue (one pyfunc): send rows with a 'title' "
    "and/or a 'description', get similar titles with a score and a reason. Alias 'champion' is "
    "what serves; a version that scores worse offline becomes 'challenger'."
)
CHAMPION = "champion"
CHALLENGER = "challenger"
OBJECTIVE_TAG = "objective"
PROMOTE_MODES = ("gated", "always")

log = logging.getLogger(__name__)


def champion_objective(client: MlflowClient, name: str) -> float | None:
    """The objective tag of the current champion; None when there is no champion yet,
    -inf when the champion carries no objective (it can then always be replaced)."""
    aliases = client.get_registered_model(name).aliases
    if CHAMPION not in aliases:
        return None
    value = client.get_model_version(name, aliases[CHAMPION]).tags.get(OBJECTIVE_TAG)
    return float(value) if value is not None else -math.inf


def promote(client: MlflowClient, name: str, version: str, objective: float, mode: str = "gated") -> str:
    """Point `champion` at version if mode is 'always' or its objective is at least the
    champion's; otherwise point `challenger` at it. Returns the alias set."""
    if mode not in PROMOTE_MODES:
        raise ValueError(f"promote mode must be one of {PROMOTE_MODES}, got {mode!r}")
    current = champion_objective(client, name)
    if mode == "always" or current is None or objective >= current:
        client.set_registered_model_alias(name, CHAMPION, version)
        why = "forced" if mode == "always" else (
            "first version" if current is None else f"objective {objective:.4f} >= champion's {current:.4f}"
        )
        log.info("%s version %s is the new %s (%s)", name, version, CHAMPION, why)
        return CHAMPION
    client.set_registered_model_alias(name, CHALLENGER, version)
    log.warning(
        "%s version %s stays %s: objective %.4f < champion's %.4f", name, version, CHALLENGER, objective, current
    )
    return CHALLENGER
