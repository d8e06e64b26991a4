"""Inference speed of one default network on F3-size inline sections, per memory layout and precision.

    .venv/bin/python benchmarks/inference.py                 # 8 sections of 951 x 462, 2 inputs
    .venv/bin/python benchmarks/inference.py --size 651 462 --batch 4

Rows: the layout inference used before issue 13 (NCHW, float32), channels-last float32 (what
``predict`` now does everywhere), and channels-last bfloat16 (what it does with ``amp`` where the
device computes bfloat16 natively: ``device.bf16_inference``). Each row is the mean of
``--repeats`` forward passes after one warm-up, in million voxels per second for ONE network in
ONE orientation (an epoch's whole-volume pass runs two networks in two orientations: four such
passes per voxel). The agreement of the argmax with float32 is printed for the bfloat16 row. The last
line is JSON.
"""

from __future__ import annotations

import argparse
import json
import time

import torch


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size", type=int, nargs=2, default=[951, 462], help="section size (traces, samples)")
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--inputs", type=int, default=2)
    ap.add_argument("--classes", type=int, default=6)
    ap.add_argument("--repeats", type=int, default=2)
    args = ap.parse_args()

    from napari_seisgrow.engine.config import GrowConfig
    from napari_seisgrow.engine.device import bf16_inference
    from napari_seisgrow.engine.unet import UNet

    cfg = GrowConfig()
    torch.manual_seed(0)
    net = UNet(args.classes, depth=cfg.depth, width=cfg.width, norm=cfg.norm, in_channels=args.inputs).eval()
    x = torch.randn(args.batch, args.inputs, *args.size)
    voxels = x[:, 0].numel()
    rows = {}

    def timed(name: str, inp: torch.Tensor, bf16: bool) -> torch.Tensor:
        with torch.inference_mode(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            out = net(inp)
            t = time.perf_counter()
            for _ in range(args.repeats):
                out = net(inp)
            dt = (time.perf_counter() - t) / args.repeats
        rows[name] = round(voxels / dt / 1e6, 2)
        print(f"{name}: {dt:.2f} s per batch of {args.batch}, {rows[name]} M voxels/s", flush=True)
        return out.float()

    plain = timed("nchw_float32", x, False)
    cl = x.contiguous(memory_format=torch.channels_last)
    timed("channels_last_float32", cl, False)
    if bf16_inference(torch.device("cpu"), True):
        fast = timed("channels_last_bfloat16", cl, True)
        rows["bfloat16_argmax_agreement"] = round(float((fast.argmax(1) == plain.argmax(1)).float().mean()), 5)
        print(f"bfloat16 argmax agrees with float32 on {rows['bfloat16_argmax_agreement']:.3%} of voxels")
    else:
        print("this CPU has no native bfloat16: inference stays float32")
    print(json.dumps({"size": args.size, "batch": args.batch, "threads": torch.get_num_threads(), **rows}))


if __name__ == "__main__":
    main()
