"""Blocks on dask, for volumes larger than memory: their layout, the scheduler, the stores.

The passes themselves are ``blockwise_predict`` (inference) and ``blockwise_grow`` (growth).

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
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..io.errors import SeisgrowError

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


def shared(obj: Any) -> Any:
    """One graph node for an object every block needs (the networks), not a copy per task."""
    import dask

    return dask.delayed(obj, pure=True, traverse=False)


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
