"""The class table: a name, a colour and a kind per label value, applied to the seeds and grown
layers, and each class's share of the volume at the last epoch (a column fits 2 to 20 classes
where one status line cannot; the table grows with its rows up to ``VISIBLE_ROWS``, then
scrolls). The kind says whether a class is a unit (a layer of the column, labelled by
its position between horizons) or a body (texture decides; it cuts across units)."""

from __future__ import annotations

from collections.abc import Callable

from qtpy.QtCore import Qt
from qtpy.QtGui import QColor
from qtpy.QtWidgets import QColorDialog, QComboBox, QHeaderView, QTableWidget, QTableWidgetItem

from ..classes import KINDS, ClassTable

COLUMNS = ("value", "name", "colour", "kind", "share")
HEADERS = ("", "Name", "", "Kind", "Share")  # value and colour speak for themselves; the names get the room
VISIBLE_ROWS = 10  # rows shown before the table scrolls (20 classes stay reachable, the dock stays short)
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
        self.shares: dict[int, float] = {}
        self.setHorizontalHeaderLabels(list(HEADERS))
        self.setWordWrap(False)
        header = self.horizontalHeader()
        for column in range(len(COLUMNS)):  # the name takes the room the others leave
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.verticalHeader().setVisible(False)
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.cellChanged.connect(self._edited)
        self.cellDoubleClicked.connect(self._pick_colour)
        self.reload()

    def reload(self) -> None:
        self.blockSignals(True)
        self.setRowCount(len(self.table.classes))
        for row, c in enumerate(self.table.classes):
            value = QTableWidgetItem(str(c.value))
            value.setFlags(value.flags() & ~Qt.ItemFlag.ItemIsEditable)
            self.setItem(row, 0, value)
            self.setItem(row, 1, QTableWidgetItem(c.name))
            swatch = QTableWidgetItem("    ")
            swatch.setBackground(QColor(c.colour))
            swatch.setFlags(swatch.flags() & ~Qt.ItemFlag.ItemIsEditable)
            swatch.setToolTip(f"{c.colour}: double-click to change")
            self.setItem(row, 2, swatch)
            self.setCellWidget(row, 3, self._kind_box(row, c.kind))
            share = QTableWidgetItem()
            share.setFlags(share.flags() & ~Qt.ItemFlag.ItemIsEditable)
            share.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.setItem(row, 4, share)
        self._show_shares()
        self.blockSignals(False)
        self._fit_rows()

    def _fit_rows(self) -> None:
        """As tall as its rows, up to ``VISIBLE_ROWS`` of them (then it scrolls)."""
        rows = max(2, min(self.rowCount(), VISIBLE_ROWS))
        height = self.horizontalHeader().height() + rows * self.verticalHeader().defaultSectionSize()
        self.setFixedHeight(height + 2 * self.frameWidth())

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

    def set_counts(self, counts: dict[int, int], shares: dict[int, float] | None = None) -> None:
        """Each class's grown voxels and share of the volume at the last epoch (the last column
        only: rebuilding the rows and their kind boxes every epoch stalled the viewer's last paint)."""
        self.counts = {int(k): int(v) for k, v in counts.items()}
        self.shares = {int(k): float(v) for k, v in (shares or {}).items()}
        if self.rowCount() != len(self.table.classes):
            self.reload()
            return
        self.blockSignals(True)
        self._show_shares()
        self.blockSignals(False)

    def _show_shares(self) -> None:
        for row, c in enumerate(self.table.classes):
            share = self.item(row, 4)
            if share is None:
                continue
            share.setText(f"{100 * self.shares[c.value]:.1f} %" if c.value in self.shares else "")
            n = self.counts.get(c.value)
            grown = f"; grown by {_count(n)} voxels beyond its seeds" if n is not None else ""
            share.setToolTip(f"share of the volume labelled {c.name} at the last epoch{grown}")

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
