"""Scores of labels against a truth: what the benchmarks and the demo report."""

from __future__ import annotations

import numpy as np


def segmentation_scores(pred: np.ndarray, truth: np.ndarray) -> dict:
    """mIoU over the truth's classes, per-class IoU, pixel accuracy and coverage.

    Unassigned voxels (0) count as wrong: a method is not rewarded for declining to answer.
    """
    classes = [int(c) for c in np.unique(truth) if c > 0]
    ious = {}
    for c in classes:
        p, t = pred == c, truth == c
        union = np.logical_or(p, t).sum()
        ious[c] = float(np.logical_and(p, t).sum() / union) if union else 1.0
    labelled = truth > 0
    return {
        "miou": float(np.mean(list(ious.values()))) if ious else 0.0,
        "iou": {str(c): round(v, 4) for c, v in ious.items()},
        "pixel_accuracy": float((pred[labelled] == truth[labelled]).mean()) if labelled.any() else 0.0,
        "coverage": float((pred > 0).mean()),
    }
