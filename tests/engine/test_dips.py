"""The lag search keeps only the best shift as it goes, a slab of inlines at a time: the same answer
as scoring every candidate of every trace pair at once, bit for bit, with one candidate's scores of
one slab in memory instead of all of them."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from napari_seisgrow.engine import dips
from napari_seisgrow.engine.dips import LAG_MIN_CORRELATION, MAX_THROW_SAMPLES, StructureSettings, lag_shifts
from napari_seisgrow.synthetic.strata import make_strata


def _every_candidate_at_once(x, axis, lag, predicted, s):
    """The search as it was: every candidate's score stacked, then the maximum and its neighbours."""
    n, nt = x.shape[axis], x.shape[2]
    xt = torch.from_numpy(np.ascontiguousarray(x, dtype=np.float32))
    a, b = xt.narrow(axis, 0, n - lag).reshape(-1, nt), xt.narrow(axis, lag, n - lag).reshape(-1, nt)
    base = torch.from_numpy(np.ascontiguousarray(predicted, dtype=np.float32)).reshape(-1, nt).round()
    reach = max(2, int(min(s.max_throw * nt, MAX_THROW_SAMPLES)))
    ea, eb = dips._smooth_t(a * a, s.lag_window), dips._smooth_t(b * b, s.lag_window)
    t = torch.arange(nt, dtype=torch.float32).expand_as(a)
    scores = []
    for d in range(-reach, reach + 1):
        pos = t + base + d
        valid = (pos >= 0) & (pos <= nt - 1)
        idx = pos.clamp(0, nt - 1).long()
        num = dips._smooth_t(a * (torch.gather(b, 1, idx) * valid), s.lag_window)
        scores.append(num / torch.sqrt(ea * torch.gather(eb, 1, idx) + 1e-12) - 3.0 * (~valid))
    stack = torch.stack(scores)
    best, k = stack.max(dim=0)
    left = torch.gather(stack, 0, (k - 1).clamp(min=0)[None])[0]
    right = torch.gather(stack, 0, (k + 1).clamp(max=2 * reach)[None])[0]
    denom = left - 2 * best + right
    inner = (k > 0) & (k < 2 * reach) & (denom < -1e-6)
    offset = torch.where(inner, 0.5 * (left - right) / torch.where(inner, denom, -torch.ones_like(denom)), 0.0)
    shift = base + (k - reach).float() + offset.clamp(-0.5, 0.5)
    quality = ((best - LAG_MIN_CORRELATION) / (1 - LAG_MIN_CORRELATION)).clamp(0.0, 1.0) ** 2
    return shift.numpy().reshape(-1), quality.numpy().reshape(-1)


@pytest.mark.parametrize("slab", [4096, 130])  # one slab; slabs of 3 inlines, the last one short
def test_the_running_search_finds_what_scoring_every_candidate_finds(monkeypatch, slab):
    monkeypatch.setattr(dips, "LAG_SLAB_TRACES", slab)
    x = make_strata((6, 40, 96), seed=2).volume.data.astype(np.float32)
    s = StructureSettings()
    for axis, lag, offset in ((1, 8, 0.0), (0, 2, 0.0), (1, 4, 30.0)):  # 30: the true shifts lie at the search's edge
        shape = list(x.shape)
        shape[axis] -= lag
        predicted = np.full(shape, offset, np.float32)
        shift, quality = lag_shifts(x, axis, lag, predicted, s)
        want_shift, want_quality = _every_candidate_at_once(x, axis, lag, predicted, s)
        np.testing.assert_array_equal(shift.reshape(-1), want_shift)
        np.testing.assert_array_equal(quality.reshape(-1), want_quality)
