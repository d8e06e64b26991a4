"""``seisgrow grow``: train on seeds and write grown labels, with a progress bar on stderr."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from ..engine.factory import open_session, runs_blockwise
from ..engine.report import EpochReport
from ..io import SeisgrowError, load_volume, read_labels, write_labels
from ..io.atomic import atomic_path, check_output_path
from ..io.segy import is_segy_path
from ..saved import provenance
from .settings import add_setting_flags, setting_overrides

OUTPUT_TYPES = (".npy", ".zarr", ".sgy", ".segy")


class ProgressBar:
    """One line per epoch; redrawn in place on a terminal, appended otherwise (logs, CI)."""

    def __init__(self, stream=None, width: int = 24) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.width = width
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())

    def __call__(self, report: EpochReport) -> None:
        done = report.epoch + 1
        filled = round(self.width * done / report.epochs)
        bar = "#" * filled + "." * (self.width - filled)
        text = f"[{bar}] {report.line()}"
        if self.tty:
            self.stream.write("\r\033[K" + text + ("\n" if done == report.epochs else ""))
        else:
            self.stream.write(text + "\n")
        self.stream.flush()


def _overrides(args: argparse.Namespace) -> dict[str, Any]:
    """Settings given one by one on the command line (they win over --config and --profile)."""
    overrides: dict[str, Any] = setting_overrides(args)
    if getattr(args, "kinds", None):
        overrides["class_kinds"] = [k.strip() for k in args.kinds.split(",")]
    for item in args.set or []:
        key, sep, raw = item.partition("=")
        if not sep:
            raise SeisgrowError(f"--set takes KEY=VALUE; got {item!r}")
        try:
            overrides[key.strip()] = json.loads(raw)
        except ValueError:
            overrides[key.strip()] = raw
    return overrides


def _config(args: argparse.Namespace):
    from ..engine.config import GrowConfig
    from ..engine.profiles import profile

    cfg = GrowConfig.from_json(args.config) if args.config else profile(args.profile)
    overrides = _overrides(args)
    return cfg.with_overrides(**overrides) if overrides else cfg


def cmd_grow(args: argparse.Namespace) -> int:
    from ..engine import Session
    from ..engine.checkpoint import versions

    out = Path(args.output)
    if not out.name.lower().endswith(OUTPUT_TYPES):
        raise SeisgrowError(f"{out.name}: output must be .npy, .zarr or .sgy/.segy")
    if is_segy_path(out) and not is_segy_path(args.volume):
        raise SeisgrowError("a SEG-Y output is written like a SEG-Y volume; give a .sgy volume or write .npy/.zarr")
    check_output_path(out, args.volume, args.seeds)
    if args.report:
        check_output_path(args.report, args.volume, args.seeds)
    cfg = _config(args)
    options = {"iline": args.iline, "xline": args.xline} if is_segy_path(args.volume) else {}
    volume = load_volume(args.volume, lazy=True, **options)  # headers only, until we know how to train
    asked = args.blockwise or args.scheduler is not None
    blockwise = runs_blockwise(volume.shape, asked)
    if blockwise and not asked:
        print(f"seisgrow: a {'x'.join(map(str, volume.shape))} volume does not fit in this machine's memory "
              "for an in-memory run; running blockwise", file=sys.stderr)  # fmt: skip
    started = time.perf_counter()
    if blockwise:
        session = _blockwise_session(args, volume, cfg, out)
    else:
        volume = load_volume(args.volume, **options)
        seeds = read_labels(args.seeds)
        if args.resume:
            if args.config or args.profile != "default":
                raise SeisgrowError("--resume continues with the checkpoint's settings; change them with --set instead")
            session = Session.resume(args.resume, volume, seeds, **_overrides(args))
        else:
            session = open_session(volume, seeds, cfg, blockwise=False)
    where = f"; blocks on {session.where}" if blockwise else ""
    print(f"seisgrow: training on {session.device_name}{where}, {session.config.epochs} epochs", file=sys.stderr)
    if session.strat is not None and session.strat.seconds:
        grid = session.strat.tau.shape
        print(f"seisgrow: stratigraphic coordinate solved in {session.strat.seconds:.1f} s on "
              f"{grid[0]} x {grid[1]} x {grid[2]}", file=sys.stderr)  # fmt: skip
    progress = ProgressBar()
    interrupted = False
    failure: BaseException | None = None
    try:
        for report in session.run():
            progress(report)
            if args.checkpoint:
                session.save_checkpoint(args.checkpoint)
    except KeyboardInterrupt:
        interrupted = True
        if not session.history:
            raise
        print(f"\nseisgrow: interrupted; writing the labels of epoch {session.epoch}", file=sys.stderr)
    except Exception as exc:  # a crash keeps the last good labels, then is reported as usual
        if not session.history:
            raise
        failure = exc
        print(f"\nseisgrow: training failed in epoch {session.epoch + 1}; writing the labels of epoch "
              f"{session.epoch}", file=sys.stderr)  # fmt: skip
    written = write_labels(out, session.grown, volume.geometry)
    provenance.write(written, session, volume=str(args.volume), seeds=str(args.seeds))
    if args.report:
        report = {
            "volume": str(args.volume),
            "seeds": str(args.seeds),
            "output": str(written),
            "device": session.device_name,
            "seconds": round(time.perf_counter() - started, 3),
            "interrupted": interrupted,
            "failed": None if failure is None else f"{type(failure).__name__}: {failure}".splitlines()[0],
            "config": session.config.to_dict(),
            "epochs": session.history,
            "versions": versions(),
        }
        with atomic_path(args.report) as tmp:
            Path(tmp).write_text(json.dumps(report, indent=2))
    print(f"seisgrow: wrote {written}", file=sys.stderr)
    if failure is not None:
        raise failure
    return 130 if interrupted else 0


def _blockwise_session(args: argparse.Namespace, volume, cfg, out: Path):
    from ..engine.backend_blockwise import Blockwise
    from ..engine.blockwise import DEFAULT_BLOCK, scheduler

    if args.resume:
        raise SeisgrowError("--resume is for in-memory runs; a blockwise run starts again from its seeds")
    work = Path(args.work) if args.work else out.with_name(out.name + ".seisgrow-work")
    check_output_path(work, args.volume, args.seeds)
    options = Blockwise(work, scheduler=args.scheduler, workers=args.workers,
                        block=tuple(args.block) if args.block else DEFAULT_BLOCK)  # fmt: skip
    with scheduler(options.scheduler, options.workers) as where:  # fail early on a wrong address
        pass
    session = open_session(volume, read_labels(args.seeds, lazy=True), cfg, work=options, blockwise=True)
    session.where = where
    return session


def add_grow_parser(sub) -> None:
    p = sub.add_parser("grow", help="grow labels through a volume from painted seeds")
    p.add_argument("volume", help="amplitudes: .sgy/.segy, .npy or .zarr")
    p.add_argument("seeds", help="seed labels: .npy or .zarr, 0 = unlabelled, 1..K = classes")
    p.add_argument("-o", "--output", required=True, help="grown labels: .npy, .zarr, or .sgy (like a SEG-Y volume)")
    p.add_argument(
        "--kinds",
        metavar="KIND,KIND,...",
        help="each class's kind in class order: unit (a layer of the column), body (texture decides, "
        "cuts across units) or auto (inferred from the strokes; the default), e.g. unit,unit,body",
    )
    p.add_argument("--profile", choices=["default", "research", "supervised"], default="default")
    p.add_argument("--config", help="settings JSON (as saved with every run)")
    p.add_argument("--set", action="append", metavar="KEY=VALUE", help="override one setting (repeatable)")
    p.add_argument("--report", help="write every epoch's figures to this JSON file")
    p.add_argument("--checkpoint", help="save a checkpoint to this folder after every epoch")
    p.add_argument("--resume", help="continue from a checkpoint folder")
    p.add_argument(
        "--blockwise", action="store_true",
        help="keep the volume on disk: train from patches, predict and grow block by block on dask into Zarr "
        "stores (chosen by itself when the volume does not fit in memory)",
    )  # fmt: skip
    p.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="run the blockwise passes on a dask.distributed cluster (tcp://HOST:PORT); implies --blockwise",
    )
    p.add_argument("--workers", type=int, default=None, help="local threads for the blockwise passes (default 1)")
    p.add_argument("--block", type=int, nargs=3, metavar=("IL", "XL", "T"),
                   help="block size of the blockwise passes (default 128 128 512)")  # fmt: skip
    p.add_argument("--work", help="folder for the blockwise Zarr stores (default: OUTPUT.seisgrow-work)")
    p.add_argument("--iline", type=int, default=189)
    p.add_argument("--xline", type=int, default=193)
    add_setting_flags(p)
    p.set_defaults(func=cmd_grow)
