"""The "strata" family: stratigraphic units with the same reflection texture.

What real stratigraphic interpretation looks like (the F3 units, for instance): every unit is
bedded alike, and what tells them apart is their position between reflectors. Built per trace
as a column of horizons (unit tops) with lateral thickness changes and pinch-outs, a lower
sequence tilted and truncated by an erosional unconformity, an upper sequence that onlaps it,
then folds, a regional dip and a normal fault. Every unit draws its beds from one
reflectivity series on the relative-geologic-time axis, so texture alone cannot separate them;
unit tops carry a reflector of random strength (some strong, some like any other bed).
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage

from .common import Synthetic, add_noise, ricker, smooth_field, volume_of


def _grid(ni: int, nx: int) -> tuple[np.ndarray, np.ndarray]:
    i = np.arange(ni, dtype=np.float32)[:, None] / max(ni - 1, 1)
    j = np.arange(nx, dtype=np.float32)[None, :] / max(nx - 1, 1)
    return i, j


def _thicknesses(n: int, mean: float, ni: int, nx: int, rng: np.random.Generator, pinch: bool) -> np.ndarray:
    """(n, ni, nx) unit thicknesses that vary laterally; with ``pinch`` one unit thins to nothing."""
    i, j = _grid(ni, nx)
    out = np.empty((n, ni, nx), np.float32)
    for k in range(n):
        base = mean * rng.uniform(0.6, 1.4)
        ramp = rng.uniform(-0.25, 0.25) * (np.cos(rng.uniform(0, np.pi)) * i + np.sin(rng.uniform(0, np.pi)) * j - 0.5)
        wobble = 0.15 * smooth_field((ni, nx), max(4.0, 0.2 * max(ni, nx)), rng)
        out[k] = base * np.clip(1.0 + 2 * ramp + wobble, 0.4, None)
    if pinch and n > 2:
        k = int(rng.integers(1, n - 1))
        theta = rng.uniform(0, 2 * np.pi)
        edge = np.cos(theta) * i + np.sin(theta) * j
        edge = (edge - edge.min()) / (np.ptp(edge) + 1e-6)
        cut = rng.uniform(0.35, 0.6)
        out[k] *= np.clip((edge - cut) / 0.25, 0.0, 1.0)  # gone on one side of the line, full thickness beyond
    return out


def make_strata(
    shape: tuple[int, int, int] = (64, 96, 160),
    seed: int = 0,
    *,
    n_units: int = 8,
    snr: float = 4.0,
    dt_ms: float = 4.0,
    freq_hz: float = 30.0,
    fault_throw: float | None = None,
) -> Synthetic:
    """A labelled volume of ``n_units`` same-texture units; ``shape`` may have one inline (a section).

    ``fault_throw`` (a fraction of the trace length) replaces the random throw; 0 makes no fault.
    """
    rng = np.random.default_rng(seed)
    ni, nx, nt = (int(s) for s in shape)
    i, j = _grid(ni, nx)
    n_upper = n_units // 2
    n_lower = n_units - n_upper
    mean = nt / (n_units - 0.5)

    # The erosion surface, about mid-volume, with gentle relief.
    erosion = 0.5 * nt + 0.05 * nt * smooth_field((ni, nx), max(3.0, 0.15 * max(ni, nx)), rng)
    # Upper sequence: stacked from the top down; units deeper than the erosion surface onlap it.
    th_up = _thicknesses(n_upper, 0.5 * nt / (n_upper - 0.3), ni, nx, rng, pinch=True)
    tops_up = np.cumsum(th_up, axis=0)[:-1]  # the interfaces inside the upper sequence
    tops_up = np.minimum(tops_up - 0.05 * nt, erosion)
    # Lower sequence: stacked, tilted (an angular unconformity) and cut by the erosion surface.
    th_lo = _thicknesses(n_lower, mean, ni, nx, rng, pinch=True)
    angle = rng.uniform(0, 2 * np.pi)
    tilt = rng.uniform(0.15, 0.3) * nt * (np.cos(angle) * (i - 0.5) + np.sin(angle) * (j - 0.5))
    orig = 0.5 * nt - 0.6 * mean + tilt + np.concatenate([np.zeros((1, ni, nx), np.float32), np.cumsum(th_lo, 0)[:-1]])
    lower = np.maximum(orig, erosion)  # tops of the lower units where they survive
    horizons = np.concatenate([tops_up, erosion[None], lower[1:]])  # n_units - 1 interfaces, top down
    horizons = np.maximum.accumulate(horizons, axis=0)
    # Age at the top and bottom of each unit in each trace: unit k (from 0) spans ages [k, k + 1].
    # Lower units keep the age their beds had before erosion, so truncated beds stay cut.
    a_top = np.broadcast_to(np.arange(n_units, dtype=np.float32)[:, None, None], (n_units, ni, nx)).copy()
    for k in range(n_lower):
        u = n_upper + k
        a_top[u] = u + np.clip((lower[k] - orig[k]) / np.maximum(th_lo[k], 1e-3), 0.0, 1.0)
    nominal = np.float32(mean)

    # Post-depositional deformation: folds that grow with depth, a regional dip and a fault.
    t = np.arange(nt, dtype=np.float32)
    dip = rng.uniform(-0.08, 0.08, 2) * nt
    folds = 0.06 * nt * smooth_field((ni, nx), max(6.0, 0.3 * max(ni, nx)), rng)
    shift = (dip[0] * i + dip[1] * j)[..., None] + folds[..., None] * (0.3 + 0.7 * t / nt)
    theta = rng.uniform(0, np.pi)
    ci, cj = rng.uniform(0.35, 0.65, 2)
    throw = rng.uniform(0.05, 0.09) * nt
    if fault_throw is not None:
        throw = fault_throw * nt
    slope = rng.uniform(0.1, 0.25)  # traces per sample: a normal fault of about 60 degrees
    if ni == 1:  # a section: make the fault cross it
        side = (j - cj) * (nx - 1)
    else:
        side = np.cos(theta) * (i - ci) * (ni - 1) + np.sin(theta) * (j - cj) * (nx - 1)
    hanging = side[..., None] + slope * (t - nt / 2) > 0
    depth = (t - shift - np.where(hanging, throw, 0.0)).astype(np.float32)

    unit = np.zeros(depth.shape, np.int32)
    for h in horizons:
        unit += depth >= h[..., None]
    top = np.where(unit > 0, _pick(horizons, unit - 1), np.nan)
    bot = np.where(unit < n_units - 1, _pick(horizons, np.minimum(unit, n_units - 2)), np.nan)
    at = _pick(a_top, unit)
    age = np.where(
        unit == 0,
        1.0 - (bot - depth) / nominal,  # the top unit runs up out of the volume
        np.where(
            unit == n_units - 1,
            at + (depth - top) / nominal,  # the bottom unit runs down out of it
            at + (unit + 1 - at) * (depth - top) / np.maximum(bot - top, 1e-3),
        ),
    ).astype(np.float32)
    truth = (unit + 1).astype(np.uint8)

    # Beds of one kind in every unit: the same spacing in samples, whatever the unit's thickness.
    fine = 256
    series = np.zeros((n_units + 3) * fine, np.float32)
    for k in range(-1, n_units + 1):
        thick = float(th_lo[k - n_upper].mean()) if k >= n_upper and k - n_upper < n_lower else 0.5 * nt / n_upper
        pos = k + np.cumsum(rng.uniform(3.0, 6.0, int(2 * thick) + 4)) / thick
        pos = pos[pos < k + 1]
        idx = ((pos + 1) * fine).astype(int)
        series[idx] = rng.choice([-1.0, 1.0], len(idx)) * rng.uniform(0.3, 0.8, len(idx))
    for k in range(1, n_units):  # unit tops: a reflector of random strength
        series[(k + 1) * fine] = rng.choice([-1.0, 1.0]) * rng.choice([0.6, 1.0, 1.6])
    series = ndimage.gaussian_filter1d(series, 0.5 * fine / mean) * (fine / mean)  # no aliasing when sampled
    u = np.clip((age + 1) * fine, 0, len(series) - 1.001)
    k0 = u.astype(np.int32)
    w = (u - k0).astype(np.float32)
    refl = (1 - w) * series[k0] + w * series[k0 + 1]
    refl *= (1.0 + 0.2 * smooth_field((ni, nx), 8.0, rng))[..., None]
    wavelet = ricker(freq_hz, dt_ms)
    trace = ndimage.convolve1d(refl.astype(np.float32), wavelet, axis=2, mode="constant")
    data = add_noise(trace, wavelet, snr, rng)
    names = tuple(f"unit {k + 1}" for k in range(n_units))
    return Synthetic(volume=volume_of(data, dt_ms), truth=truth, class_names=names, rgt=age, family="strata")


def _pick(stack: np.ndarray, index: np.ndarray) -> np.ndarray:
    """``stack[index[..., t], ..., t]``: per voxel, the value of the layer ``index`` names in its trace."""
    return np.take_along_axis(stack.transpose(1, 2, 0), index.astype(np.int64), axis=2)
