"""What each epoch and step of a run does: its stage and the weight of the CPS term.

Pure functions of the settings and the run's decision on pseudo labels, so the loop, the tests
and the benchmarks read one rule.
"""

from __future__ import annotations

from .config import GrowConfig


def stage_of(config: GrowConfig, semi_supervised: bool, epoch: int) -> str:
    """``warmup``, ``cps`` or ``grow``; a run on dense seeds alone stays in warm-up throughout."""
    return config.stage(epoch) if semi_supervised else "warmup"


def cps_weight_at(config: GrowConfig, semi_supervised: bool, epoch: int, step: int) -> float:
    """The CPS term's weight: 0 before ``cps_start``, then a linear ramp over ``cps_epochs`` to
    ``cps_weight`` (reached at the latest when the label-update stage begins)."""
    if not semi_supervised or config.cps_weight == 0 or epoch < config.cps_start:
        return 0.0
    if config.cps_epochs == 0 or epoch >= config.grow_start:
        return config.cps_weight
    progress = (epoch - config.cps_start + (step + 1) / config.steps_per_epoch) / config.cps_epochs
    return config.cps_weight * min(1.0, progress)
