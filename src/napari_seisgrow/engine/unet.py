"""A plain 2-D U-Net for seismic sections: small enough to train interactively on a CPU."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


def _norm(kind: str, channels: int) -> nn.Module:
    if kind == "group":
        return nn.GroupNorm(min(8, channels), channels)
    return nn.BatchNorm2d(channels)


class _Block(nn.Sequential):
    def __init__(self, cin: int, cout: int, norm: str) -> None:
        super().__init__(
            nn.Conv2d(cin, cout, 3, padding=1, bias=False),
            _norm(norm, cout),
            nn.ReLU(inplace=True),
            nn.Conv2d(cout, cout, 3, padding=1, bias=False),
            _norm(norm, cout),
            nn.ReLU(inplace=True),
        )


class UNet(nn.Module):
    """Input (N, C, A, B) (amplitude, and the stratigraphic inputs when asked), output (N, K, A, B) logits.

    Any section size is accepted: the input is reflect-padded to a multiple of 2**(depth-1) and
    the output cropped back, so whole sections of odd sizes go through at inference.
    """

    def __init__(
        self, n_classes: int, depth: int = 4, width: int = 16, norm: str = "batch", in_channels: int = 1
    ) -> None:
        super().__init__()
        self.depth = depth
        chans = [width * 2**k for k in range(depth)]
        self.down = nn.ModuleList()
        cin = in_channels
        for c in chans:
            self.down.append(_Block(cin, c, norm))
            cin = c
        self.up = nn.ModuleList()
        self.reduce = nn.ModuleList()
        for c in reversed(chans[:-1]):
            self.reduce.append(nn.Conv2d(cin, c, 1))
            self.up.append(_Block(2 * c, c, norm))
            cin = c
        self.head = nn.Conv2d(cin, n_classes, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        a, b = x.shape[-2:]
        m = 2 ** (self.depth - 1)
        pa, pb = (-a) % m, (-b) % m
        if pa or pb:
            mode = "reflect" if pa < a and pb < b else "replicate"
            x = F.pad(x, (0, pb, 0, pa), mode=mode)
        skips = []
        for k, block in enumerate(self.down):
            if k:
                x = F.max_pool2d(x, 2)
            x = block(x)
            skips.append(x)
        skips.pop()
        for reduce, block in zip(self.reduce, self.up, strict=True):
            x = F.interpolate(reduce(x), scale_factor=2, mode="bilinear", align_corners=False)
            x = block(torch.cat([x, skips.pop()], dim=1))
        return self.head(x)[..., :a, :b]


class InputView(nn.Module):
    """A network that reads only some of the input channels (co-training: two networks, two views)."""

    def __init__(self, net: nn.Module, channels: tuple[int, ...]) -> None:
        super().__init__()
        self.net = net
        self.channels = tuple(int(c) for c in channels)
        self.depth = getattr(net, "depth", 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x[:, list(self.channels)])
