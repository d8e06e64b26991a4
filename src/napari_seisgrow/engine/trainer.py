"""The two networks, their slowly averaged copies, the optimiser and the patch sampler.

What one optimiser step needs, kept together so the session's loop reads as the method does
(stage, labels, steps, prediction, growth) and the step itself, with its mixed precision,
its averaging and its move to another device, is one object with explicit arguments.
"""

from __future__ import annotations

import copy

import numpy as np
import torch

from .channels import Channels
from .config import GrowConfig
from .losses import class_weights
from .optim import Adam
from .out_of_memory import move_training
from .pretrain import build_network, load_pretrained, views_for
from .sampling import PatchSampler
from .step import train_step, update_ema
from .unet import UNet


class Trainer:
    """Two networks of different views learning together, one batch at a time."""

    def __init__(
        self,
        config: GrowConfig,
        n_classes: int,
        inputs: Channels,
        device: torch.device,
        rng: np.random.Generator,
        pretrained: list[dict[str, torch.Tensor]] | None = None,
    ) -> None:
        self.device = device
        self.n_classes = n_classes
        self.nets = [build_network(config, n_classes, view, config.seed * 2 + k).to(device)
                     for k, view in zip((1, 2), views_for(config), strict=True)]  # fmt: skip
        self.pretrained_weights = pretrained  # kept with checkpoints: a new run on this volume can start from them
        self.pretrained = pretrained is not None
        self.pretrain_info = ""
        if pretrained is not None:
            load_pretrained(self.nets, pretrained)
        self.ema_nets = [copy.deepcopy(net).eval() for net in self.nets] if config.ema > 0 else None
        params = [p for net in self.nets for p in net.parameters()]
        self.optimizer = Adam(params, lr=config.lr, weight_decay=config.weight_decay)
        self.sampler = PatchSampler(inputs, config, rng)
        self.amp = config.amp and device.type == "cuda"
        self.steps = 0  # optimiser steps taken: what a cached answer of the networks depends on

    @property
    def predicting_nets(self) -> list[UNet]:
        """The networks whose predictions become labels: the slowly averaged copies when ``ema`` is on."""
        return self.ema_nets if self.ema_nets is not None else self.nets

    def use_pretrained(self, weights: list[dict[str, torch.Tensor]], info: str) -> None:
        """Start from pretrained weights (every layer but the heads)."""
        load_pretrained(self.nets, weights)
        self.pretrained_weights, self.pretrained, self.pretrain_info = weights, True, info
        if self.ema_nets is not None:
            self.ema_nets = [copy.deepcopy(net).eval() for net in self.nets]

    def set_lr(self, lr: float) -> None:
        for group in self.optimizer.param_groups:
            group["lr"] = lr

    def step(self, config: GrowConfig, alpha: torch.Tensor | None, lam: float) -> tuple[float, float]:
        """One optimiser step of both networks: the supervised term on a labelled batch and, with
        ``lam`` > 0, the CPS term on an unlabelled one. Returns the two losses."""
        labelled = self.sampler.labelled_batch(config.batch_labelled)
        unlabelled = self.sampler.unlabelled_batch(config.batch_unlabelled) if lam > 0 else None
        if config.class_balance == "batch":
            counts = np.bincount(labelled.y.ravel(), minlength=self.n_classes + 1)[1:]
            alpha = torch.from_numpy(class_weights(counts, config.max_class_weight))
        losses = train_step(self.nets, self.optimizer, labelled, unlabelled, config, alpha, lam, self.device, self.amp)
        self.steps += 1
        if self.ema_nets is not None:
            update_ema(self.nets, self.ema_nets, config.ema)
        return losses

    def move_to(self, device: torch.device, config: GrowConfig) -> None:
        self.device = device
        self.amp = config.amp and device.type == "cuda"
        move_training([*self.nets, *(self.ema_nets or [])], self.optimizer, device)
