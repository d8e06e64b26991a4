from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from napari_seisgrow.engine.losses import class_weights, cps_loss, focal_loss

L3 = math.log(3.0)


def _logits(rows):
    """(1, K, 1, n) logits from per-pixel rows."""
    return torch.tensor(rows, dtype=torch.float32).T.reshape(1, len(rows[0]), 1, len(rows))


def test_focal_loss_by_hand():
    logits = _logits([[0.0, L3], [0.0, L3], [5.0, 0.0]])  # p = (0.25, 0.75) for the first two
    target = torch.tensor([[[2, 1, 0]]])
    alpha = torch.tensor([2.0, 0.5])
    got = focal_loss(logits, target, gamma=2.0, alpha=alpha)
    a = 0.5 * 0.25**2 * -math.log(0.75)
    b = 2.0 * 0.75**2 * -math.log(0.25)
    assert float(got) == pytest.approx((a + b) / 2, rel=1e-5)


def test_focal_gamma_zero_is_cross_entropy():
    logits = torch.randn(2, 3, 4, 5)
    target = torch.randint(1, 4, (2, 4, 5))
    ce = torch.nn.functional.cross_entropy(logits, target - 1)
    assert float(focal_loss(logits, target, gamma=0.0)) == pytest.approx(float(ce), rel=1e-5)


def test_focal_pixel_weights_and_empty():
    logits = _logits([[0.0, L3]])
    t = torch.tensor([[[2]]])
    full = focal_loss(logits, t, gamma=2.0)
    half = focal_loss(logits, t, gamma=2.0, weight=torch.tensor([[[0.5]]]))
    assert float(half) == pytest.approx(float(full) / 2)
    assert float(focal_loss(logits, torch.zeros_like(t))) == 0.0


def test_cps_loss_by_hand():
    logits = _logits([[0.0, L3], [0.0, L3]])
    other = torch.tensor([[0.9, 0.1], [0.4, 0.6]]).T.reshape(1, 2, 1, 2)
    mask = torch.tensor([[[True, True]]])
    got = cps_loss(logits, other, mask, gamma=2.0, threshold=0.7)
    expected = 0.9 * 0.75**2 * -math.log(0.25) / 2  # second pixel dropped (0.6 < 0.7)
    assert float(got) == pytest.approx(expected, rel=1e-5)
    none = cps_loss(logits, other, torch.zeros_like(mask), gamma=2.0)
    assert float(none) == 0.0
    # a labelled pixel (mask False) still counts in the denominator
    first_only = cps_loss(logits, other, torch.tensor([[[True, False]]]), gamma=2.0, threshold=0.0)
    assert float(first_only) == pytest.approx(expected, rel=1e-5)


def test_cps_has_no_gradient_through_the_target():
    logits = torch.randn(1, 3, 4, 4, requires_grad=True)
    other_logits = torch.randn(1, 3, 4, 4, requires_grad=True)
    loss = cps_loss(logits, torch.softmax(other_logits, 1), torch.ones(1, 4, 4, dtype=torch.bool))
    loss.backward()
    assert logits.grad is not None and other_logits.grad is None


def test_class_weights_inverse_frequency_capped():
    w = class_weights(np.array([100, 10, 0, 1]), max_ratio=10.0)
    assert w[1] == pytest.approx(10 * w[0])
    assert w[3] == pytest.approx(w[1])  # capped at 10x the most frequent class
    assert w[2] == 1.0
    assert np.mean(w[[0, 1, 3]]) == pytest.approx(1.0)
