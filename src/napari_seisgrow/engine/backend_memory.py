"""The in-memory backend: the volume, the seeds and every label volume as NumPy arrays.

A session runs the loop (epochs, stages, stop, reports); a backend holds what is volume-sized and
does what touches all of it: preparing the data, predicting every voxel, growing, completing and
counting. The session hands it everything else as arguments (the networks, the settings, the
coordinate, the device), so the in-memory and the blockwise backend (``backend_blockwise``)
differ only where holding the volume in memory or on disk makes them differ.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import numpy as np
import torch

from ..io.errors import SeisgrowError
from .channels import Channels, StratGrid, StratValues
from .config import GrowConfig
from .data import check_seeds, checked_scale, keep_holdout, split_holdout
from .dead import live_samples
from .grow import grow_numpy
from .layers import agreeing_regions, fill_along_layers, growable_confidence, smooth_along_layers
from .lazy import Amplitudes, SeedLabels, TrainingLabels, Weights
from .predict import Sweep, predict_volume, sweep_volume
from .report import EpochCounts
from .sampling import PatchSampler
from .slabs import inline_slabs, value_counts
from .strokes import erased_classes
from .units import BODY, Kinds, as_layers, infer_kinds, unit_doubt

Strat = Callable[[], StratGrid]  # the coordinate, solved the first time it is asked for


class InMemory:
    """The caller's volume read normalised, the seeds as one array and the held-out strokes."""

    labels_on_disk = False  # the labels and prediction are arrays, saved with checkpoints
    where = ""  # nothing runs elsewhere

    def __init__(self, data: Any, seeds: Any, config: GrowConfig, rng: np.random.Generator) -> None:
        volume, self.amplitude_scale = checked_scale(data, config.clip_percentile)
        if isinstance(data, np.ndarray) and data.dtype != volume.dtype:  # 16-bit samples: read as they are
            volume = data[np.newaxis] if data.ndim == 2 else data
        # normalised as it is read, as blockwise: a normalised copy held 4 bytes a voxel through
        # the whole run; the caller's array (or the memory map of its file) is only ever read
        self.x = Amplitudes(volume, self.amplitude_scale)
        self.seeds = check_seeds(seeds, self.x.shape)
        self.n_classes = int(self.seeds.max())
        self.train_seeds, self.holdout = split_holdout(self.seeds, config.holdout_fraction, rng)
        self.notes: list[str] = []
        self.layering_note = ""  # what the last completion's layered model decided (``units.Layering.note``)
        self._live: tuple[Any, np.ndarray] | None = None
        self._seeds_counted: tuple[np.ndarray, np.ndarray] | None = None
        self.units: list[int] = []  # the classes the last completion labelled as ordered layers...
        self.layered: np.ndarray | None = None  # ...in these labels (doubt and suggestions need them shown)
        self.kinds_kept: dict[int, str] = {}  # kinds the run's labels gave classes left on auto: new strokes keep them
        self.levels_kept: dict[tuple[int, int], float] = {}  # and where they put each boundary (``kept_level``)
        self.levels_pinned: set[tuple[int, int]] = set()  # the boundaries among them the centring placed
        self._unit_doubt: tuple[np.ndarray, np.ndarray] | None = None

    # ----------------------------------------------------------------- seeds
    @property
    def live(self) -> np.ndarray:
        """Samples that hold data (runs of zeros are mutes, dead traces or padding: ``engine.dead``),
        worked out once per volume array: growth, completion and suggestions ask every epoch."""
        if self._live is None or self._live[0] is not self.x:
            live = np.empty(self.x.shape, bool)
            for s in inline_slabs(self.x.shape):  # runs lie down the traces: a slab of inlines holds them whole
                live[s] = live_samples(np.asarray(self.x[s]))
            self._live = (self.x, live)
        return self._live[1]

    def painted_flat(self) -> np.ndarray:
        """Flat positions of the voxels training learns from."""
        return np.flatnonzero(np.asarray(self.train_seeds))

    def initial_labels(self) -> np.ndarray:
        return np.array(self.seeds)

    def update_seeds(self, seeds: Any, config: GrowConfig, rng: np.random.Generator) -> None:
        """New seeds: strokes held out before stay held out and strokes trained on stay in
        training; only new strokes can be held out."""
        new = check_seeds(seeds, self.x.shape)
        if int(new.max()) > self.n_classes:
            raise SeisgrowError(
                f"the new seeds add class {int(new.max())}; the networks know {self.n_classes} classes, so retrain"
            )
        self.seeds = new
        before = self.train_seeds
        self.train_seeds, self.holdout = keep_holdout(new, self.train_seeds, self.holdout,
                                                      config.holdout_fraction, rng)  # fmt: skip
        self.units, self.layered, self._unit_doubt = [], None, None  # the layers came from the old strokes
        painted = set(np.unique(self.train_seeds[self.train_seeds > 0]).tolist())
        self.kinds_kept = {c: k for c, k in self.kinds_kept.items() if c in painted}  # an erased class is new again
        self.levels_kept = {p: v for p, v in self.levels_kept.items() if set(p) <= painted}
        # a pin holds while the strokes that placed it do: a unit whose line was erased (or moved)
        # frees its boundaries, which then yield to the strokes as any kept level does
        erased = erased_classes(before, self.train_seeds)
        self.levels_pinned = {p for p in self.levels_pinned if p in self.levels_kept and not set(p) & erased}

    def restore_split(
        self, trained: np.ndarray, held: np.ndarray, config: GrowConfig, rng: np.random.Generator
    ) -> None:
        """The held-out split of a saved run, so that no stroke changes sides when it resumes."""
        self.train_seeds, self.holdout = keep_holdout(self.seeds, trained, held, config.holdout_fraction, rng)

    def without_holdout(self, labels: np.ndarray) -> np.ndarray:
        """Labels with the held-out strokes removed, so they never seed growth or training."""
        held = (self.holdout > 0) & (self.train_seeds == 0)
        return np.where(held, 0, labels).astype(np.uint8) if held.any() else labels

    # ----------------------------------------------------------------- training
    def training_labels(
        self, stage: str, training_grown: np.ndarray, grown_weight: float
    ) -> tuple[np.ndarray, Weights]:
        """What a stage trains on: the seeds until the label-update stage, then the grown labels
        (never the held-out strokes) at ``grown_weight`` beside the seeds at weight 1. The weights
        are made per patch from the seeds and labels (``lazy.Weights``, as the blockwise backend
        does): a float32 volume of them held 4 bytes a voxel, and took 20 to build."""
        seeds = self.train_seeds
        if stage != "grow":
            return seeds, Weights(SeedLabels(seeds))
        grown = np.where(self.holdout > 0, 0, training_grown).astype(np.uint8)
        grown[seeds > 0] = seeds[seeds > 0]
        return grown, Weights(TrainingLabels(seeds, grown, grown_weight))

    def set_training_labels(self, sampler: PatchSampler, stage: str, training_grown: np.ndarray,
                            grown_weight: float) -> np.ndarray:  # fmt: skip
        """Hand the sampler this stage's labels; returns the labelled voxels per class."""
        labels, weights = self.training_labels(stage, training_grown, grown_weight)
        sampler.set_labels(labels, weights, self.train_seeds if stage == "grow" else None)
        return value_counts(labels, self.n_classes + 1)[1:]

    # ----------------------------------------------------------------- the volume-wide passes
    def predict(self, nets: list[torch.nn.Module], inputs: Channels, config: GrowConfig, device: torch.device,
                stop: threading.Event) -> tuple[np.ndarray, np.ndarray] | None:  # fmt: skip
        """Every voxel's winning class and its confidence; None if stopped."""
        return predict_volume(nets, inputs, self.n_classes, config.orientations, device,
                              batch=config.inference_batch, amp=config.amp, should_stop=stop.is_set)  # fmt: skip

    def sweep(self, nets: list[torch.nn.Module], inputs: Channels, config: GrowConfig, device: torch.device,
              stop: threading.Event, *, own: bool, first: tuple[int, int] | None) -> Sweep:  # fmt: skip
        """``predict`` (``predict_with_own`` with ``own``) as a generator of progress steps, the
        section on screen (``first``) among the first done (``predict.sweep_volume``)."""
        return sweep_volume(nets, inputs, self.n_classes, config.orientations, device, batch=config.inference_batch,
                            amp=config.amp, should_stop=stop.is_set, own=own, first=first)  # fmt: skip

    def along_layers(self, pred: tuple[np.ndarray, np.ndarray], config: GrowConfig, strat: Strat) -> tuple[Any, Any]:
        """The prediction with its votes averaged along the layering (``layer_smoothing``)."""
        if config.layer_smoothing <= 0:
            return pred
        return smooth_along_layers(*pred, strat().full(), self.n_classes, config.layer_smoothing, self.live)

    def growable_confidence(self, winner: np.ndarray, confidence: np.ndarray, config: GrowConfig,
                            strat: StratGrid | None, final: bool) -> np.ndarray:  # fmt: skip
        """The confidence growth sees (``engine.layers.growable_confidence``); ``layer_claims`` acts
        in the ``final`` growth only: applied to the labels the networks train on, it changed what
        they learnt and swung the results both ways (docs/benchmarks.md). The envelope acts in
        training too unless ``envelope_in_training`` is off, and on bodies unless
        ``envelope_kinds`` is ``units`` (each class's kind as the layering decides it)."""
        claims = config.layer_claims if final else "off"
        envelope = config.grow_envelope if (final or config.envelope_in_training) else 0.0
        tau = strat.full() if strat is not None and (envelope > 0 or claims != "off") else None
        free = tau is not None and envelope > 0 and config.envelope_kinds == "units"
        bodies = self.class_kinds(tau, config).of(BODY) if free else []
        return growable_confidence(confidence, winner, self.live, tau, self.train_seeds, self.n_classes,
                                   envelope, claims, bodies)  # fmt: skip

    def grow(self, winner: np.ndarray, confidence: np.ndarray, config: GrowConfig, thresholds: list[float], *,
             strat: StratGrid | None, previous: np.ndarray | None, final: bool, device: torch.device,
             epoch: int) -> np.ndarray:  # fmt: skip
        """Region growing from the training seeds at ``thresholds``; the output holds every seed."""
        self.layering_note = ""  # these labels are not layered (until ``complete`` layers them)
        if previous is not None:
            previous = self.without_holdout(previous)
        grown = grow_numpy(
            self.train_seeds, winner, self.growable_confidence(winner, confidence, config, strat, final), thresholds,
            radius=config.grow_radius, max_reach=config.max_reach, previous=previous, device=device,
        )  # fmt: skip
        held = self.holdout > 0
        grown[held] = self.holdout[held]
        return grown

    def complete(self, winner: np.ndarray, confidence: np.ndarray, training_grown: np.ndarray, grown: Any,
                 config: GrowConfig, *, strat: Strat, agree: Callable[[], np.ndarray], device: torch.device,
                 epoch: int) -> np.ndarray:  # fmt: skip
        """The labels completed so that no voxel is left open.

        ``completion="layers"``: every voxel the thresholded growth left open takes the class of
        the nearest labelled voxel along the layering (the stratigraphic coordinate), where a step
        across reflectors costs ``layer_reach`` steps along them; where the two networks
        (``agree``) and their neighbours agree, their winner instead. ``"connected"``: growth goes
        on with no threshold, through voxels whose argmax agrees and that connect to their class.
        Then the unit classes become ordered layers (``unit_model``).
        """
        self.units, self.layered, self._unit_doubt = [], None, None
        start = self.without_holdout(training_grown)
        if config.completion == "layers":
            done = fill_along_layers(start, StratValues(strat()), config.layer_reach)  # read in slabs, not held
            if config.agreement < 1.0:
                keep = agreeing_regions(start == 0, agree() & self.live, config.agreement)
                done = np.where(keep, winner, done).astype(np.uint8)
        else:
            done = grow_numpy(
                self.train_seeds, winner, confidence, [0.0],
                radius=config.grow_radius, max_reach=config.max_reach, previous=start, device=device,
            )  # fmt: skip
        self.layering_note = ""
        if config.unit_model == "layered":
            layering = as_layers(
                done, strat().full(), self.x, self.train_seeds, self.n_classes, self.live, winner,
                config.class_kinds, config.unit_agreement, self.kinds_kept, self.levels_kept, self.levels_pinned,
            )  # fmt: skip
            done, self.units = layering.labels, layering.units
            self.kinds_kept.update(layering.decided)
            self.levels_kept.update(layering.levels)
            self.levels_pinned = set(layering.pinned)
            self.layering_note = layering.note
        held = self.holdout > 0
        done[held] = self.holdout[held]
        self.layered = done if len(self.units) >= 2 else None
        return done

    def unit_doubt(self, tau: Callable[[], np.ndarray], labels: Any) -> tuple[np.ndarray, np.ndarray] | None:
        """For the classes the last completion labelled as layers, how likely each voxel's unit is
        wrong and the unit across the boundary in doubt (``engine.units.unit_doubt``); None unless
        ``labels`` (the run's shown labels) are that completion's. Worked out once per completion."""
        if len(self.units) < 2 or self.layered is None or labels is not self.layered:
            return None
        if self._unit_doubt is None:
            self._unit_doubt = unit_doubt(tau(), self.x, self.train_seeds, self.units, self.live, kept=self.levels_kept,
                                          pinned=self.levels_pinned)  # fmt: skip
        return self._unit_doubt

    def class_kinds(self, tau: np.ndarray, config: GrowConfig) -> Kinds:
        """Each class's kind, as ``class_kinds`` sets it, else as the run's earlier layering decided
        it, else inferred from the training strokes: the kinds the layered labels use."""
        return infer_kinds(self.train_seeds, tau, self.n_classes, self.live, config.class_kinds, self.kinds_kept)

    def figures(self, grown: np.ndarray, winner: np.ndarray, confidence: np.ndarray,
                thresholds: list[float]) -> EpochCounts:  # fmt: skip
        """The counts an epoch's report gives, a slab of inlines at a time: whole-volume passes
        that hold the GIL for 50-150 ms each stalled the viewer while the worker counted."""
        k = self.n_classes
        every = np.zeros(k + 1, np.int64)
        conf_sum, confident = 0.0, 0
        t = np.array([0.0, *thresholds], np.float32)
        for s in inline_slabs(grown.shape):  # the GIL changes hands between slabs
            g, w, c = grown[s], winner[s], confidence[s].astype(np.float32)
            every += np.bincount(g.ravel(), minlength=k + 1)[: k + 1]
            conf_sum += float(c.sum(dtype=np.float64))
            confident += int(np.count_nonzero(c >= t[w]))
        added = np.maximum(every - self._seed_counts(), 0)  # every seed is in the grown labels as painted
        held = self.holdout > 0
        acc = float((winner[held] == self.holdout[held]).mean()) if held.any() else None
        return EpochCounts(
            grown_counts={c: int(added[c]) for c in range(1, k + 1)},
            labelled_fraction=float(every[1:].sum()) / grown.size,
            mean_confidence=conf_sum / grown.size,
            confident_fraction=confident / grown.size,
            holdout_accuracy=acc,
            class_shares={c: float(every[c]) / grown.size for c in range(1, k + 1)},
        )

    def _seed_counts(self) -> np.ndarray:
        """Painted voxels per class (index 0 unused), counted once per seeds array."""
        if self._seeds_counted is None or self._seeds_counted[0] is not self.seeds:
            counts = np.bincount(self.seeds[self.seeds > 0], minlength=self.n_classes + 1)[: self.n_classes + 1]
            self._seeds_counted = (self.seeds, counts)
        return self._seeds_counted[1]
