"""Sentence embeddings at serving time: all-MiniLM-L6-v2 as an ONNX graph and its tokenizer.

The two files (ENCODER_FILE, TOKENIZER_FILE) are written at training time by
`netflix_pyfunc.encoder_build` and travel inside the logged MLflow model as one directory artifact.
`SentenceEncoder.load(directory)` opens them once, in the PythonModel's load_context; the encoder
itself is never pickled (it holds an onnxruntime session).

`embed_catalog` embeds the catalogue at training time, with an on-disk cache keyed by the exact
texts and the encoder's sha256, so a second training run on the same data does not recompute.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import onnxruntime as ort
import pandas as pd
from tokenizers import Tokenizer

from .catalog import DESCRIPTION, LISTED_IN, TITLE

ENCODER_FILE = "encoder.onnx"
TOKENIZER_FILE = "tokenizer.json"
CACHE_ENV = "NETFLIX_EMBEDDING_CACHE"
DEFAULT_CACHE_DIR = Path(".cache") / "embeddings"  # relative to the working directory, like mlflow.db
_TOKENIZE_CHUNK = 4096  # texts tokenised at once: bounds memory for very large catalogues


class SentenceEncoder:
    """Texts -> float32 unit-length rows (n, dim); build it with `SentenceEncoder.load(directory)`.

    threads: onnxruntime intra-op threads. The default 1 suits the scoring server (one worker, each
    request's predict in its own thread): a query of a few words runs in about a millisecond,
    where a thread pool's hand-offs cost more than they save, and concurrent requests already use
    the other cores. On the shared 2-core build machine, 2 threads were slower than 1 both for a
    query (2.4 against 1.6 ms) and for the catalogue; pass more only where cores sit idle.
    batch_size: texts per onnxruntime call (sorted by token count, so a batch pads to similar
    lengths). The default 1 is deliberate for the int8 encoder: dynamic quantisation gives each call
    one activation scale, so a text batched with others would get a slightly different vector
    (cosine down to 0.96 measured) than the same text alone at query time. One text per call keeps
    a title's stored vector equal to its vector when queried, and was not slower on one core.
    """

    def __init__(self, session: ort.InferenceSession, tokenizer: Tokenizer, *, sha256: str, batch_size: int = 1):
        if batch_size < 1:
            raise ValueError(f"batch_size={batch_size}; must be >= 1")
        self.session = session
        self.tokenizer = tokenizer
        self.sha256 = sha256
        self.batch_size = batch_size
        self.dim = int(session.get_outputs()[0].shape[1])

    @classmethod
    def load(cls, directory: str | Path, *, threads: int = 1, batch_size: int = 1) -> SentenceEncoder:
        directory = Path(directory)
        paths = [directory / ENCODER_FILE, directory / TOKENIZER_FILE]
        missing = [path.name for path in paths if not path.is_file()]
        if missing:
            raise FileNotFoundError(f"{directory}: missing {missing}; build it with "
                                    f"`python -m netflix_pyfunc.encoder_build {directory}`")
        model_bytes, tokenizer_bytes = (path.read_bytes() for path in paths)
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        # onnxruntime would fuse each residual Add with its LayerNormalization into SkipLayerNormalization,
        # whose CPU kernel costs about 2 us per token against 0.3 us for the two nodes it replaces.
        options.add_session_config_entry("optimization.disable_specified_optimizers", "SkipLayerNormFusion")
        session = ort.InferenceSession(model_bytes, sess_options=options, providers=["CPUExecutionProvider"])
        tokenizer = Tokenizer.from_str(tokenizer_bytes.decode("utf-8"))
        return cls(session, tokenizer, sha256=encoder_sha256(model_bytes, tokenizer_bytes), batch_size=batch_size)

    def __reduce__(self):
        raise TypeError("SentenceEncoder holds an onnxruntime session and is not pickled: log its directory "
                        "as an MLflow artifact and call SentenceEncoder.load(directory) in load_context")

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """One unit-length float32 row per text, in order; each distinct text is encoded once."""
        texts = list(texts)
        for position, text in enumerate(texts):
            if not isinstance(text, str):
                raise TypeError(f"texts[{position}] is {type(text).__name__}, expected str")
        distinct = list(dict.fromkeys(texts))
        vectors = np.empty((len(distinct), self.dim), dtype=np.float32)
        for start in range(0, len(distinct), _TOKENIZE_CHUNK):
            chunk = distinct[start:start + _TOKENIZE_CHUNK]
            vectors[start:start + len(chunk)] = self._encode_distinct(chunk)
        row = {text: i for i, text in enumerate(distinct)}
        return vectors[[row[text] for text in texts]]

    def _encode_distinct(self, texts: list[str]) -> np.ndarray:
        encodings = self.tokenizer.encode_batch(texts)  # padded to the longest of texts, on the right
        ids = np.array([encoding.ids for encoding in encodings], dtype=np.int64)
        mask = np.array([encoding.attention_mask for encoding in encodings], dtype=np.int64)
        lengths = mask.sum(axis=1)
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        order = np.argsort(lengths, kind="stable")
        for start in range(0, len(order), self.batch_size):
            batch = order[start:start + self.batch_size]
            width = int(lengths[batch].max())
            (out[batch],) = self.session.run(
                ["embedding"], {"input_ids": ids[batch, :width], "attention_mask": mask[batch, :width]}
            )
        return out


def catalog_texts(catalog: pd.DataFrame) -> list[str]:
    """'title. genres. description' per title of a cleaned catalogue (empty parts left out).

    The title carries franchise and named subjects, the genres what kind of title it is, the
    description the premise; all three fit well inside the model's 256 tokens.
    """
    return [
        ". ".join(part for part in (title, ", ".join(genres), description) if part)
        for title, genres, description in zip(catalog[TITLE], catalog[LISTED_IN], catalog[DESCRIPTION])
    ]


def encoder_sha256(model_bytes: bytes, tokenizer_bytes: bytes) -> str:
    """One hash for the pair of files: a change in either means different embeddings."""
    digest = hashlib.sha256()
    for name, data in ((ENCODER_FILE, model_bytes), (TOKENIZER_FILE, tokenizer_bytes)):
        digest.update(f"{name}:{hashlib.sha256(data).hexdigest()}\n".encode())
    return digest.hexdigest()


def texts_sha256(texts: Sequence[str]) -> str:
    """Hash of the exact texts in order (it changes with the data and with how texts are composed)."""
    digest = hashlib.sha256()
    for text in texts:
        data = text.encode("utf-8")
        digest.update(len(data).to_bytes(8, "little"))
        digest.update(data)
    return digest.hexdigest()


def embedding_cache_dir(cache_dir: str | Path | None = None) -> Path:
    """cache_dir if given, else $NETFLIX_EMBEDDING_CACHE, else .cache/embeddings (gitignored)."""
    if cache_dir is not None:
        return Path(cache_dir)
    return Path(os.environ.get(CACHE_ENV) or DEFAULT_CACHE_DIR)


def embed_catalog(texts: Sequence[str], encoder: SentenceEncoder, *, cache_dir: str | Path | None = None) -> np.ndarray:
    """encoder.encode(texts), read from the cache when these texts were embedded by this encoder before."""
    texts = list(texts)
    directory = embedding_cache_dir(cache_dir)
    path = directory / f"{texts_sha256(texts)}-{encoder.sha256}.npy"
    if path.is_file():
        return np.load(path)
    vectors = encoder.encode(texts)
    directory.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f"{path.name}.{os.getpid()}.partial")
    with open(partial, "wb") as handle:
        np.save(handle, vectors)
    os.replace(partial, path)  # atomic: a crashed run never leaves a truncated cache entry
    return vectors
