"""A class's strokes as lists of voxels, against scipy's labelling of the whole volume."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import ndimage

from napari_seisgrow.engine import slabs
from napari_seisgrow.engine.strokes import erased_classes, stroke_pieces


def _scipy_pieces(seeds: np.ndarray, c: int, live: np.ndarray | None) -> list[np.ndarray]:
    mine = seeds == c
    if live is not None:
        mine &= live
    parts, n = ndimage.label(mine, np.ones((3, 3, 3), bool))
    return [np.argwhere(parts == k) for k in range(1, n + 1)]


@pytest.mark.parametrize("shape", [(9, 11, 13), (1, 40, 30), (40, 1, 30)])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_strokes_are_scipys_components_in_scipys_order_across_slab_faces(monkeypatch, shape, seed):
    """Random specks and strokes of three classes, some crossing the faces between slabs of two
    inlines (the slabs fail this when a stroke is cut at a face): every class's pieces are the
    components ``ndimage.label`` finds over the whole volume, voxel for voxel and in its order,
    with and without a mask of samples with data."""
    rng = np.random.default_rng(seed)
    seeds = rng.choice(np.arange(4, dtype=np.uint8), size=shape, p=[0.8, 0.08, 0.06, 0.06])
    seeds[:, :, shape[2] // 2] = 2  # one sheet that crosses every slab face
    live = rng.random(shape) > 0.1
    monkeypatch.setattr(slabs, "SLAB_VOXELS", 2 * shape[1] * shape[2])
    for c in (1, 2, 3):
        for mask in (None, live):
            ours = stroke_pieces(seeds, c, mask)
            theirs = _scipy_pieces(seeds, c, mask)
            assert len(ours) == len(theirs)
            for a, b in zip(ours, theirs, strict=True):
                np.testing.assert_array_equal(a, b)


def test_a_class_with_no_strokes_has_no_pieces():
    seeds = np.zeros((2, 5, 6), np.uint8)
    assert stroke_pieces(seeds, 1) == []
    seeds[1, 2, 3] = 1
    assert stroke_pieces(seeds, 1, np.zeros(seeds.shape, bool)) == []


def test_erased_classes_are_those_that_lost_a_painted_voxel(monkeypatch):
    monkeypatch.setattr(slabs, "SLAB_VOXELS", 8 * 4 * 6)  # slabs of 8 inlines: the changes lie in different ones
    before = np.zeros((70, 4, 6), np.uint8)
    before[0, 0, 0] = 1
    before[69, 3, 5] = 2
    before[30, 1, 1] = 3
    after = before.copy()
    after[69, 3, 5] = 0  # class 2 erased
    after[30, 1, 1] = 1  # class 3 painted over by class 1
    after[10, 2, 2] = 4  # a new stroke erases nothing
    assert erased_classes(before, after) == {2, 3}
    assert erased_classes(before, before) == set()
