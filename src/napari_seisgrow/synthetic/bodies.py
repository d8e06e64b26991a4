"""The "bodies" family: small geobodies in layered host rock.

What interpreters hunt for and what texture alone must find: a sinuous channel, a lobe (a lens
with a flat base and a convex top), a carbonate mound (a bright-topped dome with a dim, disordered
core) and a mass-transport deposit (a chaotic sheet of irregular thickness), each 0.5-5 % of the
volume, in two host units that are bedded alike and told apart by position. Structure: a regional
dip and gentle folds. Classes: upper host, lower host, channel, lobe, mound, mass-transport deposit.
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage

from .common import Synthetic, add_noise, ricker, smooth_field, volume_of

CLASS_NAMES = ("upper host", "lower host", "channel", "lobe", "mound", "mass-transport deposit")


def make_bodies(
    shape: tuple[int, int, int] = (64, 96, 160),
    seed: int = 0,
    *,
    snr: float = 4.0,
    dt_ms: float = 4.0,
    freq_hz: float = 30.0,
) -> Synthetic:
    """A labelled volume of ``shape`` (one inline allowed) with four kinds of small body."""
    rng = np.random.default_rng(seed)
    ni, nx, nt = (int(s) for s in shape)
    ii = np.arange(ni, dtype=np.float32)[:, None, None]
    jj = np.arange(nx, dtype=np.float32)[None, :, None]
    t = np.arange(nt, dtype=np.float32)[None, None, :]
    dip = rng.uniform(-0.06, 0.06, 2) * nt / np.array([max(ni, 1), max(nx, 1)])
    folds = 0.05 * nt * smooth_field((ni, nx), max(6.0, 0.3 * max(ni, nx)), rng)[..., None]
    shift = dip[0] * ii + dip[1] * jj + folds * (0.4 + 0.6 * t / nt)
    tau = (t - shift).astype(np.float32)  # relative geologic time of the host layering
    lo, hi = float(tau.min()) - 8, float(tau.max()) + 8
    boundary = lo + (hi - lo) * rng.uniform(0.45, 0.55)
    truth = np.where(tau < boundary, 1, 2).astype(np.uint8)

    # Host beds: one kind throughout, a little sparser below; the host boundary is a strong reflector.
    n = int(hi - lo) * 8 + 16
    series = np.zeros(n, np.float32)
    pos = np.cumsum(rng.uniform(2.5, 5.5, n))
    pos = pos[pos < n / 8] * 8
    series[pos.astype(int)] = rng.choice([-1.0, 1.0], len(pos)) * rng.uniform(0.3, 0.8, len(pos))
    series[int((boundary - lo) * 8)] = 1.4
    series = ndimage.gaussian_filter1d(series, 4.0) * 8
    u = np.clip((tau - lo) * 8, 0, n - 1.001)
    k0 = u.astype(np.int32)
    w = u - k0
    refl = ((1 - w) * series[k0] + w * series[k0 + 1]).astype(np.float32)
    refl *= 1.0 + 0.15 * smooth_field((ni, nx), 6.0, rng)[..., None]
    span = hi - lo

    def lateral(size: float) -> tuple[np.ndarray, np.ndarray]:
        """Distance-like coordinates across and along a body's axis (a section sees a cut through it)."""
        ci, cj = rng.uniform(0.3, 0.7) * max(ni - 1, 1), rng.uniform(0.25, 0.75) * (nx - 1)
        theta = rng.uniform(0, np.pi) if ni > 1 else np.pi / 2
        across = (ii - ci) * np.cos(theta) + (jj - cj) * np.sin(theta)
        along = -(ii - ci) * np.sin(theta) + (jj - cj) * np.cos(theta)
        return across / size, along / size

    def place(mask: np.ndarray, cls: int, fill: np.ndarray) -> None:
        nonlocal truth
        truth = np.where(mask, np.uint8(cls), truth).astype(np.uint8)
        refl[mask] = fill[mask]

    noise = rng.normal(0, 1, (ni, nx, nt)).astype(np.float32)
    # Channel: a sinuous U cut into the upper host, bright discontinuous fill.
    width = max(3.0, 0.07 * nx)
    across, along = lateral(1.0)
    meander = across - 0.12 * nx * np.sin(2 * np.pi * along / max(0.8 * max(ni, nx), 8) + rng.uniform(0, 6.28))
    d = np.clip(1 - (meander / width) ** 2, 0, None)
    top = lo + span * rng.uniform(0.2, 0.3)
    depth = 0.07 * nt
    channel = (tau >= top) & (tau <= top + depth * d) & (d > 0)
    phase = (tau - top) / 7.0
    place(channel, 3, 1.1 * np.cos(2 * np.pi * phase) * (0.6 + 0.4 * ndimage.gaussian_filter(noise, 1.0)))
    # Lobe: flat base, convex top, beds downlapping onto the base; in the lower host.
    across, along = lateral(max(4.0, 0.18 * nx))
    r2 = across**2 + (along / 1.6) ** 2
    base = lo + span * rng.uniform(0.62, 0.7)
    thick = 0.09 * nt * np.clip(1 - r2, 0, None)
    lobe = (tau <= base) & (tau >= base - thick) & (thick > 0.5)
    inner = (base - tau) / np.maximum(thick, 1e-3)
    place(lobe, 4, 0.9 * np.sin(2 * np.pi * (inner * 2 + 0.3 * across)))
    # Mound: a dome on the host boundary, bright top, dim disordered core.
    across, along = lateral(max(3.0, 0.14 * nx))
    r = np.sqrt(across**2 + along**2)
    height = 0.12 * nt * np.clip(1 - r**2, 0, None)
    mound = (tau <= boundary) & (tau >= boundary - height) & (height > 0.5)
    core = 0.25 * ndimage.gaussian_filter(noise, (1.5, 1.5, 1.0))
    rim = mound & ~np.roll(mound, 1, axis=2)
    fill = core.copy()
    fill[rim] = -1.3
    place(mound, 5, fill)
    # Mass-transport deposit: a chaotic sheet of irregular thickness in the lower host.
    across, along = lateral(max(6.0, 0.3 * nx))
    extent = np.clip(1.2 - np.abs(across) - 0.3 * np.abs(along), 0, None)
    sheet_top = lo + span * rng.uniform(0.78, 0.84) + 2.0 * smooth_field((ni, nx), 4.0, rng)[..., None]
    sheet = 0.06 * nt * extent * (1 + 0.4 * smooth_field((ni, nx), 3.0, rng)[..., None])
    mtd = (tau >= sheet_top) & (tau <= sheet_top + sheet) & (sheet > 1.0)
    chaos = ndimage.gaussian_filter(noise, (1.0, 1.0, 0.8))
    place(mtd, 6, 0.8 * chaos / (chaos.std() + 1e-6))

    wavelet = ricker(freq_hz, dt_ms)
    trace = ndimage.convolve1d(refl, wavelet, axis=2, mode="constant")
    data = add_noise(trace, wavelet, snr, rng)
    return Synthetic(volume=volume_of(data, dt_ms), truth=truth, class_names=CLASS_NAMES, rgt=tau, family="bodies")
