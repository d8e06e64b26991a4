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

from .channels import Channels
from .device import bf16_inference
from .sampling import AXIS


def as_channels(volume: Channels | np.ndarray) -> Channels:
    """A plain 3-D array is one amplitude channel."""
    return volume if isinstance(volume, Channels) else Channels([np.asarray(volume)], ["amplitude"])


def section_index(axis: int, i: int) -> tuple:
    where: list = [slice(None)] * 3
    where[axis] = i
    return tuple(where)


def _index(axis: int, i: int) -> tuple:
    """Index of section ``i`` along ``axis`` in a (K, inline, crossline, sample) array."""
    target: list = [slice(None)] * 4
    target[1 + axis] = i
    return tuple(target)


def fits_on_device(device: torch.device, n_classes: int, shape: Sequence[int], n_inputs: int = 1) -> bool:
    """Whether the volume, the per-class sums and the results fit in half the GPU's free memory.

    On a GPU the host-side float16 sums, not the networks, bound inference speed, so the whole
    computation stays on the device when it fits.
    """
    if device.type != "cuda":
        return False
    free, _ = torch.cuda.mem_get_info(device)
    need = int(np.prod(shape)) * (4 * n_inputs + 2 * n_classes + 3)
    return need < free // 2


def _predict_resident(
    nets: Sequence[nn.Module],
    volume: Channels | np.ndarray,
    n_classes: int,
    ors: Sequence[str],
    device: torch.device,
    batch: int,
    amp: bool,
    should_stop: Callable[[], bool] | None,
) -> tuple[np.ndarray, np.ndarray] | None:
    volume = as_channels(volume)
    x = torch.from_numpy(np.ascontiguousarray(volume[()], dtype=np.float32)).to(device)  # (C, ...)
    total = torch.zeros((n_classes, *volume.shape), dtype=torch.float16, device=device)
    for o in ors:
        axis = AXIS[o]
        for start in range(0, volume.shape[axis], batch):
            if should_stop is not None and should_stop():
                return None
            n = min(batch, volume.shape[axis] - start)
            sections = x.narrow(axis + 1, start, n).movedim(axis + 1, 0)  # (n, C, A, B)
            p = _mean_softmax(nets, sections, device, amp)
            total.narrow(1 + axis, start, n).add_(p.movedim(0, axis + 1).to(torch.float16))
    conf, win = (total / len(ors)).max(dim=0)
    return (win + 1).to(torch.uint8).cpu().numpy(), conf.to(torch.float16).cpu().numpy()


@torch.no_grad()
def predict_volume(
    nets: Sequence[nn.Module],
    volume: Channels | np.ndarray,
    n_classes: int,
    orientations: Sequence[str],
    device: torch.device,
    *,
    batch: int = 8,
    amp: bool = False,
    should_stop: Callable[[], bool] | None = None,
) -> tuple[np.ndarray, np.ndarray] | None:
    """Return (winning class 1..K as uint8, its mean probability as float16), or None if stopped.

    All orientations but the last are summed into one float16 (K, ...) volume; sections of the
    last orientation are finished on the fly, so no float32 per-class volume is ever held.
    """
    for net in nets:
        net.eval()
    volume = as_channels(volume)
    shape = volume.shape
    ors = usable_orientations(orientations, shape)
    if fits_on_device(device, n_classes, shape, volume.n):
        try:
            return _predict_resident(nets, volume, n_classes, ors, device, batch, amp, should_stop)
        except torch.cuda.OutOfMemoryError:
            torch.cuda.empty_cache()  # the estimate was too hopeful: keep the sums on the host instead
    return accumulate_sections(
        lambda sections: section_probabilities(nets, sections, device, amp),
        lambda axis, i: volume[section_index(axis, i)],
        shape, n_classes, ors, batch, should_stop=should_stop,
    )  # fmt: skip


def turn(n_nets: int, orientations: Sequence[str], epoch: int) -> tuple[int, str]:
    """The network (index) and orientation that predict in ``epoch`` when they take turns: each
    pair once in every ``n_nets * len(orientations)`` epochs, the networks alternating first, so
    that over two epochs both networks' views (with the default split views: texture alone,
    texture and position) reach the labels the networks train on."""
    k = epoch % (n_nets * len(orientations))
    return k % n_nets, orientations[k // n_nets]


def usable_orientations(orientations: Sequence[str], shape: Sequence[int]) -> list[str]:
    """The orientations whose sections are at least 2 wide both ways (inline when none is)."""
    return [o for o in orientations if min(s for k, s in enumerate(shape) if k != AXIS[o]) >= 2] or ["inline"]


@torch.no_grad()
def section_probabilities(
    nets: Sequence[nn.Module], sections: np.ndarray, device: torch.device, amp: bool = False
) -> np.ndarray:
    """Mean softmax of ``nets`` on (b, C, A, B) sections, as (b, K, A, B) float32."""
    x = torch.from_numpy(np.ascontiguousarray(sections, dtype=np.float32)).to(device)
    return _mean_softmax(nets, x, device, amp).cpu().numpy()


def _mean_softmax(nets: Sequence[nn.Module], x: torch.Tensor, device: torch.device, amp: bool) -> torch.Tensor:
    """The networks' mean softmax on (b, C, A, B) sections, float32 (b, K, A, B) contiguous.

    Sections go in channels-last: the convolutions then run about twice as fast on a CPU (and no
    slower on a GPU), in float32 as before; ``amp`` adds bfloat16 where the device computes it
    natively (``device.bf16_inference``), about twice as fast again.
    """
    x = x.contiguous(memory_format=torch.channels_last)
    with torch.autocast(device_type=device.type, dtype=torch.bfloat16, enabled=bf16_inference(device, amp)):
        p = sum(torch.softmax(net(x).float(), dim=1) for net in nets) / len(nets)
    return p.contiguous()


def accumulate_sections(
    probs: Callable[[np.ndarray], np.ndarray],
    read: Callable[[int, int], np.ndarray],
    shape: Sequence[int],
    n_classes: int,
    ors: Sequence[str],
    batch: int,
    *,
    crop: Callable[[int], tuple] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> tuple[np.ndarray, np.ndarray] | None:
    """The one host-side inference loop, for a whole volume and for a dask block alike.

    ``read(axis, i)`` gives input section ``i`` along ``axis`` (channels first) and ``crop(axis)``
    the part of its (K, A, B) probabilities that belongs to the ``shape`` being predicted (a
    block's sections are read with a halo). All orientations but the last are summed into one
    float16 (K, ...) volume; the last orientation's sections are finished on the fly, so no float32
    per-class volume is ever held. Returns (winner 1..K uint8, its mean probability float16), or
    None when ``should_stop`` says so between batches.
    """
    shape = tuple(int(n) for n in shape)
    partial = np.zeros((n_classes, *shape), dtype=np.float16) if len(ors) > 1 else None
    winner = np.zeros(shape, dtype=np.uint8)
    conf = np.zeros(shape, dtype=np.float16)
    for k, o in enumerate(ors):
        axis = AXIS[o]
        last = k == len(ors) - 1
        keep = crop(axis) if crop is not None else (slice(None),) * 3
        for start in range(0, shape[axis], batch):
            if should_stop is not None and should_stop():
                return None
            idx = list(range(start, min(shape[axis], start + batch)))
            p = probs(np.stack([read(axis, i) for i in idx]).astype(np.float32, copy=False))
            for b, i in enumerate(idx):
                where = _index(axis, i)
                pb = p[b][keep]
                if not last:
                    assert partial is not None
                    partial[where] += pb.astype(np.float16)
                    continue
                total = pb if partial is None else partial[where].astype(np.float32) + pb
                total /= len(ors)
                winner[where[1:]] = total.argmax(axis=0).astype(np.uint8) + 1
                conf[where[1:]] = total.max(axis=0).astype(np.float16)
    return winner, conf
