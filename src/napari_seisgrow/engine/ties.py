"""Strokes painted along a reflector, as control lines for the stratigraphic coordinate.

A stroke that follows a reflector holds one geologic time, and one that follows it across a
fault ties the two sides: the interpreter sees the unit jump where the coordinate did not. Such
a stroke becomes a control line of the coordinate's least-squares solve (``structure.py``), as
control points do in horizon extraction (Wu & Fomel 2018). A stroke that crosses reflectors (a
scribble painted at an angle, or down a trace) says nothing about geologic time and is left out:
a stroke is a control line only when, between its jumps, it follows the local dips.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from scipy import ndimage

from .channels import StratGrid, compute_strat
from .config import GrowConfig
from .dips import StructureSettings, reflector_dips

MIN_TRACES = 12  # a control line spans at least this many traces
MAX_THICKNESS = 7  # samples per trace: thicker is a patch, not a line
MAX_DRIFT = 3.0  # samples: how far a short stroke may drift across the reflectors between its jumps
DRIFT_PER_TRACE = 0.05  # ...and a long one, per trace (measured dips are biased by about a tenth of a sample)
MAX_RESIDUAL = 0.3  # samples per trace: mean departure from the local dip between jumps
JUMP = 1.5  # samples per trace: a step larger than this is a jump (a fault the stroke crosses)
MAX_JUMPS = 3  # fault zones a control line may cross
JUMP_ZONE = 5  # traces: jumps closer than this are one fault zone


def _line_of(points: np.ndarray, axis: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per trace along ``axis``: its position, the stroke's centre sample and thickness there."""
    pos = points[:, axis]
    traces, inverse, counts = np.unique(pos, return_inverse=True, return_counts=True)
    centre = np.bincount(inverse, weights=points[:, 2]) / counts
    return traces, centre, counts


def follows_reflector(traces: np.ndarray, centre: np.ndarray, thickness: np.ndarray, dip: np.ndarray) -> bool:
    """Whether a stroke's centre line runs along the reflectors: contiguous traces, thin, and
    between at most a few jumps each step matching the local dip (``dip`` per trace)."""
    if len(traces) < MIN_TRACES or np.median(thickness) > MAX_THICKNESS:
        return False
    if np.any(np.diff(traces) > 2):  # a gap: two strokes, not one line
        return False
    step = np.diff(centre) / np.diff(traces)
    residual = step - 0.5 * (dip[1:] + dip[:-1])
    jumps = np.abs(residual) > JUMP
    at = traces[1:][jumps]
    if at.size and 1 + int((np.diff(at) > JUMP_ZONE).sum()) > MAX_JUMPS:  # jumps a few traces apart: one fault zone
        return False
    calm = residual[~jumps]
    drift = max(MAX_DRIFT, DRIFT_PER_TRACE * len(traces))
    return bool(calm.size and np.abs(calm).mean() <= MAX_RESIDUAL and abs(calm.sum()) <= drift)


def control_lines(seeds: np.ndarray, amplitudes: Any, settings: StructureSettings | None = None) -> list[np.ndarray]:
    """The strokes of ``seeds`` that follow a reflector, each as ``(traces, 3)`` points (inline,
    crossline, centre sample) in lateral order. Strokes are connected components of one class
    on one inline or crossline; dips are measured on that section alone."""
    seeds = np.asarray(seeds)
    settings = settings or StructureSettings()
    lines: list[np.ndarray] = []
    dips_of: dict[tuple[int, int], np.ndarray] = {}
    for c in np.unique(seeds[seeds > 0]):
        comp, _ = ndimage.label(seeds == c, structure=np.ones((3, 3, 3), bool))
        for k, where in enumerate(ndimage.find_objects(comp), start=1):
            if where is None:
                continue
            box = comp[where] == k
            pts = np.argwhere(box) + np.array([s.start for s in where])
            for axis, fixed in ((1, 0), (0, 1)):  # along the crossline axis on an inline, and the reverse
                if len(np.unique(pts[:, fixed])) != 1 or seeds.shape[axis] < MIN_TRACES:
                    continue
                index = int(pts[0, fixed])
                if (fixed, index) not in dips_of:
                    where = tuple(slice(index, index + 1) if k == fixed else slice(None) for k in range(3))
                    section = np.array(amplitudes[where], np.float32)  # a copy of one section, not of the volume
                    dips_of[(fixed, index)] = reflector_dips(section, settings)[0][0].squeeze(fixed)
                dip_field = dips_of[(fixed, index)]  # (traces along axis, samples)
                traces, centre, thickness = _line_of(pts, axis)
                t = np.clip(np.rint(centre).astype(np.int64), 0, seeds.shape[2] - 1)
                if follows_reflector(traces, centre, thickness, dip_field[traces, t]):
                    line = np.zeros((len(traces), 3))
                    line[:, axis], line[:, fixed], line[:, 2] = traces, index, centre
                    lines.append(line)
                break
    return lines


def coordinate_for(
    x: Any, train_seeds: Any, config: GrowConfig, strat: StratGrid | None, device: torch.device
) -> tuple[StratGrid | None, list[np.ndarray], str]:
    """The coordinate a run starts with, its control lines and a note: ``strat`` when it was made
    for this volume without strokes to follow, else solved now if the settings need it (None
    until something asks, otherwise)."""
    if strat is not None and tuple(strat.shape) != tuple(x.shape):
        strat = None  # made for another volume: solve it again
    ties = control_lines(train_seeds, x) if config.stroke_ties else []
    note = ""
    if ties:
        strat = None  # solved without the strokes (while they were painted): solve again with them
        note = f"the stratigraphic coordinate follows {len(ties)} stroke(s) painted along reflectors"
    if strat is None and config.needs_strat:
        strat = compute_strat(x, device=device, ties=ties)
    return strat, ties, note
