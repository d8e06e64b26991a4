"""``seisgrow demo``: the whole job on the bundled synthetic sample, headless."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

from ..figures import save_sections
from ..io import write_labels
from ..io.arrays import write_npy
from ..io.atomic import atomic_path
from ..metrics import segmentation_scores
from ..synthetic import make_synthetic, seed_scribbles

DEMO_SHAPE = (64, 96, 160)


def run_demo(outdir: Path, epochs: int | None = None, device: str = "auto") -> dict[str, Path]:
    """Write the sample, grow its scribbled seeds, and draw seismic, seeds, grown and truth."""
    from ..engine import GrowConfig, Session
    from .grow import ProgressBar

    outdir.mkdir(parents=True, exist_ok=True)
    synth = make_synthetic(DEMO_SHAPE, seed=0)
    geom = synth.volume.geometry
    seeds = seed_scribbles(synth.truth, n_inlines=3, seed=0)
    paths = {
        "volume": write_npy(outdir / "volume.npy", synth.volume.data, geom),
        "seeds": write_labels(outdir / "seeds.npy", seeds, geom),
        "truth": write_labels(outdir / "truth.npy", synth.truth, geom),
    }
    cfg = GrowConfig(device=device)
    if epochs is not None:
        cfg = cfg.with_overrides(epochs=epochs)
    session = Session(synth.volume, seeds, cfg)
    print(
        f"seisgrow demo: {(seeds > 0).mean():.2%} of voxels seeded; training on {session.device_name}", file=sys.stderr
    )
    progress = ProgressBar()
    for report in session.run():
        progress(report)
    grown = session.grown
    scores = segmentation_scores(grown, synth.truth)
    paths["grown"] = write_labels(outdir / "grown.npy", grown, geom)
    with atomic_path(outdir / "report.json") as tmp:
        tmp.write_text(json.dumps({"scores": scores, "config": cfg.to_dict(), "epochs": session.history}, indent=2))
    paths["report"] = outdir / "report.json"
    inline = int(np.argmax((seeds > 0).sum(axis=(1, 2))))
    paths["picture"] = save_sections(
        outdir / "demo.png",
        synth.volume.data,
        geom,
        [("seismic", None), ("seeds", seeds), ("grown", grown), ("truth", synth.truth)],
        inline_index=inline,
    )
    print(
        f"seisgrow demo: mIoU {scores['miou']:.3f}, pixel accuracy {scores['pixel_accuracy']:.3f}, "
        f"{scores['coverage']:.1%} of voxels labelled",
        file=sys.stderr,
    )
    for key, p in paths.items():
        print(f"  {key:8s} {p}", file=sys.stderr)
    return paths
