"""Labelled synthetic seismic volumes with exact ground truth, and seed simulators.

The generator builds a layered earth in relative geologic time (RGT): units of different
*seismic facies* (thin-bedded, chaotic, transparent, massive), deformed by folds and a regional
dip, cut by a normal fault with throw and by a sinuous channel, then convolved with a Ricker
wavelet and blurred by band-limited noise. Facies differ in texture (reflector spacing, lateral
continuity) more than in amplitude, so a method that only thresholds amplitude cannot pass.
Everything is drawn from one ``numpy.random.Generator``: the same seed gives the same volume.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage

from .io.geometry import Geometry, Volume

CLASS_NAMES = ("thin-bedded", "chaotic", "transparent", "massive", "channel fill")
CHANNEL = 5
AMPLITUDE_SCALE = 1000.0  # real SEG-Y amplitudes are not in [-1, 1]; neither are ours


@dataclass
class Synthetic:
    volume: Volume
    truth: np.ndarray  # uint8, 1..5
    class_names: tuple[str, ...] = CLASS_NAMES


def ricker(freq_hz: float, dt_ms: float) -> np.ndarray:
    half = int(np.ceil(1.5 / (freq_hz * dt_ms / 1000.0)))
    t = np.arange(-half, half + 1) * dt_ms / 1000.0
    a = (np.pi * freq_hz * t) ** 2
    return ((1 - 2 * a) * np.exp(-a)).astype(np.float32)


def _structure(shape, rng) -> np.ndarray:
    """Vertical shift (samples) at each voxel: regional dip plus folds that grow with depth."""
    ni, nx, nt = shape
    i = np.arange(ni, dtype=np.float32)[:, None, None]
    j = np.arange(nx, dtype=np.float32)[None, :, None]
    t = np.arange(nt, dtype=np.float32)[None, None, :]
    dip_i, dip_j = rng.uniform(-0.12, 0.12, 2) * nt / np.array([max(ni, 1), max(nx, 1)])
    shift = dip_i * i + dip_j * j
    folds = np.zeros((ni, nx, 1), dtype=np.float32)
    for _ in range(3):
        ci, cj = rng.uniform(0, ni), rng.uniform(0, nx)
        si, sj = rng.uniform(0.25, 0.6) * max(ni, 8), rng.uniform(0.25, 0.6) * max(nx, 8)
        amp = rng.uniform(-0.07, 0.07) * nt
        folds += amp * np.exp(-((i - ci) ** 2 / (2 * si**2) + (j - cj) ** 2 / (2 * sj**2)))
    return (shift + folds * (0.4 + 0.6 * t / nt)).astype(np.float32)


def _fault_side(shape, rng) -> np.ndarray:
    """True on the hanging-wall side of one dipping planar fault crossing the volume."""
    ni, nx, nt = shape
    theta = rng.uniform(0, np.pi)
    slope = rng.uniform(0.08, 0.2)  # lateral offset per sample of depth: a steep normal fault
    ci, cj = rng.uniform(0.35, 0.65) * ni, rng.uniform(0.35, 0.65) * nx
    i = np.arange(ni, dtype=np.float32)[:, None, None] - ci
    j = np.arange(nx, dtype=np.float32)[None, :, None] - cj
    t = np.arange(nt, dtype=np.float32)[None, None, :] - nt / 2
    return (i * np.cos(theta) + j * np.sin(theta) + slope * t) > 0


def _units(tau_min: float, tau_max: float, rng, nt: int):
    """Unit tops in RGT and a facies per unit; every facies 1..4 appears, neighbours differ."""
    min_thick = max(6.0, 0.09 * nt)
    tops = [tau_min - 1.0]
    while True:
        nxt = tops[-1] + rng.uniform(min_thick, 2.2 * min_thick)
        if nxt >= tau_max:
            break
        tops.append(nxt)
    n_units = len(tops)
    facies: list[int] = []
    pool = list(rng.permutation(4) + 1)
    while len(facies) < n_units:
        if not pool:
            pool = list(rng.permutation(4) + 1)
        f = int(pool.pop(0))
        if facies and f == facies[-1]:
            pool.append(f)
            if len(pool) == 1:
                pool = list(rng.permutation(4) + 1)
            continue
        facies.append(f)
    return np.asarray(tops), np.asarray(facies, dtype=np.uint8)


def _series(kind: int, n: int, rng) -> np.ndarray:
    """1-D reflectivity of a laterally continuous facies, on the RGT grid."""
    r = np.zeros(n, dtype=np.float32)
    if kind == 1:  # thin-bedded: dense alternating reflectors of similar strength
        pos = np.cumsum(rng.integers(2, 4, n))
        pos = pos[pos < n]
        r[pos] = np.where(np.arange(len(pos)) % 2 == 0, 1.0, -1.0) * rng.uniform(0.4, 0.7, len(pos))
    elif kind == 3:  # transparent: almost nothing
        r[:] = rng.normal(0, 0.03, n)
    elif kind == 4:  # massive: few strong, widely spaced reflectors
        pos = np.cumsum(rng.integers(10, 18, n))
        pos = pos[pos < n]
        r[pos] = rng.choice([-1.0, 1.0], len(pos)) * rng.uniform(0.7, 1.0, len(pos))
    return r


def make_synthetic(
    shape: tuple[int, int, int] = (64, 96, 160),
    seed: int = 0,
    *,
    snr: float = 4.0,
    dt_ms: float = 4.0,
    freq_hz: float = 30.0,
) -> Synthetic:
    """A labelled volume of ``shape`` (inline, crossline, sample); ``snr`` is an RMS ratio."""
    rng = np.random.default_rng(seed)
    ni, nx, nt = (int(s) for s in shape)
    shift = _structure((ni, nx, nt), rng)
    throw = rng.uniform(0.05, 0.09) * nt
    fault = _fault_side((ni, nx, nt), rng)
    t = np.arange(nt, dtype=np.float32)[None, None, :]
    tau = t - shift - np.where(fault, throw, 0.0).astype(np.float32)
    del shift
    pad = 4
    tau_lo, tau_hi = float(np.floor(tau.min())) - pad, float(np.ceil(tau.max())) + pad
    n_tau = int(tau_hi - tau_lo) + 1
    tops, facies = _units(tau_lo, tau_hi, rng, nt)
    unit = np.clip(np.searchsorted(tops, tau, side="right") - 1, 0, len(tops) - 1)
    truth = facies[unit]

    # Reflectivity on the RGT grid, then read at each voxel's RGT (linear interpolation).
    series = np.stack([_series(k, n_tau, rng) for k in range(5)])  # index by facies number
    top_idx = np.clip(np.round(tops - tau_lo).astype(int), 0, n_tau - 1)
    series[:, top_idx] += rng.choice([-1.0, 1.0], len(tops)) * rng.uniform(0.5, 1.0, len(tops))
    u = np.clip(tau - tau_lo, 0, n_tau - 1.001)
    k0 = u.astype(np.int32)
    w = (u - k0).astype(np.float32)
    del u
    lateral = 1.0 + 0.25 * ndimage.gaussian_filter(rng.normal(size=(ni, nx)), 6.0, mode="reflect")[:, :, None]
    refl = np.empty((ni, nx, nt), dtype=np.float32)
    for f in (1, 3, 4):
        s = series[f]
        m = truth == f
        refl[m] = ((1 - w) * s[k0] + w * s[np.minimum(k0 + 1, n_tau - 1)])[m]
    refl *= lateral.astype(np.float32)
    # Chaotic: reflectors that break and jitter within a trace or two.
    noise = rng.normal(0, 0.6, (ni, nx, n_tau)).astype(np.float32)
    chaotic = ndimage.gaussian_filter(noise, (1.2, 1.2, 0.7))
    chaotic *= 0.6 / (chaotic.std() + 1e-6)
    m = truth == 2
    refl[m] = np.take_along_axis(chaotic, k0, axis=2)[m]
    del chaotic

    # A sinuous channel cut into the top of a thick unit, filled with bright, discontinuous beds.
    thick = np.diff(np.append(tops, tau_hi))
    host = int(np.argmax(thick[1:-1]) + 1) if len(thick) > 2 else 0
    ii = np.arange(ni, dtype=np.float32)[:, None, None]
    jj = np.arange(nx, dtype=np.float32)[None, :, None]
    wavelength = rng.uniform(0.6, 1.0) * max(ni, 8)
    centre = nx * rng.uniform(0.35, 0.65) + 0.18 * nx * np.sin(2 * np.pi * ii / wavelength + rng.uniform(0, 2 * np.pi))
    half_width = max(3.0, 0.09 * nx)
    depth = max(4.0, 0.6 * thick[host])
    d = np.clip(1 - ((jj - centre) / half_width) ** 2, 0, None)
    in_channel = (tau >= tops[host]) & (tau <= tops[host] + depth * d) & (d > 0)
    # Fill: bright concave-up beds that thin towards the margins (onlap), unlike any host facies.
    u = (tau - tops[host]) / np.maximum(depth * d, 1e-3)  # 0 at the channel top, 1 at its base
    beds = np.maximum(2, int(depth / 3))
    phase = u * beds
    fill = 0.8 * np.cos(2 * np.pi * phase) * np.exp(-(((phase % 1.0) - 0.5) ** 2) / 0.02)
    refl[in_channel] = (fill * (1 + 0.2 * ndimage.gaussian_filter(noise[..., :1], 2.0)))[in_channel]
    del fill, noise, k0, w, u, phase
    base = in_channel & ~np.roll(in_channel, -1, axis=2)
    refl[base] += 1.0
    truth = np.where(in_channel, np.uint8(CHANNEL), truth).astype(np.uint8)

    wavelet = ricker(freq_hz, dt_ms)
    trace = ndimage.convolve1d(refl, wavelet, axis=2, mode="constant")
    del refl
    band = ndimage.convolve1d(rng.normal(size=(ni, nx, nt)).astype(np.float32), wavelet, axis=2, mode="constant")
    band = ndimage.gaussian_filter(band, (0.7, 0.7, 0))
    band *= np.sqrt(np.mean(trace**2)) / (snr * np.sqrt(np.mean(band**2)) + 1e-12)
    data = ((trace + band) * AMPLITUDE_SCALE).astype(np.float32)
    geometry = Geometry(
        inlines=np.arange(100, 100 + ni),
        crosslines=np.arange(300, 300 + nx),
        samples=np.arange(nt) * dt_ms,
        sample_interval=dt_ms,
        sample_unit="ms",
        domain="time",
        source=None,
    )
    return Synthetic(volume=Volume(data=data, geometry=geometry), truth=truth)


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
            if not mask.any():
                continue
            inner = ndimage.binary_erosion(mask, iterations=2)
            pts = np.argwhere(inner if inner.any() else mask)
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
