"""A command's result on stdout when stdout cannot take it: closed (``>&-``), a full device
(``>/dev/full``); a pipe closed early (``| head -1``) is normal (exit 0, :func:`zzeval.cli.main`).

While a command runs, stdout is guarded (:func:`guarded`): a write or flush that fails raises
:class:`StdoutError`, and every command flushes stdout at its end, so a result that could not be
written is said on stderr with exit 1, never lost with exit 0 (hostile review 9B, F12:
``validate``, ``notebooks`` and ``--version`` exited 0 with their output lost). A failed write of a
file is not taken for stdout's (its message names the file).
"""

from __future__ import annotations

import contextlib
import errno
import sys


class StdoutError(OSError):
    """Writing the result to stdout failed (closed, full; not a closed pipe)."""


class GuardedStdout:
    """``sys.stdout`` whose write and flush errors are :class:`StdoutError` (a closed pipe stays a
    :class:`BrokenPipeError`), and whose flush fails again after a failed write (argparse's
    ``--version`` swallows the write's error); everything else is the stream's."""

    def __init__(self, stream):
        self._stream = stream
        self._lost: StdoutError | None = None

    def write(self, text: str) -> int:
        return self._call(self._stream.write, text)

    def flush(self) -> None:
        if self._lost is not None:
            raise StdoutError(self._lost.errno, self._lost.strerror)
        return self._call(self._stream.flush)

    def _call(self, method, *args):
        try:
            return method(*args)
        except (BrokenPipeError, StdoutError):
            raise
        except OSError as exc:
            self._lost = StdoutError(exc.errno, exc.strerror)
            raise self._lost from exc

    def __getattr__(self, name: str):
        return getattr(self._stream, name)


class ClosedStdout:
    """The stdout of a process started without one, where Python sets ``sys.stdout`` to None and
    ``print`` writes nothing: a write fails (and a flush after it, as argparse's ``--version``
    swallows the write's error)."""

    lost = False

    def write(self, text: str) -> int:
        self.lost = True
        raise StdoutError(errno.EBADF, "stdout is closed")

    def flush(self) -> None:
        if self.lost:
            self.write("")


@contextlib.contextmanager
def guarded():
    """``sys.stdout`` guarded (:class:`GuardedStdout`, :class:`ClosedStdout` when closed) for the block."""
    original = sys.stdout
    stand_in = ClosedStdout() if original is None else GuardedStdout(original)
    sys.stdout = stand_in
    try:
        yield
    finally:
        if sys.stdout is stand_in:
            sys.stdout = original


def result_lost(command: str, exc: OSError) -> int:
    """Say on stderr that the result was lost; the exit code, 1."""
    who = f"zzeval {command}" if command else "zzeval"
    with contextlib.suppress(OSError, ValueError, AttributeError):
        print(f"{who}: error: the result could not be written to stdout ({exc.strerror or exc}): it is lost; "
              "run again with stdout going where it can be written", file=sys.stderr)
    return 1


def parse_and_flush(parser, argv):
    """``parser.parse_args(argv)``; after ``--version`` or ``--help`` (written to stdout, then
    :class:`SystemExit` 0), stdout flushed: when that fails, :func:`result_lost` and exit 1."""
    try:
        return parser.parse_args(argv)
    except SystemExit as done:
        if done.code not in (0, None):
            raise
        try:
            sys.stdout.flush()
        except BrokenPipeError:  # `zzeval --help | head -1`
            sys.stderr.close()
        except OSError as exc:
            raise SystemExit(result_lost("", exc)) from None
        raise
