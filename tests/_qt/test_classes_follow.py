"""The class table follows what is painted, so every stroke is drawn (a real napari viewer)."""

from __future__ import annotations

import numpy as np
import pytest

from napari_seisgrow._napari.layer_kwargs import image_layer_kwargs
from napari_seisgrow._qt.classes_table import COLUMNS
from napari_seisgrow._qt.widget import SeisGrowWidget
from napari_seisgrow.engine import GrowConfig
from napari_seisgrow.synthetic import make_synthetic
from tests.conftest import TINY

WAIT_MS = 120_000


@pytest.fixture
def setup(make_napari_viewer):
    viewer = make_napari_viewer()
    synth = make_synthetic((8, 24, 48), seed=5)
    viewer.add_image(synth.volume.data, **image_layer_kwargs(synth.volume, "seismic"))
    _, widget = viewer.window.add_plugin_dock_widget("napari-seisgrow", "SeisGrow")
    assert isinstance(widget, SeisGrowWidget)
    yield viewer, widget, synth
    widget.shutdown()


def _alpha(layer, value: int) -> float:
    return float(np.asarray(layer.colormap.map(np.array([value])))[0, 3])


def test_a_stroke_with_a_value_the_table_lacks_is_drawn_and_joins_the_table(setup):
    _, widget, _ = setup
    seeds = widget.data.new_seeds_layer()
    assert 7 not in widget.layers.classes.values()
    seeds.selected_label = 7  # napari's own spinner, not "Add class"
    assert _alpha(seeds, 7) > 0  # drawn from the first dab, before the table knows the class
    before = np.asarray(seeds.colormap.map(np.array([7])))[0].copy()
    seeds.paint((3, 10, 20), 7)
    assert 7 in widget.layers.classes.values()
    assert widget.data.class_table.rowCount() == 3
    np.testing.assert_allclose(np.asarray(seeds.colormap.map(np.array([7])))[0], before)  # the same colour
    assert seeds.data[3, 10, 20] == 7


def test_picking_a_seeds_layer_with_many_values_fills_the_table(setup):
    viewer, widget, synth = setup
    data = np.zeros(synth.volume.data.shape, np.uint8)
    for v in range(1, 13):
        data[v % 8, v, 5:9] = v
    viewer.add_labels(data, name="old picks")
    widget.data.seeds_combo.setCurrentText("old picks")
    assert sorted(widget.layers.classes.values()) == list(range(1, 13))
    assert widget.data.class_table.rowCount() == 12
    for v in range(1, 13):
        assert _alpha(viewer.layers["old picks"], v) > 0
    # 12 classes: 20 distinct colours before any repeats
    assert len({c.colour for c in widget.layers.classes.classes}) == 12


def test_status_explains_growth_and_the_table_shows_each_class(qtbot, setup):
    _, widget, _ = setup
    widget.settings.set_config(GrowConfig(**{**TINY, "fill_final": True}))
    seeds = widget.data.new_seeds_layer()
    seeds.data[2, 3:20, 10:14] = 1
    seeds.data[2, 3:20, 30:34] = 2
    seeds.data[5, 3:20, 20:24] = 3
    seeds.refresh()
    widget.run.start_training()
    qtbot.waitUntil(lambda: not widget.model.running, timeout=WAIT_MS)
    text = widget.status.status.text()
    assert "labelled 100.0%" in text and "completed along the layering" in text
    table = widget.data.class_table
    column = COLUMNS.index("share")
    shares = [table.item(row, column).text() for row in range(table.rowCount())]
    assert all(cell.endswith(" %") for cell in shares)  # every class's share of the volume is shown
    assert sum(float(cell[:-2]) for cell in shares) == pytest.approx(100.0, abs=0.3)  # every voxel labelled
    assert "grown by +" in table.item(0, column).toolTip()


def test_a_kind_set_in_the_table_reaches_the_run_and_survives_a_saved_session(qtbot, setup, tmp_path):
    _, widget, _ = setup
    widget.settings.set_config(GrowConfig(**TINY))
    seeds = widget.data.new_seeds_layer()
    seeds.data[2, 3:20, 10:14] = 1
    seeds.data[2, 3:20, 30:34] = 2
    seeds.data[5, 3:20, 20:24] = 3
    seeds.refresh()
    widget.layers.classes.ensure(3)
    widget.data.class_table.reload()
    row = [c.value for c in widget.layers.classes.classes].index(3)

    def kind_box():  # the table rebuilds its rows when counts arrive: always the current one
        return widget.data.class_table.cellWidget(row, COLUMNS.index("kind"))

    assert kind_box().currentText() == "auto"
    kind_box().setCurrentText("body")  # as the interpreter picks it
    assert widget.layers.classes.classes[row].kind == "body"
    widget.run.start_training()
    qtbot.waitUntil(lambda: not widget.model.running, timeout=WAIT_MS)
    assert widget.model.session.config.class_kinds == ["auto", "auto", "body"]
    assert widget.model.session.class_kinds().kinds[2] == "body"
    assert "as set for class 3" in widget.status.status.text()  # the status says what the kinds came from
    assert widget.status.status.toolTip() == widget.status.status.text()  # all of it, where the label is too short
    folder = tmp_path / "session"
    assert widget.files.save(folder) is not None
    kind_box().setCurrentText("unit")
    assert widget.layers.classes.classes[row].kind == "unit"
    assert widget.files.load(folder)
    assert widget.layers.classes.classes[row].kind == "body" and kind_box().currentText() == "body"
