"""Static pictures of a volume and its labels (matplotlib Agg; no display, no Qt)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure

from ._napari.layer_kwargs import symmetric_clip
from .classes import CLASS_COLOURS
from .io.atomic import atomic_path
from .io.geometry import Geometry


def label_cmap(n_classes: int) -> ListedColormap:
    colours = [CLASS_COLOURS[i % len(CLASS_COLOURS)] if i else "#00000000" for i in range(n_classes + 1)]
    return ListedColormap(colours)


def save_sections(
    path: str | Path,
    data: np.ndarray,
    geometry: Geometry,
    overlays: Sequence[tuple[str, np.ndarray | None]],
    inline_index: int | None = None,
    crossline_index: int | None = None,
) -> Path:
    """One row per section (an inline and a crossline), one column per overlay.

    Overlays are (title, labels) pairs; ``None`` labels shows the seismic alone. Axes carry
    the survey's line numbers and times so the picture reads like an interpretation screen.
    """
    ni, nx, _ = data.shape
    i = ni // 2 if inline_index is None else inline_index
    j = nx // 2 if crossline_index is None else crossline_index
    clip = symmetric_clip(data)
    n_classes = max([int(np.max(lab)) for _, lab in overlays if lab is not None] + [1])
    cmap = label_cmap(n_classes)
    t0, t1 = float(geometry.samples[0]), float(geometry.samples[-1])
    rows = [
        (f"inline {geometry.inlines[i]}", lambda a: a[i], geometry.crosslines, "crossline"),
        (f"crossline {geometry.crosslines[j]}", lambda a: a[:, j], geometry.inlines, "inline"),
    ]
    fig = Figure(figsize=(3.2 * len(overlays), 6.4), dpi=100)
    FigureCanvasAgg(fig)
    axes = fig.subplots(len(rows), len(overlays), squeeze=False)
    for r, (row_title, take, lines, xlabel) in enumerate(rows):
        extent = (float(lines[0]), float(lines[-1]), t1, t0)
        for c, (title, labels) in enumerate(overlays):
            ax = axes[r][c]
            ax.imshow(take(data).T, cmap="gray", vmin=-clip, vmax=clip, aspect="auto", extent=extent)
            if labels is not None:
                lab = np.asarray(take(labels)).T
                ax.imshow(
                    np.ma.masked_equal(lab, 0),
                    cmap=cmap,
                    vmin=0,
                    vmax=n_classes,
                    alpha=0.55,
                    aspect="auto",
                    extent=extent,
                    interpolation="nearest",
                )
            ax.set_title(f"{title}\n{row_title}", fontsize=8)
            ax.set_xlabel(xlabel, fontsize=7)
            ax.set_ylabel(f"{geometry.axis_labels[2]} ({geometry.sample_unit})", fontsize=7)
            ax.tick_params(labelsize=6)
    fig.tight_layout()
    out = Path(path)
    with atomic_path(out) as tmp:
        fig.savefig(tmp, format="png")
    return out
