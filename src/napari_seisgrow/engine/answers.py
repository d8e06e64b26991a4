"""What the networks answer beside the run's labels: each network's own winner, one section's
preview, kept as long as the weights they came from.

Completion, doubt and suggestions ask where the two networks agree; an answer costs a
whole-volume sweep, so it is computed once per state of the weights (the count of optimiser steps
taken) and reused until the networks change again. The last epoch's sweep gives it with the labels
(``predict.predict_with_own``), so a finished run already has it.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch

from .channels import Channels
from .config import GrowConfig
from .predict import predict_with_own, section_index, section_probabilities, usable_orientations
from .sampling import AXIS


class NetworkAnswers:
    """Each network's own winner for one state of the weights (``steps``)."""

    def __init__(self) -> None:
        self.winners: list[np.ndarray] = []
        self.agree: np.ndarray | None = None
        self.steps = -1  # the optimiser step count the answers belong to

    def agreement(self, nets: Sequence[torch.nn.Module], inputs: Channels, n_classes: int, config: GrowConfig,
                  device: torch.device, steps: int) -> np.ndarray:  # fmt: skip
        """Where the networks' winners agree (all True with one network)."""
        if self.agree is not None and self.steps == steps:
            return self.agree
        pred = predict_with_own(nets, inputs, n_classes, config.orientations, device,
                                batch=config.inference_batch, amp=config.amp)  # fmt: skip
        assert pred is not None
        return self.keep(pred[2], steps, inputs.shape)

    def keep(self, winners: list[np.ndarray], steps: int, shape: tuple[int, ...]) -> np.ndarray:
        """Keep winners computed elsewhere (the last epoch's sweep, ``predict.predict_with_own``) for
        the weights at ``steps``; returns where they agree."""
        self.agree = np.all([w == winners[0] for w in winners[1:]], axis=0) if len(winners) > 1 else None
        if self.agree is None:
            self.agree = np.ones(shape, bool)
        self.steps, self.winners = steps, winners
        return self.agree

    def current(self, steps: int) -> list[np.ndarray] | None:
        """The winners if they belong to the weights as they are now, else None."""
        return self.winners if self.winners and self.steps == steps else None


def preview_section(nets: Sequence[torch.nn.Module], inputs: Channels, config: GrowConfig, device: torch.device,
                    axis: int, index: int) -> np.ndarray | None:  # fmt: skip
    """The networks' winning class on one inline (axis 0) or crossline (axis 1), uint8, from the
    current weights: one section through each network, no growth. None where the networks do not
    read sections of that orientation (e.g. a time slice) or the index is outside."""
    shape = inputs.shape
    ors = usable_orientations(config.orientations, shape)
    if axis not in (AXIS[o] for o in ors) or not 0 <= index < shape[axis]:
        return None
    modes = [net.training for net in nets]
    for net in nets:
        net.eval()
    try:
        section = inputs[section_index(axis, index)][None]
        p = section_probabilities(nets, section, device, config.amp)[0]
    finally:
        for net, mode in zip(nets, modes, strict=True):
            net.train(mode)
    return (p.argmax(axis=0) + 1).astype(np.uint8)
