"""Seeded region growing on whole arrays (torch; on the GPU when training there).

From the seeds, each class claims unassigned candidate voxels within a box of radius r of its
voxels, and repeats from what it just claimed until nothing changes or the maximum reach is
spent. Candidates of class c are voxels whose probability for c passes t_c and is the largest.
A voxel claimed by two classes in the same step stays unassigned for good, and the seeds are
never overwritten. Only the frontier (voxels claimed in the previous step) is dilated, which
gives the same result as dilating every labelled voxel: older voxels' neighbours were claimed
(or contested) when those voxels were the frontier.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence

import numpy as np
import torch

from .config import per_class
from .slabs import inline_step

CONTESTED = 255


def _dilate(mask: torch.Tensor, r: int) -> torch.Tensor:
    """Box dilation of a bool tensor by radius ``r`` on every axis, by OR of shifted views.

    Per axis the radius is covered in doubling steps (1, 2, 4, ...), so a radius of 15 costs
    four passes rather than thirty; bool ORs are far cheaper than float max-pooling on a CPU.
    """
    out = mask.clone()
    for axis in range(out.dim()):
        n = out.shape[axis]
        covered = 0
        while covered < r:
            step = min(covered + 1, r - covered)
            if step < n:
                src = out.clone()
                out.narrow(axis, step, n - step).logical_or_(src.narrow(axis, 0, n - step))
                out.narrow(axis, 0, n - step).logical_or_(src.narrow(axis, step, n - step))
            covered += step
    return out


def candidates_from_winner(
    winner: torch.Tensor, confidence: torch.Tensor, thresholds: Sequence[float], n_classes: int
) -> torch.Tensor:
    """(K, ...) bool: voxel is a candidate of class c when argmax is c and P_c >= t_c."""
    t = torch.tensor(per_class(thresholds, n_classes), device=winner.device)
    w = winner.long()
    ok = (w >= 1) & (w <= n_classes)
    passes = confidence.float() >= t[(w - 1).clamp(0, n_classes - 1)]
    cls = torch.arange(1, n_classes + 1, device=winner.device).view(-1, *([1] * winner.dim()))
    return (w[None] == cls) & (ok & passes)[None]


def candidates_from_probabilities(probs: torch.Tensor, thresholds: Sequence[float]) -> torch.Tensor:
    """(K, ...) bool from full probabilities: P_c >= t_c and P_c is a (possibly tied) maximum."""
    k = probs.shape[0]
    t = torch.tensor(per_class(thresholds, k), device=probs.device)
    top = probs.max(dim=0, keepdim=True).values
    return (probs >= t.view(-1, *([1] * (probs.dim() - 1)))) & (probs >= top)


def grow(
    seeds: torch.Tensor,
    candidates: torch.Tensor,
    *,
    radius: int = 2,
    max_reach: int = 1024,
    start: torch.Tensor | None = None,
) -> tuple[torch.Tensor, int]:
    """Grow ``seeds`` (uint8, 0 = unlabelled) into ``candidates`` ((K, ...) bool).

    ``start`` (accumulate mode) is an earlier grown volume to continue from; it must contain
    the seeds. Returns the grown labels (ties left 0) and the number of steps taken.
    """
    if seeds.dim() != 3:
        raise ValueError("seeds must be 3-D")
    n_classes = candidates.shape[0]
    labels = (start if start is not None else seeds).clone().to(torch.uint8)
    seeded = seeds > 0
    labels[seeded] = seeds[seeded]
    frontier = labels.clone()
    max_steps = max(1, math.ceil(max_reach / max(radius, 1)))
    steps = 0
    for _ in range(max_steps):
        free = labels == 0
        claims = torch.zeros_like(labels)
        claimed_by = torch.zeros_like(labels)
        for c in range(1, n_classes + 1):
            front_c = frontier == c
            if not front_c.any():
                continue
            hit = _dilate(front_c, radius) & candidates[c - 1] & free
            claims += hit.to(torch.uint8)
            claimed_by[hit] = c
        if not claims.any():
            break
        steps += 1
        won = claims == 1
        labels[won] = claimed_by[won]
        labels[claims > 1] = CONTESTED
        frontier = torch.where(won, labels, torch.zeros_like(labels))
        if not won.any():
            break
    labels[labels == CONTESTED] = 0
    return labels, steps


def grow_connected(
    seeds: np.ndarray,
    winner: np.ndarray,
    confidence: np.ndarray,
    thresholds: Sequence[float],
    *,
    max_reach: int = 1024,
    previous: np.ndarray | None = None,
) -> np.ndarray:
    """Radius-1 growth in one pass: 26-connected components of equal class, kept where labelled.

    With radius 1 and candidates from the winning class (each voxel a candidate of one class at
    most, so two classes never claim the same voxel), stepwise growth from the seeds ends at
    exactly the candidates 26-connected to a labelled voxel of their class. Multi-label
    connected components (cc3d, slab by slab: ``held_components``) find them all at once: about
    0.2 s for 256^3 on a laptop CPU, against a minute for stepwise growth. ``max_reach`` bounds
    the Chebyshev distance from the class's own labelled voxels.
    """
    # Whole-volume arrays are made in place where they can be: this runs every epoch, beside the
    # pass's results, and with a copy more of each it set the run's peak at F3 size (docs/benchmarks.md).
    start = np.asarray(seeds if previous is None else previous, dtype=np.uint8).copy()
    seeded = seeds > 0
    start[seeded] = seeds[seeded]
    del seeded
    w = np.asarray(winner, dtype=np.uint8)
    n_classes = int(max(int(start.max(initial=0)), int(w.max(initial=0))))
    labels = candidates(w, confidence, per_class(thresholds, n_classes))
    held = start > 0
    labels[held] = start[held]
    if max_reach < max(labels.shape) - 1:
        labels = _within_reach(labels, start, max_reach)
    del start
    return held_components(labels, held)  # each component holds one class: the labelled ones keep it


def components(labels: np.ndarray, slab: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """26-connected components of equal non-zero value, as ``(raw, lut)``: ``lut[raw]`` labels them.

    cc3d holds the GIL for a whole call (half a second on 24 M voxels), which froze napari while
    training grew labels in its worker thread. The volume is labelled in slabs of inlines, with
    the GIL released between them; components that touch across slab faces are merged by a
    sparse connected-components pass over the touching pairs. The merge is returned as a lookup
    table (``lut[0] == 0``, background everywhere maps to 0) so callers compose it with their own
    lookup and touch the volume once.
    """
    raw = np.empty(labels.shape, dtype=np.uint32)

    def keep(a: int, b: int, cc: np.ndarray) -> None:
        raw[a:b] = cc

    return raw, _merged(labels, slab, keep)


def _slab_components(labels: np.ndarray, a: int, b: int, count: int) -> tuple[np.ndarray, int]:
    """Inlines ``a:b`` labelled, numbered from ``count`` (their background is ``count``)."""
    import cc3d  # only this path needs it

    cc, n = cc3d.connected_components(labels[a:b], connectivity=26, out_dtype=np.uint32, return_N=True)
    cc += np.uint32(count)
    return cc, int(n)


def _merged(labels: np.ndarray, slab: int | None, visit: Callable[[int, int, np.ndarray], None]) -> np.ndarray:
    """The slabs' components merged across their faces: ``visit(a, b, cc)`` sees each slab's numbers
    (offset so that they are unique over the volume) and the lookup table from those numbers to
    merged components is returned (``components``)."""
    import cc3d
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    n0 = labels.shape[0]
    step = inline_step(labels.shape) if slab is None else slab
    if n0 <= step:
        cc, n = _slab_components(labels, 0, n0, 0)
        visit(0, n0, cc)
        return np.arange(n + 1, dtype=np.uint32)
    backgrounds = []
    count = 0
    # Across each face, the components of its two planes (26-connected) tie the slabs' numbers.
    # Each face keeps its distinct (slab component, face component) pairs only: every voxel's pair,
    # kept for all faces until the merge, held 12-28 bytes per voxel of the faces' two planes, half
    # the volume at 4 inlines a slab (the largest array of the completion at F3 size).
    links_raw, links_face = [], []
    faces = 0
    last = None  # the previous slab's numbers on its last inline
    for a in range(0, n0, step):
        b = min(n0, a + step)
        cc, n = _slab_components(labels, a, b, count)
        visit(a, b, cc)
        if last is not None:
            face, nf = cc3d.connected_components(labels[a - 1 : a + 1], connectivity=26, out_dtype=np.uint32,
                                                 return_N=True)  # fmt: skip
            held = face > 0
            sides = np.stack([last, cc[0]])
            pairs = np.unique((sides[held].astype(np.uint64) << np.uint64(32)) | face[held])
            links_raw.append((pairs >> np.uint64(32)).astype(np.int64))
            links_face.append((pairs & np.uint64(0xFFFFFFFF)).astype(np.int64) + faces)  # after the slabs', below
            faces += int(nf) + 1
        last = cc[-1].copy()
        backgrounds.append(count)
        count += n + 1
        del cc
        time.sleep(0)  # let other threads (the viewer's) run between slabs
    u = np.concatenate(links_raw)
    v = np.concatenate(links_face) + count
    nodes = count + faces
    graph = coo_matrix((np.ones(len(u), dtype=np.int8), (u, v)), shape=(nodes, nodes))
    _, group = connected_components(graph, directed=False)
    lut = group[:count].astype(np.uint32) + 1  # one number per merged component, 0 kept free
    lut[backgrounds] = 0
    return lut


def held_components(labels: np.ndarray, held: np.ndarray, slab: int | None = None) -> np.ndarray:
    """``labels`` where their 26-connected component of equal value holds a ``held`` voxel, else 0.

    The components are labelled twice, slab by slab, instead of keeping every voxel's component
    number: that uint32 volume set the run's memory peak in growth (4 bytes a voxel at F3 size,
    docs/benchmarks.md), and labelling a slab again costs a few milliseconds."""
    found: list[np.ndarray] = []  # distinct (component, class) pairs of the held voxels

    def collect(a: int, b: int, cc: np.ndarray) -> None:
        keep = held[a:b]
        found.append(np.unique((cc[keep].astype(np.uint64) << np.uint64(8)) | labels[a:b][keep]))

    lut = _merged(labels, slab, collect)
    pairs = np.concatenate(found) if found else np.zeros(0, np.uint64)
    classes = np.zeros(int(lut.max()) + 1, dtype=np.uint8)
    classes[lut[(pairs >> np.uint64(8)).astype(np.int64)]] = (pairs & np.uint64(0xFF)).astype(np.uint8)
    classes[0] = 0
    table = classes[lut]  # slab component number -> class, or 0
    out = np.empty(labels.shape, np.uint8)
    n0 = labels.shape[0]
    step = inline_step(labels.shape) if slab is None else slab
    count = 0
    for a in range(0, n0, step):  # the same slabs as ``_merged``'s, so the same numbers
        b = min(n0, a + step)
        cc, n = _slab_components(labels, a, b, count)
        np.take(table, cc, out=out[a:b])
        count += n + 1
        time.sleep(0)
    return out


def _at_least(confidence: np.ndarray, threshold: float) -> np.ndarray:
    """``confidence >= threshold`` for non-negative float16, compared as uint16 bit patterns.

    numpy has no vector float16 compare on most CPUs; the bits of non-negative IEEE halves sort
    like their values. The threshold is rounded up to the next half, so the answer is the float32
    comparison's.
    """
    conf = np.asarray(confidence)
    if threshold <= 0:
        return np.ones(conf.shape, dtype=bool)
    if conf.dtype != np.float16:
        return conf >= np.float32(threshold)
    t16 = np.float16(threshold)
    if float(t16) < threshold:
        t16 = np.nextafter(t16, np.float16(np.inf))
    return conf.view(np.uint16) >= t16.view(np.uint16)


def candidates(winner: np.ndarray, confidence: np.ndarray, thresholds: list[float]) -> np.ndarray:
    """The winning class where its probability passes that class's threshold, else 0 (uint8)."""
    if len(set(thresholds)) <= 1:
        t = thresholds[0] if thresholds else 0.0
        return winner * _at_least(confidence, t)
    cand = np.zeros_like(winner)
    for c, t in enumerate(thresholds, start=1):
        hit = (winner == c) & _at_least(confidence, t)
        cand[hit] = c
    return cand


def dilate_axis(mask: np.ndarray, reach: int, axis: int) -> np.ndarray:
    """A box dilation's pass along one axis (``reach`` voxels each way, nothing beyond the edges).

    Three passes, one per axis, make the box: every voxel within a straight-line (Chebyshev)
    distance ``reach``. The blockwise growth runs the same passes on dask blocks with a halo.
    """
    from scipy import ndimage

    return ndimage.maximum_filter1d(mask, 2 * reach + 1, axis=axis, mode="constant", cval=0)


def _within_reach(labels: np.ndarray, start: np.ndarray, reach: int) -> np.ndarray:
    """Drop candidates farther than ``reach`` (Chebyshev) from every labelled voxel of their class."""
    out = labels.copy()
    for c in np.unique(labels[(labels > 0) & (start == 0)]):
        near = (start == c).astype(np.uint8)
        if not near.any():
            out[(labels == c) & (start == 0)] = 0
            continue
        for axis in range(near.ndim):
            if near.shape[axis] > 1:
                near = dilate_axis(near, reach, axis)
        out[(labels == c) & (start == 0) & (near == 0)] = 0
    return out


def grow_numpy(
    seeds: np.ndarray,
    winner: np.ndarray,
    confidence: np.ndarray,
    thresholds: Sequence[float],
    *,
    radius: int = 2,
    max_reach: int = 1024,
    previous: np.ndarray | None = None,
    device: torch.device | str = "cpu",
) -> np.ndarray:
    """Region growing from the compact (winner, confidence) prediction; numpy in, numpy out.

    Radius 1 takes the one-pass connected-components route; larger radii (growth that jumps
    gaps) step through dilations in torch, on the training device.
    """
    if radius == 1:
        return grow_connected(seeds, winner, confidence, thresholds, max_reach=max_reach, previous=previous)
    dev = torch.device(device)
    if dev.type == "cuda":
        try:
            return _grow_numpy_on(dev, seeds, winner, confidence, thresholds, radius, max_reach, previous)
        except torch.cuda.OutOfMemoryError:
            torch.cuda.empty_cache()  # the same growth on the CPU: slower, never a different answer
            dev = torch.device("cpu")
    return _grow_numpy_on(dev, seeds, winner, confidence, thresholds, radius, max_reach, previous)


def _grow_numpy_on(dev, seeds, winner, confidence, thresholds, radius, max_reach, previous) -> np.ndarray:
    n_classes = int(max(int(seeds.max(initial=0)), int(winner.max(initial=0))))
    if n_classes == 0:
        return seeds.copy()
    s = torch.from_numpy(np.ascontiguousarray(seeds, dtype=np.uint8)).to(dev)
    w = torch.from_numpy(np.ascontiguousarray(winner, dtype=np.uint8)).to(dev)
    c = torch.from_numpy(np.ascontiguousarray(confidence)).to(dev)
    cand = candidates_from_winner(w, c, thresholds, n_classes)
    start = None if previous is None else torch.from_numpy(np.ascontiguousarray(previous, dtype=np.uint8)).to(dev)
    out, _ = grow(s, cand, radius=radius, max_reach=max_reach, start=start)
    return out.cpu().numpy()
