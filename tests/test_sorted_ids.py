import numpy as np
import pytest

from netflix_pyfunc.sorted_ids import lookup, union


@pytest.mark.parametrize(("keys", "values", "found"), [
    ([2, 5, 9], [5, 2, 9], [True, True, True]),
    ([2, 5, 9], [0, 3, 10], [False, False, False]),          # before, between and past the keys
    ([2, 5, 9], [9, 1, 5, 5], [True, False, True, True]),
    ([], [1, 2], [False, False]),
    ([4], [], []),
])
def test_lookup_finds_members_and_their_positions(keys, values, found):
    keys, values = np.asarray(keys, dtype=np.int64), np.asarray(values, dtype=np.int64)
    member, at = lookup(keys, values)
    assert member.tolist() == found
    assert (keys[at[member]] == values[member]).all()
    if len(keys):
        assert ((0 <= at) & (at < len(keys))).all()


@pytest.mark.parametrize("rows", [
    [[1, 4, 7]],
    [[1, 4, 7], [0, 4, 8]],
    [[3], [], [1, 2, 3]],
    [[], []],
])
def test_union_is_np_union1d(rows):
    arrays = [np.asarray(row, dtype=np.int64) for row in rows]
    expected = np.asarray([], dtype=np.int64)
    for array in arrays:
        expected = np.union1d(expected, array)
    assert union(arrays).tolist() == expected.tolist()
