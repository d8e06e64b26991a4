"""The "facies" family: units of different seismic texture, a fault and a channel.

The generator builds a layered earth in relative geologic time (RGT): units of different
*seismic facies* (thin-bedded, chaotic, transparent, massive), deformed by folds and a regional
dip, cut by a normal fault with throw and by a sinuous channel, then convolved with a Ricker
wavelet and blurred by band-limited noise. Facies differ in texture (reflector spacing, lateral
continuity) more than in amplitude, so a method that only thresholds amplitude cannot pass.
Everything is drawn from one ``numpy.random.Generator``: the same seed gives the same volume.
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage

from .common import Synthetic, add_noise, ricker, volume_of

CLASS_NAMES = ("thin-bedded", "chaotic", "transparent", "massive", "channel fill")
CHANNEL = 5


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
    refl = np.zeros((ni, nx, nt), dtype=np.float32)  # chaotic voxels are set below; never multiply garbage
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
    data = add_noise(trace, wavelet, snr, rng)
    return Synthetic(
        volume=volume_of(data, dt_ms), truth=truth, class_names=CLASS_NAMES, rgt=tau.astype(np.float32), family="facies"
    )
