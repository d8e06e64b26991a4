"""Every knob of the method, as one dataclass that the CLI, the widget and the JSON files share.

Defaults aim at good labels quickly on a laptop (a CPU included) for geology in general: a
moderate neighbourhood so growth can bridge a noisy voxel but not jump between bodies, thresholds
that keep growth to confident voxels, and enough epochs for the label-update stage to run.
"""

from __future__ import annotations

import json
from dataclasses import MISSING, asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from ..io.errors import SeisgrowError
from .config_checks import check_settings

SAVED_BEFORE_STRUCTURE = ("fill_final", "max_reach", "seed", "grow_radius", "orientations")  # a whole old record
STAGES = ("warmup", "cps", "grow")
CONTINUE_LR = 1.0  # a full restart: measured best on the tuned families (docs/benchmarks.md, "Continue")


GROUPS = ("basic", "advanced", "expert")
"""Where a setting is offered: the panel's basic and advanced sections, or (expert) only on the
command line (``seisgrow grow --help`` lists every setting) and in settings files."""


def _knob(default: Any, help: str, group: str = "expert", **extra: Any) -> Any:
    """A setting: its default, what it is for (``help``), where it is offered (``GROUPS``) and, in
    ``extra``, its bounds (``min``, ``max``), ``choices``, ``zero`` (what 0 means, shown in the
    panel's box) and ``regrow=True`` where it changes only the last growth (``LAST_GROWTH``). The
    panel, the command line and the benchmarks read these tags; none keeps its own list."""
    meta = {"help": help, "group": group, **extra}
    if isinstance(default, (list, tuple, dict)):
        return field(default_factory=lambda: type(default)(default), metadata=meta)
    return field(default=default, metadata=meta)


@dataclass
class GrowConfig:
    # schedule
    epochs: int = _knob(16, "total epochs", min=1, group="basic")
    warmup_epochs: int = _knob(3, "E1: supervised warm-up epochs (labelled pixels only)", min=0, group="advanced")
    cps_epochs: int = _knob(
        3, "E2 - E1: cross pseudo supervision epochs before label updates start", min=0, group="advanced"
    )
    label_updates: bool = _knob(
        True,
        "stage 3: from epoch E2 the networks also train on their grown labels; off keeps the seeds and the CPS term "
        "alone to the end (an ablation: the CPS ramp is the same either way)",
    )
    steps_per_epoch: int = _knob(24, "optimiser steps per epoch", min=1, group="advanced")
    batch_labelled: int = _knob(8, "patches per step from sections with labels", min=1)
    batch_unlabelled: int = _knob(4, "patches per step from anywhere (for the CPS term)", min=0)
    patch_size: list[int] = _knob([64, 96], "patch size (lateral, samples); clipped to the section")
    orientations: list[str] = _knob(
        ["inline", "crossline"], "section orientations: inline, crossline, time", group="advanced"
    )
    # what the networks see
    inputs: list[str] = _knob(
        ["amplitude", "strat"],
        "network inputs: amplitude, strat (the stratigraphic coordinate: position along the layering), "
        "depth (the plain sample position)",
    )
    views: str = _knob(
        "split",
        "same: both networks read every input; split: the first reads amplitude alone, the second every input "
        "(two views teach each other: texture and position)",
        choices=("same", "split"),
        group="advanced",
    )
    pretrain_steps: int = _knob(
        0,
        "self-supervised steps before training (masked-trace reconstruction on the unlabelled volume); "
        "the widget runs them in the background while you paint",
        min=0,
        group="expert",
    )
    # networks and optimiser
    depth: int = _knob(4, "U-Net levels (each halves the resolution)", min=1, max=6)
    width: int = _knob(16, "channels of the first U-Net level (doubles per level)", min=4)
    norm: str = _knob("batch", "normalisation layers: batch or group", choices=("batch", "group"))
    lr: float = _knob(2e-3, "Adam learning rate", min=0.0, group="advanced")
    weight_decay: float = _knob(1e-4, "Adam weight decay", min=0.0)
    lr_schedule: str = _knob(
        "cosine",
        "cosine: decay to 5% of lr over the run (steadier final labels); constant",
        choices=("cosine", "constant"),
    )
    continue_lr: float = _knob(
        CONTINUE_LR,
        "cosine: a run continued with new strokes starts a cycle of its own over its added epochs, from this share "
        "of lr down to 5%",
        min=0.05,
        max=1.0,
        group="advanced",
    )
    ema: float = _knob(
        0.0,
        "labels come from a slowly averaged copy of each network (decay per step; 0 = off): steadier pseudo labels",
        min=0.0,
        max=0.9999,
        group="advanced",
    )
    # loss
    focal_gamma: float = _knob(2.0, "focal loss gamma", min=0.0, group="advanced")
    class_balance: str = _knob(
        "batch",
        "alpha_c by inverse labelled frequency: in each batch (batch: counts what the loss sees, after the "
        "class-balanced sampling), over all training labels (labels), or none",
        choices=("batch", "labels", "none"),
        group="advanced",
    )
    max_class_weight: float = _knob(3.0, "cap on the ratio between class weights", min=1.0)
    cps_class_weights: bool = _knob(
        False,
        "also weight the CPS term by alpha_c (off: upweighting rare pseudo labels makes them spread)",
        group="advanced",
    )
    cps_weight: float = _knob(1.0, "lambda: weight of the CPS term after its ramp", min=0.0, group="advanced")
    confidence_threshold: float = _knob(
        0.7, "CPS pixels whose pseudo label is less confident than this are dropped", min=0.0, max=1.0, group="advanced"
    )
    # region growing
    grow_thresholds: list[float] = _knob(
        [0.6],
        "per-class probability thresholds t_c (a shorter list repeats its last value)",
        group="advanced",
        regrow=True,
    )
    grow_radius: int = _knob(
        1,
        "neighbourhood radius r in voxels (box); 1 = 26-connected, one connected-components pass; "
        "larger radii jump gaps, stepping through dilations",
        min=1,
        group="advanced",
        regrow=True,
    )
    max_reach: int = _knob(
        1024,
        "maximum growth distance, in voxels: at radius 1 a straight-line (Chebyshev) distance from the class's "
        "labelled voxels; at larger radii a number of growth steps times the radius",
        min=1,
        group="advanced",
        regrow=True,
    )
    grow_envelope: float = _knob(
        10.0,
        "a class grows only within this many samples (of the stratigraphic coordinate) of the interval its "
        "strokes span; 0 = anywhere",
        min=0.0,
        group="advanced",
        regrow=True,
    )
    envelope_kinds: str = _knob(
        "all",
        "which classes the growth envelope holds: all, or units only (a body cuts across units, so texture alone "
        "decides where it goes)",
        choices=("all", "units"),
        group="advanced",
        regrow=True,
    )
    envelope_in_training: bool = _knob(
        False,
        "the growth envelope also holds the labels the networks train on (and the labels shown between epochs); "
        "off (the default) = it holds the final labels only, so a class the networks find outside its painted "
        "interval is trained there too (better on the synthetic suite, docs/benchmarks.md)",
        group="expert",
    )
    layer_claims: str = _knob(
        "off",
        "for the final labels: nearest = a class grows only where its strokes are the nearest in the "
        "stratigraphic coordinate, so a boundary between units painted one above the other lies no further than "
        "halfway between their strokes and thick units do not grow over a thin one; painted = a class only keeps "
        "out of the interval another class's strokes span; off (the default: on unseen volumes neither rule was a "
        "reliable gain)",
        choices=("off", "painted", "nearest"),
        group="advanced",
        regrow=True,
    )
    stroke_ties: bool = _knob(
        False,
        "strokes painted along a reflector (thin, a dozen traces or more, following the dips between fault jumps) "
        "hold the stratigraphic coordinate to one geologic time, and one across a fault ties its sides",
        group="advanced",
    )
    unit_model: str = _knob(
        "layered",
        "for the final labels: layered = classes that are stratigraphic units are labelled as ordered layers whose "
        "boundaries follow the stratigraphic coordinate, placed from the strokes on both sides on a reflector "
        "between them and moved onto it where the coordinate drifts (units keep their order on every trace; "
        "bodies keep the networks' labels); off = every class as the networks and the completion label it",
        choices=("layered", "off"),
        group="advanced",
        regrow=True,
    )
    unit_agreement: float = _knob(
        0.0,
        "layered units: a class inferred to be a unit (not set so) whose layer the networks give it on less than this "
        "share of its voxels is a body after all (a mound or channel painted at a level of its own); 0 = off",
        min=0.0,
        max=1.0,
        group="advanced",
        regrow=True,
    )
    class_kinds: list[str] = _knob(
        [],
        "per class (1, 2, ...): unit (a layer in the column), body (channel, mound, salt...: texture decides, cuts "
        "across units) or auto (inferred: strokes in an interval of the stratigraphic coordinate no other class "
        "shares make a unit); missing entries are auto",
        group="expert",
        regrow=True,
    )
    layer_smoothing: float = _knob(
        0.0,
        "for the final labels, each class's winning probabilities are averaged along the layering over a Gaussian "
        "of this many traces (never across layers) before the last growth, so class boundaries follow the "
        "reflectors; 0 = off",
        min=0.0,
        group="advanced",
    )
    fill_final: bool = _knob(
        True,
        "after the last epoch, complete the labels: grow on from them with no threshold (argmax agreement and "
        "connection to the seeds still required), so only voxels no class can reach stay 0",
        group="advanced",
        regrow=True,
    )
    completion: str = _knob(
        "layers",
        "how the final completion reaches voxels the thresholded growth left open: layers (each takes the class of "
        "the nearest labelled voxel along the layering, so every voxel gets a class) or connected (growth goes on "
        "with no threshold through agreeing argmax; what no class reaches stays unlabelled)",
        choices=("layers", "connected"),
        group="advanced",
        regrow=True,
    )
    agreement: float = _knob(
        0.9,
        "completion along layers: a region growth could not reach keeps the networks' argmax when the two networks "
        "agree on at least this share of it (1 = always follow the layering)",
        min=0.0,
        max=1.0,
        group="advanced",
        regrow=True,
    )
    layer_reach: float = _knob(
        3.0,
        "completion along layers: traces along a reflector that cost as much as one sample across it",
        min=0.1,
        group="advanced",
        regrow=True,
    )
    accumulate: bool = _knob(False, "keep earlier grown labels instead of regrowing from the seeds", group="advanced")
    seed_patch_fraction: float = _knob(
        0.5,
        "in the label-update stage, share of labelled patches centred on painted seeds",
        min=0.0,
        max=1.0,
        group="advanced",
    )
    grown_weight: float = _knob(0.5, "loss weight of grown (not painted) labels", min=0.0, max=1.0, group="advanced")
    dense_threshold: float = _knob(
        0.4,
        "growth threshold for every class when the run trains on dense seeds alone (semi_supervised off, or auto "
        "with labelled sections): networks taught by whole sections are trusted further than grow_thresholds, "
        "which applies to strokes",
        min=0.0,
        max=1.0,
        group="advanced",
        regrow=True,
    )
    semi_supervised: str = _knob(
        "auto",
        "learn from the unlabelled volume too (cross pseudo supervision, then training on grown labels): on, off, "
        "or auto = on for strokes, off when the painted sections are at least half labelled (the seeds then say "
        "more than the networks' own labels)",
        choices=("auto", "on", "off"),
        group="advanced",
    )
    # augmentation and data
    augment: bool = _knob(True, "lateral flips, amplitude jitter and noise (time is never flipped)")
    amplitude_jitter: float = _knob(0.2, "relative amplitude scaling range", min=0.0)
    noise_std: float = _knob(0.03, "std of added Gaussian noise (normalised amplitudes)", min=0.0)
    clip_percentile: float = _knob(99.5, "amplitudes are clipped at this percentile of |a|", min=50.0, max=100.0)
    holdout_fraction: float = _knob(
        0.0, "fraction of seed strokes held out to measure accuracy", min=0.0, max=0.9, group="advanced"
    )
    inference_batch: int = _knob(
        0,
        "sections per inference batch; 0: auto (8 on a GPU; on a CPU as many as fit 0.5 M pixels, one F3 section, "
        "since larger batches spill the caches)",
        min=0,
        zero="auto",
    )
    epoch_inference: str = _knob(
        "ensemble",
        "whole-volume inference in the epochs before the last: ensemble (both networks, every orientation), "
        "orientation-turns (both networks, one orientation, taking turns from epoch to epoch: half the passes with "
        "two orientations) or turns (one network in one orientation by turns: a quarter); the last epoch always "
        "predicts with the ensemble",
        choices=("ensemble", "orientation-turns", "turns"),
        group="advanced",
    )
    # run
    device: str = _knob(
        "auto", "auto (CUDA if present, else CPU), cpu or cuda", choices=("auto", "cpu", "cuda"), group="basic"
    )
    amp: bool = _knob(
        True,
        "bfloat16 mixed precision: training and inference on CUDA; inference alone on CPUs that compute bfloat16 "
        "natively (AVX512-BF16, AMX), about twice as fast",
    )
    seed: int = _knob(0, "random seed (same seed + config on CPU = same labels)", group="advanced")

    def __post_init__(self) -> None:
        self.validate()

    def validate(self) -> None:
        """A one-line error for a value of the wrong type, out of its bounds or not among its choices."""
        check_settings(self)

    @property
    def cps_start(self) -> int:
        return self.warmup_epochs

    @property
    def grow_start(self) -> int:
        return self.warmup_epochs + self.cps_epochs

    def stage(self, epoch: int) -> str:
        if epoch < self.cps_start:
            return "warmup"
        if epoch < self.grow_start or not self.label_updates:
            return "cps"
        return "grow"

    @property
    def needs_strat(self) -> bool:
        """Whether a run computes the stratigraphic coordinate (an input, the growth envelope or completion)."""
        return (
            "strat" in self.inputs
            or self.grow_envelope > 0
            or self.layer_claims != "off"
            or self.layer_smoothing > 0
            or (self.fill_final and self.unit_model == "layered")
            or self.stroke_ties
            or (self.fill_final and self.completion == "layers")
        )

    def threshold(self, cls: int) -> float:
        """t_c for class c (1-based)."""
        return per_class(self.grow_thresholds, cls)[cls - 1]

    def with_overrides(self, **overrides: Any) -> GrowConfig:
        unknown = set(overrides) - {f.name for f in fields(self)}
        if unknown:
            raise SeisgrowError(f"unknown setting(s): {', '.join(sorted(unknown))}")
        return replace(self, **overrides)

    def last_growth(self) -> dict[str, Any]:
        """The settings that act on the last growth alone, as this config has them: Grow, Continue
        and the benchmarks' ``--regrow`` carry these to a trained run without retraining."""
        return {name: getattr(self, name) for name in LAST_GROWTH}

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def to_json(self, path: str | Path | None = None) -> str:
        text = json.dumps(self.to_dict(), indent=2)
        if path is not None:
            from ..io.atomic import atomic_path

            with atomic_path(path) as tmp:
                Path(tmp).write_text(text)
        return text

    @classmethod
    def from_dict(cls, d: dict[str, Any], saved: bool = False) -> GrowConfig:
        """A config from a JSON object: a ``profile`` key picks the base, every other key overrides it.

        ``saved`` marks a record the program wrote (a checkpoint or a saved session): one complete
        record from before the stratigraphic inputs existed is rebuilt as that run was (amplitude
        only). A hand-written file never is: five keys and no ``inputs`` in it used to turn it
        into the old amplitude-only setup without a word."""
        if saved and "inputs" not in d and all(k in d for k in SAVED_BEFORE_STRUCTURE):
            d = {**d, "inputs": ["amplitude"], "completion": "connected", "views": "same", "grow_envelope": 0.0}
        from .profiles import profile  # the named settings are GrowConfigs themselves

        base = profile(d.get("profile", "default")) if "profile" in d else cls()
        return base.with_overrides(**{k: v for k, v in d.items() if k != "profile"})

    @classmethod
    def from_json(cls, path: str | Path, saved: bool = False) -> GrowConfig:
        try:
            d = json.loads(Path(path).read_text())
        except (OSError, ValueError) as exc:
            raise SeisgrowError(f"could not read config {path}: {exc}") from exc
        if not isinstance(d, dict):
            raise SeisgrowError(f"config {path} must hold a JSON object")
        return cls.from_dict(d, saved=saved)

    @classmethod
    def help_for(cls, name: str) -> str:
        return next(f.metadata.get("help", "") for f in fields(cls) if f.name == name)


LAST_GROWTH: tuple[str, ...] = tuple(f.name for f in fields(GrowConfig) if f.metadata.get("regrow"))
"""Settings tagged ``regrow``: what they change is the growth from the networks' last prediction
and the completion of it, so a finished run takes a new value without training again."""


def check_last_growth(names: Any) -> None:
    """A one-line error for a setting that needs training again to take effect."""
    other = sorted(set(names) - set(LAST_GROWTH))
    if other:
        raise SeisgrowError(f"{', '.join(other)} change(s) training, not only the last growth: train again to change")


def per_class(thresholds: Any, n_classes: int) -> list[float]:
    """Thresholds for classes 1..n_classes from a list that may be shorter (its last value repeats):
    the one place this rule lives."""
    values = [float(t) for t in thresholds]
    return [values[min(c, len(values) - 1)] for c in range(n_classes)]


def training_changes(run: GrowConfig, wanted: GrowConfig) -> list[str]:
    """The settings ``wanted`` changes from a trained ``run``'s that act on training itself (all
    but the last growth's and the epoch count): continuing the run cannot apply them, so the one
    who changed them is told rather than ignored."""
    skip = {*LAST_GROWTH, "epochs"}
    names = [f.name for f in fields(GrowConfig) if f.name not in skip]
    return [n for n in names if getattr(run, n) != getattr(wanted, n)]


def default_of(name: str) -> Any:
    f = next(f for f in fields(GrowConfig) if f.name == name)
    return f.default if f.default is not MISSING else f.default_factory()  # type: ignore[misc]
