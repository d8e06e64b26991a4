"""Where the time goes at survey size: an F3-size synthetic volume, default settings.

    .venv/bin/python benchmarks/survey.py                              # 651 x 951 x 462, in memory, 2 epochs
    .venv/bin/python benchmarks/survey.py --blockwise --tile 2         # twice that size, blockwise on Zarr
    .venv/bin/python benchmarks/survey.py --shape 200 300 400 --set amp=false   # float32 inference
    .venv/bin/python benchmarks/survey.py --stop-after 1 --set epoch_inference='"turns"'  # an epoch before the last

The volume (``facies`` generator, seed 0; made once and kept in ``--cache``) gets strokes along
the bedding on 3 inlines. ``--tile 2`` repeats it twice along the inlines (a survey twice F3's
size, for the blockwise run). A run starts where ``seisgrow grow`` starts, from the ``.npy`` on
disk, and reports, in seconds from that start: the session built (amplitudes normalised, the
stratigraphic coordinate solved), the first preview of the middle inline (what the viewer shows
after the first training step), the first whole-volume labels (end of epoch 1); then per epoch
the phases (training steps, whole-volume inference, growth, the final completion, the report),
and, in seconds after the epoch's training ended (its last preview), when the whole-volume pass
put labels on the section on screen (``--shown``), when its first batch spread sections across
the volume, when the shown section's labels were final and when the whole volume's were (the
viewer fills the volume in as the pass goes, the shown section first); then the labels written
(.npy, atomically), and the peak private memory as a multiple of the float32 volume. Every
epoch is a label-update epoch (no warm-up, no CPS-only epochs), so each costs what the most
expensive epochs of a full run cost; the last one also completes the labels.
The mIoU against the generator's truth is printed for information only: two epochs are not a
run. The last line is JSON.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import threading
import time
from pathlib import Path

import numpy as np


def _status(key: str) -> int:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(key):
                return int(line.split()[1]) * 1024
    return 0


class PeakMemory:
    """Private (anonymous) memory, sampled every 10 ms: pages of a memory-mapped volume belong to
    the OS cache and are not counted."""

    def __init__(self) -> None:
        self.base = _status("RssAnon:")
        self.peak = self.base
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()

    def _watch(self) -> None:
        while not self._done.is_set():
            self.peak = max(self.peak, _status("RssAnon:"))
            time.sleep(0.01)

    def stop(self) -> int:
        self._done.set()
        self._thread.join()
        return self.peak - self.base


def make_case(cache: Path, shape: tuple[int, int, int], tile: int) -> tuple[Path, Path, Path]:
    """The volume, seeds and truth as .npy files (made once per shape and tiling)."""
    from napari_seisgrow.synthetic import make_synthetic, seed_scribbles

    name = "x".join(map(str, shape))
    base = [cache / f"{name}-{k}.npy" for k in ("volume", "seeds", "truth")]
    if not all(p.exists() for p in base):
        cache.mkdir(parents=True, exist_ok=True)
        t = time.perf_counter()
        synth = make_synthetic(shape, seed=0)
        np.save(base[0], synth.volume.data.astype(np.float32, copy=False))
        np.save(base[1], seed_scribbles(synth.truth, n_inlines=3, seed=0))
        np.save(base[2], synth.truth)
        print(f"made the {name} volume in {time.perf_counter() - t:.0f} s", flush=True)
        del synth
    if tile == 1:
        return base[0], base[1], base[2]
    tiled = [cache / f"{name}-x{tile}-{k}.npy" for k in ("volume", "seeds", "truth")]
    for src, dst in zip(base, tiled, strict=True):
        if dst.exists():
            continue
        a = np.load(src, mmap_mode="r")
        out = np.lib.format.open_memmap(dst, mode="w+", dtype=a.dtype, shape=(a.shape[0] * tile, *a.shape[1:]))
        for k in range(tile):  # the seeds too: strokes on 3 inlines of every tile
            out[k * a.shape[0] : (k + 1) * a.shape[0]] = a
        out.flush()
        del out
    return tiled[0], tiled[1], tiled[2]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shape", type=int, nargs=3, default=[651, 951, 462], help="inlines, crosslines, samples")
    ap.add_argument("--tile", type=int, default=1, help="repeat the volume this many times along the inlines")
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--stop-after", type=int, default=None,
                    help="stop the run after this many epochs (to time an epoch before the last alone)")  # fmt: skip
    ap.add_argument("--blockwise", action="store_true", help="the blockwise session (volume on disk, Zarr stores)")
    ap.add_argument("--block", type=int, nargs=3, default=[128, 128, 512], help="blockwise block size")
    ap.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="config override (JSON value)")
    ap.add_argument("--cache", default="out/survey", help="folder for the generated volumes")
    ap.add_argument("--no-score", action="store_true", help="skip the mIoU against the truth")
    ap.add_argument("--shown", choices=["inline", "crossline"], default="inline",
                    help="the section on screen (the middle one): previews and the pass start there")  # fmt: skip
    args = ap.parse_args()

    import torch

    from napari_seisgrow import load_volume
    from napari_seisgrow.engine import Blockwise, GrowConfig, Session
    from napari_seisgrow.engine.report import Preview, Swept
    from napari_seisgrow.io import write_labels
    from napari_seisgrow.metrics import segmentation_scores

    shape = tuple(args.shape)
    volume_path, seeds_path, truth_path = make_case(Path(args.cache), shape, args.tile)
    overrides = {k: json.loads(v) for k, v in (s.split("=", 1) for s in args.set)}
    cfg = GrowConfig(epochs=args.epochs, warmup_epochs=0, cps_epochs=0).with_overrides(**overrides)
    full = (shape[0] * args.tile, *shape[1:])
    voxels = int(np.prod(full))
    mode = "blockwise" if args.blockwise else "memory"
    print(f"{mode} run on {full[0]} x {full[1]} x {full[2]} ({voxels / 1e6:.0f} M voxels), {args.epochs} epochs, "
          f"torch {torch.__version__}, {torch.get_num_threads()} threads", flush=True)  # fmt: skip

    peak = PeakMemory()
    t0 = time.perf_counter()
    seeds = np.load(seeds_path, mmap_mode="r")
    with tempfile.TemporaryDirectory(dir=args.cache) as tmp:
        if args.blockwise:
            session = Session(load_volume(volume_path, lazy=True), seeds, cfg,
                                       blockwise=Blockwise(Path(tmp) / "work", block=tuple(args.block)))  # fmt: skip
        else:
            session = Session(load_volume(volume_path).data, np.asarray(seeds), cfg)
        built = time.perf_counter() - t0
        print(f"session built (normalised, coordinate solved) at {built:.1f} s on {session.device_name}", flush=True)
        axis = 0 if args.shown == "inline" else 1
        shown = (axis, full[axis] // 2)
        session.preview_request = lambda: shown
        first_preview = first_labels = None
        epochs = []
        sweep: dict[str, float] = {}  # this epoch's pass: seconds from t0
        for item in session.run():
            now = time.perf_counter() - t0
            if isinstance(item, Preview):
                if first_preview is None:
                    first_preview = now
                    print(f"first preview at {now:.1f} s", flush=True)
                sweep = {"trained": now}  # the last preview of an epoch comes after its last step
                continue
            if isinstance(item, Swept):
                sweep.setdefault("first", now)  # the first batch: the shown section, or sections spread across
                if item.axis == axis and shown[1] in item.indices:
                    sweep.setdefault("shown", now)
                if item.final:
                    if item.axis == axis and shown[1] in item.indices:
                        sweep["shown_final"] = now
                    if item.current >= 1.0:
                        sweep["all_final"] = now
                continue
            first_labels = first_labels if first_labels is not None else now
            phases = {k: round(v, 1) for k, v in item.timings.items()}
            after = {f"{k}_after_training": round(v - sweep["trained"], 1) for k, v in sweep.items() if k != "trained"}
            epochs.append({"epoch": item.epoch + 1, "seconds": round(item.seconds, 1), **phases, **after,
                           "labels_after_training": round(now - sweep.get("trained", now), 1)})  # fmt: skip
            print(f"epoch {item.epoch + 1}: {item.seconds:.1f} s  "
                  + "  ".join(f"{k} {v:.1f}" for k, v in phases.items())
                  + "\n  after training: " + "  ".join(f"{k} {v:.1f}" for k, v in after.items())
                  + f"\n  (peak private memory so far {(peak.peak - peak.base) / 2**30:.1f} GiB)",
                  flush=True)  # fmt: skip
            if args.stop_after is not None and len(epochs) >= args.stop_after:
                session.stop()  # the run ends here and keeps this epoch's labels, as Stop does
        t = time.perf_counter()
        write_labels(Path(tmp) / "labels.npy", session.grown)
        written = time.perf_counter() - t
        total = time.perf_counter() - t0
        peak_bytes = peak.stop()
        score = None
        if not args.no_score:
            truth = np.load(truth_path, mmap_mode="r")
            score = segmentation_scores(np.asarray(session.grown), np.asarray(truth))["miou"]
    row = {
        "mode": mode, "shape": list(full), "voxels": voxels, "epochs": args.epochs, "set": overrides,
        "shown": args.shown,
        "device": session.device_name, "built_s": round(built, 1),
        "first_preview_s": None if first_preview is None else round(first_preview, 1),
        "first_labels_s": None if first_labels is None else round(first_labels, 1),
        "per_epoch": epochs, "write_s": round(written, 1), "total_s": round(total, 1),
        "peak_mib": round(peak_bytes / 2**20), "x_volume": round(peak_bytes / (4 * voxels), 2),
        "miou": None if score is None else round(score, 4),
    }  # fmt: skip
    print(f"labels written in {written:.1f} s; total {total:.0f} s; peak private memory "
          f"{row['peak_mib']} MiB = {row['x_volume']} x the float32 volume; mIoU {row['miou']}")  # fmt: skip
    print(json.dumps(row))


if __name__ == "__main__":
    main()
