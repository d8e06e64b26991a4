"""What every epoch tells its listeners (the CLI's progress bar, the widget, a JSON report)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass
class EpochReport:
    epoch: int  # 0-based
    epochs: int
    stage: str  # warmup | cps | grow
    sup_loss: float
    cps_loss: float
    cps_weight: float
    seconds: float
    grown: np.ndarray = field(repr=False)  # uint8, 0 = unassigned; contains the seeds
    grown_counts: dict[int, int] = field(default_factory=dict)  # per class, voxels added to the seeds
    labelled_fraction: float = 0.0  # of the whole volume, seeds included
    mean_confidence: float = 0.0
    confident_fraction: float = 0.0  # voxels whose winning probability passes its class threshold
    holdout_accuracy: float | None = None
    device: str = "cpu"
    notes: tuple[str, ...] = ()  # what the engine changed on its own this epoch (e.g. after running out of memory)
    # what this epoch's completion decided about units and bodies, and why (the status says it; no warning)
    layering: str = ""
    timings: dict[str, float] = field(default_factory=dict)  # seconds per phase: train, predict, grow, complete, report
    thresholds: tuple[float, ...] = ()  # the growth threshold per class this epoch (dense seeds: dense_threshold)
    class_shares: dict[int, float] = field(default_factory=dict)  # per class, its share of the volume, seeds included

    def summary(self) -> dict[str, Any]:
        """JSON-friendly figures (the grown volume itself is left out)."""
        return {
            "epoch": self.epoch + 1,
            "epochs": self.epochs,
            "stage": self.stage,
            "sup_loss": round(self.sup_loss, 6),
            "cps_loss": round(self.cps_loss, 6),
            "cps_weight": round(self.cps_weight, 4),
            "seconds": round(self.seconds, 3),
            "grown_counts": {str(k): int(v) for k, v in self.grown_counts.items()},
            "labelled_fraction": round(self.labelled_fraction, 6),
            "mean_confidence": round(self.mean_confidence, 4),
            "confident_fraction": round(self.confident_fraction, 4),
            "holdout_accuracy": None if self.holdout_accuracy is None else round(self.holdout_accuracy, 4),
            "device": self.device,
            "notes": list(self.notes),
            "layering": self.layering,
            "timings": {k: round(v, 3) for k, v in self.timings.items()},
            "thresholds": list(self.thresholds),
            "class_shares": {str(k): round(v, 6) for k, v in self.class_shares.items()},
        }

    def line(self) -> str:
        acc = "" if self.holdout_accuracy is None else f"  held-out acc {self.holdout_accuracy:.3f}"
        return (
            f"epoch {self.epoch + 1}/{self.epochs} [{self.stage}] loss {self.sup_loss:.4f}"
            f" cps {self.cps_loss:.4f}  labelled {100 * self.labelled_fraction:.1f}%"
            f"  conf {self.mean_confidence:.2f}{acc}  {self.seconds:.1f}s"
            + "".join(f"\n  note: {n}" for n in self.notes)
            + (f"\n  {self.layering}" if self.layering else "")
        )


@dataclass(frozen=True)
class Preview:
    """The networks' labels on one section in the middle of an epoch, before any growth: what the
    viewer shows on the displayed section until the epoch's grown labels replace it."""

    axis: int  # 0 inline, 1 crossline
    index: int
    labels: np.ndarray = field(repr=False)  # uint8 (2-D), the winning class 1..K
    epoch: int = 0  # 0-based
    step: int = 0  # optimiser steps taken in this epoch


@dataclass(frozen=True)
class Swept:
    """How far a whole-volume pass has come: one batch of sections just predicted, and the
    networks' winner on them. What a viewer shows, filling in behind the displayed section, until
    the epoch's grown labels replace them (``predict.sweep_volume``).

    In the pass's last orientation a section's sums are complete once it is predicted, so its
    labels are ``final``: what the finished pass gives there. Before it they are that
    orientation's alone, what a preview shows."""

    axis: int  # the axis of the sections just predicted (0 inline, 1 crossline)
    indices: tuple[int, ...]
    done: float  # share of the pass done, 0..1
    current: float  # share of the volume whose networks' labels are final for this epoch
    labels: np.ndarray = field(repr=False)  # uint8 (n, A, B), the winning class there
    final: bool = False
    epoch: int = -1  # 0-based, set by the session (the pass itself knows no epochs)


@dataclass(frozen=True)
class EpochCounts:
    """What a backend counts over the whole volume for an epoch's report."""

    grown_counts: dict[int, int]  # per class, voxels added to the seeds
    labelled_fraction: float
    mean_confidence: float
    confident_fraction: float
    holdout_accuracy: float | None = None
    class_shares: dict[int, float] = field(default_factory=dict)  # per class, its share of the volume


class PhaseClock:
    """Seconds spent in each phase of an epoch, for the reports (where an epoch's time goes)."""

    def __init__(self, t0: float) -> None:
        self.last = t0
        self.phases: dict[str, float] = {}

    def mark(self, phase: str) -> None:
        now = time.perf_counter()
        self.phases[phase] = now - self.last
        self.last = now
