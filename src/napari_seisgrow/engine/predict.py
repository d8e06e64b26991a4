"""Whole-volume inference: both networks, every configured orientation, averaged.

Only the winning class (uint8) and its probability (float16) are kept per voxel: growth needs
no more (a voxel is a candidate only for its argmax class), and the last pair is what lets
"Grow" rerun with new thresholds without touching the networks. The same sweep can also give each
network's own winner (``predict_with_own``), which the last epoch's completion needs, at no extra
pass.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Sequence
from typing import Any

import numpy as np
import torch
from torch import nn

from .channels import Channels
from .device import bf16_inference, sections_per_batch
from .heap import Releaser
from .report import Swept
from .sampling import AXIS

Sweep = Generator[Swept, None, "tuple | None"]  # one step per batch; returns the result


def coarse_first(n: int, first: int | None = None) -> list[int]:
    """Every index below ``n`` once, spread sections first: ``first`` (the one on screen), then
    every S-th (4 to 8 of them, across the whole volume), then the ones halfway between, and so on
    down to every one. So a sweep in this order puts labels across the whole volume early and
    fills in behind, instead of finishing one end before it starts the other."""
    stride = 1
    while n // (stride * 2) >= 4:
        stride *= 2
    order: list[int] = [] if first is None or not 0 <= first < n else [int(first)]
    seen = set(order)
    while stride >= 1:
        for i in range(0, n, stride):
            if i not in seen:
                seen.add(i)
                order.append(i)
        stride //= 2
    return order


def drain(sweep: Sweep) -> tuple | None:
    """Run a sweep to its end and give its result (for callers that want no progress)."""
    while True:
        try:
            next(sweep)
        except StopIteration as end:
            return end.value


def as_channels(volume: Channels | np.ndarray) -> Channels:
    """A plain 3-D array is one amplitude channel."""
    return volume if isinstance(volume, Channels) else Channels([np.asarray(volume)], ["amplitude"])


def section_pixels(shape: Sequence[int], axis: int) -> int:
    """Pixels in one section across ``axis`` of a volume of ``shape``."""
    return int(np.prod([n for k, n in enumerate(shape) if k != axis]))


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
    own: bool = False,
) -> tuple[np.ndarray, ...] | None:
    """The GPU path: sums stay on the device in float16, one (K, ...) volume per network with ``own``."""
    volume = as_channels(volume)
    x = torch.from_numpy(np.ascontiguousarray(volume[()], dtype=np.float32)).to(device)  # (C, ...)
    parts = [[net] for net in nets] if own else [list(nets)]
    total = torch.zeros((len(parts), n_classes, *volume.shape), dtype=torch.float16, device=device)
    for o in ors:
        axis = AXIS[o]
        for start in range(0, volume.shape[axis], batch):
            if should_stop is not None and should_stop():
                return None
            n = min(batch, volume.shape[axis] - start)
            sections = x.narrow(axis + 1, start, n).movedim(axis + 1, 0)  # (n, C, A, B)
            for j, part in enumerate(parts):
                p = _mean_softmax(part, sections, device, amp)
                total[j].narrow(1 + axis, start, n).add_(p.movedim(0, axis + 1).to(torch.float16))
    mean = total[0] if len(parts) == 1 else total.sum(dim=0) / len(parts)  # float16 on the device, no copy per class
    conf, win = (mean / len(ors)).max(dim=0)
    result = [(win + 1).to(torch.uint8).cpu().numpy(), conf.to(torch.float16).cpu().numpy()]
    if own:
        result.append([(t.argmax(dim=0) + 1).to(torch.uint8).cpu().numpy() for t in total])
    return tuple(result)


@torch.no_grad()
def predict_volume(
    nets: Sequence[nn.Module],
    volume: Channels | np.ndarray,
    n_classes: int,
    orientations: Sequence[str],
    device: torch.device,
    *,
    batch: int = 0,
    amp: bool = False,
    should_stop: Callable[[], bool] | None = None,
) -> tuple[np.ndarray, np.ndarray] | None:
    """Return (winning class 1..K as uint8, its mean probability as float16), or None if stopped.

    All orientations but the last are summed into one float16 (K, ...) volume; sections of the
    last orientation are finished on the fly, so no float32 per-class volume is ever held.
    """
    result = drain(sweep_volume(nets, volume, n_classes, orientations, device, batch=batch, amp=amp,
                                should_stop=should_stop))  # fmt: skip
    return None if result is None else (result[0], result[1])


@torch.no_grad()
def predict_with_own(
    nets: Sequence[nn.Module], volume: Channels | np.ndarray, n_classes: int, orientations: Sequence[str],
    device: torch.device, **options: Any,
) -> tuple[np.ndarray, np.ndarray, list[np.ndarray]] | None:  # fmt: skip
    """``predict_volume``'s pair (same arguments and options) and each network's own winner
    (uint8 1..K), from the same sweep.

    The completion's agreement rule asks where the networks' own winners agree; computing them
    in separate passes cost the last epoch at F3 size as much again as its whole-volume pass.
    Here each network's sums are kept apart, in 8 bits (``partial_sums``: two networks' in the
    memory of the ensemble's float16 sums), so each own winner is what a pass of that network
    alone gives except at near ties.
    """
    result = drain(sweep_volume(nets, volume, n_classes, orientations, device, own=True, **options))
    return None if result is None else (result[0], result[1], result[2])


@torch.no_grad()
def sweep_volume(nets: Sequence[nn.Module], volume: Channels | np.ndarray, n_classes: int,
                 orientations: Sequence[str], device: torch.device, *, batch: int = 0, amp: bool = False,
                 should_stop: Callable[[], bool] | None = None, own: bool = False,
                 first: tuple[int, int] | None = None) -> Sweep:  # fmt: skip
    """Both public passes as a generator of ``report.Swept`` steps, one per batch, whose return value is
    the result: the ensemble's pair, and with ``own`` each network's own winner too.

    Sections go in ``coarse_first`` order, ``first`` (the section on screen, as (axis, index))
    first when it is one of them, so a viewer can show each section's labels at once and the
    volume fills in evenly; every section's sums are the same in any order. The GPU's
    resident path yields no steps (its whole sweep takes seconds). ``batch`` 0: as many sections
    at once as suit the device (``device.sections_per_batch``)."""
    for net in nets:
        net.eval()
    volume = as_channels(volume)
    shape = volume.shape
    ors = usable_orientations(orientations, shape)
    batch = sections_per_batch(batch, device, max(section_pixels(shape, AXIS[o]) for o in ors))
    parts = len(nets) if own else 1
    if fits_on_device(device, n_classes * parts, shape, volume.n):
        try:
            return _predict_resident(nets, volume, n_classes, ors, device, batch, amp, should_stop, own)
        except torch.cuda.OutOfMemoryError:
            torch.cuda.empty_cache()  # the estimate was too hopeful: keep the sums on the host instead
    if own:
        return (yield from sweep_sections(
            lambda sections: [section_probabilities([net], sections, device, amp) for net in nets],
            lambda axis, i: volume[section_index(axis, i)],
            shape, n_classes, ors, batch, should_stop=should_stop, parts=len(nets), first=first,
        ))  # fmt: skip
    return (yield from sweep_sections(
        lambda sections: section_probabilities(nets, sections, device, amp),
        lambda axis, i: volume[section_index(axis, i)],
        shape, n_classes, ors, batch, should_stop=should_stop, first=first,
    ))  # fmt: skip


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


def partial_sums(n_orientations: int) -> tuple[type, int]:
    """The integer type and scale in which the one-sweep pass (``predict_with_own``) sums each
    network's probabilities over all orientations but the last.

    Each probability is rounded to 1/scale and the sums of the ``n_orientations - 1`` earlier
    orientations fit the type: 8 bits (1/255) with the default two orientations, 16 bits with
    more. Two networks' 8-bit sums take the memory of the ensemble's one float16 sum, so the last
    epoch holds no more than the epochs before it. The rounding (at most 0.002 in a probability)
    moves an argmax only where it is a near tie: on trained suite volumes the winners of the two
    differ on about 1 voxel in 10,000 and the final labels' mIoU by at most 0.0001
    (docs/benchmarks.md). The epochs before the last keep float16 sums: their labels feed the
    training, and there a changed voxel changes the whole run that follows.
    """
    earlier = max(1, n_orientations - 1)
    kind = np.uint8 if earlier == 1 else np.uint16
    return kind, int(np.iinfo(kind).max) // earlier


def accumulate_sections(*args: Any, **options: Any) -> tuple | None:
    """``sweep_sections`` run to its end: a dask block's inference wants no progress."""
    return drain(sweep_sections(*args, **options))


def sweep_sections(
    probs: Callable[[np.ndarray], np.ndarray | list[np.ndarray]],
    read: Callable[[int, int], np.ndarray],
    shape: Sequence[int],
    n_classes: int,
    ors: Sequence[str],
    batch: int,
    *,
    crop: Callable[[int], tuple] | None = None,
    should_stop: Callable[[], bool] | None = None,
    parts: int = 0,
    first: tuple[int, int] | None = None,
) -> Sweep:
    """The one host-side inference loop, for a whole volume and for a dask block alike; a
    generator of one ``report.Swept`` per batch (its epoch left to the caller), returning the result.

    ``read(axis, i)`` gives input section ``i`` along ``axis`` (channels first) and ``crop(axis)``
    the part of its (K, A, B) probabilities that belongs to the ``shape`` being predicted (a
    block's sections are read with a halo). All orientations but the last are summed into one
    float16 (K, ...) volume; the last orientation's sections are finished on the fly, so no
    float32 per-class volume is ever held. Returns (winner 1..K uint8, its mean probability
    float16), or None when ``should_stop`` says so between batches.

    With ``parts`` > 0, ``probs`` gives each network's probabilities apart, a list of (b, K, A, B):
    their sums are kept apart, in 8 bits (``partial_sums``), the pair is their mean, and a third
    item is each part's own winner.

    Each orientation goes in ``coarse_first`` order (``first``, an (axis, index), first when it is
    along that axis): the sums are the same in any order.
    """
    shape = tuple(int(n) for n in shape)
    n_parts = max(1, parts)
    kind, scale = partial_sums(len(ors)) if parts else (np.float16, 1)
    partial = np.zeros((n_parts, n_classes, *shape), dtype=kind) if len(ors) > 1 else None
    winner = np.zeros(shape, dtype=np.uint8)
    conf = np.zeros(shape, dtype=np.float16)
    own = [np.zeros(shape, dtype=np.uint8) for _ in range(parts)]
    passes = sum(shape[AXIS[o]] for o in ors)
    done = 0
    release = Releaser()  # the batches' temporaries otherwise pile up in the heap (engine/heap.py)
    for k, o in enumerate(ors):
        axis = AXIS[o]
        last = k == len(ors) - 1
        keep = crop(axis) if crop is not None else (slice(None),) * 3
        order = coarse_first(shape[axis], first[1] if first is not None and first[0] == axis else None)
        for start in range(0, shape[axis], batch):
            if should_stop is not None and should_stop():
                return None
            idx = order[start : start + batch]
            p = probs(np.stack([read(axis, i) for i in idx]).astype(np.float32, copy=False))
            p = p if parts else [p]  # per part, (b, K, A, B)
            early: list[np.ndarray] = []  # before the last orientation, this orientation's winners
            for b, i in enumerate(idx):
                where = _index(axis, i)
                if not last:
                    assert partial is not None
                    for j in range(n_parts):
                        pb = p[j][b][keep]
                        partial[j][where] += np.rint(pb * scale).astype(kind) if parts else pb.astype(np.float16)
                    mean = p[0][b][keep] if n_parts == 1 else sum(p[j][b][keep] for j in range(n_parts))
                    early.append(mean.argmax(axis=0).astype(np.uint8) + 1)
                    continue
                total = None
                for j in range(n_parts):
                    t = p[j][b][keep]
                    if partial is not None:
                        t = (
                            partial[j][where] * np.float32(1 / scale) + t
                            if parts
                            else partial[j][where].astype(np.float32) + t
                        )
                    t /= len(ors)
                    if parts:
                        own[j][where[1:]] = t.argmax(axis=0).astype(np.uint8) + 1
                    total = t if total is None else total + t
                assert total is not None
                if n_parts > 1:
                    total /= n_parts
                winner[where[1:]] = total.argmax(axis=0).astype(np.uint8) + 1
                conf[where[1:]] = total.max(axis=0).astype(np.float16)
            release()
            done += len(idx)
            finished = start + len(idx)
            labels = np.stack([winner[section_index(axis, i)] for i in idx]) if last else np.stack(early)
            yield Swept(axis, tuple(idx), done / passes, finished / shape[axis] if last else 0.0, labels, last)
    return (winner, conf, own) if parts else (winner, conf)
