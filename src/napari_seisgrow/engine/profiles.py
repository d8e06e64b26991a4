"""Named settings: the default, the research code's choices, and a supervised baseline."""

from __future__ import annotations

from ..io.errors import SeisgrowError
from .config import GrowConfig


def profile(name: str) -> GrowConfig:
    """Named settings: ``default``, ``research`` (the research code's choices) and ``supervised``."""
    if name == "default":
        return GrowConfig()
    if name == "research":
        # Adam 1e-4, focal gamma 3, no class weighting and no confidence filtering (their defects),
        # CPS weight 1 from epoch 50, growth thresholds 0.8/0.6, a box of 30 (radius 15), accumulate.
        return GrowConfig(
            epochs=100,
            warmup_epochs=50,
            cps_epochs=50,
            lr=1e-4,
            lr_schedule="constant",
            focal_gamma=3.0,
            class_balance="none",
            cps_weight=1.0,
            confidence_threshold=0.0,
            grow_thresholds=[0.8, 0.6],
            grow_radius=15,
            accumulate=True,
            grown_weight=1.0,
            seed_patch_fraction=0.0,
            fill_final=False,
        )
    if name == "supervised":
        # Labelled pixels only: no CPS term, no label updates (a baseline, not a recommendation).
        return GrowConfig(cps_weight=0.0, warmup_epochs=10_000, cps_epochs=0, fill_final=False)
    raise SeisgrowError(f"unknown profile {name!r}; use default, research or supervised")
