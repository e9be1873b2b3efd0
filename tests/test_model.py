"""The pyfunc adapter: a save/load round trip and what a client sees for bad input."""

import mlflow
import pandas as pd
import pytest
from mlflow.exceptions import MlflowException

from netflix_pyfunc.model import RecommenderModel, load_recommender, pyfunc_kwargs, save_recommender
from netflix_pyfunc.output import OUTPUT_COLUMNS
from netflix_pyfunc.params import PARAMS, Query, Request


@pytest.fixture(scope="module")
def saved_model(model, encoder_dir, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("pyfunc")
    artifact = save_recommender(model, tmp / "recommender.pkl")
    path = tmp / "model"
    mlflow.pyfunc.save_model(str(path), **pyfunc_kwargs(artifact, encoder_dir))
    return path


@pytest.fixture(scope="module")
def loaded(saved_model):
    return mlflow.pyfunc.load_model(str(saved_model))


def test_round_trip_equals_in_memory(loaded, model):
    frame = pd.DataFrame({"title": ["Rocky", "", "midnight mas"], "description": ["", "astronaut on mars", ""]})
    served = pd.DataFrame(loaded.predict(frame, params={"k": 3, "type": "Movie"}))
    expected = model.recommend(
        [Query(title="Rocky"), Query(description="astronaut on mars"), Query(title="midnight mas")],
        Request(k=3, type="Movie"),
    )
    pd.testing.assert_frame_equal(served.reset_index(drop=True), expected, check_dtype=False)


def test_loading_sets_blas_to_one_thread(loaded):
    """The server runs requests in threads: each one's BLAS call must not start a thread per core."""
    from threadpoolctl import threadpool_info

    blas = [pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"]
    assert blas and set(blas) == {1}


def test_signature_declares_every_param_with_its_default(loaded):
    schema = loaded.metadata.get_params_schema()
    assert {p.name: p.default for p in schema.params} == {p.name: p.default for p in PARAMS}
    assert [c.name for c in loaded.metadata.get_input_schema().inputs] == ["title", "description"]
    assert not any(c.required for c in loaded.metadata.get_input_schema().inputs)


def test_only_title_column_is_accepted(loaded):
    out = loaded.predict(pd.DataFrame({"title": ["Rocky"]}), params={"k": 2})
    assert {record["title"] for record in out} == {"Rocky II", "Rocky III"}


@pytest.mark.parametrize(
    "frame, params, message",
    [
        (pd.DataFrame({"title": [""]}), {}, "give a non-empty"),
        (pd.DataFrame({"title": ["Nope Nothing Like It"]}), {}, "unknown title"),
        (pd.DataFrame({"title": ["Rocky"]}), {"k": 0}, "between 1 and 100"),
        (pd.DataFrame({"title": ["Rocky"]}), {"type": "Cartoon"}, "'type' must be one of"),
    ],
)
def test_bad_input_is_invalid_parameter_value(loaded, frame, params, message):
    with pytest.raises(MlflowException, match=message) as raised:
        loaded.predict(frame, params=params)
    assert raised.value.error_code == "INVALID_PARAMETER_VALUE"


def test_load_context_rejects_missing_artifact(tmp_path, encoder_dir):
    with pytest.raises(FileNotFoundError, match="recommender artifact not found"):
        load_recommender(tmp_path / "missing.pkl", encoder_dir)


def test_load_rejects_foreign_pickle(tmp_path, encoder_dir):
    path = save_recommender({"not": "a model"}, tmp_path / "foreign.pkl")
    with pytest.raises(TypeError, match="does not hold a fitted HybridRecommender"):
        load_recommender(path, encoder_dir)


def test_the_artifact_carries_the_encoder_not_the_pickle(saved_model, model, tmp_path):
    """The encoder travels as its own directory (ONNX, tokenizer, NOTICE); the pickle holds no session."""
    from netflix_pyfunc.model import load_recommender as load
    from netflix_pyfunc.semantic import MissingEncoder

    (encoder,) = {path.parent for path in (saved_model / "artifacts").glob("*/encoder.onnx")}
    assert {p.name for p in encoder.iterdir()} >= {"encoder.onnx", "tokenizer.json", "NOTICE"}
    import cloudpickle

    bare = cloudpickle.loads(cloudpickle.dumps(model))
    with pytest.raises(MissingEncoder, match="attach_encoder"):
        bare.recommend([Query(description="haunted house")])
    attached = load(save_recommender(model, tmp_path / "r.pkl"), encoder)
    query = [Query(title="Rocky", description="a haunted house")]
    assert attached.recommend(query).equals(model.recommend(query))


def test_predict_delegates_to_loaded_recommender(model):
    adapter = RecommenderModel()
    adapter.recommender = model
    out = adapter.predict(None, pd.DataFrame({"description": ["haunted house"]}), params={"k": 1})
    assert [record["title"] for record in out] == ["The Haunting of Hill House"]
    assert list(out[0]) == list(OUTPUT_COLUMNS)
