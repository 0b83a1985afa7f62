"""Atomic file writes and the build-folder lock.

Every file the build writes goes through :func:`atomic_write_bytes`: the content is written to a
temporary file in the same folder (named ``.<name>.<random>.tmp`` so that no partial file ever
carries the final name or extension), flushed and fsync'ed, then moved over the target with
:func:`os.replace`, which POSIX guarantees to be atomic within one file system. A build killed at
any moment therefore leaves each file either the old complete one or the new complete one, plus
at worst a stray ``.tmp`` file that the next build removes (:func:`remove_stale_temp_files`).

:class:`BuildLock` prevents two builds from writing into the same output folder at once. It is an
advisory ``flock`` on ``.build.lock`` in that folder, so the operating system releases it when the
holding process dies, even by ``SIGKILL``: there is no stale lock to clean up by hand.
"""

from __future__ import annotations

import json
import os
import secrets
import time
from pathlib import Path

from zzeval.errors import BuildError

try:  # POSIX
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

TEMP_SUFFIX = ".tmp"


def temp_path_for(path: Path) -> Path:
    """A unique temporary name beside ``path`` (hidden, ends in ``.tmp``, never in ``.html``)."""
    return path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}{TEMP_SUFFIX}")


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically (temporary file, fsync, rename).

    The parent folder is created when missing. Returns the path written.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = temp_path_for(path)
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            tmp.unlink()
        except FileNotFoundError:
            pass
        raise
    _fsync_dir(path.parent)
    return path


def atomic_write_text(path: str | os.PathLike, text: str, encoding: str = "utf-8") -> Path:
    """:func:`atomic_write_bytes` for text (UTF-8 by default)."""
    return atomic_write_bytes(path, text.encode(encoding))


def _fsync_dir(folder: Path) -> None:
    """Persist the rename itself (best effort; not supported on every platform)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)


def remove_stale_temp_files(folder: str | os.PathLike) -> list[Path]:
    """Remove the ``.*.tmp`` files a killed build left under ``folder``; return them.

    Call only while holding the :class:`BuildLock` of ``folder`` (no other build is writing).
    """
    folder = Path(folder)
    removed = []
    if not folder.is_dir():
        return removed
    for tmp in folder.rglob(f".*{TEMP_SUFFIX}"):
        try:
            tmp.unlink()
            removed.append(tmp)
        except OSError:  # pragma: no cover
            pass
    return removed


class BuildLock:
    """An exclusive, non-blocking lock on an output folder (``<folder>/.build.lock``).

    Use as a context manager. Raises :class:`~zzeval.errors.BuildError` naming the process that
    holds the lock when another build is already writing into the folder.
    """

    def __init__(self, folder: str | os.PathLike):
        self.folder = Path(folder)
        self.path = self.folder / ".build.lock"
        self._fd: int | None = None

    def acquire(self) -> BuildLock:
        self.folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        if fcntl is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = _read_holder(fd)
                os.close(fd)
                raise BuildError(
                    f"another zzeval build is already writing into {self.folder} ({holder}); "
                    "wait for it to finish, or build into another --out folder"
                ) from None
        info = json.dumps({"pid": os.getpid(), "started": time.strftime("%Y-%m-%dT%H:%M:%S%z")})
        os.ftruncate(fd, 0)
        os.pwrite(fd, info.encode(), 0)
        self._fd = fd
        return self

    def release(self) -> None:
        if self._fd is None:
            return
        try:
            os.ftruncate(self._fd, 0)
            if fcntl is not None:
                fcntl.flock(self._fd, fcntl.LOCK_UN)
        finally:
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> BuildLock:
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()


def _read_holder(fd: int) -> str:
    try:
        info = json.loads(os.pread(fd, 4096, 0).decode() or "{}")
        return f"pid {info.get('pid', '?')}, started {info.get('started', '?')}"
    except (OSError, ValueError):
        return "holder unknown"
