"""Further stroke draws on the F3 sections, following the two protocols of the data's README.

The given stroke sets are one draw each; the method is judged on others. Scoring a change on
these too keeps it from fitting one draw: ``f3_sections.py --draws K`` adds K of each.

- ``scribbles``: three strokes per unit, 40 samples long in a random direction, 5 samples thick,
  wholly inside the unit and at least 3 samples off its boundaries (shorter attempts are redrawn);
- ``bedding``: two strokes per unit along the unit's middle, 60 traces long, 3 samples thick, on
  traces where the unit is at least 5 samples thick.

Strokes may lie on dead samples, as the given ones do (the top unit is mostly dead samples).
"""

from __future__ import annotations

import numpy as np
from scipy.ndimage import distance_transform_edt


def draw_scribbles(truth: np.ndarray, rng: np.random.Generator, per_unit: int = 3, length: int = 40,
                   thick: int = 5) -> np.ndarray:  # fmt: skip
    """``truth`` (traces x samples, units 1..K) -> strokes of the same shape (0 = unpainted)."""
    n, nt = truth.shape
    out = np.zeros_like(truth)
    along = np.linspace(-length / 2, length / 2, 2 * length)
    for unit in range(1, int(truth.max()) + 1):
        inside = truth == unit
        depth = distance_transform_edt(inside)
        centres = np.argwhere(depth >= thick)
        made = tries = 0
        while len(centres) and made < per_unit and tries < 500:
            tries += 1
            c, angle = centres[rng.integers(len(centres))], rng.uniform(0, np.pi)
            pts = np.round(c[None] + along[:, None] * [np.sin(angle), np.cos(angle)]).astype(int)
            if (pts < 0).any() or (pts[:, 0] >= n).any() or (pts[:, 1] >= nt).any():
                continue
            if (depth[pts[:, 0], pts[:, 1]] < (thick + 1) / 2).any():
                continue
            line = np.zeros_like(inside)
            line[pts[:, 0], pts[:, 1]] = True
            out[(distance_transform_edt(~line) <= thick / 2) & inside] = unit
            made += 1
    return out


def draw_bedding(truth: np.ndarray, rng: np.random.Generator, per_unit: int = 2, length: int = 60,
                 thick: int = 3) -> np.ndarray:  # fmt: skip
    n, _ = truth.shape
    out = np.zeros_like(truth)
    for unit in range(1, int(truth.max()) + 1):
        thick_enough = (truth == unit).sum(1) >= thick + 2
        if thick_enough.sum() < length:
            continue
        for _ in range(per_unit):
            for _try in range(100):
                start = int(rng.integers(0, n - length))
                if thick_enough[start : start + length].all():
                    break
            for i in range(start, start + length):
                z = np.flatnonzero(truth[i] == unit)
                if z.size:
                    m = (int(z[0]) + int(z[-1])) // 2
                    out[i, max(m - thick // 2, 0) : m + thick // 2 + 1] = unit
    return out


def redraw(protocol: str, truth: np.ndarray, draw: int) -> np.ndarray:
    """Draw number ``draw`` (1, 2, ...) of ``protocol`` on ``truth`` in any shape whose last axis
    is samples; the same number always gives the same strokes."""
    rng = np.random.default_rng(1000 + draw - 1)
    flat = truth.reshape(-1, truth.shape[-1])
    make = draw_scribbles if protocol == "scribbles" else draw_bedding
    return make(flat, rng).reshape(truth.shape)
