"""A row of push buttons, the one layout helper the panels share."""

from __future__ import annotations

from collections.abc import Callable

from qtpy.QtWidgets import QBoxLayout, QHBoxLayout, QPushButton


def button_row(layout: QBoxLayout, *specs: tuple[str, Callable[[], object], str]) -> list[QPushButton]:
    """Buttons side by side, each from (text, slot, tooltip), added to ``layout``."""
    row = QHBoxLayout()
    buttons = []
    for text, slot, tip in specs:
        button = QPushButton(text)
        button.clicked.connect(lambda *_, slot=slot: slot())
        if tip:
            button.setToolTip(tip)
        row.addWidget(button)
        buttons.append(button)
    layout.addLayout(row)
    return buttons
