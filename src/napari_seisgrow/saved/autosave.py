"""Autosave: the seeds, the latest grown labels and the model, after every epoch.

Interpreters spend days painting; a crash, a killed process or a closed laptop must lose at most
one epoch. The folder sits next to the source file when that folder is writable (it travels with
the data), else in the user's data folder, keyed by the source path. Each save replaces the whole
folder atomically, so an interrupted save leaves the previous one intact.
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path
from typing import Any

from ..classes import ClassTable
from ..io.atomic import atomic_path
from .sessions import save_session

SUFFIX = ".seisgrow-autosave"


def user_folder() -> Path:
    import platformdirs  # napari's own dependency; only needed off the source's folder

    return Path(platformdirs.user_data_dir("napari-seisgrow")) / "autosave"


def candidates(source: str | None, name: str) -> list[Path]:
    """Where an autosave for this volume may be, in order of preference."""
    key = hashlib.sha1((source or f"layer:{name}").encode()).hexdigest()[:12]
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", Path(source).name if source else name)[:60] or "volume"
    places = []
    if source:
        src = Path(source)
        places.append(src.parent / f"{src.name}{SUFFIX}")
    places.append(user_folder() / f"{stem}-{key}")
    return places


def folder_for(source: str | None, name: str, suffix: str = SUFFIX) -> Path:
    """The folder to autosave into (or, with another suffix, to keep a blockwise run's stores in):
    beside the source if its folder is writable, else in the user's data folder."""
    places = candidates(source, name)
    if source and os.access(Path(source).parent, os.W_OK):
        return places[0].with_name(places[0].name.replace(SUFFIX, suffix))
    return places[-1].with_name(places[-1].name + ("" if suffix == SUFFIX else suffix))


def find(source: str | None, name: str) -> Path | None:
    for place in candidates(source, name):
        if (place / "session.json").is_file() and (place / "seeds.npy").is_file():
            return place
    return None


def write(folder: Path, session: Any, classes: ClassTable, source: str | None) -> Path:
    """Save the session's own copies of the seeds and grown labels, its config and checkpoint."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(folder, directory=True) as tmp:
        save_session(
            tmp,
            seeds=session.seeds,
            grown=session.grown,
            classes=classes,
            config=session.config.to_dict(),
            source=source,
            session=session if session.winner is not None else None,
        )
    return folder
