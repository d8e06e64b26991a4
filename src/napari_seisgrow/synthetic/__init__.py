"""Labelled synthetic seismic volumes with exact ground truth, and seed simulators.

Several structurally different families, so that the method is never judged on the one it was
built with: ``facies`` (units of different texture, a fault, a channel: the sample data),
``strata`` (units of the same texture told apart only by their position between reflectors),
``bodies`` (small channels, lobes, mounds and mass-transport deposits in layered host rock) and
``noisy`` (low signal-to-noise with amplitude trends). Each is deterministic by seed.
"""

from .common import AMPLITUDE_SCALE, Synthetic, ricker
from .facies import CHANNEL, CLASS_NAMES, make_synthetic
from .strokes import inline_positions, seed_inlines, seed_scribbles

__all__ = [
    "AMPLITUDE_SCALE",
    "CHANNEL",
    "CLASS_NAMES",
    "Synthetic",
    "inline_positions",
    "make_synthetic",
    "ricker",
    "seed_inlines",
    "seed_scribbles",
]
