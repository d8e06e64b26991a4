"""Before/after pictures of real F3 sections (no truth: judged by eye against the reflectors).

    .venv/bin/python docs/f3_pictures.py                    # the three sections in docs/benchmarks.md
    .venv/bin/python docs/f3_pictures.py --sections f3_inline_230 --epochs 4   # a quick look

An interpreter's strokes, made the way one paints them: for each unit (between boundaries picked
by eye on the middle trace of the section, listed below), two strokes along the bedding at a
quarter and at two thirds of the section's width, each 8 % of the width long and three samples
thick. "Before" is the method without the stratigraphic coordinate (amplitude input, completion
through agreeing argmax only: the default until this change); "after" is the default now. Writes
``docs/images/f3_<section>.png`` and prints one JSON line per run (coverage, seconds).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SECTIONS = ROOT.parent / "shared" / "data" / "f3-sections"
# unit boundaries (samples on the section's middle trace), picked by eye at prominent reflectors
BOUNDARIES = {
    "f3_inline_230": [70, 130, 190, 265, 300, 335, 415],
    "f3_inline_708": [75, 125, 165, 270, 320, 360, 440],
    "f3_crossline_627": [70, 150, 205, 265, 300, 350, 400],
}


def strokes_along_bedding(tau: np.ndarray, live: np.ndarray, boundaries: list[int], length: float = 0.08):
    """Two strokes per unit along iso-lines of ``tau`` (a section, (traces, samples))."""
    n, nt = tau.shape
    mid = int(np.flatnonzero(live)[len(np.flatnonzero(live)) // 2])
    cuts = [float(tau[mid, b]) for b in boundaries]
    levels = [0.5 * (a + b) for a, b in zip([float(tau[mid, 2]), *cuts], [*cuts, float(tau[mid, nt - 3])], strict=True)]
    seeds = np.zeros((n, nt), np.uint8)
    half = max(3, int(length * live.sum() / 2))
    traces = np.flatnonzero(live)
    for k, level in enumerate(levels, start=1):
        for where in (0.25, 0.7):
            centre = traces[int(where * (len(traces) - 1))]
            for x in range(max(0, centre - half), min(n, centre + half)):
                if not live[x]:
                    continue
                t = int(np.argmin(np.abs(tau[x] - level)))
                seeds[x, max(0, t - 1) : t + 2] = k
    return seeds


def run(volume, seeds, overrides: dict, epochs: int | None):
    from napari_seisgrow.engine import GrowConfig, Session

    cfg = GrowConfig().with_overrides(**overrides, **({"epochs": epochs} if epochs else {}))
    t0 = time.perf_counter()
    session = Session(volume, seeds, cfg)
    for _ in session.run():
        pass
    return session, time.perf_counter() - t0


def main() -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    import napari_seisgrow as sg
    from napari_seisgrow.engine.channels import strat_for_volume

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sections", nargs="+", default=list(BOUNDARIES), choices=list(BOUNDARIES))
    ap.add_argument("--epochs", type=int, default=None)
    ap.add_argument("--out", default=str(ROOT / "docs" / "images"))
    args = ap.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for name in args.sections:
        volume = sg.load_volume(SECTIONS / f"{name}.sgy")
        data = volume.data
        axis = 0 if data.shape[0] > 1 else 1  # a crossline file is (inlines, 1, samples)
        section = data[:, 0] if axis == 0 else data[0]
        live = np.abs(section).max(axis=1) > 0
        grid = strat_for_volume(data)
        tau = grid.full()
        tau2 = tau[:, 0] if axis == 0 else tau[0]
        seeds2 = strokes_along_bedding(tau2, live, BOUNDARIES[name])
        seeds = seeds2[:, None] if axis == 0 else seeds2[None]
        earlier = {"inputs": ["amplitude"], "completion": "connected", "grow_envelope": 0.0,
                   "layer_claims": "off"}  # the suite's no-structure
        before, t_before = run(volume, seeds, earlier, args.epochs)
        after, t_after = run(volume, seeds, {}, args.epochs)
        for label, s, secs in (("before", before, t_before), ("after", after, t_after)):
            row = {"section": name, "run": label, "coverage": round(float((s.grown > 0).mean()), 3),
                   "seconds": round(secs, 1), "seeded": round(float((seeds > 0).mean()), 4)}  # fmt: skip
            print(json.dumps(row), flush=True)

        def flat(a, axis=axis):
            return a[:, 0] if axis == 0 else a[0]

        c = float(np.percentile(np.abs(section), 99))
        fig, ax = plt.subplots(4, 1, figsize=(12, 17), sharex=True)
        k = int(seeds.max())
        cmap = plt.get_cmap("tab10", 10)
        for a in ax:
            a.imshow(section.T, cmap="gray", vmin=-c, vmax=c, aspect="auto", interpolation="bilinear")
        painted = np.ma.masked_equal(seeds2, 0)
        ax[0].imshow(painted.T, cmap=cmap, vmin=0.5, vmax=10.5, aspect="auto", interpolation="nearest")
        share = 100 * float((seeds > 0).mean())
        ax[0].set_title(f"{name}: strokes along the bedding, {k} units ({share:.1f} % of pixels)")
        for a, s, title in ((ax[1], before, "before: amplitude only"), (ax[2], after, "after: the default now")):
            g = np.ma.masked_equal(flat(np.asarray(s.grown)), 0)
            a.imshow(g.T, cmap=cmap, vmin=0.5, vmax=10.5, aspect="auto", alpha=0.45, interpolation="nearest")
            a.set_title(f"{title} ({100 * float((s.grown > 0).mean()):.0f} % labelled)")
        stripes = (np.floor(tau2 / 8) % 2).T
        ax[3].imshow(stripes, cmap="coolwarm", aspect="auto", alpha=0.35, interpolation="nearest")
        ax[3].set_title("the stratigraphic coordinate the method uses (stripes every 8 samples of it)")
        for a in ax:
            a.set_ylabel("sample")
        ax[-1].set_xlabel("trace")
        fig.tight_layout()
        fig.savefig(out / f"{name}.png", dpi=60)
        plt.close(fig)


if __name__ == "__main__":
    main()
