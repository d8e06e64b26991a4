"""The compiled loops of ``engine.nearest``, in a module of their own so that numba is imported
(and its cache read) only when a fill first needs them, and so that its cache finds them: numba
does not cache functions made inside another function. Where numba finds no writable folder for
its cache (a read-only install and no writable home), they are compiled in each session instead."""

from __future__ import annotations

import numba
import numpy as np

LINES_PER_TASK = 256  # lines one thread takes at a time: per-line buffers are allocated per task


def _jit(**options):
    def compiled(function):
        try:
            return numba.njit(cache=True, **options)(function)
        except RuntimeError:  # "cannot cache function ...: no locator available"
            return numba.njit(**options)(function)

    return compiled


@_jit(nogil=True)
def envelope(f, cls, w, out_f, out_cls, v, z):  # pragma: no cover - compiled
    # the lower envelope of the parabolas f[q] + (w (p - q))^2 over the finite f[q], then
    # each p's value and class from the parabola lowest there (the earlier one on a tie)
    n = f.shape[0]
    w2 = w * w
    k = -1
    for q in range(n):
        fq = f[q]
        if fq == np.inf:
            continue
        if k < 0:
            k = 0
            v[0] = q
            z[0] = -np.inf
            z[1] = np.inf
            continue
        while True:  # z[0] is -inf, so this ends at k = 0 at the latest
            r = v[k]
            s = ((fq + w2 * q * q) - (f[r] + w2 * r * r)) / (2.0 * w2 * (q - r))
            if s > z[k]:
                break
            k -= 1
        k += 1
        v[k] = q
        z[k] = s
        z[k + 1] = np.inf
    if k < 0:  # nothing labelled on this line
        for p in range(n):
            out_f[p] = np.inf
            out_cls[p] = 0
        return
    j = 0
    for p in range(n):
        while z[j + 1] < p:
            j += 1
        r = v[j]
        d = w * (p - r)
        out_f[p] = f[r] + d * d
        out_cls[p] = cls[r]


@_jit(nogil=True, parallel=True)
def one_pass(g, labels, axis, w):  # pragma: no cover - compiled
    shape = g.shape
    n = shape[axis]
    n_lines = g.size // n
    other = shape[1] if axis == 2 else shape[2]  # a line's second index runs over this
    n_tasks = (n_lines + LINES_PER_TASK - 1) // LINES_PER_TASK
    for task in numba.prange(n_tasks):
        f = np.empty(n, np.float64)
        cls = np.empty(n, np.uint8)
        out_f = np.empty(n, np.float64)
        out_cls = np.empty(n, np.uint8)
        v = np.empty(n, np.int64)
        z = np.empty(n + 1, np.float64)
        for line in range(task * LINES_PER_TASK, min(n_lines, (task + 1) * LINES_PER_TASK)):
            a, b = line // other, line % other
            for p in range(n):
                if axis == 0:
                    f[p], cls[p] = g[p, a, b], labels[p, a, b]
                elif axis == 1:
                    f[p], cls[p] = g[a, p, b], labels[a, p, b]
                else:
                    f[p], cls[p] = g[a, b, p], labels[a, b, p]
            envelope(f, cls, w, out_f, out_cls, v, z)
            for p in range(n):
                if axis == 0:
                    g[p, a, b], labels[p, a, b] = out_f[p], out_cls[p]
                elif axis == 1:
                    g[a, p, b], labels[a, p, b] = out_f[p], out_cls[p]
                else:
                    g[a, b, p], labels[a, b, p] = out_f[p], out_cls[p]
