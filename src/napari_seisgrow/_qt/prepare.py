"""Getting to know the volume while the interpreter paints: self-supervised pretraining in the background.

When a seismic layer is picked (and the option is on), a worker solves the stratigraphic
coordinate if needed and pretrains both networks by masked-trace reconstruction. Train then
starts from those weights; pressing Train while it runs ends it at the next step and uses what it
has learnt so far. The weights go into the session's checkpoints (autosave, Save session) and
come back with them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from napari.qt.threading import create_worker

from ..engine.channels import StratGrid, build_channels, strat_for_volume
from ..engine.config import GrowConfig
from ..engine.data import normalise
from ..engine.pretrain import PretrainReport, pretrain

STEPS = 96  # the pretraining measured in docs/benchmarks.md (its effect beyond that is unmeasured)


def signature(config: GrowConfig) -> tuple:
    """What pretrained weights depend on: they fit another run only if these agree."""
    return (tuple(config.inputs), config.views, config.depth, config.width, config.norm, config.seed)


def prepare(data: Any, config: GrowConfig, strat: StratGrid | None, steps: int, stop: threading.Event):
    """Worker body: yields progress text, then ``(strat, weights)`` last."""
    if strat is None and "strat" in config.inputs:
        yield "learning the volume: solving the stratigraphic coordinate"
        strat = strat_for_volume(data, config.clip_percentile)
    x, _ = normalise(data, config.clip_percentile)
    inputs = build_channels(config.inputs, x, strat)
    weights = None
    for item in pretrain(inputs, config, steps, should_stop=stop.is_set):
        if isinstance(item, PretrainReport):
            yield f"learning the volume while you paint: step {item.step}/{item.steps}, reconstruction {item.loss:.4f}"
        else:
            weights = item
    yield (strat, weights)


class Preparation:
    """One background preparation at a time; its result is kept per volume and settings."""

    def __init__(self, on_status: Callable[[str], None], on_strat: Callable[[Any, StratGrid], None]) -> None:
        self.on_status = on_status
        self.on_strat = on_strat
        self.worker = None
        self.stop = threading.Event()
        self.done = threading.Event()
        self.done.set()
        self.results: dict[tuple, Any] = {}
        self._key: tuple | None = None

    @property
    def running(self) -> bool:
        return not self.done.is_set()

    def start(self, image: Any, config: GrowConfig, strat: StratGrid | None, steps: int = STEPS) -> None:
        key = (image.name, tuple(image.data.shape), signature(config))
        if key in self.results or (self.running and key == self._key):
            return
        self.cancel()
        self._key = key
        self.stop = threading.Event()
        self.done = threading.Event()
        done = self.done

        def yielded(item: Any) -> None:
            if isinstance(item, str):
                self.on_status(item)
                return
            grid, weights = item
            if grid is not None:
                self.on_strat(image, grid)
            if weights is not None:
                self.results[key] = weights
                self.on_status("the networks know the volume: Train starts from what they learnt")

        def finished() -> None:
            done.set()

        self.worker = create_worker(
            prepare, image.data, config, strat, steps, self.stop,
            _connect={"yielded": yielded, "finished": finished, "errored": lambda exc: finished()},
        )  # fmt: skip

    def cancel(self) -> None:
        """End a running preparation at its next step (its result so far is still kept)."""
        self.stop.set()

    def weights(self, image: Any, config: GrowConfig) -> Any:
        return self.results.get((image.name, tuple(image.data.shape), signature(config)))

    def keep(self, image: Any, config: GrowConfig, weights: Any) -> None:
        if weights is not None:
            self.results[(image.name, tuple(image.data.shape), signature(config))] = weights
