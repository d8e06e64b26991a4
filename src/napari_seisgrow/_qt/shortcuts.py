"""Keyboard shortcuts for the dock, registered as napari actions so they appear (and can be changed)
in napari's Preferences > Shortcuts like napari's own.

An action is registered once per process on the viewer's keymap; it acts on the dock of the viewer
it is pressed in (the last dock opened there), and does nothing where no dock is open.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any

from napari.components import ViewerModel
from napari.utils.action_manager import action_manager
from napari.viewer import Viewer

PREFIX = "napari-seisgrow"
SHORTCUTS = {  # action: (description, default key)
    "train": ("SeisGrow: Train", "Alt-T"),
    "stop": ("SeisGrow: Stop training", "Alt-S"),
    "grow": ("SeisGrow: Grow again from the last prediction", "Alt-G"),
    "next_suggestion": ("SeisGrow: Next suggestion", "Alt-N"),
}

_docks: weakref.WeakValueDictionary[int, Any] = weakref.WeakValueDictionary()  # id(viewer) -> the dock there
_registered: set[str] = set()


def _acting(name: str) -> Callable[[Viewer], None]:
    def act(viewer: Viewer) -> None:  # annotated for napari's injection, which hands over the current viewer
        dock = _docks.get(id(viewer))
        if dock is not None:
            dock.shortcut(name)

    return act


def register(viewer: Any, dock: Any) -> None:
    """Bind the shortcuts for ``dock`` in ``viewer`` (the actions themselves once per process)."""
    _docks[id(getattr(viewer, "__wrapped__", viewer))] = dock  # napari may hand plugins a proxy of the viewer
    for name, (description, key) in SHORTCUTS.items():
        action = f"{PREFIX}:{name}"
        if action in _registered:
            continue
        action_manager.register_action(action, _acting(name), description, ViewerModel)
        action_manager.bind_shortcut(action, key)
        _registered.add(action)
