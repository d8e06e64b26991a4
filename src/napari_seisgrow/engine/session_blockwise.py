"""A training session for volumes larger than memory: the same method, with the volume on disk.

Training is unchanged (patches are small), but nothing volume-sized is held: patches are read
and normalised as they are drawn, seeds are kept as the positions of painted voxels, and every
epoch's prediction and grown labels are computed block by block on dask into Zarr stores in a
work folder (``prediction.zarr``, ``labels.zarr``). Each store is replaced atomically, so a
stopped or failed epoch leaves the last good labels on disk.

Differences from the in-memory session, each refused with one line where it matters: no
held-out strokes (``holdout_fraction`` 0), growth radius 1 only (the one-pass growth), and a
stop ends inference at the next block (on local threads; a cluster finishes its pass).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..io.errors import SeisgrowError
from . import blockwise as bw
from .channels import StratGrid
from .config import GrowConfig
from .layers import within_envelope
from .lazy import Amplitudes, SeedLabels, TrainingLabels, Weights, as_source, clip_scale, scan_seeds
from .report import EpochReport
from .session import Session

POOL_PER_BLOCK = 512  # patch centres drawn per class from each block's grown labels


@dataclass
class Blockwise:
    """Where and how the blockwise passes run."""

    work: Path
    scheduler: str | None = None  # a dask.distributed address, e.g. tcp://host:8786; None = local threads
    workers: int | None = None  # local threads
    block: tuple[int, int, int] = bw.DEFAULT_BLOCK

    def __post_init__(self) -> None:
        self.work = Path(self.work)

    @property
    def prediction(self) -> Path:
        return self.work / "prediction.zarr"

    @property
    def labels(self) -> Path:
        return self.work / "labels.zarr"


class BlockwiseSession(Session):
    """Two U-Nets learning a volume that stays on disk."""

    labels_on_disk = True  # the labels and prediction live in the work folder's Zarr stores

    def __init__(
        self,
        volume: Any,
        seeds: Any,
        config: GrowConfig | None = None,
        stop_event: threading.Event | None = None,
        *,
        blockwise: Blockwise,
        strat: StratGrid | None = None,
    ) -> None:
        self.blockwise = blockwise
        self.where = ""
        self._pools: list[np.ndarray] = []
        self._labelled_counts: np.ndarray | None = None
        self._said: set[str] = set()  # notes about in-memory-only settings, each said once per run
        super().__init__(volume, seeds, config, stop_event, strat=strat)

    # ----------------------------------------------------------------- data
    def _prepare(self, data: Any, seeds: Any) -> None:
        cfg = self.config
        if cfg.holdout_fraction > 0:
            raise SeisgrowError("held-out strokes need the in-memory session; set holdout_fraction to 0")
        if cfg.grow_radius != 1:
            raise SeisgrowError("blockwise growth is the one-pass growth of radius 1; set grow_radius to 1")
        if cfg.stroke_ties:
            raise SeisgrowError("strokes as control lines of the coordinate need the in-memory session; "
                                "set stroke_ties to false")  # fmt: skip
        if getattr(data, "ndim", 0) != 3:
            raise SeisgrowError("a blockwise run needs a 3-D (inline, crossline, sample) volume")
        source = as_source(data)
        self.amplitude_scale = clip_scale(source, cfg.clip_percentile)
        self.x = Amplitudes(source, self.amplitude_scale)
        if getattr(seeds, "ndim", 0) == 2 and self.x.shape[0] == 1:
            seeds = np.asarray(seeds)[np.newaxis]
        self.seed_source = as_source(seeds)
        self.points = scan_seeds(self.seed_source, self.x.shape)
        self.n_classes = self.points.n_classes
        self.seeds = SeedLabels(self.seed_source)  # only ever sliced: the caller's seeds stay as they are
        self.train_seeds = self.seeds
        self.holdout = None
        try:
            self.blockwise.work.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise SeisgrowError(f"could not create the work folder {self.blockwise.work}: {exc.strerror}") from exc

    def _initial_labels(self) -> Any:
        return self._seeds_dask()

    def _painted_flat(self) -> np.ndarray:
        return self.points.flat

    def _seeds_dask(self):
        import dask.array as da

        src = self.seed_source
        if type(src).__module__.startswith("dask."):
            return src.astype(np.uint8)
        return da.from_array(self.seeds, chunks=self._chunks(), asarray=False, fancy=False, name=False)

    def _chunks(self):
        return bw.block_chunks(self.x.shape, self.config.depth, self.blockwise.block)

    def _set_training_labels(self, stage: str) -> np.ndarray:
        if stage == "grow" and self._pools and self.blockwise.labels.is_dir():
            import zarr

            grown = zarr.open_group(str(self.blockwise.labels), mode="r")["labels"]
            labels = TrainingLabels(self.seed_source, grown, self.config.grown_weight)
            self.sampler.set_sources(labels, Weights(labels), self._pools, self.points.by_class())
            assert self._labelled_counts is not None
            return self._labelled_counts
        seeds = SeedLabels(self.seed_source)
        self.sampler.set_sources(seeds, Weights(seeds), self.points.by_class(), [])
        return self.points.counts()

    # ----------------------------------------------------------------- blockwise passes
    def _predict_fitting_memory(self) -> tuple[Any, Any] | None:
        import dask.array as da
        import zarr

        if self._stop.is_set():
            return None
        cfg = self.config
        predictor = bw.Predictor.from_nets(self.predicting_nets, self.n_classes, cfg, cfg.orientations,
                                           device=self.device.type)  # fmt: skip
        try:
            with bw.scheduler(self.blockwise.scheduler, self.blockwise.workers) as self.where, \
                    bw.stoppable(predictor.token, self._stop):  # fmt: skip
                bw.predict_to_zarr(self.inputs, predictor, self.blockwise.prediction, self.blockwise.block)
        except bw.Stopped:
            return None  # the last prediction and labels stay as they were
        group = zarr.open_group(str(self.blockwise.prediction), mode="r")
        return da.from_zarr(group["winner"]), da.from_zarr(group["confidence"])

    def _grow(self, previous: Any = None, thresholds: list[float] | None = None, final: bool = False) -> Any:
        """Growth block by block, within the growth envelope as in memory. It does not apply
        ``layer_claims``; with the claims on, the last growth says so once."""
        import dask.array as da
        import zarr

        cfg = self.config
        if final and cfg.layer_claims != "off":
            self._say_once("layer claims need an in-memory run; the last growth ignores them")
        ts = thresholds or self.growth_thresholds()
        with bw.scheduler(self.blockwise.scheduler, self.blockwise.workers) as self.where:
            grown = bw.grow_lazy(self._seeds_dask(), self.winner, self._enveloped(self.confidence), ts,
                                 max_reach=cfg.max_reach, previous=previous)  # fmt: skip
            bw.store_zarr(self.blockwise.labels, {"labels": grown}, {"epoch": self.epoch + 1})
            labels = da.from_zarr(zarr.open_group(str(self.blockwise.labels), mode="r")["labels"])
            self._pools = bw.sample_by_class(labels, self.n_classes, POOL_PER_BLOCK, cfg.seed + self.epoch)
            counts = bw.class_counts(labels, self.n_classes)
        self._labelled_counts = counts[1 : self.n_classes + 1]
        return labels

    def _enveloped(self, confidence: Any) -> Any:
        """The confidence with zero where a voxel's winning class lies beyond ``grow_envelope``
        samples of the coordinate interval its strokes span (``engine.layers.within_envelope``, as
        an in-memory run grows), block by block: the coordinate is read one block at a time."""
        import dask.array as da

        margin = self.config.grow_envelope
        if margin <= 0 or self.strat is None or self.winner is None:
            return confidence
        i, j, t = np.unravel_index(self.points.flat, self.x.shape)
        tau = self.strat.at(i, j, t)
        lo = np.full(self.n_classes + 1, np.inf, np.float32)
        hi = np.full(self.n_classes + 1, -np.inf, np.float32)
        np.minimum.at(lo, self.points.classes.astype(np.int64), tau)
        np.maximum.at(hi, self.points.classes.astype(np.int64), tau)
        strat = self.strat

        def block(winner: np.ndarray, conf: np.ndarray, block_info: Any = None) -> np.ndarray:
            where = tuple(slice(a, b) for a, b in block_info[0]["array-location"])
            ok = within_envelope(winner, strat.values(where), lo, hi, margin)
            return np.where(ok, conf, conf.dtype.type(0))

        winner = da.asarray(self.winner)
        return da.map_blocks(block, winner, da.asarray(confidence).rechunk(winner.chunks), dtype=confidence.dtype)

    def complete(self) -> Any:
        """Growth on with no threshold through agreeing argmax (block by block). Completion along
        the layering needs the whole flattened volume at once, so a blockwise run says so and
        completes this way instead."""
        if self.winner is None or self.confidence is None:
            raise SeisgrowError("nothing to grow from yet: train at least one epoch first")
        if self.config.completion == "layers":
            self._say_once("completion along the layering needs an in-memory run; completed through "
                           "agreeing argmax instead (some voxels may stay unlabelled)")  # fmt: skip
        if self.config.unit_model == "layered":
            self._say_once("units as ordered layers need an in-memory run; units labelled by the networks instead")
        return self._grow(self.grown, thresholds=[0.0])

    def _along_layers(self, pred: tuple[Any, Any]) -> tuple[Any, Any]:
        """Averaging along the layering needs the whole flattened volume at once: a blockwise run
        says so and grows from the networks' own votes."""
        if self.config.layer_smoothing > 0:
            self._say_once("smoothing along the layering needs an in-memory run; growing from the networks' own labels")
        return pred

    def _say_once(self, note: str) -> None:
        if note not in self._said:
            self._said.add(note)
            self._notes.append(note)

    def update_seeds(self, seeds: Any) -> None:
        raise SeisgrowError("a blockwise run cannot take new seeds mid-way; start a new run with them")

    # ----------------------------------------------------------------- figures
    def _report(self, epoch: int, stage: str, sup: float, cps: float, lam: float, t0: float) -> EpochReport:
        import time

        import dask
        import dask.array as da

        cfg = self.config
        thresholds = self.growth_thresholds()
        t = np.array([0.0, *thresholds], np.float32)
        assert self.winner is not None and self.confidence is not None
        conf = self.confidence.astype(np.float32)
        confident = da.map_blocks(lambda w, c: c >= t[w], self.winner, conf, dtype=bool)
        with bw.scheduler(self.blockwise.scheduler, self.blockwise.workers):
            counts = bw.class_counts(self.grown, self.n_classes)
            mean_conf, confident_frac = dask.compute(conf.mean(), confident.mean())
        added = counts[1 : self.n_classes + 1] - self.points.counts()
        return EpochReport(
            epoch=epoch,
            epochs=cfg.epochs,
            stage=stage,
            sup_loss=sup,
            cps_loss=cps,
            cps_weight=lam,
            seconds=time.perf_counter() - t0,
            grown=self.grown,
            grown_counts={c: int(added[c - 1]) for c in range(1, self.n_classes + 1)},
            labelled_fraction=float(counts[1:].sum() / self.grown.size),
            mean_confidence=float(mean_conf),
            confident_fraction=float(confident_frac),
            holdout_accuracy=None,
            device=f"{self.device_name}; blocks on {self.where}",
            thresholds=tuple(thresholds),
            notes=tuple(self._drain_notes()),
        )
