"""The picture in the user guide of a stroke that ties the stratigraphic coordinate across a fault.

    python docs/tie_picture.py          # writes docs/images/stroke-tie.png

A synthetic strata section with a normal fault whose throw (0.2 of the trace) is more than the
coordinate's correlation looks for; one stroke painted along a bed across the fault, as a brush
drag does (the samples between the two sides painted too).
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from napari_seisgrow.engine.data import normalise
from napari_seisgrow.engine.structure import stratigraphic_coordinate
from napari_seisgrow.engine.ties import control_lines
from napari_seisgrow.synthetic.strata import make_strata

OUT = Path(__file__).resolve().parent / "images" / "stroke-tie.png"


def main() -> None:
    syn = make_strata((1, 200, 160), seed=0, fault_throw=0.2)
    x, _ = normalise(syn.volume.data)
    level = float(np.percentile(syn.rgt, 50))
    seeds = np.zeros(x.shape, np.uint8)
    prev = None
    for j in range(20, 180):
        t = int(np.argmin(np.abs(syn.rgt[0, j] - level)))
        lo, hi = (t, t) if prev is None else (min(t, prev), max(t, prev))
        seeds[0, j, lo - 1 : hi + 2] = 1
        prev = t
    lines = control_lines(seeds, x)
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.5), sharey=True)
    titles = ("coordinate from the amplitudes alone", f"with the stroke as a control line ({len(lines)})")
    for ax, ties, title in zip(axes, (None, lines), titles, strict=True):
        tau = stratigraphic_coordinate(x, ties=ties)[0]
        ax.imshow(x[0].T, cmap="gray", aspect="auto", vmin=-1, vmax=1)
        ax.contour(tau.T, levels=np.arange(0, 200, 8), colors="orange", linewidths=0.6)
        ax.imshow(np.ma.masked_equal(seeds[0].T, 0), cmap="cool", aspect="auto", interpolation="nearest")
        ax.set_title(title)
        ax.set_xlabel("trace")
    axes[0].set_ylabel("sample")
    fig.suptitle("A stroke along a bed across a fault (cyan) ties the coordinate's iso-lines (orange) across it")
    fig.tight_layout()
    fig.savefig(OUT, dpi=70)
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
