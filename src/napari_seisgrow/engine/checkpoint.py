"""Checkpoints: a run saved as state dicts, JSON and NumPy arrays (nothing pickled), and rebuilt.

A checkpoint holds both networks (and their averages), the optimiser, the random states, the
config, the epoch and the learning rate's cycle, the run's decision on pseudo labels, the last
labels and prediction, the coordinate, and the held-out split, so that a resumed run trains on as
if it had not stopped and no stroke changes sides.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import torch

from .._version import __version__
from ..io.atomic import atomic_path
from ..io.errors import SeisgrowError
from .channels import StratGrid
from .config import GrowConfig

FORMAT = 2


def versions() -> dict[str, str]:
    """The versions that made a result, kept with every checkpoint, report and export."""
    return {"napari-seisgrow": __version__, "torch": torch.__version__, "numpy": np.__version__}


def save(session: Any, directory: str | Path) -> Path:
    """State dicts, config JSON, versions and the last grown labels: no pickled objects. Written
    beside ``directory`` and renamed into place, so a crash never leaves half a checkpoint."""
    with atomic_path(directory, directory=True) as tmp:
        tmp.mkdir()
        _write(session, tmp)
    return Path(directory)


def _write(self: Any, d: Path) -> None:
    state = {
        "nets": [net.state_dict() for net in self.nets],
        "ema_nets": [net.state_dict() for net in self.trainer.ema_nets] if self.trainer.ema_nets is not None else None,
        "optimizer": self.trainer.optimizer.state_dict(),
        "torch_rng": torch.get_rng_state(),
    }
    torch.save(state, d / "model.pt")
    if self.trainer.pretrained_weights is not None:
        torch.save(self.trainer.pretrained_weights, d / "pretrained.pt")
    self.config.to_json(d / "config.json")
    meta = {
        "format": FORMAT,
        "epoch": self.epoch,
        "lr_cycle": self.lr_cycle,
        "painted_share": self.decision.share,
        "n_classes": self.n_classes,
        "shape": list(self.x.shape),
        "amplitude_scale": self.amplitude_scale,
        "strat_step": list(self.strat.step) if self.strat is not None else None,
        # the classes the labels saved hold as ordered layers (none when they are not that completion's)
        "layered_units": list(self.backend.units) if self.backend.layered is self.grown else [],
        "kinds_kept": {str(c): k for c, k in self.backend.kinds_kept.items()},
        "levels_kept": [[a, b, level] for (a, b), level in self.backend.levels_kept.items()],
        "levels_pinned": sorted([a, b] for a, b in self.backend.levels_pinned),
        "numpy_rng": self.rng.bit_generator.state,
        "versions": versions(),
        "history": self.history,
    }
    (d / "meta.json").write_text(json.dumps(meta, indent=2, default=int))
    for name, arr in _arrays(self).items():
        if arr is not None:
            np.save(d / f"{name}.npy", arr, allow_pickle=False)


def _arrays(self: Any) -> dict[str, Any]:
    """The arrays of an in-memory run (a blockwise run's live in its work folder's stores)."""
    if self.labels_on_disk:
        return {}
    arrays = {"grown": self.grown, "training_grown": self.training_grown, "winner": self.winner,
              "confidence": self.confidence, "seeds": self.seeds}  # fmt: skip
    winners = self.net_answers(networks=False)  # the networks' own answers, when they belong to the weights saved
    if winners:
        arrays.update({f"winner_net{k + 1}": w for k, w in enumerate(winners)})
    if self.strat is not None:
        arrays["strat"] = self.strat.tau
    if (self.holdout > 0).any():  # the split: resumed with more strokes, none may change sides
        arrays.update(holdout=self.holdout, train_seeds=self.train_seeds)
    return arrays


def resume(cls: Any, directory: str | Path, volume: Any, seeds: Any, **overrides: Any) -> Any:
    """Rebuild a session of class ``cls`` from ``save`` output and the same volume and seeds."""
    d = Path(directory)
    try:
        meta = json.loads((d / "meta.json").read_text())
        config = GrowConfig.from_json(d / "config.json", saved=True)
        shape, n_classes = meta["shape"], meta["n_classes"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise SeisgrowError(f"{d} is not a napari-seisgrow checkpoint: {exc}") from exc
    if overrides:
        config = config.with_overrides(**overrides)
    strat = None
    if meta.get("strat_step") and (d / "strat.npy").is_file():
        try:
            tau = np.load(d / "strat.npy", allow_pickle=False)
            strat = StratGrid(tau=tau, shape=tuple(shape), step=tuple(meta["strat_step"]))
        except (OSError, ValueError) as exc:
            raise SeisgrowError(f"checkpoint {d} is incomplete or damaged ({type(exc).__name__}); retrain") from exc
    session = cls(volume, seeds, config, strat=strat)
    if list(session.x.shape) != shape or session.n_classes != n_classes:
        raise SeisgrowError(
            f"checkpoint {d} was made for shape {tuple(shape)} with {n_classes} classes; "
            f"this volume is {session.x.shape} with {session.n_classes}"
        )
    try:
        state = torch.load(d / "model.pt", map_location=session.device, weights_only=True)
        for net, sd in zip(session.nets, state["nets"], strict=True):
            net.load_state_dict(sd)
        if session.trainer.ema_nets is not None:
            for net, sd in zip(session.trainer.ema_nets, state.get("ema_nets") or state["nets"], strict=True):
                net.load_state_dict(sd)
        session.trainer.optimizer.load_state_dict(state["optimizer"])
        if (d / "pretrained.pt").is_file():
            session.trainer.pretrained_weights = torch.load(d / "pretrained.pt", map_location="cpu", weights_only=True)
            session.trainer.pretrained = True
        torch.set_rng_state(state["torch_rng"].cpu())  # map_location moved it to the GPU
        session.rng.bit_generator.state = meta["numpy_rng"]
        session.epoch = int(meta["epoch"])
        session.lr_cycle = int(meta.get("lr_cycle", 0))
        session.history = list(meta.get("history", []))
        for name in ("grown", "training_grown", "winner", "confidence"):
            p = d / f"{name}.npy"
            if p.is_file():
                setattr(session, name, np.load(p, allow_pickle=False))
        if not (d / "training_grown.npy").is_file():
            session.training_grown = session.grown
        session.backend.units = [int(c) for c in meta.get("layered_units", [])]
        session.backend.layered = session.grown if len(session.backend.units) >= 2 else None
        session.backend.kinds_kept = {int(c): str(k) for c, k in meta.get("kinds_kept", {}).items()}
        session.backend.levels_kept = {(int(a), int(b)): float(v) for a, b, v in meta.get("levels_kept", [])}
        session.backend.levels_pinned = {(int(a), int(b)) for a, b in meta.get("levels_pinned", [])}
        if (d / "holdout.npy").is_file() and (d / "train_seeds.npy").is_file():
            held, trained = (np.load(d / f"{n}.npy", allow_pickle=False) for n in ("holdout", "train_seeds"))
            session.backend.restore_split(trained, held, session.config, session.rng)  # no stroke changes sides
        if "painted_share" in meta:  # the run's own decision on pseudo labels holds (see update_seeds)
            session.keep_decision(float(meta["painted_share"]))
    except Exception as exc:  # a damaged file fails in many ways (unpickling, zip, shapes): all one answer
        raise SeisgrowError(f"checkpoint {d} is incomplete or damaged ({type(exc).__name__}); retrain") from exc
    return session
