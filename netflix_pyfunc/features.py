"""The catalogue's feature blocks: one TF-IDF vectorizer per block, fitted on the catalogue.

Every block's rows are L2-normalised. `stack` puts the blocks side by side scaled by
sqrt(weight), so the dot product of two stacked rows is the weighted sum of the per-block
cosine similarities. Free text is mapped into the same columns by text_vectors.py.
"""

from __future__ import annotations

from collections import Counter
from functools import lru_cache

import numpy as np
import scipy.sparse as sp
import Stemmer
from sklearn.feature_extraction.text import TfidfVectorizer

from .analyzers import STOP_WORDS, TitleAnalyzer, WordAnalyzer, genre_tokens
from .catalog import CAST, COUNTRY, DESCRIPTION, DIRECTOR, LISTED_IN, TITLE, normalize_text

BLOCKS = ("description", "title", "genre", "people", "country")


def _identity(tokens):
    return tokens


def block_vectorizers(*, desc_ngram_max: int, desc_min_df: int, desc_max_df: float,
                      desc_max_features: int, sublinear_tf: bool, people_min_df: int) -> dict[str, TfidfVectorizer]:
    """An unfitted TfidfVectorizer per block (the genre, people and country documents are token lists)."""
    common = {"dtype": np.float32, "sublinear_tf": sublinear_tf}
    return {
        "description": TfidfVectorizer(
            analyzer=WordAnalyzer(ngram_max=desc_ngram_max), min_df=desc_min_df, max_df=desc_max_df,
            max_features=desc_max_features, **common,
        ),
        "title": TfidfVectorizer(analyzer=TitleAnalyzer(), **common),
        "genre": TfidfVectorizer(analyzer=_identity, **common),
        "people": TfidfVectorizer(analyzer=_identity, min_df=people_min_df, **common),
        "country": TfidfVectorizer(analyzer=_identity, **common),
    }


def catalog_documents(catalog) -> dict[str, list]:
    """What each block's vectorizer reads per title: description and title text, genre labels with
    their topic words, normalised director and cast names, normalised countries."""
    analyzer = WordAnalyzer()
    labels = lru_cache(maxsize=None)(lambda label: tuple(genre_tokens([label], analyzer)))
    name = lru_cache(maxsize=None)(normalize_text)   # names and labels repeat across titles

    def names(values) -> list[str]:
        return [n for n in map(name, values) if n]

    return {
        "description": catalog[DESCRIPTION].tolist(),
        "title": catalog[TITLE].tolist(),
        "genre": [[t for label in genres for t in labels(label)] for genres in catalog[LISTED_IN]],
        "people": [names(d) + names(c) for d, c in zip(catalog[DIRECTOR], catalog[CAST])],
        "country": [names(c) for c in catalog[COUNTRY]],
    }


def fit_blocks(vectorizers: dict[str, TfidfVectorizer], catalog) -> dict[str, sp.csr_matrix]:
    """Fit every block's vectorizer on the catalogue; its block matrices (float32, unit rows)."""
    documents = catalog_documents(catalog)
    blocks = {}
    for block in BLOCKS:
        blocks[block] = sp.csr_matrix(vectorizers[block].fit_transform(documents[block]), dtype=np.float32)
        vectorizers[block].stop_words_ = None   # every pruned term; only needed for introspection
    return blocks


def block_offsets(vectorizers: dict[str, TfidfVectorizer]) -> dict[str, tuple[int, int]]:
    """(first, last + 1) column of each block in the stacked vectors."""
    offsets, start = {}, 0
    for block in BLOCKS:
        stop = start + len(vectorizers[block].vocabulary_)
        offsets[block] = (start, stop)
        start = stop
    return offsets


def stack(blocks: dict[str, sp.spmatrix], weights: dict[str, float]) -> sp.csr_matrix:
    """The blocks side by side, each scaled by sqrt(weight); sorted indices, no explicit zeros."""
    parts = [blocks[b] * np.float32(np.sqrt(weights[b])) for b in BLOCKS]
    stacked = sp.hstack(parts, format="csr", dtype=np.float32)
    stacked.eliminate_zeros()
    stacked.sort_indices()
    return stacked


def description_terms(descriptions: list[str], vectorizer: TfidfVectorizer) -> np.ndarray:
    """Readable description features: each stem shown as its most frequent original word
    ('comedi' -> 'comedy'), in the vectorizer's column order."""
    counts: dict[str, Counter] = {}
    stemmer = Stemmer.Stemmer("english")
    for text in descriptions:
        words = [w for w in normalize_text(text).split() if w not in STOP_WORDS]
        for word, stem in zip(words, stemmer.stemWords(words)):
            counts.setdefault(stem, Counter())[word] += 1
    surface = {stem: c.most_common(1)[0][0] for stem, c in counts.items()}
    return np.array(
        [" ".join(surface.get(part, part) for part in name.split()) for name in vectorizer.get_feature_names_out()],
        dtype=object,
    )


def scale_blocks(rows: np.ndarray, columns: np.ndarray, data: np.ndarray, n_rows: int,
                 offsets: dict[str, tuple[int, int]], weights: dict[str, float]) -> np.ndarray:
    """Entries (rows, columns, data) of a sparse batch with each row's blocks rescaled to unit
    length times sqrt(weight) (float32; zero where a block is weighted 0)."""
    starts = np.array([offsets[b][0] for b in BLOCKS])
    scale = np.sqrt(np.array([weights[b] for b in BLOCKS], dtype=np.float64))
    block = np.searchsorted(starts, columns, side="right") - 1
    segment = rows * len(BLOCKS) + block
    values = data.astype(np.float64)
    norms = np.sqrt(np.bincount(segment, weights=values * values, minlength=n_rows * len(BLOCKS)))
    return (values / norms[segment] * scale[block]).astype(np.float32)


def row_entries(matrix: sp.csr_matrix, positions: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The entries of matrix[positions] as (row in positions, column, value), without building it."""
    starts = matrix.indptr[positions]
    lengths = matrix.indptr[positions + 1] - starts
    gather = np.repeat(starts - np.cumsum(lengths) + lengths, lengths) + np.arange(lengths.sum())
    return np.repeat(np.arange(len(positions)), lengths), matrix.indices[gather], matrix.data[gather]


def unknown_as_average(vectors: sp.csr_matrix, offsets: dict[str, tuple[int, int]], block: str) -> sp.csr_matrix:
    """vectors with each row that has nothing in block given the mean of the rows that have.

    A title whose country is unknown then scores, against any query, what a title with a known
    country scores on average in that block, instead of 0, the score of a title from elsewhere."""
    start, stop = offsets[block]
    part = vectors[:, start:stop]
    empty = np.flatnonzero(np.diff(part.indptr) == 0)
    if len(empty) in (0, vectors.shape[0]):
        return vectors
    mean = np.asarray(part.sum(axis=0), dtype=np.float64).ravel() / (vectors.shape[0] - len(empty))
    columns = np.flatnonzero(mean)
    fill = sp.csr_matrix((np.tile(mean[columns], len(empty)).astype(np.float32),
                          (np.repeat(empty, len(columns)), np.tile(columns + start, len(empty)))),
                         shape=vectors.shape)
    out = (vectors + fill).tocsr()
    out.sort_indices()
    return out
