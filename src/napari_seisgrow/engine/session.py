"""The training session: three stages, one EpochReport per epoch, stop within a batch, checkpoints.

A Session is a plain object; ``run()`` is a generator, so the CLI iterates it in the main
thread and the widget wraps it in a napari ``thread_worker``. It never touches the caller's
arrays: amplitudes are normalised into a copy and seeds are copied read-only at construction.
"""

from __future__ import annotations

import copy
import threading
import time
from collections.abc import Callable, Generator, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import torch

from ..io.errors import SeisgrowError
from ..io.geometry import Volume
from . import checkpoint
from .channels import Channels, StratGrid, build_channels, compute_strat
from .config import GrowConfig, check_last_growth
from .data import check_seeds, keep_holdout, normalise, split_holdout
from .device import describe, resolve_device
from .grow import grow_numpy
from .layers import (
    agreeing_regions,
    fill_along_layers,
    growable_confidence,
    smooth_along_layers,
)
from .losses import class_weights
from .optim import Adam, learning_rate
from .predict import predict_volume, section_index, section_probabilities, usable_orientations
from .pretrain import build_network, load_pretrained, pretrain, views_for
from .report import EpochReport, Preview
from .sampling import AXIS, PatchSampler
from .step import train_step, update_ema
from .suggest import Suggestion, doubt, suggest_places
from .supervision import painted_share, use_semi_supervision
from .ties import control_lines
from .unet import UNet
from .units import Kinds, as_layers, infer_kinds

PREVIEW_EVERY = 4  # optimiser steps between previews of the displayed section (and one after the first step)


class _PhaseClock:
    """Seconds spent in each phase of an epoch, for the reports (where an epoch's time goes)."""

    def __init__(self, t0: float) -> None:
        self.last = t0
        self.phases: dict[str, float] = {}

    def mark(self, phase: str) -> None:
        now = time.perf_counter()
        self.phases[phase] = now - self.last
        self.last = now


class Session:
    """Two U-Nets learning one volume from its seeds."""

    labels_on_disk = False  # a blockwise run keeps its labels and prediction in Zarr stores, not checkpoints

    def __init__(
        self,
        volume: Any,
        seeds: Any,
        config: GrowConfig | None = None,
        stop_event: threading.Event | None = None,
        *,
        strat: StratGrid | None = None,
        pretrained: list[dict[str, torch.Tensor]] | None = None,
    ) -> None:
        self._config = config or GrowConfig()
        self._config.validate()
        cfg = self._config
        data = volume.data if isinstance(volume, Volume) else volume
        self.geometry = volume.geometry if isinstance(volume, Volume) else None
        self.device = resolve_device(cfg.device)
        self.device_name = describe(self.device)
        self.rng = np.random.default_rng(cfg.seed)
        self._notes: list[str] = []
        self._prepare(data, seeds)
        self._measure_seed_density()
        self.strat: StratGrid | None = None
        if strat is not None and tuple(strat.shape) != tuple(self.x.shape):
            strat = None  # made for another volume: solve it again
        self.ties = control_lines(self.train_seeds, self.x) if cfg.stroke_ties else []
        if self.ties:
            strat = None  # solved without the strokes (while they were painted): solve again with them
            self._notes.append(f"the stratigraphic coordinate follows {len(self.ties)} stroke(s) painted along "
                               "reflectors")  # fmt: skip
        if strat is not None or cfg.needs_strat:
            self.strat = strat if strat is not None else self._solve_strat()
        self.inputs: Channels = build_channels(cfg.inputs, self.x, self.strat)
        self.nets = [self._build_net(cfg.seed * 2 + k, view) for k, view in zip((1, 2), views_for(cfg), strict=True)]
        self.pretrained = pretrained is not None
        self.pretrained_weights = pretrained  # kept with checkpoints: a new run on this volume can start from them
        self.pretrain_info = ""
        if pretrained is not None:
            load_pretrained(self.nets, pretrained)
        self.ema_nets = [copy.deepcopy(net).eval() for net in self.nets] if cfg.ema > 0 else None
        params = [p for net in self.nets for p in net.parameters()]
        self.optimizer = Adam(params, lr=cfg.lr, weight_decay=cfg.weight_decay)
        self.sampler = PatchSampler(self.inputs, cfg, self.rng)
        self.epoch = 0
        self.lr_cycle = 0  # the epoch the learning rate's current cosine cycle began (a continued run starts one)
        self.grown: Any = self._initial_labels()  # the last good labels, as shown and exported
        self.training_grown: Any = self.grown  # thresholded growth from the training seeds: what training sees
        self.winner: np.ndarray | None = None
        self.confidence: np.ndarray | None = None
        self.history: list[dict[str, Any]] = []
        self._agree: np.ndarray | None = None  # where the two networks' winners agree (for the completion)
        self._agree_key = -1
        self.net_winners: list[np.ndarray] = []  # each network's own winner, when computed (completion, suggest)
        self._live: tuple[Any, np.ndarray] | None = None  # (the volume array, where it holds data)
        self._train_steps = 0  # optimiser steps taken: what a cached per-network answer depends on
        self._stop = stop_event if stop_event is not None else threading.Event()  # may be set before we exist
        # (axis, index) of the section the viewer shows, or None; when set, run() also yields Previews
        self.preview_request: Callable[[], tuple[int, int] | None] | None = None
        self._amp = cfg.amp and self.device.type == "cuda"

    @property
    def config(self) -> GrowConfig:
        return self._config

    @config.setter
    def config(self, value: GrowConfig) -> None:
        """Every part that reads settings (the patch sampler too) sees a change at once."""
        self._config = value
        if getattr(self, "sampler", None) is not None:
            self.sampler.config = value

    def _solve_strat(self) -> StratGrid:
        return compute_strat(self.x, device=self.device, ties=getattr(self, "ties", None))

    # ----------------------------------------------------------------- construction helpers
    def _prepare(self, data: Any, seeds: Any) -> None:
        """Amplitudes, seeds and the held-out strokes: ``x``, ``amplitude_scale``, ``seeds``,
        ``n_classes``, ``train_seeds`` and ``holdout``, all in memory."""
        cfg = self.config
        self.x, self.amplitude_scale = normalise(data, cfg.clip_percentile)
        self.seeds = check_seeds(seeds, self.x.shape)
        self.n_classes = int(self.seeds.max())
        self.train_seeds, self.holdout = split_holdout(self.seeds, cfg.holdout_fraction, self.rng)

    def _initial_labels(self) -> Any:
        return np.array(self.seeds)

    def _build_net(self, seed: int, view: tuple[int, ...] | None = None) -> torch.nn.Module:
        return build_network(self.config, self.n_classes, view, seed).to(self.device)

    def _pretrain(self) -> bool:
        """``pretrain_steps`` of masked-trace reconstruction before the first epoch; False if stopped."""
        weights = None
        t0 = time.perf_counter()
        last = None
        for item in pretrain(self.inputs, self.config, self.config.pretrain_steps, device=self.device,
                             should_stop=self._stop.is_set):  # fmt: skip
            if isinstance(item, list):
                weights = item
            else:
                last = item
        if self._stop.is_set() or weights is None:
            return False
        load_pretrained(self.nets, weights)
        self.pretrained_weights = weights
        if self.ema_nets is not None:
            self.ema_nets = [copy.deepcopy(net).eval() for net in self.nets]
        self.pretrained = True
        loss = f", reconstruction loss {last.loss:.4f}" if last is not None else ""
        self.pretrain_info = f"pretrained {self.config.pretrain_steps} steps in {time.perf_counter() - t0:.1f} s{loss}"
        return True

    # ----------------------------------------------------------------- control
    def stop(self) -> None:
        """Ask the running epoch to end after the current batch; the last grown labels stay."""
        self._stop.set()

    def clear_stop(self) -> None:
        self._stop.clear()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    @property
    def done(self) -> bool:
        return self.epoch >= self.config.epochs

    # ----------------------------------------------------------------- the loop
    def run(self) -> Iterator[EpochReport]:
        """Train the remaining epochs, yielding one report per finished epoch.

        With ``preview_request`` set, a ``Preview`` of the requested section is also yielded after
        the first step of each epoch and every ``PREVIEW_EVERY`` steps, so a viewer can show the
        networks' progress long before an epoch's whole-volume pass.
        """
        if self.epoch == 0 and not self.pretrained and self.config.pretrain_steps > 0 and not self._pretrain():
            return
        while self.epoch < self.config.epochs and not self._stop.is_set():
            report = yield from self._run_epoch(self.epoch)
            if report is None:
                return
            self.epoch += 1
            self.history.append(report.summary())
            yield report

    def _painted_flat(self) -> np.ndarray:
        """Flat positions of the voxels training learns from."""
        return np.flatnonzero(np.asarray(self.train_seeds))

    def _measure_seed_density(self, continuing: bool = False) -> None:
        """How densely the painted sections are labelled (see ``engine.supervision``): a run that
        ``auto`` turns to the seeds alone says why. A run decides once: new seeds that would decide
        otherwise are noted, not obeyed (a switch mid-run to pseudo labels would start CPS at full
        weight, with no ramp)."""
        share = painted_share(self._painted_flat(), tuple(self.x.shape))
        if continuing:
            if use_semi_supervision(self.config.semi_supervised, share) != self.semi_supervised:
                keeps = "with pseudo labels" if self.semi_supervised else "on the seeds alone"
                self._notes.append(f"the seeds now lie {share:.0%} in densely labelled sections; this run keeps "
                                   f"training {keeps} (Train anew to change)")  # fmt: skip
            return
        self._painted_share = share
        if self.config.semi_supervised == "auto" and not self.semi_supervised:
            self._notes.append(f"{share:.0%} of the seeds lie in densely labelled sections: training on the seeds "
                               f"alone (no pseudo labels), growing at {self.config.dense_threshold:g}; set "
                               "semi_supervised to on to change this")  # fmt: skip

    @property
    def semi_supervised(self) -> bool:
        """Whether this run learns from the unlabelled volume: the setting as it is now (it can change
        between runs), applied to the seeds' density."""
        return use_semi_supervision(self.config.semi_supervised, self._painted_share)

    def growth_thresholds(self) -> list[float]:
        """t_c per class (1..K): ``grow_thresholds`` for strokes, ``dense_threshold`` for a run that
        trains on dense seeds alone (with two labelled inlines, growth at 0.4 scored 0.926 and 0.903
        on the development volumes against 0.897 and 0.887 at 0.6, and 0.910 and 0.902 for the argmax)."""
        cfg = self.config
        if not self.semi_supervised:
            return [cfg.dense_threshold] * self.n_classes
        return [cfg.threshold(c) for c in range(1, self.n_classes + 1)]

    def _stage(self, epoch: int) -> str:
        return self.config.stage(epoch) if self.semi_supervised else "warmup"

    def _cps_lambda(self, epoch: int, step: int) -> float:
        cfg = self.config
        if not self.semi_supervised or cfg.cps_weight == 0 or epoch < cfg.cps_start:
            return 0.0
        if cfg.cps_epochs == 0 or epoch >= cfg.grow_start:
            return cfg.cps_weight
        progress = (epoch - cfg.cps_start + (step + 1) / cfg.steps_per_epoch) / cfg.cps_epochs
        return cfg.cps_weight * min(1.0, progress)

    def _set_lr(self, epoch: int, step: int) -> None:
        cfg = self.config
        peak = 1.0 if self.lr_cycle == 0 else cfg.continue_lr
        lr = learning_rate(cfg.lr, cfg.lr_schedule, epoch, step, cfg.steps_per_epoch, cfg.epochs, self.lr_cycle, peak)
        for group in self.optimizer.param_groups:
            group["lr"] = lr

    def _training_labels(self, stage: str) -> tuple[np.ndarray, np.ndarray]:
        seeds = self.train_seeds
        weights = (seeds > 0).astype(np.float32)
        if stage != "grow":
            return seeds, weights
        grown = np.where(self.holdout > 0, 0, self.training_grown).astype(np.uint8)
        grown[seeds > 0] = seeds[seeds > 0]
        weights = np.where(seeds > 0, 1.0, np.where(grown > 0, self.config.grown_weight, 0.0)).astype(np.float32)
        return grown, weights

    def _set_training_labels(self, stage: str) -> np.ndarray:
        """Hand the sampler this stage's labels; returns the labelled voxels per class."""
        labels, weights = self._training_labels(stage)
        self.sampler.set_labels(labels, weights, self.train_seeds if stage == "grow" else None)
        return np.bincount(labels[labels > 0].ravel(), minlength=self.n_classes + 1)[1:]

    def preview(self, axis: int, index: int) -> np.ndarray | None:
        """The networks' winning class on one inline (axis 0) or crossline (axis 1), uint8, from the
        current weights: one section through each network, no growth. None where the networks do
        not read sections of that orientation (e.g. a time slice) or the index is outside."""
        ors = usable_orientations(self.config.orientations, self.x.shape)
        if axis not in (AXIS[o] for o in ors) or not 0 <= index < self.x.shape[axis]:
            return None
        nets = self.predicting_nets
        modes = [net.training for net in nets]
        for net in nets:
            net.eval()
        try:
            section = self.inputs[section_index(axis, index)][None]
            p = section_probabilities(nets, section, self.device, self.config.amp)[0]
        finally:
            for net, mode in zip(nets, modes, strict=True):
                net.train(mode)
        return (p.argmax(axis=0) + 1).astype(np.uint8)

    def _maybe_preview(self, epoch: int, step: int) -> Preview | None:
        if self.preview_request is None or not (step == 1 or step % PREVIEW_EVERY == 0):
            return None
        where = self.preview_request()
        if where is None:
            return None
        labels = self.preview(*where)
        return None if labels is None else Preview(int(where[0]), int(where[1]), labels, epoch, step)

    def _run_epoch(self, epoch: int) -> Generator[Preview, None, EpochReport | None]:
        cfg = self.config
        t0 = time.perf_counter()
        stage = self._stage(epoch)
        counts = self._set_training_labels(stage)
        alpha = torch.from_numpy(class_weights(counts, cfg.max_class_weight)) if cfg.class_balance == "labels" else None
        sup_total = cps_total = 0.0
        lam = 0.0
        for net in self.nets:
            net.train()
        for step in range(cfg.steps_per_epoch):
            if self._stop.is_set():
                return None
            self._set_lr(epoch, step)
            lam = self._cps_lambda(epoch, step)
            sup, cps = self._step_fitting_memory(alpha, lam)
            sup_total += sup
            cps_total += cps
            preview = self._maybe_preview(epoch, step + 1)
            if preview is not None:
                yield preview
        clock = _PhaseClock(t0)
        clock.mark("train")
        pred = self._predict_fitting_memory()
        if pred is None:
            return None
        last = epoch == cfg.epochs - 1
        self.winner, self.confidence = self._along_layers(pred) if last else pred
        clock.mark("predict")
        previous = self.training_grown if (cfg.accumulate and stage == "grow") else None
        self.training_grown = self._grow(previous, final=last)
        self.grown = self.training_grown
        clock.mark("grow")
        if cfg.fill_final and last:
            self.grown = self.complete()  # shown and exported; training never sees completed labels
            clock.mark("complete")
        report = self._report(epoch, stage, sup_total / cfg.steps_per_epoch, cps_total / cfg.steps_per_epoch, lam, t0)
        clock.mark("report")
        report.timings = clock.phases
        return report

    # ----------------------------------------------------------------- running out of memory
    def _out_of_memory(self, what: str, batch_field: str | tuple[str, ...]) -> None:
        """Halve the batch; at a batch of 1 move to the CPU; on the CPU give up with a clear message."""
        self.optimizer.zero_grad(set_to_none=True)
        if self.device.type == "cuda":
            torch.cuda.empty_cache()
        fields = (batch_field,) if isinstance(batch_field, str) else batch_field
        sizes = {f: getattr(self.config, f) for f in fields}
        if max(sizes.values()) > 1:
            smaller = {f: max(1, n // 2) for f, n in sizes.items()}
            self.config = self.config.with_overrides(**smaller)
            shown = ", ".join(f"{f.replace('_', ' ')} {n}" for f, n in smaller.items())
            self._notes.append(f"out of {self.device.type.upper()} memory in {what}: retrying with {shown}")
            return
        if self.device.type != "cpu":
            self._move_to(torch.device("cpu"))
            self._notes.append(f"out of GPU memory in {what} even with a batch of 1: continuing on the CPU")
            return
        raise SeisgrowError(f"out of memory in {what} even with a batch of 1; use a smaller patch size or volume")

    def _move_to(self, device: torch.device) -> None:
        self.device = device
        self.device_name = describe(device)
        self._amp = self.config.amp and device.type == "cuda"
        for net in [*self.nets, *(self.ema_nets or [])]:
            net.to(device)
        self.optimizer.exp_avg = [t.to(device) for t in self.optimizer.exp_avg]
        self.optimizer.exp_avg_sq = [t.to(device) for t in self.optimizer.exp_avg_sq]

    def _step_fitting_memory(self, alpha: torch.Tensor | None, lam: float) -> tuple[float, float]:
        while True:
            try:
                return self._step(alpha, lam)
            except torch.cuda.OutOfMemoryError:
                self._out_of_memory("a training step", ("batch_labelled", "batch_unlabelled"))

    def _predict_fitting_memory(self) -> tuple[np.ndarray, np.ndarray] | None:
        while True:
            cfg = self.config
            try:
                return predict_volume(
                    self.predicting_nets, self.inputs, self.n_classes, cfg.orientations, self.device,
                    batch=cfg.inference_batch, amp=cfg.amp, should_stop=self._stop.is_set,
                )  # fmt: skip
            except torch.cuda.OutOfMemoryError:
                self._out_of_memory("inference", "inference_batch")

    def _step(self, alpha: torch.Tensor | None, lam: float) -> tuple[float, float]:
        cfg = self.config
        labelled = self.sampler.labelled_batch(cfg.batch_labelled)
        unlabelled = self.sampler.unlabelled_batch(cfg.batch_unlabelled) if lam > 0 else None
        if cfg.class_balance == "batch":
            counts = np.bincount(labelled.y.ravel(), minlength=self.n_classes + 1)[1:]
            alpha = torch.from_numpy(class_weights(counts, cfg.max_class_weight))
        losses = train_step(self.nets, self.optimizer, labelled, unlabelled, cfg, alpha, lam, self.device, self._amp)
        self._train_steps += 1
        if self.ema_nets is not None:
            update_ema(self.nets, self.ema_nets, cfg.ema)
        return losses

    @property
    def predicting_nets(self) -> list[UNet]:
        """The networks whose predictions become labels: the slowly averaged copies when ``ema`` is on."""
        return self.ema_nets if self.ema_nets is not None else self.nets

    def _along_layers(self, pred: tuple[np.ndarray, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        """The prediction with its votes averaged along the layering (``layer_smoothing``): for the
        last epoch's labels only, so what the networks train on stays their own votes (averaged
        votes fed back into training made the results swing both ways, not better on average)."""
        sigma = self.config.layer_smoothing
        if sigma <= 0:
            return pred
        if self.strat is None:
            self.strat = self._solve_strat()
        return smooth_along_layers(*pred, self.strat.full(), self.n_classes, sigma, self.live)

    def _grow(self, previous: np.ndarray | None = None, final: bool = False) -> np.ndarray:
        cfg = self.config
        assert self.winner is not None and self.confidence is not None
        thresholds = self.growth_thresholds()
        if previous is not None:
            previous = self._without_holdout(previous)
        grown = grow_numpy(
            self.train_seeds, self.winner, self._growable_confidence(final), thresholds,
            radius=cfg.grow_radius, max_reach=cfg.max_reach, previous=previous, device=self.device,
        )  # fmt: skip
        held = self.holdout > 0
        grown[held] = self.holdout[held]  # the output always holds every seed
        return grown

    @property
    def live(self) -> np.ndarray:
        """Samples that hold data (exact zeros are dead traces or padding), worked out once per
        volume array: growth, completion and suggestions ask every epoch."""
        if self._live is None or self._live[0] is not self.x:
            self._live = (self.x, np.asarray(self.x) != 0)
        return self._live[1]

    def _growable_confidence(self, final: bool = False) -> np.ndarray:
        """The confidence growth sees (``engine.layers.growable_confidence``); ``layer_claims`` acts
        in the ``final`` growth only: applied to the labels the networks train on, it changed what
        they learnt and swung the results both ways (docs/benchmarks.md)."""
        assert self.winner is not None and self.confidence is not None
        cfg = self.config
        claims = cfg.layer_claims if final else "off"
        tau = self.strat.full() if self.strat is not None and (cfg.grow_envelope > 0 or claims != "off") else None
        return growable_confidence(self.confidence, self.winner, self.live, tau, self.train_seeds, self.n_classes,
                                   cfg.grow_envelope, claims)  # fmt: skip

    def _without_holdout(self, labels: np.ndarray) -> np.ndarray:
        """Labels with the held-out strokes removed, so they never seed growth or training."""
        held = (self.holdout > 0) & (self.train_seeds == 0)
        return np.where(held, 0, labels).astype(np.uint8) if held.any() else labels

    def complete(self) -> np.ndarray:
        """The labels completed so that no voxel is left open.

        ``completion="layers"``: every voxel the thresholded growth left open takes the class of
        the nearest labelled voxel along the layering (the stratigraphic coordinate), where a step
        across reflectors costs ``layer_reach`` steps along them. ``"connected"``: growth goes on
        with no threshold, through voxels whose argmax agrees and that connect to their class;
        what no class reaches stays 0.
        """
        assert self.winner is not None and self.confidence is not None
        cfg = self.config
        start = self._without_holdout(self.training_grown)
        if cfg.completion == "layers":
            if self.strat is None:
                self.strat = self._solve_strat()
            done = fill_along_layers(start, self.strat.full(), cfg.layer_reach)
            if cfg.agreement < 1.0:
                live = self.live  # dead samples (exact zeros: no data) follow the layering
                keep = agreeing_regions(start == 0, self._networks_agree() & live, cfg.agreement)
                done = np.where(keep, self.winner, done).astype(np.uint8)
        else:
            done = grow_numpy(
                self.train_seeds, self.winner, self.confidence, [0.0],
                radius=cfg.grow_radius, max_reach=cfg.max_reach, previous=start, device=self.device,
            )  # fmt: skip
        if cfg.unit_model == "layered":
            done = self._as_layers(done)
        held = self.holdout > 0
        done[held] = self.holdout[held]
        return done

    def class_kinds(self, tau: np.ndarray | None = None) -> Kinds:
        """Each class's kind, unit or body: as ``class_kinds`` sets it, else inferred from where its
        training strokes lie in the stratigraphic coordinate ``tau`` (``engine.units.infer_kinds``)."""
        if tau is None:
            if self.strat is None:
                self.strat = self._solve_strat()
            tau = self.strat.full()
        return infer_kinds(self.train_seeds, tau, self.n_classes, self.live, self.config.class_kinds)

    def _as_layers(self, labels: np.ndarray) -> np.ndarray:
        """``labels`` with the unit classes as ordered layers and bodies as they are
        (``engine.units.as_layers``); what was decided, and why, goes to the next report."""
        if self.strat is None:
            self.strat = self._solve_strat()
        tau = self.strat.full()  # interpolated from a decimated grid at survey size: read once
        cfg = self.config
        out, note = as_layers(labels, tau, self.x, self.train_seeds, self.n_classes, self.live, self.winner,
                              cfg.class_kinds, cfg.unit_agreement)  # fmt: skip
        self._notes.append(note)
        return out

    def _networks_agree(self) -> np.ndarray:
        """Where the two networks' winners agree, from one inference pass of each (kept until the
        networks change again)."""
        if self._agree is not None and self._agree_key == self._train_steps:
            return self._agree
        cfg = self.config
        winners = []
        for net in self.predicting_nets:
            pred = predict_volume([net], self.inputs, self.n_classes, cfg.orientations, self.device,
                                  batch=cfg.inference_batch, amp=cfg.amp)  # fmt: skip
            assert pred is not None
            winners.append(pred[0])
        self._agree = np.all([w == winners[0] for w in winners[1:]], axis=0) if len(winners) > 1 else None
        if self._agree is None:
            self._agree = np.ones(self.x.shape, bool)
        self._agree_key = self._train_steps
        self.net_winners = winners
        return self._agree

    def _current_net_winners(self, networks: bool) -> list[np.ndarray] | None:
        """Each network's own winner for the current weights: computed if ``networks`` (one inference
        pass each), else only when already known (mid-training, where the extra passes cost too much)."""
        if networks:
            self._networks_agree()
        current = self.net_winners and self._agree_key == self._train_steps
        return self.net_winners if current else None

    def doubt_map(self, networks: bool = True) -> np.ndarray:
        """Per voxel 0 (sure) .. 1 (no idea), float32: see ``engine.suggest.doubt``."""
        if self.winner is None or self.confidence is None:
            raise SeisgrowError("nothing to suggest yet: train at least one epoch")
        nets = self._current_net_winners(networks)
        return doubt(self.confidence, self.n_classes, None if not nets else nets[0] != nets[1])

    def suggest(self, n: int = 10, networks: bool = True, **options: Any) -> list[Suggestion]:
        """Where one more stroke should help most, from the last prediction (``engine.suggest``)."""
        if self.winner is None or self.confidence is None:
            raise SeisgrowError("nothing to suggest yet: train at least one epoch")
        nets = self._current_net_winners(networks)
        return suggest_places(self.winner, self.confidence, self.seeds, self.n_classes, nets,
                              live=self.live, n=n, **options)  # fmt: skip

    def regrow(self, **overrides: Any) -> np.ndarray:
        """Rerun growth from the last prediction with new settings (thresholds, radius...): no training.

        A finished run is completed again as at its end, so Grow with unchanged settings gives
        back the end-of-training labels.
        """
        if self.winner is None:
            raise SeisgrowError("nothing to grow from yet: train at least one epoch first")
        if overrides:
            self.config = self.config.with_overrides(**overrides)
            self.config.validate()
        self.training_grown = self._grow(None, final=self.done)
        self.grown = self.complete() if (self.config.fill_final and self.done) else self.training_grown
        return self.grown

    def continue_with(self, seeds: Any, epochs: int, **last_growth: Any) -> None:
        """Set up ``epochs`` more epochs from the current networks, with new seeds and new
        last-growth settings (``GrowConfig.last_growth``); ``run`` then trains them.

        The settings act before the seeds are regrown, so the first continued epoch trains on
        labels grown with them; the learning rate runs a cycle of its own over the added epochs
        (``continue_lr``). On a bad argument nothing changes."""
        check_last_growth(last_growth)
        if int(epochs) < 1:
            raise SeisgrowError(f"continue needs at least one more epoch; got {epochs}")
        before = self.config
        config = before.with_overrides(epochs=self.epoch + int(epochs), **last_growth)
        config.validate()
        self.config = config
        try:
            self.update_seeds(seeds)
        except SeisgrowError:
            self.config = before
            raise
        self.lr_cycle = self.epoch

    def update_seeds(self, seeds: Any) -> None:
        """Continue from the current networks with newly painted seeds.

        Strokes held out before stay held out and strokes trained on stay in training; only new
        strokes can be held out. The labels training sees are regrown from the new seeds at once,
        so an erased stroke's growth and the final completion never feed the next epochs.
        """
        new = check_seeds(seeds, self.x.shape)
        if int(new.max()) > self.n_classes:
            raise SeisgrowError(
                f"the new seeds add class {int(new.max())}; the networks know {self.n_classes} classes, so retrain"
            )
        self.seeds = new
        self.train_seeds, self.holdout = keep_holdout(
            new, self.train_seeds, self.holdout, self.config.holdout_fraction, self.rng
        )
        self._measure_seed_density(continuing=True)
        if self.winner is not None:
            self.training_grown = self._grow(None)
        else:
            self.training_grown = np.array(new)
        self.grown = self.training_grown

    def _report(self, epoch: int, stage: str, sup: float, cps: float, lam: float, t0: float) -> EpochReport:
        cfg = self.config
        grown, seeds = self.grown, self.seeds
        added = (grown > 0) & (seeds == 0)
        counts = np.bincount(grown[added], minlength=self.n_classes + 1)
        assert self.confidence is not None and self.winner is not None
        conf = self.confidence.astype(np.float32)
        thresholds = self.growth_thresholds()
        t = np.array([0.0, *thresholds], np.float32)
        held = self.holdout > 0
        acc = float((self.winner[held] == self.holdout[held]).mean()) if held.any() else None
        return EpochReport(
            epoch=epoch,
            epochs=cfg.epochs,
            stage=stage,
            sup_loss=sup,
            cps_loss=cps,
            cps_weight=lam,
            seconds=time.perf_counter() - t0,
            grown=grown,
            grown_counts={c: int(counts[c]) for c in range(1, self.n_classes + 1)},
            labelled_fraction=float((grown > 0).mean()),
            mean_confidence=float(conf.mean()),
            confident_fraction=float((conf >= t[self.winner]).mean()),
            holdout_accuracy=acc,
            device=self.device_name,
            thresholds=tuple(thresholds),
            notes=tuple(self._drain_notes()),
        )

    def _drain_notes(self) -> list[str]:
        notes, self._notes = self._notes, []
        return notes

    # ----------------------------------------------------------------- checkpoints
    def save_checkpoint(self, directory: str | Path) -> Path:
        """State dicts, config JSON, versions and the last grown labels: no pickled objects
        (``engine.checkpoint``)."""
        return checkpoint.save(self, directory)

    @classmethod
    def resume(cls, directory: str | Path, volume: Any, seeds: Any, **overrides: Any) -> Session:
        """Rebuild a session from ``save_checkpoint`` output and the same volume and seeds."""
        return checkpoint.resume(cls, directory, volume, seeds, **overrides)
