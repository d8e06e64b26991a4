"""Which torch device to use, said out loud."""

from __future__ import annotations

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


def describe(device: torch.device) -> str:
    if device.type == "cuda":
        return f"cuda ({torch.cuda.get_device_name(device)})"
    return f"cpu ({torch.get_num_threads()} threads)"
