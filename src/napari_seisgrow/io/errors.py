"""The one error type a user ever sees from napari-seisgrow.

Every problem with the user's input or environment (a file that is not SEG-Y, a pre-stack
gather, seeds of the wrong shape, NaN amplitudes...) is raised as :class:`SeisgrowError` with a
single-line message that names the problem and what to do. The CLI prints it and exits with
status 2, the widget shows it as a notification; neither shows a traceback.
"""

from __future__ import annotations


class SeisgrowError(ValueError):
    """A user-facing problem, described in one line."""

    def __init__(self, message: str) -> None:
        # One line, always: tracebacks and multi-line messages are for developers.
        super().__init__(" ".join(str(message).split()))
