from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from napari_seisgrow import load_volume
from napari_seisgrow.cli import main


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "napari_seisgrow.cli", *args], capture_output=True, text=True, timeout=300
    )


def test_info_json_on_f3(segy_dir, capsys):
    assert main(["info", str(segy_dir / "f3.sgy"), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["shape"] == [23, 18, 75]
    assert info["inlines"] == list(range(111, 134))
    assert info["crosslines"] == list(range(875, 893))
    assert info["sample_interval"] == 4.0


@pytest.mark.parametrize("name", ["f3-lsb.sgy", "Format1msb.sgy", "Format5msb.sgy", "Format8msb.sgy"])
def test_info_same_geometry_for_f3_family(segy_dir, capsys, name):
    assert main(["info", str(segy_dir / name), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert (info["shape"], info["inlines"][0], info["crosslines"][-1]) == ([23, 18, 75], 111, 892)


def test_info_text(segy_dir, capsys):
    assert main(["info", str(segy_dir / "f3.sgy")]) == 0
    out = capsys.readouterr().out
    assert "111-133" in out and "875-892" in out


@pytest.mark.parametrize(
    "name", ["broken.sgy", "text.sgy", "shot-gather.sgy", "small-ps.sgy", "small-ps-dec-il-xl-off.sgy"]
)
def test_bad_files_exit_2_with_one_line(segy_dir, name):
    proc = run_cli("info", str(segy_dir / name))
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("seisgrow: error:")
    assert "Traceback" not in proc.stderr
    assert proc.stdout == ""


def test_convert_labels_like_f3(tmp_path, segy_dir, capsys):
    vol = load_volume(segy_dir / "f3.sgy")
    labels = np.random.default_rng(0).integers(0, 4, vol.shape).astype(np.uint8)
    np.save(tmp_path / "labels.npy", labels)
    out = tmp_path / "labels.sgy"
    assert main(["convert", str(tmp_path / "labels.npy"), "--like", str(segy_dir / "f3.sgy"), "-o", str(out)]) == 0
    np.testing.assert_array_equal(load_volume(out).data, labels)


def test_convert_shape_mismatch_writes_nothing(tmp_path, segy_dir, capsys):
    np.save(tmp_path / "labels.npy", np.zeros((3, 3, 3), np.uint8))
    out = tmp_path / "o.sgy"
    code = main(["convert", str(tmp_path / "labels.npy"), "--like", str(segy_dir / "f3.sgy"), "-o", str(out)])
    assert code == 2
    assert "shape" in capsys.readouterr().err
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["labels.npy"]


def test_missing_file_exit_2(tmp_path, capsys):
    assert main(["info", str(tmp_path / "none.sgy")]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_convert_refuses_to_overwrite_its_own_labels(tmp_path, segy_dir, capsys):
    labels = np.zeros((23, 18, 75), np.int64)
    np.save(tmp_path / "lab.npy", labels)
    before = (tmp_path / "lab.npy").read_bytes()
    code = main(
        ["convert", str(tmp_path / "lab.npy"), "--like", str(segy_dir / "f3.sgy"), "-o", str(tmp_path / "lab.npy")]
    )
    assert code == 2 and "same file" in capsys.readouterr().err
    assert (tmp_path / "lab.npy").read_bytes() == before
