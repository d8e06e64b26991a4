"""Where one more stroke should help most: a doubt score per voxel and a ranked, spread-out list
of places on inline sections.

The two networks already say where the labels are doubtful: where their winners differ, and
where the winning class barely wins. Places are windows of one inline (a few dozen traces by a
few dozen samples), because a stroke is painted on one section. Windows next to a seed are left
out (a stroke there would teach little new), and once a window is chosen its neighbours are
passed over, so ten suggestions are ten places. Two more things keep the list useful: the voxels
right at a boundary between two winning classes are always doubtful (the margin is small on the
boundary itself, however right it is), so that doubt does not count; and each pick of the same
two classes lowers the next such window, so the list covers the several confusions rather than
one long boundary ten times. Everything here works on the last prediction:
no network runs, so ranking a 200 x 300 x 400 volume takes a fraction of a second.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace

import numpy as np

WINDOW = (32, 32)  # traces, samples
NEAR_SEEDS = (2, 1)  # inlines, windows: a window this close to a seed is not suggested
SPREAD = (4, 1)  # inlines, windows: after a pick, its neighbours this close are passed over
EDGE = 2  # traces/samples: doubt this close to a change of winning class belongs to the boundary itself
PAIR_DECAY = 0.7  # each earlier pick of the same two classes scales a window's score by this
CANDIDATES_PER_PLACE = 200  # windows of highest doubt considered per place asked for


@dataclass(frozen=True)
class Suggestion:
    inline: int  # 0-based index along the first axis
    traces: tuple[int, int]  # [start, stop) along the second axis
    samples: tuple[int, int]  # [start, stop) along the third axis
    classes: tuple[int, int]  # the two classes in doubt (the second is 0 when only one class is there)
    score: float  # mean doubt over the window, 0..1
    disagreement: float | None  # share of the window where the networks' winners differ (None: unknown)
    source: str = "networks"  # what the doubt comes from: "networks", or "boundary" (a unit boundary's place)

    @property
    def centre(self) -> tuple[int, int, int]:
        return self.inline, (self.traces[0] + self.traces[1]) // 2, (self.samples[0] + self.samples[1]) // 2

    def reason(self, names: dict[int, str] | None = None) -> str:
        """One line for the status bar, e.g. "networks disagree on 40%: chaotic vs channel fill"."""
        names = names or {}
        a, b = (names.get(c, f"class {c}") for c in self.classes)
        if self.source == "boundary":
            return f"the boundary between {a} and {b} may lie on another reflector here (doubt {self.score:.2f})"
        pair = f"{a} vs {b}" if self.classes[1] else f"{a}, weakly"
        if self.disagreement is not None and self.disagreement >= 0.05:
            return f"networks disagree on {100 * self.disagreement:.0f}% here: {pair}"
        return f"the winning class barely wins here (doubt {self.score:.2f}): {pair}"

    def to_dict(self) -> dict:
        return {**asdict(self), "centre": list(self.centre)}


def doubt(confidence: np.ndarray, n_classes: int, disagree: np.ndarray | None = None) -> np.ndarray:
    """Per voxel, 0 (sure) to 1 (no idea): how far the winning probability is from certainty,
    scaled so that a uniform answer is 1, averaged with the networks' disagreement when known."""
    c = np.asarray(confidence, dtype=np.float32)
    floor = 1.0 / max(n_classes, 2)
    d = np.clip((1.0 - c) / (1.0 - floor), 0.0, 1.0)
    if disagree is not None:
        d = 0.5 * (d + np.asarray(disagree, dtype=np.float32))
    return d


def _window_means(values: np.ndarray, window: tuple[int, int]) -> np.ndarray:
    """(inlines, n_t, n_s) means over windows; the last window of an axis may be shorter."""
    ni, nt, ns = values.shape
    wt, ws = min(window[0], nt), min(window[1], ns)
    bt, bs = -(-nt // wt), -(-ns // ws)
    sums = np.zeros((ni, bt, bs), np.float64)
    counts = np.zeros((1, bt, bs), np.float64)
    for j in range(bt):
        for k in range(bs):
            block = values[:, j * wt : (j + 1) * wt, k * ws : (k + 1) * ws]
            sums[:, j, k] = block.sum(axis=(1, 2), dtype=np.float64)
            counts[0, j, k] = block.shape[1] * block.shape[2]
    return sums / counts


def _window_any(mask: np.ndarray, window: tuple[int, int]) -> np.ndarray:
    return _window_means(mask.astype(np.float32), window) > 0


def _dilate(mask: np.ndarray, reach: tuple[int, int]) -> np.ndarray:
    """Box dilation: ``reach[0]`` inlines and ``reach[1]`` windows each way."""
    from scipy.ndimage import maximum_filter

    size = (2 * reach[0] + 1, 2 * reach[1] + 1, 2 * reach[1] + 1)
    return maximum_filter(mask, size=size, mode="constant", cval=0) > 0


def off_boundaries(winner: np.ndarray, edge: int = EDGE) -> np.ndarray:
    """Voxels farther than ``edge`` traces or samples (within their inline) from a change of winning class.

    A change between voxels k and k + 1 marks k - edge + 1 .. k + edge: slices, not a filter, so a
    survey-size prediction takes a few passes over a boolean volume.
    """
    w = np.asarray(winner)
    near = np.zeros(w.shape, bool)
    for axis in (1, 2):
        if w.shape[axis] < 2:
            continue
        change = np.diff(w, axis=axis) != 0
        n = change.shape[axis]
        for shift in range(min(edge, n)):
            _or_slab(near, change, axis, 0, n - shift, shift, n)  # voxel k - shift
            _or_slab(near, change, axis, 1 + shift, n + 1, 0, n - shift)  # voxel k + 1 + shift
    return ~near


def _or_slab(out: np.ndarray, src: np.ndarray, axis: int, o0: int, o1: int, s0: int, s1: int) -> None:
    """``out[o0:o1] |= src[s0:s1]`` along ``axis``."""
    a: list = [slice(None)] * out.ndim
    b: list = [slice(None)] * src.ndim
    a[axis], b[axis] = slice(o0, o1), slice(s0, s1)
    out[tuple(a)] |= src[tuple(b)]


def _classes_in_doubt(winner: np.ndarray, other: np.ndarray | None) -> tuple[tuple[int, int], float | None]:
    """The pair of classes the window hesitates between, and the share where the networks differ."""
    w = winner.ravel().astype(np.int64)
    if other is not None:
        o = other.ravel().astype(np.int64)
        differ = (w != o) & (w > 0) & (o > 0)
        share = float(differ.mean())
        if differ.any():
            lo, hi = np.minimum(w[differ], o[differ]), np.maximum(w[differ], o[differ])
            pairs, counts = np.unique(lo * 256 + hi, return_counts=True)
            best = int(pairs[counts.argmax()])
            return (best // 256, best % 256), share
    else:
        share = None
    counts = np.bincount(w[w > 0], minlength=2)
    order = np.argsort(counts)[::-1]
    first = int(order[0])
    second = int(order[1]) if counts[order[1]] > 0 else 0
    return (first, second), share


def rank_places(
    doubt_map: np.ndarray,
    seeds: np.ndarray,
    winner: np.ndarray,
    *,
    other: np.ndarray | None = None,
    n: int = 10,
    window: tuple[int, int] = WINDOW,
    near_seeds: tuple[int, int] = NEAR_SEEDS,
    spread: tuple[int, int] = SPREAD,
    live: np.ndarray | None = None,
    edge: int = EDGE,
    boundary: np.ndarray | None = None,
) -> list[Suggestion]:
    """The ``n`` windows of highest mean doubt, away from seeds and from each other.

    ``other``: the second network's winner (the pair in doubt then comes from where they differ);
    ``live``: voxels that hold data (dead traces and padding are never suggested); ``edge``: doubt
    within this many voxels of a change of winning class is left out (0 keeps it, e.g. for an error map);
    ``boundary``: voxels whose doubt is a unit boundary's (``other`` there is the unit across it): a
    window with most of its doubt on those is a "boundary" suggestion, and they take no part in
    the networks' share.
    """
    values = np.asarray(doubt_map, dtype=np.float32)
    if live is not None:
        values = np.where(live, values, 0.0)
    if edge > 0:
        values = np.where(off_boundaries(winner, edge), values, 0.0)
    means = _window_means(values, window)
    blocked = _dilate(_window_any(np.asarray(seeds) > 0, window), near_seeds)
    if live is not None:
        blocked |= ~_window_any(np.asarray(live), window)
    nt, ns = values.shape[1:]
    wt, ws = min(window[0], nt), min(window[1], ns)
    score = np.where(blocked, -1.0, means)
    keep = CANDIDATES_PER_PLACE * max(n, 1)
    if score.size > keep:  # only the best windows can be picked, and each one looked at costs a little
        floor = np.partition(score.ravel(), score.size - keep)[score.size - keep]
        score[score < floor] = -1.0
    out: list[Suggestion] = []
    picked: dict[tuple[int, int], int] = {}  # pair of classes -> times suggested so far
    lowered = np.zeros(score.shape, bool)
    while len(out) < n:
        flat = int(score.argmax())
        if score.flat[flat] <= 0:
            break
        i, j, k = np.unravel_index(flat, score.shape)
        t0, s0 = j * wt, k * ws
        t1, s1 = min(nt, t0 + wt), min(ns, s0 + ws)
        win = np.asarray(winner[i, t0:t1, s0:s1])
        oth = None if other is None else np.asarray(other[i, t0:t1, s0:s1])
        source = "networks"
        if boundary is not None:
            on = np.asarray(boundary[i, t0:t1, s0:s1])
            here = values[i, t0:t1, s0:s1]
            if oth is not None and on.any() and here[on].sum() >= here[~on].sum():  # most of its doubt
                (classes, _), share, source = _classes_in_doubt(win[on], oth[on]), None, "boundary"
            else:
                classes, share = _classes_in_doubt(win[~on], None if oth is None else oth[~on])
        else:
            classes, share = _classes_in_doubt(win, oth)
        times = picked.get(classes, 0)
        if times and not lowered.flat[flat]:  # lowered once, lazily: it is picked if it still leads
            score.flat[flat] *= PAIR_DECAY**times
            lowered.flat[flat] = True
            continue
        picked[classes] = times + 1
        out.append(Suggestion(int(i), (int(t0), int(t1)), (int(s0), int(s1)), classes, float(means[i, j, k]), share,
                              source))  # fmt: skip
        score[
            max(0, i - spread[0]) : i + spread[0] + 1,
            max(0, j - spread[1]) : j + spread[1] + 1,
            max(0, k - spread[1]) : k + spread[1] + 1,
        ] = -1.0
    return out


def suggest_places(
    winner: np.ndarray,
    confidence: np.ndarray,
    seeds: np.ndarray,
    n_classes: int,
    net_winners: list[np.ndarray] | None = None,
    *,
    live: np.ndarray | None = None,
    n: int = 10,
    layers: Layers | None = None,
    **options,
) -> list[Suggestion]:
    """``rank_places`` from what a run keeps: the ensemble's winner and confidence, (when known)
    each network's own winner, and (``layers``, when the run labelled units as ordered layers) the
    doubt of its unit boundaries, which replaces the networks' wherever the labels are a unit: the
    networks agree where a layered boundary is wrong, so their doubt cannot point there."""
    other = disagree = None
    if net_winners and len(net_winners) >= 2:
        disagree = net_winners[0] != net_winners[1]
        # where they differ, the pair in doubt is the two networks' answers
        other = np.where(net_winners[0] == winner, net_winners[1], net_winners[0])
    values = doubt(confidence, n_classes, disagree)
    if layers is None:
        return rank_places(values, seeds, winner, other=other, live=live, n=n, **options)
    labels, on_unit = layers.labels, layers.on_units()
    values = np.where(on_unit, layers.doubt, values)
    if disagree is not None:  # the networks' pair beside the labels shown: where they differ, the one not shown
        assert net_winners is not None
        theirs = np.where(disagree, np.where(net_winners[0] == labels, net_winners[1], net_winners[0]), labels)
    else:
        theirs = labels
    other = np.where(on_unit, layers.other, theirs)
    places = rank_places(values, seeds, labels, other=other, live=live, n=n, boundary=on_unit, **options)
    if disagree is None:  # the networks' own answers are unknown: say nothing about their disagreement
        places = [replace(p, disagreement=None) if p.source == "networks" else p for p in places]
    return places


@dataclass(frozen=True)
class Layers:
    """A run's units as ordered layers, for doubt and suggestions: the labels shown, the classes
    labelled as layers, and per voxel the doubt of its unit and the unit across the boundary in
    doubt (``engine.units.unit_doubt``)."""

    labels: np.ndarray
    units: tuple[int, ...]
    doubt: np.ndarray
    other: np.ndarray

    def on_units(self) -> np.ndarray:
        return np.isin(self.labels, self.units)

    def merged(self, network_doubt: np.ndarray) -> np.ndarray:
        """The doubt map: the boundaries' where the labels are a unit, the networks' elsewhere."""
        return np.where(self.on_units(), self.doubt, network_doubt).astype(np.float32)
