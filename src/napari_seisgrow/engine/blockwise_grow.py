"""Region growing block by block on dask: one connected-components pass, merged on the caller.

The one-pass (radius 1) growth is a connected-components question, so it splits into a pass that
labels each block's components and returns its boundary planes, a small union-find over the
components that touch across block boundaries (on the caller's machine), and a pass that writes
each block's labels. A maximum reach is a box dilation of each class's labelled voxels, computed
blockwise with a halo of the reach.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

import numpy as np

from .blockwise import shared
from .config import per_class
from .grow import candidates, dilate_axis


def _reach_mask(own, reach: int):
    """Box dilation of a lazy bool array by ``reach``: three 1-D passes, each with a halo on its axis."""
    out = own.astype(np.uint8)
    for axis in range(3):
        if out.shape[axis] == 1:
            continue
        depth = {a: (min(reach, out.shape[axis] - 1) if a == axis else 0) for a in range(3)}
        out = out.map_overlap(dilate_axis, depth=depth, boundary="none", reach=reach, axis=axis, dtype=np.uint8)
    return out.astype(bool)


def _block_labels(start, winner, conf, thresholds: list[float]):
    cand = winner.map_blocks(
        lambda w, c: candidates(w, c, thresholds), conf, dtype=np.uint8
    )  # fmt: skip
    return start.map_blocks(lambda s, c: np.where(s > 0, s, c), cand, dtype=np.uint8)


def _components(labels: np.ndarray) -> tuple[np.ndarray, int]:
    import cc3d

    cc, n = cc3d.connected_components(np.ascontiguousarray(labels), connectivity=26, out_dtype=np.uint32,
                                      return_N=True)  # fmt: skip
    return cc, int(n)


def _local_classes(labels: np.ndarray, start: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A block's components, each one's class, and whether it holds a labelled voxel."""
    cc, n = _components(labels)
    cls = np.zeros(n + 1, dtype=np.uint8)
    cls[cc.ravel()] = labels.ravel()
    seeded = np.zeros(n + 1, dtype=bool)
    seeded[cc[start > 0]] = True
    seeded[0] = False
    return cc, cls, seeded


def _summarise_block(labels: np.ndarray, start: np.ndarray) -> dict[str, Any]:
    """What the merge needs from a block: only the components on its faces (the others are
    decided inside the block), with their classes, seeded flags and the six boundary planes."""
    cc, cls, seeded = _local_classes(labels, start)
    faces = {}
    for axis in range(3):
        faces[(axis, 0)] = np.take(cc, 0, axis=axis).copy()
        faces[(axis, 1)] = np.take(cc, cc.shape[axis] - 1, axis=axis).copy()
    on_face = np.unique(np.concatenate([f.ravel() for f in faces.values()]))
    on_face = on_face[on_face > 0]
    return {"ids": on_face, "cls": cls[on_face], "seeded": seeded[on_face], "faces": faces}


def _merge(summaries: dict[tuple[int, ...], dict[str, Any]], numblocks: tuple[int, ...], chunks) -> dict:
    """Union-find over the face components of all blocks; each block gets (ids, classes) back.

    Memory follows the blocks' surface, not the volume: interior components never leave their block.
    """
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    order = list(itertools.product(*(range(n) for n in numblocks)))
    offset, total = {}, 0
    for b in order:
        offset[b] = total
        total += len(summaries[b]["ids"])
    cls = np.concatenate([summaries[b]["cls"] for b in order]) if total else np.zeros(0, np.uint8)
    seeded = np.concatenate([summaries[b]["seeded"] for b in order]) if total else np.zeros(0, bool)
    us, vs = [], []
    for axis in range(3):
        others = [a for a in range(3) if a != axis]
        for r in range(numblocks[axis] - 1):
            a_all = _plane(summaries, offset, chunks, axis, r, 1, others)
            hi_plane = _plane(summaries, offset, chunks, axis, r + 1, 0, others)
            for d0, d1 in itertools.product((-1, 0, 1), repeat=2):
                a = a_all
                b = _shifted(hi_plane, d0, d1)
                ok = (a >= 0) & (b >= 0)
                a, b = a[ok], b[ok]
                keep = cls[a] == cls[b]
                us.append(a[keep])
                vs.append(b[keep])
    u = np.concatenate(us) if us else np.zeros(0, np.int64)
    v = np.concatenate(vs) if vs else np.zeros(0, np.int64)
    graph = coo_matrix((np.ones(len(u), dtype=np.int8), (u, v)), shape=(total, total))
    _, group = connected_components(graph, directed=False)
    grown_class = np.zeros(int(group.max(initial=0)) + 1, dtype=np.uint8)
    grown_class[group[seeded]] = cls[seeded]
    final = grown_class[group]
    return {b: (summaries[b]["ids"], final[offset[b] : offset[b] + len(summaries[b]["ids"])].copy()) for b in order}


def _plane(summaries, offset, chunks, axis, row, side, others) -> np.ndarray:
    """The whole boundary plane, as merge node numbers (-1 for background), on one side of a boundary."""
    a0, a1 = others
    plane = np.full((sum(chunks[a0]), sum(chunks[a1])), -1, dtype=np.int64)
    s0 = 0
    for i, n0 in enumerate(chunks[a0]):
        s1 = 0
        for j, n1 in enumerate(chunks[a1]):
            b = [0, 0, 0]
            b[axis], b[a0], b[a1] = row, i, j
            b = tuple(b)
            face = summaries[b]["faces"][(axis, side)]
            ids = summaries[b]["ids"]
            node = np.searchsorted(ids, face).astype(np.int64) + offset[b]
            plane[s0 : s0 + n0, s1 : s1 + n1] = np.where(face > 0, node, -1)
            s1 += n1
        s0 += n0
    return plane


def _shifted(plane: np.ndarray, d0: int, d1: int) -> np.ndarray:
    """``plane[i + d0, j + d1]`` with -1 outside, same shape as ``plane``."""
    out = np.full(plane.shape, -1, dtype=np.int64)
    n0, n1 = plane.shape
    src = plane[max(0, d0) : n0 + min(0, d0), max(0, d1) : n1 + min(0, d1)]
    out[max(0, -d0) : n0 + min(0, -d0), max(0, -d1) : n1 + min(0, -d1)] = src
    return out


def _write_block(labels: np.ndarray, start: np.ndarray, merged: dict, block_id=None) -> np.ndarray:
    """A block's grown labels: its own components decided here, its face components by the merge."""
    cc, cls, seeded = _local_classes(labels, start)
    lut = np.where(seeded, cls, 0).astype(np.uint8)
    ids, final = merged[tuple(block_id)]
    lut[ids] = final
    return np.take(lut, cc)


def grow_lazy(
    seeds,
    winner,
    confidence,
    thresholds: Sequence[float],
    *,
    max_reach: int = 1024,
    previous=None,
):
    """Radius-1 growth as a dask array, equal to ``grow.grow_connected`` on the same inputs.

    The first pass is computed here (block summaries are small), so this returns once the merge
    is known; the result's blocks are computed when it is stored.
    """
    import dask
    import dask.array as da

    w = winner if isinstance(winner, da.Array) else da.from_array(winner)
    chunks = w.chunks
    conf = da.asarray(confidence).rechunk(chunks)
    seeds_d = da.asarray(seeds).astype(np.uint8).rechunk(chunks)
    start = seeds_d if previous is None else da.asarray(previous).astype(np.uint8).rechunk(chunks)
    if previous is not None:
        start = da.where(seeds_d > 0, seeds_d, start)
    n_classes = int(max(int(start.max().compute()), int(w.max().compute())))
    ts = per_class(thresholds, max(1, n_classes))
    labels = _block_labels(start, w, conf, ts)
    if max_reach < max(w.shape) - 1:
        for c in range(1, n_classes + 1):
            near = _reach_mask(start == c, max_reach)
            labels = da.where((labels == c) & (start == 0) & ~near, np.uint8(0), labels)
    labels = labels.rechunk(chunks)
    blocks = labels.to_delayed()
    starts = start.to_delayed()
    index = list(itertools.product(*(range(n) for n in labels.numblocks)))
    tasks = [dask.delayed(_summarise_block)(blocks[b], starts[b]) for b in index]
    summaries = dict(zip(index, dask.compute(*tasks), strict=True))
    merged = _merge(summaries, labels.numblocks, chunks)
    return da.map_blocks(_write_block, labels, start, shared(merged), dtype=np.uint8)
