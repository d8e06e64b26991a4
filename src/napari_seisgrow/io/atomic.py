"""Atomic writes: a destination is either its old self or the complete new file, never half."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from .errors import SeisgrowError


def check_output_path(path: str | Path, *inputs: str | Path | None) -> Path:
    """Refuse outputs that would overwrite an input or cannot be written, before any work."""
    out = Path(path).expanduser()
    for src in inputs:
        if src is None:
            continue
        src_path = Path(src).expanduser()
        if src_path.exists() and out.exists() and os.path.samefile(src_path, out):
            raise SeisgrowError(f"output {out} is the same file as input {src_path}; choose another name")
        if out.resolve() == src_path.resolve():
            raise SeisgrowError(f"output {out} is the same file as input {src_path}; choose another name")
    parent = out.resolve().parent
    if not parent.is_dir():
        raise SeisgrowError(f"output folder {parent} does not exist; create it or choose another")
    if not os.access(parent, os.W_OK):
        raise SeisgrowError(f"output folder {parent} is not writable; choose another")
    return out


def _default_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask  # | 0o111 for folders


@contextlib.contextmanager
def atomic_path(path: str | Path, *, directory: bool = False) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; move it into place only if the block succeeds.

    The temporary sits in the destination's folder so the final ``os.replace`` is a rename on
    one file system. A folder destination (a Zarr store) is swapped by two renames, the old one
    removed only after the new one is in place.
    """
    dest = Path(path)
    parent = dest.resolve().parent
    if directory:
        tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", suffix=".part", dir=parent))
        shutil.rmtree(tmp)
    else:
        fd, name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".part", dir=parent)
        os.close(fd)
        tmp = Path(name)
    try:
        yield tmp
        if not directory:
            with open(tmp, "rb+") as fh:
                os.fsync(fh.fileno())
            os.chmod(tmp, _default_mode())  # mkstemp makes 0600; outputs are for colleagues too
            os.replace(tmp, dest)
        else:
            os.chmod(tmp, _default_mode() | 0o111)  # mkdtemp makes 0700
            old = None
            if dest.exists():
                old = dest.with_name(f".{dest.name}.old-{os.getpid()}")
                os.replace(dest, old)
            os.replace(tmp, dest)
            if old is not None:
                shutil.rmtree(old, ignore_errors=True) if old.is_dir() else old.unlink()
    except BaseException as exc:
        if tmp.is_dir():
            shutil.rmtree(tmp, ignore_errors=True)
        elif tmp.exists():
            tmp.unlink()
        if isinstance(exc, OSError) and not isinstance(exc, SeisgrowError):
            raise SeisgrowError(f"could not write {dest}: {exc.strerror or exc}") from exc
        raise
