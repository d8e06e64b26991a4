from __future__ import annotations

import numpy as np
import pytest

from napari_seisgrow.synthetic import CLASS_NAMES, make_synthetic, seed_inlines, seed_scribbles


def test_deterministic_by_seed():
    a = make_synthetic((16, 20, 48), seed=3)
    b = make_synthetic((16, 20, 48), seed=3)
    c = make_synthetic((16, 20, 48), seed=4)
    np.testing.assert_array_equal(a.volume.data, b.volume.data)
    np.testing.assert_array_equal(a.truth, b.truth)
    assert not np.array_equal(a.volume.data, c.volume.data)


def test_every_facies_present_and_labelled():
    s = make_synthetic((32, 32, 64), seed=0)
    assert s.volume.data.shape == (32, 32, 64) and s.volume.data.dtype == np.float32
    assert s.truth.dtype == np.uint8
    assert set(np.unique(s.truth)) == set(range(1, len(CLASS_NAMES) + 1))
    assert np.isfinite(s.volume.data).all()


def test_facies_differ_in_texture_not_only_amplitude():
    s = make_synthetic((32, 48, 128), seed=1, snr=100.0)
    d, t = s.volume.data, s.truth

    # Thin beds have more zero crossings per sample than massive beds.
    def crossings(c):
        sign = np.signbit(d)
        flips = sign[..., 1:] != sign[..., :-1]
        m = (t[..., 1:] == c) & (t[..., :-1] == c)
        return flips[m].mean()

    assert crossings(1) > 1.5 * crossings(4)

    # Chaotic beds are less continuous trace to trace than thin beds.
    def lateral_corr(c):
        m = (t[:, 1:] == c) & (t[:, :-1] == c)
        a, b = d[:, 1:][m], d[:, :-1][m]
        return np.corrcoef(a, b)[0, 1]

    assert lateral_corr(2) < lateral_corr(1)


def test_noise_level_follows_snr():
    clean = make_synthetic((16, 16, 64), seed=2, snr=1e6).volume.data
    noisy = make_synthetic((16, 16, 64), seed=2, snr=2.0).volume.data
    ratio = np.sqrt(np.mean(clean**2) / np.mean((noisy - clean) ** 2))
    assert 1.5 < ratio < 2.5


def test_seed_simulators_stay_inside_the_truth():
    s = make_synthetic((30, 40, 80), seed=0)
    inl = seed_inlines(s.truth, 2)
    labelled = np.flatnonzero((inl > 0).any(axis=(1, 2)))
    assert labelled.tolist() == [10, 20]
    np.testing.assert_array_equal(inl[10], s.truth[10])
    scr = seed_scribbles(s.truth, n_inlines=3, fraction=0.002, seed=1)
    m = scr > 0
    np.testing.assert_array_equal(scr[m], s.truth[m])
    assert 0.0005 < m.mean() < 0.006
    assert len(np.flatnonzero(m.any(axis=(1, 2)))) == 3
    assert set(np.unique(scr[m])) == set(np.unique(s.truth[[7, 15, 22]]))


@pytest.mark.parametrize("family", ["strata", "bodies", "noisy"])
def test_every_family_is_deterministic_labelled_and_has_a_layering(family):
    import importlib

    make = getattr(importlib.import_module(f"napari_seisgrow.synthetic.{family}"), f"make_{family}")
    a, b = make((12, 20, 48), seed=1), make((12, 20, 48), seed=1)
    np.testing.assert_array_equal(a.volume.data, b.volume.data)
    np.testing.assert_array_equal(a.truth, b.truth)
    assert a.family == family and a.truth.min() >= 1 and int(a.truth.max()) <= len(a.class_names)
    assert a.rgt is not None and a.rgt.shape == a.truth.shape and np.isfinite(a.rgt).all()
    assert len(np.unique(a.truth)) >= 3
    section = make((1, 60, 48), seed=2)  # one inline, as a 2-D SEG-Y line
    assert section.volume.data.shape == (1, 60, 48) and len(np.unique(section.truth)) >= 3


def test_strata_units_share_one_texture_and_small_bodies_are_small():
    from napari_seisgrow.synthetic.bodies import make_bodies
    from napari_seisgrow.synthetic.strata import make_strata

    s = make_strata((24, 40, 96), seed=0)
    x = s.volume.data / np.abs(s.volume.data).max()
    rms = [float(np.sqrt(np.mean(x[s.truth == c] ** 2))) for c in np.unique(s.truth)]
    assert max(rms) / min(rms) < 2.5  # no unit stands out by amplitude alone
    b = make_bodies((24, 40, 96), seed=0)
    shares = np.bincount(b.truth.ravel(), minlength=7)[3:] / b.truth.size
    assert (shares > 0).all() and (shares < 0.06).all()  # bodies are 0.5-5 % each, give or take


def test_bedding_strokes_follow_the_layering():
    from napari_seisgrow.synthetic.strata import make_strata
    from napari_seisgrow.synthetic.strokes import seed_bedding_strokes

    s = make_strata((1, 200, 100), seed=0, fault_throw=0.0)
    seeds = seed_bedding_strokes(s.truth, s.rgt, length=0.2, seed=0)
    painted = seeds > 0
    assert (seeds[painted] == s.truth[painted]).all()  # strokes stay inside their class
    counts = np.bincount(seeds.ravel())[1:]
    present = np.bincount(s.truth.ravel())
    rarest = min((c for c in range(1, len(present)) if present[c]), key=lambda c: present[c])
    assert 0 < counts[rarest - 1] <= np.median(counts[counts > 0])  # the rarest class: one short stroke
    from scipy import ndimage

    per_sample = float(np.median(np.abs(np.diff(s.rgt[0], axis=1))))  # age a sample down
    for c in np.unique(seeds[painted]):  # along the bedding: each trace of a stroke at the same age
        comps, n = ndimage.label(seeds[0] == c)
        for k in range(1, n + 1):
            xs, ts = np.nonzero(comps == k)
            means = [s.rgt[0][x, ts[xs == x]].mean() for x in np.unique(xs)]
            assert np.std(means) < 1.5 * per_sample
