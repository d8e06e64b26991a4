"""Patches from 2-D sections of the volume: labelled batches and unlabelled batches.

Sections are taken along the configured orientations; a patch is (lateral, samples) for inline
and crossline sections and (inline, crossline) for time slices. Augmentation flips the lateral
axes only: time runs one way in seismic, and flipping it would teach the networks false geology.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .channels import Channels
from .config import GrowConfig

AXIS = {"inline": 0, "crossline": 1, "time": 2}


@dataclass
class Batch:
    x: np.ndarray  # (N, C, A, B) float32: the network inputs
    y: np.ndarray  # (N, A, B) uint8, 0 = unlabelled
    w: np.ndarray  # (N, A, B) float32 per-pixel loss weight


def _index_by_class(labels: np.ndarray) -> list[np.ndarray]:
    """Flat positions of each class's voxels; int32 where they fit (in the label-update stage
    nearly every voxel is labelled, and int64 positions cost more than the volume itself)."""
    flat = labels.ravel()
    dtype = np.int32 if flat.size < 2**31 else np.int64
    found = (np.flatnonzero(flat == c).astype(dtype) for c in range(1, int(flat.max(initial=0)) + 1))
    return [ix for ix in found if len(ix)]


class PatchSampler:
    """Draws training patches; owns no labels, it is handed the current ones every epoch."""

    def __init__(self, volume: Channels | np.ndarray, config: GrowConfig, rng: np.random.Generator) -> None:
        self.volume = volume if isinstance(volume, Channels) else Channels([volume], ["amplitude"])
        self.config = config
        self.rng = rng
        self.labels: np.ndarray | None = None
        self.weights: np.ndarray | None = None
        self._by_class: list[np.ndarray] = []
        self._seeds_by_class: list[np.ndarray] = []

    def set_labels(self, labels: np.ndarray, weights: np.ndarray, seeds: np.ndarray | None = None) -> None:
        """Index labelled voxels per class, so labelled batches are class-balanced.

        ``seeds`` (the painted part of ``labels``) are indexed apart: once grown labels outnumber
        them a thousand to one, a share of patches is still centred on what the interpreter painted.
        """
        by_class = _index_by_class(labels)
        self.set_sources(labels, weights, by_class, _index_by_class(seeds) if seeds is not None else [])

    def set_sources(self, labels, weights, by_class: list[np.ndarray], seeds_by_class: list[np.ndarray]) -> None:
        """Labels and weights as anything sliceable (arrays, memory maps, lazy stores), with the
        flat indices of labelled voxels per class to centre patches on (all of them, or a sample)."""
        self.labels = labels
        self.weights = weights
        self._by_class = [ix for ix in by_class if len(ix)]
        self._seeds_by_class = [ix for ix in seeds_by_class if len(ix)]

    def _patch_shape(self, orientation: str) -> tuple[int, int]:
        shape = [s for k, s in enumerate(self.volume.shape) if k != AXIS[orientation]]
        lat, tim = self.config.patch_size
        want = (lat, lat) if orientation == "time" else (lat, tim)
        return min(want[0], shape[0]), min(want[1], shape[1])

    def _orientations(self) -> list[str]:
        # A one-inline volume has no crossline sections worth the name: use what has extent.
        ors = [o for o in self.config.orientations if self._usable(o)]
        return ors or ["inline"]

    def _usable(self, orientation: str) -> bool:
        shape = [s for k, s in enumerate(self.volume.shape) if k != AXIS[orientation]]
        return min(shape) >= 2

    def _crop(self, orientation: str, index: int, centre: tuple[int, int] | None):
        pa, pb = self._patch_shape(orientation)
        sec_shape = [s for k, s in enumerate(self.volume.shape) if k != AXIS[orientation]]
        starts = []
        for size, p, c in zip(sec_shape, (pa, pb), centre or (None, None), strict=True):
            if c is None:
                starts.append(int(self.rng.integers(0, size - p + 1)))
            else:
                lo, hi = max(0, c - p + 1), min(c, size - p)
                starts.append(int(self.rng.integers(lo, hi + 1)))
        sl = (slice(starts[0], starts[0] + pa), slice(starts[1], starts[1] + pb))
        return sl

    def _take(self, arr, orientation: str, index: int, sl) -> np.ndarray:
        """One patch of a section, read by slicing: a lazy volume reads only those samples."""
        where = list(sl)
        where.insert(AXIS[orientation], index)
        return np.asarray(arr[tuple(where)])

    def labelled_batch(self, n: int) -> Batch:
        assert self.labels is not None and self.weights is not None
        ors = self._orientations()
        o = ors[int(self.rng.integers(len(ors)))]  # one orientation per batch: patches share a shape
        axis = AXIS[o]
        xs, ys, ws = [], [], []
        shape = self.volume.shape
        for _ in range(n):
            use_seeds = bool(self._seeds_by_class) and self.rng.random() < self.config.seed_patch_fraction
            pool = self._seeds_by_class if use_seeds else self._by_class
            cls_ix = pool[int(self.rng.integers(len(pool)))]
            flat = int(cls_ix[int(self.rng.integers(len(cls_ix)))])
            voxel = np.unravel_index(flat, shape)
            centre = tuple(int(v) for k, v in enumerate(voxel) if k != axis)
            sl = self._crop(o, int(voxel[axis]), centre)
            xs.append(self._take(self.volume, o, int(voxel[axis]), sl))
            ys.append(self._take(self.labels, o, int(voxel[axis]), sl))
            ws.append(self._take(self.weights, o, int(voxel[axis]), sl))
        return self._augment(xs, ys, ws)

    def unlabelled_batch(self, n: int) -> Batch | None:
        if n == 0:
            return None
        ors = self._orientations()
        o = ors[int(self.rng.integers(len(ors)))]
        xs = []
        for _ in range(n):
            index = int(self.rng.integers(self.volume.shape[AXIS[o]]))
            xs.append(self._take(self.volume, o, index, self._crop(o, index, None)))
        zeros = [np.zeros(x.shape, np.uint8) for x in xs]
        return self._augment(xs, zeros, [z.astype(np.float32) for z in zeros])

    def _augment(self, xs, ys, ws) -> Batch:
        """Flip sections sideways (every input with them); jitter and noise touch amplitude only."""
        x = np.stack(xs).astype(np.float32)  # (N, C, A, B)
        y = np.stack(ys).astype(np.uint8)
        w = np.stack(ws).astype(np.float32)
        cfg = self.config
        if cfg.augment:
            n = len(x)
            flip = self.rng.random(n) < 0.5
            x[flip] = x[flip, :, ::-1]
            y[flip] = y[flip, ::-1]
            w[flip] = w[flip, ::-1]
            scale = 1.0 + self.rng.uniform(-cfg.amplitude_jitter, cfg.amplitude_jitter, n).astype(np.float32)
            amp = [k for k, name in enumerate(self.volume.names) if name == "amplitude"]
            for k in amp:
                x[:, k] *= scale[:, None, None]
                if cfg.noise_std > 0:
                    x[:, k] += self.rng.normal(0.0, cfg.noise_std, x[:, k].shape).astype(np.float32)
        return Batch(x=np.ascontiguousarray(x), y=np.ascontiguousarray(y), w=np.ascontiguousarray(w))
