"""One optimiser step of the two networks: the supervised focal loss and the cross pseudo supervision term.

Each network learns the labelled pixels (seeds, and grown labels in the label-update stage) with
a focal loss, and the other network's confident argmax on the pixels without labels (those of the
labelled batch and every pixel of the unlabelled batch) with the CPS term, weighted by ``lam``.
"""

from __future__ import annotations

from typing import Any

import torch

from .config import GrowConfig
from .losses import cps_loss, focal_loss


def train_step(
    nets: list[torch.nn.Module],
    optimizer: Any,
    labelled: Any,
    unlabelled: Any | None,
    cfg: GrowConfig,
    alpha: torch.Tensor | None,
    lam: float,
    device: torch.device,
    amp: bool = False,
) -> tuple[float, float]:
    """One step on a labelled batch (``x``, ``y``, ``w``: patches, labels with 0 = none, weights)
    and, when ``lam`` > 0, an unlabelled batch; returns the supervised and CPS losses per network."""
    x = torch.from_numpy(labelled.x).to(device)
    y = torch.from_numpy(labelled.y).to(device)
    w = torch.from_numpy(labelled.w).to(device)
    with torch.autocast(device_type=device.type, dtype=torch.bfloat16, enabled=amp):
        logits_l = [net(x) for net in nets]
        logits_u = [net(torch.from_numpy(unlabelled.x).to(device)) for net in nets] if unlabelled is not None else None
    sup = sum(focal_loss(lg, y, gamma=cfg.focal_gamma, alpha=alpha, weight=w) for lg in logits_l)
    cps = torch.zeros((), device=device)
    if lam > 0:
        probs_l = [torch.softmax(lg.float(), 1).detach() for lg in logits_l]
        terms = [(logits_l, probs_l, y == 0)]
        if logits_u is not None:
            probs_u = [torch.softmax(lg.float(), 1).detach() for lg in logits_u]
            every = torch.ones(logits_u[0].shape[0], *logits_u[0].shape[2:], dtype=torch.bool, device=device)
            terms.append((logits_u, probs_u, every))
        for lgs, prs, mask in terms:
            for k in (0, 1):
                cps = cps + cps_loss(
                    lgs[k], prs[1 - k], mask,
                    gamma=cfg.focal_gamma, alpha=alpha if cfg.cps_class_weights else None,
                    threshold=cfg.confidence_threshold,
                )  # fmt: skip
    loss = sup + lam * cps
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    optimizer.step()
    return float(sup.detach()) / 2, float(cps.detach()) / 2


@torch.no_grad()
def update_ema(nets: list[torch.nn.Module], ema_nets: list[torch.nn.Module], decay: float) -> None:
    """Move each averaged copy towards its live network; normalisation statistics follow the live one."""
    for net, ema in zip(nets, ema_nets, strict=True):
        for p, e in zip(net.parameters(), ema.parameters(), strict=True):
            e.mul_(decay).add_(p.detach(), alpha=1 - decay)
        for b, e in zip(net.buffers(), ema.buffers(), strict=True):
            e.copy_(b)
