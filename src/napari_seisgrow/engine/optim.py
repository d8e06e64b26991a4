"""Adam, written out so that training never imports ``torch._dynamo``.

Every ``torch.optim`` optimiser imports ``torch._dynamo`` (about 800 modules, sympy among them)
the first time it is built. That takes 1.4 s on a laptop CPU and holds the GIL in chunks of over
100 ms, which freezes napari's GUI thread while the training worker starts. The update below is
the same as ``torch.optim.Adam`` with L2 weight decay (tests compare the two step by step), and
its state dict has the same layout so checkpoints stay plain tensors.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import torch

LR_FLOOR = 0.05  # the cosine ends at this share of the peak: the last epochs still learn a little


def learning_rate(lr: float, schedule: str, epoch: int, step: int, steps: int, epochs: int,
                  cycle_start: int = 0, peak: float = 1.0) -> float:  # fmt: skip
    """The learning rate at ``step`` of ``epoch``. A cosine runs one cycle over the epochs from
    ``cycle_start`` to ``epochs``, from ``peak`` times ``lr`` down to ``LR_FLOOR`` times it.

    A continued run (new strokes, more epochs) starts a cycle of its own at ``cycle_start``, so its
    rate depends only on its own epochs; stretching the first cycle instead made the rate jump from
    the floor back up to about half the peak, by an amount that depended on how many epochs each
    part had."""
    if schedule != "cosine":
        return lr
    progress = (epoch - cycle_start + step / max(1, steps)) / max(1, epochs - cycle_start)
    top = max(peak, LR_FLOOR)
    return lr * (LR_FLOOR + (top - LR_FLOOR) * 0.5 * (1 + math.cos(math.pi * min(1.0, max(0.0, progress)))))


class Adam:
    """Adam (Kingma & Ba) with coupled L2 weight decay, using multi-tensor ``_foreach`` kernels."""

    def __init__(
        self,
        params: Iterable[torch.nn.Parameter],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
    ) -> None:
        plist = list(params)
        if not plist:
            raise ValueError("Adam got no parameters")
        hyper = {"lr": float(lr), "betas": tuple(betas), "eps": float(eps), "weight_decay": float(weight_decay)}
        self.param_groups: list[dict[str, Any]] = [{"params": plist, **hyper}]
        self.step_count = 0
        self.exp_avg = [torch.zeros_like(p, memory_format=torch.preserve_format) for p in plist]
        self.exp_avg_sq = [torch.zeros_like(p, memory_format=torch.preserve_format) for p in plist]

    @property
    def params(self) -> list[torch.nn.Parameter]:
        return self.param_groups[0]["params"]

    def zero_grad(self, set_to_none: bool = True) -> None:
        for p in self.params:
            if set_to_none:
                p.grad = None
            elif p.grad is not None:
                p.grad.zero_()

    @torch.no_grad()
    def step(self) -> None:
        group = self.param_groups[0]
        lr, (beta1, beta2), eps, wd = group["lr"], group["betas"], group["eps"], group["weight_decay"]
        live = [i for i, p in enumerate(self.params) if p.grad is not None]
        if not live:
            return
        self.step_count += 1
        params = [self.params[i] for i in live]
        grads = [self.params[i].grad for i in live]
        m = [self.exp_avg[i] for i in live]
        v = [self.exp_avg_sq[i] for i in live]
        if wd:
            grads = torch._foreach_add(grads, params, alpha=wd)
        torch._foreach_lerp_(m, grads, 1 - beta1)
        torch._foreach_mul_(v, beta2)
        torch._foreach_addcmul_(v, grads, grads, value=1 - beta2)
        bias1 = 1 - beta1**self.step_count
        bias2 = 1 - beta2**self.step_count
        denom = torch._foreach_sqrt(v)
        torch._foreach_div_(denom, math.sqrt(bias2))
        torch._foreach_add_(denom, eps)
        torch._foreach_addcdiv_(params, m, denom, value=-lr / bias1)

    def state_dict(self) -> dict[str, Any]:
        g = self.param_groups[0]
        return {
            "step": self.step_count,
            "exp_avg": [t.clone() for t in self.exp_avg],
            "exp_avg_sq": [t.clone() for t in self.exp_avg_sq],
            "hyper": {k: v for k, v in g.items() if k != "params"},
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        if len(state["exp_avg"]) != len(self.params):
            raise ValueError("optimizer state does not match the networks")
        self.step_count = int(state["step"])
        for dst, src in zip(self.exp_avg + self.exp_avg_sq, state["exp_avg"] + state["exp_avg_sq"], strict=True):
            dst.copy_(src)
        self.param_groups[0].update(state["hyper"])
        self.param_groups[0]["betas"] = tuple(self.param_groups[0]["betas"])
