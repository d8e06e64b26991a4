"""Fixtures shared by the whole suite: hermetic napari settings, real SEG-Y files, tiny volumes."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numpy as np
import pytest

from napari_seisgrow.engine import GrowConfig
from napari_seisgrow.synthetic import make_synthetic, seed_inlines

_HERMETIC = Path(tempfile.mkdtemp(prefix="seisgrow-tests-"))
os.environ.setdefault("XDG_CONFIG_HOME", str(_HERMETIC / "config"))
os.environ.setdefault("XDG_CACHE_HOME", str(_HERMETIC / "cache"))
os.environ.setdefault("XDG_DATA_HOME", str(_HERMETIC / "data"))
os.environ.setdefault("NAPARI_CONFIG", str(_HERMETIC / "napari-settings.yaml"))

SEGY_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "segy"


TINY = dict(
    epochs=2,
    warmup_epochs=0,
    cps_epochs=1,
    steps_per_epoch=3,
    grow_thresholds=[0.2],  # tiny networks after a few steps are barely above uniform (1/5)
    batch_labelled=2,
    batch_unlabelled=2,
    patch_size=[32, 32],
    depth=2,
    width=8,
    device=os.environ.get("SEISGROW_TEST_DEVICE", "cpu"),  # "cuda" runs the engine tests on a GPU
    semi_supervised="on",  # the tiny seeds are two labelled inlines, which "auto" would train on alone
)


@pytest.fixture(scope="session")
def tiny_synthetic():
    return make_synthetic((16, 24, 48), seed=5)


@pytest.fixture
def tiny_seeds(tiny_synthetic) -> np.ndarray:
    return seed_inlines(tiny_synthetic.truth, 2)


@pytest.fixture
def tiny_config() -> GrowConfig:
    return GrowConfig(**TINY)


def _listing(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")} if folder.is_dir() else set()


@pytest.fixture(scope="session")
def segy_dir() -> Path:
    """The shared SEG-Y files, which no test may write beside (tests copy a file to tmp_path first)."""
    if not SEGY_DIR.is_dir():
        pytest.fail(f"real SEG-Y test data missing at {SEGY_DIR}")
    before = _listing(SEGY_DIR.parent)
    yield SEGY_DIR
    added = sorted(_listing(SEGY_DIR.parent) - before)
    assert not added, f"tests wrote into the shared test data: {added[:5]}"


@pytest.fixture
def f3(segy_dir: Path) -> Path:
    return segy_dir / "f3.sgy"


def write_test_segy(
    path: Path,
    data: np.ndarray,
    ilines: np.ndarray,
    xlines: np.ndarray,
    *,
    live: np.ndarray | None = None,
    fmt: int = 5,
    iline_byte: int = 189,
    xline_byte: int = 193,
    crossline_sorted: bool = False,
    dt_us: int = 2000,
    endian: str = "big",
) -> Path:
    """A post-stack SEG-Y written trace by trace with segyio, with optional missing traces."""
    import segyio

    ni, nx, ns = data.shape
    live = np.ones((ni, nx), bool) if live is None else live
    cells = [(i, j) for i in range(ni) for j in range(nx)]
    if crossline_sorted:
        cells = [(i, j) for j in range(nx) for i in range(ni)]
    cells = [(i, j) for i, j in cells if live[i, j]]
    spec = segyio.spec()
    spec.samples = list(range(ns))
    spec.format = fmt
    spec.tracecount = len(cells)
    spec.endian = endian
    with segyio.create(str(path), spec) as f:
        f.bin.update({segyio.BinField.Interval: dt_us, segyio.BinField.Samples: ns})
        for k, (i, j) in enumerate(cells):
            f.header[k] = {
                iline_byte: int(ilines[i]),
                xline_byte: int(xlines[j]),
                segyio.TraceField.TRACE_SAMPLE_INTERVAL: dt_us,
                segyio.TraceField.TRACE_SAMPLE_COUNT: ns,
                segyio.TraceField.offset: 1,
            }
            f.trace[k] = data[i, j].astype(np.float32)
    return path
