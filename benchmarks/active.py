"""Active labelling: does one more stroke where seisgrow suggests help more than one at random?

    python benchmarks/active.py --out out/active.jsonl                 # the suite's families + the sample
    python benchmarks/active.py --summary out/active.jsonl --plot docs/images/active.png

A simulated interpreter starts from one short stroke per class on one inline and trains. Then,
for ``--rounds`` rounds, it adds one stroke along the bedding (from the truth, ``--half`` traces
each way) at (a) the top suggestion (``Session.suggest``), (b) a random place on a random inline,
(c) the place of largest error (an oracle: the upper bound), and continues training the same
networks ``--round-epochs`` epochs after each stroke. Each strategy continues from the same
trained checkpoint. One JSON line per round and strategy: mIoU, coverage, voxels painted.
The ``noisy`` family is held out from every choice made for the method and for this benchmark.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from accuracy import HELD_OUT, emit, make

from napari_seisgrow.engine import Session, profile
from napari_seisgrow.engine.review import suggest
from napari_seisgrow.engine.suggest import rank_places
from napari_seisgrow.metrics import segmentation_scores
from napari_seisgrow.synthetic.strokes import seed_bedding_strokes, stroke_at

STRATEGIES = ("suggested", "random", "oracle")
VOLUMES = ("sample", "facies", "strata", "bodies", "noisy")


def build(name: str, shape: tuple[int, int, int], gen_seed: int):
    if name == "sample":
        from napari_seisgrow.synthetic import make_synthetic

        return make_synthetic((64, 96, 160), 0)  # the bundled sample, whatever --shape says
    return make(name, shape, gen_seed)


def first_strokes(synth, seed: int, half: int) -> np.ndarray:
    """One short stroke per class on the middle inline; a class not on it gets its stroke on the
    inline where it is widest (every class must have a seed from the start)."""
    seeds = seed_bedding_strokes(synth.truth, synth.rgt, n_sections=1, strokes_per_class=1, length=0.15, seed=seed)
    rng = np.random.default_rng(seed)
    for c in range(1, int(synth.truth.max()) + 1):
        if (seeds == c).any() or not (synth.truth == c).any():
            continue
        i = int((synth.truth == c).sum(axis=(1, 2)).argmax())
        t, k = np.argwhere(synth.truth[i] == c)[rng.integers((synth.truth[i] == c).sum())]
        stroke = stroke_at(synth.truth, synth.rgt, i, int(t), int(k), half)
        seeds[i][stroke > 0] = stroke[stroke > 0]
    return seeds


def pick(strategy: str, session: Session, synth, seeds: np.ndarray, rng: np.random.Generator):
    """(inline, trace, sample) of the next stroke."""
    truth = synth.truth
    if strategy == "random":
        while True:
            p = tuple(int(rng.integers(n)) for n in truth.shape)
            if truth[p] > 0 and seeds[p] == 0:
                return p
    if strategy == "suggested":
        places = suggest(session, n=1)
        if not places:
            return pick("random", session, synth, seeds, rng)
        s = places[0]
        box = (s.inline, slice(*s.traces), slice(*s.samples))
        free = np.argwhere((truth[box] > 0) & (seeds[box] == 0))
        if free.size == 0:
            return pick("random", session, synth, seeds, rng)
        centre = np.array([(s.traces[1] - s.traces[0]) // 2, (s.samples[1] - s.samples[0]) // 2])
        t, k = free[np.abs(free - centre).sum(axis=1).argmin()]  # the painted point nearest the window's centre
        return s.inline, s.traces[0] + int(t), s.samples[0] + int(k)
    wrong = (np.asarray(session.grown) != truth).astype(np.float32)
    places = rank_places(wrong, seeds, np.asarray(session.grown), n=1, edge=0)
    if not places:
        return pick("random", session, synth, seeds, rng)
    s = places[0]
    window = wrong[s.inline, s.traces[0] : s.traces[1], s.samples[0] : s.samples[1]]
    window = window * (truth[s.inline, s.traces[0] : s.traces[1], s.samples[0] : s.samples[1]] > 0)
    where = np.argwhere(window > 0)
    if where.size == 0:
        return pick("random", session, synth, seeds, rng)
    centre = np.array([(s.traces[1] - s.traces[0]) // 2, (s.samples[1] - s.samples[0]) // 2])
    t, k = where[np.abs(where - centre).sum(axis=1).argmin()]
    return s.inline, s.traces[0] + int(t), s.samples[0] + int(k)


def run_volume(name: str, args, out: Path | None) -> None:
    synth = build(name, tuple(args.shape), args.gen_seed)
    seeds0 = first_strokes(synth, args.gen_seed, args.half // 2)
    cfg = profile("default").with_overrides(epochs=args.first_epochs, **OVERRIDES)
    first = Session(synth.volume, seeds0, cfg)
    t0 = time.perf_counter()
    for _ in first.run():
        pass
    base = segmentation_scores(first.grown, synth.truth)
    secs = round(time.perf_counter() - t0, 1)
    row0 = {"volume": name, "held_out": name in HELD_OUT, "round": 0, "strategy": "start", "miou": base["miou"],
            "coverage": base["coverage"], "painted": int((seeds0 > 0).sum()), "seconds": secs}  # fmt: skip
    emit(row0, out)
    with tempfile.TemporaryDirectory() as tmp:
        ckpt = first.save_checkpoint(Path(tmp) / "first")
        for strategy in args.strategies:
            rng = np.random.default_rng(args.gen_seed)
            seeds = seeds0.copy()
            session = Session.resume(ckpt, synth.volume, seeds0)
            for r in range(1, args.rounds + 1):
                t0 = time.perf_counter()
                i, t, k = pick(strategy, session, synth, seeds, rng)
                stroke = stroke_at(synth.truth, synth.rgt, i, t, k, args.half)
                seeds[i][stroke > 0] = stroke[stroke > 0]
                session.update_seeds(seeds)
                session.config = session.config.with_overrides(epochs=session.epoch + args.round_epochs)
                session.clear_stop()
                for _ in session.run():
                    pass
                s = segmentation_scores(session.grown, synth.truth)
                secs = round(time.perf_counter() - t0, 1)
                emit({"volume": name, "held_out": name in HELD_OUT, "round": r, "strategy": strategy,
                      "miou": s["miou"], "coverage": s["coverage"], "painted": int((seeds > 0).sum()),
                      "place": [int(i), int(t), int(k)], "seconds": secs}, out)  # fmt: skip


def summary(path: str, plot: str | None) -> None:
    rows = [json.loads(line) for line in Path(path).read_text().splitlines() if line.strip()]
    rounds = sorted({r["round"] for r in rows if r["round"] > 0})
    for title, held in (("Tuned volumes", False), ("Held-out family (noisy)", True)):
        part = [r for r in rows if r["held_out"] == held]
        if not part:
            continue
        vols = sorted({r["volume"] for r in part})
        start = np.mean([r["miou"] for r in part if r["round"] == 0])
        print(f"\n#### {title} ({', '.join(vols)}): mean mIoU per round (start {start:.3f})\n")
        print("| strategy | " + " | ".join(str(k) for k in rounds) + " |")
        print("|---|" + "---|" * len(rounds))
        for strategy in STRATEGIES:
            cells = []
            for k in rounds:
                v = [r["miou"] for r in part if r["strategy"] == strategy and r["round"] == k]
                cells.append(f"{np.mean(v):.3f}" if v else "-")
            print(f"| {strategy} | " + " | ".join(cells) + " |")
    if plot:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(6, 4))
        part = [r for r in rows if not r["held_out"]]
        for strategy in STRATEGIES:
            ys = [np.mean([r["miou"] for r in part if r["round"] == 0])]
            ys += [np.mean([r["miou"] for r in part if r["strategy"] == strategy and r["round"] == k]) for k in rounds]
            ax.plot([0, *rounds], ys, marker="o", label=strategy)
        ax.set_xlabel("strokes added")
        ax.set_ylabel("mIoU (mean over tuned volumes)")
        ax.legend()
        fig.tight_layout()
        fig.savefig(plot, dpi=120)


OVERRIDES: dict = {}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--volumes", nargs="+", default=list(VOLUMES), choices=VOLUMES)
    ap.add_argument("--shape", type=int, nargs=3, default=[32, 64, 96])
    ap.add_argument("--gen-seed", type=int, default=3)
    ap.add_argument("--strategies", nargs="+", default=list(STRATEGIES), choices=STRATEGIES)
    ap.add_argument("--rounds", type=int, default=6)
    ap.add_argument("--first-epochs", type=int, default=8)
    ap.add_argument("--round-epochs", type=int, default=2)
    ap.add_argument("--half", type=int, default=12, help="a stroke runs this many traces each way")
    ap.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="override a setting (JSON value)")
    ap.add_argument("--out", help="append each row to this JSON-lines file")
    ap.add_argument("--summary", metavar="JSONL")
    ap.add_argument("--plot", help="with --summary: write the mIoU-against-strokes plot here")
    args = ap.parse_args()
    if args.summary:
        summary(args.summary, args.plot)
        return
    for item in args.set:
        key, _, value = item.partition("=")
        OVERRIDES[key] = json.loads(value)
    out = Path(args.out) if args.out else None
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
    for name in args.volumes:
        run_volume(name, args, out)


if __name__ == "__main__":
    main()
