"""One factory opens every run: in memory where the volume fits, blockwise where it does not."""

from __future__ import annotations

import numpy as np
import pytest

from napari_seisgrow.engine import Blockwise, GrowConfig, OnDisk, Session, memory, open_session
from napari_seisgrow.io.errors import SeisgrowError
from tests.conftest import TINY


def test_the_memory_estimate_chooses_the_session(tiny_synthetic, tiny_seeds, tmp_path, monkeypatch):
    cfg = GrowConfig(**{**TINY, "holdout_fraction": 0.0})
    assert type(open_session(tiny_synthetic.volume, tiny_seeds, cfg)) is Session
    monkeypatch.setattr(memory, "available_memory", lambda: 1000)  # a machine with 1 kB free
    with pytest.raises(SeisgrowError, match="work folder"):
        open_session(tiny_synthetic.volume, tiny_seeds, cfg)
    session = open_session(tiny_synthetic.volume.data, np.asarray(tiny_seeds), cfg, work=Blockwise(tmp_path / "w"))
    assert isinstance(session.backend, OnDisk)
    forced = open_session(tiny_synthetic.volume, tiny_seeds, cfg, blockwise=False)  # the caller decided
    assert type(forced) is Session
