"""Baselines an interpreter could pick instead of napari-seisgrow, for the accuracy benchmark.

* nearest seed: every voxel takes the label of the closest painted voxel;
* an ilastik-style pixel classifier: a random forest on multi-scale 3-D filter features
  (Gaussian smoothing, gradient magnitude, Laplacian of Gaussian, local energy);
* structural: the nearest seed in the stratigraphic coordinate alone.
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage

SCALES = (1.0, 2.0, 4.0)


def nearest_seed(seeds: np.ndarray) -> np.ndarray:
    _, idx = ndimage.distance_transform_edt(seeds == 0, return_indices=True)
    return seeds[tuple(idx)]


def filter_features(x: np.ndarray, scales=SCALES) -> np.ndarray:
    """(N voxels, F) float32 features of a normalised volume."""
    feats = [x]
    for s in scales:
        feats.append(ndimage.gaussian_filter(x, s))
        feats.append(ndimage.gaussian_gradient_magnitude(x, s))
        feats.append(ndimage.gaussian_laplace(x, s))
        feats.append(ndimage.gaussian_filter(x * x, s))  # local energy
    return np.stack([f.astype(np.float32).ravel() for f in feats], axis=1)


def random_forest(
    x: np.ndarray, seeds: np.ndarray, *, n_estimators: int = 100, seed: int = 0, max_per_class: int = 20000
) -> np.ndarray:
    from sklearn.ensemble import RandomForestClassifier

    feats = filter_features(x)
    flat = seeds.ravel()
    rng = np.random.default_rng(seed)
    idx = []
    for c in np.unique(flat[flat > 0]):
        ix = np.flatnonzero(flat == c)
        if len(ix) > max_per_class:
            ix = rng.choice(ix, max_per_class, replace=False)
        idx.append(ix)
    train = np.concatenate(idx)
    rf = RandomForestClassifier(n_estimators=n_estimators, n_jobs=-1, random_state=seed, min_samples_leaf=2)
    rf.fit(feats[train], flat[train])
    return rf.predict(feats).reshape(seeds.shape).astype(np.uint8)


def nearest_in_coordinate(coordinate: np.ndarray, seeds: np.ndarray) -> np.ndarray:
    """The structural baseline: each voxel takes the class of the seed nearest in ``coordinate``
    alone (the stratigraphic coordinate), wherever that seed is laterally."""
    m = seeds > 0
    order = np.argsort(coordinate[m], kind="stable")
    values, classes = coordinate[m][order], seeds[m][order]
    k = np.clip(np.searchsorted(values, coordinate), 1, max(1, len(values) - 1))
    if len(values) == 1:
        return np.full(seeds.shape, classes[0], np.uint8)
    left = np.abs(coordinate - values[k - 1]) <= np.abs(values[k] - coordinate)
    return classes[np.where(left, k - 1, k)].astype(np.uint8)
