from __future__ import annotations

import numpy as np

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
