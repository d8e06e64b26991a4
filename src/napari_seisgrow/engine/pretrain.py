"""Self-supervised pretraining: the networks learn the volume before the first stroke.

The task is masked-trace reconstruction: patches of the volume lose a third or more of their
traces (in runs of a few, like dead or missing traces) and each network fills them in from the
rest. To do it a network has to learn how reflectors continue sideways and what each texture
looks like, which is what segmentation needs later. Everything but the output head carries over
into the segmentation networks (``Session(..., pretrained=...)``); the heads start fresh.

It needs no seeds, so the widget runs it in the background while the interpreter paints.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import torch

from .channels import Channels
from .config import GrowConfig
from .optim import Adam
from .sampling import PatchSampler
from .unet import InputView, UNet

HEAD = "head."


@dataclass
class PretrainReport:
    step: int
    steps: int
    loss: float
    seconds: float


def views_for(config: GrowConfig) -> list[tuple[int, ...] | None]:
    """The input channels each network reads (see ``GrowConfig.views``)."""
    if config.views == "split" and "amplitude" in config.inputs and len(config.inputs) > 1:
        return [(config.inputs.index("amplitude"),), None]
    return [None, None]


def build_network(config: GrowConfig, n_out: int, view: tuple[int, ...] | None, seed: int) -> torch.nn.Module:
    torch.manual_seed(seed)
    channels = len(view) if view is not None else len(config.inputs)
    net = UNet(n_out, depth=config.depth, width=config.width, norm=config.norm, in_channels=channels)
    return InputView(net, view) if view is not None else net


def mask_traces(x: np.ndarray, rng: np.random.Generator, amplitude: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Blank runs of traces (the lateral axis of (N, C, A, B) sections) in the amplitude channel.

    Returns the masked inputs and the (N, A, B) mask of what was blanked (about 40 % of traces).
    """
    n, _, a, b = x.shape
    mask = np.zeros((n, a), bool)
    for k in range(n):
        while mask[k].mean() < 0.4:
            start = int(rng.integers(0, a))
            mask[k, start : start + int(rng.integers(1, 9))] = True
    full = np.broadcast_to(mask[:, :, None], (n, a, b))
    out = x.copy()
    out[:, amplitude][full] = 0.0
    return out, np.ascontiguousarray(full)


def pretrain(
    inputs: Channels,
    config: GrowConfig,
    steps: int,
    *,
    device: torch.device | str = "cpu",
    should_stop: Callable[[], bool] = lambda: False,
) -> Iterator[PretrainReport | list[dict[str, torch.Tensor]]]:
    """Yield a report every few steps, then (last) the two networks' state dicts without heads.

    A stop ends the loop at the next step; what was learnt so far is still yielded last.
    """
    dev = torch.device(device)
    rng = np.random.default_rng(config.seed + 7919)
    nets = [build_network(config, 1, view, config.seed * 2 + k).to(dev)
            for k, view in zip((1, 2), views_for(config), strict=True)]  # fmt: skip
    params = [p for net in nets for p in net.parameters()]
    optimizer = Adam(params, lr=config.lr, weight_decay=config.weight_decay)
    plain = config.with_overrides(orientations=[o for o in config.orientations if o != "time"] or ["inline"])
    sampler = PatchSampler(inputs, plain, rng)
    amp = inputs.names.index("amplitude") if "amplitude" in inputs.names else 0
    t0 = time.perf_counter()
    for net in nets:
        net.train()
    for step in range(steps):
        if should_stop():
            break
        batch = sampler.unlabelled_batch(max(2, config.batch_labelled))
        assert batch is not None
        masked, where = mask_traces(batch.x, rng, amp)
        x = torch.from_numpy(masked).to(dev)
        target = torch.from_numpy(batch.x[:, amp]).to(dev)
        m = torch.from_numpy(where).to(dev)
        loss = sum(((net(x)[:, 0] - target) ** 2)[m].mean() for net in nets)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        if (step + 1) % 10 == 0 or step + 1 == steps:
            yield PretrainReport(step + 1, steps, float(loss.detach()) / len(nets), time.perf_counter() - t0)
    yield [{k: v.detach().cpu().clone() for k, v in net.state_dict().items() if HEAD not in k} for net in nets]


def load_pretrained(nets: Sequence[torch.nn.Module], states: Sequence[dict[str, torch.Tensor]]) -> None:
    """Every weight but the heads' from ``states``; refuses weights made for other networks."""
    from ..io.errors import SeisgrowError

    for net, state in zip(nets, states, strict=True):
        own = net.state_dict()
        for k, v in state.items():
            if k not in own or own[k].shape != v.shape:
                raise SeisgrowError("the pretrained weights were made for other settings (inputs, depth or width)")
        net.load_state_dict({**own, **{k: v.to(own[k].device) for k, v in state.items()}})


def pretrained_weights(
    inputs: Channels, config: GrowConfig, device: torch.device, should_stop: Callable[[], bool]
) -> tuple[list[dict[str, torch.Tensor]] | None, str]:
    """``pretrain`` run to its end: the weights (None if stopped) and one line for the log."""
    weights, last, t0 = None, None, time.perf_counter()
    for item in pretrain(inputs, config, config.pretrain_steps, device=device, should_stop=should_stop):
        if isinstance(item, list):
            weights = item
        else:
            last = item
    if should_stop() or weights is None:
        return None, ""
    loss = f", reconstruction loss {last.loss:.4f}" if last is not None else ""
    return weights, f"pretrained {config.pretrain_steps} steps in {time.perf_counter() - t0:.1f} s{loss}"
