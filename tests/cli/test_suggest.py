"""``seisgrow suggest`` on a real tiny run's checkpoint (and on the real F3 SEG-Y's line numbers)."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from napari_seisgrow import load_volume
from napari_seisgrow.cli import main
from napari_seisgrow.engine import GrowConfig
from tests.conftest import TINY


def _run(tmp_path_factory, segy_dir, **settings):
    d = tmp_path_factory.mktemp("suggest")
    src = d / "f3.sgy"
    shutil.copy(segy_dir / "f3.sgy", src)
    vol = load_volume(src)
    seeds = np.zeros(vol.shape, np.uint8)
    seeds[5, 2:16, 10:25] = 1
    seeds[5, 2:16, 50:65] = 2
    np.save(d / "seeds.npy", seeds)
    GrowConfig(**{**TINY, "fill_final": True, **settings}).to_json(d / "tiny.json")
    code = main(["grow", str(src), str(d / "seeds.npy"), "-o", str(d / "grown.npy"), "--config", str(d / "tiny.json"),
                 "--checkpoint", str(d / "ckpt")])  # fmt: skip
    assert code == 0
    return d, vol, seeds


@pytest.fixture(scope="module")
def f3_run(tmp_path_factory, segy_dir):
    """A tiny finished run on a copy of the real F3 cut-out, with its checkpoint; its two classes
    labelled by the networks, not as layers."""
    return _run(tmp_path_factory, segy_dir, unit_model="off")


def test_a_layered_run_suggests_where_a_unit_boundary_is_in_doubt(tmp_path_factory, segy_dir, capsys):
    """Both classes are units one above the other: every voxel's doubt is its boundary's, and the
    suggestions say so and name the two units."""
    d, _, _ = _run(tmp_path_factory, segy_dir)
    assert json.loads((d / "ckpt" / "meta.json").read_text())["layered_units"] == [1, 2]
    capsys.readouterr()
    assert main(["suggest", str(d / "f3.sgy"), "--checkpoint", str(d / "ckpt"), "-n", "3", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows and all(r["source"] == "boundary" and sorted(r["classes"]) == [1, 2] for r in rows)
    assert all(r["disagreement"] is None and "may lie on another reflector" in r["reason"] for r in rows)


def test_suggest_prints_ranked_places_in_line_numbers_as_json(f3_run, capsys):
    d, vol, _ = f3_run
    capsys.readouterr()
    assert main(["suggest", str(d / "f3.sgy"), "--checkpoint", str(d / "ckpt"), "-n", "4", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert 1 <= len(rows) <= 4
    assert [r["rank"] for r in rows] == list(range(1, len(rows) + 1))
    assert [r["score"] for r in rows] == sorted((r["score"] for r in rows), reverse=True)
    for r in rows:
        i = r["index"]["inline"]
        assert r["inline"] == int(vol.geometry.inlines[i])  # real line numbers, not indices
        assert vol.geometry.crosslines[0] <= r["crosslines"][0] <= r["crosslines"][1] <= vol.geometry.crosslines[-1]
        assert abs(i - 5) > 2  # never right next to the painted inline
        assert set(r["classes"]) <= {0, 1, 2} and r["reason"]
    # the finished run kept each network's answer, so the doubt includes their disagreement
    assert all(r["disagreement"] is not None and r["source"] == "networks" for r in rows)


def test_suggest_text_table_and_clear_errors(f3_run, tmp_path, capsys):
    d, _, _ = f3_run
    assert main(["suggest", str(d / "f3.sgy"), "--checkpoint", str(d / "ckpt"), "-n", "2"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].split()[:3] == ["rank", "inline", "crosslines"]
    assert main(["suggest", str(d / "f3.sgy"), "--checkpoint", str(tmp_path)]) == 2
    assert "not a napari-seisgrow checkpoint" in capsys.readouterr().err
    np.save(tmp_path / "other.npy", np.zeros((4, 5, 6), np.float32))
    assert main(["suggest", str(tmp_path / "other.npy"), "--checkpoint", str(d / "ckpt")]) == 2
    assert "was made for shape" in capsys.readouterr().err
