"""``seisgrow demo``: the whole job on the bundled synthetic sample, headless."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from .figures import save_sections
from .io import write_labels
from .io.arrays import write_npy
from .synthetic import make_synthetic, seed_scribbles

DEMO_SHAPE = (64, 96, 160)


def run_demo(outdir: Path, epochs: int | None = None, device: str = "auto") -> dict[str, Path]:
    outdir.mkdir(parents=True, exist_ok=True)
    synth = make_synthetic(DEMO_SHAPE, seed=0)
    geom = synth.volume.geometry
    seeds = seed_scribbles(synth.truth, n_inlines=3, seed=0)
    paths = {
        "volume": write_npy(outdir / "volume.npy", synth.volume.data, geom),
        "seeds": write_labels(outdir / "seeds.npy", seeds, geom),
        "truth": write_labels(outdir / "truth.npy", synth.truth, geom),
    }
    inline = int(np.argmax((seeds > 0).sum(axis=(1, 2))))
    paths["picture"] = save_sections(
        outdir / "demo.png",
        synth.volume.data,
        geom,
        [("seismic", None), ("seeds", seeds), ("truth", synth.truth)],
        inline_index=inline,
    )
    for key, p in paths.items():
        print(f"{key:8s} {p}", file=sys.stderr)
    return paths
