"""The dense block: each catalogue title's sentence embedding, and free text embedded per request.

The catalogue is embedded once at training time from `encoder.catalog_texts` ("title. genres.
description": what the title is called, what kind of title it is, and its premise). The encoder
holds an onnxruntime session and is never pickled: the block drops it when pickled, and the
served model attaches the one loaded from the model's encoder artifact (`attach`), after checking
it is the encoder the catalogue was embedded with.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .encoder import SentenceEncoder, catalog_texts, embed_catalog
from .index import DenseRows


class MissingEncoder(RuntimeError):
    """The dense block has no encoder attached (a recommender loaded from a pickle, before attach)."""


class SemanticBlock:
    """Unit-length catalogue embeddings (`embeddings_`: DenseRows, n x d) and the encoder that made them."""

    def fit(self, catalog: pd.DataFrame, encoder: SentenceEncoder) -> SemanticBlock:
        if not isinstance(encoder, SentenceEncoder):
            raise TypeError(f"encoder must be a SentenceEncoder, got {type(encoder).__name__}; "
                            "build one with netflix_pyfunc.encoder_build.build_encoder and SentenceEncoder.load")
        self.embeddings_ = DenseRows(embed_catalog(catalog_texts(catalog), encoder))
        self.encoder_sha256_ = encoder.sha256
        self.encoder_ = encoder
        return self

    def attach(self, encoder: SentenceEncoder) -> SemanticBlock:
        """Attach the encoder after unpickling; it must be the one the catalogue was embedded with."""
        if encoder.sha256 != self.encoder_sha256_:
            raise ValueError(f"encoder sha256 {encoder.sha256[:12]}... is not the one the catalogue was "
                             f"embedded with ({self.encoder_sha256_[:12]}...); load the model's own encoder artifact")
        self.encoder_ = encoder
        return self

    @property
    def encoder(self) -> SentenceEncoder:
        encoder = self.__dict__.get("encoder_")
        if encoder is None:
            raise MissingEncoder("the recommender has no sentence encoder attached: call "
                                 "recommender.attach_encoder(SentenceEncoder.load(<the model's encoder directory>))")
        return encoder

    def __getstate__(self) -> dict:
        return {name: value for name, value in self.__dict__.items() if name != "encoder_"}

    def query_rows(self, positions: np.ndarray, texts: list[str], *, w_text: float, w_title: float,
                   examples: list[np.ndarray | None] | None = None) -> np.ndarray:
        """m x d: w_title * the stored embedding of the title at positions[i] (-1: none) plus
        w_text * the embedding of texts[i] ('': none) plus w_text * the unit mean of the stored
        embeddings of the titles examples[i] (None: none; e.g. the titles of a person the text
        names, so the list goes on with titles like theirs). Each distinct text is encoded once."""
        embeddings = self.embeddings_.rows
        rows = np.zeros((len(positions), embeddings.shape[1]), dtype=np.float32)
        titled = np.flatnonzero(positions >= 0)
        if w_title and len(titled):
            rows[titled] = np.float32(w_title) * embeddings[positions[titled]]
        texted = [i for i, text in enumerate(texts) if text]
        if w_text and texted:
            rows[texted] += np.float32(w_text) * self.encoder.encode([texts[i] for i in texted])
        for i, titles in enumerate(examples or ()):
            if w_text and titles is not None and len(titles):
                mean = embeddings[titles].mean(axis=0)
                rows[i] += np.float32(w_text) * mean / max(float(np.linalg.norm(mean)), 1e-6)
        return rows
