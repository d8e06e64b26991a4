"""A class's painted strokes as lists of voxels, found without a volume-sized label array.

The layering looks at each connected stroke of a unit (its span in the coordinate, whether it runs
along the bedding). ``scipy.ndimage.label`` over the class's bounding box answers that with an
int32 label per voxel of the box, and on a survey whose strokes lie on inlines far apart the box
is most of the volume: 4 bytes a voxel, plus a boolean copy, for a few thousand painted voxels.
Here the painted voxels are gathered a slab of inlines at a time and joined by their 26
neighbours in a sparse graph, so the memory is the strokes', not the volume's.
"""

from __future__ import annotations

from itertools import product
from typing import Any

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from .slabs import inline_slabs

_FORWARD = np.array([d for d in product((-1, 0, 1), repeat=3) if d > (0, 0, 0)])  # each neighbour pair once


def stroke_pieces(seeds: Any, c: int, live: Any = None) -> list[np.ndarray]:
    """Each connected stroke of class ``c`` (26-connected, as ``ndimage.label`` with a full 3 x 3
    x 3 structure) as an ``(n, 3)`` array of its voxels' (inline, crossline, sample), in the order
    ``ndimage.label`` would number them (by each stroke's first voxel in C order). With ``live``,
    only painted voxels with data count."""
    shape = tuple(int(n) for n in seeds.shape)
    found = []
    for s in inline_slabs(shape):
        mine = np.asarray(seeds[s]) == c
        if live is not None:
            mine &= np.asarray(live[s])
        at = np.argwhere(mine)
        at[:, 0] += s.start
        found.append(at)
    voxels = np.concatenate(found) if found else np.zeros((0, 3), np.int64)
    n = len(voxels)
    if n == 0:
        return []
    key = np.ravel_multi_index(voxels.T, shape)  # ascending: C order within each slab, slabs in order
    rows, cols = [np.arange(n)], [np.arange(n)]
    for step in _FORWARD:
        near = voxels + step
        inside = np.all((near >= 0) & (near < shape), axis=1)
        k = np.ravel_multi_index(near[inside].T, shape)
        pos = np.minimum(np.searchsorted(key, k), n - 1)
        hit = key[pos] == k
        rows.append(np.flatnonzero(inside)[hit])
        cols.append(pos[hit])
    r, q = np.concatenate(rows), np.concatenate(cols)
    graph = coo_matrix((np.ones(len(r), np.int8), (r, q)), shape=(n, n))
    _, label = connected_components(graph, directed=False)
    first = np.full(label.max() + 1, n)
    np.minimum.at(first, label, np.arange(n))  # a stroke's first voxel in C order names its place
    order = np.argsort(first[label], kind="stable")
    cuts = np.flatnonzero(np.diff(first[label][order])) + 1
    return [voxels[piece] for piece in np.split(order, cuts)]


def erased_classes(before: Any, after: Any) -> set[int]:
    """The classes with a voxel painted in ``before`` and not in ``after``: strokes the interpreter
    erased or painted over. Read a slab of inlines at a time, like the strokes themselves."""
    erased: set[int] = set()
    for s in inline_slabs(tuple(int(n) for n in before.shape)):
        old, new = np.asarray(before[s]), np.asarray(after[s])
        gone = (old > 0) & (new != old)
        if gone.any():
            erased.update(int(c) for c in np.unique(old[gone]))
    return erased
