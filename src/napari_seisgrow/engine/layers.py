"""Working along the layering: a volume flattened on the stratigraphic coordinate, and back.

In the flattened volume every reflector is a horizontal plane, so "the same layer a few traces
away" is a lateral neighbour. Completion uses it: a voxel no class could grow into takes the class
of the nearest labelled voxel, where a step across the layering costs far more than a step along
it (``reach`` traces along the layer cost as much as one sample across).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from scipy import ndimage

from .nearest import nearest_labels
from .slabs import inline_slabs


def flat_positions(tau: np.ndarray) -> tuple[np.ndarray, int, float]:
    """Per voxel, its row in the flattened volume (int32), the number of rows and the first row's tau."""
    lo = float(np.floor(tau.min()))
    rows = np.empty(tau.shape, np.int32)
    for s in inline_slabs(tau.shape):  # the difference and its rounding are a slab's, not the volume's
        rows[s] = np.round(tau[s] - lo)
    return rows, int(rows.max()) + 1, lo


def _row_span(tau: Any) -> tuple[float, int]:
    """The first flattened row's level and the number of rows, for a coordinate held whole or read
    a slab at a time (``channels.StratValues``), with the arithmetic ``flat_positions`` uses: the
    rows must be the same to the row, since the fill's float32 distances break near-ties
    differently when every row is shifted by one."""
    low, high = np.inf, -np.inf
    for s in inline_slabs(tau.shape):
        part = np.asarray(tau[s])
        low, high = min(low, float(part.min())), max(high, part.max())
    first = float(np.floor(low))
    return first, int(np.round(np.float32(high) - np.float32(first))) + 1  # float32, as the rows below


def fill_along_layers(labels: np.ndarray, tau: Any, reach: float = 10.0) -> np.ndarray:
    """Every 0 of ``labels`` takes the class of the nearest labelled voxel in the flattened volume.

    The distance counts ``reach`` traces along a layer as one sample across layers, so a gap
    between two classes in a trace is split where the layering says, not halfway down the trace.
    Labelled voxels are kept. A volume with no labels at all is returned as it is. Classes are
    1..255, as in every label volume of the package (the fill works on uint8).

    ``tau`` is the coordinate, an array or anything that reads a slab of inlines
    (``channels.StratValues``): it is read three times, a slab at a time, and neither it nor the
    voxels' rows are held whole beside the flattened volume and its distances (8 bytes a voxel:
    at F3 size the fill set the run's peak, docs/benchmarks.md).
    """
    out = np.array(labels, copy=True)
    if not (out == 0).any() or not (out > 0).any():
        return out
    if out.dtype != np.uint8 and (out.min() < 0 or out.max() > 255):
        raise ValueError("fill_along_layers takes classes 0..255")
    first, n_rows = _row_span(tau)
    ni, nx, _ = out.shape
    flat = np.zeros((ni, nx, n_rows), np.uint8)
    for s in inline_slabs(out.shape):  # where two labelled samples land on one row the deeper wins
        rows = np.round(np.asarray(tau[s]) - first).astype(np.int32)
        part = out[s]
        held = part > 0
        ii, jj, _ = np.nonzero(held)
        flat[s][ii, jj, rows[held]] = part[held]
    along = 1.0 / min(max(reach, 1e-6), 1e6)  # a step along the layer, in samples across it
    sampling = [along if n > 1 else 1.0 for n in flat.shape[:2]] + [1.0]
    nearest_labels(flat, sampling)  # engine/nearest.py: scipy's transform held 15 bytes a flattened voxel
    for s in inline_slabs(out.shape):  # take_along_axis makes intp copies of its indices: a slab's
        rows = np.round(np.asarray(tau[s]) - first).astype(np.int32)
        back = np.take_along_axis(flat[s], rows, axis=2)
        part = out[s]
        hole = part == 0
        part[hole] = back[hole]
    return out


def agreeing_regions(open_voxels: np.ndarray, agree: np.ndarray, share: float) -> np.ndarray:
    """The open voxels whose 26-connected open region has both networks agreeing on at least
    ``share`` of its voxels.

    Growth stops where the networks are unsure or where a class's voxels are cut off from its
    seeds (a unit of a known facies with no stroke in it). In the second case the two views, the
    texture network and the position network, still agree with each other, and their answer is
    the better one; where they disagree, the layering decides.
    """
    from .grow import components

    if not open_voxels.any():
        return np.zeros(open_voxels.shape, bool)
    raw, lut = components(open_voxels.astype(np.uint8))
    n = int(lut.max()) + 1
    size, agreeing = np.zeros(n, np.int64), np.zeros(n, np.int64)
    slabs = inline_slabs(open_voxels.shape)  # bincount copies its input to int64: a slab's, not the volume's
    for s in slabs:
        region = lut[raw[s]]
        size += np.bincount(region.ravel(), minlength=n)
        agreeing += np.bincount(region[np.asarray(agree[s], bool) & open_voxels[s]], minlength=n)
    good = agreeing >= share * np.maximum(size, 1)
    good[0] = False
    out = np.empty(open_voxels.shape, bool)
    for s in slabs:
        out[s] = good[lut[raw[s]]]
    return out


def class_ranges(seeds: np.ndarray, tau: np.ndarray, n_classes: int) -> tuple[np.ndarray, np.ndarray]:
    """Per class (index 1..K), the lowest and highest stratigraphic coordinate of its seeds
    (+inf / -inf for a class with none)."""
    lo = np.full(n_classes + 1, np.inf, np.float32)
    hi = np.full(n_classes + 1, -np.inf, np.float32)
    held = seeds > 0
    cls, values = seeds[held].astype(np.int64), tau[held]
    np.minimum.at(lo, cls, values)
    np.maximum.at(hi, cls, values)
    return lo, hi


def within_envelope(winner: np.ndarray, tau: np.ndarray, lo: np.ndarray, hi: np.ndarray, margin: float) -> np.ndarray:
    """Whether each voxel's winning class was painted within ``margin`` of its coordinate.

    A class grows only inside the stratigraphic interval its strokes span, widened by the margin:
    a texture that recurs far above or below (a parallel-bedded unit looks like many others)
    does not carry a unit's label across the layers between.
    """
    low, high = np.asarray(lo) - margin, np.asarray(hi) + margin  # per class, so no voxel computes them
    if np.ndim(tau) == 0 or np.shape(winner) != np.shape(tau):  # broadcasting shapes: no slabs to cut
        w = np.asarray(winner, dtype=np.int64).clip(0, len(lo) - 1)
        return (tau >= low[w]) & (tau <= high[w])
    out = np.empty(np.shape(tau), bool)
    for s in inline_slabs(out.shape):  # each class's bounds gathered per voxel: a slab's, not the volume's
        w = np.asarray(winner[s], dtype=np.int64).clip(0, len(lo) - 1)
        t = tau[s]
        out[s] = (t >= low[w]) & (t <= high[w])
    return out


def clear_of_other_strokes(
    winner: np.ndarray, tau: np.ndarray, lo: np.ndarray, hi: np.ndarray, margin: float
) -> np.ndarray:
    """Whether each voxel's winning class may take it without entering another class's painted
    interval: False where the coordinate lies within ``margin`` of the interval some other class's
    strokes span and the winner's own strokes do not span it too.

    The growth envelope alone lets a class grow some samples past its strokes, which is more than
    a thin unit is thick: the thick units on either side grow over it, training then teaches the
    networks that the thin unit is theirs, and its one short stroke is all it keeps. A layer that
    holds another class's strokes, and none of the winner's, is left to that class (or to the
    completion along the layering, which reaches it from those strokes).
    """
    w = np.asarray(winner)
    own = np.zeros(w.shape, bool)
    others = np.zeros(w.shape, np.uint8)
    for k in range(1, len(lo)):
        if not np.isfinite(lo[k]):
            continue
        inside = (tau >= lo[k] - margin) & (tau <= hi[k] + margin)
        own |= inside & (w == k)
        others += inside
    return own | (others == 0)


def nearest_painted_interval(winner: np.ndarray, tau: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Whether each voxel's winning class has, of all classes, the painted interval nearest to it
    in the stratigraphic coordinate (ties included).

    A stricter rule than ``clear_of_other_strokes``: the boundary between two units painted one
    above the other can lie no further from either than halfway between their strokes, so a class
    the networks favour cannot push its neighbour's boundary towards the neighbour's strokes.
    Where the painted intervals overlap (a facies painted at several levels) it restricts nothing
    there.
    """
    w = np.asarray(winner)
    nearest = np.full(w.shape, np.inf, np.float32)
    own = np.full(w.shape, np.inf, np.float32)
    for k in range(1, len(lo)):
        if not np.isfinite(lo[k]):
            continue
        gap = np.maximum(np.maximum(lo[k] - tau, tau - hi[k]), 0.0)
        np.minimum(nearest, gap, out=nearest)
        own = np.where(w == k, gap, own)
    return own <= nearest


def smooth_along_layers(
    winner: np.ndarray, confidence: np.ndarray, tau: np.ndarray, n_classes: int, sigma: float, live: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The networks' votes averaged along the layering: (winner 1..K uint8, confidence float16).

    Each class's vote is its winning probability where it wins (0 elsewhere). In the flattened
    volume the votes are averaged over a Gaussian of ``sigma`` traces along each layer (never
    across layers), and every voxel takes the class with the largest average, which is also its
    new confidence. A section's networks judge each voxel from a patch that cuts across the
    reflectors, so their class boundaries wander across them; an interpreter's follow the layer,
    and so does a boundary decided by the neighbours along the same layer. Where every neighbour
    along the layer agrees, nothing changes. Samples without data (``live`` False) neither vote
    nor change.
    """
    rows, n_rows, _ = flat_positions(tau)
    ni, nx = tau.shape[:2]
    cell = ((np.arange(ni)[:, None, None] * nx + np.arange(nx)[None, :, None]) * n_rows + rows).ravel()
    size = ni * nx * n_rows
    sig = [sigma if n > 1 else 0.0 for n in (ni, nx)] + [0.0]
    keep = live.ravel()
    cell_live = cell[keep]
    count = np.bincount(cell_live, minlength=size).astype(np.float32).reshape(ni, nx, n_rows)
    spread = ndimage.gaussian_filter(count, sig, mode="nearest")
    np.maximum(spread, 1e-6, out=spread)
    w = np.asarray(winner).ravel()[keep]
    c = np.asarray(confidence).ravel()[keep].astype(np.float32)
    best = np.zeros(int(keep.sum()), np.float32)
    best_class = np.zeros(best.shape, np.uint8)
    for k in range(1, n_classes + 1):
        votes = np.bincount(cell_live, weights=np.where(w == k, c, 0.0), minlength=size).astype(np.float32)
        avg = ndimage.gaussian_filter(votes.reshape(ni, nx, n_rows), sig, mode="nearest")
        avg /= spread
        mine = avg.ravel()[cell_live]
        better = mine > best
        best[better] = mine[better]
        best_class[better] = k
    out_w = np.array(winner, dtype=np.uint8, copy=True)
    out_c = np.array(confidence, dtype=np.float16, copy=True)
    out_w.reshape(-1)[keep] = np.where(best_class > 0, best_class, w)
    out_c.reshape(-1)[keep] = best.astype(np.float16)
    return out_w, out_c


PAINTED_LAYER_MARGIN = 1.0  # samples of the coordinate around another class's strokes that a class keeps out of


def growable_confidence(
    confidence: np.ndarray,
    winner: np.ndarray,
    live: np.ndarray,
    tau: np.ndarray | None,
    seeds: np.ndarray,
    n_classes: int,
    envelope: float,
    claims: str = "off",
    unbounded: Sequence[int] = (),
) -> np.ndarray:
    """The confidence growth sees: zero where growth must not go. Nothing grows into dead samples
    (``live`` False: runs of zeros, ``engine.dead``); with ``envelope`` > 0 a class grows only
    within that many samples of the stratigraphic interval its strokes span, except the classes
    in ``unbounded``; and ``claims`` (``painted`` or ``nearest``) keeps a class out of layers
    other classes painted. Without the coordinate ``tau`` only the first rule applies."""
    allowed = live
    if tau is not None and (envelope > 0 or claims != "off"):
        lo, hi = class_ranges(seeds, tau, n_classes)
        if envelope > 0:
            free = [c for c in unbounded if 0 < c <= n_classes]
            low, high = lo.copy(), hi.copy()
            low[free], high[free] = -np.inf, np.inf
            allowed = allowed & within_envelope(winner, tau, low, high, envelope)
        if claims == "painted":
            allowed = allowed & clear_of_other_strokes(winner, tau, lo, hi, PAINTED_LAYER_MARGIN)
        elif claims == "nearest":
            allowed = allowed & nearest_painted_interval(winner, tau, lo, hi)
    if allowed.all():
        return confidence
    return np.where(allowed, confidence, np.float16(0)).astype(confidence.dtype, copy=False)
