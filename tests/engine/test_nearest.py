"""The class of the nearest labelled voxel, from the separable transform that keeps no coordinates."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import ndimage

from napari_seisgrow.engine.nearest import nearest_labels


def _distance_to(mask: np.ndarray, sampling: list[float]) -> np.ndarray:
    return ndimage.distance_transform_edt(~mask, sampling=sampling)


@pytest.mark.parametrize("seed", range(6))
def test_every_voxel_gets_a_class_that_has_a_voxel_at_the_nearest_distance(seed):
    # scipy's transform is the reference for the distances; where two classes are equally near
    # either may be chosen, so the check is that the chosen class is at the nearest distance
    rng = np.random.default_rng(seed)
    shape = tuple(int(n) for n in rng.integers(1, 20, 3))
    labels = np.zeros(shape, np.uint8)
    painted = rng.random(shape) < rng.uniform(0.005, 0.2)
    painted.flat[0] = True
    labels[painted] = rng.integers(1, 5, int(painted.sum()))
    sampling = [0.1 if shape[0] > 1 else 1.0, 0.1 if shape[1] > 1 else 1.0, 1.0]
    got = nearest_labels(labels.copy(), sampling)
    assert (got > 0).all()
    np.testing.assert_array_equal(got[painted], labels[painted])  # labelled voxels keep their class
    nearest = _distance_to(labels > 0, sampling)
    for c in np.unique(got):
        at_c = _distance_to(labels == c, sampling)[got == c]
        np.testing.assert_allclose(at_c, nearest[got == c], rtol=1e-5, atol=1e-6)


def test_the_sampling_decides_which_voxel_is_nearest():
    # class 1 one sample up, class 2 three traces along: with traces ten times cheaper than samples
    # (the completion's layering) class 2 is nearer; with equal steps, class 1
    labels = np.zeros((1, 9, 9), np.uint8)
    labels[0, 4, 3] = 1
    labels[0, 7, 4] = 2
    layered = nearest_labels(labels.copy(), [1.0, 0.1, 1.0])
    even = nearest_labels(labels.copy(), [1.0, 1.0, 1.0])
    assert layered[0, 4, 4] == 2
    assert even[0, 4, 4] == 1


def test_works_in_place_and_leaves_an_empty_volume_empty():
    labels = np.zeros((3, 4, 5), np.uint8)
    assert nearest_labels(labels, [1, 1, 1]) is labels and not labels.any()
    labels[1, 2, 3] = 7
    assert nearest_labels(labels, [1, 1, 1]) is labels
    assert (labels == 7).all()


def test_refuses_what_it_cannot_fill_in_place():
    with pytest.raises(ValueError, match="uint8"):
        nearest_labels(np.zeros((2, 2, 2), np.int32), [1, 1, 1])
    with pytest.raises(ValueError, match="uint8"):
        nearest_labels(np.zeros((2, 4, 2), np.uint8)[:, ::2], [1, 1, 1])
    with pytest.raises(ValueError, match="finite"):
        nearest_labels(np.ones((2, 2, 2), np.uint8), [1, 0.0, 1])


WARM_CHECK = """
import numpy as np
from napari_seisgrow.engine import nearest
from napari_seisgrow.engine._nearest_kernels import one_pass
from napari_seisgrow.engine.layers import fill_along_layers

assert one_pass.signatures == [], one_pass.signatures
thread = nearest.warm_up_in_background()
assert nearest.warm_up_in_background() is thread  # once per process
thread.join(120)
assert not thread.is_alive()
nearest.warm_up()  # raises here what the background one kept quiet, if it failed
warmed = list(one_pass.signatures)
assert len(warmed) == 1, warmed
# a real completion's fill: layered labels with a gap, along a dipping coordinate
tau = (np.arange(40)[None, None, :] + 0.3 * np.arange(24)[None, :, None] + np.zeros((3, 1, 1))).astype(np.float32)
labels = np.where(tau < 18, 1, 2).astype(np.uint8)
labels[:, 8:16, :] = 0
filled = fill_along_layers(labels, tau)
assert (filled > 0).all()
assert list(one_pass.signatures) == warmed, (one_pass.signatures, warmed)
print("ok")
"""


def test_the_warm_up_compiles_the_very_loop_a_completion_then_uses():
    # in a fresh interpreter, so that no earlier test has compiled it: the warm-up must leave the
    # pass ready for the dtypes and layouts of a real fill, or the first run would still load it
    import os
    import subprocess
    import sys

    env = {**os.environ, "NUMBA_DISABLE_JIT": "0"}
    done = subprocess.run([sys.executable, "-c", WARM_CHECK], capture_output=True, text=True, timeout=300, env=env)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().endswith("ok")
