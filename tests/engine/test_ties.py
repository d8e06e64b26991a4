"""Strokes along reflectors as control lines of the stratigraphic coordinate."""

from __future__ import annotations

import numpy as np
import pytest

from napari_seisgrow.engine.channels import compute_strat
from napari_seisgrow.engine.structure import stratigraphic_coordinate
from napari_seisgrow.engine.ties import control_lines, follows_reflector
from napari_seisgrow.synthetic.common import ricker

NX, NT, THROW, FAULT = 160, 200, 40, 80  # the right block lies 40 samples deeper: beyond the correlation's search


def _faulted_section() -> tuple[np.ndarray, np.ndarray]:
    """A section of flat beds cut by a vertical fault at trace 80; the right block 40 samples down.
    Returns the amplitudes (1, NX, NT) and each voxel's true geologic time (samples on the left)."""
    rng = np.random.default_rng(4)
    reflectivity = rng.standard_normal(NT + THROW) * (rng.random(NT + THROW) < 0.3)
    trace = np.convolve(reflectivity, ricker(30.0, 4.0), mode="same").astype(np.float32)
    x = np.empty((1, NX, NT), np.float32)
    age = np.empty((1, NX, NT), np.float32)
    t = np.arange(NT, dtype=np.float32)
    for j in range(NX):
        shift = THROW if j >= FAULT else 0
        x[0, j] = trace[THROW - shift : THROW - shift + NT]
        age[0, j] = t - shift
    x /= np.abs(x).max()
    return x, age


def _stroke_along(age: np.ndarray, level: float, traces: range, connect: bool = True) -> np.ndarray:
    """Painted as a brush drag along the bed of ``level``: three samples thick, and where the bed
    jumps (at the fault) the drag paints the samples in between."""
    seeds = np.zeros(age.shape, np.uint8)
    prev = None
    for j in traces:
        t = int(np.argmin(np.abs(age[0, j] - level)))
        lo, hi = (t, t) if prev is None or not connect else (min(t, prev), max(t, prev))
        seeds[0, j, max(0, lo - 1) : hi + 2] = 1
        prev = t
    return seeds


def _along(tau: np.ndarray, age: np.ndarray, level: float) -> np.ndarray:
    t = np.argmin(np.abs(age[0] - level), axis=1)
    return tau[0, np.arange(NX), t]


def test_only_strokes_that_follow_the_dips_are_control_lines():
    traces = np.arange(40)
    flat = np.zeros(40)
    assert follows_reflector(traces, 100 + 0.5 * traces, np.full(40, 3), np.full(40, 0.5))  # along a dipping bed
    assert not follows_reflector(traces, 100 + 0.8 * traces, np.full(40, 3), flat)  # a scribble across flat beds
    assert not follows_reflector(traces[:8], 100 + flat[:8], np.full(8, 3), flat[:8])  # too short to say
    assert not follows_reflector(traces, 100 + flat, np.full(40, 20), flat)  # a patch, not a line
    with_jump = 100 + np.where(traces >= 20, 30.0, 0.0)
    assert follows_reflector(traces, with_jump, np.full(40, 3), flat)  # one fault crossed
    many = 100 + 30.0 * (traces // 8)
    assert not follows_reflector(traces, many, np.full(40, 3), flat)  # a staircase is not a bed


def test_a_stroke_across_a_fault_ties_its_two_sides():
    x, age = _faulted_section()
    level = 100.0
    seeds = _stroke_along(age, level, range(30, 130))
    lines = control_lines(seeds, x)
    assert len(lines) == 1
    free = stratigraphic_coordinate(x)
    tied = stratigraphic_coordinate(x, ties=lines)
    before, after = _along(free, age, level), _along(tied, age, level)
    jump = lambda v: abs(np.median(v[FAULT + 10 : FAULT + 40]) - np.median(v[FAULT - 40 : FAULT - 10]))  # noqa: E731
    assert jump(before) > 10  # the solve alone cannot see a 40-sample throw...
    assert jump(after) < 3  # ...the stroke ties the two sides
    assert np.percentile(after[35:125], 95) - np.percentile(after[35:125], 5) < 4  # nearly constant along it


def test_scribbles_across_the_beds_are_not_control_lines():
    x, _ = _faulted_section()
    seeds = np.zeros(x.shape, np.uint8)
    for j in range(20, 60):
        seeds[0, j, 60 + j : 63 + j] = 1  # one sample down per trace: across the flat beds
    assert control_lines(seeds, x) == []


@pytest.mark.parametrize("shape", [(1, NX, NT), (NX, 1, NT)])
def test_control_lines_are_found_on_inlines_and_crosslines_and_reach_a_decimated_grid(shape):
    x, age = _faulted_section()
    x, age = x.reshape(shape), age.reshape(shape)
    seeds = _stroke_along(age.reshape(1, NX, NT), 100.0, range(30, 130)).reshape(shape)
    lines = control_lines(seeds, x)
    assert len(lines) == 1
    grid = compute_strat(x, max_voxels=NX * NT // 3, ties=lines)  # decimated laterally
    assert max(grid.step) > 1
    tau = grid.full().reshape(1, NX, NT)
    after = _along(tau, age.reshape(1, NX, NT), 100.0)
    assert abs(np.median(after[FAULT + 10 : FAULT + 40]) - np.median(after[FAULT - 40 : FAULT - 10])) < 3


def test_a_session_with_stroke_ties_solves_its_coordinate_through_the_strokes():
    from napari_seisgrow.engine import GrowConfig, Session

    from ..conftest import TINY

    x, age = _faulted_section()
    seeds = _stroke_along(age, 100.0, range(30, 130))
    seeds[0, 20:60, 20:40] = 2  # a patch of another class, 20 samples thick: not a line
    cfg = GrowConfig(**{**TINY, "epochs": 1, "stroke_ties": True})
    session = Session(x, seeds, cfg)
    assert len(session.ties) == 1
    report = next(iter(session.run()))
    assert any("follows 1 stroke(s) painted along reflectors" in n for n in report.notes)
    after = _along(session.strat.full(), age, 100.0)
    assert abs(np.median(after[FAULT + 10 : FAULT + 40]) - np.median(after[FAULT - 40 : FAULT - 10])) < 3
    assert Session(x, seeds, cfg.with_overrides(stroke_ties=False)).ties == []
