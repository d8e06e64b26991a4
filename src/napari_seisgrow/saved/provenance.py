"""How a label volume was made, written beside it: ``labels.sgy`` gets ``labels.sgy.seisgrow.json``.

Labels are results people build on; the settings (the random seed among them), the epochs run,
the seeds' file and the software versions must stay with them. A sidecar keeps SEG-Y headers
byte-identical to the source's, and works the same for every output format.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..io.atomic import atomic_path

SUFFIX = ".seisgrow.json"


def sidecar(path: str | Path) -> Path:
    p = Path(path)
    return p.with_name(p.name + SUFFIX)


def write(path: str | Path, session: Any, **extra: Any) -> Path:
    from ..engine.checkpoint import versions

    record = {
        "labels": Path(path).name,
        "config": session.config.to_dict(),
        "epochs_run": session.epoch,
        "device": session.device_name,
        "history": session.history,
        "versions": versions(),
        **extra,
    }
    out = sidecar(path)
    with atomic_path(out) as tmp:
        Path(tmp).write_text(json.dumps(record, indent=2, default=str))
    return out


def read(path: str | Path) -> dict[str, Any] | None:
    p = sidecar(path)
    return json.loads(p.read_text()) if p.is_file() else None
