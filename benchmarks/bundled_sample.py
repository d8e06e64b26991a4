"""The bundled sample (``seisgrow demo``) with the default, and its last growth regrown with other settings.

    python benchmarks/bundled_sample.py      # about 6-9 min on two cores

The demo's own volume, seeds (scribbles on three inlines) and settings; each regrown row is the
same training's labels grown again, so the rows differ only by the setting.
"""

from __future__ import annotations

import time

from napari_seisgrow.cli.demo import DEMO_SHAPE
from napari_seisgrow.engine import GrowConfig, Session
from napari_seisgrow.metrics import segmentation_scores
from napari_seisgrow.synthetic import make_synthetic, seed_scribbles

REGROW = ({"unit_model": "off"}, {"unit_agreement": 0.15}, {"unit_agreement": 0.3})


def main() -> None:
    synth = make_synthetic(DEMO_SHAPE, seed=0)
    seeds = seed_scribbles(synth.truth, n_inlines=3, seed=0)
    t0 = time.perf_counter()
    session = Session(synth.volume, seeds, GrowConfig(device="cpu"))
    for _ in session.run():
        pass
    score = segmentation_scores(session.grown, synth.truth)
    print(f"default {score['miou']:.3f} {score['iou']} ({time.perf_counter() - t0:.0f} s)")
    print("notes:", session.history[-1].get("notes"))
    base = session.config
    for overrides in REGROW:
        session.config = base
        score = segmentation_scores(session.regrow(**overrides), synth.truth)
        print(f"{overrides}: {score['miou']:.3f} {score['iou']}")


if __name__ == "__main__":
    main()
