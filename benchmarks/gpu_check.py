"""One prepared GPU check: the default method on a 256x256x512 synthetic volume, with AMP.

    bash benchmarks/gpu_check.sh                    # on a CUDA machine, under 5 minutes
    python benchmarks/gpu_check.py --device cpu --shape 64 96 160 --epochs 2   # the same, anywhere

It needs only numpy, scipy and torch (the engine never imports Qt, napari, segyio or zarr), so
it runs from a source checkout with PYTHONPATH=src where the package is not installed. It prints
one line per epoch, then JSON with epoch seconds, inference voxels/s, growth update seconds,
peak GPU memory and the mIoU against the generator's truth.
"""

from __future__ import annotations

import argparse
import json
import platform
import time

import numpy as np
import torch


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shape", type=int, nargs=3, default=[256, 256, 512])
    ap.add_argument("--epochs", type=int, default=None, help="default: the default config's")
    ap.add_argument("--device", default="auto")
    ap.add_argument("--profile", action="store_true", help="print where one inference pass spends its time")
    args = ap.parse_args()

    from napari_seisgrow.engine import GrowConfig, Session
    from napari_seisgrow.engine.grow import grow_numpy
    from napari_seisgrow.engine.predict import predict_volume
    from napari_seisgrow.metrics import segmentation_scores
    from napari_seisgrow.synthetic import make_synthetic, seed_scribbles

    t = time.perf_counter()
    synth = make_synthetic(tuple(args.shape), seed=0)
    seeds = seed_scribbles(synth.truth, n_inlines=3, seed=0)
    print(f"synthetic {tuple(args.shape)} in {time.perf_counter() - t:.1f} s", flush=True)
    over = {"device": args.device, "amp": True}
    if args.epochs:
        over["epochs"] = args.epochs
    cfg = GrowConfig(**over)
    session = Session(synth.volume.data, seeds, cfg)
    dev = session.device
    print(f"device: {session.device_name}", flush=True)
    if dev.type == "cuda":
        torch.cuda.reset_peak_memory_stats(dev)
    epoch_s = []
    t_train = time.perf_counter()
    for r in session.run():
        epoch_s.append(r.seconds)
        print(f"epoch {r.epoch + 1}/{r.epochs} [{r.stage}] {r.seconds:.2f} s  loss {r.sup_loss:.4f}  "
              f"cps {r.cps_loss:.4f}  labelled {100 * r.labelled_fraction:.1f}%", flush=True)  # fmt: skip
    _sync(dev)
    train_s = time.perf_counter() - t_train

    # the hot paths alone, after training, each timed twice (the first can include kernel set-up)
    steps = 10
    _sync(dev)
    t = time.perf_counter()
    for _ in range(steps):  # full training steps: labelled and unlabelled batches, both networks, CPS on
        session.step(None, 1.0)
    _sync(dev)
    step_s = (time.perf_counter() - t) / steps
    patches = session.config.batch_labelled + session.config.batch_unlabelled
    voxels = int(np.prod(args.shape))
    infer = []
    for _ in range(2):
        _sync(dev)
        t = time.perf_counter()
        winner, conf = predict_volume(session.nets, session.x, session.n_classes, cfg.orientations, dev,
                                      batch=cfg.inference_batch, amp=cfg.amp)  # fmt: skip
        _sync(dev)
        infer.append(time.perf_counter() - t)
    host = None
    if dev.type == "cuda":  # the host-side sums the GPU path replaced, for comparison
        import napari_seisgrow.engine.predict as predict_module

        resident = predict_module.fits_on_device
        predict_module.fits_on_device = lambda *a: False
        t = time.perf_counter()
        predict_volume(session.nets, session.x, session.n_classes, cfg.orientations, dev,
                       batch=cfg.inference_batch, amp=cfg.amp)  # fmt: skip
        host = time.perf_counter() - t
        predict_module.fits_on_device = resident
    grow_s: dict[int, list[float]] = {1: [], 2: []}
    for radius in grow_s:  # 1: one connected-components pass on the CPU; 2: stepwise dilations in torch
        for _ in range(2):
            t = time.perf_counter()
            grow_numpy(session.train_seeds, winner, conf, [cfg.threshold(c) for c in range(1, session.n_classes + 1)],
                       radius=radius, max_reach=cfg.max_reach, device=dev)  # fmt: skip
            _sync(dev)
            grow_s[radius].append(time.perf_counter() - t)
    if args.profile:
        import cProfile
        import pstats

        prof = cProfile.Profile()
        prof.enable()
        predict_volume(session.nets, session.x, session.n_classes, cfg.orientations, dev,
                       batch=cfg.inference_batch, amp=cfg.amp)  # fmt: skip
        _sync(dev)
        prof.disable()
        pstats.Stats(prof).sort_stats("tottime").print_stats(12)
    scores = segmentation_scores(session.grown, synth.truth)
    result = {
        "shape": args.shape,
        "device": session.device_name,
        "torch": torch.__version__,
        "python": platform.python_version(),
        "epochs": session.epoch,
        "train_seconds": round(train_s, 1),
        "epoch_seconds_median": round(float(np.median(epoch_s)), 2),
        "epoch_seconds_max": round(float(np.max(epoch_s)), 2),
        "train_step_seconds": round(step_s, 3),
        "train_patches_per_s": round(patches / step_s, 1),
        "patch_size": cfg.patch_size,
        "inference_seconds": round(min(infer), 2),
        "inference_voxels_per_s": round(voxels / min(infer)),
        "inference_host_sums_seconds": None if host is None else round(host, 2),
        "grow_radius": cfg.grow_radius,
        "growth_update_seconds_radius1": round(min(grow_s[1]), 3),
        "growth_update_seconds_radius2": round(min(grow_s[2]), 3),
        "peak_gpu_mib": round(torch.cuda.max_memory_allocated(dev) / 2**20) if dev.type == "cuda" else None,
        "miou": round(float(scores["miou"]), 3),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
