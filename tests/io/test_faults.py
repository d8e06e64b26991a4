"""Faults while writing: a killed process, a full disk. The destination is the old file or the
complete new one, never a truncated mix, and the user sees one line."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from napari_seisgrow import load_volume, write_labels
from tests.conftest import write_test_segy

REPO = Path(__file__).resolve().parents[2]


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _child(code: str, **kwargs) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.Popen([sys.executable, "-c", textwrap.dedent(code)], cwd=REPO, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kwargs)  # fmt: skip


def _kill_when_part_appears(proc: subprocess.Popen, folder: Path, name: str, timeout: float = 60.0) -> bool:
    """SIGKILL the child as soon as its temporary file exists; True if it was caught mid-write."""
    end = time.monotonic() + timeout
    while time.monotonic() < end and proc.poll() is None:
        if any(p.name.startswith(f".{name}.") and p.name.endswith(".part") for p in folder.iterdir()):
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            return True
        time.sleep(0.0005)
    proc.wait()
    return False


@pytest.mark.parametrize("ext", [".npy", ".sgy"])
def test_killed_during_export_leaves_the_old_file(tmp_path, ext):
    shape = (60, 80, 150) if ext == ".sgy" else (200, 300, 500)
    if ext == ".sgy":
        src = write_test_segy(tmp_path / "src.sgy", np.zeros(shape, np.float32), np.arange(shape[0]),
                              np.arange(shape[1]))  # fmt: skip
    dest = tmp_path / f"labels{ext}"
    old = np.full(shape, 3, np.uint8)
    geometry = load_volume(src).geometry if ext == ".sgy" else None
    write_labels(dest, old, geometry) if geometry is not None else write_labels(dest, old)
    before = _sha(dest)
    for _attempt in range(3):
        proc = _child(f"""
            import numpy as np
            from napari_seisgrow import load_volume, write_labels
            labels = np.full({shape}, 7, np.uint8)
            if {ext!r} == ".sgy":
                write_labels({str(dest)!r}, labels, load_volume({str(tmp_path / "src.sgy")!r}).geometry)
            else:
                write_labels({str(dest)!r}, labels)
        """)
        caught = _kill_when_part_appears(proc, tmp_path, dest.name)
        after = _sha(dest)
        if caught:
            assert after == before, f"killed mid-write but {dest.name} changed"
            break
        # the child finished before it could be killed: then the new file must be whole
        assert np.all(np.asarray(load_volume(dest).data) == 7)
        write_labels(dest, old, geometry) if geometry is not None else write_labels(dest, old)
        before = _sha(dest)
    else:
        pytest.fail("the export was never caught mid-write")
    assert np.all(np.asarray(load_volume(dest).data) == 3)  # the old file, readable and whole


def test_full_disk_is_one_line_and_leaves_nothing(tmp_path):
    """RLIMIT_FSIZE makes every write past 1 MiB fail, as a full disk does (and works as root)."""
    dest = tmp_path / "labels.npy"
    proc = _child(f"""
        import resource, signal, sys
        import numpy as np
        from napari_seisgrow import SeisgrowError, write_labels
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (1 << 20, 1 << 20))
        try:
            write_labels({str(dest)!r}, np.ones((64, 64, 512), np.uint8))
        except SeisgrowError as exc:
            print(exc)
            sys.exit(2)
    """)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 2, err
    lines = out.strip().splitlines()
    assert len(lines) == 1 and "could not write" in lines[0] and "labels.npy" in lines[0]
    assert not dest.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]  # no temporary left behind


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders anyway")
def test_read_only_folder_is_refused_before_any_work(tmp_path):
    from napari_seisgrow import SeisgrowError

    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        with pytest.raises(SeisgrowError, match="not writable"):
            write_labels(locked / "labels.npy", np.ones((2, 2, 2), np.uint8))
    finally:
        locked.chmod(0o755)
