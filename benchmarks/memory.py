"""Peak memory of one training epoch against the volume's size, the volume memory-mapped.

    .venv/bin/python benchmarks/memory.py                     # 64^3, 128^3, 192^3
    .venv/bin/python benchmarks/memory.py --sizes 64 128 256

For each size: a synthetic volume saved as .npy, opened memory-mapped by load_volume, seeds on 3
inlines, then one epoch of the default config (2 steps, so inference and growth dominate), in its
own process. Peak memory is the rise of the resident peak (VmHWM) above the interpreter with
torch loaded; it is reported in bytes per voxel and as a multiple of the float32 volume.
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
import json, time
import numpy as np
import torch
from napari_seisgrow import load_volume
from napari_seisgrow.engine import GrowConfig, Session
from napari_seisgrow.synthetic import make_synthetic, seed_scribbles

def status(key):
    for line in open("/proc/self/status"):
        if line.startswith(key):
            return int(line.split()[1]) * 1024

n = {n}
path = {path!r}
synth = make_synthetic((n, n, n), seed=0)
np.save(path, synth.volume.data)
seeds = seed_scribbles(synth.truth, n_inlines=3, seed=0)
del synth
with open("/proc/self/clear_refs", "w") as fh:
    fh.write("5")
base = status("VmRSS:")
t = time.perf_counter()
vol = load_volume(path)
session = Session(vol, seeds, GrowConfig(epochs=1, steps_per_epoch=2))
list(session.run())
print(json.dumps({{"seconds": time.perf_counter() - t, "peak": status("VmHWM:") - base}}))
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[64, 128, 192])
    args = ap.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.sizes:
            code = textwrap.dedent(CHILD.format(n=n, path=str(Path(tmp) / f"v{n}.npy")))
            out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
            if out.returncode:
                print(f"{n}^3 failed: {out.stderr.strip().splitlines()[-1]}")
                continue
            r = json.loads(out.stdout.strip().splitlines()[-1])
            voxels = n**3
            row = {"size": n, "voxels": voxels, "volume_mib": round(voxels * 4 / 2**20, 1),
                   "peak_mib": round(r["peak"] / 2**20, 1), "bytes_per_voxel": round(r["peak"] / voxels, 1),
                   "x_volume": round(r["peak"] / (voxels * 4), 2), "seconds": round(r["seconds"], 1)}  # fmt: skip
            rows.append(row)
            print(f"{n}^3: volume {row['volume_mib']} MiB, peak {row['peak_mib']} MiB = "
                  f"{row['bytes_per_voxel']} B/voxel = {row['x_volume']} x the volume "
                  f"({row['seconds']} s)", flush=True)  # fmt: skip
    print(json.dumps(rows))


if __name__ == "__main__":
    main()
