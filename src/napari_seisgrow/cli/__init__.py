"""The ``seisgrow`` command: the engine without a viewer, for batch work and big machines."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ..io import SeisgrowError, load_volume, read_labels, write_labels
from ..io.atomic import check_output_path
from ..io.segy import read_segy

EXIT_USAGE = 2


def _stats(data) -> dict:
    arr = np.asarray(data, dtype=np.float32)
    return {
        "min": float(arr.min()),
        "max": float(arr.max()),
        "mean": float(arr.mean(dtype=np.float64)),
        "std": float(arr.std(dtype=np.float64)),
        "p99_abs": float(np.percentile(np.abs(arr), 99)),
    }


def cmd_info(args: argparse.Namespace) -> int:
    vol = load_volume(args.file, **_segy_options(args))
    g = vol.geometry
    info = {
        "path": str(args.file),
        "shape": list(vol.shape),
        "inlines": [int(v) for v in g.inlines],
        "crosslines": [int(v) for v in g.crosslines],
        "samples": {"first": float(g.samples[0]), "last": float(g.samples[-1]), "count": len(g.samples)},
        "sample_interval": g.sample_interval,
        "sample_unit": g.sample_unit,
        "domain": g.domain,
        "sample_format": g.sample_format,
        "endian": g.endian,
        "iline_byte": g.iline_byte,
        "xline_byte": g.xline_byte,
        "dead_traces": 0 if g.live_mask is None else int((~g.live_mask).sum()),
        "amplitude": _stats(vol.data),
    }
    if args.json:
        print(json.dumps(info))
        return 0
    il, xl = info["inlines"], info["crosslines"]
    a = info["amplitude"]
    print(f"{info['path']}")
    print(f"  shape        {tuple(info['shape'])}  (inline, crossline, sample)")
    print(f"  inlines      {il[0]}-{il[-1]} ({len(il)})")
    print(f"  crosslines   {xl[0]}-{xl[-1]} ({len(xl)})")
    print(
        f"  samples      {g.samples[0]:g}-{g.samples[-1]:g} {g.sample_unit},"
        f" every {g.sample_interval:g} {g.sample_unit}"
    )
    if g.sample_format:
        print(f"  format       {g.sample_format}, {g.endian}-endian, lines at bytes {g.iline_byte}/{g.xline_byte}")
    print(f"  dead traces  {info['dead_traces']}")
    print(
        f"  amplitude    min {a['min']:.4g}  max {a['max']:.4g}  mean {a['mean']:.4g}"
        f"  std {a['std']:.4g}  p99|a| {a['p99_abs']:.4g}"
    )
    return 0


def cmd_convert(args: argparse.Namespace) -> int:
    check_output_path(args.output, args.labels, args.like)
    src = read_segy(args.like, **_segy_options(args))
    labels = read_labels(args.labels)
    out = write_labels(args.output, labels, src.geometry)
    print(f"wrote {out}", file=sys.stderr)
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from .demo import run_demo

    run_demo(Path(args.outdir), epochs=args.epochs, device=args.device)
    return 0


def _segy_options(args: argparse.Namespace) -> dict:
    path = str(getattr(args, "file", None) or getattr(args, "like", ""))
    if not path.lower().endswith((".sgy", ".segy")):
        return {}
    return {"iline": args.iline, "xline": args.xline}


def _add_segy_bytes(p: argparse.ArgumentParser) -> None:
    p.add_argument("--iline", type=int, default=189, help="inline number byte location (default 189)")
    p.add_argument("--xline", type=int, default=193, help="crossline number byte location (default 193)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="seisgrow", description=__doc__)
    parser.add_argument("--debug", action="store_true", help="show tracebacks of internal errors")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("info", help="shape, geometry and amplitude statistics of a volume")
    p.add_argument("file")
    p.add_argument("--json", action="store_true", help="print JSON instead of text")
    _add_segy_bytes(p)
    p.set_defaults(func=cmd_info)

    p = sub.add_parser("convert", help="write labels (.npy/.zarr) as SEG-Y like a source file")
    p.add_argument("labels")
    p.add_argument("--like", required=True, help="the SEG-Y whose headers the output copies")
    p.add_argument("-o", "--output", required=True)
    _add_segy_bytes(p)
    p.set_defaults(func=cmd_convert)

    p = sub.add_parser("demo", help="run the whole job on the bundled synthetic sample")
    p.add_argument("outdir", nargs="?", default="seisgrow-demo")
    p.add_argument("--epochs", type=int, default=None)
    p.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"])
    p.set_defaults(func=cmd_demo)
    from .grow import add_grow_parser
    from .suggest import add_suggest_parser

    add_grow_parser(sub)
    add_suggest_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except SeisgrowError as exc:
        print(f"seisgrow: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("seisgrow: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        if args.debug:
            raise
        first = str(exc).splitlines()[0] if str(exc) else ""
        print(
            f"seisgrow: internal error: {type(exc).__name__}: {first} (rerun with --debug for details)", file=sys.stderr
        )
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
