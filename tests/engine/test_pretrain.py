"""Self-supervised pretraining: it learns the volume, and its weights carry over into training."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from napari_seisgrow.engine import GrowConfig, Session
from napari_seisgrow.engine.channels import build_channels, compute_strat
from napari_seisgrow.engine.data import normalise
from napari_seisgrow.engine.pretrain import PretrainReport, load_pretrained, mask_traces, pretrain
from napari_seisgrow.io.errors import SeisgrowError

from ..conftest import TINY


def test_masks_blank_runs_of_whole_traces_in_the_amplitude_only():
    x = np.ones((3, 2, 20, 10), np.float32)
    masked, where = mask_traces(x, np.random.default_rng(0), amplitude=0)
    assert where.shape == (3, 20, 10)
    assert (where.all(axis=2) | ~where.any(axis=2)).all()  # whole traces
    assert 0.35 <= where[:, :, 0].mean() <= 0.8
    assert (masked[:, 0][where] == 0).all() and (masked[:, 1] == 1).all()


def _inputs(synth, cfg):
    x, _ = normalise(synth.volume.data)
    return build_channels(cfg.inputs, x, compute_strat(x))


def test_reconstruction_improves_and_weights_carry_over(tiny_synthetic, tiny_seeds):
    cfg = GrowConfig(**{**TINY, "batch_labelled": 4})
    reports, weights = [], None
    for item in pretrain(_inputs(tiny_synthetic, cfg), cfg, 60):
        if isinstance(item, PretrainReport):
            reports.append(item)
        else:
            weights = item
    assert weights is not None and len(weights) == 2
    assert reports[-1].step == 60
    assert np.mean([r.loss for r in reports[-2:]]) < reports[0].loss  # it learns to fill the traces in
    assert not any("head." in k for w in weights for k in w)  # the heads stay fresh
    session = Session(tiny_synthetic.volume, tiny_seeds, cfg, pretrained=weights)
    for net, w in zip(session.nets, weights, strict=True):
        own = net.state_dict()
        for k, v in w.items():
            torch.testing.assert_close(own[k], v)
    assert session.trainer.pretrained


def test_weights_of_other_settings_are_refused(tiny_synthetic, tiny_seeds):
    cfg = GrowConfig(**TINY)
    weights = list(pretrain(_inputs(tiny_synthetic, cfg), cfg, 1))[-1]
    with pytest.raises(SeisgrowError, match="other settings"):
        Session(tiny_synthetic.volume, tiny_seeds, cfg.with_overrides(width=4), pretrained=weights)
    session = Session(tiny_synthetic.volume, tiny_seeds, cfg)
    with pytest.raises(SeisgrowError, match="other settings"):
        load_pretrained(session.nets, [weights[1], weights[0]])  # the views differ: texture vs position


def test_pretrain_steps_run_before_the_first_epoch(tiny_synthetic, tiny_seeds):
    cfg = GrowConfig(**{**TINY, "pretrain_steps": 3, "epochs": 1})
    session = Session(tiny_synthetic.volume, tiny_seeds, cfg)
    before = [p.detach().clone() for p in session.nets[0].parameters()]
    assert not session.trainer.pretrained
    list(session.run())
    assert session.trainer.pretrained and session.trainer.pretrain_info.startswith("pretrained 3 steps")
    assert any(not torch.equal(a, b) for a, b in zip(before, session.nets[0].parameters(), strict=True))
