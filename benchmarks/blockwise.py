"""Blockwise inference and growth (dask) against the in-memory engine, side by side in one run.

    .venv/bin/python benchmarks/blockwise.py --cluster     # 128 x 256 x 256 in blocks of 128 x 128 x 256

Networks are the default config's (depth 4, width 16) with random weights: speed does not depend
on what they learned. Each path's result is compared with the in-memory one: bit for bit, else
the share of voxels with the same winner and label and the largest probability difference (torch
sums in another order with another number of threads). ``--cluster`` adds a dask.distributed
LocalCluster of 2 worker processes x 1 thread (dask sets each worker's torch to one thread). The
last line is JSON.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time

import numpy as np
import torch
import zarr

from napari_seisgrow.engine import blockwise as bw
from napari_seisgrow.engine import blockwise_grow as bg
from napari_seisgrow.engine import blockwise_predict as bp
from napari_seisgrow.engine.config import GrowConfig
from napari_seisgrow.engine.data import normalise
from napari_seisgrow.engine.grow import grow_connected
from napari_seisgrow.engine.lazy import Amplitudes, NpyFile
from napari_seisgrow.engine.predict import predict_volume
from napari_seisgrow.engine.unet import UNet
from napari_seisgrow.synthetic import make_synthetic, seed_scribbles


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shape", type=int, nargs=3, default=[128, 256, 256])
    ap.add_argument("--block", type=int, nargs=3, default=[128, 128, 256])
    ap.add_argument("--cluster", action="store_true")
    args = ap.parse_args()
    cfg = GrowConfig()
    synth = make_synthetic(tuple(args.shape), seed=0)
    x, _ = normalise(synth.volume.data)
    seeds = seed_scribbles(synth.truth, n_inlines=3, seed=0)
    k = int(synth.truth.max())
    nets = []
    for s in (1, 2):
        torch.manual_seed(s)
        nets.append(UNet(k, depth=cfg.depth, width=cfg.width).eval())
    voxels = x.size
    rows = []

    t = time.perf_counter()
    winner, conf = predict_volume(nets, x, k, cfg.orientations, torch.device("cpu"), batch=cfg.inference_batch)
    t_mem = time.perf_counter() - t
    t = time.perf_counter()
    grown = grow_connected(seeds, winner, conf, [0.0])
    g_mem = time.perf_counter() - t
    rows.append({"path": "in memory", "predict_s": round(t_mem, 2), "grow_s": round(g_mem, 3), "equal": True})
    print(f"in memory: inference {t_mem:.2f} s ({voxels / t_mem / 1e6:.2f} M voxels/s), growth {g_mem:.3f} s",
          flush=True)  # fmt: skip

    predictor = bp.Predictor.from_nets(nets, k, cfg, cfg.orientations)
    folder = tempfile.mkdtemp()
    np.save(f"{folder}/x.npy", x)
    source = NpyFile(f"{folder}/x.npy")  # what a real run reads: workers open the file themselves
    chunks = bw.block_chunks(x.shape, cfg.depth, args.block)
    print(f"blocks {chunks}, halo {bw.halo_for(cfg.depth)}", flush=True)

    def run(where: str | None, workers: int | None, label: str) -> None:
        with bw.scheduler(where, workers):
            t = time.perf_counter()
            bp.predict_to_zarr(Amplitudes(source, 1.0), predictor, f"{folder}/pred.zarr", args.block)
            pred = zarr.open_group(f"{folder}/pred.zarr", mode="r")
            w, c = pred["winner"][...], pred["confidence"][...]
            t_p = time.perf_counter() - t
            t = time.perf_counter()
            g = bg.grow_lazy(seeds, bw_chunked(w, chunks), c, [0.0]).compute()
            t_g = time.perf_counter() - t
        same = bool(np.array_equal(w, winner) and np.array_equal(c.view(np.uint16), conf.view(np.uint16))
                    and np.array_equal(g, grown))  # fmt: skip
        agree = {"winner": float((w == winner).mean()), "labels": float((g == grown).mean()),
                 "max_prob_diff": float(np.abs(c.astype(np.float32) - conf.astype(np.float32)).max())}  # fmt: skip
        rows.append({"path": label, "predict_s": round(t_p, 2), "grow_s": round(t_g, 3), "equal": same, **agree})
        told = "bit for bit" if same else (
            f"winner on {100 * agree['winner']:.4f} %, labels on {100 * agree['labels']:.4f} % of voxels, "
            f"probabilities within {agree['max_prob_diff']:.1e}")  # fmt: skip
        print(f"{label}: inference {t_p:.2f} s ({voxels / t_p / 1e6:.2f} M voxels/s, {t_p / t_mem:.2f}x in memory), "
              f"growth {t_g:.3f} s; same as in memory: {told}", flush=True)  # fmt: skip

    run(None, 1, "dask local, 1 thread")
    run(None, 2, "dask local, 2 threads")
    if args.cluster:
        from distributed import LocalCluster

        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
            run(cluster.scheduler_address, None, "dask.distributed LocalCluster, 2 workers x 1 thread")
    print(json.dumps({"shape": args.shape, "voxels": voxels, "blocks": [list(c) for c in chunks], "rows": rows}))


def bw_chunked(arr: np.ndarray, chunks):
    import dask.array as da

    return da.from_array(arr, chunks=chunks)


if __name__ == "__main__":
    main()
