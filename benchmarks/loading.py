"""Loading a post-stack SEG-Y: napari-seisgrow against a raw numpy.memmap copy and segyio.

    .venv/bin/python benchmarks/loading.py                        # 200 x 300 x 500, IEEE big-endian
    .venv/bin/python benchmarks/loading.py --shape 400 400 1000 --format 3

Writes a synthetic SEG-Y (real headers: inline/crossline at bytes 189/193, sorted by inline),
warms the page cache, then times each reader in its own process (best of --repeat) and records
its peak resident memory above the interpreter's baseline. The last line is JSON.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import numpy as np

FORMATS = {5: ">f4", 3: ">i2", 8: "i1", 1: ">u4"}  # 1 (IBM) is written as raw words

READERS = {
    "memmap copy (reference)": """
        rec = np.dtype([("h", "V240"), ("s", DTYPE, (NS,))])
        mm = np.memmap(PATH, dtype=rec, mode="r", offset=3600)
        out = mm["s"].astype(np.float32)
    """,
    "napari-seisgrow load_volume": """
        from napari_seisgrow import load_volume
        out = load_volume(PATH).data
    """,
    "napari-seisgrow load_volume, the process's first IBM read (numba import and its cached compile included)": """
        from napari_seisgrow import load_volume
        out = load_volume(PATH).data
    """,
    "segyio chunked (our previous reader)": """
        from napari_seisgrow.io.segy import read_segy
        out = read_segy(PATH, fast=False).data
    """,
    "segyio.tools.cube": """
        import segyio
        with segyio.open(PATH) as f:
            out = segyio.tools.cube(f)
    """,
}


def _be16(value: int) -> np.ndarray:
    return np.frombuffer(np.array([value], ">i2").tobytes(), np.uint8)


def write_segy(path: Path, shape: tuple[int, int, int], fmt: int) -> None:
    nil, nxl, ns = shape
    dtype = np.dtype(FORMATS[fmt])
    rec = np.dtype([("h", "V240"), ("s", dtype, (ns,))])
    text = np.frombuffer(b"C 1 synthetic post-stack volume for benchmarks/loading.py".ljust(3200), np.uint8)
    binary = np.zeros(400, np.uint8)
    binary[16:18] = _be16(4000)  # dt (us), bytes 3217-3218
    binary[20:22] = _be16(ns)  # ns, bytes 3221-3222
    binary[24:26] = _be16(fmt)  # format, bytes 3225-3226
    binary[300:302] = _be16(256)  # SEG-Y rev 1
    rng = np.random.default_rng(0)
    with open(path, "wb") as fh:
        fh.write(text.tobytes())
        fh.write(binary.tobytes())
        for i in range(nil):
            traces = np.zeros(nxl, rec)
            hdr = np.zeros((nxl, 240), np.uint8)
            il = np.full(nxl, 1000 + i, ">i4")
            xl = (2000 + np.arange(nxl)).astype(">i4")
            hdr[:, 188:192] = il.view(np.uint8).reshape(nxl, 4)
            hdr[:, 192:196] = xl.view(np.uint8).reshape(nxl, 4)
            hdr[:, 114:116] = _be16(ns)
            hdr[:, 116:118] = _be16(4000)
            traces["h"] = hdr.view("V240").ravel()
            amp = rng.normal(size=(nxl, ns)) * (1000 if dtype.kind == "i" else 1.0)
            if fmt == 1:  # IEEE bit patterns stand in for IBM words: segyio decodes them to finite values
                traces["s"] = amp.astype(">f4").view(">u4")
            else:
                info = np.iinfo(dtype) if dtype.kind == "i" else None
                traces["s"] = np.clip(amp, info.min, info.max).astype(dtype) if info else amp.astype(dtype)
            fh.write(traces.tobytes())


def run_reader(name: str, path: Path, shape: tuple[int, int, int], fmt: int) -> dict:
    body = textwrap.dedent(READERS[name])
    code = (
        textwrap.dedent(f"""
        import json, time
        import numpy as np
        PATH, NS, DTYPE = {str(path)!r}, {shape[2]}, {FORMATS[fmt]!r}
        import segyio, napari_seisgrow.io.segy  # imports outside the timing
        if {fmt} == 1 and "first IBM read" not in {name!r}:
            import napari_seisgrow.io.ibm as ibm
            ibm.kernel()  # the compiled loop loaded once per process, outside the timing
        def status(key):
            for line in open("/proc/self/status"):
                if line.startswith(key):
                    return int(line.split()[1])
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")  # reset the peak resident size (VmHWM) to the current one
        base = status("VmRSS:")
        t = time.perf_counter()
    """)
        + body
        + textwrap.dedent("""
        sec = time.perf_counter() - t
        peak = status("VmHWM:") - base
        print(json.dumps({"seconds": sec, "peak_mib": peak / 1024, "sum": float(np.asarray(out, np.float64).sum())}))
    """)
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    if out.returncode:
        return {"error": out.stderr.strip().splitlines()[-1]}
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shape", type=int, nargs=3, default=[200, 300, 500])
    ap.add_argument("--format", type=int, default=5, choices=sorted(FORMATS))
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--skip-cube", action="store_true", help="skip segyio.tools.cube (slow on big files)")
    args = ap.parse_args()
    shape = tuple(args.shape)
    cube_mib = np.prod(shape) * 4 / 2**20
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.sgy"
        write_segy(path, shape, args.format)
        path.read_bytes()  # warm the page cache: every reader then starts from the same state
        results = {}
        for name in READERS:
            if args.skip_cube and name == "segyio.tools.cube":
                continue
            runs = [run_reader(name, path, shape, args.format) for _ in range(args.repeat)]
            ok = [r for r in runs if "error" not in r]
            if not ok:
                results[name] = runs[0]
                print(f"{name:<40} {runs[0]['error']}")
                continue
            best = min(ok, key=lambda r: r["seconds"])
            best["peak_x_cube"] = best["peak_mib"] / cube_mib
            results[name] = best
            print(f"{name:<40} {best['seconds']:7.3f} s  {cube_mib / best['seconds']:8.0f} MiB/s  "
                  f"peak {best['peak_mib']:7.0f} MiB = {best['peak_x_cube']:.2f} x cube")  # fmt: skip
        ref = results["memmap copy (reference)"]["seconds"]
        ours = results["napari-seisgrow load_volume"]
        summary = {
            "shape": list(shape),
            "format": args.format,
            "cube_mib": round(cube_mib),
            "speed_vs_memmap": round(ref / ours["seconds"], 2),
            "peak_x_cube": round(ours["peak_x_cube"], 2),
            "seconds": {k: round(v.get("seconds", float("nan")), 3) for k, v in results.items()},
        }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
