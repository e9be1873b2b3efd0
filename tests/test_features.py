import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.preprocessing import normalize

from netflix_pyfunc.analyzers import FreeTextAnalyzer
from netflix_pyfunc.features import BLOCKS, block_offsets, block_vectorizers, fit_blocks, stack
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
