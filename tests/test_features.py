import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.preprocessing import normalize

from netflix_pyfunc.analyzers import FreeTextAnalyzer
from netflix_pyfunc.features import BLOCKS, block_offsets, block_vectorizers, fit_blocks, stack, unknown_as_average
from netflix_pyfunc.text_vectors import TextVectorizer

SETTINGS = {"desc_ngram_max": 1, "desc_min_df": 1, "desc_max_df": 1.0, "desc_max_features": 1000,
            "sublinear_tf": True, "people_min_df": 1}
WEIGHTS = {"description": 1.0, "title": 0.2, "genre": 0.35, "people": 0.6, "country": 0.15}
TEXTS = ["a horror film with Kate Siegel", "korean astronauts stranded far from earth", "Rocky Rocky boxer II",
         "qwzx", "", "Pokémon: ÉTÉ 2 II iii 1999 the"]


@pytest.fixture(scope="module")
def fitted(catalog):
    vectorizers = block_vectorizers(**SETTINGS)
    blocks = fit_blocks(vectorizers, catalog)
    return vectorizers, blocks


def test_blocks_are_unit_rows_and_stack_gives_weighted_cosine(fitted):
    _, blocks = fitted
    for block in BLOCKS:
        norms = np.sqrt(np.asarray(blocks[block].multiply(blocks[block]).sum(axis=1)).ravel())
        assert np.allclose(norms[norms > 0], 1.0, atol=1e-5)
    stacked = stack(blocks, WEIGHTS)
    a, b = 0, 1  # Rocky, Rocky II
    expected = sum(WEIGHTS[blk] * blocks[blk][a].multiply(blocks[blk][b]).sum() for blk in BLOCKS)
    assert stacked[a].multiply(stacked[b]).sum() == pytest.approx(expected, rel=1e-5)


@pytest.mark.parametrize("sublinear_tf", [True, False])
def test_text_vectors_equal_the_vectorizers_transform(catalog, sublinear_tf):
    """The batched free-text path gives what each block's TfidfVectorizer.transform gives."""
    vectorizers = block_vectorizers(**{**SETTINGS, "sublinear_tf": sublinear_tf})
    fit_blocks(vectorizers, catalog)
    offsets = block_offsets(vectorizers)
    vectors = TextVectorizer(vectorizers, offsets, WEIGHTS, ngram_max=1, sublinear_tf=sublinear_tf).transform(TEXTS)
    tokens = [FreeTextAnalyzer()(text) for text in TEXTS]
    expected = {}
    for block in BLOCKS:
        documents = TEXTS if block in ("description", "title") else [t[block] for t in tokens]
        expected[block] = normalize(vectorizers[block].transform(documents))
    expected = stack(expected, WEIGHTS)
    assert vectors.shape == expected.shape and vectors.has_sorted_indices
    assert np.all(vectors.data != 0)
    np.testing.assert_allclose(vectors.toarray(), expected.toarray(), atol=1e-6)


def test_text_vectors_reach_people_genres_and_countries(model):
    vectors = model.text_vectorizer_.transform(["a korean horror film with Kate Siegel"])
    names = {b: model.vectorizers_[b].get_feature_names_out() for b in ("genre", "people", "country")}
    found = {b: set(names[b][vectors.indices[(vectors.indices >= start) & (vectors.indices < stop)] - start])
             for b, (start, stop) in model.offsets_.items() if b in names}
    assert found["people"] == {"kate siegel"}
    assert "horror" in found["genre"]
    assert found["country"] == {"south korea"}


def test_a_block_weighted_zero_leaves_no_entries(catalog):
    vectorizers = block_vectorizers(**SETTINGS)
    fit_blocks(vectorizers, catalog)
    offsets = block_offsets(vectorizers)
    vectors = TextVectorizer(vectorizers, offsets, {**WEIGHTS, "genre": 0.0}, ngram_max=1, sublinear_tf=True)
    matrix = vectors.transform(["a horror film about a haunted house"])
    start, stop = offsets["genre"]
    assert matrix.nnz > 0 and not ((matrix.indices >= start) & (matrix.indices < stop)).any()
    assert sp.isspmatrix_csr(matrix)


def _has_block(matrix: sp.csr_matrix, offsets, block: str) -> np.ndarray:
    start, stop = offsets[block]
    return np.diff(matrix[:, start:stop].indptr) > 0


def test_a_title_of_unknown_country_scores_the_average_of_the_known(fitted):
    """Midnight Mass has no country in the hand-made catalogue. As a candidate it scores, against
    every query, its other blocks plus the mean of the query's country scores over the titles
    with a country; those titles' rows do not change."""
    vectorizers, blocks = fitted
    offsets = block_offsets(vectorizers)
    vectors = stack(blocks, WEIGHTS)
    filled = unknown_as_average(vectors, offsets, "country")
    known = _has_block(vectors, offsets, "country")
    unknown = np.flatnonzero(~known)
    assert len(unknown) == 1 and known.sum() == vectors.shape[0] - 1
    start, stop = offsets["country"]
    country = (vectors[:, start:stop] @ vectors[:, start:stop].T).toarray()
    before, after = (vectors @ vectors.T).toarray(), (vectors @ filled.T).toarray()
    for query in np.flatnonzero(known):
        assert after[query, unknown[0]] == pytest.approx(
            before[query, unknown[0]] + country[query, known].mean(), rel=1e-5)
        assert country[query, known].mean() > 0
    assert abs(filled[np.flatnonzero(known)] - vectors[np.flatnonzero(known)]).sum() == 0
    assert _has_block(filled, offsets, "country").all()


@pytest.mark.parametrize("weights", [{**WEIGHTS, "country": 0.0}, WEIGHTS])
def test_unknown_as_average_leaves_a_block_alone_when_no_row_or_every_row_is_empty(fitted, weights):
    vectorizers, blocks = fitted
    offsets = block_offsets(vectorizers)
    vectors = stack(blocks, weights)
    block = "country" if not weights["country"] else "genre"   # weighted 0: all empty; genre: none empty
    assert _has_block(vectors, offsets, block).all() or not _has_block(vectors, offsets, block).any()
    assert unknown_as_average(vectors, offsets, block) is vectors
