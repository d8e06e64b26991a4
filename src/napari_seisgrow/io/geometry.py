"""Geometry travels with every volume so that labels can go back where they came from."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

SAMPLE_FORMATS = {
    1: "ibm-float32",
    2: "int32",
    3: "int16",
    5: "ieee-float32",
    6: "ieee-float64",
    8: "int8",
    10: "uint32",
    11: "uint16",
    16: "uint8",
}


@dataclass
class Geometry:
    """Where each voxel of a (inline, crossline, sample) array sits in the survey.

    ``inlines``/``crosslines`` are the real line numbers of each index, ``samples`` the time (ms)
    or depth (m) of each sample. ``trace_index`` maps each grid cell to its trace number in the
    source SEG-Y (-1 where the survey has no trace), which is what lets an export write exactly
    the traces the source has.
    """

    inlines: np.ndarray
    crosslines: np.ndarray
    samples: np.ndarray
    sample_interval: float = 1.0
    sample_unit: str = "sample"
    domain: str = "time"
    iline_byte: int | None = None
    xline_byte: int | None = None
    sample_format: str | None = None
    endian: str | None = None
    source: str | None = None
    trace_index: np.ndarray | None = field(default=None, repr=False)

    @property
    def shape(self) -> tuple[int, int, int]:
        return (len(self.inlines), len(self.crosslines), len(self.samples))

    @property
    def live_mask(self) -> np.ndarray | None:
        """True where the survey has a trace; None when every grid cell has one."""
        if self.trace_index is None:
            return None
        mask = self.trace_index >= 0
        return None if mask.all() else mask

    @property
    def axis_labels(self) -> tuple[str, str, str]:
        return ("inline", "crossline", "depth" if self.domain == "depth" else "time")

    @property
    def scale(self) -> tuple[float, float, float]:
        """World units per index step: line increments and the sample interval."""
        return (_step(self.inlines), _step(self.crosslines), float(self.sample_interval))

    @property
    def translate(self) -> tuple[float, float, float]:
        return (float(self.inlines[0]), float(self.crosslines[0]), float(self.samples[0]))

    @classmethod
    def default(cls, shape: tuple[int, ...], source: str | Path | None = None) -> Geometry:
        """Index geometry for arrays that carry none (plain .npy)."""
        ni, nx, nt = (int(s) for s in shape)
        return cls(
            inlines=np.arange(ni),
            crosslines=np.arange(nx),
            samples=np.arange(nt, dtype=np.float64),
            source=None if source is None else str(source),
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly form (without the per-trace index, which is large and rebuildable)."""
        return {
            "inlines": [int(v) for v in self.inlines],
            "crosslines": [int(v) for v in self.crosslines],
            "samples": [float(v) for v in self.samples],
            "sample_interval": float(self.sample_interval),
            "sample_unit": self.sample_unit,
            "domain": self.domain,
            "iline_byte": self.iline_byte,
            "xline_byte": self.xline_byte,
            "sample_format": self.sample_format,
            "endian": self.endian,
            "source": self.source,
            "dead_traces": 0 if self.live_mask is None else int((~self.live_mask).sum()),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Geometry:
        return cls(
            inlines=np.asarray(d["inlines"]),
            crosslines=np.asarray(d["crosslines"]),
            samples=np.asarray(d["samples"], dtype=np.float64),
            sample_interval=float(d.get("sample_interval", 1.0)),
            sample_unit=d.get("sample_unit", "sample"),
            domain=d.get("domain", "time"),
            iline_byte=d.get("iline_byte"),
            xline_byte=d.get("xline_byte"),
            sample_format=d.get("sample_format"),
            endian=d.get("endian"),
            source=d.get("source"),
        )


def _step(values: np.ndarray) -> float:
    if len(values) < 2:
        return 1.0
    step = float(values[1] - values[0])
    return step if step != 0 else 1.0


@dataclass
class Volume:
    """A seismic volume: array-like data (inline, crossline, sample), float32, plus geometry."""

    data: Any
    geometry: Geometry

    @property
    def shape(self) -> tuple[int, int, int]:
        return tuple(int(s) for s in self.data.shape)  # type: ignore[return-value]

    @property
    def live_mask(self) -> np.ndarray | None:
        return self.geometry.live_mask
