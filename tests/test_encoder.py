"""The MiniLM sentence encoder: verified weights, a reproducible ONNX graph, official-pipeline outputs."""

from __future__ import annotations

import hashlib
import json
import pickle
import subprocess
import sys
from pathlib import Path

import numpy as np
import onnx
import pandas as pd
import pytest
from tokenizers import Tokenizer

from netflix_pyfunc.catalog import RAW_COLUMNS, clean_catalog
from netflix_pyfunc.encoder import (
    CACHE_ENV, ENCODER_FILE, TOKENIZER_FILE, SentenceEncoder, catalog_texts, embed_catalog,
    embedding_cache_dir, texts_sha256,
)
from netflix_pyfunc.encoder_build import (
    NOTICE_FILE, WEIGHTS_SHA256, WeightsError, build_encoder, installed_weights_dir, parse_safetensors, read_verified,
)

REFERENCE = Path(__file__).parent / "fixtures" / "minilm_reference.npz"
DIM = 384


def safetensors_bytes(tensors: dict[str, np.ndarray], header_extra: dict | None = None) -> bytes:
    header, body, offset = {"__metadata__": {"format": "pt"}}, b"", 0
    codes = {np.dtype("<f4"): "F32", np.dtype("<i8"): "I64"}
    for name, array in tensors.items():
        data = np.ascontiguousarray(array).tobytes()
        header[name] = {"dtype": codes[array.dtype], "shape": list(array.shape), "data_offsets": [offset, offset + len(data)]}
        body, offset = body + data, offset + len(data)
    header.update(header_extra or {})
    encoded = json.dumps(header).encode()
    return len(encoded).to_bytes(8, "little") + encoded + body


@pytest.fixture(scope="session")
def reference() -> tuple[list[str], np.ndarray]:
    saved = np.load(REFERENCE)
    return [str(text) for text in saved["texts"]], saved["vectors"]


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> dict[str, Path]:
    """The encoder built once per session in each precision."""
    return {precision: build_encoder(tmp_path_factory.mktemp(precision), precision=precision)
            for precision in ("fp32", "int8")}


@pytest.fixture(scope="session")
def encoders(built) -> dict[str, SentenceEncoder]:
    return {precision: SentenceEncoder.load(directory) for precision, directory in built.items()}


# --- reading and verifying the weights (fast) ---

def test_safetensors_are_parsed_by_name_dtype_and_shape():
    tensors = {"w": np.arange(6, dtype="<f4").reshape(2, 3), "ids": np.array([[4, 5]], dtype="<i8")}
    parsed = parse_safetensors(safetensors_bytes(tensors))
    assert set(parsed) == {"w", "ids"}
    np.testing.assert_array_equal(parsed["w"], tensors["w"])
    np.testing.assert_array_equal(parsed["ids"], tensors["ids"])


@pytest.mark.parametrize("data, message", [
    (b"\x01\x00", "shorter"),
    ((10**6).to_bytes(8, "little") + b"{}", "exceeds"),
    (safetensors_bytes({}, {"w": {"dtype": "F32", "shape": [4], "data_offsets": [0, 8]}}), "do not fit"),
    (safetensors_bytes({}, {"w": {"dtype": "BF16", "shape": [0], "data_offsets": [0, 0]}}), "BF16"),
])
def test_malformed_safetensors_are_refused(data, message):
    with pytest.raises(WeightsError, match=message):
        parse_safetensors(data)


def test_installed_weights_are_the_official_files():
    directory = installed_weights_dir()
    for name, expected in WEIGHTS_SHA256.items():
        assert hashlib.sha256((directory / name).read_bytes()).hexdigest() == expected, name


def test_altered_weights_fail_naming_expected_and_actual_hash(tmp_path):
    (tmp_path / "model.safetensors").write_bytes(safetensors_bytes({"w": np.zeros(2, dtype="<f4")}))
    actual = hashlib.sha256((tmp_path / "model.safetensors").read_bytes()).hexdigest()
    with pytest.raises(WeightsError) as error:
        read_verified(tmp_path, "model.safetensors")
    assert actual in str(error.value) and WEIGHTS_SHA256["model.safetensors"] in str(error.value)


def test_build_stops_before_writing_when_weights_are_altered(tmp_path):
    weights = tmp_path / "weights"
    weights.mkdir()
    (weights / "model.safetensors").write_bytes(b"not the model")
    with pytest.raises(WeightsError, match="sha256"):
        build_encoder(tmp_path / "out", weights_dir=weights)
    assert not (tmp_path / "out").exists()


def test_missing_weights_file_names_the_file_and_the_install_command(tmp_path):
    with pytest.raises(WeightsError, match=r"config\.json is missing.*weights-requirements\.txt"):
        read_verified(tmp_path, "config.json")


def test_unknown_precision_lists_the_valid_ones(tmp_path):
    with pytest.raises(ValueError, match=r"'int4'.*'int8', 'fp32'"):
        build_encoder(tmp_path, precision="int4")


# --- pure helpers (fast) ---

@pytest.mark.parametrize("left, right", [
    (["ab", "c"], ["a", "bc"]),
    (["a", "b"], ["b", "a"]),
    (["a"], ["a", ""]),
])
def test_texts_hash_tells_apart_different_text_lists(left, right):
    assert texts_sha256(left) != texts_sha256(right)


def test_catalog_text_is_title_genres_description_without_empty_parts():
    rows = [("s1", "Movie", "Rocky", "", "", "", "", "1976", "PG", "120 min", "Dramas, Sports Movies", "A boxer."),
            ("s2", "Movie", "Untitled", "", "", "", "", "2000", "", "", "", "")]
    texts = catalog_texts(clean_catalog(pd.DataFrame(rows, columns=list(RAW_COLUMNS))))
    assert texts == ["Rocky. Dramas, Sports Movies. A boxer.", "Untitled"]


def test_cache_dir_comes_from_argument_then_environment_then_default(monkeypatch, tmp_path):
    monkeypatch.delenv(CACHE_ENV, raising=False)
    assert embedding_cache_dir() == Path(".cache") / "embeddings"
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "env"))
    assert embedding_cache_dir() == tmp_path / "env"
    assert embedding_cache_dir(tmp_path / "arg") == tmp_path / "arg"


def test_loading_a_directory_without_the_files_names_them(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"encoder\.onnx.*tokenizer\.json.*encoder_build"):
        SentenceEncoder.load(tmp_path)


def test_serving_side_does_not_import_the_graph_builder():
    code = "import sys, netflix_pyfunc.encoder; assert not {'onnx', 'netflix_pyfunc.encoder_build'} & set(sys.modules)"
    subprocess.run([sys.executable, "-c", code], check=True)


# --- the built encoder (slow: builds the graph once per session) ---

@pytest.mark.slow
@pytest.mark.parametrize("precision", ["fp32", "int8"])
def test_two_builds_are_byte_identical(built, precision, tmp_path):
    again = build_encoder(tmp_path, precision=precision)
    for name in (ENCODER_FILE, TOKENIZER_FILE, NOTICE_FILE):
        assert (again / name).read_bytes() == (built[precision] / name).read_bytes(), name


@pytest.mark.slow
def test_fp32_graph_matches_the_official_pipeline(encoders, reference):
    texts, expected = reference
    cosine = np.sum(encoders["fp32"].encode(texts) * expected, axis=1)
    assert cosine.min() >= 0.9999, dict(zip(texts, cosine.round(5)))


@pytest.mark.slow
def test_int8_graph_stays_close_to_the_official_pipeline(encoders, reference):
    texts, expected = reference
    cosine = np.sum(encoders["int8"].encode(texts) * expected, axis=1)
    assert cosine.min() >= 0.98, dict(zip(texts, cosine.round(4)))
    assert cosine.mean() >= 0.99


@pytest.mark.slow
@pytest.mark.parametrize("precision", ["fp32", "int8"])
def test_rows_are_unit_length_float32_in_input_order(encoders, precision, reference):
    texts = reference[0]
    vectors = encoders[precision].encode(texts)
    assert vectors.dtype == np.float32 and vectors.shape == (len(texts), DIM)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    reversed_order = encoders[precision].encode(texts[::-1])
    np.testing.assert_allclose(reversed_order[::-1], vectors, atol=1e-6)


@pytest.mark.slow
def test_padding_in_a_batch_does_not_change_a_text_vector(built, encoders, reference):
    texts = reference[0]
    batched = SentenceEncoder.load(built["fp32"], batch_size=8).encode(texts)
    alone = np.vstack([encoders["fp32"].encode([text]) for text in texts])
    np.testing.assert_allclose(batched, alone, atol=1e-5)


@pytest.mark.slow
def test_a_text_gets_the_same_vector_alone_and_among_others(encoders):
    encoder = encoders["int8"]
    texts = ["a ghost story", "astronauts stranded far from earth", "a ghost story", "Rocky"]
    vectors = encoder.encode(texts)
    np.testing.assert_array_equal(vectors[0], vectors[2])
    np.testing.assert_allclose(vectors[1], encoder.encode([texts[1]])[0], atol=1e-6)


@pytest.mark.slow
def test_no_texts_give_an_empty_matrix_and_non_text_is_refused(encoders):
    assert encoders["int8"].encode([]).shape == (0, DIM)
    with pytest.raises(TypeError, match=r"texts\[1\] is float"):
        encoders["int8"].encode(["fine", float("nan")])


@pytest.mark.slow
def test_tokenizer_truncates_at_256_and_pads_a_batch_to_its_longest(built):
    tokenizer = Tokenizer.from_file(str(built["int8"] / TOKENIZER_FILE))
    short, long = tokenizer.encode_batch(["a ghost story", "word " * 600])
    assert len(short.ids) == len(long.ids) == 256
    assert sum(short.attention_mask) == 5


@pytest.mark.slow
def test_built_files_name_the_model_origin_license_and_weights_hash(built):
    model = onnx.load(str(built["int8"] / ENCODER_FILE))
    notice = (built["int8"] / NOTICE_FILE).read_text()
    for text in (model.doc_string, notice):
        assert "all-MiniLM-L6-v2" in text and WEIGHTS_SHA256["model.safetensors"] in text
    assert "Apache License 2.0" in notice


@pytest.mark.slow
@pytest.mark.parametrize("precision, attention", [("fp32", "Attention"), ("int8", "QAttention")])
def test_each_layer_runs_attention_and_gelu_as_single_onnxruntime_nodes(built, precision, attention):
    op_types = [node.op_type for node in onnx.load(str(built[precision] / ENCODER_FILE)).graph.node]
    assert op_types.count(attention) == op_types.count("BiasGelu") == 6
    assert not {"Softmax", "Erf", "Transpose"} & set(op_types)


@pytest.mark.slow
def test_encoder_is_not_pickled_but_reloaded_from_its_directory(encoders):
    with pytest.raises(TypeError, match=r"SentenceEncoder\.load"):
        pickle.dumps(encoders["int8"])


@pytest.mark.slow
def test_catalog_embeddings_are_cached_by_texts_and_encoder(encoders, catalog, tmp_path, monkeypatch):
    encoder = encoders["int8"]
    texts = catalog_texts(catalog)
    first = embed_catalog(texts, encoder, cache_dir=tmp_path)
    np.testing.assert_array_equal(first, encoder.encode(texts))

    def must_not_run(_texts):
        raise AssertionError("recomputed despite a cache entry")

    monkeypatch.setattr(encoder, "encode", must_not_run)
    np.testing.assert_array_equal(embed_catalog(texts, encoder, cache_dir=tmp_path), first)
    assert len(list(tmp_path.iterdir())) == 1
    with pytest.raises(AssertionError, match="recomputed"):
        embed_catalog(texts[:-1], encoder, cache_dir=tmp_path)
