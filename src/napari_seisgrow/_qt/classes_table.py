"""The class table: a name, a colour and a kind per label value, applied to the seeds and grown
layers, and how many voxels each class has grown by (a column fits 2 to 20 classes where one
status line cannot). The kind says whether a class is a unit (a layer of the column, labelled by
its position between horizons) or a body (texture decides; it cuts across units)."""

from __future__ import annotations

from collections.abc import Callable

from qtpy.QtCore import Qt
from qtpy.QtGui import QColor
from qtpy.QtWidgets import QColorDialog, QComboBox, QHeaderView, QTableWidget, QTableWidgetItem

from ..classes import KINDS, ClassTable

COLUMNS = ("value", "name", "colour", "kind", "grown")
KIND_TIPS = {
    "auto": "inferred from the strokes: a class whose strokes share no layers with another's is a unit",
    "unit": "a layer of the column: labelled by its position between the horizons above and below it",
    "body": "a channel, mound, salt, gas...: the networks' texture decides, and it cuts across units",
}


class ClassTableWidget(QTableWidget):
    """Edits a ClassTable in place; ``on_change`` runs after every edit."""

    def __init__(self, table: ClassTable, on_change: Callable[[], None]) -> None:
        super().__init__(0, len(COLUMNS))
        self.table = table
        self.on_change = on_change
        self.counts: dict[int, int] = {}
        self.setHorizontalHeaderLabels([c.capitalize() for c in COLUMNS])
        header = self.horizontalHeader()
        for column in range(len(COLUMNS)):  # the name takes the room the others leave
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.verticalHeader().setVisible(False)
        self.setMaximumHeight(160)
        self.cellChanged.connect(self._edited)
        self.cellDoubleClicked.connect(self._pick_colour)
        self.reload()

    def set_table(self, table: ClassTable) -> None:
        self.table = table
        self.reload()

    def reload(self) -> None:
        self.blockSignals(True)
        self.setRowCount(len(self.table.classes))
        for row, c in enumerate(self.table.classes):
            value = QTableWidgetItem(str(c.value))
            value.setFlags(value.flags() & ~Qt.ItemFlag.ItemIsEditable)
            self.setItem(row, 0, value)
            self.setItem(row, 1, QTableWidgetItem(c.name))
            swatch = QTableWidgetItem(c.colour)
            swatch.setBackground(QColor(c.colour))
            swatch.setFlags(swatch.flags() & ~Qt.ItemFlag.ItemIsEditable)
            self.setItem(row, 2, swatch)
            self.setCellWidget(row, 3, self._kind_box(row, c.kind))
            grown = QTableWidgetItem(_count(self.counts[c.value]) if c.value in self.counts else "")
            grown.setFlags(grown.flags() & ~Qt.ItemFlag.ItemIsEditable)
            grown.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            grown.setToolTip("voxels this class has grown by, beyond its seeds, at the last epoch")
            self.setItem(row, 4, grown)
        self.blockSignals(False)

    def _kind_box(self, row: int, kind: str) -> QComboBox:
        box = QComboBox()
        box.addItems(list(KINDS))
        for k, tip in KIND_TIPS.items():
            box.setItemData(KINDS.index(k), tip, Qt.ItemDataRole.ToolTipRole)
        box.setCurrentText(kind)
        box.setToolTip(KIND_TIPS[kind])
        box.currentTextChanged.connect(lambda text, r=row: self.set_kind(r, text))
        return box

    def set_kind(self, row: int, kind: str) -> None:
        """The interpreter's say on one class's kind; Train and Grow pass it to the engine."""
        self.table.classes[row].kind = kind
        box = self.cellWidget(row, 3)
        if box is not None and box.currentText() != kind:
            box.blockSignals(True)
            box.setCurrentText(kind)
            box.blockSignals(False)
        if box is not None:
            box.setToolTip(KIND_TIPS[kind])
        self.on_change()

    def set_counts(self, counts: dict[int, int]) -> None:
        """Each class's grown voxels at the last epoch (shown in the last column)."""
        self.counts = {int(k): int(v) for k, v in counts.items()}
        self.reload()

    def highlight(self, value: int) -> None:
        """Select the row of ``value`` (the label being painted with), if the table has it."""
        for row, c in enumerate(self.table.classes):
            if c.value == value:
                self.selectRow(row)
                return
        self.clearSelection()

    def _edited(self, row: int, column: int) -> None:
        if column == 1:
            self.table.classes[row].name = self.item(row, 1).text().strip() or f"Class {self.table.classes[row].value}"
            self.on_change()

    def _pick_colour(self, row: int, column: int) -> None:
        if column != 2:
            return
        colour = QColorDialog.getColor(QColor(self.table.classes[row].colour), self, "Class colour")
        if colour.isValid():
            self.set_colour(row, colour.name())

    def set_colour(self, row: int, colour: str) -> None:
        self.table.classes[row].colour = colour
        self.reload()
        self.on_change()


def _count(n: int) -> str:
    if n >= 10_000_000:
        return f"+{n / 1e6:.0f} M"
    if n >= 10_000:
        return f"+{n / 1e3:.0f} k"
    return f"+{n}"
