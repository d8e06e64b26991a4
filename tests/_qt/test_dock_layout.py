"""The dock as an interpreter lives in it: panels in collapsible sections, a class table that
fits 2 to 20 classes, and napari shortcuts for Train, Stop, Grow and Next suggestion."""

from __future__ import annotations

import numpy as np
import pytest
from app_model.types import KeyBinding
from napari.components import ViewerModel
from napari.utils.action_manager import action_manager

from napari_seisgrow._napari.layer_kwargs import image_layer_kwargs
from napari_seisgrow._qt.classes_table import COLUMNS, VISIBLE_ROWS
from napari_seisgrow._qt.shortcuts import PREFIX, SHORTCUTS
from napari_seisgrow._qt.widget import SECTIONS
from napari_seisgrow.engine import GrowConfig
from napari_seisgrow.synthetic import make_synthetic, seed_inlines

from .test_widget import TINY, WAIT_MS


@pytest.fixture
def dock(make_napari_viewer):
    viewer = make_napari_viewer()
    synth = make_synthetic((16, 24, 48), seed=5)
    viewer.add_image(synth.volume.data, **image_layer_kwargs(synth.volume, "seismic"))
    _, widget = viewer.window.add_plugin_dock_widget("napari-seisgrow", "SeisGrow")
    widget.settings.set_config(GrowConfig(**{**TINY, "fill_final": False}))
    yield viewer, widget, synth
    widget.shutdown()


def test_each_panel_sits_in_its_own_collapsible_section(dock):
    _, widget, _ = dock
    assert list(widget.sections) == list(SECTIONS)
    assert widget.sections["Data and classes"].isExpanded() and not widget.sections["Review"].isExpanded()
    assert widget.data.class_table.isVisibleTo(widget) and widget.training.train_btn.isVisibleTo(widget)
    widget.sections["Training"].collapse(animate=False)
    assert not widget.sections["Training"].isExpanded()
    assert widget.status.status.isVisibleTo(widget)  # the status line stays in view whatever is folded


def test_the_class_table_shows_twenty_named_classes_and_grows_with_them(dock):
    _, widget, _ = dock
    table = widget.data.class_table
    two = table.height()
    for v in range(3, 21):
        widget.layers.classes.ensure(v, f"Stratigraphic unit {v}")
    table.reload()
    assert table.rowCount() == 20
    assert table.height() > two  # taller with more classes...
    rows = (table.height() - table.horizontalHeader().height()) // table.verticalHeader().defaultSectionSize()
    assert rows == VISIBLE_ROWS  # ...up to ten rows, then it scrolls
    name = COLUMNS.index("name")
    assert table.item(19, name).text() == "Stratigraphic unit 20"
    assert table.columnWidth(name) > max(table.columnWidth(c) for c in range(len(COLUMNS)) if c != name) // 2


def test_the_shortcuts_are_napari_actions_that_drive_the_dock(qtbot, dock):
    viewer, widget, synth = dock
    for name, (_, key) in SHORTCUTS.items():
        assert f"{PREFIX}:{name}" in action_manager._actions  # listed in napari's shortcut preferences
        assert KeyBinding.from_str(key) in ViewerModel.class_keymap
    seeds = widget.data.new_seeds_layer()
    seeds.data[...] = seed_inlines(synth.truth, 2)
    seeds.refresh()
    ViewerModel.class_keymap[KeyBinding.from_str(SHORTCUTS["train"][1])](viewer)  # what napari does on the key
    assert widget.model.running
    qtbot.waitUntil(lambda: not widget.model.running, timeout=WAIT_MS)
    assert widget.model.session is not None and widget.model.session.epoch == TINY["epochs"]


def test_the_grown_layer_is_made_with_the_seeds_layer_and_train_reuses_it(qtbot, dock):
    viewer, widget, synth = dock
    seeds = widget.data.new_seeds_layer()
    grown = widget.layers.grown
    assert grown is not None and grown in viewer.layers and not grown.data.any()  # ready, empty, before Train
    assert viewer.layers.selection.active == seeds and seeds.mode == "paint"  # painting goes on the seeds
    assert widget.data.image_combo.currentText() == "seismic" and widget.data.seeds_combo.currentText() == "seeds"
    seeds.data[...] = seed_inlines(synth.truth, 2)
    seeds.refresh()
    widget.run.start_training()
    assert widget.layers.grown is grown  # no layer added at the click: it only takes the seeds
    np.testing.assert_array_equal(grown.data, seeds.data)
    qtbot.waitUntil(lambda: not widget.model.running, timeout=WAIT_MS)
    assert widget.layers.grown is grown and (grown.data > 0).mean() > (seeds.data > 0).mean()
