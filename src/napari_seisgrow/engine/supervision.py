"""Whether the seeds are sparse strokes (learn from the unlabelled volume too) or dense sections.

Cross pseudo supervision and the label-update stage add what a few strokes cannot: evidence from
the unlabelled volume. When the painted sections are labelled almost everywhere, that evidence is
already there, and the networks' own grown labels mostly add their mistakes: measured with two
fully labelled inlines, the networks trained on their grown labels lost a thin unit's class that
the seeds alone taught them (docs/benchmarks.md, "Dense labels").
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .config import GrowConfig

DENSE_SHARE = 0.5  # a section labelled on at least this share of its pixels is densely labelled


def painted_share(flat: np.ndarray, shape: tuple[int, int, int]) -> float:
    """The share of the painted voxels that lie in densely labelled sections (``DENSE_SHARE``),
    along whichever axis (inlines or crosslines) gives more: 1.0 for fully labelled inlines, also
    with a stroke painted across them; 0 for strokes. ``flat`` holds the flat positions of the
    painted voxels.

    By the voxels, not by the sections: one stroke across many inlines makes each of them a
    painted section, and averaging over those would call two labelled inlines sparse. Only planes
    of more than one trace are sections: on a 2-D line the crossline planes are single traces,
    which one stroke down a trace fills."""
    ni, nx, nt = shape
    flat = np.asarray(flat, dtype=np.int64)
    if flat.size == 0 or nt < 2:
        return 0.0
    best = 0.0
    for index, plane, traces in ((flat // (nx * nt), nx * nt, nx), ((flat // nt) % nx, ni * nt, ni)):
        if traces < 2:
            continue
        counts = np.bincount(index)
        dense = counts >= DENSE_SHARE * plane
        best = max(best, float(counts[dense].sum()) / flat.size)
    return best


def use_semi_supervision(setting: str, share: float) -> bool:
    """``semi_supervised`` resolved: ``auto`` is on for strokes and off for dense sections (most
    painted voxels in densely labelled sections)."""
    if setting == "auto":
        return share < 0.5
    return setting == "on"


@dataclass(frozen=True)
class Decision:
    """A run's decision on pseudo labels, made once from the seed density when it starts (a
    switch mid-run to pseudo labels would start CPS at full weight, with no ramp)."""

    share: float  # ``painted_share`` of the seeds the run started from

    def semi_supervised(self, config: GrowConfig) -> bool:
        """The setting as it is now (it can change between runs), applied to the seeds' density."""
        return use_semi_supervision(config.semi_supervised, self.share)

    def thresholds(self, config: GrowConfig, n_classes: int) -> list[float]:
        """t_c per class (1..K): ``grow_thresholds`` for strokes, ``dense_threshold`` for a run that
        trains on dense seeds alone (with two labelled inlines, growth at 0.4 scored 0.926 and 0.903
        on the development volumes against 0.897 and 0.887 at 0.6, and 0.910 and 0.902 for the argmax)."""
        if not self.semi_supervised(config):
            return [config.dense_threshold] * n_classes
        return [config.threshold(c) for c in range(1, n_classes + 1)]

    def start_note(self, config: GrowConfig) -> str:
        """Why ``auto`` trains on the seeds alone, said when a run starts ('' otherwise)."""
        if config.semi_supervised != "auto" or self.semi_supervised(config):
            return ""
        return (
            f"{self.share:.0%} of the seeds lie in densely labelled sections: training on the seeds alone (no "
            f"pseudo labels), growing at {config.dense_threshold:g}; set semi_supervised to on to change this"
        )

    def kept_note(self, config: GrowConfig, share: float) -> str:
        """New seeds of density ``share`` that would decide otherwise: noted, not obeyed ('' if they agree)."""
        semi = self.semi_supervised(config)
        if use_semi_supervision(config.semi_supervised, share) == semi:
            return ""
        keeps = "with pseudo labels" if semi else "on the seeds alone"
        return f"the seeds now lie {share:.0%} in densely labelled sections; this run keeps training {keeps} " \
               "(Train anew to change)"  # fmt: skip
