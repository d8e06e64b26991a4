"""The training session: the loop of three stages, one EpochReport per epoch, stop within a batch.

A Session is a plain object; ``run()`` is a generator, so the CLI iterates it in the main thread
and the widget wraps it in a napari ``thread_worker``. It runs the loop (epochs, stages, the
training step and its schedules, stopping, running out of memory, reports) and leaves whatever is
volume-sized to its backend: ``InMemory`` (``backend_memory``) or, with ``blockwise`` set,
``OnDisk`` (``backend_blockwise``), each given the networks, settings and coordinate as
arguments. It never touches the caller's arrays: the backend reads amplitudes normalised as
they are sliced (``lazy.Amplitudes``) and keeps the seeds read-only.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Generator, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import torch

from ..io.errors import SeisgrowError
from ..io.geometry import Volume
from . import checkpoint
from .answers import NetworkAnswers, preview_section
from .backend_blockwise import Blockwise, OnDisk
from .backend_memory import InMemory
from .channels import Channels, StratGrid, build_channels, compute_strat
from .config import GrowConfig, check_last_growth
from .device import describe, resolve_device
from .heap import release_freed_memory
from .losses import class_weights
from .optim import learning_rate
from .out_of_memory import smaller_batches
from .predict import Sweep, turn, usable_orientations
from .pretrain import pretrained_weights
from .report import EpochReport, PhaseClock, Preview, Swept
from .schedule import cps_weight_at, stage_of
from .supervision import Decision, painted_share
from .ties import coordinate_for
from .trainer import Trainer
from .unet import UNet
from .units import Kinds

PREVIEW_EVERY = 4  # optimiser steps between previews of the displayed section (and one after the first step)


class Session:
    """Two U-Nets learning one volume from its seeds; ``blockwise`` keeps the volume on disk."""

    def __init__(
        self,
        volume: Any,
        seeds: Any,
        config: GrowConfig | None = None,
        stop_event: threading.Event | None = None,
        *,
        blockwise: Blockwise | None = None,
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
        self.backend: InMemory | OnDisk = (
            InMemory(data, seeds, cfg, self.rng) if blockwise is None else OnDisk(data, seeds, cfg, blockwise)
        )
        self.decision = Decision(self._seed_density())
        self._note(self.decision.start_note(cfg))
        self.strat, self.ties, note = coordinate_for(self.x, self.train_seeds, cfg, strat, self.device)
        release_freed_memory()  # the solve's many mid-sized temporaries (engine/heap.py)
        self._note(note)
        self.inputs: Channels = build_channels(cfg.inputs, self.x, self.strat)
        self.trainer = Trainer(cfg, self.n_classes, self.inputs, self.device, self.rng, pretrained)
        self.epoch = 0
        self.lr_cycle = 0  # the epoch the learning rate's current cosine cycle began (a continued run starts one)
        self.grown: Any = self.backend.initial_labels()  # the last good labels, as shown and exported
        self.training_grown: Any = self.grown  # thresholded growth from the training seeds: what training sees
        self.winner: np.ndarray | None = None
        self.confidence: np.ndarray | None = None
        self.history: list[dict[str, Any]] = []
        self.answers = NetworkAnswers()  # each network's own winner, when computed (completion, doubt, suggest)
        self._stop = stop_event if stop_event is not None else threading.Event()  # may be set before we exist
        # (axis, index) of the section the viewer shows, or None; when set, run() also yields Previews
        self.preview_request: Callable[[], tuple[int, int] | None] | None = None

    @property
    def config(self) -> GrowConfig:
        return self._config

    @config.setter
    def config(self, value: GrowConfig) -> None:
        """Every part that reads settings (the patch sampler too) sees a change at once."""
        self._config = value
        if getattr(self, "trainer", None) is not None:
            self.trainer.sampler.config = value

    def coordinate(self) -> StratGrid:
        """The stratigraphic coordinate, solved the first time something needs it."""
        if self.strat is None:
            self.strat = compute_strat(self.x, device=self.device, ties=self.ties)
            release_freed_memory()
        return self.strat

    # ----------------------------------------------------------------- the backend's data
    @property
    def x(self) -> Any:
        """The normalised amplitudes (an array in memory, a lazy reader blockwise)."""
        return self.backend.x

    @property
    def amplitude_scale(self) -> float:
        return self.backend.amplitude_scale

    @property
    def seeds(self) -> Any:
        return self.backend.seeds

    @property
    def train_seeds(self) -> Any:
        return self.backend.train_seeds

    @property
    def holdout(self) -> Any:
        return self.backend.holdout

    @property
    def n_classes(self) -> int:
        return self.backend.n_classes

    @property
    def labels_on_disk(self) -> bool:
        """A blockwise run keeps its labels and prediction in Zarr stores, not in checkpoints."""
        return self.backend.labels_on_disk

    @property
    def live(self) -> np.ndarray:
        """Samples that hold data (in memory only)."""
        assert isinstance(self.backend, InMemory), "where the volume holds data is known in memory only"
        return self.backend.live

    # ----------------------------------------------------------------- the networks
    @property
    def nets(self) -> list[UNet]:
        return self.trainer.nets

    @property
    def predicting_nets(self) -> list[UNet]:
        """The networks whose predictions become labels: the slowly averaged copies when ``ema`` is on."""
        return self.trainer.predicting_nets

    def _pretrain(self) -> bool:
        """``pretrain_steps`` of masked-trace reconstruction before the first epoch; False if stopped."""
        weights, info = pretrained_weights(self.inputs, self.config, self.device, self._stop.is_set)
        if weights is not None:
            self.trainer.use_pretrained(weights, info)
        return weights is not None

    # ----------------------------------------------------------------- control
    def stop(self) -> None:
        """Ask the running epoch to end after the current batch; the last grown labels stay."""
        self._stop.set()

    def clear_stop(self) -> None:
        self._stop.clear()

    @property
    def stop_event(self) -> threading.Event:
        """The flag ``stop`` sets: a caller that continues this run stops it through the same flag."""
        return self._stop

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
        the first step of each epoch, every ``PREVIEW_EVERY`` steps and after the last, so a viewer
        can show the networks' progress long before an epoch's whole-volume pass; and during that
        pass (in memory), a ``Swept`` per batch of sections with the networks' labels there, the
        requested section first: the viewer fills the volume in behind it.
        """
        if self.epoch == 0 and not self.trainer.pretrained and self.config.pretrain_steps > 0 and not self._pretrain():
            return
        while self.epoch < self.config.epochs and not self._stop.is_set():
            report = yield from self._run_epoch(self.epoch)
            if report is None:
                return
            self.epoch += 1
            self.history.append(report.summary())
            yield report

    def _seed_density(self) -> float:
        """How much of the training seeds lies in densely labelled sections (``supervision.painted_share``)."""
        return painted_share(self.backend.painted_flat(), tuple(self.x.shape))

    def _note(self, note: str) -> None:
        if note:
            self._notes.append(note)

    @property
    def semi_supervised(self) -> bool:
        """Whether this run learns from the unlabelled volume (``supervision.Decision``)."""
        return self.decision.semi_supervised(self.config)

    def growth_thresholds(self) -> list[float]:
        """t_c per class (1..K) for this run (``supervision.Decision.thresholds``)."""
        return self.decision.thresholds(self.config, self.n_classes)

    def stage(self, epoch: int) -> str:
        return stage_of(self.config, self.semi_supervised, epoch)

    def cps_lambda(self, epoch: int, step: int) -> float:
        return cps_weight_at(self.config, self.semi_supervised, epoch, step)

    def _set_lr(self, epoch: int, step: int) -> None:
        cfg = self.config
        peak = 1.0 if self.lr_cycle == 0 else cfg.continue_lr
        lr = learning_rate(cfg.lr, cfg.lr_schedule, epoch, step, cfg.steps_per_epoch, cfg.epochs, self.lr_cycle, peak)
        self.trainer.set_lr(lr)

    def preview(self, axis: int, index: int) -> np.ndarray | None:
        """The networks' winning class on one section from the current weights (``answers.preview_section``)."""
        return preview_section(self.predicting_nets, self.inputs, self.config, self.device, axis, index)

    def _maybe_preview(self, epoch: int, step: int) -> Preview | None:
        if self.preview_request is None or not (
            step == 1 or step % PREVIEW_EVERY == 0 or step == self.config.steps_per_epoch
        ):
            return None
        where = self.preview_request()
        if where is None:
            return None
        labels = self.preview(*where)
        return None if labels is None else Preview(int(where[0]), int(where[1]), labels, epoch, step)

    def _run_epoch(self, epoch: int) -> Generator[Preview | Swept, None, EpochReport | None]:
        cfg = self.config
        t0 = time.perf_counter()
        stage = self.stage(epoch)
        counts = self.backend.set_training_labels(self.trainer.sampler, stage, self.training_grown, cfg.grown_weight)
        alpha = torch.from_numpy(class_weights(counts, cfg.max_class_weight)) if cfg.class_balance == "labels" else None
        sup_total = cps_total = 0.0
        lam = 0.0
        for net in self.trainer.nets:
            net.train()
        for step in range(cfg.steps_per_epoch):
            if self._stop.is_set():
                return None
            self._set_lr(epoch, step)
            lam = self.cps_lambda(epoch, step)
            sup, cps = self._step_fitting_memory(alpha, lam)
            sup_total += sup
            cps_total += cps
            preview = self._maybe_preview(epoch, step + 1)
            if preview is not None:
                yield preview
        clock = PhaseClock(t0)
        clock.mark("train")
        pred = yield from self._predict_fitting_memory(epoch)
        if pred is None:
            return None
        last = epoch == cfg.epochs - 1
        self.winner, self.confidence = self.backend.along_layers(pred, cfg, self.coordinate) if last else pred
        release_freed_memory()  # each phase's freed temporaries, before the next maps its own arrays
        clock.mark("predict")
        previous = self.training_grown if (cfg.accumulate and stage == "grow") else None
        self.training_grown = self.grow_labels(previous, final=last)
        self.grown = self.training_grown
        release_freed_memory()
        clock.mark("grow")
        if cfg.fill_final and last:
            self.grown = self.complete()  # shown and exported; training never sees completed labels
            release_freed_memory()
            clock.mark("complete")
        report = self._report(epoch, stage, sup_total / cfg.steps_per_epoch, cps_total / cfg.steps_per_epoch, lam, t0)
        report.layering = self.layering_note  # "" unless this epoch's completion layered the labels
        clock.mark("report")
        report.timings = clock.phases
        return report

    # ----------------------------------------------------------------- running out of memory
    def _out_of_memory(self, what: str, batch_field: str | tuple[str, ...]) -> None:
        """Halve the batch; at a batch of 1 move to the CPU; on the CPU give up with a clear message."""
        self.trainer.optimizer.zero_grad(set_to_none=True)
        if self.device.type == "cuda":
            torch.cuda.empty_cache()
        fields = (batch_field,) if isinstance(batch_field, str) else batch_field
        smaller = smaller_batches(self.config, fields, self.device, what)
        if smaller is not None:
            self.config, note = smaller
            self._notes.append(note)
            return
        self.device = torch.device("cpu")
        self.device_name = describe(self.device)
        self.trainer.move_to(self.device, self.config)
        self._notes.append(f"out of GPU memory in {what} even with a batch of 1: continuing on the CPU")

    def _step_fitting_memory(self, alpha: torch.Tensor | None, lam: float) -> tuple[float, float]:
        while True:
            try:
                return self.step(alpha, lam)
            except torch.cuda.OutOfMemoryError:
                self._out_of_memory("a training step", ("batch_labelled", "batch_unlabelled"))

    def _predict_fitting_memory(self, epoch: int) -> Generator[Swept, None, tuple[Any, Any] | None]:
        while True:
            nets, config = self.epoch_predictors(epoch)
            try:
                if not isinstance(self.backend, InMemory):
                    return self.backend.predict(nets, self.inputs, config, self.device, self._stop)
                own = self._own_winners_now(epoch, nets)
                shown = self.preview_request() if self.preview_request is not None else None
                sweep = self.backend.sweep(nets, self.inputs, config, self.device, self._stop, own=own, first=shown)
                result = yield from self._sweep_reports(sweep, epoch)
                if result is None:
                    return None
                if own:
                    self.answers.keep(result[2], self.trainer.steps, tuple(self.x.shape))
                return result[0], result[1]
            except torch.cuda.OutOfMemoryError:
                self._out_of_memory("inference", "inference_batch")

    def _sweep_reports(self, sweep: Sweep, epoch: int) -> Generator[Swept, None, tuple | None]:
        """Run the whole-volume pass, yielding a ``Swept`` per batch while a viewer asks for
        previews (the CLI and the benchmarks drain it silently); returns the pass's result."""
        while True:
            try:
                step = next(sweep)
            except StopIteration as end:
                return end.value
            if self.preview_request is not None:
                yield replace(step, epoch=epoch)

    def _own_winners_now(self, epoch: int, nets: list[UNet]) -> bool:
        """Whether this epoch's sweep also keeps each network's own winner: in the last epoch, whose
        completion asks where the networks agree (and doubt and suggestions after it), in memory
        (the blockwise completion goes by agreeing argmax and never asks)."""
        return epoch >= self.config.epochs - 1 and len(nets) > 1 and isinstance(self.backend, InMemory)

    def epoch_predictors(self, epoch: int) -> tuple[list[UNet], GrowConfig]:
        """The networks, and the config (its orientations), whose whole-volume pass gives ``epoch``'s
        labels: the ensemble in the last epoch and with ``epoch_inference="ensemble"``, else one
        orientation by turns (``"orientation-turns"``) or one network in one orientation by turns
        (``"turns"``, ``predict.turn``). The passes are most of an epoch's cost at survey size, and
        the labels of the epochs before the last only feed the training and the live view; the last
        epoch's, which are the run's result, always come from all (docs/benchmarks.md: the cheaper
        passes cost up to 0.058 mIoU on the synthetic volumes, so they are not the default)."""
        nets, cfg = self.predicting_nets, self.config
        if cfg.epoch_inference == "ensemble" or epoch >= cfg.epochs - 1:
            return nets, cfg
        ors = usable_orientations(cfg.orientations, tuple(self.x.shape))
        if cfg.epoch_inference == "orientation-turns":
            return nets, replace(cfg, orientations=[ors[epoch % len(ors)]])
        k, orientation = turn(len(nets), ors, epoch)
        return [nets[k]], replace(cfg, orientations=[orientation])

    def step(self, alpha: torch.Tensor | None, lam: float) -> tuple[float, float]:
        """One optimiser step of both networks (``Trainer.step``); returns the two losses."""
        return self.trainer.step(self.config, alpha, lam)

    def grow_labels(self, previous: Any = None, final: bool = False) -> Any:
        """The thresholded growth from the last prediction (``final``: the run's last growth, where
        ``layer_claims`` acts); ``previous`` labels are grown on from."""
        assert self.winner is not None and self.confidence is not None
        return self.backend.grow(self.winner, self.confidence, self.config, self.growth_thresholds(), strat=self.strat,
                                 previous=previous, final=final, device=self.device, epoch=self.epoch)  # fmt: skip

    def complete(self) -> Any:
        """The labels completed so that no voxel is left open (the backend's ``complete``)."""
        if self.winner is None or self.confidence is None:
            raise SeisgrowError("nothing to grow from yet: train at least one epoch first")
        return self.backend.complete(self.winner, self.confidence, self.training_grown, self.grown, self.config,
                                     strat=self.coordinate, agree=self.networks_agree, device=self.device,
                                     epoch=self.epoch)  # fmt: skip

    def class_kinds(self, tau: np.ndarray | None = None) -> Kinds:
        """Each class's kind, unit or body: as ``class_kinds`` sets it, else inferred from where its
        training strokes lie in the stratigraphic coordinate ``tau`` (``engine.units.infer_kinds``)."""
        assert isinstance(self.backend, InMemory), "kinds are inferred in memory only"
        return self.backend.class_kinds(self.coordinate().full() if tau is None else tau, self.config)

    def networks_agree(self) -> np.ndarray:
        """Where the two networks' winners agree, from one inference pass of each (kept until the
        networks change again)."""
        return self.answers.agreement(self.predicting_nets, self.inputs, self.n_classes, self.config, self.device,
                                      self.trainer.steps)  # fmt: skip

    def net_answers(self, networks: bool) -> list[np.ndarray] | None:
        """Each network's own winner for the current weights: computed if ``networks`` (one inference
        pass each), else only when already known (mid-training, where the extra passes cost too much)."""
        if networks:
            self.networks_agree()
        return self.answers.current(self.trainer.steps)

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
        self.training_grown = self.grow_labels(None, final=self.done)
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
        self.backend.update_seeds(seeds, self.config, self.rng)
        self._note(self.decision.kept_note(self.config, self._seed_density()))
        if self.winner is not None:
            self.training_grown = self.grow_labels(None)
        else:
            self.training_grown = np.array(self.seeds)
        self.grown = self.training_grown

    def _report(self, epoch: int, stage: str, sup: float, cps: float, lam: float, t0: float) -> EpochReport:
        assert self.confidence is not None and self.winner is not None
        thresholds = self.growth_thresholds()
        counts = self.backend.figures(self.grown, self.winner, self.confidence, thresholds)
        where = f"; blocks on {self.backend.where}" if self.backend.where else ""
        return EpochReport(
            epoch=epoch, epochs=self.config.epochs, stage=stage, sup_loss=sup, cps_loss=cps, cps_weight=lam,
            seconds=time.perf_counter() - t0, grown=self.grown, grown_counts=counts.grown_counts,
            labelled_fraction=counts.labelled_fraction, mean_confidence=counts.mean_confidence,
            confident_fraction=counts.confident_fraction, holdout_accuracy=counts.holdout_accuracy,
            class_shares=counts.class_shares,
            device=f"{self.device_name}{where}", thresholds=tuple(thresholds), notes=tuple(self.drain_notes()),
        )  # fmt: skip

    @property
    def layering_note(self) -> str:
        """What the last completion decided about units and bodies, and why ("units top to bottom
        ..."): information for the status line, not a warning, and after a Grow as after training."""
        return self.backend.layering_note

    def drain_notes(self) -> list[str]:
        """What the run and its backend noted since the last report, in that order, once."""
        notes, self._notes = [*self._notes, *self.backend.notes], []
        self.backend.notes.clear()
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

    def keep_decision(self, share: float) -> None:
        """A saved run's decision on pseudo labels (made on seeds of density ``share``) holds; seeds
        that would decide otherwise now are noted, not obeyed."""
        self.decision = Decision(share)
        self._note(self.decision.kept_note(self.config, self._seed_density()))
