"""What the coordinate is solved from: local reflector dips, and shifts between distant traces.

Dips come from the gradient structure tensor (samples per trace, with a planarity that says how
far to trust them); distant traces are correlated directly, which carries the layering across
faults and noisy stretches where the trace-to-trace dips fail (``engine.structure`` solves the
horizons from both).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from scipy import ndimage

from .dead import dead_samples
from .slabs import inline_slabs

MAX_DIP = 4.0  # samples per trace: steeper local slopes are noise or faults at seismic sampling
MAX_THROW_SAMPLES = 24  # the largest fault throw looked for across distant traces
LAG_MIN_CORRELATION = 0.75  # distant traces correlating less than this say nothing
LAG_SLAB_TRACES = 4096  # pairs of traces searched at once: each temporary is 4096 traces (5 MB at 320 samples)
DEAD_REACH = 2.0  # a dead sample spoils the dips this far (in gradient sigmas, the derivative stencil's reach)
LAG_DEAD_REACH = 3.0  # and a correlation this far down the trace (in sigmas of its window, about all its weight)


@dataclass(frozen=True)
class StructureSettings:
    """How dips are measured and how stiffly the coordinate follows them."""

    gradient_sigma: float = 1.0  # voxels: derivative-of-Gaussian scale
    smooth_lateral: float = 6.0  # traces: structure-tensor averaging across
    smooth_vertical: float = 3.0  # samples: structure-tensor averaging down
    vertical_weight: float = 0.05  # weak pull of d tau / d t towards 1
    flat_weight: float = 0.05  # weak pull towards equal tau at equal time where dips fail
    iterations: int = 60  # conjugate-gradient iterations per level (four times that on the coarsest)
    lags: tuple[int, ...] = (8, 16)  # traces: distant traces correlated directly (jumps faults and noise)
    lag_window: float = 12.0  # samples: sigma of the correlation's Gaussian-like window (about 6 sigma across)
    max_throw: float = 0.12  # largest fault throw looked for, as a fraction of the trace length
    lag_weight: float = 2.0  # weight of a perfectly correlated lag constraint (dips weigh at most 1)
    outer_passes: int = 3  # times the fields are re-read at the horizons' new depths, per level
    min_level_size: int = 24  # coarsest grid: no axis is halved below this
    tie_weight: float = 10.0  # weight of a control line's equation (a perfectly correlated lag weighs 2)
    tie_band: float = 40.0  # samples either side of a control line whose horizons it moves with it (a fault block)


def lateral_axes(shape: tuple[int, ...]) -> list[int]:
    return [a for a in (0, 1) if shape[a] > 1]


def reflector_dips(
    x: np.ndarray, settings: StructureSettings = StructureSettings()
) -> tuple[list[np.ndarray], np.ndarray]:
    """Dips along each lateral axis of extent > 1 (samples per trace) and a planarity in 0..1.

    ``x`` is (inline, crossline, sample). Returns ``(dips, planarity)``; ``dips`` has one float32
    array per lateral axis with more than one trace (none for a single trace).
    """
    x = np.asarray(x, dtype=np.float32)
    axes = lateral_axes(x.shape)
    s = settings
    grads = {}
    for a in [*axes, 2]:
        order = [0, 0, 0]
        order[a] = 1
        sig = [s.gradient_sigma if x.shape[k] > 1 else 0.0 for k in range(3)]
        grads[a] = ndimage.gaussian_filter(x, sig, order=order, mode="nearest")
    smooth = [s.smooth_lateral if x.shape[k] > 1 else 0.0 for k in (0, 1)] + [s.smooth_vertical]

    def avg(u: np.ndarray) -> np.ndarray:
        return ndimage.gaussian_filter(u, smooth, mode="nearest")

    gt = grads[2]
    stt = avg(gt * gt)
    eps = np.float32(1e-6 * float(stt.mean()) + 1e-20)
    dips = []
    residual = np.zeros_like(stt)
    total = stt.copy()
    for a in axes:
        ga = grads[a]
        saa = avg(ga * ga)
        sat = avg(ga * gt)
        dips.append(np.clip(-sat / (stt + eps), -MAX_DIP, MAX_DIP).astype(np.float32))
        residual += np.maximum(saa - sat * sat / (stt + eps), 0)
        total += saa
    planarity = np.clip(1.0 - residual / (total + eps), 0.0, 1.0).astype(np.float32)
    reach = max(1, int(np.ceil(DEAD_REACH * s.gradient_sigma)))
    near = near_dead(x, [reach if x.shape[k] > 1 else 0 for k in range(3)])
    if near is not None:  # no dip there: the solve's priors and the distant traces carry the horizons across
        planarity[near] = 0.0
        for dip in dips:
            dip[near] = 0.0
    return dips, planarity


def near_dead(x: np.ndarray, reach: list[int]) -> np.ndarray | None:
    """Where a dead sample (``dead_samples``) lies within ``reach`` samples along each axis; None
    where no sample is dead.

    Real surveys are muted above an irregular front and hold dead traces. The edge of a mute has
    strong gradients that follow the mute, not the layering, and a correlation window that spans
    it aligns the live part of one trace with the muted part of the next: on the F3 sections both
    bent the shallow horizons by tens of samples at the traces muted deepest (docs/benchmarks.md).
    """
    dead = dead_samples(x)
    if dead is None:
        return None
    return ndimage.maximum_filter(dead, size=[2 * r + 1 for r in reach], mode="nearest")


# ----------------------------------------------------------------------------- distant traces
def _smooth_t(u: torch.Tensor, sigma: float) -> torch.Tensor:
    """Gaussian-like smoothing down the last axis: three box passes (cumulative sums), zero outside."""
    width = 2 * round(np.sqrt(4 * sigma * sigma + 1) / 2) + 1  # odd
    half = width // 2
    for _ in range(3):
        c = F.pad(u, (half + 1, half)).cumsum(-1)
        u = (c[..., width:] - c[..., :-width]) / width
    return u


def lag_shifts(
    x: np.ndarray, axis: int, lag: int, predicted: np.ndarray, settings: StructureSettings = StructureSettings()
) -> tuple[np.ndarray, np.ndarray]:
    """Vertical shift from trace ``i`` to trace ``i + lag`` along ``axis`` by local cross-correlation.

    ``predicted`` is the shift the dips predict (same shape as the pairs); the search looks up to
    ``max_throw`` samples either side of it, so a fault's throw is found while a neighbouring
    cycle of the wavelet far from the prediction is not. Returns the shift (samples, float32) and
    a quality in 0..1 from the normalised correlation at the peak.

    Each trace pair is searched on its own, so the pairs go a slab of inlines at a time: the
    search makes a dozen temporaries per candidate shift, and whole-grid ones left the C heap
    holding about 0.7 GiB of freed memory at 96 x 192 x 320, which the solve after it then
    reused in pieces (docs/benchmarks.md).
    """
    n = x.shape[axis]
    pair_shape = list(x.shape)
    pair_shape[axis] = n - lag
    shift = np.empty(pair_shape, np.float32)
    quality = np.empty(pair_shape, np.float32)
    near = near_dead(x, [0, 0, max(1, int(np.ceil(LAG_DEAD_REACH * settings.lag_window)))])
    for slab in inline_slabs(tuple(pair_shape[:2]), LAG_SLAB_TRACES):  # traces, not voxels
        i0, i1 = slab.start, slab.stop
        if axis == 0:
            a, b = x[i0:i1], x[i0 + lag : i1 + lag]
        else:
            a, b = x[i0:i1, : n - lag], x[i0:i1, lag:]
        sh, q = _search(a, b, predicted[i0:i1], settings)
        shift[i0:i1], quality[i0:i1] = sh.reshape(a.shape).numpy(), q.reshape(a.shape).numpy()
        if near is not None:  # a window that reaches a dead sample in either trace says nothing
            if axis == 0:
                near_a, near_b = near[i0:i1], near[i0 + lag : i1 + lag]
            else:
                near_a, near_b = near[i0:i1, : n - lag], near[i0:i1, lag:]
            nt = x.shape[2]
            matched = np.clip(np.rint(np.arange(nt) + shift[i0:i1]), 0, nt - 1).astype(np.intp)
            spoilt = near_a | np.take_along_axis(near_b, matched, axis=-1)  # b's window is where it matched
            quality[i0:i1][spoilt] = 0.0
    return shift, quality


def _search(
    a_np: np.ndarray, b_np: np.ndarray, predicted: np.ndarray, settings: StructureSettings
) -> tuple[torch.Tensor, torch.Tensor]:
    """``lag_shifts`` on pairs of traces ``a_np`` and ``b_np`` (same shape), flattened."""
    nt = a_np.shape[-1]
    a = torch.from_numpy(np.ascontiguousarray(a_np, dtype=np.float32)).reshape(-1, nt)
    b = torch.from_numpy(np.ascontiguousarray(b_np, dtype=np.float32)).reshape(-1, nt)
    base = torch.from_numpy(np.ascontiguousarray(predicted, dtype=np.float32)).reshape(-1, nt).round()
    reach = max(2, int(min(settings.max_throw * nt, MAX_THROW_SAMPLES)))
    sig = settings.lag_window
    ea = _smooth_t(a * a, sig)
    eb = _smooth_t(b * b, sig)
    t = torch.arange(nt, dtype=torch.float32).expand_as(a)
    # the best shift, its score and its neighbours' scores (for the parabolic refinement, which
    # only an inner best uses), kept as the search goes: holding every candidate's scores at once
    # took twice (2 reach + 1) float32 per voxel, about 600 bytes, the solve's peak
    best = left = right = previous = None
    k = torch.zeros(a.shape, dtype=torch.long)
    for j, d in enumerate(range(-reach, reach + 1)):
        pos = t + base + d
        valid = (pos >= 0) & (pos <= nt - 1)
        idx = pos.clamp(0, nt - 1).long()
        bk = torch.gather(b, 1, idx) * valid
        num = _smooth_t(a * bk, sig)
        score = num / torch.sqrt(ea * torch.gather(eb, 1, idx) + 1e-12) - 3.0 * (~valid)
        del pos, valid, idx, bk, num
        if best is None:
            best, left, right = score.clone(), score.clone(), score.clone()
        else:
            torch.where(k == j - 1, score, right, out=right)  # the best so far has its right neighbour now
            better = score > best  # the first of equal scores stays the best, as a max over them would keep it
            torch.where(better, previous, left, out=left)  # in place: no new arrays per candidate
            torch.where(better, score, best, out=best)
            k.masked_fill_(better, j)
        previous = score
    denom = left - 2 * best + right
    inner = (k > 0) & (k < 2 * reach) & (denom < -1e-6)
    offset = torch.where(inner, 0.5 * (left - right) / torch.where(inner, denom, -torch.ones_like(denom)), 0.0)
    shift = base + (k - reach).float() + offset.clamp(-0.5, 0.5)
    quality = ((best - LAG_MIN_CORRELATION) / (1 - LAG_MIN_CORRELATION)).clamp(0.0, 1.0) ** 2
    return shift, quality


def predicted_shift(dips: np.ndarray, axis: int, lag: int) -> np.ndarray:
    """The shift the dips predict over ``lag`` traces (the mean dip along the way times the lag)."""
    c = np.cumsum(dips, axis=axis, dtype=np.float64)
    n = dips.shape[axis]
    zero = np.zeros_like(np.take(c, [0], axis=axis))
    c = np.concatenate([zero, c], axis=axis)
    total = np.take(c, np.arange(lag, n), axis=axis) - np.take(c, np.arange(0, n - lag), axis=axis)
    return total.astype(np.float32)
