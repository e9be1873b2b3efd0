"""The MLflow pyfunc adapter: loads the fitted recommender and its sentence encoder once,
validates input, delegates.

The logged model carries two artifacts: `recommender` (the pickled HybridRecommender, without its
encoder) and `encoder` (the directory encoder_build writes: encoder.onnx, tokenizer.json, NOTICE).
"""

from __future__ import annotations

import logging
import pickle
import uuid
from pathlib import Path

import cloudpickle
import mlflow
import pandas as pd
from mlflow.exceptions import MlflowException
from mlflow.models import ModelSignature
from mlflow.protos.databricks_pb2 import INTERNAL_ERROR, INVALID_PARAMETER_VALUE
from mlflow.types.schema import ColSpec, ParamSchema, ParamSpec, Schema
from threadpoolctl import threadpool_limits

from .encoder import SentenceEncoder
from .params import PARAMS, InvalidRequest, Request, parse_queries
from .output import OUTPUT_COLUMNS
from .recommender import HybridRecommender
from .requirements import MODEL_REQUIREMENTS

ARTIFACT_KEY = "recommender"
ENCODER_KEY = "encoder"
PACKAGE_DIR = Path(__file__).resolve().parent

log = logging.getLogger(__name__)
INPUT_COLUMNS = ("title", "description")
_OUTPUT_TYPES = {"row": "long", "rank": "long", "release_year": "long", "score": "double"}


class RecommenderModel(mlflow.pyfunc.PythonModel):
    """pyfunc wrapper around a fitted HybridRecommender (artifacts `recommender` and `encoder`)."""

    def load_context(self, context) -> None:
        """Load the recommender and its encoder, and set BLAS to one thread for this process.

        The scoring server answers concurrent requests in threads; the one BLAS call per request
        (the dense block's scores) then runs on one thread each. Left at its default, OpenBLAS
        starts a thread per core for every call and its waiting threads take the cores the other
        requests need (on 2 cores and 8 clients: ~25% fewer description requests per second).
        This is process-wide: a process that loads the model for its own numpy work keeps it."""
        self.recommender = load_recommender(context.artifacts[ARTIFACT_KEY], context.artifacts[ENCODER_KEY])
        threadpool_limits(limits=1, user_api="blas")

    def predict(self, context, model_input: pd.DataFrame, params: dict | None = None) -> list[dict]:
        """One dict per recommendation (output.OUTPUT_COLUMNS): the server json.dumps it as is."""
        try:
            request = Request.from_params(params)
            queries = parse_queries(_records(model_input))
            return self.recommender.recommend_records(queries, request)
        except InvalidRequest as error:
            raise MlflowException(str(error), error_code=INVALID_PARAMETER_VALUE) from None
        except MlflowException:
            raise
        except Exception:
            # A bug, not a bad request: MLflow would send the client a 400 with the full
            # stack trace. Log the traceback here; the client gets a 500 and a reference.
            ref = uuid.uuid4().hex[:12]
            log.exception("predict failed (ref %s)", ref)
            raise MlflowException(
                f"internal error while recommending (ref {ref}); the server log has the details",
                error_code=INTERNAL_ERROR,
            ) from None


def _records(model_input) -> list[dict]:
    """Input rows (the DataFrame MLflow builds from the signature) as dicts of the known columns."""
    if not isinstance(model_input, pd.DataFrame):
        raise InvalidRequest(f"input must be a table of rows with 'title' and/or 'description', got {type(model_input).__name__}")
    names = list(model_input.columns)  # a list: no hash engine built per request
    columns = [c for c in INPUT_COLUMNS if c in names]
    if not columns:
        raise InvalidRequest("input has neither a 'title' nor a 'description' column")
    # One object array of the frame: no Series built per column (~10x cheaper for a one-row request).
    values = model_input.to_numpy(dtype=object)
    if columns != names:
        values = values[:, [names.index(c) for c in columns]]
    return [dict(zip(columns, row)) for row in values.tolist()]


def save_recommender(recommender: HybridRecommender, path: str | Path) -> Path:
    path = Path(path)
    with path.open("wb") as handle:
        cloudpickle.dump(recommender, handle)
    return path


def load_recommender(path: str | Path, encoder_dir: str | Path) -> HybridRecommender:
    """Load a pickled recommender and attach the sentence encoder in encoder_dir.
    Pickle runs code: load only artifacts you produced."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"recommender artifact not found: {path}")
    with path.open("rb") as handle:
        try:
            recommender = cloudpickle.load(handle)
        except (pickle.UnpicklingError, EOFError) as error:
            raise ValueError(f"recommender artifact {path} is unreadable: {error}") from error
    if not isinstance(recommender, HybridRecommender) or not hasattr(recommender, "index_"):
        raise TypeError(f"{path} does not hold a fitted HybridRecommender")
    return recommender.attach_encoder(SentenceEncoder.load(encoder_dir))


def signature() -> ModelSignature:
    """Input: optional string columns; params: the request parameters with defaults."""
    inputs = Schema([ColSpec("string", c, required=False) for c in INPUT_COLUMNS])
    outputs = Schema([ColSpec(_OUTPUT_TYPES.get(c, "string"), c) for c in OUTPUT_COLUMNS])
    params = ParamSchema([ParamSpec(p.name, p.dtype, p.default) for p in PARAMS])
    return ModelSignature(inputs=inputs, outputs=outputs, params=params)


def input_example() -> pd.DataFrame:
    return pd.DataFrame({"title": ["Midnight Mass", ""], "description": ["", "astronauts stranded far from earth"]})


def pyfunc_kwargs(recommender_path: str | Path, encoder_dir: str | Path) -> dict:
    """Arguments shared by mlflow.pyfunc.log_model and save_model: models from code,
    the package shipped with code_paths, the fitted recommender and the encoder directory as artifacts."""
    return {
        "python_model": str(PACKAGE_DIR / "model_code.py"),
        "artifacts": {ARTIFACT_KEY: str(recommender_path), ENCODER_KEY: str(encoder_dir)},
        "code_paths": [str(PACKAGE_DIR)],
        "signature": signature(),
        "input_example": (input_example(), {"k": 5}),
        "pip_requirements": list(MODEL_REQUIREMENTS),
    }
