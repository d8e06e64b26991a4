"""Whole-volume inference block by block on dask, written to Zarr.

One task per block reads the block with a halo at least the U-Net's receptive radius, puts its
sections through both networks, and writes only the block's own voxels. Block edges are
multiples of the U-Net's pooling factor (``blockwise.block_chunks``), so every section tile pools
on the same grid as the whole section and the kept voxels get the in-memory path's probabilities.
"""

from __future__ import annotations

import contextlib
import itertools
import threading
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch

from .blockwise import DEFAULT_BLOCK, block_chunks, halo_for, shared
from .device import sections_per_batch
from .predict import accumulate_sections, section_pixels, section_probabilities, usable_orientations
from .sampling import AXIS


@dataclass
class Predictor:
    """Both networks as plain state dicts, so a task can rebuild them on any worker, once."""

    n_classes: int
    depth: int
    width: int
    norm: str
    states: list[dict[str, torch.Tensor]]
    orientations: tuple[str, ...]
    batch: int = 0  # sections per batch; 0: as suits the worker's device (``device.sections_per_batch``)
    device: str = "cpu"  # "cuda": a worker's GPU when it has one, else its CPU
    views: tuple[tuple[int, ...] | None, ...] = ()  # per network: the input channels it reads (None: all)
    amp: bool = False  # bfloat16 where the worker's device computes it natively (``device.bf16_inference``)
    token: str = field(default_factory=lambda: uuid.uuid4().hex)

    @classmethod
    def from_nets(cls, nets, n_classes: int, config, orientations: Sequence[str], device: str = "cpu") -> Predictor:
        from .unet import InputView

        views = tuple(net.channels if isinstance(net, InputView) else None for net in nets)
        plain = [net.net if isinstance(net, InputView) else net for net in nets]
        states = [{k: v.detach().cpu().clone() for k, v in net.state_dict().items()} for net in plain]
        return cls(n_classes, config.depth, config.width, config.norm, states, tuple(orientations),
                   batch=config.inference_batch, device=device, views=views, amp=config.amp)  # fmt: skip

    def nets(self):
        with _NETS_LOCK:
            nets = _NETS.get(self.token)
            if nets is None:
                from .unet import InputView, UNet

                dev = torch.device("cuda" if self.device == "cuda" and torch.cuda.is_available() else "cpu")
                nets = []
                views = self.views or (None,) * len(self.states)
                for sd, view in zip(self.states, views, strict=True):
                    net = UNet(self.n_classes, depth=self.depth, width=self.width, norm=self.norm,
                               in_channels=int(sd["down.0.0.weight"].shape[1]))  # fmt: skip
                    net.load_state_dict(sd)
                    if view is not None:
                        net = InputView(net, view)
                    nets.append(net.eval().to(dev))
                _NETS.clear()  # one model at a time per worker: the last epoch's is stale
                _NETS[self.token] = nets
            return nets


_NETS: dict[str, list] = {}
_NETS_LOCK = threading.Lock()
_STOPS: dict[str, threading.Event] = {}  # token -> stop flag of a session in this process


class Stopped(Exception):
    """A block saw its session's stop flag: the pass ends here (local threads only)."""


@contextlib.contextmanager
def stoppable(token: str, event: threading.Event) -> Iterator[None]:
    """Let blocks computed in this process end the pass when ``event`` is set; a cluster's
    workers never see it, so there a pass runs to its end."""
    _STOPS[token] = event
    try:
        yield
    finally:
        _STOPS.pop(token, None)


def probabilities(nets, sections: np.ndarray, amp: bool) -> np.ndarray:
    """Mean softmax of ``nets`` on (b, C, A, B) sections, on the networks' device."""
    return section_probabilities(nets, sections, next(nets[0].parameters()).device, amp)


def _predict_window(ext: np.ndarray, predictor: Predictor, lo: Sequence[int], own: Sequence[int]) -> np.ndarray:
    """The packed prediction of ``ext[:, lo : lo + own]``, from sections of the whole window ``ext``
    (channels first): the in-memory path's loop, reading each section with its halo and keeping
    the block's own part."""
    stop = _STOPS.get(predictor.token)
    if stop is not None and stop.is_set():
        raise Stopped
    nets = predictor.nets()

    def crop(axis: int) -> tuple:
        return (slice(None), *(slice(lo[a], lo[a] + own[a]) for a in range(3) if a != axis))

    pixels = max(section_pixels(ext.shape[1:], AXIS[o]) for o in predictor.orientations)
    batch = sections_per_batch(predictor.batch, next(nets[0].parameters()).device, pixels)
    result = accumulate_sections(
        lambda sections: probabilities(nets, sections, predictor.amp),
        lambda axis, i: np.take(ext, lo[axis] + i, axis=axis + 1),
        own, predictor.n_classes, predictor.orientations, batch,
        crop=crop, should_stop=None if stop is None else stop.is_set,
    )  # fmt: skip
    if result is None:
        raise Stopped
    winner, conf = result
    return (winner.astype(np.uint32) << 16) | conf.view(np.uint16).astype(np.uint32)


def windows(shape: Sequence[int], chunks, halo: int) -> Iterator[tuple[tuple[slice, ...], tuple[slice, ...]]]:
    """(own, window) slices of every block: the block, and the block with its halo inside the volume."""
    starts = [np.cumsum((0, *c))[:-1] for c in chunks]
    for b in itertools.product(*(range(len(c)) for c in chunks)):
        own, window = [], []
        for axis, k in enumerate(b):
            a0 = int(starts[axis][k])
            a1 = a0 + chunks[axis][k]
            pad = halo if len(chunks[axis]) > 1 else 0
            own.append(slice(a0, a1))
            window.append(slice(max(0, a0 - pad), min(shape[axis], a1 + pad)))
        yield tuple(own), tuple(window)


def _predict_and_store(source, predictor: Predictor, own, window, winner_out, conf_out) -> None:
    ext = np.asarray(source[window], dtype=np.float32)
    if ext.ndim == 3:  # one plain amplitude source
        ext = ext[np.newaxis]
    lo = [o.start - w.start for o, w in zip(own, window, strict=True)]
    packed = _predict_window(ext, predictor, lo, [o.stop - o.start for o in own])
    winner_out[own] = (packed >> 16).astype(np.uint8)
    conf_out[own] = (packed & 0xFFFF).astype(np.uint16).view(np.float16)


def predict_to_zarr(source, predictor: Predictor, path: str | Path, block: Sequence[int] = DEFAULT_BLOCK) -> Path:
    """Predict ``source`` (normalised amplitudes, sliceable and picklable) into ``path``/winner and
    ``path``/confidence, one task per block that reads its window, predicts and writes its block.

    Nothing volume-sized passes through dask: each task holds one window, so memory is bounded by
    the block size and the number of workers, whatever the volume's size. Blocks are whole Zarr
    chunks (a short last block is a chunk and a part), so no two tasks write the same chunk.
    """
    import dask
    import zarr

    from ..io.atomic import atomic_path

    shape = tuple(int(n) for n in source.shape)
    chunks = block_chunks(shape, predictor.depth, block)
    ors = tuple(usable_orientations(predictor.orientations, shape))
    if ors != predictor.orientations:
        predictor = Predictor(**{**predictor.__dict__, "orientations": ors})
    halo = halo_for(predictor.depth)
    zchunks = tuple(c[0] for c in chunks)
    with atomic_path(path, directory=True) as tmp:
        group = zarr.open_group(str(tmp), mode="w")
        winner = group.create_array("winner", shape=shape, chunks=zchunks, dtype="u1")
        conf = group.create_array("confidence", shape=shape, chunks=zchunks, dtype="f2")
        nets, src = shared(predictor), shared(source)  # one graph node each, not a copy per task
        tasks = [dask.delayed(_predict_and_store)(src, nets, own, window, winner, conf)
                 for own, window in windows(shape, chunks, halo)]  # fmt: skip
        dask.compute(*tasks)
    return Path(path)
