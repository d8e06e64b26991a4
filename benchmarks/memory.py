"""Peak memory of one training epoch against the volume's size, the volume memory-mapped.

    .venv/bin/python benchmarks/memory.py                     # 64^3, 128^3, 192^3, both sessions
    .venv/bin/python benchmarks/memory.py --sizes 128 256 384 512 --samples 256 --modes blockwise

For each size: a synthetic volume saved as .npy, seeds on 3 inlines, then one epoch of the
default config in the label-update stage (grown labels feed training; 2 steps, so inference,
growth and the final completion dominate), in its own process, for the
in-memory Session ("memory") and the blockwise Session ("blockwise": the volume stays on disk,
prediction and labels go to Zarr stores block by block on local threads). Peak memory is private
(anonymous) memory, sampled every 5 ms, above its level before the session, in bytes per voxel
and as a multiple of the float32 volume; pages of the memory-mapped file belong to the OS cache
and are shown apart (resident peak).
The last line is JSON.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

CHILD = """
import json, threading, time
import numpy as np
import torch
from napari_seisgrow import load_volume
from napari_seisgrow.engine import Blockwise, GrowConfig, Session
from napari_seisgrow.synthetic import make_synthetic, seed_scribbles

def status(key):
    for line in open("/proc/self/status"):
        if line.startswith(key):
            return int(line.split()[1]) * 1024

n = {n}
path = {path!r}
synth = make_synthetic((n, n, {samples}), seed=0)
np.save(path, synth.volume.data)
np.save(path + ".seeds.npy", seed_scribbles(synth.truth, n_inlines=3, seed=0))
del synth
peak_anon = [0]
done = threading.Event()

def watch():  # private memory only: pages of a memory-mapped file are the OS cache's, not ours
    while not done.is_set():
        peak_anon[0] = max(peak_anon[0], status("RssAnon:"))
        time.sleep(0.005)

with open("/proc/self/clear_refs", "w") as fh:
    fh.write("5")
base, base_anon = status("VmRSS:"), status("RssAnon:")
threading.Thread(target=watch, daemon=True).start()
t = time.perf_counter()
cfg = GrowConfig(epochs=1, warmup_epochs=0, cps_epochs=0, steps_per_epoch=2)  # the label-update stage: the most held
if {mode!r} == "memory":
    session = Session(load_volume(path), np.load(path + ".seeds.npy"), cfg)
else:
    session = Session(load_volume(path, lazy=True), np.load(path + ".seeds.npy", mmap_mode="r"), cfg,
                               blockwise=Blockwise(path + ".work", block={block}))
list(session.run())
seconds = time.perf_counter() - t
done.set()
time.sleep(0.02)
print(json.dumps({{"seconds": seconds, "peak": status("VmHWM:") - base, "peak_anon": peak_anon[0] - base_anon}}))
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[64, 128, 192])
    ap.add_argument("--samples", type=int, default=None, help="samples per trace (default: the size, a cube)")
    ap.add_argument("--block", type=int, nargs=3, default=[128, 128, 512], help="blockwise block size")
    ap.add_argument("--modes", nargs="+", choices=["memory", "blockwise"], default=["memory", "blockwise"])
    args = ap.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for mode, n in ((m, n) for n in args.sizes for m in args.modes):
            t = args.samples or n
            code = textwrap.dedent(CHILD.format(n=n, mode=mode, samples=t, block=tuple(args.block),
                                                path=str(Path(tmp) / f"v{n}-{mode}.npy")))  # fmt: skip
            out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
            if out.returncode:
                print(f"{n}^3 failed: {out.stderr.strip().splitlines()[-1]}")
                continue
            r = json.loads(out.stdout.strip().splitlines()[-1])
            voxels = n * n * t
            row = {"mode": mode, "shape": [n, n, t], "voxels": voxels, "volume_mib": round(voxels * 4 / 2**20, 1),
                   "peak_mib": round(r["peak_anon"] / 2**20, 1), "bytes_per_voxel": round(r["peak_anon"] / voxels, 1),
                   "x_volume": round(r["peak_anon"] / (voxels * 4), 2), "seconds": round(r["seconds"], 1),
                   "peak_rss_mib": round(r["peak"] / 2**20, 1)}  # fmt: skip
            rows.append(row)
            print(f"{mode} {n}x{n}x{t}: volume {row['volume_mib']} MiB, peak {row['peak_mib']} MiB = "
                  f"{row['bytes_per_voxel']} B/voxel = {row['x_volume']} x the volume "
                  f"(resident peak {row['peak_rss_mib']} MiB; {row['seconds']} s)", flush=True)  # fmt: skip
    print(json.dumps(rows))


if __name__ == "__main__":
    main()
