"""Reflector dips and a stratigraphic coordinate (relative geologic time) from the amplitudes.

Real stratigraphic units are told apart by their position between reflectors more than by
their texture: two parallel-bedded units look alike, and what separates them is the reflector
between them. A coordinate that is constant along every reflector and grows downward (a
relative geologic time, RGT) gives the networks and the growth that position.

How it is computed, by least squares rather than by tracing (tracing accumulates every dip
error along its path; a global solve spreads them):

1. Local dips from the gradient structure tensor: for each lateral axis ``a`` the dip
   ``p_a = -<g_a g_t> / <g_t g_t>`` (samples per trace) and a planarity in 0..1 that says how
   well one plane explains the local gradients (low in chaos, noise and at faults).
2. Distant traces (``lags`` apart) are correlated directly, in a Gaussian-like window of sigma
   ``lag_window`` samples (three box passes, about 73 samples across at 12), searched around the
   shift the dips predict: this carries the layering across faults and noise where the
   trace-to-trace dips fail.
3. The unknown is the depth ``z(i, j, k)`` of horizon ``k`` in every trace. Each horizon steps by
   the dip from trace to trace (``z(i + 1, k) - z(i, k) = p``, weighted by planarity) and by the
   measured shift between distant traces (weighted by the correlation), keeps about one sample
   from the next horizon (``z(k + 1) - z(k) = 1``, weakly), stays flat where the dips are
   unreliable (weakly), and follows the strokes painted along reflectors when there are any
   (control lines, ``engine.ties``). Conjugate gradients on the normal equations solve it coarse to
   fine, re-reading the fields at the horizons' new depths a few times per level. A coarse level
   halves time and every lateral axis still large enough; dips are in samples per trace, which
   halving both keeps, and along a small axis that stops halving they halve with time.
4. The horizons are kept from crossing (a running maximum down each trace), and the depth of
   every horizon is inverted into ``tau`` at every sample, made to increase strictly downward so
   that "above" and "below" keep their meaning where the solve bends at faults and unconformities.

The unit of ``tau`` is samples at the volume's mean trace: a reflector at sample 120 of an
undeformed trace has ``tau`` about 120. Nothing here knows about Qt or napari, and everything is
torch on the session's device.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn.functional as F

from .dips import StructureSettings, lag_shifts, lateral_axes, predicted_shift, reflector_dips

DEFAULT_SETTINGS = StructureSettings()


# ----------------------------------------------------------------------------- the solve
# Unknown: z(i, j, k), the depth (samples) of horizon k in trace (i, j); horizon k lies at about
# sample k on average. Each horizon follows the dips sideways, so the equations are linear once
# the fields are read at the current depths; a few outer passes re-read them (Gauss-Newton-like).
@dataclass
class _Fields:
    """The measured fields on one grid: per lateral axis the dip, the planarity weight, the lags."""

    shape: tuple[int, ...]
    dips: dict[int, torch.Tensor]
    weight: torch.Tensor
    lags: list[tuple[int, int, torch.Tensor, torch.Tensor]]  # (axis, lag, shift, quality) on pairs
    ties: list[np.ndarray] = field(default_factory=list)  # control lines on this grid: (points, 3) of (i, j, t)
    time_scale: float = 1.0  # samples of this grid per sample of the volume


READ_SLAB = 8  # inlines of the horizons read at a time: the int64 gather indices of a whole grid are large


def _read(field: torch.Tensor, z: torch.Tensor) -> torch.Tensor:
    """``field`` (.., nt) read at fractional samples ``z`` (.., nk), linearly, clamped to the trace;
    a few inlines at a time, so that the indices and weights of the read never span the grid."""
    nt = field.shape[-1]
    out = torch.empty(z.shape, dtype=field.dtype, device=z.device)
    for a in range(0, z.shape[0], READ_SLAB):
        zc = z[a : a + READ_SLAB].clamp(0, nt - 1.0)
        k0 = torch.floor(zc).long().clamp(max=nt - 2)
        frac = zc - k0
        f = field[a : a + READ_SLAB]
        out[a : a + READ_SLAB] = torch.gather(f, -1, k0) * (1 - frac) + torch.gather(f, -1, k0 + 1) * frac
    return out


def _pairs(u: torch.Tensor, axis: int, lag: int) -> tuple[torch.Tensor, torch.Tensor]:
    n = u.shape[axis]
    return u.narrow(axis, 0, n - lag), u.narrow(axis, lag, n - lag)


class _System:
    """The linear least-squares system for horizon depths, with the fields read at ``z``."""

    def __init__(self, f: _Fields, z: torch.Tensor, s: StructureSettings) -> None:
        self.terms: list[tuple[int, int, torch.Tensor, torch.Tensor | None]] = []  # (axis, lag, weight, target)
        w = _read(f.weight, z)
        for axis, p in f.dips.items():
            pa = _read(p, z)
            p0, p1 = _pairs(pa, axis, 1)
            w0, w1 = _pairs(w, axis, 1)
            wm = 0.5 * (w0 + w1)
            self.terms.append((axis, 1, torch.sqrt(wm), 0.5 * (p0 + p1)))
            self.terms.append((axis, 1, s.flat_weight * (1 - wm).clamp(min=0) + 1e-3, None))  # target 0: not stored
        for axis, lag, shift, q in f.lags:
            z0, _ = _pairs(z, axis, lag)
            self.terms.append((axis, lag, s.lag_weight * torch.sqrt(_read(q, z0)), _read(shift, z0)))
        self.vertical = s.vertical_weight
        self.shape = z.shape
        self.ties = _tie_terms(f.ties, z, s, f.time_scale)

    def apply_term(self, z: torch.Tensor, index: int) -> torch.Tensor:
        """One block of the operator's rows: term ``index`` of ``terms``, then the vertical
        equations, then the control lines (``n_blocks`` in all)."""
        if index < len(self.terms):
            axis, lag, w, _ = self.terms[index]
            a, b = _pairs(z, axis, lag)
            return (b - a).mul_(w)  # one new array, not two
        if index == len(self.terms):
            return self.vertical * (z[..., 1:] - z[..., :-1])
        assert self.ties is not None
        a, b, k, w, _ = self.ties
        flat = z.reshape(-1, z.shape[-1])
        return w * (flat[b, k] - flat[a, k])

    @property
    def n_blocks(self) -> int:
        return len(self.terms) + 1 + (self.ties is not None)

    def adjoint(self, res: list[torch.Tensor]) -> torch.Tensor:
        g = torch.zeros(self.shape, dtype=torch.float32, device=res[0].device)
        for (axis, lag, w, _), r in zip(self.terms, res, strict=False):
            n = self.shape[axis]
            rw = r * w
            g.narrow(axis, lag, n - lag).add_(rw)
            g.narrow(axis, 0, n - lag).sub_(rw)
        n_terms = len(self.terms)
        rv = res[n_terms] * self.vertical
        g[..., 1:] += rv
        g[..., :-1] -= rv
        if self.ties is not None:
            a, b, k, w, _ = self.ties
            flat = g.view(-1, g.shape[-1])
            rw = res[n_terms + 1] * w
            flat.index_put_((b, k), rw, accumulate=True)
            flat.index_put_((a, k), -rw, accumulate=True)
        return g

    def residual(self, z: torch.Tensor) -> list[torch.Tensor]:
        """``target - A z``, block by block, so that no block's target is held beside it."""
        out = []
        for i in range(self.n_blocks):
            r = self.apply_term(z, i).neg_()
            if i < len(self.terms):
                _, _, w, t = self.terms[i]
                if t is not None:
                    r.add_(w * t)
            elif i == len(self.terms):
                r.add_(self.vertical)
            else:
                assert self.ties is not None
                r.add_(self.ties[3] * self.ties[4])
            out.append(r)
        return out


def _tie_terms(ties: list[np.ndarray], z: torch.Tensor, s: StructureSettings, time_scale: float = 1.0):
    """Equations holding every horizon near a control line to it: for consecutive points a, b of a
    line, ``z(b, k) - z(a, k) = t_b - t_a`` for the horizons k within ``tie_band`` of the one
    through a (read from the current depths), weighted ``tie_weight`` and less further off.
    Returns (trace a, trace b, horizon, weight, target) tensors, or None without ties."""
    if not ties:
        return None
    ni, nx, nk = z.shape
    flat = z.reshape(-1, nk)
    rows: list[np.ndarray] = []
    for line in ties:
        i = np.clip(np.rint(line[:, 0]), 0, ni - 1).astype(np.int64)
        j = np.clip(np.rint(line[:, 1]), 0, nx - 1).astype(np.int64)
        trace, t = i * nx + j, line[:, 2]
        # consecutive points, and every point with the middle one: a jump the line makes at a fault
        # then outweighs the many distant-trace correlations across it that miss the throw
        mid = len(trace) // 2
        a = np.concatenate([trace[:-1], np.full(len(trace), trace[mid])])
        b = np.concatenate([trace[1:], trace])
        ta = np.concatenate([t[:-1], np.full(len(t), t[mid])])
        tb = np.concatenate([t[1:], t])
        step = a != b
        if step.any():
            rows.append(np.stack([a[step], b[step], ta[step], tb[step]], axis=1))
    if not rows:
        return None
    pairs = np.concatenate(rows)
    a = torch.from_numpy(pairs[:, 0].astype(np.int64)).to(z.device)
    b = torch.from_numpy(pairs[:, 1].astype(np.int64)).to(z.device)
    ta = torch.from_numpy(pairs[:, 2].astype(np.float32)).to(z.device)
    tb = torch.from_numpy(pairs[:, 3].astype(np.float32)).to(z.device)
    depth_a = flat[a].contiguous()  # (pairs, nk), increasing down where the solve keeps order
    k0 = torch.searchsorted(torch.cummax(depth_a, dim=1).values, ta[:, None]).squeeze(1).clamp(0, nk - 1)
    band = max(1, round(s.tie_band * time_scale))
    offsets = torch.arange(-band, band + 1, device=z.device)
    k = (k0[:, None] + offsets[None, :]).clamp(0, nk - 1)
    # The horizon through the line is held to it; its neighbours take the same correction (what the
    # line says the current depths get wrong), fading with distance, and keep their own shape: a
    # fault block moves as one, while beds that thin away from the line are not bent parallel to it.
    now = flat[b, k0] - flat[a, k0]
    correction = (tb - ta) - now
    fade = (1.0 - offsets.abs().float() / (band + 1))[None, :]
    target = (flat[b[:, None], k] - flat[a[:, None], k]) + correction[:, None] * fade
    w = s.tie_weight * fade.expand_as(k)
    shape = k.shape
    return (a[:, None].expand(shape).reshape(-1), b[:, None].expand(shape).reshape(-1), k.reshape(-1),
            w.reshape(-1).contiguous(), target.reshape(-1).contiguous())  # fmt: skip


def _cgls(op: _System, z: torch.Tensor, iterations: int) -> torch.Tensor:
    """Conjugate gradients on the normal equations, from ``z``, which is updated in place (each
    caller replaces its depths by the result; a copy would be one more array the size of the grid).

    ``A p`` is formed twice per iteration, a block at a time (once for its norm, once to update
    the residual), rather than kept whole: at full resolution it is as large as the residual, and
    the arithmetic is the same."""
    r = op.residual(z)
    s = op.adjoint(r)
    p = s.clone()
    gamma = (s * s).sum()
    for _ in range(iterations):
        qq = sum(q.square_().sum() for q in (op.apply_term(p, i) for i in range(op.n_blocks)))
        if float(qq) <= 0:
            break
        alpha = gamma / qq
        z.add_(alpha * p)
        for i in range(op.n_blocks):
            r[i] -= op.apply_term(p, i).mul_(alpha)
        del s  # the next gradient is built in its place
        s = op.adjoint(r)
        gamma_new = (s * s).sum()
        if float(gamma_new) <= 1e-12 * float(gamma) + 1e-30:
            break
        p.mul_(gamma_new / gamma).add_(s)
        gamma = gamma_new
    return z


def _pool(u: torch.Tensor, axes: list[int]) -> torch.Tensor:
    """Mean of pairs of neighbours along each of ``axes`` (an odd tail keeps its last sample)."""
    for a in axes:
        n = u.shape[a]
        if n % 2:
            u = torch.cat([u, u.narrow(a, n - 1, 1)], dim=a)
        u = u.unflatten(a, (u.shape[a] // 2, 2)).mean(dim=a + 1)
    return u


def _levels(shape: tuple[int, ...], min_size: int) -> list[list[int]]:
    """For each coarsening step, the axes it halves: time and every lateral axis still large enough.

    Dips are in samples per trace, which halving a lateral axis together with time keeps.
    """
    steps = []
    cur = list(shape)
    while cur[2] >= 2 * min_size:
        lat = [a for a in (0, 1) if cur[a] >= 2 * min_size]
        if not lat:
            break
        steps.append([*lat, 2])
        for a in [*lat, 2]:
            cur[a] = (cur[a] + 1) // 2
    return steps


def _coarser(f: _Fields, step: list[int]) -> _Fields:
    """The fields on the grid with the axes in ``step`` halved. A dip (samples per trace) keeps its
    value where time and its lateral axis halve together, and halves where only time does (a
    small lateral axis stops halving before time); a lag pair keeps its lag along an axis that is
    not halved, and its shift halves with time."""
    w = f.weight
    pw = _pool(w, step) + 1e-6
    t_scale = 0.5 if 2 in step else 1.0
    dips = {a: _pool(p * w, step) / pw * (1.0 if a in step else t_scale) for a, p in f.dips.items()}
    shape = tuple(int(n) for n in pw.shape)
    lags = []
    for axis, lag, shift, q in f.lags:
        halved = axis in step
        if halved and (lag % 2 or lag // 2 < 1):
            continue  # a pair (i, i + lag) becomes (i / 2, i / 2 + lag / 2): only even lags map over
        new_lag = lag // 2 if halved else lag
        n_pairs = shape[axis] - new_lag
        qs = _pool(q, step)
        ss = _pool(shift * q, step) / (qs + 1e-6) * t_scale
        qs, ss = qs.narrow(axis, 0, min(n_pairs, qs.shape[axis])), ss.narrow(axis, 0, min(n_pairs, ss.shape[axis]))
        if qs.shape[axis] < n_pairs:  # an odd size lost its last pair: that pair says nothing
            pad = [n_pairs - qs.shape[axis] if k == axis else qs.shape[k] for k in range(3)]
            qs = torch.cat([qs, torch.zeros(pad, device=qs.device)], axis)
            ss = torch.cat([ss, torch.zeros(pad, device=ss.device)], axis)
        lags.append((axis, new_lag, ss, qs))
    ties = []
    for line in f.ties:
        coarse = line.copy()
        coarse[:, step] /= 2.0
        ties.append(coarse)
    return _Fields(shape, dips, _pool(w, step), lags, ties, f.time_scale * t_scale)


def stratigraphic_coordinate(
    x: np.ndarray,
    settings: StructureSettings = DEFAULT_SETTINGS,
    device: torch.device | str = "cpu",
    ties: list[np.ndarray] | None = None,
) -> np.ndarray:
    """A relative geologic time per voxel (float32, samples), constant along reflectors, increasing down.

    ``ties`` are control lines, each ``(points, 3)`` of (inline, crossline, sample) positions that
    lie on one reflector (``engine.ties``): the horizons through them are held to the line, which
    also carries a horizon across a fault whose throw the correlation cannot see.
    """
    x = np.asarray(x, dtype=np.float32)
    if x.ndim != 3:
        raise ValueError("x must be (inline, crossline, sample)")
    shape = tuple(int(s) for s in x.shape)
    nt = shape[2]
    axes = lateral_axes(shape)
    if not axes or nt < 4:
        return np.array(np.broadcast_to(np.arange(nt, dtype=np.float32), shape))
    dev = torch.device(device)
    dips_np, planarity = reflector_dips(x, settings)
    lags = []
    for axis, dip in zip(axes, dips_np, strict=True):
        for lag in settings.lags:
            if lag < shape[axis]:
                shift, quality = lag_shifts(x, axis, lag, predicted_shift(dip, axis, lag), settings)
                lags.append((axis, lag, torch.from_numpy(shift).to(dev), torch.from_numpy(quality).to(dev)))
    pyramid = [
        _Fields(
            shape,
            {a: torch.from_numpy(dip).to(dev) for a, dip in zip(axes, dips_np, strict=True)},
            torch.from_numpy(planarity).to(dev) ** 2,
            lags,
            [np.asarray(t, np.float64).reshape(-1, 3) for t in ties or [] if len(t) > 1],
        )
    ]
    del dips_np, planarity, lags  # the pyramid holds what is needed; each grid is dropped once solved
    for step in _levels(shape, settings.min_level_size):
        pyramid.append(_coarser(pyramid[-1], step))
    z = None
    for level in range(len(pyramid)):  # coarsest first, each grid dropped once solved
        f = pyramid.pop()
        if z is None:
            z = torch.arange(f.shape[2], device=dev, dtype=torch.float32).view(1, 1, -1).expand(f.shape).contiguous()
        else:
            z = _upsample(z, f.shape)
        passes = settings.outer_passes
        iters = settings.iterations * (4 if level == 0 else 1)
        for _ in range(passes):
            z = _cgls(_System(f, z, settings), z, iters)
        del f
    assert z is not None
    return _invert(z, nt)


def _upsample(z: torch.Tensor, shape: tuple[int, ...]) -> torch.Tensor:
    """Coarse horizon depths onto a finer grid: trilinear, values scaled like the time axis."""
    factor = (shape[2] - 1) / max(z.shape[2] - 1, 1)
    up = F.interpolate(z[None, None], size=shape, mode="trilinear", align_corners=True)[0, 0]
    return up * factor


def _invert(z: torch.Tensor, nt: int) -> np.ndarray:
    """tau(i, j, t) from horizon depths z(i, j, k): per trace, the (fractional) horizon at each sample.

    Horizons are first made non-decreasing down each trace (where the solve let two cross, the
    lower one is held at the upper one), then the depth-to-horizon map is inverted by interpolation.
    """
    z = torch.cummax(z, dim=-1).values
    k = torch.arange(z.shape[-1], dtype=torch.float32, device=z.device)
    flat = z.reshape(-1, z.shape[-1]).contiguous()
    t = torch.arange(nt, dtype=torch.float32, device=z.device).expand(flat.shape[0], nt).contiguous()
    idx = torch.searchsorted(flat, t, right=True)  # first horizon deeper than the sample
    hi = idx.clamp(1, flat.shape[1] - 1)
    lo = hi - 1
    z0, z1 = torch.gather(flat, 1, lo), torch.gather(flat, 1, hi)
    frac = ((t - z0) / (z1 - z0).clamp(min=1e-3)).clamp(-50, 50)
    tau = k[lo] + frac
    tau = _monotone(tau.reshape(*z.shape[:-1], nt).cpu().numpy())
    return tau


def _monotone(tau: np.ndarray) -> np.ndarray:
    """Strictly increasing down each trace, by the smallest upward corrections."""
    step = np.float32(1e-3)
    ramp = np.arange(tau.shape[2], dtype=np.float32) * step
    return (np.maximum.accumulate(tau - ramp, axis=2) + ramp).astype(np.float32)
