"""Command-line flags for every setting, generated from GrowConfig's own tags.

``seisgrow grow --help`` lists each setting of the method with what it is for, its bounds and its
choices, grouped as the panel groups them; a flag given wins over ``--config`` and ``--profile``,
and ``--set KEY=VALUE`` (JSON values) stays for scripts. Nothing here keeps its own list of
settings: a new field of GrowConfig is a new flag.
"""

from __future__ import annotations

import argparse
import typing
from dataclasses import fields
from typing import Any

from ..engine.config import GROUPS, GrowConfig, default_of

TITLES = {
    "basic": "settings (the panel's basic section)",
    "advanced": "settings (the panel's advanced section)",
    "expert": "settings (command line and settings files only)",
}


def flag(name: str) -> str:
    return "--" + name.replace("_", "-")


def _help(meta: dict[str, Any], default: Any) -> str:
    bounds = []
    if "min" in meta:
        bounds.append(f">= {meta['min']:g}")
    if "max" in meta:
        bounds.append(f"<= {meta['max']:g}")
    shown = " ".join(map(str, default)) if isinstance(default, list) else default
    extra = f"; {', '.join(bounds)}" if bounds else ""
    return f"{meta.get('help', '')} (default {shown}{extra})".replace("%", "%%")


def _item_type(name: str) -> type:
    """The element type of a list setting (``list[float]`` -> float)."""
    hint = typing.get_type_hints(GrowConfig)[name]
    args = typing.get_args(hint)
    return args[0] if args else str


def add_setting_flags(parser: argparse.ArgumentParser) -> None:
    """One flag per GrowConfig field, in argument groups by the field's panel group."""
    groups = {g: parser.add_argument_group(TITLES[g]) for g in GROUPS}
    for f in fields(GrowConfig):
        meta, default = f.metadata, default_of(f.name)
        group = groups[meta.get("group", "expert")]
        common: dict[str, Any] = {"dest": f"setting_{f.name}", "default": None, "help": _help(meta, default)}
        if isinstance(default, bool):
            group.add_argument(flag(f.name), action=argparse.BooleanOptionalAction, **common)
        elif isinstance(default, list):
            group.add_argument(flag(f.name), nargs="+", type=_item_type(f.name), metavar="V", **common)
        elif "choices" in meta:
            group.add_argument(flag(f.name), choices=list(meta["choices"]), **common)
        else:
            metavar = {int: "N", float: "X"}.get(type(default), "VALUE")
            group.add_argument(flag(f.name), type=type(default), metavar=metavar, **common)


def setting_overrides(args: argparse.Namespace) -> dict[str, Any]:
    """The settings given as flags (``None`` = not given)."""
    out = {}
    for f in fields(GrowConfig):
        value = getattr(args, f"setting_{f.name}", None)
        if value is not None:
            out[f.name] = value
    return out
