"""Dense-block scores for exact search: cheap approximate ones with a rigorous error bound, and the
exact float32 ones of chosen rows.

`QuantizedRows` holds an int8 copy of the catalogue's dense rows (per-row symmetric scale, a quarter
of the bytes) and multiplies quantised queries through onnxruntime's integer MatMul. For every query
row and title it also gives a bound b_x with |exact - approximate| <= b_x, where "exact" is the
float32 product BLAS computes (rows @ queries.T). Why the bound holds, for a query q and a title's row e:

- int8 rows: e~ = s_e * round(e / s_e), s_e = max|e_i| / 127; query: q~ = s_q * round(q / s_q) the
  same way. The int32 dot of the two int8 vectors is exact (|sum| <= d * 127^2 < 2^24, so its float32
  cast is exact too); scaling it by s_e then s_q rounds twice: |approx - q~.e~| <= 2u |q~||e~|
  (u = 2^-24, float32's unit roundoff).
- q.e - q~.e~ = q.(e - e~) + (q - q~).e~, so by Cauchy-Schwarz |q.e - q~.e~| <= |q| r + |q - q~| |e~|
  with r = |e - e~| (per title, precomputed) and |q|, |q - q~| per query row.
- BLAS' float32 dot of d products, in any order, with or without FMA, is within gamma_d sum|q_i e_i|
  <= gamma_d |q||e| of q.e (gamma_d = d u / (1 - d u)).
- |q~| <= |q| + |q - q~|.
Together: |exact - approx| <= |q| (r + gamma_d |e| + 2u |e~|) + |q - q~| |e~| (1 + 2u). Both
per-title factors are computed in float64 and rounded up by a relative 1e-6, far more than the
float64 and float32 rounding of their own computation; `bounds` does the same for the query's part.
"""

from __future__ import annotations

import numpy as np
import onnxruntime as ort

_U = 2.0 ** -24
# Rows quantised at a time (their float64 copies are made a block at a time).
_BLOCK = 1 << 16
# A product rows[subset] @ queries.T of at least this many multiply-adds uses OpenBLAS' general sgemm
# kernels, whose value for an entry does not depend on the other rows; smaller ones go through its
# small-matrix kernels, which sum in another order (see exact_products).
_MIN_GEMM = 2 ** 20
# OpenBLAS' sgemv computes rows in blocks of 4 and the last n % 4 rows with other kernels.
_GEMV_BLOCK = 4
# Rows gathered for one sgemv, padded to a multiple of this: a split between threads then falls
# on a block boundary, as it does for the whole catalogue.
_GEMV_PAD = 64


def _graph(n: int, d: int) -> bytes:
    """The ONNX graph (opset 17) of `approximate`: float32 queries q (m x d) quantised as `quantize`
    does (values v, scales s), then v times the int8 rows B (d x n) as integers, scaled by the
    rows' scales b_scale (1 x n) and s; also |q| and |q - v s| (m each, float32). B and b_scale are
    external initializers, given to the session from memory (SessionOptions.add_external_initializers)."""
    from onnx import TensorProto, helper   # training-only dependency: the bytes are pickled with the rows

    def external(name: str, dtype: int, dims: list) -> TensorProto:
        tensor = TensorProto(name=name, data_type=dtype, dims=dims, data_location=TensorProto.EXTERNAL)
        entry = tensor.external_data.add()
        entry.key, entry.value = "location", f"{name}.bin"
        return tensor

    def node(op: str, inputs: list, output: str, **attributes) -> object:
        return helper.make_node(op, inputs, [output], **attributes)

    constants = [helper.make_tensor(name, TensorProto.FLOAT, [], [value])
                 for name, value in (("c127", 127.0), ("cminus127", -127.0), ("c128", 128.0), ("tiny", 2.0 ** -126))]
    nodes = [node("Abs", ["q"], "abs"), node("ReduceMax", ["abs"], "largest", axes=[1], keepdims=1),
             node("Div", ["largest", "c127"], "ratio"), node("Max", ["ratio", "tiny"], "s"),   # a zero row: v = 0
             node("Div", ["q", "s"], "unrounded"), node("Round", ["unrounded"], "rounded"),
             node("Clip", ["rounded", "cminus127", "c127"], "v"),
             node("Add", ["v", "c128"], "shifted"), node("Cast", ["shifted"], "a", to=TensorProto.UINT8),
             node("MatMulInteger", ["a", "B", "a_zero"], "products"),
             node("Cast", ["products"], "floats", to=TensorProto.FLOAT),
             node("Mul", ["floats", "b_scale"], "scaled"), node("Mul", ["scaled", "s"], "scores"),
             node("ReduceL2", ["q"], "norms", axes=[1], keepdims=0),
             node("Mul", ["v", "s"], "approx"), node("Sub", ["q", "approx"], "difference"),
             node("ReduceL2", ["difference"], "errors", axes=[1], keepdims=0)]
    graph = helper.make_graph(
        nodes, "int8_dense_scores", [helper.make_tensor_value_info("q", TensorProto.FLOAT, ["m", d])],
        [helper.make_tensor_value_info("scores", TensorProto.FLOAT, ["m", n]),
         helper.make_tensor_value_info("norms", TensorProto.FLOAT, ["m"]),
         helper.make_tensor_value_info("errors", TensorProto.FLOAT, ["m"])],
        [*constants, helper.make_tensor("a_zero", TensorProto.UINT8, [], [128]),
         external("B", TensorProto.INT8, [d, n]), external("b_scale", TensorProto.FLOAT, [1, n])])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=9).SerializeToString()


def quantize(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-row symmetric int8 values (as float32 integers in -127..127) and their float32 scales
    (a column), so that rows ~ values * scales; a row of zeros gets scale 1."""
    scales = np.abs(rows).max(axis=1, keepdims=True) / np.float32(127)
    scales[scales == 0] = 1
    return np.clip(np.rint(rows / scales), -127, 127), scales


def _norms(rows: np.ndarray) -> np.ndarray:
    """Euclidean row norms of a float64 array."""
    return np.sqrt(np.einsum("ij,ij->i", rows, rows))


class QuantizedRows:
    """The int8 copy of float32 rows (n x d), its error factors and an onnxruntime session.

    graph: _graph(n, d)'s bytes (None: build them; needs the onnx package, which training has)."""

    def __init__(self, rows: np.ndarray, graph: bytes | None = None):
        n, d = rows.shape
        values, scales = np.empty((d, n), dtype=np.int8), np.empty((1, n), dtype=np.float32)
        norms, approx_norms, errors = np.empty(n), np.empty(n), np.empty(n)
        for start in range(0, n, _BLOCK):   # float64 copies of a block at a time
            stop = start + _BLOCK
            block, (block_values, block_scales) = rows[start:stop], quantize(rows[start:stop])
            approx = block_values.astype(np.float64) * block_scales
            values[:, start:stop], scales[0, start:stop] = block_values.T, block_scales[:, 0]
            norms[start:stop], approx_norms[start:stop] = _norms(block.astype(np.float64)), _norms(approx)
            errors[start:stop] = _norms(block - approx)
        gamma = d * _U / (1 - d * _U)
        margin = 1 + 1e-6
        self.row_factor_ = (errors + gamma * norms + 2 * _U * approx_norms) * margin
        self.query_factor_ = approx_norms * (1 + 2 * _U) * margin
        self.max_row_factor_, self.max_query_factor_ = self.row_factor_.max(initial=0), self.query_factor_.max(initial=0)
        self.max_norm_ = max(norms.max(initial=0), approx_norms.max(initial=0))
        self.norm_margin_ = 1 + 2 * gamma + 1e-6
        self.graph_ = _graph(n, d) if graph is None else graph
        # kept: the session reads them from this memory
        self.initializers_ = [ort.OrtValue.ortvalue_from_numpy(values), ort.OrtValue.ortvalue_from_numpy(scales)]
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.add_external_initializers(["B", "b_scale"], self.initializers_)
        self.session_ = ort.InferenceSession(self.graph_, sess_options=options, providers=["CPUExecutionProvider"])

    def approximate(self, queries: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(m x n approximate float32 products, and per query row upper bounds on |q| and |q - q~|).

        The graph computes both norms in float32: a sum of d squares in any order is within gamma_d
        of its value, and q - v s within u (|q~_i| + |q_i - q~_i|) per coordinate, hence the margins."""
        scores, norms, errors = self.session_.run(None, {"q": np.ascontiguousarray(queries, dtype=np.float32)})
        norms = norms.astype(np.float64) * self.norm_margin_
        return scores, norms, errors * self.norm_margin_ + 4 * _U * norms

    def bounds(self, norm: float, error: float) -> tuple[np.ndarray, float]:
        """Per title, the bound on |exact - approximate| for a query row with |q| = norm and |q - q~|
        = error, and a bound on its maximum over titles (max_bound)."""
        norm, error = norm * (1 + 1e-6), error * (1 + 1e-6)
        return norm * self.row_factor_ + error * self.query_factor_, self.max_bound(norm, error)

    def max_bound(self, norm: float, error: float) -> float:
        """At least the largest of bounds(norm, error)'s per-title bounds."""
        return (norm * self.max_row_factor_ + error * self.max_query_factor_) * (1 + 1e-6)


def exact_products(rows: np.ndarray, positions: np.ndarray, queries: np.ndarray) -> np.ndarray:
    """len(positions) x m float32: rows[positions] @ queries.T, equal bit for bit to the same entries
    of the full product rows @ queries.T (what exact search scores).

    positions: sorted, distinct. OpenBLAS' value for one entry depends on the call it is computed in:
    one query row (m = 1) goes through sgemv, which takes rows in blocks of 4 and the last n % 4 with
    other kernels; several go through sgemm, whose small-matrix kernels (below about 5e5
    multiply-adds here) sum in another order than its general ones. So the gathered rows are
    padded to a multiple of 64 (m = 1; the catalogue's last n % 4 rows computed apart, as in the
    full product) or to _MIN_GEMM multiply-adds (m > 1). With several BLAS threads the full product's
    rows are split between them, and an entry may differ in its last bits where a split falls off a
    block boundary; the model serves with one."""
    n, d = rows.shape
    m = len(queries)
    if m > 1:
        count = max(len(positions), -(-_MIN_GEMM // (m * d)))
        padded = np.concatenate([positions, np.zeros(count - len(positions), dtype=positions.dtype)])
        return (rows[padded] @ queries.T)[:len(positions)]
    tail = n - n % _GEMV_BLOCK
    inner = positions < tail
    head = positions[inner]
    out = np.empty((len(positions), 1), dtype=np.result_type(rows, queries))
    if len(head):
        padded = np.concatenate([head, np.full(-len(head) % _GEMV_PAD, head[0])])
        out[inner] = (rows[padded] @ queries.T)[:len(head)]
    if not inner.all():
        out[~inner] = (rows[tail:] @ queries.T)[positions[~inner] - tail]
    return out
