"""The output table: one row per recommendation, typed column by column."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .catalog import RELEASE_YEAR

OUTPUT_COLUMNS = (
    "row", "rank", "show_id", "title", "type", "release_year", "rating", "listed_in",
    "country", "score", "reason", "query_title", "query_show_id",
)
_INT_COLUMNS = frozenset({"row", "rank", RELEASE_YEAR})
_STR = pd.array([], dtype="str").dtype


def results_frame(columns: dict[str, list]) -> pd.DataFrame:
    """The output table from equally long column lists; the dtypes from_records would infer
    (int64, float64 score, pandas' default str), without the inference."""
    if not columns["row"]:
        return pd.DataFrame.from_records([], columns=list(OUTPUT_COLUMNS))
    n = len(columns["row"])
    text_names = [name for name in OUTPUT_COLUMNS if name not in _INT_COLUMNS and name != "score"]
    text = _text_columns([value for name in text_names for value in columns[name]], n)
    typed = {}
    for name in OUTPUT_COLUMNS:
        if name in _INT_COLUMNS:
            typed[name] = np.array(columns[name], dtype=np.int64)
        elif name == "score":
            typed[name] = np.array(columns[name], dtype=np.float64)
        else:
            typed[name] = next(text)
    return pd.DataFrame(typed, copy=False)


def results_records(columns: dict[str, list]) -> list[dict]:
    """The output as one dict per recommendation, in OUTPUT_COLUMNS order: what the scoring server
    writes with json.dump as is (a DataFrame first goes through to_dict(orient="records"))."""
    return [dict(zip(OUTPUT_COLUMNS, values)) for values in zip(*(columns[name] for name in OUTPUT_COLUMNS))]


def _text_columns(values: list[str], n: int):
    """Consecutive runs of n strings as pandas' default str arrays. With pyarrow storage,
    one Arrow array sliced per column: ~10x cheaper than inferring each column."""
    if _STR.storage == "pyarrow":
        import pyarrow as pa
        from pandas.arrays import ArrowStringArray

        whole = pa.array(values, type=pa.large_string())
        return (ArrowStringArray(whole.slice(start, n), dtype=_STR) for start in range(0, len(values), n))
    return (pd.array(values[start:start + n], dtype=_STR) for start in range(0, len(values), n))
