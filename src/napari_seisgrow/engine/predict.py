"""Whole-volume inference: both networks, every configured orientation, averaged.

Only the winning class (uint8) and its probability (float16) are kept per voxel: growth needs
no more (a voxel is a candidate only for its argmax class), and the last pair is what lets
"Grow" rerun with new thresholds without touching the networks.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import torch
from torch import nn

from .sampling import AXIS


@torch.no_grad()
def predict_volume(
    nets: Sequence[nn.Module],
    volume: np.ndarray,
    n_classes: int,
    orientations: Sequence[str],
    device: torch.device,
    *,
    batch: int = 8,
    amp: bool = False,
    should_stop: Callable[[], bool] | None = None,
) -> tuple[np.ndarray, np.ndarray] | None:
    """Return (winning class 1..K as uint8, its mean probability as float16), or None if stopped."""
    for net in nets:
        net.eval()
    ors = [o for o in orientations if min(s for k, s in enumerate(volume.shape) if k != AXIS[o]) >= 2] or ["inline"]
    acc = np.zeros((n_classes, *volume.shape), dtype=np.float32)
    for o in ors:
        axis = AXIS[o]
        n = volume.shape[axis]
        for start in range(0, n, batch):
            if should_stop is not None and should_stop():
                return None
            idx = list(range(start, min(n, start + batch)))
            sections = np.stack([np.take(volume, i, axis=axis) for i in idx]).astype(np.float32)
            x = torch.from_numpy(sections[:, None]).to(device)
            with torch.autocast(device_type=device.type, dtype=torch.bfloat16, enabled=amp and device.type == "cuda"):
                p = sum(torch.softmax(net(x).float(), dim=1) for net in nets) / len(nets)
            p = p.cpu().numpy()  # (b, K, A, B)
            for k, i in enumerate(idx):
                target = [slice(None)] * 4
                target[1 + axis] = i
                acc[tuple(target)] += p[k]
    acc /= len(ors)
    winner = acc.argmax(axis=0).astype(np.uint8) + 1
    conf = acc.max(axis=0).astype(np.float16)
    return winner, conf
