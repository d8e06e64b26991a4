"""Save and load an interpretation session: seeds, grown labels, classes, settings and the model.

A session is a folder of plain files (NumPy arrays, JSON, a torch state-dict checkpoint), never
a pickle, so it can be inspected, versioned and reloaded by a newer napari-seisgrow.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..classes import ClassTable
from ..io.atomic import atomic_path
from ..io.errors import SeisgrowError

SESSION_FORMAT = 1


@dataclass
class SavedSession:
    seeds: np.ndarray
    grown: np.ndarray | None
    classes: ClassTable
    config: dict[str, Any]
    source: str | None
    checkpoint: Path | None


def save_session(
    folder: str | Path,
    *,
    seeds: np.ndarray,
    grown: np.ndarray | None,
    classes: ClassTable,
    config: dict[str, Any],
    source: str | None = None,
    session: Any = None,
) -> Path:
    """Write the session folder; each file atomically, the checkpoint into a fresh subfolder."""
    d = Path(folder)
    d.mkdir(parents=True, exist_ok=True)
    arrays = {"seeds.npy": np.asarray(seeds, dtype=np.uint8)}
    if grown is not None:
        arrays["grown.npy"] = np.asarray(grown, dtype=np.uint8)
    for name, arr in arrays.items():
        with atomic_path(d / name) as tmp, open(tmp, "wb") as fh:
            np.save(fh, arr, allow_pickle=False)
    from ..engine.checkpoint import versions  # torch is loaded by then in every caller

    meta = {
        "format": SESSION_FORMAT,
        "source": source,
        "classes": classes.to_list(),
        "config": config,
        "versions": versions(),
    }
    with atomic_path(d / "session.json") as tmp:
        tmp.write_text(json.dumps(meta, indent=2))
    if session is not None:
        with atomic_path(d / "checkpoint", directory=True) as tmp:
            session.save_checkpoint(tmp)
    elif (d / "checkpoint").exists():
        shutil.rmtree(d / "checkpoint")
    return d


def load_session(folder: str | Path) -> SavedSession:
    d = Path(folder)
    try:
        meta = json.loads((d / "session.json").read_text())
        seeds = np.load(d / "seeds.npy", allow_pickle=False)
    except (OSError, ValueError) as exc:
        raise SeisgrowError(f"{d} is not a saved napari-seisgrow session") from exc
    grown = np.load(d / "grown.npy", allow_pickle=False) if (d / "grown.npy").is_file() else None
    ckpt = d / "checkpoint"
    return SavedSession(
        seeds=seeds,
        grown=grown,
        classes=ClassTable.from_list(meta.get("classes", [])),
        config=meta.get("config", {}),
        source=meta.get("source"),
        checkpoint=ckpt if (ckpt / "meta.json").is_file() else None,
    )
