"""One call from volume and seeds to grown labels."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .checkpoint import versions
from .config import GrowConfig
from .factory import open_session
from .report import EpochReport


@dataclass
class RunResult:
    labels: np.ndarray
    config: GrowConfig
    device: str
    epochs: list[dict[str, Any]] = field(default_factory=list)
    versions: dict[str, str] = field(default_factory=versions)

    def to_dict(self) -> dict[str, Any]:
        return {
            "config": self.config.to_dict(),
            "device": self.device,
            "epochs": self.epochs,
            "versions": self.versions,
        }


def grow_volume(
    volume: Any,
    seeds: Any,
    config: GrowConfig | None = None,
    *,
    on_epoch: Callable[[EpochReport], None] | None = None,
    checkpoint_dir: str | None = None,
    **overrides: Any,
) -> RunResult:
    """Train on ``seeds`` and return the grown labels with every epoch's figures."""
    cfg = (config or GrowConfig()).with_overrides(**overrides) if overrides else (config or GrowConfig())
    session = open_session(volume, seeds, cfg)
    for report in session.run():
        if checkpoint_dir is not None:
            session.save_checkpoint(checkpoint_dir)
        if on_epoch is not None:
            on_epoch(report)
    return RunResult(labels=session.grown, config=session.config, device=session.device_name, epochs=session.history)
