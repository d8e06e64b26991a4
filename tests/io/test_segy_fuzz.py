"""The SEG-Y reader on truncated and bit-flipped copies of a real file: an error or a volume, never a crash."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from napari_seisgrow import SeisgrowError, load_volume
from tests.conftest import SEGY_DIR

F3 = (SEGY_DIR / "f3.sgy").read_bytes() if (SEGY_DIR / "f3.sgy").is_file() else b""


def _check(path):
    try:
        vol = load_volume(path)
    except SeisgrowError as exc:
        assert "\n" not in str(exc)
        return
    assert vol.data.dtype == np.float32 and vol.data.ndim == 3
    # no huge allocation: at most 16 grid cells per trace in the file, each float32 sample
    # from at least one byte of the file
    assert vol.data.nbytes <= 16 * 4 * len(F3)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cut=st.integers(0, len(F3) - 1))
def test_truncated_copies(tmp_path, cut):
    p = tmp_path / "cut.sgy"
    p.write_bytes(F3[:cut])
    _check(p)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(flips=st.lists(st.tuples(st.integers(0, len(F3) - 1), st.integers(0, 7)), min_size=1, max_size=8))
def test_bit_flipped_copies(tmp_path, flips):
    data = bytearray(F3)
    for pos, bit in flips:
        data[pos] ^= 1 << bit
    p = tmp_path / "flip.sgy"
    p.write_bytes(bytes(data))
    _check(p)
