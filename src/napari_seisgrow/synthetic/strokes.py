"""Seed simulators: what an interpreter paints, made from the truth.

* ``seed_inlines``: whole inlines labelled, as when key lines are interpreted in full;
* ``seed_scribbles``: short straight strokes inside each class, tilted up to 20 degrees;
* ``seed_bedding_strokes``: strokes that follow the bedding (an iso-surface of the known
  relative geologic time) as an interpreter paints along a reflector, a few per class on a few
  sections, the rarest class only one short stroke.
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage


def seed_inlines(truth: np.ndarray, n: int = 2) -> np.ndarray:
    """Full labels on ``n`` evenly spaced inlines, as an interpreter labelling key lines."""
    seeds = np.zeros_like(truth, dtype=np.uint8)
    for k in inline_positions(truth.shape[0], n):
        seeds[k] = truth[k]
    return seeds


def inline_positions(ni: int, n: int) -> list[int]:
    return sorted({round((k + 1) * ni / (n + 1)) for k in range(n)} & set(range(ni)))


def seed_scribbles(
    truth: np.ndarray,
    n_inlines: int = 3,
    fraction: float = 0.002,
    strokes_per_class: int = 2,
    seed: int = 0,
) -> np.ndarray:
    """Short strokes painted inside each class on a few inlines, about ``fraction`` of voxels.

    Strokes run roughly along bedding (mostly lateral, tilted up to 20 degrees), three pixels
    wide, and stop at class boundaries as a careful interpreter's would.
    """
    rng = np.random.default_rng(seed)
    seeds = np.zeros_like(truth, dtype=np.uint8)
    rows = inline_positions(truth.shape[0], n_inlines)
    classes = [int(c) for c in np.unique(truth) if c > 0]
    budget = fraction * truth.size / max(1, len(rows) * len(classes) * strokes_per_class)
    length = int(np.clip(budget / 3.0, 4, max(truth.shape[1], 8)))
    for r in rows:
        section = truth[r]
        for c in classes:
            mask = section == c
            pts = _start_points(mask)
            if pts is None:
                continue
            for _ in range(strokes_per_class):
                x0, t0 = pts[rng.integers(len(pts))]
                ang = rng.uniform(-0.35, 0.35)
                s = np.arange(-length // 2, length - length // 2)
                xs = np.round(x0 + s * np.cos(ang)).astype(int)
                ts = np.round(t0 + s * np.sin(ang)).astype(int)
                for dt in (-1, 0, 1):
                    ok = (xs >= 0) & (xs < section.shape[0]) & (ts + dt >= 0) & (ts + dt < section.shape[1])
                    x, t = xs[ok], ts[ok] + dt
                    keep = section[x, t] == c
                    seeds[r, x[keep], t[keep]] = c
    return seeds


def seed_bedding_strokes(
    truth: np.ndarray,
    rgt: np.ndarray,
    n_sections: int = 3,
    strokes_per_class: int = 2,
    length: float = 0.3,
    seed: int = 0,
    axis: int = 0,
) -> np.ndarray:
    """Strokes along the bedding, as an interpreter paints them, on ``n_sections`` sections.

    Each stroke starts inside a class, then follows the reflector through its start (the
    iso-surface of the known relative geologic time ``rgt``) sideways for about ``length`` of the
    section's width, three samples thick, and stops where the class or the reflector ends (a
    fault, a pinch-out). The rarest class gets one stroke of half the length. ``axis`` 0 paints on
    inlines, 1 on crosslines; a single-inline volume is painted on its one section.
    """
    rng = np.random.default_rng(seed)
    seeds = np.zeros_like(truth, dtype=np.uint8)
    if truth.shape[axis] == 1:
        rows = [0]
    else:
        rows = inline_positions(truth.shape[axis], n_sections)
    counts = np.bincount(truth.ravel(), minlength=int(truth.max()) + 1)
    classes = [int(c) for c in np.unique(truth) if c > 0]
    rarest = min(classes, key=lambda c: counts[c])
    for r in rows:
        section = np.take(truth, r, axis=axis)
        age = np.take(rgt, r, axis=axis)
        painted = np.zeros(section.shape, np.uint8)
        for c in classes:
            mask = section == c
            pts = _start_points(mask)
            if pts is None:
                continue
            n = 1 if c == rarest else strokes_per_class
            half = max(2, int(length * section.shape[0] / (4 if c == rarest else 2)))
            for _ in range(n):
                x0, t0 = pts[rng.integers(len(pts))]
                _paint_along(painted, mask, age, int(x0), int(t0), half, c)
        sl = [slice(None)] * 3
        sl[axis] = r
        seeds[tuple(sl)] = painted
    return seeds


def stroke_at(truth: np.ndarray, rgt: np.ndarray, inline: int, trace: int, sample: int, half: int) -> np.ndarray:
    """One stroke along the bedding through a chosen point of one inline, in the class the truth
    has there (what an interpreter paints where asked): the inline's painted section."""
    section, age = truth[inline], rgt[inline]
    c = int(section[trace, sample])
    painted = np.zeros(section.shape, np.uint8)
    if c > 0:
        _paint_along(painted, section == c, age, int(trace), int(sample), max(2, half), c)
    return painted


def _start_points(mask: np.ndarray) -> np.ndarray | None:
    """Where a stroke may start: well inside the class (two pixels from its edge) when it is thick
    enough, anywhere in it otherwise; None when the class is not on this section."""
    if not mask.any():
        return None
    inner = ndimage.binary_erosion(mask, iterations=2)
    return np.argwhere(inner if inner.any() else mask)


def _paint_along(painted: np.ndarray, mask: np.ndarray, age: np.ndarray, x0: int, t0: int, half: int, c: int) -> None:
    """Follow the iso-age line through (x0, t0) both ways for ``half`` traces, inside ``mask``."""
    nx, nt = mask.shape
    a0 = age[x0, t0]
    for step in (1, -1):
        t = t0
        for k in range(half if step == 1 else half - 1):
            x = x0 + step * k
            if x < 0 or x >= nx:
                break
            lo, hi = max(0, t - 3), min(nt, t + 4)
            window = np.abs(age[x, lo:hi] - a0)
            tt = lo + int(np.argmin(window))
            rate = abs(float(age[x, min(tt + 1, nt - 1)]) - float(age[x, max(tt - 1, 0)])) / 2
            if not mask[x, tt] or window.min() > 1.5 * rate + 1e-6:
                break  # the reflector ends here (a fault, a pinch-out) or leaves the class
            t = tt
            for dt in (-1, 0, 1):
                if 0 <= t + dt < nt and mask[x, t + dt]:
                    painted[x, t + dt] = c
