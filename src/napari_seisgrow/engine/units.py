"""Stratigraphic units as ordered layers bounded by surfaces, and which classes are units at all.

An interpreter labels a unit by picking the horizons that bound it, not voxel by voxel: on
every trace of a real interpretation the units keep one top-to-bottom order, and a boundary
follows a reflector. Networks judging texture break both rules where units look alike (a thick
parallel-bedded unit grows over a thin one; a boundary wanders across reflectors between the
strokes). Here the unit classes are labelled from the strokes and the stratigraphic coordinate
alone, as layers:

1. the unit classes are ordered by where their strokes lie in the coordinate;
2. each boundary between two consecutive units starts as one level of the coordinate (a surface
   that follows the reflectors), on a flattened reflector between the two units' strokes: the
   weighted median of the peaks and troughs there, each weighed by its strength and towards the
   middle of the gap (on real F3 the interpreted boundaries lie on a peak or trough, but not
   always the strongest one between the strokes);
3. where a stroke says otherwise (a trace whose strokes lie on the wrong side of that level, so
   the unit thickens or thins there) the level moves, and the move spreads sideways over a
   Gaussian of ``spread`` traces, fading where no stroke speaks;
4. each boundary then moves a few rows onto its reflector where the coordinate drifts off it
   (``engine.reflectors``);
5. boundaries never cross: a unit can thin to nothing, never swap with its neighbour.

Bodies (channels, mounds, salt, gas...) are not layers: their strokes share an interval of the
coordinate with other classes, texture decides them, and they cut across units. Nor is a facies
that recurs down the column (sand, shale, sand, shale): its strokes and another class's alternate.
``infer_kinds`` tells units from the rest from the strokes when the interpreter has not said.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from itertools import combinations, pairwise
from typing import NamedTuple

import numpy as np
from scipy import ndimage
from scipy.special import expit, ndtr

from .bedding import bedding_lines, centred_choice, paints_middles
from .reflectors import amplitude_at, follow_reflector
from .slabs import inline_slabs, value_counts
from .strokes import stroke_pieces

UNIT, BODY, AUTO = "unit", "body", "auto"
KINDS = (AUTO, UNIT, BODY)
SHARED_INTERVAL = 0.5  # two classes share an interval when it covers this much of the narrower one's
LEVEL_WEIGHT_WIDTH = 1.2  # the weight towards the gap's middle falls to 0 this far out (in half-gaps)
LEVEL_PERCENTILE = 5.0  # the gap between two units' strokes runs from this percentile of the one above...
REPEAT_MARGIN = 5.0  # coordinate samples two classes' strokes must clear each other by to alternate
SPAN_PERCENTILES = (10.0, 90.0)  # a stroke's span in the coordinate, robust to a few misread samples
RECURRING_PARTNERS = (
    True  # a class sharing the interval of a recurring facies is a body too (measured: docs/benchmarks.md)
)
STROKE_MIN = 5  # samples: a smaller piece of a stroke (cut by dead traces) is too few to place
DOUBT_SIGMA = 2.0  # samples: how far a candidate reflector's place is uncertain, for the doubt
STROKE_REACH = 20.0  # traces: the Gaussian over which a stroke's move of a boundary fades sideways
STROKE_MARGIN = 1.0  # samples of the coordinate a boundary keeps from a stroke it moves past
SPREAD_PRIOR = 0.02  # how quickly a stroke's correction fades sideways (weight of "no move" where none speaks)
CENTRING_SHARE = 1.0  # in a boundary's doubt, the units' centring weighs as much as all its candidate reflectors
CENTRING_PULL = 0.1  # how weakly the centring holds each boundary at its chosen level (sets the outer ones)
HELD_DOUBT_FLOOR = 0.1  # share of its rivals' doubt a boundary keeps where its reflector stands out
HELD_SMOOTH = 8.0  # traces: a boundary's hold on its reflector is judged over this many, not one noisy sample


@dataclass(frozen=True)
class Kinds:
    """Each class's kind (index 0 = class 1) and one line saying how they were decided."""

    kinds: tuple[str, ...]
    note: str

    def of(self, kind: str) -> list[int]:
        return [c for c, k in enumerate(self.kinds, start=1) if k == kind]


def _painted_values(seeds: np.ndarray, tau: np.ndarray, live: np.ndarray | None, c: int) -> np.ndarray:
    """The coordinate under class ``c``'s strokes, on samples with data when it has any there
    (a stroke through dead traces says nothing about where the unit lies in the layering)."""
    mine = seeds == c
    if live is not None and (mine & live).any():
        mine &= live
    return tau[mine]


def stroke_intervals(
    seeds: np.ndarray, tau: np.ndarray, n_classes: int, live: np.ndarray | None = None, spread: float = 5.0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per class 1..K (index 0 unused): the ``spread`` and ``100 - spread`` percentiles and the
    median of the coordinate under its strokes (nan for a class with none). Percentiles, not
    extremes: one stroke sample on a misread reflector should not stretch a unit over its neighbour."""
    lo, hi, mid = (np.full(n_classes + 1, np.nan) for _ in range(3))
    for c in range(1, n_classes + 1):
        v = _painted_values(seeds, tau, live, c)
        if v.size:
            lo[c], hi[c], mid[c] = [*np.percentile(v, [spread, 100 - spread]).tolist(), float(np.median(v))]
    return lo, hi, mid


def _shares(lo: np.ndarray, hi: np.ndarray, a: int, b: int) -> bool:
    overlap = min(hi[a], hi[b]) - max(lo[a], lo[b])
    narrower = max(min(hi[a] - lo[a], hi[b] - lo[b]), 1.0)
    return overlap / narrower > SHARED_INTERVAL


def stroke_spans(seeds: np.ndarray, tau: np.ndarray, c: int, live: np.ndarray | None = None) -> np.ndarray:
    """``(n, 2)``: the span in the coordinate (``SPAN_PERCENTILES``) of each connected stroke of
    class ``c``, on samples with data only (a stroke through dead traces is not placed at all)."""
    pieces = [tau[p[:, 0], p[:, 1], p[:, 2]] for p in stroke_pieces(seeds, c, live)]
    spans = [np.percentile(v, SPAN_PERCENTILES) for v in pieces if v.size >= STROKE_MIN]
    return np.asarray(spans, np.float64).reshape(-1, 2)


def alternating(spans: dict[int, np.ndarray], margin: float = REPEAT_MARGIN) -> dict[int, list[int]]:
    """Per class, the classes whose strokes alternate with its own down the column: one of its
    strokes above one of theirs above another of its own, and one of theirs above one of its own
    above another of theirs, each clear of the next by ``margin``.

    Units never alternate (each holds one interval of the column), and a body inside a unit is
    enclosed by it without enclosing it back; a facies that recurs (sand, shale, sand, shale) does
    both. Both ways, so that the coordinate's drift between two strokes far apart, which can put a
    stroke of one unit past a stroke of its neighbour, does not make a unit a body: on the eight
    F3 sections (both protocols, four stroke draws each) no pair came within 3 samples of
    alternating, while on the held-out synthetic volumes of recurring facies most pairs that
    recur alternate by 8-47 samples (docs/benchmarks.md)."""

    def encloses(a: np.ndarray, b: np.ndarray) -> bool:
        top, bottom = a[:, 1].min(), a[:, 0].max()  # a's shallowest stroke end, its deepest stroke start
        return bool(np.any((b[:, 0] - top > margin) & (bottom - b[:, 1] > margin)))

    out: dict[int, list[int]] = {c: [] for c in spans}
    placed = [c for c in spans if len(spans[c])]
    for a, b in combinations(placed, 2):
        if encloses(spans[a], spans[b]) and encloses(spans[b], spans[a]):
            out[a].append(b)
            out[b].append(a)
    return out


def infer_kinds(
    seeds: np.ndarray,
    tau: np.ndarray,
    n_classes: int,
    live: np.ndarray | None = None,
    requested: list[str] | tuple[str, ...] = (),
    kept: dict[int, str] | None = None,
) -> Kinds:
    """Unit or body for every class: ``requested[c - 1]`` where it says unit or body, else
    ``kept[c]`` where an earlier labelling of the same run decided it, else inferred.

    Kept, because strokes added to correct a boundary must not change what a class is: two
    corrections of one boundary at both ends of an F3 section, where the coordinate drifts by 10
    samples, alternated in the coordinate and made both units bodies, which took their layers
    away (docs/benchmarks.md).

    Units tile the column, so their strokes lie in disjoint intervals of the coordinate. A class
    whose strokes alternate with another's down the column recurs and is a body (texture decides
    it, as for every class before layering). Of the rest, a class whose strokes share an interval
    with others, a recurring facies among them (``RECURRING_PARTNERS``: where facies recur, a
    class painted inside their interval is one more facies of that package), is a body. Where two
    classes share one, the one that shares with the most classes is the body (a channel cutting
    two units shares with both), and between two that share only with each other, the narrower (a
    mound inside its unit).
    """
    lo, hi, _ = stroke_intervals(seeds, tau, n_classes, live)
    painted = [c for c in range(1, n_classes + 1) if np.isfinite(lo[c])]
    asked = {c: requested[c - 1] for c in range(1, n_classes + 1) if c - 1 < len(requested)}
    kinds = {c: asked[c] for c in asked if asked[c] in (UNIT, BODY)}
    held = {c: k for c, k in (kept or {}).items() if c in painted and c not in kinds and k in (UNIT, BODY)}
    kinds.update(held)
    bodies: dict[int, list[int]] = {}
    alternate = alternating({c: stroke_spans(seeds, tau, c, live) for c in painted})
    recurring = {c: others for c, others in alternate.items() if others and c not in kinds}
    kinds.update({c: BODY for c in recurring})
    recurs = [c for c, others in alternate.items() if others and kinds.get(c) == BODY]  # set, kept or inferred
    open_ = [c for c in painted if c not in kinds or kinds[c] == UNIT]
    while True:
        free = [c for c in open_ if c not in kinds]  # only inferred classes can become bodies
        partners = [*open_, *recurs] if RECURRING_PARTNERS else open_
        shared = {c: [o for o in partners if o != c and _shares(lo, hi, c, o)] for c in free}
        worst = max(free, key=lambda c: (len(shared[c]), -(hi[c] - lo[c])), default=None)
        if worst is None or not shared[worst]:
            break
        kinds[worst] = BODY
        bodies[worst] = shared[worst]
        open_.remove(worst)
    for c in range(1, n_classes + 1):
        kinds.setdefault(c, UNIT)
    units = [c for c in painted if kinds[c] == UNIT]
    parts = []
    if units:
        order = sorted(units, key=lambda c: float(np.median(_painted_values(seeds, tau, live, c))))
        parts.append(f"units top to bottom {', '.join(map(str, order))}")
    for c, others in recurring.items():
        parts.append(f"class {c} is a body (its strokes alternate with those of class {', '.join(map(str, others))} "
                     "down the column: a facies that recurs)")  # fmt: skip
    for c, others in bodies.items():
        parts.append(f"class {c} is a body (its strokes share the layers of class {', '.join(map(str, others))})")
    said = sorted(c for c in asked if asked[c] in (UNIT, BODY))
    if said:
        parts.append(f"as set for class {', '.join(map(str, said))}")
    if held:
        parts.append(f"as the run's earlier labels had it for class {', '.join(map(str, sorted(held)))}")
    return Kinds(tuple(kinds[c] for c in range(1, n_classes + 1)), "; ".join(parts))


def flattened_profile(amplitude: np.ndarray, tau: np.ndarray, live: np.ndarray | None) -> tuple[np.ndarray, float]:
    """The mean signed amplitude of each flattened row (one level of the coordinate) and the
    first row's level. A reflector that is strong and continuous along the layering keeps its
    polarity on one row and stands out; one that is strong in one place only averages away."""
    lo = float(np.floor(tau.min()))
    n = int(np.round(tau.max() - lo)) + 1  # the deepest row, in the arithmetic the rows below use
    count, total = np.zeros(n, np.int64), np.zeros(n)
    for s in inline_slabs(tau.shape):  # the whole volume's rows and weights at once took 32 bytes a voxel
        rows = np.round(tau[s] - lo).astype(np.int64)
        keep = np.ones(rows.shape, bool) if live is None else live[s]
        count += np.bincount(rows[keep], minlength=n)
        total += np.bincount(rows[keep], weights=np.asarray(amplitude[s], np.float64)[keep], minlength=n)
    return total / np.maximum(count, 1), lo


def level_candidates(profile: np.ndarray, first: float, above: float, below: float) -> tuple[np.ndarray, np.ndarray]:
    """The levels a boundary between a unit's strokes (``above``, a level) and the next unit's
    (``below``) may take, and the weight of each (not normalised): the flattened reflectors (peaks
    and troughs of the mean amplitude) between them, each weighing its squared strength times a
    weight towards the middle of the gap. With none, the middle of the gap alone."""
    a, b = min(above, below), max(above, below)
    mid, half = 0.5 * (above + below), max(0.5 * abs(below - above), 1.0)
    rows = np.arange(int(np.floor(a - first)), int(np.ceil(b - first)) + 1)
    rows = rows[(rows >= 1) & (rows < len(profile) - 1)]
    strength = np.abs(profile)
    peak = rows[(strength[rows] >= strength[rows - 1]) & (strength[rows] >= strength[rows + 1])]
    levels = peak + first
    weight = np.clip(1.0 - ((levels - mid) / (LEVEL_WEIGHT_WIDTH * half)) ** 2, 0.0, 1.0)
    score = (strength[peak] * weight) ** 2
    if peak.size == 0 or score.max() <= 0:
        return np.array([mid]), np.array([1.0])
    return levels.astype(np.float64), score


def boundary_level(profile: np.ndarray, first: float, above: float, below: float) -> float:
    """Where between a unit's strokes (``above``, a level) and the next unit's (``below``) their
    boundary lies: the candidate reflector (``level_candidates``) that splits their weights in half.

    The weighted median, not the strongest: the boundary's place is uncertain, and the level with
    half the evidence on either side is the one that gets the fewest samples wrong when the
    evidence is split between two reflectors (on F3 the strongest reflector between scribbles was
    the interpreted one in 31 of 72 gaps; the median gained 0.011 mIoU on the given bedding draw and
    was neutral on the others, docs/benchmarks.md).
    """
    levels, score = level_candidates(profile, first, above, below)
    share = np.cumsum(score) / score.sum()
    return float(levels[int(np.searchsorted(share, 0.5))])


def kept_level(profile: np.ndarray, first: float, above: float, below: float, previous: float | None) -> float:
    """``boundary_level``, or, where an earlier labelling of the run placed this boundary at
    ``previous``, that level while the strokes still allow it and else the candidate reflector
    nearest it.

    An interpreter's stroke corrects the labels where it is painted and should change nothing it
    does not contradict; choosing afresh from the narrower gap moved boundaries by 10-20 samples
    along whole F3 sections after a stroke that only confirmed them, and one more stroke then did
    harm on average (docs/benchmarks.md)."""
    if previous is None:
        return boundary_level(profile, first, above, below)
    if min(above, below) <= previous <= max(above, below):
        return float(previous)
    levels, weight = level_candidates(profile, first, above, below)
    levels = levels[weight > 0] if (weight > 0).any() else levels  # a reflector, not a flat stretch
    return float(levels[int(np.argmin(np.abs(levels - previous)))])


def polarity_at(profile: np.ndarray, first: float, level: float) -> float:
    """The sign of the flattened reflector at ``level``: the boundary follows that peak or trough."""
    row = int(np.clip(np.round(level - first), 0, len(profile) - 1))
    return 1.0 if profile[row] >= 0 else -1.0


def _spread(values: np.ndarray, weight: np.ndarray, sigma: float) -> np.ndarray:
    """A weighted Gaussian average sideways that fades to 0 where no weight is near."""
    sig = [sigma if n > 1 else 0.0 for n in values.shape]
    num = ndimage.gaussian_filter(values * weight, sig, mode="nearest")
    den = ndimage.gaussian_filter(weight, sig, mode="nearest")
    return num / (den + SPREAD_PRIOR)


class _Choices(NamedTuple):
    """The painted units in order, each boundary's starting level (per pair of units), the
    flattened profile they were chosen on with its first row's level, and the stroke intervals
    with each class's median."""

    order: list[int]
    level: dict[tuple[int, int], float]
    profile: np.ndarray
    first: float
    lo: np.ndarray
    hi: np.ndarray
    mid: np.ndarray
    centred: tuple[int, ...] = ()  # the units taken as painted along their middles (``engine.bedding``)
    pinned: frozenset[tuple[int, int]] = frozenset()  # kept levels the centring placed, now or earlier (``_choices``)


def _choices(
    tau: np.ndarray,
    amplitude: np.ndarray,
    seeds: np.ndarray,
    units: list[int],
    live: np.ndarray | None,
    kept: dict[tuple[int, int], float] | None,
    centre_lines: bool = True,
    pinned: Collection[tuple[int, int]] = (),
) -> _Choices:
    """Each boundary's starting level. ``kept``: the levels an earlier labelling of the run chose;
    ``pinned``: those of them its centring placed, which stay whatever a later stroke says.

    A boundary next to a unit painted along its middle is placed by the strokes' centring in time,
    where they are painted; a later stroke beyond its level elsewhere speaks of the coordinate's
    drift there and moves it where it is painted (``_place``). Choosing the level afresh from the
    narrowed gap instead moved it along the whole line: on the eight F3 sections, three correct
    strokes at the largest errors then left the labels worse than they started on 9 of 32 cases
    (1 of 32 pinned; docs/benchmarks.md). A level placed by the weighted median of a wide gap has no such
    hold, and a stroke that contradicts it moves it along the whole line as before."""
    lo, hi, mid = stroke_intervals(seeds, tau, int(max(units)), live, LEVEL_PERCENTILE)
    order = sorted((c for c in units if np.isfinite(mid[c])), key=lambda c: mid[c])
    profile, first = flattened_profile(amplitude, tau, live)
    kept = kept or {}
    pinned = set(pinned)
    held = {pair for pair in pairwise(order) if pair in kept and pair in pinned}
    level = {(a, b): kept[a, b] if (a, b) in held else kept_level(profile, first, hi[a], lo[b], kept.get((a, b)))
             for a, b in pairwise(order)}  # fmt: skip
    centred: tuple[int, ...] = ()
    if centre_lines and len(order) >= 2:
        level, centred = _centred(tau, seeds, order, level, profile, first, hi, lo, kept)
    placed = {(a, b) for a, b in pairwise(order) if (a, b) not in kept and (a in centred or b in centred)}
    # every earlier pin of a kept level stays (a pair not consecutive now may be again), with the new ones
    return _Choices(order, level, profile, first, lo, hi, mid, centred, frozenset(pinned & kept.keys() | placed))


def _centred(
    tau: np.ndarray,
    seeds: np.ndarray,
    order: list[int],
    level: dict[tuple[int, int], float],
    profile: np.ndarray,
    first: float,
    hi: np.ndarray,
    lo: np.ndarray,
    kept: dict[tuple[int, int], float],
) -> tuple[dict[tuple[int, int], float], tuple[int, ...]]:
    """The boundaries next to a unit painted along its bedding chosen again among their candidate
    reflectors, jointly, so that such units straddle their strokes evenly (``engine.bedding``).
    Others keep their level, and so does a boundary an earlier labelling of the run placed
    (``kept``): a stroke added later changes only what it contradicts.

    On the eight F3 sections painted along the units' middles this lifted the layered labels
    from 0.760 to 0.815 mIoU (0.750 to 0.813 on three further stroke draws); scribbled units
    are left as they were (docs/benchmarks.md). Returns the levels and the units centred."""
    lines = [bedding_lines(seeds, tau, c) for c in order]
    top, bottom = first, first + len(profile) - 1
    rooms = [(hi[order[j - 1]] if j else top, lo[order[j + 1]] if j + 1 < len(order) else bottom)
             for j in range(len(order))]  # fmt: skip
    if not paints_middles(lines, rooms):
        return level, ()
    candidates = []
    for k, (a, b) in enumerate(pairwise(order)):
        if (a, b) in kept or not (lines[k] or lines[k + 1]):
            candidates.append((np.array([level[a, b]]), np.ones(1)))
            continue
        levels, weight = level_candidates(profile, first, hi[a], lo[b])
        if (weight > 0).any():
            levels, weight = levels[weight > 0], weight[weight > 0]
        candidates.append((levels, weight))
    chosen = centred_choice(tau, lines, candidates)
    if chosen is None:
        return level, ()
    centred = tuple(c for c, mine in zip(order, lines, strict=True) if mine)
    return {pair: chosen[k] for k, pair in enumerate(pairwise(order))}, centred


class Boundaries(NamedTuple):
    """What a run keeps of a labelling's boundaries for the next one (``boundary_choices``)."""

    levels: dict[tuple[int, int], float]  # per pair of consecutive units, the starting level
    pinned: frozenset[tuple[int, int]]  # the pairs whose level the centring placed, now or earlier


def boundary_choices(
    tau: np.ndarray,
    amplitude: np.ndarray,
    seeds: np.ndarray,
    units: list[int],
    live: np.ndarray | None = None,
    kept: dict[tuple[int, int], float] | None = None,
    pinned: Collection[tuple[int, int]] = (),
) -> Boundaries:
    """Per pair of consecutive units (upper, lower), the level of the coordinate their boundary
    starts from before the strokes and the reflector move it trace by trace, and the pairs pinned
    there: what a run keeps so that later strokes change only what they contradict
    (``kept_level``; a pinned level stays wherever the strokes lie, ``_choices``)."""
    chosen = _choices(tau, amplitude, seeds, units, live, kept, pinned=pinned)
    return Boundaries(chosen.level, chosen.pinned)


def unit_boundaries(
    tau: np.ndarray,
    amplitude: np.ndarray,
    seeds: np.ndarray,
    units: list[int],
    live: np.ndarray | None = None,
    spread: float = STROKE_REACH,
    margin: float = STROKE_MARGIN,
    follow: bool = True,
    kept: dict[tuple[int, int], float] | None = None,
    centre_lines: bool = True,
    pinned: Collection[tuple[int, int]] = (),
) -> tuple[list[int], np.ndarray]:
    """The units in order top to bottom and, per trace, the coordinate level of each boundary
    between consecutive ones: ``(order, levels)`` with levels ``(ni, nx, len(order) - 1)``.

    Every level lies below every stroke of the units above it in that trace and above every
    stroke of the units below it, where the two agree; and no level lies above the one before.
    With ``follow`` each boundary then moves onto its reflector within a few rows
    (``engine.reflectors``), where the coordinate drifts off it. ``kept``: the levels an earlier
    labelling chose, per pair of units (``boundary_choices``), kept where the strokes allow, and
    ``pinned`` ones among them kept wherever they are (``_choices``).
    """
    chosen = _choices(tau, amplitude, seeds, units, live, kept, centre_lines, pinned)
    return chosen.order, _place(tau, amplitude, seeds, live, spread, margin, follow, chosen)


def _stroke_extreme(seeds: np.ndarray, tau: np.ndarray, classes: list[int], deepest: bool) -> np.ndarray:
    """Per trace, the largest (``deepest``) or smallest coordinate under strokes of ``classes``;
    -inf / +inf on a trace with none."""
    parts = []
    for s in inline_slabs(tau.shape):
        painted = np.isin(seeds[s], classes)
        if deepest:
            parts.append(np.where(painted, tau[s], -np.inf).max(axis=2))
        else:
            parts.append(np.where(painted, tau[s], np.inf).min(axis=2))
    return np.concatenate(parts, axis=0)


def _place(
    tau: np.ndarray,
    amplitude: np.ndarray,
    seeds: np.ndarray,
    live: np.ndarray | None,
    spread: float,
    margin: float,
    follow: bool,
    chosen: _Choices,
) -> np.ndarray:
    """``unit_boundaries``' levels, from the boundaries' starting levels already chosen."""
    order, profile, first = chosen.order, chosen.profile, chosen.first
    lateral = tau.shape[:2]
    previous = np.full(lateral, -np.inf)
    levels = []
    for k in range(len(order) - 1):
        level = chosen.level[order[k], order[k + 1]]
        floor_ = _stroke_extreme(seeds, tau, order[: k + 1], deepest=True)  # the deepest stroke above, per trace
        ceiling = _stroke_extreme(seeds, tau, order[k + 1 :], deepest=False)  # the shallowest stroke below
        want = np.where(level < floor_ + margin, floor_ + margin, np.minimum(level, ceiling - margin))
        spoken = want != level  # only strokes on the wrong side of the level move it
        moved = level + _spread(np.where(spoken, want - level, 0.0), spoken.astype(np.float64), spread)
        if follow:
            low = np.maximum(floor_ + margin, previous) - 0.5
            high = np.where(ceiling > floor_, ceiling - margin + 0.5, np.inf)
            moved = follow_reflector(tau, amplitude, moved, polarity_at(profile, first, level), low, high)
        moved = np.maximum(moved, floor_ + 0.5)  # -inf where no stroke above: no bound
        # where the strokes disagree (a stroke below lies above one from above) the one above wins
        moved = np.where(ceiling > floor_, np.minimum(moved, ceiling - 0.5), moved)
        moved = np.maximum(moved, previous)
        levels.append(moved)
        previous = moved
    out = np.stack(levels, axis=-1) if levels else np.zeros((*lateral, 0))
    return out.astype(np.float32)


def layered_labels(
    tau: np.ndarray,
    amplitude: np.ndarray,
    seeds: np.ndarray,
    units: list[int],
    live: np.ndarray | None = None,
    spread: float = STROKE_REACH,
    follow: bool = True,
    kept: dict[tuple[int, int], float] | None = None,
    centre_lines: bool = True,
    pinned: Collection[tuple[int, int]] = (),
) -> np.ndarray:
    """Every voxel's unit (uint8): the unit between the boundaries around it in its trace.
    With fewer than two painted units there is nothing to order and the result is all 0.
    ``centre_lines``: units painted along their bedding are centred on their strokes (``engine.bedding``)."""
    if len(units) < 2:
        return np.zeros(tau.shape, np.uint8)
    return _fill(tau, *unit_boundaries(tau, amplitude, seeds, units, live, spread, follow=follow, kept=kept,
                                       centre_lines=centre_lines, pinned=pinned))  # fmt: skip


def _fill(tau: np.ndarray, order: list[int], levels: np.ndarray) -> np.ndarray:
    """Each voxel the unit between the boundaries (``levels``) around it; all 0 with fewer than two units."""
    out = np.zeros(tau.shape, np.uint8)
    if len(order) < 2:
        return out
    for s in inline_slabs(tau.shape):  # each boundary's comparison is a slab's, not the volume's
        part, t, level = out[s], tau[s], levels[s]
        part[...] = order[0]
        for k in range(levels.shape[-1]):
            part[t >= level[..., k, None]] = order[k + 1]
    return out


def _side_doubt(offsets: np.ndarray, weight: np.ndarray, sigma: float) -> tuple[np.ndarray, np.ndarray]:
    """On a grid of offsets from the chosen level, the probability that the boundary lies on the
    other side: the candidates' weights, each candidate blurred by ``sigma`` samples."""
    span = float(np.abs(offsets).max()) + 4.0 * sigma
    grid = np.arange(-span, span + 0.25, 0.25)
    z = (grid[:, None] - offsets[None, :]) / sigma
    below_it = ndtr(z) @ (weight / weight.sum())  # P(boundary above the voxel at this offset)
    return grid, np.where(grid < 0, below_it, 1.0 - below_it)


def centred_levels(mid: np.ndarray, order: list[int], level: dict[tuple[int, int], float]) -> np.ndarray | None:
    """Each boundary's level (one per consecutive pair of ``order``) if every unit between two
    boundaries were centred on the median of its strokes in the coordinate (``mid``, per class, as
    ``stroke_intervals`` gives it); None with fewer than three units (no unit lies between two
    boundaries).

    An interpreter paints a unit inside it, not hugging one of its boundaries, so the strokes'
    median says where the unit's middle is: a boundary that leaves a unit's strokes near one edge of
    its layer is in doubt, whatever the reflectors say. Least squares, each inner unit's middle an
    equation between its two boundaries, with a weak pull (``CENTRING_PULL``) of every boundary to
    its chosen ``level`` so that the top and bottom ones, which bound one inner unit only, are set.
    """
    if len(order) < 3:
        return None
    m = len(order) - 1
    rows = np.zeros((len(order) - 2 + m, m))
    rhs = np.zeros(len(rows))
    for k in range(1, len(order) - 1):  # unit order[k] lies between boundaries k - 1 and k
        rows[k - 1, k - 1] = rows[k - 1, k] = 0.5
        rhs[k - 1] = mid[order[k]]
    for j in range(m):
        rows[len(order) - 2 + j, j] = CENTRING_PULL
        rhs[len(order) - 2 + j] = CENTRING_PULL * level[order[j], order[j + 1]]
    return np.linalg.lstsq(rows, rhs, rcond=None)[0]


def amplitude_scale(amplitude: np.ndarray, live: np.ndarray | None) -> float:
    """The root mean square of the amplitudes with data, a slab at a time (no float64 copy of the volume)."""
    total, count = 0.0, 0
    for s in inline_slabs(amplitude.shape):
        a = np.asarray(amplitude[s], np.float64)
        keep = np.ones(a.shape, bool) if live is None else live[s]
        total += float(np.square(a[keep]).sum())
        count += int(keep.sum())
    return float(np.sqrt(total / count)) if count and total > 0 else 1.0


def lost_reflector(
    tau: np.ndarray, amplitude: np.ndarray, level: np.ndarray, polarity: float, scale: float
) -> np.ndarray:
    """Per trace, ``HELD_DOUBT_FLOOR`` to 1: how likely the boundary at ``level`` (per trace) has
    lost the reflector of sign ``polarity`` it should follow there.

    Where the coordinate drifts further than the boundary can follow (on the F3 sections the deep
    interpreted boundaries drift off one coordinate level by tens of samples across a section), the
    boundary leaves its peak or trough and runs through weak or opposite amplitudes; where it
    stands on a strong one of its own sign it is most likely still on it. The amplitude there,
    averaged over ``HELD_SMOOTH`` traces, in units of the volume's ``scale``, through a logistic."""
    a = polarity * amplitude_at(tau, amplitude, np.asarray(level, np.float64)[..., None])[..., 0]
    a = ndimage.gaussian_filter(a, [HELD_SMOOTH if n > 1 else 0.0 for n in a.shape], mode="nearest")
    return HELD_DOUBT_FLOOR + (1.0 - HELD_DOUBT_FLOOR) * expit(-a / scale)


def unit_doubt(
    tau: np.ndarray,
    amplitude: np.ndarray,
    seeds: np.ndarray,
    units: list[int],
    live: np.ndarray | None = None,
    spread: float = STROKE_REACH,
    sigma: float = DOUBT_SIGMA,
    kept: dict[tuple[int, int], float] | None = None,
    pinned: Collection[tuple[int, int]] = (),
) -> tuple[np.ndarray, np.ndarray]:
    """Per voxel, how likely its layered unit label is wrong (0..1, float32), and the unit it
    would be instead (uint8, 0 where no boundary is in doubt).

    On real units the networks agree where the labels are wrong (a boundary on the wrong
    reflector is confidently wrong along its whole length), so the doubt comes from what places
    a boundary: the candidate reflectors between the two units' strokes and their weights
    (``level_candidates``). A voxel between the chosen level and a rival candidate is in doubt by
    the rival's weight, so a gap the strokes leave wide, with its evidence split over several
    reflectors, is in doubt over its width, and a reflector that stands out alone is not. Each
    boundary's per-trace moves carry its rivals with it.

    The reflectors are one opinion; the strokes give another (``centred_levels``): where the
    units' strokes sit off-centre in the layers the boundaries make, the level that would centre
    them is a rival too, weighing as much as all the reflectors together. On the eight F3 sections
    (bedding strokes) the top-10 windows ranked by the reflectors alone held 1.7 times the
    section's rate of wrong pixels; with the centring, 1.9 times (docs/benchmarks.md).

    Rivals say how a boundary is in doubt, not where along it: it goes wrong where it has lost
    its reflector, so each boundary's doubt is scaled, trace by trace, by ``lost_reflector``
    (2.1 times, given and further stroke draws).
    """
    doubt = np.zeros(tau.shape, np.float32)
    other = np.zeros(tau.shape, np.uint8)
    chosen = _choices(tau, amplitude, seeds, units, live, kept, pinned=pinned)
    order = chosen.order
    if len(order) < 2:
        return doubt, other
    levels = _place(tau, amplitude, seeds, live, spread, STROKE_MARGIN, True, chosen)
    centred = centred_levels(chosen.mid, order, chosen.level)
    scale = amplitude_scale(amplitude, live)
    for k in range(levels.shape[-1]):
        upper, lower = order[k], order[k + 1]
        # the gap between the two units' strokes, widened to hold a pinned level that later strokes
        # have passed (``_choices``): the rivals are then those of the labels' own boundary
        above, below = chosen.hi[upper], chosen.lo[lower]
        level, (shallow, deep) = chosen.level[upper, lower], sorted((above, below))
        if not shallow <= level <= deep:
            above, below = min(shallow, level), max(deep, level)
        candidates, weight = level_candidates(chosen.profile, chosen.first, above, below)
        if centred is not None:  # one more rival: where the units' centring puts the boundary,
            # within the gap between the two units' strokes like every other rival (never on a stroke)
            gap = sorted((above, below))
            candidates = np.append(candidates, np.clip(centred[k], *gap))
            weight = np.append(weight, CENTRING_SHARE * weight.sum())
        grid, side = _side_doubt(candidates - chosen.level[upper, lower], weight, sigma)
        polarity = polarity_at(chosen.profile, chosen.first, chosen.level[upper, lower])
        lost = lost_reflector(tau, amplitude, levels[..., k], polarity, scale).astype(np.float32)
        for s in inline_slabs(tau.shape):  # in slabs: the offsets and their doubt are float64 per voxel
            offset = tau[s] - levels[s, :, k, None]
            d = np.interp(offset, grid, side, left=0.0, right=0.0).astype(np.float32)
            d *= lost[s, :, None]
            worse = d > doubt[s]
            doubt[s][worse] = d[worse]
            other[s][worse] = np.where(offset[worse] < 0, order[k + 1], order[k])
    for s in inline_slabs(tau.shape):
        off = seeds[s] > 0  # what the interpreter painted is not in doubt, whatever a rival's blur says
        if live is not None:
            off |= ~live[s]
        doubt[s][off] = 0.0
        other[s][off] = 0
    return doubt, other


@dataclass(frozen=True)
class Layering:
    """Labels with the units as ordered layers (``as_layers``) and what was decided on the way."""

    labels: np.ndarray
    note: str  # one line: what was decided and why
    units: list[int]  # the classes labelled as layers (none when fewer than two are units)
    decided: dict[int, str]  # each painted class left on auto: the kind it was given, for later labellings
    levels: dict[tuple[int, int], float]  # each boundary's level (``boundary_choices``), for later labellings
    pinned: frozenset[tuple[int, int]] = frozenset()  # those the centring placed (``_choices``)


def with_bodies(labels: np.ndarray, layered: np.ndarray, bodies: list[int], seeds: np.ndarray) -> np.ndarray:
    """The layered units wherever ``labels`` (the networks' grown and completed labels) hold no
    body, the body wherever they do, and every painted seed as painted: a body keeps its own
    extent and cuts across whatever units it meets."""
    out = np.empty(layered.shape, np.uint8)
    for s in inline_slabs(layered.shape):  # the masks are a slab's: this runs at the completion's peak
        keep = np.isin(labels[s], bodies)
        keep |= layered[s] == 0
        part = out[s]
        part[...] = layered[s]
        np.copyto(part, labels[s], where=keep, casting="unsafe")
        painted = seeds[s] > 0
        part[painted] = seeds[s][painted]
    return out


def unseen_layers(
    layered: np.ndarray, winner: np.ndarray | None, units: list[int], said: list[int], share_min: float
) -> dict[int, float]:
    """Classes inferred to be units (not in ``said``) whose layer the networks' ``winner`` covers
    on less than ``share_min`` of its voxels, with that share. A body painted at a level of its
    own (a mound, a lobe) looks like a unit from its strokes, but the networks see it only where
    it is; a unit they confuse with its neighbours still holds a good part of its layer."""
    if share_min <= 0 or winner is None:
        return {}
    out = {}
    for c in units:
        if c in said:
            continue
        layer = layered == c
        share = float((winner[layer] == c).mean()) if layer.any() else 0.0
        if share < share_min:
            out[c] = share
    return out


def as_layers(
    labels: np.ndarray,
    tau: np.ndarray,
    amplitude: np.ndarray,
    seeds: np.ndarray,
    n_classes: int,
    live: np.ndarray | None,
    winner: np.ndarray | None,
    requested: list[str] | tuple[str, ...] = (),
    unit_agreement: float = 0.0,
    kept: dict[int, str] | None = None,
    kept_levels: dict[tuple[int, int], float] | None = None,
    kept_pinned: Collection[tuple[int, int]] = (),
) -> Layering:
    """``labels`` (the networks' grown and completed labels) with every voxel no body claims
    relabelled as the unit between the boundaries around it; bodies and painted seeds stay as
    they are. ``kept``, ``kept_levels``, ``kept_pinned``: the kinds, boundary levels and pinned
    boundaries an earlier labelling of the run decided (``infer_kinds``, ``kept_level``, ``_choices``).

    Units are told apart by their position between reflectors, which the strokes and the
    coordinate give directly: on the real F3 sections this scored 0.80 / 0.74 mIoU (two stroke
    protocols) where the networks' own unit labels scored 0.55 (docs/benchmarks.md)."""
    kinds = infer_kinds(seeds, tau, n_classes, live, requested, kept)
    units, bodies = kinds.of(UNIT), kinds.of(BODY)
    note = kinds.note
    painted = value_counts(seeds, n_classes + 1) > 0
    auto = [c for c in range(1, n_classes + 1) if painted[c] and (c > len(requested) or requested[c - 1] == AUTO)]
    decided = {c: kinds.kinds[c - 1] for c in auto}  # before the networks' check, which is made afresh each time

    middles: tuple[int, ...] = ()
    pinned: frozenset[tuple[int, int]] = frozenset()

    def layers(units: list[int]) -> tuple[np.ndarray, dict[tuple[int, int], float]]:
        nonlocal middles, pinned
        chosen = _choices(tau, amplitude, seeds, units, live, kept_levels, pinned=kept_pinned)
        levels = _place(tau, amplitude, seeds, live, STROKE_REACH, STROKE_MARGIN, True, chosen)
        middles, pinned = chosen.centred, chosen.pinned
        return _fill(tau, chosen.order, levels), chosen.level

    layered, levels = None, {}
    if len(units) >= 2:
        layered, levels = layers(units)
        said = [c for c, k in enumerate(requested, start=1) if k == UNIT]
        unseen = unseen_layers(layered, winner, units, said, unit_agreement)
        if unseen:
            units = [c for c in units if c not in unseen]
            bodies = [*bodies, *unseen]
            note += "; " + "; ".join(f"class {c} is a body after all (the networks see it on {share:.0%} of its "
                                     "layer; set its kind to unit if it is a layer)"
                                     for c, share in unseen.items())  # fmt: skip
            layered, levels = layers(units) if len(units) >= 2 else (None, {})
    if layered is None or len(units) < 2:
        held = frozenset(set(kept_pinned) & (kept_levels or {}).keys())  # kept for a labelling that has layers again
        return Layering(labels, f"no layers to order ({note}): labels as the networks give them", [], decided, {}, held)
    if middles:
        which = (
            f"class {middles[0]} painted along the middle of its layer"
            if len(middles) == 1
            else f"classes {', '.join(map(str, middles))} painted along the middles of their layers"
        )
        note += f"; {which} (the strokes of each unit lie at one level): boundaries straddle the strokes evenly"
    return Layering(with_bodies(labels, layered, bodies, seeds), f"classes as layers: {note}", units, decided, levels,
                    pinned)  # fmt: skip
