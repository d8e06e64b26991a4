"""What the status line says after each epoch: short enough for the panel, and saying why the labels
cover what they cover (on real data most of a run grows little; the last epoch completes it)."""

from __future__ import annotations

from ..engine.config import GrowConfig
from ..engine.report import EpochReport

STAGES = {
    "warmup": "learning from the seeds",
    "cps": "the two networks teach each other",
    "grow": "training on the grown labels too",
}


def progress_text(report: EpochReport, config: GrowConfig) -> str:
    r = report
    last = r.epoch + 1 >= r.epochs
    lines = [
        f"Epoch {r.epoch + 1}/{r.epochs}: {STAGES.get(r.stage, r.stage)}  "
        f"(loss {r.sup_loss:.4f}, CPS {r.cps_loss:.4f}, {r.seconds:.1f} s)"
    ]
    share = f"labelled {100 * r.labelled_fraction:.1f}%"
    thresholds = "/".join(f"{t:g}" for t in (sorted(set(r.thresholds)) or config.grow_thresholds))
    if last and config.fill_final:
        how = "along the layering" if config.completion == "layers" else "through the networks' agreeing answer"
        lines.append(f"{share}: grown from the seeds, then completed {how}")
    else:
        lines.append(f"{share}: growing only where both networks agree and are confident (≥ {thresholds})")
        if config.fill_final:
            rest = "along the layering" if config.completion == "layers" else "where the networks agree"
            lines.append(f"the last epoch labels the rest {rest}")
    if r.holdout_accuracy is not None:
        lines.append(f"held-out strokes: {100 * r.holdout_accuracy:.1f}% right")
    if r.layering:
        lines.append(r.layering)  # which classes are units, in what order, which are bodies, and why
    return "\n".join(lines)
