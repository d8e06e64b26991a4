"""Which torch device to use, said out loud."""

from __future__ import annotations

import functools

import torch

from ..io.errors import SeisgrowError


def resolve_device(choice: str = "auto") -> torch.device:
    """``auto`` is CUDA when a GPU is usable, else CPU; ``cuda`` without a GPU is a user error."""
    choice = (choice or "auto").lower()
    if choice == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if choice == "cpu":
        return torch.device("cpu")
    if choice.startswith("cuda"):
        if not torch.cuda.is_available():
            raise SeisgrowError("device 'cuda' was asked for but no CUDA GPU is available; use --device auto or cpu")
        return torch.device(choice)
    raise SeisgrowError(f"unknown device {choice!r}; use auto, cpu or cuda")


def bf16_inference(device: torch.device, amp: bool) -> bool:
    """Whether inference runs in bfloat16: with ``amp`` on a GPU, or on a CPU that computes bfloat16
    natively (AVX512-BF16 or AMX). There it halves inference time; emulated bfloat16 would be
    slower than float32, so other CPUs stay in float32. Training on the CPU always stays float32."""
    if not amp:
        return False
    if device.type == "cuda":
        return True
    return device.type == "cpu" and _cpu_has_bf16()


GPU_SECTIONS = 8  # sections per inference batch on a GPU, which needs several to be busy
CPU_BATCH_PIXELS = 2**19  # pixels per inference batch on a CPU: one F3 inline or crossline (0.3-0.44 M)


def sections_per_batch(requested: int, device: torch.device, section_pixels: int = 0) -> int:
    """Sections per inference batch: ``requested``, or with 0 (``inference_batch``'s default,
    auto) ``GPU_SECTIONS`` on a GPU and, on a CPU, as many sections of ``section_pixels`` as fit
    ``CPU_BATCH_PIXELS`` (1 to ``GPU_SECTIONS``; 1 when the size is not given).

    On a CPU the convolutions of large sections are bound by memory: a batch of them spills the
    caches, and one F3-size section at a time runs 1.76 times as fast as eight, with the same
    probabilities bit for bit. Small sections gain nothing from it, and in the viewer's process,
    where the GUI thread shares the two cores, one small section at a time was slower than
    eight (docs/benchmarks.md). A GPU is idle on one section at a time."""
    if requested > 0:
        return int(requested)
    if device.type == "cuda":
        return GPU_SECTIONS
    if section_pixels <= 0:
        return 1
    return int(max(1, min(GPU_SECTIONS, CPU_BATCH_PIXELS // section_pixels)))


@functools.cache
def _cpu_has_bf16() -> bool:
    try:
        return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):
        return False


def describe(device: torch.device) -> str:
    if device.type == "cuda":
        return f"cuda ({torch.cuda.get_device_name(device)})"
    return f"cpu ({torch.get_num_threads()} threads)"
