"""Facies classes: a name and a colour per label value, shared by the widget and saved sessions."""

from __future__ import annotations

from dataclasses import dataclass, field

MAX_VALUE = 255  # seeds layers are uint8
# 20 colours told apart easily, then again; value 0 (unlabelled) is transparent
CLASS_COLOURS = [
    "#00000000",
    "#e6194b",
    "#3cb44b",
    "#ffe119",
    "#4363d8",
    "#f58231",
    "#911eb4",
    "#46f0f0",
    "#f032e6",
    "#bcf60c",
    "#fabebe",
    "#008080",
    "#e6beff",
    "#9a6324",
    "#fffac8",
    "#800000",
    "#aaffc3",
    "#808000",
    "#ffd8b1",
    "#000075",
    "#808080",
]


def default_colour(value: int) -> str:
    """The colour a class value gets until the user picks another (20 distinct colours, then again)."""
    return CLASS_COLOURS[1 + (value - 1) % (len(CLASS_COLOURS) - 1)]


DEFAULT_NAMES = ("Class 1", "Class 2", "Class 3", "Class 4", "Class 5", "Class 6", "Class 7", "Class 8")


KINDS = ("auto", "unit", "body")  # see engine/units.py: a layer of the column, or texture that cuts across


@dataclass
class FaciesClass:
    value: int
    name: str
    colour: str  # "#rrggbb"
    kind: str = "auto"  # unit, body, or auto (inferred from where its strokes lie in the layering)


@dataclass
class ClassTable:
    classes: list[FaciesClass] = field(default_factory=list)

    @classmethod
    def default(cls, n: int = 2, names: tuple[str, ...] | None = None) -> ClassTable:
        table = cls()
        for v in range(1, n + 1):
            table.ensure(v, (names[v - 1] if names and v - 1 < len(names) else None))
        return table

    def ensure(self, value: int, name: str | None = None) -> FaciesClass:
        """The class of ``value``, created with a default name and colour if it is new."""
        for c in self.classes:
            if c.value == value:
                return c
        c = FaciesClass(value, name or f"Class {value}", default_colour(value))
        self.classes.append(c)
        self.classes.sort(key=lambda k: k.value)
        return c

    def colour_dict(self) -> dict[int | None, str]:
        """Colours for every value a seeds layer can hold, not only the table's: a stroke painted with
        a value the table does not have yet is drawn at once, in the colour its class will get."""
        every = {v: default_colour(v) for v in range(1, MAX_VALUE + 1)}
        return {None: "transparent", 0: "transparent", **every, **{c.value: c.colour for c in self.classes}}

    def take(self, other: ClassTable) -> None:
        """Become ``other`` in place: every view of this table (the class table widget, the layers'
        colours) keeps showing the one object."""
        self.classes[:] = [FaciesClass(c.value, c.name, c.colour, c.kind) for c in other.classes]

    def values(self) -> set[int]:
        return {c.value for c in self.classes}

    def kinds(self) -> list[str]:
        """``GrowConfig.class_kinds``: each class's kind for values 1.. up to the last one not auto."""
        said = {c.value: c.kind for c in self.classes if c.kind != "auto"}
        return [said.get(v, "auto") for v in range(1, max(said, default=0) + 1)]

    def to_list(self) -> list[dict]:
        return [{"value": c.value, "name": c.name, "colour": c.colour, "kind": c.kind} for c in self.classes]

    @classmethod
    def from_list(cls, items: list[dict]) -> ClassTable:
        return cls([
            FaciesClass(int(d["value"]), str(d["name"]), str(d["colour"]),
                        d.get("kind", "auto") if d.get("kind") in KINDS else "auto")
            for d in items
        ])  # fmt: skip
