"""The "noisy" family: facies in repeated units, under heavy noise and amplitude trends.

Kept out of all tuning (the held-out family of the accuracy suite). Low signal-to-noise (1.5 to 3),
amplitudes that fade with depth and vary sideways, a wavelet of 20 to 40 Hz, units whose thickness
changes laterally, a tilted lower sequence under an angular unconformity, a fault. Four facies
(parallel, wavy, transparent, chaotic) each recur in several units, so neither position nor
texture alone gives the class.
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage

from .common import Synthetic, add_noise, ricker, smooth_field, volume_of

CLASS_NAMES = ("parallel", "wavy", "transparent", "chaotic")


def make_noisy(
    shape: tuple[int, int, int] = (64, 96, 160),
    seed: int = 0,
    *,
    snr: float | None = None,
    dt_ms: float = 4.0,
) -> Synthetic:
    """A labelled volume; ``snr`` (RMS) defaults to a random value between 1.5 and 3."""
    rng = np.random.default_rng(seed)
    ni, nx, nt = (int(s) for s in shape)
    snr = float(rng.uniform(1.5, 3.0)) if snr is None else snr
    freq = float(rng.uniform(20.0, 40.0))
    lateral = max(4.0, 0.15 * max(ni, nx))  # smoothness of lateral variations, in traces
    ii = np.arange(ni, dtype=np.float32)[:, None, None] / max(ni - 1, 1)
    jj = np.arange(nx, dtype=np.float32)[None, :, None] / max(nx - 1, 1)
    t = np.arange(nt, dtype=np.float32)[None, None, :]

    # Relative geologic time: a lower sequence tilted under an erosion surface, gentle folds, a fault.
    erosion = nt * rng.uniform(0.5, 0.65) + 0.04 * nt * smooth_field((ni, nx), lateral, rng)[..., None]
    angle = rng.uniform(0, 2 * np.pi)
    tilt = rng.uniform(0.12, 0.25) * nt * (np.cos(angle) * (ii - 0.5) + np.sin(angle) * (jj - 0.5))
    upper = t < erosion
    tau = np.where(upper, t, t + 2 * nt - tilt).astype(np.float32)  # the lower sequence is older: tau jumps
    tau -= 0.05 * nt * smooth_field((ni, nx), lateral, rng)[..., None] * (t / nt)
    side = (
        (jj - rng.uniform(0.35, 0.65)) * (nx - 1)
        if ni == 1
        else (np.cos(angle + 1.0) * (ii - 0.5) * (ni - 1) + np.sin(angle + 1.0) * (jj - 0.5) * (nx - 1))
    )
    hanging = side + rng.uniform(0.1, 0.2) * (t - nt / 2) > 0
    throw = rng.uniform(0.04, 0.08) * nt
    shifted_t = t - np.where(hanging, throw, 0.0)
    tau = np.where(hanging, np.where(shifted_t < erosion, shifted_t, shifted_t + 2 * nt - tilt), tau).astype(np.float32)

    # Units on the tau axis, each with a laterally varying thickness, each a facies (facies recur).
    lo, hi = float(tau.min()) - 2, float(tau.max()) + 2
    tops = [lo]
    while tops[-1] < hi:
        tops.append(tops[-1] + rng.uniform(0.12, 0.22) * nt)
    tops = np.asarray(tops, np.float32)
    facies = []
    for _ in range(len(tops)):
        options = [f for f in range(1, 5) if not facies or f != facies[-1]]
        facies.append(int(rng.choice(options)))
    facies = np.asarray(facies, np.uint8)
    wobble = 0.03 * nt * smooth_field((ni, nx), lateral, rng)[..., None]
    unit = np.clip(np.searchsorted(tops, tau + wobble, side="right") - 1, 0, len(tops) - 1)
    truth = facies[unit]

    n = int(hi - lo) + 8
    refl = np.zeros((ni, nx, nt), np.float32)
    u = np.clip(tau - lo, 0, n - 1.001)
    parallel = np.zeros(n, np.float32)
    p = np.cumsum(rng.uniform(4, 7, n))
    p = p[p < n].astype(int)
    parallel[p] = rng.choice([-1.0, 1.0], len(p)) * rng.uniform(0.6, 1.0, len(p))
    k0 = u.astype(np.int32)
    refl_par = parallel[k0]
    wavy_phase = 3.0 * np.sin(2 * np.pi * (ii * rng.uniform(1, 3) + jj * rng.uniform(2, 5)) + u / 9.0)
    kw = np.clip(u + wavy_phase, 0, n - 1.001).astype(np.int32)
    refl_wavy = 0.8 * parallel[kw] * (1 + 0.5 * smooth_field((ni, nx, nt), 2.0, rng))
    chaos = smooth_field((ni, nx, nt), 1.0, rng) * 0.35
    transparent = 0.05 * rng.normal(size=(ni, nx, nt)).astype(np.float32)
    refl = np.select([truth == 1, truth == 2, truth == 3], [refl_par, refl_wavy, transparent], chaos).astype(np.float32)
    boundary = np.diff(truth, axis=2, prepend=truth[..., :1]) != 0
    refl[boundary] += 0.8

    wavelet = ricker(freq, dt_ms)
    trace = ndimage.convolve1d(refl, wavelet, axis=2, mode="constant")
    data = add_noise(trace, wavelet, snr, rng)
    gain = np.exp(-rng.uniform(0.5, 1.5) * t / nt) * (1 + 0.4 * smooth_field((ni, nx), lateral, rng)[..., None])
    data = (data * gain).astype(np.float32)
    return Synthetic(volume=volume_of(data, dt_ms), truth=truth, class_names=CLASS_NAMES, rgt=tau, family="noisy")
