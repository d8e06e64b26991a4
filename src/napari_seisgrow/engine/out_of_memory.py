"""What a run does when the GPU (or the machine) runs out of memory: halve the batch, then move.

A run that fails on its first large batch should not end; it retries with half the batch until
a batch of one, then moves to the CPU, and only on the CPU gives up, with one line saying what
to change. Each change goes to the next report.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch

from ..io.errors import SeisgrowError
from .config import GrowConfig
from .device import sections_per_batch
from .optim import Adam


def smaller_batches(config: GrowConfig, fields: Sequence[str], device: torch.device,
                    what: str) -> tuple[GrowConfig, str] | None:  # fmt: skip
    """``config`` with each batch field halved and the note that says so; None when all are 1
    already (then a GPU run moves to the CPU, and a CPU run raises a one-line error)."""
    sizes = {f: getattr(config, f) for f in fields}
    if sizes.get("inference_batch") == 0:  # auto: halve what it meant on this device
        sizes["inference_batch"] = sections_per_batch(0, device)
    if max(sizes.values()) > 1:
        smaller = {f: max(1, n // 2) for f, n in sizes.items()}
        shown = ", ".join(f"{f.replace('_', ' ')} {n}" for f, n in smaller.items())
        return config.with_overrides(**smaller), f"out of {device.type.upper()} memory in {what}: retrying with {shown}"
    if device.type == "cpu":
        raise SeisgrowError(f"out of memory in {what} even with a batch of 1; use a smaller patch size or volume")
    return None


def move_training(nets: Sequence[torch.nn.Module], optimizer: Adam, device: torch.device) -> None:
    """The networks and the optimiser's moments moved to ``device``."""
    for net in nets:
        net.to(device)
    optimizer.exp_avg = [t.to(device) for t in optimizer.exp_avg]
    optimizer.exp_avg_sq = [t.to(device) for t in optimizer.exp_avg_sq]
