"""What the networks see at each voxel: amplitude, and optionally where the voxel sits in the layering.

Inputs are array-likes read on demand, so the in-memory and the blockwise sessions share them:

* ``amplitude``: the normalised amplitudes;
* ``strat``: the stratigraphic coordinate (``engine/structure.py``), scaled to about [-1, 1];
* ``depth``: the plain sample position, scaled to [-1, 1].

``Channels`` stacks them: indexing it returns the channels first, then whatever the index selects.
The coordinate is solved on a laterally decimated grid when the volume is large (reflectors
change slowly sideways) and interpolated back to any voxel as it is read.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from ..io.errors import SeisgrowError
from .config_checks import INPUTS
from .dips import StructureSettings
from .slabs import inline_slabs
from .structure import stratigraphic_coordinate

STRAT_VOXELS = 6_000_000  # the coordinate is solved on a grid of at most about this many voxels


def _normalise_index(index: Any, shape: Sequence[int]) -> list[Any]:
    if not isinstance(index, tuple):
        index = (index,)
    index = list(index)
    if any(i is Ellipsis for i in index):
        k = index.index(Ellipsis)
        index[k : k + 1] = [slice(None)] * (len(shape) - len(index) + 1)
    return index + [slice(None)] * (len(shape) - len(index))


class DepthChannel:
    """The sample position, -1 at the first sample and 1 at the last, for any index."""

    def __init__(self, shape: Sequence[int]) -> None:
        self.shape = tuple(int(s) for s in shape)
        self.ndim, self.dtype = 3, np.dtype(np.float32)

    def __getitem__(self, index: Any) -> np.ndarray:
        nt = self.shape[2]
        t = np.linspace(-1.0, 1.0, nt, dtype=np.float32) if nt > 1 else np.zeros(1, np.float32)
        full = np.broadcast_to(t, self.shape)
        return np.array(full[tuple(_normalise_index(index, self.shape))])


@dataclass
class StratGrid:
    """The stratigraphic coordinate on a grid decimated by ``step`` along the lateral axes.

    ``tau`` is in samples; ``values`` give it for any index of the full volume, bilinearly
    between the decimated traces. ``centre`` and ``half`` scale it to about [-1, 1] for the networks.
    """

    tau: np.ndarray  # (ceil(ni / s0), ceil(nx / s1), nt) float32
    shape: tuple[int, int, int]
    step: tuple[int, int]
    seconds: float = 0.0

    @property
    def centre(self) -> float:
        return 0.5 * (float(self.tau.min()) + float(self.tau.max()))

    @property
    def half(self) -> float:
        return max(0.5 * (float(self.tau.max()) - float(self.tau.min())), 1e-3)

    def values(self, index: Any = ()) -> np.ndarray:
        """tau (samples) at ``index`` of the full volume.

        Only the decimated traces and samples the index needs are gathered before the
        interpolation: a crossline interpolated along the inlines the whole grid's width first,
        and at F3 size that was 30 % of a whole-volume pass (docs/benchmarks.md). Gathering
        commutes with the interpolation's per-trace arithmetic, so the values are the same bit
        for bit in either order."""
        idx = _normalise_index(index, self.shape)
        squeeze = [axis for axis in (0, 1) if isinstance(idx[axis], (int, np.integer))]
        t_index = idx[2]
        out = self.tau[:, :, [t_index] if isinstance(t_index, (int, np.integer)) else t_index]
        plans = []
        for axis in (0, 1):  # first gather the decimated traces either axis needs...
            pos = np.atleast_1d(np.arange(self.shape[axis])[idx[axis]])
            step = self.step[axis]
            if step == 1:
                out = np.take(out, pos, axis=axis)
                plans.append(None)
                continue
            f = pos / step
            k0 = np.minimum(np.floor(f).astype(np.int64), self.tau.shape[axis] - 1)
            k1 = np.minimum(k0 + 1, self.tau.shape[axis] - 1)
            w = (f - k0).astype(np.float32)
            need = np.union1d(k0, k1)
            out = np.take(out, need, axis=axis)
            plans.append((np.searchsorted(need, k0), np.searchsorted(need, k1), w))
        for axis, plan in enumerate(plans):  # ...then interpolate, inlines first as always
            if plan is None:
                continue
            k0, k1, w = plan
            shape = [1, 1, 1]
            shape[axis] = len(w)
            w = w.reshape(shape)
            out = np.take(out, k0, axis=axis) * (1 - w) + np.take(out, k1, axis=axis) * w
        if isinstance(t_index, (int, np.integer)):
            out = out[:, :, 0]
        if squeeze:
            out = out.squeeze(axis=tuple(squeeze))
        return np.asarray(out, dtype=np.float32)

    def full(self) -> np.ndarray:
        """tau for every voxel, made a slab of inlines at a time into one array: interpolating the
        whole volume at once held four or five volume-sized float32 temporaries beside the result,
        at the completion's and the final growth's peak (docs/benchmarks.md). Each slab's values
        are the whole interpolation's, bit for bit."""
        out = np.empty(self.shape, np.float32)
        for s in inline_slabs(self.shape):
            out[s] = self.values(s)
        return out

    def at(self, i: np.ndarray, j: np.ndarray, t: np.ndarray) -> np.ndarray:
        """tau at scattered voxels ``(i, j, t)`` of the full volume (bilinear between the decimated
        traces, as ``values``), without reading whole sections: the seeds of a survey."""
        out = np.zeros(len(i), np.float32)
        corners = []
        for axis, pos in ((0, np.asarray(i)), (1, np.asarray(j))):
            f = pos / self.step[axis]
            k0 = np.minimum(np.floor(f).astype(np.int64), self.tau.shape[axis] - 1)
            k1 = np.minimum(k0 + 1, self.tau.shape[axis] - 1)
            corners.append(((k0, 1 - (f - k0)), (k1, f - k0)))
        for a, wa in corners[0]:
            for b, wb in corners[1]:
                out += (wa * wb).astype(np.float32) * self.tau[a, b, np.asarray(t)]
        return out


class StratChannel:
    """The stratigraphic coordinate scaled to about [-1, 1], read on demand from a ``StratGrid``."""

    def __init__(self, grid: StratGrid) -> None:
        self.grid = grid
        self.shape = grid.shape
        self.ndim, self.dtype = 3, np.dtype(np.float32)
        self._centre, self._half = np.float32(grid.centre), np.float32(grid.half)

    def __getitem__(self, index: Any) -> np.ndarray:
        return (self.grid.values(index) - self._centre) / self._half


class Channels:
    """Several 3-D sources read together: ``channels[index]`` is ``(C, *source[index].shape)``."""

    def __init__(self, sources: Sequence[Any], names: Sequence[str] | None = None) -> None:
        if not sources:
            raise SeisgrowError("at least one network input is needed")
        self.sources = list(sources)
        self.names = tuple(names) if names is not None else ("amplitude",) * len(self.sources)
        self.shape = tuple(int(s) for s in sources[0].shape)
        self.ndim, self.dtype = 3, np.dtype(np.float32)

    @property
    def n(self) -> int:
        return len(self.sources)

    @property
    def amplitude(self) -> Any:
        """The amplitude source (the first channel when none is named so)."""
        return self.sources[self.names.index("amplitude")] if "amplitude" in self.names else self.sources[0]

    def __getitem__(self, index: Any) -> np.ndarray:
        return np.stack([np.asarray(s[index], dtype=np.float32) for s in self.sources])


def decimation(shape: Sequence[int], max_voxels: int = STRAT_VOXELS) -> tuple[int, int]:
    """Lateral steps (equal where both axes allow) that bring the grid under ``max_voxels``."""
    ni, nx, nt = (int(s) for s in shape)
    step = 1
    while ((ni + step - 1) // step) * ((nx + step - 1) // step) * nt > max_voxels and step < max(ni, nx):
        step += 1
    return (min(step, max(ni, 1)) if ni > 1 else 1, min(step, max(nx, 1)) if nx > 1 else 1)


def compute_strat(
    amplitudes: Any,
    settings: StructureSettings | None = None,
    device: torch.device | str = "cpu",
    max_voxels: int = STRAT_VOXELS,
    on_progress: Callable[[str], None] | None = None,
    ties: list[np.ndarray] | None = None,
) -> StratGrid:
    """Solve the coordinate from normalised amplitudes (an array or anything strided-sliceable),
    holding it to ``ties`` (control lines of full-volume positions, ``engine.ties``) if given."""
    t0 = time.perf_counter()
    shape = tuple(int(s) for s in amplitudes.shape)
    s0, s1 = decimation(shape, max_voxels)
    if isinstance(amplitudes, np.ndarray):
        sub = np.asarray(amplitudes[::s0, ::s1, :], dtype=np.float32)
    else:  # on disk: one decimated inline at a time, so no read is larger than a section
        sub = np.stack([np.asarray(amplitudes[i, ::s1, :], dtype=np.float32) for i in range(0, shape[0], s0)])
    if on_progress is not None:
        on_progress(f"stratigraphic coordinate on {sub.shape[0]} x {sub.shape[1]} x {sub.shape[2]}")
    scaled = [np.asarray(t, np.float64) / np.array([s0, s1, 1.0]) for t in ties or []]
    tau = stratigraphic_coordinate(sub, settings or StructureSettings(), device=device, ties=scaled)
    return StratGrid(tau=tau, shape=shape, step=(s0, s1), seconds=time.perf_counter() - t0)


def build_channels(names: Sequence[str], amplitudes: Any, strat: StratGrid | None) -> Channels:
    sources = []
    for name in names:
        if name == "amplitude":
            sources.append(amplitudes)
        elif name == "strat":
            if strat is None:
                raise SeisgrowError("the stratigraphic coordinate was asked for but not computed")
            sources.append(StratChannel(strat))
        elif name == "depth":
            sources.append(DepthChannel(amplitudes.shape))
        else:
            raise SeisgrowError(f"unknown network input {name!r}; use {', '.join(INPUTS)}")
    return Channels(sources, names)


def strat_for_volume(data: Any, clip_percentile: float = 99.5, device: torch.device | str = "cpu") -> StratGrid:
    """The coordinate of raw amplitudes as a session would compute it: normalised the same way,
    read lazily (one decimated inline at a time) when the volume is not an in-memory array."""
    from .data import normalise
    from .lazy import Amplitudes, as_source, clip_scale

    if isinstance(data, np.ndarray):
        x, _ = normalise(data, clip_percentile)
        return compute_strat(x, device=device)
    source = as_source(data)
    return compute_strat(Amplitudes(source, clip_scale(source, clip_percentile)), device=device)


class StratValues:
    """A ``StratGrid`` as a read-only array of the full volume's shape (for a lazy viewer layer)."""

    def __init__(self, grid: StratGrid) -> None:
        self.grid, self.shape, self.dtype, self.ndim = grid, grid.shape, np.dtype(np.float32), 3

    def __getitem__(self, index: Any) -> np.ndarray:
        return self.grid.values(index)
