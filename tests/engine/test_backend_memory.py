"""The in-memory backend holds the volume the caller gave it, read normalised, never a copy."""

from __future__ import annotations

import numpy as np
import pytest

from napari_seisgrow.engine import GrowConfig
from napari_seisgrow.engine.backend_memory import InMemory
from napari_seisgrow.engine.data import normalise
from napari_seisgrow.engine.dead import live_samples


def _case(dtype):
    rng = np.random.default_rng(4)
    data = (rng.normal(0, 300, (6, 8, 30))).astype(dtype)
    data[2, 3] = 0  # a dead trace
    data[3, 4, 10] = 0  # a lone zero: a live sample rounded to 0
    seeds = np.zeros(data.shape, np.uint8)
    seeds[1, 1:5, 3:6], seeds[4, 2:6, 20:23] = 1, 2
    return data, seeds


@pytest.mark.parametrize("dtype", [np.float32, np.int16, np.float64])
def test_the_backend_reads_the_callers_volume_normalised_as_the_copy_was(dtype):
    data, seeds = _case(dtype)
    before = data.copy()
    backend = InMemory(data, seeds, GrowConfig(), np.random.default_rng(0))
    want, scale = normalise(data, GrowConfig().clip_percentile)
    assert backend.amplitude_scale == scale
    assert np.shares_memory(backend.x.source, data)  # no copy of the volume is held
    np.testing.assert_array_equal(np.asarray(backend.x), want)  # bit for bit, clipping included
    np.testing.assert_array_equal(backend.x[:, 5], want[:, 5])
    np.testing.assert_array_equal(backend.live, live_samples(want))
    assert not backend.live[2, 3].any() and backend.live[2, 2].all() and backend.live[3, 4, 10]
    np.testing.assert_array_equal(data, before)  # the caller's volume is only read


def test_a_section_is_read_as_a_one_inline_volume():
    data, _ = _case(np.float32)
    section = np.zeros(data.shape[1:], np.uint8)
    section[1:4, 2:5], section[5:7, 20:24] = 1, 2
    backend = InMemory(data[3], section, GrowConfig(), np.random.default_rng(0))
    assert backend.x.shape == (1, 8, 30)
    np.testing.assert_array_equal(backend.x[0], normalise(data[3])[0][0])
