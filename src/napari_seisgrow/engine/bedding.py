"""Strokes painted along the bedding, and the boundaries that put them in the middle of their unit.

An interpreter who paints a unit with strokes along its layering paints them along its middle,
away from both boundaries, so as not to paint the wrong unit. Such a stroke says more than that
the unit lies there: in every trace it crosses, the unit's top and bottom lie equally far above
and below it. On the eight F3 sections (strokes painted along the units' middles) that holds to
0.2 samples in time, while in the coordinate, which drifts off the horizons, it holds only to 2-4
samples; so the test is made in time, trace by trace, at the stroke.

Between two units' strokes there are usually several flattened reflectors a boundary could take
(``units.level_candidates``), and the strongest or the weighted median of them was the
interpreted one on fewer than half of the F3 gaps. The centring ties the choices together: the
boundary above and the boundary below a unit painted along its middle must straddle its strokes
evenly, so the reflectors are chosen jointly down the column (a dynamic programme over the
candidates of each boundary), each candidate costing the weight it lacks and each unit the misfit
of its strokes' centring, capped so that one stroke painted off the middle cannot override the
reflectors. Units scribbled across the bedding say nothing about their middle and leave their
boundaries where the weighted median puts them (docs/method.md, docs/benchmarks.md).

Not every interpreter paints the middle: one who follows a reflector from wherever the brush
first lands paints along the bedding anywhere in the unit (the synthetic suite's strokes are drawn
so), and centring them moved the strata sections' boundaries off by up to 0.14 mIoU. The strokes
tell the two apart. Two strokes of one unit painted along its middle lie at one level of the
coordinate (within its drift: 0-6 % of the room between the neighbouring units' strokes, the
median over the units of each F3 draw), while two painted anywhere in it lie about a third of that
room apart (8-84 % on the synthetic families). So the middles are trusted only when the units
painted with two lines or more, at least ``MIDDLE_UNITS`` of them, put their lines at one level:
the median spread at most ``MIDDLE_SPREAD`` of their room.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .strokes import stroke_pieces

LINE_TRACES = 20  # a stroke along the bedding crosses at least this many traces...
LINE_THICKNESS = 7  # ...holds at most this many painted samples in each of them...
LINE_LEVEL_SPREAD = 3.0  # ...and its centre stays this close (a standard deviation) to one level of the coordinate
LINE_PIECE_MIN = 5  # voxels: a smaller piece of a stroke is a speck and says nothing about how it was painted
LINE_STEP = 2  # every second trace of a line enters the misfit: neighbouring traces say the same
CENTRING_SIGMA = 5.0  # samples: a unit's top plus bottom this far from twice its stroke's centre costs 1
CENTRING_CAP = 4.0  # the most one line can cost: a stroke painted off the middle cannot outvote the reflectors
MIDDLE_SPREAD = 0.08  # a unit's lines this close in the coordinate, as a share of its room: painted along its middle
MIDDLE_UNITS = 3  # units with two lines or more needed to tell how the interpreter paints


@dataclass(frozen=True)
class Line:
    """One stroke along the bedding: the traces it crosses (inline, crossline indices) and, in
    each, the sample at its centre."""

    inline: np.ndarray
    crossline: np.ndarray
    centre: np.ndarray
    level: float  # the median coordinate along its centre


def _as_line(tau: np.ndarray, inl: np.ndarray, xl: np.ndarray, smp: np.ndarray) -> Line | None:
    """The piece of stroke at these voxels as a line along the bedding, or None when it is not one."""
    nt = tau.shape[-1]
    trace = inl.astype(np.int64) * tau.shape[1] + xl
    traces, where, count = np.unique(trace, return_inverse=True, return_counts=True)
    if traces.size < LINE_TRACES or count.max() > LINE_THICKNESS:
        return None
    centre = np.bincount(where, weights=smp.astype(np.float64)) / count
    ti, tx = np.divmod(traces, tau.shape[1])
    below = np.clip(np.floor(centre).astype(np.int64), 0, nt - 1)
    above = np.minimum(below + 1, nt - 1)
    frac = centre - below
    level = (1 - frac) * tau[ti, tx, below] + frac * tau[ti, tx, above]
    if level.std() > LINE_LEVEL_SPREAD:
        return None
    return Line(ti, tx, centre, float(np.median(level)))


def bedding_lines(seeds: np.ndarray, tau: np.ndarray, c: int) -> list[Line]:
    """The lines along the bedding class ``c`` was painted with, or none unless every stroke of it
    (every connected piece of at least ``LINE_PIECE_MIN`` voxels) is one: a unit also scribbled
    across its layers was not painted along its middle, and a stroke of it that happens to run
    along the bedding lies anywhere in the unit (a scribble in a thin unit has no other way to fit).

    Strokes on samples without data count: the centring is measured in time, where a stroke
    painted over dead samples (F3's top unit lies mostly in them) marks the unit's middle as well
    as any other."""
    lines = []
    for piece in stroke_pieces(seeds, c):
        if len(piece) < LINE_PIECE_MIN:
            continue
        line = _as_line(tau, piece[:, 0], piece[:, 1], piece[:, 2])
        if line is None:
            return []
        lines.append(line)
    return lines


def paints_middles(lines: list[list[Line]], rooms: list[tuple[float, float]]) -> bool:
    """Whether the interpreter painted units along their middles: the units with two lines or
    more (at least ``MIDDLE_UNITS``) keep their lines at one level of the coordinate, the median
    spread within ``MIDDLE_SPREAD`` of the room each unit has between its neighbours' strokes
    (``rooms``, a pair of levels per unit)."""
    spreads = [np.ptp([line.level for line in mine]) / max(below - above, 1.0)
               for mine, (above, below) in zip(lines, rooms, strict=True) if len(mine) >= 2]  # fmt: skip
    return len(spreads) >= MIDDLE_UNITS and float(np.median(spreads)) <= MIDDLE_SPREAD


def _depths(tau: np.ndarray, line: Line, levels: np.ndarray) -> np.ndarray:
    """``(len(levels), traces)``: the sample at which each level of the coordinate lies in each
    trace of the line (every ``LINE_STEP``-th)."""
    samples = np.arange(tau.shape[-1], dtype=np.float64)
    pick = slice(None, None, LINE_STEP)
    columns = tau[line.inline[pick], line.crossline[pick]]
    return np.stack([np.interp(levels, col, samples) for col in columns], axis=1)


def _misfit(tau: np.ndarray, lines: list[Line], tops: np.ndarray | None, bottoms: np.ndarray | None) -> np.ndarray:
    """``(len(tops), len(bottoms))``: the cost of a unit painted along its middle with ``lines``
    when its top and bottom boundaries sit at those candidate levels (None: the volume's top or
    bottom, which is where the layered labels put the first unit's top and the last one's bottom)."""
    nt = tau.shape[-1]
    n_top = 1 if tops is None else len(tops)
    n_bottom = 1 if bottoms is None else len(bottoms)
    cost = np.zeros((n_top, n_bottom))
    for line in lines:
        centre = line.centre[::LINE_STEP]
        top = np.zeros((1, centre.size)) if tops is None else _depths(tau, line, tops)
        bottom = np.full((1, centre.size), float(nt)) if bottoms is None else _depths(tau, line, bottoms)
        off = top[:, None, :] + bottom[None, :, :] - 2.0 * centre
        cost += np.minimum(np.mean(off**2, axis=-1) / CENTRING_SIGMA**2, CENTRING_CAP)
    return cost


def centred_choice(
    tau: np.ndarray,
    lines: list[list[Line]],
    candidates: list[tuple[np.ndarray, np.ndarray]],
) -> list[float] | None:
    """One level per boundary, from each boundary's candidates ``(levels, weights)`` (boundary
    ``k`` lies between units ``k`` and ``k + 1`` top to bottom; ``lines[k]`` are unit ``k``'s lines
    along the bedding, empty for a unit that was not painted so).

    Minimises, over the choices that keep the boundaries in order, the sum of each chosen
    candidate's ``-log`` share of its boundary's weight and each unit's centring misfit: exact, by
    dynamic programming down the column (each unit's misfit depends on its two boundaries only).
    A boundary with a single candidate keeps it. None when a boundary has no candidate or no choice
    keeps the boundaries in order."""
    if len(lines) != len(candidates) + 1:
        raise ValueError("centred_choice wants one list of lines per unit: one more than the boundaries")
    if any(len(levels) == 0 for levels, _ in candidates):
        return None
    costs = []
    for _, weight in candidates:
        share = np.asarray(weight, np.float64) / max(float(np.sum(weight)), 1e-300)
        costs.append(-np.log(np.maximum(share, 1e-12)))
    total = costs[0] + _misfit(tau, lines[0], None, candidates[0][0])[0]
    back = []
    for k in range(1, len(candidates)):
        above, below = candidates[k - 1][0], candidates[k][0]
        step = total[:, None] + _misfit(tau, lines[k], above, below)
        step = np.where(below[None, :] >= above[:, None], step, np.inf)
        best = np.argmin(step, axis=0)
        back.append(best)
        total = step[best, np.arange(below.size)] + costs[k]
    total = total + _misfit(tau, lines[-1], candidates[-1][0], None)[:, 0]
    if not np.isfinite(total).any():  # no ordered choice (gaps that overlap where strokes disagree)
        return None
    pick = [int(np.argmin(total))]
    for best in reversed(back):
        pick.append(int(best[pick[-1]]))
    pick.reverse()
    return [float(candidates[k][0][i]) for k, i in enumerate(pick)]
