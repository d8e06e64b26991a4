from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from napari_seisgrow import load_volume
from napari_seisgrow.cli import main
from napari_seisgrow.engine import GrowConfig
from tests.conftest import TINY


@pytest.fixture
def tiny_json(tmp_path):
    path = tmp_path / "tiny.json"
    GrowConfig(**TINY).to_json(path)
    return path


@pytest.fixture
def npy_inputs(tmp_path, tiny_synthetic, tiny_seeds):
    np.save(tmp_path / "vol.npy", tiny_synthetic.volume.data)
    np.save(tmp_path / "seeds.npy", tiny_seeds)
    return tmp_path / "vol.npy", tmp_path / "seeds.npy"


def test_grow_on_npy_writes_labels_and_report(tmp_path, npy_inputs, tiny_json, tiny_seeds, capsys):
    vol, seeds = npy_inputs
    out, rep, ck = tmp_path / "grown.npy", tmp_path / "report.json", tmp_path / "ckpt"
    code = main(["grow", str(vol), str(seeds), "-o", str(out), "--config", str(tiny_json),
                 "--report", str(rep), "--checkpoint", str(ck)])  # fmt: skip
    assert code == 0
    err = capsys.readouterr().err
    assert "training on cpu" in err and "epoch 2/2" in err
    grown = np.load(out)
    m = tiny_seeds > 0
    np.testing.assert_array_equal(grown[m], tiny_seeds[m])
    from napari_seisgrow.saved import provenance

    made = provenance.read(out)  # how the labels were made stays beside them
    assert made["config"]["seed"] == 0 and made["epochs_run"] == 2 and "torch" in made["versions"]
    assert made["seeds"] == str(seeds)
    assert (grown > 0).sum() > m.sum()
    report = json.loads(rep.read_text())
    assert len(report["epochs"]) == 2 and report["config"]["epochs"] == 2
    assert {"epoch", "stage", "sup_loss", "cps_loss", "seconds", "grown_counts"} <= set(report["epochs"][0])
    assert (ck / "model.pt").is_file()

    # resume one more epoch from the checkpoint
    out2 = tmp_path / "grown2.npy"
    assert main(["grow", str(vol), str(seeds), "-o", str(out2), "--resume", str(ck), "--epochs", "3"]) == 0
    assert "epoch 3/3" in capsys.readouterr().err


def test_grow_on_f3_with_painted_seeds_writes_segy_like_source(tmp_path, segy_dir, tiny_json):
    vol = load_volume(segy_dir / "f3.sgy")
    seeds = np.zeros(vol.shape, np.uint8)
    for il in (5, 15):
        seeds[il, 2:16, 5:25] = 1  # shallow, continuous reflectors
        seeds[il, 2:16, 50:70] = 2  # deeper package
    np.save(tmp_path / "seeds.npy", seeds)
    out = tmp_path / "grown.sgy"
    code = main(["grow", str(segy_dir / "f3.sgy"), str(tmp_path / "seeds.npy"), "-o", str(out),
                 "--config", str(tiny_json), "--set", "epochs=1"])  # fmt: skip
    assert code == 0
    grown = load_volume(out)
    assert grown.shape == (23, 18, 75)
    assert list(grown.geometry.inlines) == list(range(111, 134))
    m = seeds > 0
    np.testing.assert_array_equal(grown.data[m], seeds[m])


@pytest.mark.parametrize(
    ("make_seeds", "phrase"),
    [
        (lambda s: np.zeros(s, np.uint8), "no seeds"),
        (lambda s: np.ones(s, np.uint8), "only class 1"),
        (lambda s: np.zeros((3, 3, 3), np.uint8), "shape"),
        (lambda s: np.full(s, 0.5, np.float32), "whole numbers"),
    ],
)
def test_bad_seeds_exit_2_and_write_nothing(tmp_path, npy_inputs, tiny_json, make_seeds, phrase):
    vol, _ = npy_inputs
    np.save(tmp_path / "bad.npy", make_seeds(np.load(vol).shape))
    out = tmp_path / "o.npy"
    proc = subprocess.run(
        [sys.executable, "-m", "napari_seisgrow.cli", "grow", str(vol), str(tmp_path / "bad.npy"), "-o", str(out),
         "--config", str(tiny_json)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and phrase in lines[0]
    assert not out.exists()


def test_bad_outputs_and_settings(tmp_path, npy_inputs, tiny_json, capsys, segy_dir):
    vol, seeds = npy_inputs
    cases = [
        (["-o", str(vol)], "same file"),
        (["-o", str(tmp_path / "missing" / "o.npy")], "does not exist"),
        (["-o", str(tmp_path / "o.txt")], "must be .npy"),
        (["-o", str(tmp_path / "o.sgy")], "SEG-Y output"),
        (["-o", str(tmp_path / "o.npy"), "--set", "bogus=1"], "unknown setting"),
        (["-o", str(tmp_path / "o.npy"), "--device", "cuda"], "cuda"),
    ]
    for extra, phrase in cases:
        if phrase == "cuda":
            import torch

            if torch.cuda.is_available():
                continue
        assert main(["grow", str(vol), str(seeds), "--config", str(tiny_json), *extra]) == 2
        assert phrase in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["seeds.npy", "tiny.json", "vol.npy"]


def test_grow_bad_volume_file(tmp_path, segy_dir, tiny_json, capsys):
    np.save(tmp_path / "seeds.npy", np.zeros((5, 5, 5), np.uint8))
    assert main(["grow", str(segy_dir / "small-ps.sgy"), str(tmp_path / "seeds.npy"), "-o",
                 str(tmp_path / "o.npy")]) == 2  # fmt: skip
    assert "pre-stack" in capsys.readouterr().err


def test_resume_keeps_command_line_overrides(tmp_path, npy_inputs, tiny_json, capsys):
    vol, seeds = npy_inputs
    ck = tmp_path / "ck"
    assert main(["grow", str(vol), str(seeds), "-o", str(tmp_path / "a.npy"), "--config", str(tiny_json),
                 "--checkpoint", str(ck)]) == 0  # fmt: skip
    rep = tmp_path / "r.json"
    assert main(["grow", str(vol), str(seeds), "-o", str(tmp_path / "b.npy"), "--resume", str(ck), "--epochs", "3",
                 "--set", "grow_thresholds=[0.9]", "--report", str(rep)]) == 0  # fmt: skip
    report = json.loads(rep.read_text())
    assert report["config"]["grow_thresholds"] == [0.9] and report["config"]["epochs"] == 3
    assert main(["grow", str(vol), str(seeds), "-o", str(tmp_path / "c.npy"), "--resume", str(ck),
                 "--profile", "research"]) == 2  # fmt: skip
    assert "--resume" in capsys.readouterr().err


def test_a_crash_mid_training_keeps_the_last_good_labels(tmp_path, npy_inputs, tiny_json, monkeypatch, capsys):
    from napari_seisgrow.engine import Session

    real = Session._run_epoch

    def second_epoch_breaks(self, epoch):
        if epoch == 1:
            raise RuntimeError("injected fault in epoch 2")
        return real(self, epoch)

    monkeypatch.setattr(Session, "_run_epoch", second_epoch_breaks)
    vol, seeds = npy_inputs
    out, rep = tmp_path / "grown.npy", tmp_path / "report.json"
    code = main(["grow", str(vol), str(seeds), "-o", str(out), "--config", str(tiny_json), "--report", str(rep)])
    err = capsys.readouterr().err
    assert code == 1
    assert "training failed in epoch 2; writing the labels of epoch 1" in err
    assert err.strip().splitlines()[-1].startswith("seisgrow: internal error: RuntimeError: injected fault")
    report = json.loads(rep.read_text())
    assert len(report["epochs"]) == 1 and "injected fault" in report["failed"]
    grown = np.load(out)
    seeded = np.load(seeds) > 0
    np.testing.assert_array_equal(grown[seeded], np.load(seeds)[seeded])
    assert (grown > 0).sum() > seeded.sum()  # epoch 1's growth, not just the seeds


def test_ctrl_c_writes_the_last_epochs_labels_and_exits_130(tmp_path, npy_inputs, tiny_json):
    import os
    import signal
    import time
    from pathlib import Path

    vol, seeds = npy_inputs
    out = tmp_path / "grown.npy"
    repo = Path(__file__).resolve().parents[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "napari_seisgrow.cli", "grow", str(vol), str(seeds), "-o", str(out),
         "--config", str(tiny_json), "--epochs", "200"],
        stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(repo)},
        # as from a terminal: a SIGINT that something earlier in this process set to be ignored
        # would be inherited, and Python then never turns Ctrl-C into KeyboardInterrupt
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )  # fmt: skip
    seen = ""
    deadline = time.monotonic() + 120
    while "epoch 1/200" not in seen and time.monotonic() < deadline:
        seen += proc.stderr.read(1)
    proc.send_signal(signal.SIGINT)
    rest = proc.stderr.read()
    assert proc.wait(timeout=120) == 130, seen + rest
    assert "interrupted; writing the labels of epoch" in rest
    grown = np.load(out)
    seeded = np.load(seeds) > 0
    np.testing.assert_array_equal(grown[seeded], np.load(seeds)[seeded])


def test_grow_blockwise_keeps_the_volume_on_disk_and_writes_labels(tmp_path, npy_inputs, tiny_json, tiny_seeds, capsys):
    vol, seeds = npy_inputs
    out = tmp_path / "grown.zarr"
    code = main(["grow", str(vol), str(seeds), "-o", str(out), "--config", str(tiny_json), "--blockwise",
                 "--block", "8", "12", "16", "--workers", "2", "--set", "fill_final=true"])  # fmt: skip
    assert code == 0
    err = capsys.readouterr().err
    assert "blocks on dask local threads (2)" in err and "epoch 2/2" in err
    from napari_seisgrow.io import read_labels

    grown = read_labels(out)
    m = tiny_seeds > 0
    np.testing.assert_array_equal(grown[m], tiny_seeds[m])
    assert (grown > 0).mean() > 0.5
    work = tmp_path / "grown.zarr.seisgrow-work"
    assert (work / "labels.zarr").is_dir() and (work / "prediction.zarr").is_dir()


def test_a_volume_too_big_for_memory_runs_blockwise_by_itself(tmp_path, npy_inputs, tiny_json, capsys, monkeypatch):
    from napari_seisgrow.engine import memory

    vol, seeds = npy_inputs
    monkeypatch.setattr(memory, "available_memory", lambda: 1000)  # a machine with 1 kB free
    out = tmp_path / "grown.npy"
    assert main(["grow", str(vol), str(seeds), "-o", str(out), "--config", str(tiny_json), "--work",
                 str(tmp_path / "w")]) == 0  # fmt: skip
    err = capsys.readouterr().err
    assert "does not fit in this machine's memory" in err and "running blockwise" in err
    assert np.load(out).shape == np.load(vol).shape and (tmp_path / "w" / "labels.zarr").is_dir()


def test_blockwise_refuses_resume(tmp_path, npy_inputs, tiny_json, capsys):
    vol, seeds = npy_inputs
    code = main(["grow", str(vol), str(seeds), "-o", str(tmp_path / "g.npy"), "--blockwise", "--resume", "x"])
    assert code == 2
    assert "--resume is for in-memory runs" in capsys.readouterr().err


def test_grow_on_a_dask_cluster_writes_what_local_threads_write(tmp_path, npy_inputs, tiny_json):
    """`--scheduler tcp://...` with a LocalCluster of two worker processes: the same labels, byte for byte."""
    distributed = pytest.importorskip("distributed")
    vol, seeds = npy_inputs
    common = [str(vol), str(seeds), "--config", str(tiny_json), "--block", "8", "12", "16"]
    assert main(["grow", *common, "-o", str(tmp_path / "local.npy"), "--blockwise"]) == 0
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  worker_dashboard_address=None) as cluster:  # fmt: skip
        assert main(["grow", *common, "-o", str(tmp_path / "cluster.npy"), "--scheduler",
                     cluster.scheduler_address]) == 0  # fmt: skip
    local, remote = np.load(tmp_path / "local.npy"), np.load(tmp_path / "cluster.npy")
    assert (local > 0).mean() > 0.1
    np.testing.assert_array_equal(remote, local)


def test_kinds_on_the_command_line_reach_the_run_and_its_report(tmp_path, npy_inputs, tiny_json, capsys):
    vol, seeds = npy_inputs
    out, rep = tmp_path / "grown.npy", tmp_path / "report.json"
    code = main(["grow", str(vol), str(seeds), "-o", str(out), "--config", str(tiny_json), "--kinds", "unit,body",
                 "--report", str(rep)])  # fmt: skip
    assert code == 0
    report = json.loads(rep.read_text())
    assert report["config"]["class_kinds"] == ["unit", "body"]
    assert "as set for class 1, 2" in capsys.readouterr().err  # the run says which kinds it used
    code = main(["grow", str(vol), str(seeds), "-o", str(tmp_path / "b.npy"), "--config", str(tiny_json),
                 "--kinds", "unit,rock"])  # fmt: skip
    assert code == 2 and "class_kinds must each be auto, unit or body" in capsys.readouterr().err
    assert not (tmp_path / "b.npy").exists()


def test_every_setting_has_a_flag_with_its_help_and_the_flags_reach_the_run(tmp_path, npy_inputs, tiny_json, capsys):
    """The command line listed 3 of the settings; the rest went through --set only."""
    from dataclasses import fields

    from napari_seisgrow.cli import build_parser

    with pytest.raises(SystemExit):
        build_parser().parse_args(["grow", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    for f in fields(GrowConfig):
        assert "--" + f.name.replace("_", "-") in text, f.name
    assert "per-class probability thresholds t_c" in text  # each flag says what it is for
    assert "{layered,off}" in text and "<= 1" in text  # choices and bounds
    vol, seeds = npy_inputs
    out, rep = tmp_path / "o.npy", tmp_path / "r.json"
    flags = ["--epochs", "1", "--grow-thresholds", "0.9", "0.8", "--no-fill-final", "--unit-model", "off"]
    code = main(
        ["grow", str(vol), str(seeds), "-o", str(out), "--config", str(tiny_json), *flags, "--report", str(rep)]
    )
    assert code == 0
    cfg = json.loads(rep.read_text())["config"]
    assert (cfg["epochs"], cfg["grow_thresholds"], cfg["fill_final"], cfg["unit_model"]) == (
        1,
        [0.9, 0.8],
        False,
        "off",
    )
    assert cfg["steps_per_epoch"] == TINY["steps_per_epoch"]  # not given: the config file's value
    assert main(["grow", str(vol), str(seeds), "-o", str(out), "--config", str(tiny_json), "--agreement", "2"]) == 2
    assert "agreement" in capsys.readouterr().err  # bounds checked with one line
