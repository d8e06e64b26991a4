"""Confidence-aware focal loss: the supervised term and the cross pseudo supervision term.

Labels follow napari: 0 = unlabelled (ignored), 1..K = classes; logits have K channels.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F


def focal_loss(
    logits: torch.Tensor,
    target: torch.Tensor,
    *,
    gamma: float = 2.0,
    alpha: torch.Tensor | None = None,
    weight: torch.Tensor | None = None,
) -> torch.Tensor:
    """Mean over labelled pixels of  w * alpha_y * (1 - p_t)^gamma * -log p_t.

    ``target`` is (N, A, B) with 0 = ignore; ``alpha`` (K,) class weights; ``weight`` (N, A, B)
    per-pixel weights (grown labels below 1, CPS confidences). The mean is over the labelled
    pixels, so a down-weighted pixel lowers the loss rather than being renormalised away.
    """
    valid = target > 0
    n = valid.sum()
    if n == 0:
        return logits.sum() * 0.0
    logp = F.log_softmax(logits.float(), dim=1)
    idx = (target.long() - 1).clamp(min=0).unsqueeze(1)
    logp_t = logp.gather(1, idx).squeeze(1)
    p_t = logp_t.exp()
    loss = -((1.0 - p_t).clamp(min=0.0) ** gamma) * logp_t
    if alpha is not None:
        loss = loss * alpha.to(loss.device, loss.dtype)[idx.squeeze(1)]
    if weight is not None:
        loss = loss * weight
    return (loss * valid).sum() / n


def cps_loss(
    logits: torch.Tensor,
    other_probs: torch.Tensor,
    mask: torch.Tensor,
    *,
    gamma: float = 2.0,
    alpha: torch.Tensor | None = None,
    threshold: float = 0.0,
) -> torch.Tensor:
    """The other network's argmax as target, weighted by its confidence, dropped below ``threshold``.

    ``other_probs`` (N, K, A, B) carries no gradient; ``mask`` (N, A, B) selects the unlabelled
    pixels the term applies to. The sum is divided by the number of *all* pixels of the batch,
    so every pixel weighs the same whatever the share of labelled pixels: when grown labels
    cover a patch but its class boundaries, those few hard pixels must not carry the whole term.
    """
    other_probs = other_probs.detach()
    conf, arg = other_probs.max(dim=1)
    keep = mask & (conf >= threshold)
    if not keep.any():
        return logits.sum() * 0.0
    target = torch.where(keep, arg + 1, torch.zeros_like(arg))
    per_pixel = focal_loss(logits, target, gamma=gamma, alpha=alpha, weight=conf)
    # focal_loss averaged over kept pixels; rescale to an average over every pixel of the batch.
    return per_pixel * keep.sum() / mask.numel()


def class_weights(counts: np.ndarray, max_ratio: float = 10.0) -> np.ndarray:
    """alpha_c proportional to 1 / frequency, mean 1 over present classes, ratio capped."""
    counts = np.asarray(counts, dtype=np.float64)
    present = counts > 0
    w = np.zeros_like(counts)
    if not present.any():
        return np.ones_like(counts, dtype=np.float32)
    w[present] = 1.0 / counts[present]
    w[present] = np.clip(w[present], None, w[present].min() * max_ratio)
    w[present] /= w[present].mean()
    w[~present] = 1.0
    return w.astype(np.float32)
