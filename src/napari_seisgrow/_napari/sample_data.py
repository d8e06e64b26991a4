"""npe2 sample data: a small labelled synthetic survey with scribbled seeds and its truth."""

from __future__ import annotations

from typing import Any

from ..synthetic import make_synthetic, seed_scribbles
from .layer_kwargs import image_layer_kwargs, labels_layer_kwargs


def synthetic_sample() -> list[tuple[Any, dict, str]]:
    synth = make_synthetic((64, 96, 160), seed=0)
    geom = synth.volume.geometry
    seeds = seed_scribbles(synth.truth, n_inlines=3, seed=0)
    return [
        (synth.volume.data, image_layer_kwargs(synth.volume, "synthetic seismic"), "image"),
        (seeds, labels_layer_kwargs(geom, "seeds"), "labels"),
        (synth.truth, {**labels_layer_kwargs(geom, "truth"), "visible": False}, "labels"),
    ]
