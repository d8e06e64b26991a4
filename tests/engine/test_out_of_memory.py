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


def test_the_automatic_inference_batch_is_halved_from_what_it_means_on_the_device():
    from napari_seisgrow.engine.device import GPU_SECTIONS, sections_per_batch

    auto = GrowConfig()
    assert auto.inference_batch == 0  # auto by default
    cpu, cuda = torch.device("cpu"), torch.device("cuda")
    assert sections_per_batch(0, cpu) == 1 and sections_per_batch(0, cuda) == GPU_SECTIONS
    assert sections_per_batch(0, cpu, 951 * 462) == 1 and sections_per_batch(0, cpu, 200 * 400) == 6  # by size
    assert sections_per_batch(0, cpu, 16 * 16) == GPU_SECTIONS and sections_per_batch(0, cuda, 951 * 462) == 8
    assert sections_per_batch(3, cpu) == 3 and sections_per_batch(3, cuda) == 3
    smaller, note = smaller_batches(auto, ("inference_batch",), cuda, "inference")
    assert smaller.inference_batch == GPU_SECTIONS // 2 and "inference batch 4" in note
    with pytest.raises(SeisgrowError, match="even with a batch of 1"):  # one section at a time already
        smaller_batches(auto, ("inference_batch",), cpu, "inference")
