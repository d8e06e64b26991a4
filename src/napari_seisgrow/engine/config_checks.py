"""The checks every setting passes when a GrowConfig is made or changed: types, bounds, choices.

Read from each field's own tags (``config._knob``), so a new setting is checked as soon as it is
declared; kept apart from the declarations so each file reads as one thing.
"""

from __future__ import annotations

from dataclasses import MISSING, fields
from typing import Any

from ..io.errors import SeisgrowError

ORIENTATIONS = ("inline", "crossline", "time")
INPUTS = ("amplitude", "strat", "depth")


def _default(f: Any) -> Any:
    return f.default if f.default is not MISSING else f.default_factory()


def check_settings(config: Any) -> None:
    """Raise a one-line SeisgrowError for the first setting of ``config`` (a GrowConfig) that is
    of the wrong type, out of its bounds or not among its choices; whole numbers given for a
    decimal setting become decimals."""
    for f in fields(config):
        v = getattr(config, f.name)
        want = type(_default(f))
        if want is float and isinstance(v, int) and not isinstance(v, bool):
            v = float(v)
            setattr(config, f.name, v)
        if not isinstance(v, want) or (want is int and isinstance(v, bool)):
            raise SeisgrowError(f"{f.name} must be a {want.__name__}; got {v!r}")
    bad_inputs = [i for i in config.inputs if i not in INPUTS]
    if bad_inputs or not config.inputs or len(set(config.inputs)) != len(config.inputs):
        raise SeisgrowError(f"inputs must be distinct names among {', '.join(INPUTS)}; got {config.inputs}")
    bad = [o for o in config.orientations if o not in ORIENTATIONS]
    if bad or not config.orientations:
        raise SeisgrowError(f"orientations must be among {', '.join(ORIENTATIONS)}; got {config.orientations}")
    if len(config.patch_size) != 2 or not all(isinstance(p, int) and p >= 8 for p in config.patch_size):
        raise SeisgrowError(f"patch_size must be two whole sizes of at least 8; got {config.patch_size}")
    if not all(k in ("auto", "unit", "body") for k in config.class_kinds):
        raise SeisgrowError(f"class_kinds must each be auto, unit or body; got {config.class_kinds}")
    thresholds = config.grow_thresholds
    if not thresholds or not all(isinstance(t, (int, float)) and 0.0 <= t <= 1.0 for t in thresholds):
        raise SeisgrowError(f"grow_thresholds must lie in 0..1; got {thresholds}")
    for f in fields(config):
        lo, hi = f.metadata.get("min"), f.metadata.get("max")
        v = getattr(config, f.name)
        if (lo is not None and v < lo) or (hi is not None and v > hi):
            raise SeisgrowError(f"{f.name} = {v} is out of range ({lo}..{hi})")
        choices = f.metadata.get("choices")
        if choices and v not in choices:
            raise SeisgrowError(f"{f.name} must be one of {', '.join(choices)}; got {v!r}")
