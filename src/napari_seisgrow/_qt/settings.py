"""Training settings generated from GrowConfig: the same definitions as the CLI and JSON files."""

from __future__ import annotations

import json
from dataclasses import fields
from typing import Any

from magicgui import widgets

from ..engine.config import GrowConfig, default_of
from ..io.errors import SeisgrowError


def _in_group(group: str) -> tuple[str, ...]:
    """The settings the config tags for this panel section, in the config's order."""
    return tuple(f.name for f in fields(GrowConfig) if f.metadata.get("group") == group)


BASIC = _in_group("basic")
ADVANCED = _in_group("advanced")


def _widget(name: str, value: Any) -> widgets.Widget:
    f = next(f for f in fields(GrowConfig) if f.name == name)
    meta = f.metadata
    label = name.replace("_", " ")
    tip = meta.get("help", "")
    default = default_of(name)
    if "choices" in meta:
        w = widgets.ComboBox(value=value, choices=list(meta["choices"]), label=label, name=name)
    elif isinstance(default, bool):
        w = widgets.CheckBox(value=value, label=label, name=name)
    elif isinstance(default, int):
        w = widgets.SpinBox(value=value, min=int(meta.get("min", 0)), max=int(meta.get("max", 100_000)), label=label,
                            name=name)  # fmt: skip
        if "zero" in meta:
            w.native.setSpecialValueText(meta["zero"])  # the box says what 0 means (e.g. "auto")
    elif isinstance(default, float):
        w = widgets.FloatSpinBox(value=value, min=float(meta.get("min", 0.0)), max=float(meta.get("max", 1e6)),
                                 step=0.05 if meta.get("max") == 1.0 else 0.0001 if value < 0.01 else 0.1,
                                 label=label, name=name)  # fmt: skip
    else:  # lists: edited as JSON, e.g. [0.6, 0.8]
        w = widgets.LineEdit(value=json.dumps(value), label=label, name=name)
    w.tooltip = tip
    return w


class SettingsPanel:
    """Basic and advanced magicgui containers whose values make a GrowConfig."""

    def __init__(self, config: GrowConfig | None = None) -> None:
        config = config or GrowConfig()
        self.basic = widgets.Container(widgets=[_widget(n, getattr(config, n)) for n in BASIC], labels=True)
        self.advanced = widgets.Container(widgets=[_widget(n, getattr(config, n)) for n in ADVANCED], labels=True)
        self._base = config

    def _all(self):
        yield from self.basic
        yield from self.advanced

    def config(self) -> GrowConfig:
        """The settings as a GrowConfig, or a one-line SeisgrowError naming the bad field."""
        values: dict[str, Any] = {}
        for w in self._all():
            v = w.value
            if isinstance(w, widgets.LineEdit):
                try:
                    v = json.loads(v)
                except ValueError as exc:
                    raise SeisgrowError(f"{w.name}: {w.value!r} is not a list like [0.6, 0.8]") from exc
            values[w.name] = v
        return self._base.with_overrides(**values)

    def set_config(self, config: GrowConfig) -> None:
        self._base = config
        for w in self._all():
            v = getattr(config, w.name)
            w.value = json.dumps(v) if isinstance(w, widgets.LineEdit) else v

    def set(self, name: str, value: Any) -> None:
        for w in self._all():
            if w.name == name:
                w.value = json.dumps(value) if isinstance(w, widgets.LineEdit) else value
                return
        raise KeyError(name)
