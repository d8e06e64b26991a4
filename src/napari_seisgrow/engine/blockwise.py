"""Whole-volume inference and region growing block by block on dask, for volumes larger than memory.

Inference: one task per block reads the block with a halo at least the U-Net's receptive radius,
puts its sections through both networks, and writes only the block's own voxels to Zarr. Block edges are multiples of
the U-Net's pooling factor, so every section tile pools on the same grid as the whole section and
the kept voxels get the in-memory path's probabilities.

Growth: the one-pass (radius 1) growth is a connected-components question, so it splits into a
pass that labels each block's components and returns its boundary planes, a small union-find
over the components that touch across block boundaries (on the caller's machine), and a pass
that writes each block's labels. A maximum reach is a box dilation of each class's labelled
voxels, computed blockwise with a halo of the reach.

Everything is a dask graph: the local threaded scheduler runs it by default, and a
dask.distributed address (``tcp://host:port``) spreads the same graph over a cluster.
"""

from __future__ import annotations

import contextlib
import itertools
import threading
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch

from ..io.errors import SeisgrowError
from .config import per_class
from .grow import candidates, dilate_axis
from .predict import accumulate_sections, section_probabilities, usable_orientations

DEFAULT_BLOCK = (128, 128, 512)
CONNECT_TIMEOUT = "10s"


def receptive_radius(depth: int) -> int:
    """How far (pixels) an output of ``UNet(depth)`` can see: two 3x3 convolutions per level on
    the way down and up, max pooling, and bilinear upsampling each add their reach at their scale."""
    down = sum(2 * 2**k for k in range(depth)) + sum(2 ** (k - 1) for k in range(1, depth))
    up = sum(2 ** (k + 1) + 2 * 2**k for k in range(depth - 1))
    return down + up


def halo_for(depth: int) -> int:
    """The receptive radius rounded up to the pooling factor, so block origins stay on its grid."""
    m = 2 ** (depth - 1)
    return -(-receptive_radius(depth) // m) * m


def block_chunks(shape: Sequence[int], depth: int, block: Sequence[int] = DEFAULT_BLOCK) -> tuple[tuple[int, ...], ...]:
    """Dask chunks: multiples of the pooling factor, none smaller than the halo (a short last block
    joins the one before), so every block's halo comes from its neighbours alone."""
    m = 2 ** (depth - 1)
    halo = halo_for(depth)
    out = []
    for n, b in zip(shape, block, strict=True):
        b = max(m, (int(b) // m) * m, halo)
        if b >= n:
            out.append((int(n),))
            continue
        sizes = [b] * (n // b)
        rest = n - sum(sizes)
        if rest:
            if rest < halo:
                sizes[-1] += rest
            else:
                sizes.append(rest)
        out.append(tuple(sizes))
    return tuple(out)


# ------------------------------------------------------------------------------------ scheduler
@contextlib.contextmanager
def scheduler(address: str | None = None, workers: int | None = None) -> Iterator[str]:
    """Run the dask graphs inside on a dask.distributed cluster at ``address``, else on local threads."""
    import dask

    if address:
        try:
            from distributed import Client
        except ImportError as exc:
            raise SeisgrowError("a cluster address needs dask.distributed: pip install distributed") from exc
        try:
            client = Client(address, timeout=CONNECT_TIMEOUT, set_as_default=False)
        except (OSError, TimeoutError) as exc:
            raise SeisgrowError(f"could not reach the dask scheduler at {address}: {exc}") from exc
        with client, dask.config.set(scheduler=client):
            yield f"dask cluster {address} ({len(client.scheduler_info().get('workers', {}))} workers)"
        return
    n = workers or 1
    with dask.config.set(scheduler="threads", num_workers=n):
        yield f"dask local threads ({n})"


# ------------------------------------------------------------------------------------ inference
@dataclass
class Predictor:
    """Both networks as plain state dicts, so a task can rebuild them on any worker, once."""

    n_classes: int
    depth: int
    width: int
    norm: str
    states: list[dict[str, torch.Tensor]]
    orientations: tuple[str, ...]
    batch: int = 8
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


def _probabilities(nets, sections: np.ndarray, amp: bool) -> np.ndarray:
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

    result = accumulate_sections(
        lambda sections: _probabilities(nets, sections, predictor.amp),
        lambda axis, i: np.take(ext, lo[axis] + i, axis=axis + 1),
        own, predictor.n_classes, predictor.orientations, predictor.batch,
        crop=crop, should_stop=None if stop is None else stop.is_set,
    )  # fmt: skip
    if result is None:
        raise Stopped
    winner, conf = result
    return (winner.astype(np.uint32) << 16) | conf.view(np.uint16).astype(np.uint32)


def _windows(shape: Sequence[int], chunks, halo: int) -> Iterator[tuple[tuple[slice, ...], tuple[slice, ...]]]:
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
        shared, src = _shared(predictor), _shared(source)  # one graph node each, not a copy per task
        tasks = [dask.delayed(_predict_and_store)(src, shared, own, window, winner, conf)
                 for own, window in _windows(shape, chunks, halo)]  # fmt: skip
        dask.compute(*tasks)
    return Path(path)


def _shared(obj: Any) -> Any:
    """One graph node for an object every block needs (the networks), not a copy per task."""
    import dask

    return dask.delayed(obj, pure=True, traverse=False)


# ------------------------------------------------------------------------------------ growth
def _reach_mask(own, reach: int):
    """Box dilation of a lazy bool array by ``reach``: three 1-D passes, each with a halo on its axis."""
    out = own.astype(np.uint8)
    for axis in range(3):
        if out.shape[axis] == 1:
            continue
        depth = {a: (min(reach, out.shape[axis] - 1) if a == axis else 0) for a in range(3)}
        out = out.map_overlap(dilate_axis, depth=depth, boundary="none", reach=reach, axis=axis, dtype=np.uint8)
    return out.astype(bool)


def _block_labels(start, winner, conf, thresholds: list[float]):
    cand = winner.map_blocks(
        lambda w, c: candidates(w, c, thresholds), conf, dtype=np.uint8
    )  # fmt: skip
    return start.map_blocks(lambda s, c: np.where(s > 0, s, c), cand, dtype=np.uint8)


def _components(labels: np.ndarray) -> tuple[np.ndarray, int]:
    import cc3d

    cc, n = cc3d.connected_components(np.ascontiguousarray(labels), connectivity=26, out_dtype=np.uint32,
                                      return_N=True)  # fmt: skip
    return cc, int(n)


def _local_classes(labels: np.ndarray, start: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A block's components, each one's class, and whether it holds a labelled voxel."""
    cc, n = _components(labels)
    cls = np.zeros(n + 1, dtype=np.uint8)
    cls[cc.ravel()] = labels.ravel()
    seeded = np.zeros(n + 1, dtype=bool)
    seeded[cc[start > 0]] = True
    seeded[0] = False
    return cc, cls, seeded


def _summarise_block(labels: np.ndarray, start: np.ndarray) -> dict[str, Any]:
    """What the merge needs from a block: only the components on its faces (the others are
    decided inside the block), with their classes, seeded flags and the six boundary planes."""
    cc, cls, seeded = _local_classes(labels, start)
    faces = {}
    for axis in range(3):
        faces[(axis, 0)] = np.take(cc, 0, axis=axis).copy()
        faces[(axis, 1)] = np.take(cc, cc.shape[axis] - 1, axis=axis).copy()
    on_face = np.unique(np.concatenate([f.ravel() for f in faces.values()]))
    on_face = on_face[on_face > 0]
    return {"ids": on_face, "cls": cls[on_face], "seeded": seeded[on_face], "faces": faces}


def _merge(summaries: dict[tuple[int, ...], dict[str, Any]], numblocks: tuple[int, ...], chunks) -> dict:
    """Union-find over the face components of all blocks; each block gets (ids, classes) back.

    Memory follows the blocks' surface, not the volume: interior components never leave their block.
    """
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    order = list(itertools.product(*(range(n) for n in numblocks)))
    offset, total = {}, 0
    for b in order:
        offset[b] = total
        total += len(summaries[b]["ids"])
    cls = np.concatenate([summaries[b]["cls"] for b in order]) if total else np.zeros(0, np.uint8)
    seeded = np.concatenate([summaries[b]["seeded"] for b in order]) if total else np.zeros(0, bool)
    us, vs = [], []
    for axis in range(3):
        others = [a for a in range(3) if a != axis]
        for r in range(numblocks[axis] - 1):
            a_all = _plane(summaries, offset, chunks, axis, r, 1, others)
            hi_plane = _plane(summaries, offset, chunks, axis, r + 1, 0, others)
            for d0, d1 in itertools.product((-1, 0, 1), repeat=2):
                a = a_all
                b = _shifted(hi_plane, d0, d1)
                ok = (a >= 0) & (b >= 0)
                a, b = a[ok], b[ok]
                keep = cls[a] == cls[b]
                us.append(a[keep])
                vs.append(b[keep])
    u = np.concatenate(us) if us else np.zeros(0, np.int64)
    v = np.concatenate(vs) if vs else np.zeros(0, np.int64)
    graph = coo_matrix((np.ones(len(u), dtype=np.int8), (u, v)), shape=(total, total))
    _, group = connected_components(graph, directed=False)
    grown_class = np.zeros(int(group.max(initial=0)) + 1, dtype=np.uint8)
    grown_class[group[seeded]] = cls[seeded]
    final = grown_class[group]
    return {b: (summaries[b]["ids"], final[offset[b] : offset[b] + len(summaries[b]["ids"])].copy()) for b in order}


def _plane(summaries, offset, chunks, axis, row, side, others) -> np.ndarray:
    """The whole boundary plane, as merge node numbers (-1 for background), on one side of a boundary."""
    a0, a1 = others
    plane = np.full((sum(chunks[a0]), sum(chunks[a1])), -1, dtype=np.int64)
    s0 = 0
    for i, n0 in enumerate(chunks[a0]):
        s1 = 0
        for j, n1 in enumerate(chunks[a1]):
            b = [0, 0, 0]
            b[axis], b[a0], b[a1] = row, i, j
            b = tuple(b)
            face = summaries[b]["faces"][(axis, side)]
            ids = summaries[b]["ids"]
            node = np.searchsorted(ids, face).astype(np.int64) + offset[b]
            plane[s0 : s0 + n0, s1 : s1 + n1] = np.where(face > 0, node, -1)
            s1 += n1
        s0 += n0
    return plane


def _shifted(plane: np.ndarray, d0: int, d1: int) -> np.ndarray:
    """``plane[i + d0, j + d1]`` with -1 outside, same shape as ``plane``."""
    out = np.full(plane.shape, -1, dtype=np.int64)
    n0, n1 = plane.shape
    src = plane[max(0, d0) : n0 + min(0, d0), max(0, d1) : n1 + min(0, d1)]
    out[max(0, -d0) : n0 + min(0, -d0), max(0, -d1) : n1 + min(0, -d1)] = src
    return out


def _write_block(labels: np.ndarray, start: np.ndarray, merged: dict, block_id=None) -> np.ndarray:
    """A block's grown labels: its own components decided here, its face components by the merge."""
    cc, cls, seeded = _local_classes(labels, start)
    lut = np.where(seeded, cls, 0).astype(np.uint8)
    ids, final = merged[tuple(block_id)]
    lut[ids] = final
    return np.take(lut, cc)


def grow_lazy(
    seeds,
    winner,
    confidence,
    thresholds: Sequence[float],
    *,
    max_reach: int = 1024,
    previous=None,
):
    """Radius-1 growth as a dask array, equal to ``grow.grow_connected`` on the same inputs.

    The first pass is computed here (block summaries are small), so this returns once the merge
    is known; the result's blocks are computed when it is stored.
    """
    import dask
    import dask.array as da

    w = winner if isinstance(winner, da.Array) else da.from_array(winner)
    chunks = w.chunks
    conf = da.asarray(confidence).rechunk(chunks)
    seeds_d = da.asarray(seeds).astype(np.uint8).rechunk(chunks)
    start = seeds_d if previous is None else da.asarray(previous).astype(np.uint8).rechunk(chunks)
    if previous is not None:
        start = da.where(seeds_d > 0, seeds_d, start)
    n_classes = int(max(int(start.max().compute()), int(w.max().compute())))
    ts = per_class(thresholds, max(1, n_classes))
    labels = _block_labels(start, w, conf, ts)
    if max_reach < max(w.shape) - 1:
        for c in range(1, n_classes + 1):
            near = _reach_mask(start == c, max_reach)
            labels = da.where((labels == c) & (start == 0) & ~near, np.uint8(0), labels)
    labels = labels.rechunk(chunks)
    blocks = labels.to_delayed()
    starts = start.to_delayed()
    index = list(itertools.product(*(range(n) for n in labels.numblocks)))
    tasks = [dask.delayed(_summarise_block)(blocks[b], starts[b]) for b in index]
    summaries = dict(zip(index, dask.compute(*tasks), strict=True))
    merged = _merge(summaries, labels.numblocks, chunks)
    return da.map_blocks(_write_block, labels, start, _shared(merged), dtype=np.uint8)


# ------------------------------------------------------------------------------------ storage
def store_zarr(path: str | Path, arrays: dict[str, Any], attrs: dict[str, Any] | None = None) -> Path:
    """Compute lazy arrays into one Zarr group, atomically (a failed run leaves the old store)."""
    import dask.array as da
    import zarr

    from ..io.atomic import atomic_path

    with atomic_path(path, directory=True) as tmp:
        group = zarr.open_group(str(tmp), mode="w")
        sources, targets = [], []
        for name, arr in arrays.items():
            arr = arr if isinstance(arr, da.Array) else da.from_array(arr)
            chunks = tuple(c[0] for c in arr.chunks)
            targets.append(group.create_array(name, shape=arr.shape, chunks=chunks, dtype=arr.dtype))
            sources.append(arr)
        if attrs:
            group.attrs.update(attrs)
        da.store(sources, targets, lock=False)
    return Path(path)


def class_counts(labels, n_classes: int) -> np.ndarray:
    """Voxels per value 0..n_classes, block by block (``ravel`` would regroup blocks into slabs)."""
    import dask

    def count(block: np.ndarray) -> np.ndarray:
        return np.bincount(block.ravel(), minlength=n_classes + 1)[: n_classes + 1]

    parts = dask.compute(*[dask.delayed(count)(b) for b in labels.to_delayed().ravel()])
    return np.sum(parts, axis=0)


def sample_by_class(labels, n_classes: int, per_block: int, seed: int) -> list[np.ndarray]:
    """Up to ``per_block`` random flat positions of each class from every block: patch centres
    for the label-update stage, without indexing every labelled voxel of a huge volume."""
    import dask

    offsets = [np.cumsum((0, *c))[:-1] for c in labels.chunks]
    blocks = labels.to_delayed()

    def pick(block: np.ndarray, origin: tuple[int, ...], rs: int) -> list[np.ndarray]:
        rng = np.random.default_rng(rs)
        out = []
        for c in range(1, n_classes + 1):
            local = np.flatnonzero(block == c)
            if len(local) > per_block:
                local = rng.choice(local, per_block, replace=False)
            idx = np.unravel_index(local, block.shape)
            out.append(np.ravel_multi_index(tuple(i + o for i, o in zip(idx, origin, strict=True)), labels.shape))
        return out

    index = list(itertools.product(*(range(n) for n in labels.numblocks)))
    tasks = [dask.delayed(pick)(blocks[b], tuple(int(offsets[a][b[a]]) for a in range(3)), seed + k)
             for k, b in enumerate(index)]  # fmt: skip
    picked = dask.compute(*tasks)
    return [np.sort(np.concatenate([p[c] for p in picked])).astype(np.int64) for c in range(n_classes)]
