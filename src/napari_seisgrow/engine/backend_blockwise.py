"""The blockwise backend, for volumes larger than memory: the same method with the volume on disk.

Training is unchanged (patches are small), but nothing volume-sized is held: patches are read and
normalised as they are drawn, seeds are kept as the positions of painted voxels, and every epoch's
prediction and grown labels are computed block by block on dask into Zarr stores in a work folder
(``prediction.zarr``, ``labels.zarr``). Each store is replaced atomically, so a stopped or failed
epoch leaves the last good labels on disk.

Differences from the in-memory backend, each refused with one line where it matters: no held-out
strokes (``holdout_fraction`` 0), growth radius 1 only (the one-pass growth), no new seeds
mid-run, and a stop ends inference at the next block (on local threads; a cluster finishes its
pass). What needs the whole flattened volume at once (completion along the layering, units as
ordered layers, smoothing along the layering, layer claims) is said once and skipped.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from ..io.errors import SeisgrowError
from . import blockwise as bw
from .blockwise_grow import grow_lazy
from .blockwise_predict import Predictor, Stopped, predict_to_zarr, stoppable
from .channels import Channels, StratGrid
from .config import GrowConfig
from .layers import within_envelope
from .lazy import Amplitudes, SeedLabels, TrainingLabels, Weights, as_source, clip_scale, scan_seeds
from .report import EpochCounts
from .sampling import PatchSampler

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


def _refuse_in_memory_only(config: GrowConfig) -> None:
    if config.holdout_fraction > 0:
        raise SeisgrowError("held-out strokes need the in-memory session; set holdout_fraction to 0")
    if config.grow_radius != 1:
        raise SeisgrowError("blockwise growth is the one-pass growth of radius 1; set grow_radius to 1")
    if config.stroke_ties:
        raise SeisgrowError("strokes as control lines of the coordinate need the in-memory session; "
                            "set stroke_ties to false")  # fmt: skip


class OnDisk:
    """The volume read lazily, the seeds as painted positions, the labels in Zarr stores."""

    labels_on_disk = True  # the labels and prediction live in the work folder's stores

    def __init__(self, data: Any, seeds: Any, config: GrowConfig, blockwise: Blockwise) -> None:
        _refuse_in_memory_only(config)
        if getattr(data, "ndim", 0) != 3:
            raise SeisgrowError("a blockwise run needs a 3-D (inline, crossline, sample) volume")
        self.blockwise = blockwise
        self.units: list[int] = []  # units as layers need an in-memory run: never any here
        self.layered = None
        self.kinds_kept: dict[int, str] = {}
        self.levels_kept: dict[tuple[int, int], float] = {}
        self.levels_pinned: set[tuple[int, int]] = set()
        self._depth = config.depth  # the networks' depth sets the blocks' halo
        self.where = ""  # the scheduler the last pass ran on, for the reports
        self.notes: list[str] = []
        self.layering_note = ""  # blockwise labels are not layered (``InMemory.layering_note``)
        self._said: set[str] = set()  # notes about in-memory-only settings, each said once per run
        self._pools: list[np.ndarray] = []
        self._labelled_counts: np.ndarray | None = None
        source = as_source(data)
        self.amplitude_scale = clip_scale(source, config.clip_percentile)
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
            blockwise.work.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise SeisgrowError(f"could not create the work folder {blockwise.work}: {exc.strerror}") from exc

    def say_once(self, note: str) -> None:
        if note not in self._said:
            self._said.add(note)
            self.notes.append(note)

    # ----------------------------------------------------------------- seeds
    def painted_flat(self) -> np.ndarray:
        return self.points.flat

    def initial_labels(self) -> Any:
        return self._seeds_dask()

    def update_seeds(self, seeds: Any, config: GrowConfig, rng: np.random.Generator) -> None:
        raise SeisgrowError("a blockwise run cannot take new seeds mid-way; start a new run with them")

    def _seeds_dask(self) -> Any:
        import dask.array as da

        src = self.seed_source
        if type(src).__module__.startswith("dask."):
            return src.astype(np.uint8)
        chunks = bw.block_chunks(self.x.shape, self._depth, self.blockwise.block)
        return da.from_array(self.seeds, chunks=chunks, asarray=False, fancy=False, name=False)

    # ----------------------------------------------------------------- training
    def set_training_labels(self, sampler: PatchSampler, stage: str, training_grown: Any,
                            grown_weight: float) -> np.ndarray:  # fmt: skip
        """Hand the sampler this stage's sources (read block by block); returns the labelled
        voxels per class."""
        if stage == "grow" and self._pools and self.blockwise.labels.is_dir():
            import zarr

            grown = zarr.open_group(str(self.blockwise.labels), mode="r")["labels"]
            labels = TrainingLabels(self.seed_source, grown, grown_weight)
            sampler.set_sources(labels, Weights(labels), self._pools, self.points.by_class())
            assert self._labelled_counts is not None
            return self._labelled_counts
        seeds = SeedLabels(self.seed_source)
        sampler.set_sources(seeds, Weights(seeds), self.points.by_class(), [])
        return self.points.counts()

    # ----------------------------------------------------------------- the volume-wide passes
    def predict(self, nets: list[torch.nn.Module], inputs: Channels, config: GrowConfig, device: torch.device,
                stop: threading.Event) -> tuple[Any, Any] | None:  # fmt: skip
        """The prediction written block by block to ``prediction.zarr``; None if stopped (the last
        prediction and labels stay as they were)."""
        import dask.array as da
        import zarr

        if stop.is_set():
            return None
        predictor = Predictor.from_nets(nets, self.n_classes, config, config.orientations, device=device.type)
        try:
            with bw.scheduler(self.blockwise.scheduler, self.blockwise.workers) as self.where, \
                    stoppable(predictor.token, stop):  # fmt: skip
                predict_to_zarr(inputs, predictor, self.blockwise.prediction, self.blockwise.block)
        except Stopped:
            return None
        group = zarr.open_group(str(self.blockwise.prediction), mode="r")
        return da.from_zarr(group["winner"]), da.from_zarr(group["confidence"])

    def along_layers(
        self, pred: tuple[Any, Any], config: GrowConfig, strat: Callable[[], StratGrid]
    ) -> tuple[Any, Any]:
        """Averaging along the layering needs the whole flattened volume at once: said once, and
        growth runs from the networks' own votes."""
        if config.layer_smoothing > 0:
            self.say_once("smoothing along the layering needs an in-memory run; growing from the networks' own labels")
        return pred

    def grow(self, winner: Any, confidence: Any, config: GrowConfig, thresholds: list[float], *,
             strat: StratGrid | None, previous: Any, final: bool, device: torch.device, epoch: int) -> Any:  # fmt: skip
        """Growth block by block into ``labels.zarr``, within the growth envelope as in memory;
        ``layer_claims`` is said once and skipped."""
        import dask.array as da
        import zarr

        if final and config.layer_claims != "off":
            self.say_once("layer claims need an in-memory run; the last growth ignores them")
        with bw.scheduler(self.blockwise.scheduler, self.blockwise.workers) as self.where:
            grown = grow_lazy(self._seeds_dask(), winner, self._enveloped(winner, confidence, config, strat, final),
                                 thresholds, max_reach=config.max_reach, previous=previous)  # fmt: skip
            bw.store_zarr(self.blockwise.labels, {"labels": grown}, {"epoch": epoch + 1})
            labels = da.from_zarr(zarr.open_group(str(self.blockwise.labels), mode="r")["labels"])
            self._pools = bw.sample_by_class(labels, self.n_classes, POOL_PER_BLOCK, config.seed + epoch)
            counts = bw.class_counts(labels, self.n_classes)
        self._labelled_counts = counts[1 : self.n_classes + 1]
        return labels

    def _enveloped(self, winner: Any, confidence: Any, config: GrowConfig, strat: StratGrid | None,
                   final: bool) -> Any:  # fmt: skip
        """The confidence with zero where a voxel's winning class lies beyond ``grow_envelope``
        samples of the coordinate interval its strokes span (``engine.layers.within_envelope``, as
        an in-memory run grows), block by block: the coordinate is read one block at a time."""
        import dask.array as da

        margin = config.grow_envelope if (final or config.envelope_in_training) else 0.0
        if margin <= 0 or strat is None:
            return confidence
        if config.envelope_kinds == "units":
            self.say_once("an envelope for units only needs an in-memory run (the kinds come from the layering); "
                          "it holds every class")  # fmt: skip
        i, j, t = np.unravel_index(self.points.flat, self.x.shape)
        tau = strat.at(i, j, t)
        lo = np.full(self.n_classes + 1, np.inf, np.float32)
        hi = np.full(self.n_classes + 1, -np.inf, np.float32)
        np.minimum.at(lo, self.points.classes.astype(np.int64), tau)
        np.maximum.at(hi, self.points.classes.astype(np.int64), tau)

        def block(win: np.ndarray, conf: np.ndarray, block_info: Any = None) -> np.ndarray:
            where = tuple(slice(a, b) for a, b in block_info[0]["array-location"])
            ok = within_envelope(win, strat.values(where), lo, hi, margin)
            return np.where(ok, conf, conf.dtype.type(0))

        winner = da.asarray(winner)
        return da.map_blocks(block, winner, da.asarray(confidence).rechunk(winner.chunks), dtype=confidence.dtype)

    def complete(self, winner: Any, confidence: Any, training_grown: Any, grown: Any, config: GrowConfig, *,
                 strat: Callable[[], StratGrid], agree: Callable[[], np.ndarray], device: torch.device,
                 epoch: int) -> Any:  # fmt: skip
        """Growth on with no threshold through agreeing argmax (block by block). Completion along
        the layering and units as layers need the whole flattened volume at once: said once."""
        if config.completion == "layers":
            self.say_once("completion along the layering needs an in-memory run; completed through "
                          "agreeing argmax instead (some voxels may stay unlabelled)")  # fmt: skip
        if config.unit_model == "layered":
            self.say_once("units as ordered layers need an in-memory run; units labelled by the networks instead")
        envelope = strat() if config.grow_envelope > 0 else None
        # final: the completion is part of the run's labels, so the envelope holds it as it holds the last growth
        return self.grow(winner, confidence, config, [0.0], strat=envelope, previous=grown, final=True,
                         device=device, epoch=epoch)  # fmt: skip

    def unit_doubt(self, tau: Callable[[], Any], labels: Any) -> None:
        """Units as layers need an in-memory run, so no unit is in doubt from its boundaries."""
        return None

    def figures(self, grown: Any, winner: Any, confidence: Any, thresholds: list[float]) -> EpochCounts:
        """The report's counts, computed block by block."""
        import dask
        import dask.array as da

        t = np.array([0.0, *thresholds], np.float32)
        conf = confidence.astype(np.float32)
        confident = da.map_blocks(lambda w, c: c >= t[w], winner, conf, dtype=bool)
        with bw.scheduler(self.blockwise.scheduler, self.blockwise.workers):
            counts = bw.class_counts(grown, self.n_classes)
            mean_conf, confident_frac = dask.compute(conf.mean(), confident.mean())
        added = counts[1 : self.n_classes + 1] - self.points.counts()
        return EpochCounts(
            grown_counts={c: int(added[c - 1]) for c in range(1, self.n_classes + 1)},
            labelled_fraction=float(counts[1:].sum() / grown.size),
            mean_confidence=float(mean_conf),
            confident_fraction=float(confident_frac),
            class_shares={c: float(counts[c]) / grown.size for c in range(1, self.n_classes + 1)},
        )
