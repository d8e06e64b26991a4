from __future__ import annotations

import pytest

from napari_seisgrow import SeisgrowError
from napari_seisgrow.engine.config import GrowConfig
from napari_seisgrow.engine.profiles import profile


def test_json_round_trip(tmp_path):
    cfg = GrowConfig(epochs=7, grow_thresholds=[0.7, 0.5], orientations=["inline"])
    cfg.to_json(tmp_path / "c.json")
    assert GrowConfig.from_json(tmp_path / "c.json") == cfg


def test_research_profile_matches_the_research_code():
    r = profile("research")
    assert (r.lr, r.focal_gamma, r.cps_weight, r.warmup_epochs) == (1e-4, 3.0, 1.0, 50)
    assert r.grow_thresholds == [0.8, 0.6] and r.grow_radius == 15 and r.accumulate
    assert r.threshold(1) == 0.8 and r.threshold(4) == 0.6


def test_stages():
    cfg = GrowConfig(warmup_epochs=2, cps_epochs=3)
    assert [cfg.stage(e) for e in range(7)] == ["warmup"] * 2 + ["cps"] * 3 + ["grow"] * 2


@pytest.mark.parametrize(
    "over",
    [{"orientations": ["sideways"]}, {"patch_size": [4, 4]}, {"grow_thresholds": [1.5]}, {"device": "tpu"},
     {"epochs": 0}, {"nonsense": 1}],
)  # fmt: skip
def test_invalid_settings_are_one_line_errors(over):
    with pytest.raises(SeisgrowError):
        GrowConfig().with_overrides(**over)


def test_config_file_with_profile(tmp_path):
    (tmp_path / "c.json").write_text('{"profile": "research", "epochs": 5}')
    cfg = GrowConfig.from_json(tmp_path / "c.json")
    assert cfg.epochs == 5 and cfg.lr == 1e-4
    (tmp_path / "bad.json").write_text("[1, 2]")
    with pytest.raises(SeisgrowError):
        GrowConfig.from_json(tmp_path / "bad.json")


@pytest.mark.parametrize("over", [{"epochs": "ten"}, {"accumulate": "yes"}, {"grow_thresholds": 0.5}])
def test_wrong_types_are_one_line_errors(over):
    with pytest.raises(SeisgrowError, match="must be a"):
        GrowConfig().with_overrides(**over)


def test_integers_are_accepted_for_floats():
    assert GrowConfig(lr=1).lr == 1.0


def test_last_growth_settings_are_tagged_once_and_read_from_the_config():
    from napari_seisgrow.engine.config import LAST_GROWTH, check_last_growth

    shown = ("grow_thresholds", "fill_final", "completion", "agreement", "layer_reach", "unit_model", "class_kinds")
    for name in shown:
        assert name in LAST_GROWTH
    for name in ("epochs", "lr", "inputs", "layer_smoothing", "seed"):
        assert name not in LAST_GROWTH  # these need training (or a new prediction) again
    cfg = GrowConfig(fill_final=False, grow_thresholds=[0.8])
    got = cfg.last_growth()
    assert set(got) == set(LAST_GROWTH)
    assert got["fill_final"] is False and got["grow_thresholds"] == [0.8]
    check_last_growth(["fill_final", "agreement"])
    with pytest.raises(SeisgrowError, match="lr"):
        check_last_growth(["fill_final", "lr"])


def test_a_hand_written_config_is_never_read_as_an_old_saved_record(tmp_path):
    """Five keys and no ``inputs`` used to turn a hand-written file into the amplitude-only setup
    of records saved before the stratigraphic inputs; only the program's own records are rebuilt."""
    import json

    from napari_seisgrow.engine.config import SAVED_BEFORE_STRUCTURE

    old = {"fill_final": True, "max_reach": 64, "seed": 1, "grow_radius": 1, "orientations": ["inline"]}
    assert set(old) == set(SAVED_BEFORE_STRUCTURE)
    path = tmp_path / "mine.json"
    path.write_text(json.dumps(old))
    mine = GrowConfig.from_json(path)
    assert mine.inputs == GrowConfig().inputs and mine.grow_envelope == GrowConfig().grow_envelope
    assert mine.max_reach == 64 and mine.orientations == ["inline"]
    saved = GrowConfig.from_json(path, saved=True)
    assert saved.inputs == ["amplitude"] and saved.grow_envelope == 0.0
