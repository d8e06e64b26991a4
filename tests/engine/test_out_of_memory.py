"""Running out of memory: halve the batches, then move to the CPU, and only there give up."""

from __future__ import annotations

import pytest
import torch

from napari_seisgrow.engine import GrowConfig
from napari_seisgrow.engine.out_of_memory import smaller_batches
from napari_seisgrow.io.errors import SeisgrowError


def test_each_batch_is_halved_and_the_note_says_to_what():
    cfg = GrowConfig(batch_labelled=8, batch_unlabelled=3)
    smaller, note = smaller_batches(cfg, ("batch_labelled", "batch_unlabelled"), torch.device("cpu"), "a step")
    assert (smaller.batch_labelled, smaller.batch_unlabelled) == (4, 1)
    assert note == "out of CPU memory in a step: retrying with batch labelled 4, batch unlabelled 1"


def test_at_a_batch_of_one_a_gpu_run_moves_and_a_cpu_run_gives_up_in_one_line():
    cfg = GrowConfig(inference_batch=1)
    assert smaller_batches(cfg, ("inference_batch",), torch.device("cuda"), "inference") is None
    with pytest.raises(SeisgrowError, match="even with a batch of 1"):
        smaller_batches(cfg, ("inference_batch",), torch.device("cpu"), "inference")
