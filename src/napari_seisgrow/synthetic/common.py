"""What every synthetic family shares: the result type, the wavelet, noise and a geometry."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage

from ..io.geometry import Geometry, Volume

AMPLITUDE_SCALE = 1000.0  # real SEG-Y amplitudes are not in [-1, 1]; neither are ours


@dataclass
class Synthetic:
    volume: Volume
    truth: np.ndarray  # uint8, 1..K
    class_names: tuple[str, ...]
    rgt: np.ndarray | None = None  # float32 relative geologic time (constant along reflectors), when known
    family: str = ""


def ricker(freq_hz: float, dt_ms: float) -> np.ndarray:
    half = int(np.ceil(1.5 / (freq_hz * dt_ms / 1000.0)))
    t = np.arange(-half, half + 1) * dt_ms / 1000.0
    a = (np.pi * freq_hz * t) ** 2
    return ((1 - 2 * a) * np.exp(-a)).astype(np.float32)


def smooth_field(shape: tuple[int, ...], sigma: float, rng: np.random.Generator) -> np.ndarray:
    """A smooth random field of unit standard deviation (float32)."""
    f = ndimage.gaussian_filter(rng.normal(size=shape), sigma, mode="reflect")
    return (f / (f.std() + 1e-12)).astype(np.float32)


def band_noise(shape: tuple[int, int, int], wavelet: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Noise with the signal's spectrum down the traces and a little lateral correlation."""
    band = ndimage.convolve1d(rng.normal(size=shape).astype(np.float32), wavelet, axis=2, mode="constant")
    sig = [0.7 if s > 1 else 0.0 for s in shape[:2]] + [0.0]
    return ndimage.gaussian_filter(band, sig)


def add_noise(trace: np.ndarray, wavelet: np.ndarray, snr: float, rng: np.random.Generator) -> np.ndarray:
    """``trace`` plus band-limited noise at an RMS signal-to-noise ratio of ``snr``."""
    band = band_noise(trace.shape, wavelet, rng)
    band *= np.sqrt(np.mean(trace**2)) / (snr * np.sqrt(np.mean(band**2)) + 1e-12)
    return trace + band


def volume_of(data: np.ndarray, dt_ms: float) -> Volume:
    ni, nx, nt = data.shape
    geometry = Geometry(
        inlines=np.arange(100, 100 + ni),
        crosslines=np.arange(300, 300 + nx),
        samples=np.arange(nt) * dt_ms,
        sample_interval=dt_ms,
        sample_unit="ms",
        domain="time",
        source=None,
    )
    return Volume(data=(data * AMPLITUDE_SCALE).astype(np.float32), geometry=geometry)
