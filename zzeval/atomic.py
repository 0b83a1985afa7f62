"""Atomic file writes, the build-folder lock, and the one file hash (:func:`file_sha256`).

Every file the build writes goes through :func:`atomic_write_bytes`: the content is written to a
temporary file in the same folder (named ``.<name>.<random>.tmp`` so that no partial file ever
carries the final name or extension), flushed and fsync'ed, then moved over the target with
:func:`os.replace`, which is atomic within one file system (POSIX ``rename``; ``MoveFileEx``
with replace on Windows). A build killed at
any moment therefore leaves each file either the old complete one or the new complete one, plus
at worst a stray ``.tmp`` file that the next build removes (:func:`remove_stale_temp_files`).

An output that already exists as a character device or a FIFO (``--out /dev/null`` to discard,
``/dev/stdout``, a named pipe) is written through, never replaced: the rename would put a regular
file in the device's place (hostile review 9B, F1, replaced /dev/full). Any other existing file that
is not a regular file (a block device, a socket) is refused (:func:`check_output_file`). Every
command's ``--out`` follows this one rule; a build's own files are always replaced.

:class:`BuildLock` prevents two builds from writing into the same output folder at once. It is an
operating-system lock on ``.build.lock`` in that folder through the :mod:`filelock` library
(``flock`` on POSIX, ``msvcrt.locking`` on Windows), so the operating system releases it when the
holding process dies, even by ``SIGKILL``: there is no stale lock to clean up by hand.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
import time
from contextlib import contextmanager, suppress
from pathlib import Path

from zzeval.errors import BuildError, FolderNotWritableError, InputError, NoSpaceError, is_no_space


def file_sha256(path: str | os.PathLike) -> str:
    """SHA-256 of a file's bytes (hex), read a megabyte at a time: the one file hash of the input
    files, the package code and the notebooks (here, below pandas, so that a rebuild with nothing
    to do hashes without importing the data stack)."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


TEMP_SUFFIX = ".tmp"


def temp_path_for(path: Path) -> Path:
    """A unique temporary name beside ``path`` (hidden, ends in ``.tmp``, never in ``.html``)."""
    import secrets  # here: a rebuild with nothing to do writes nothing (and imports little)

    return path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}{TEMP_SUFFIX}")


def special_file_kind(path: str | os.PathLike) -> str | None:
    """What ``path`` is when it exists but is neither a regular file nor a folder (symbolic links
    followed): "a character device", "a FIFO (named pipe)", "a block device", "a socket"; else None."""
    import stat

    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):  # missing, a dangling link, a path the system refuses
        return None
    for test, kind in ((stat.S_ISCHR, "a character device"), (stat.S_ISFIFO, "a FIFO (named pipe)"),
                       (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return kind
    return None if stat.S_ISREG(mode) or stat.S_ISDIR(mode) else "not a regular file"


def writes_through(path: str | os.PathLike) -> bool:
    """Whether an output at ``path`` is written through rather than replaced: an existing character
    device (``/dev/null``, ``/dev/stdout`` on a terminal) or FIFO (:func:`check_output_file`)."""
    return special_file_kind(path) in ("a character device", "a FIFO (named pipe)")


def symlink_loop(path: str | os.PathLike) -> Path | None:
    """The outermost part of ``path`` (itself or a folder above it) that is a loop of symbolic links
    (``ln -s b a; ln -s a b``, or ``ln -s reports reports``), else None. Such a path can be neither
    read nor written (``ELOOP``); pathlib's ``resolve`` raises ``RuntimeError`` on it (hostile review
    s13-C, C17)."""
    import errno

    path = Path(path)
    for part in (*reversed(path.parents), path):
        try:
            os.stat(part)
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                return part
        except ValueError:  # a NUL in the name: refused elsewhere
            return None
    return None


def check_no_symlink_loop(path: str | os.PathLike, option: str) -> None:
    """Refuse ``path`` (given as ``option``) when it is, or lies under, a loop of symbolic links
    (:func:`symlink_loop`), with an :class:`~zzeval.errors.InputError` naming the link."""
    link = symlink_loop(path)
    if link is None:
        return
    try:
        target = f" (it points to {os.readlink(link)}, which leads back to it)"
    except OSError:
        target = ""
    where = "is a symbolic link loop" if Path(link) == Path(path) else f"lies under {link}, a symbolic link loop"
    raise InputError(f"{option} {path} {where}{target}: it can be neither read nor written; remove or correct "
                     "the link, or give another path")


def check_output_file(path: str | os.PathLike, option: str = "--out") -> None:
    """The one rule for an output file that exists but is not a regular file: a character device or
    a FIFO is written through (:func:`writes_through`); anything else (a block device, a socket) is
    refused with an :class:`~zzeval.errors.InputError` naming it, as writing there would either fail
    or overwrite a disk."""
    check_no_symlink_loop(path, option)
    kind = special_file_kind(path)
    if kind is not None and not writes_through(path):
        raise InputError(f"{option} {path} is {kind}, not a regular file: zzeval writes its output to a "
                         "file (or through a character device such as /dev/null, or a FIFO); give a file name")


def atomic_write_bytes(path: str | os.PathLike, data: bytes, through: bool = False) -> Path:
    """Write ``data`` to ``path`` atomically (temporary file, fsync, rename).

    The parent folder is created when missing. Returns the path written. ``through`` (a command's
    ``--out`` file, never a build's own files): an existing character device or FIFO at ``path`` is
    written through instead (it is not replaced); another special file is refused
    (:func:`check_output_file`). A build's files are always replaced, so a FIFO left in its folder
    cannot block it.
    """
    path = Path(path)
    if through:
        check_output_file(path)
    if through and writes_through(path):
        try:
            with open(path, "wb") as fh:
                fh.write(data)
                fh.flush()
        except OSError as exc:
            if is_no_space(exc):
                raise NoSpaceError(no_space_message(path, exc)) from exc
            raise
        return path
    _make_folder(path.parent)
    tmp = temp_path_for(path)
    created = False
    try:
        with open(tmp, "wb") as fh:
            created = True
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException as exc:
        if created:  # only what was made; a failed clean-up never hides why the write failed
            with suppress(OSError):  # (on a read-only mount, unlinking a file never made raised EROFS: s10-B, B2)
                tmp.unlink()
        if is_no_space(exc):
            raise NoSpaceError(no_space_message(path, exc)) from exc
        if not created and refused(exc):  # the folder refused a new file
            raise not_writable(path.parent, exc) from exc
        if isinstance(exc, IsADirectoryError) and path.is_dir():  # not the temporary file's name (s10-reB N4)
            raise BuildError(f"cannot write {path}: it is a folder; remove or rename it, then run again") from exc
        raise
    _fsync_dir(path.parent)
    return path


def refused(exc: BaseException) -> bool:
    """Whether ``exc`` is the file system refusing to create or change a file: no permission
    (``EACCES``, ``EPERM``) or a read-only mount (``EROFS``, which is no ``PermissionError``)."""
    import errno

    return isinstance(exc, OSError) and exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS)


def _make_folder(folder: Path) -> None:
    """Create ``folder`` (and its parents) when missing; a refusal names the folder and what to fix."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        if refused(exc):
            raise not_writable(folder, exc) from exc
        if isinstance(exc, (FileExistsError, NotADirectoryError)):  # a file where a folder is to be (s10-reB N4)
            blocking = next((p for p in (folder, *folder.parents) if p.exists() or p.is_symlink()), folder)
            raise BuildError(f"cannot create the folder {folder}: {blocking} is a file, not a folder; remove or "
                             "rename it, then run again") from exc
        raise


def not_writable(folder: Path, exc: OSError) -> FolderNotWritableError:
    """The error of a folder in which no file can be created: its name and what to fix (the
    temporary file the write was refused for never existed: hostile review 9B, F13)."""
    import errno
    import getpass

    if exc.errno == errno.EROFS:  # no permission would help
        return FolderNotWritableError(
            f"cannot create files in the folder {folder}: it is on a read-only file system; choose another output "
            "folder (or remount that file system read-write); files already there are unchanged")
    try:
        user = getpass.getuser()
    except Exception:  # noqa: BLE001 - no name for this user id
        user = f"user id {os.getuid()}" if hasattr(os, "getuid") else "this user"
    return FolderNotWritableError(
        f"cannot create files in the folder {folder}: {exc.strerror or exc}; give {user} (who runs zzeval) "
        f"write permission on it (e.g. chown or chmod u+w {folder}), or remove it or choose another output "
        "folder; files already there are unchanged")


def no_space_message(path: str | os.PathLike | None, exc: OSError) -> str:
    """What to tell when ``path`` could not be written because the output does not fit."""
    if path:
        where = f"cannot write {path}"
    else:  # the writer did not say which file (pyarrow): the output, or a temporary file of the run
        import tempfile

        where = (f"cannot write the output (a file of the output folder, or a temporary file in $TMPDIR = "
                 f"{tempfile.gettempdir()}: if that is the full one, free space there or point TMPDIR at a larger "
                 "disk)")
    return (f"{where}: {exc.strerror or exc} — the disk, a quota or the file-size limit is full. "
            "Files already there are unchanged (none half-written); free space and run again.")


@contextmanager
def folder_written_whole(target: str | os.PathLike):
    """Yield a new temporary folder beside ``target`` to write a whole folder into; when the block
    ends without an error, the folder replaces ``target`` (:func:`replace_folder`); when it raises
    (a full disk, Ctrl-C), the temporary folder is removed and ``target`` is left as it was.

    So ``target`` never holds a mix of old and new files, nor a half-written file.
    """
    target = Path(target).absolute()
    _make_folder(target.parent)
    remove_dead_temp_folders(target)
    tmp = temp_path_for(target)
    try:
        tmp.mkdir()
    except OSError as exc:
        if refused(exc):
            raise not_writable(target.parent, exc) from exc
        raise
    try:
        yield tmp
        for f in tmp.rglob("*"):
            if f.is_file():  # persist the contents before the rename makes them the real folder
                with open(f, "rb") as fh:
                    os.fsync(fh.fileno())
        replace_folder(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):  # another user's process, or no way to tell: keep its folder
        return True
    return True


def remove_dead_temp_folders(target: str | os.PathLike) -> list[Path]:
    """Remove the temporary folders beside ``target`` (:func:`temp_path_for`, the writing process's
    id in the name) left by a process that no longer runs (killed with SIGKILL while writing, e.g.
    ``zzeval sample``); those of running processes are kept. Returns the folders removed."""
    import re

    target = Path(target).absolute()
    pattern = re.compile(rf"^\.{re.escape(target.name)}\.(\d+)-[0-9a-f]+{re.escape(TEMP_SUFFIX)}$")
    removed = []
    if not target.parent.is_dir():
        return removed
    for entry in target.parent.iterdir():
        found = pattern.match(entry.name)
        if not found or not entry.is_dir() or entry.is_symlink():
            continue
        pid = int(found.group(1))
        if pid != os.getpid() and not _process_alive(pid):
            shutil.rmtree(entry, ignore_errors=True)
            removed.append(entry)
    return removed


def replace_folder(new: Path, target: Path) -> None:
    """Move the complete folder ``new`` to ``target`` (same file system). An earlier ``target``
    is first renamed aside and removed only after ``new`` is in place; an empty one is removed."""
    old = None
    if target.is_dir() and any(target.iterdir()):
        old = temp_path_for(target)
        os.rename(target, old)
    elif target.is_dir():
        target.rmdir()
    try:
        os.rename(new, target)
    except BaseException:
        if old is not None:
            os.rename(old, target)  # put the earlier folder back
        raise
    _fsync_dir(target.parent)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def atomic_write_text(path: str | os.PathLike, text: str, encoding: str = "utf-8", through: bool = False) -> Path:
    """:func:`atomic_write_bytes` for text (UTF-8 by default)."""
    return atomic_write_bytes(path, text.encode(encoding), through=through)


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
    holds the lock (from ``.build-owner.json`` beside it) when another build is already writing
    into the folder.
    """

    def __init__(self, folder: str | os.PathLike):
        self.folder = Path(folder)
        self.path = self.folder / ".build.lock"
        self.owner_path = self.folder / ".build-owner.json"
        self._lock = None

    def acquire(self) -> BuildLock:
        from filelock import FileLock, Timeout

        _make_folder(self.folder)
        if self.path.is_symlink():  # filelock opens it with O_NOFOLLOW: ELOOP, a traceback (s14-C, N17)
            raise self._symlink()
        lock = FileLock(self.path, timeout=0)
        try:
            lock.acquire()
        except Timeout:
            raise self._held() from None
        except OSError as exc:  # a read-only mount, a folder of another user
            if refused(exc):
                raise not_writable(self.folder, exc) from exc
            if exc.errno == errno.ELOOP:  # made a link since the look above
                raise self._symlink() from None
            raise
        self._lock = lock
        info = {"pid": os.getpid(), "started": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
        atomic_write_text(self.owner_path, json.dumps(info))
        return self

    def refuse_if_held(self) -> None:
        """Raise the :class:`~zzeval.errors.BuildError` of :meth:`acquire` when another build holds the lock
        now; else nothing (the lock is not kept). For a build with nothing to do, which must not answer "up
        to date" while another build is publishing into the folder (hostile review s12-B, finding 4). No
        lock file: no build ever ran there; a lock that cannot be opened (read-only) is left to the caller."""
        if not self.path.is_file():
            return
        try:
            import fcntl  # filelock's own lock on POSIX (flock), without importing filelock (0.1 s: the fast path)
        except ImportError:
            fcntl = None
        if fcntl is not None:
            try:
                fd = os.open(self.path, os.O_RDWR)
            except OSError:
                return
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise self._held() from None
            except OSError:  # a filesystem without flock: filelock's soft lock, left to the caller
                return
            finally:
                os.close(fd)
            return
        from filelock import FileLock, Timeout

        lock = FileLock(self.path, timeout=0)
        try:
            lock.acquire()
        except Timeout:
            raise self._held() from None
        except OSError:
            return
        lock.release()

    def _symlink(self) -> BuildError:
        try:
            target = f" (to {os.readlink(self.path)})"
        except OSError:
            target = ""
        return BuildError(f"{self.path} is a symbolic link{target}; remove it (the build makes its own lock "
                          "file there; what the link points to is not touched)")

    def _held(self) -> BuildError:
        return BuildError(f"another zzeval build is already writing into {self.folder} ({self._holder()}); "
                          "wait for it to finish, or build into another --out folder")

    def release(self) -> None:
        if self._lock is None:
            return
        try:
            self.owner_path.unlink(missing_ok=True)
        finally:
            self._lock.release()
            self._lock = None

    def __enter__(self) -> BuildLock:
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()

    def _holder(self) -> str:
        try:
            info = json.loads(self.owner_path.read_text(encoding="utf-8") or "{}")
            return f"pid {info.get('pid', '?')}, started {info.get('started', '?')}"
        except (OSError, ValueError):
            return "holder unknown"
