"""stored.stored_top_k: when a title's stored neighbours answer a (filtered) title-only query."""

import numpy as np
import pytest

from netflix_pyfunc.stored import stored_top_k

# Six titles; titles 3 and 4 are one work (same description), the others each their own.
WORK = np.array([0, 1, 2, 3, 3, 4])
SHARED = np.bincount(WORK)[WORK] > 1
HITS = np.array([1, 3, 2, 5, -1, -1], dtype=np.int32)   # stored neighbours of title 0, best first
SCORES = np.array([0.9, 0.8, 0.7, 0.6, 0.0, 0.0], dtype=np.float32)


def allowed(*titles):
    mask = np.zeros(len(WORK), dtype=bool)
    mask[list(titles)] = True
    return mask


@pytest.mark.parametrize(
    "k, mask, want",
    [
        (2, None, [1, 3]),                   # unfiltered: the first k
        (9, None, [1, 3, 2, 5]),             # k past the stored end: what there is
        (2, allowed(1, 2, 5), [1, 2]),       # 3 fails, and its work has no title that passes
        (3, allowed(1, 2, 3, 5), [1, 3, 2]),
    ],
)
def test_the_first_k_neighbours_that_pass_are_the_answer(k, mask, want):
    found = stored_top_k(HITS, SCORES, k, mask, WORK, SHARED)
    assert found is not None
    positions, scores = found
    assert positions.tolist() == want
    np.testing.assert_allclose(scores, SCORES[[HITS.tolist().index(p) for p in want]])


@pytest.mark.parametrize(
    "k, mask",
    [
        (3, allowed(1, 2)),        # fewer than k pass
        (2, allowed(1, 2, 4)),     # 3 fails, but 4 (its work) passes: the search could list 4
    ],
)
def test_neighbours_that_cannot_answer_give_none(k, mask):
    assert stored_top_k(HITS, SCORES, k, mask, WORK, SHARED) is None
