"""The settings panel: every knob the user guide names is there and reaches the config."""

from __future__ import annotations

from napari_seisgrow._qt.settings import SettingsPanel
from napari_seisgrow.engine.config import GrowConfig


def test_the_layering_settings_are_in_the_advanced_panel_and_reach_the_config(qtbot):
    panel = SettingsPanel(GrowConfig())
    names = {w.name for w in panel.advanced}
    assert {"grow_envelope", "layer_smoothing", "completion", "layer_reach", "agreement", "views"} <= names
    assert panel.config().completion == "layers"
    panel.set("completion", "connected")
    panel.set("grow_envelope", 0.0)
    panel.set("layer_smoothing", 3.0)
    cfg = panel.config()
    assert (cfg.completion, cfg.grow_envelope, cfg.layer_smoothing) == ("connected", 0.0, 3.0)


def test_the_panel_shows_exactly_what_the_config_tags_for_it(qtbot):
    """The panel kept its own lists, which disagreed with the config's tags (ema, cps_class_weights,
    seed_patch_fraction were tagged advanced and never shown)."""
    from dataclasses import fields

    panel = SettingsPanel(GrowConfig())
    tagged = {g: [f.name for f in fields(GrowConfig) if f.metadata["group"] == g] for g in ("basic", "advanced")}
    assert [w.name for w in panel.basic] == tagged["basic"]
    assert [w.name for w in panel.advanced] == tagged["advanced"]
    assert {"ema", "cps_class_weights", "seed_patch_fraction", "unit_agreement"} <= set(tagged["advanced"])
    panel.set("ema", 0.99)
    panel.set("seed_patch_fraction", 0.25)
    cfg = panel.config()
    assert (cfg.ema, cfg.seed_patch_fraction) == (0.99, 0.25)
