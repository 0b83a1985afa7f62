"""Jupyter kernels for the build: an explicit kernel choice, warm kernels reused across notebooks.

Why not one ``papermill`` call per notebook: each call starts a kernel and imports the scientific
stack again (seconds per notebook), and a kernel found by name on ``PATH`` may belong to another
Python (papermill issues #251, #761). Here:

* :func:`resolve_kernel` picks the kernel explicitly: the project kernel ``zzeval`` when it is
  registered for *this* interpreter (``zzeval kernel install``, which ``make`` runs; see
  :func:`install_kernel`), otherwise the current interpreter itself (``sys.executable -m
  ipykernel_launcher``), so a build started as ``.venv/bin/zzeval`` always runs its notebooks in
  that same environment (venv, conda env or plain pip install) and needs no registered kernel.
  A kernel asked for by name that does not exist is an error saying what to run.
* :class:`WarmKernel` starts a kernel once (with a start timeout and one retry when it fails to
  start), imports the heavy libraries once, and then runs several notebooks in turn. Before each
  notebook the user namespace is cleared (``%reset -f``), figures are closed and matplotlib,
  pandas and warnings settings are restored to the state right after the warm-up, and the working
  folder is reset. A notebook that fails, times out or kills its kernel gets its kernel discarded
  (a fresh one serves the next notebook); a kernel is also recycled after ``max_uses`` notebooks.
  ``reuse=False`` gives every notebook a brand-new kernel.

The notebook-level execution timeout is a wall-clock budget for the whole notebook: each cell gets
what is left of it.
"""

from __future__ import annotations

import asyncio
import importlib.util
import logging
import math
import os
import re
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from zzeval.errors import BuildError

log = logging.getLogger(__name__)

PROJECT_KERNEL = "zzeval"

#: Modules imported once per kernel during warm-up (missing ones are skipped).
DEFAULT_WARM_IMPORTS = ("numpy", "pandas", "scipy.stats", "matplotlib.pyplot", "seaborn", "zzeval")

#: Between two notebooks: the namespace cleared (``%reset -f``, which runs ``gc.collect()`` twice),
#: the settings restored, then every object that survived frozen (``gc.freeze``: moved out of the
#: collector's generations). Without the freeze each reset's collections walked the whole heap of
#: pandas, matplotlib and IPython (~0.3 s of CPU per report); with it they walk only what the last
#: notebook made. Frozen objects are still freed by reference counting; the kernel is recycled after
#: ``max_uses`` notebooks.
_RESET_CODE = r"""
get_ipython().run_line_magic("reset", "-f")
import gc as __zz_gc, sys as __zz_sys
__zz_sys.modules["__zzeval_kernel_state__"].reset()
__zz_gc.freeze()
del __zz_gc, __zz_sys
"""

_WARM_CODE = r"""
import importlib as __zz_importlib, os as __zz_os, sys as __zz_sys, types as __zz_types, warnings as __zz_warnings
for __zz_name in {imports!r}:
    try:
        __zz_importlib.import_module(__zz_name)
    except Exception:
        pass

def __zz_make_state(cwd):
    import warnings
    state = __zz_types.ModuleType("__zzeval_kernel_state__")
    state.cwd = cwd
    state.filters = list(warnings.filters)
    mpl = __zz_sys.modules.get("matplotlib")
    state.rc = dict(mpl.rcParams) if mpl is not None else None

    def reset():
        import os
        import sys
        import warnings
        os.chdir(state.cwd)
        warnings.filters[:] = state.filters
        plt = sys.modules.get("matplotlib.pyplot")
        if plt is not None:
            plt.close("all")
        mpl = sys.modules.get("matplotlib")
        if mpl is not None and state.rc is not None:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                mpl.rcParams.update({k: v for k, v in state.rc.items()
                                     if k not in ("backend", "interactive")})
        pd = sys.modules.get("pandas")
        if pd is not None:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                try:
                    pd.reset_option("all")
                except Exception:
                    pass

    state.reset = reset
    return state

__zz_sys.modules["__zzeval_kernel_state__"] = __zz_make_state(__zz_os.getcwd())
import gc as __zz_gc
__zz_gc.collect()
__zz_gc.freeze()  # the imported libraries: never walked again by the collector (see _RESET_CODE)
del __zz_importlib, __zz_os, __zz_sys, __zz_types, __zz_warnings, __zz_name, __zz_make_state, __zz_gc
"""


class KernelStartError(BuildError):
    """A kernel could not be started (after the retry)."""


class NotebookFolderGone(KernelStartError):
    """The folder a notebook runs in (its own, :func:`zzeval.build.plan._run_fields`) no longer exists."""


class NotebookTimeout(BuildError):
    """A notebook ran longer than its execution timeout."""


class KernelDied(RuntimeError):
    """The kernel's process ended while zzeval waited for its reply (e.g. killed during its warm-up)."""


#: How often a wait for the kernel's reply checks that its process is still alive [s]: a kernel killed
#: during its warm-up is noticed within this, not after the whole start timeout.
_ALIVE_POLL_S = 1.0


@dataclass(frozen=True)
class KernelChoice:
    """The kernel a build runs its notebooks in: ``name`` the kernelspec name (``"zzeval"``, a registered name, or
    ``"current"`` for the interpreter running the build); ``argv`` the command that starts it; ``why`` one line for
    the build log."""

    name: str
    argv: tuple[str, ...]
    why: str


def _current_argv() -> tuple[str, ...]:
    return (sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}")


def _same_interpreter(cmd0: str) -> bool:
    """Whether a kernel started with ``cmd0`` runs in this environment.

    The ``bin`` folders are compared, not the resolved executables: every venv's ``python`` is a
    symlink to the same base interpreter, but each venv has its own packages.
    """
    if cmd0 in {"python", f"python{sys.version_info[0]}", "python{}.{}".format(*sys.version_info[:2])}:
        return True  # jupyter_client replaces these with sys.executable
    try:
        return (Path(os.path.abspath(cmd0)).parent.resolve()
                == Path(os.path.abspath(sys.executable)).parent.resolve())
    except OSError:  # pragma: no cover
        return False


def resolve_kernel(kernel: str | None = "auto") -> KernelChoice:
    """Choose the kernel explicitly.

    Parameters
    ----------
    kernel : {"auto", "current", "zzeval"} or a kernelspec name
        ``"auto"`` (default): the project kernel ``zzeval`` if it is registered for this
        interpreter, else the current interpreter. ``"current"``: ``sys.executable``.
        Any other name: that registered kernelspec, or an error saying how to register it.

    Raises
    ------
    BuildError
        When ipykernel is missing from this interpreter, or the named kernel does not exist.
    """
    choice = _resolve_kernel(kernel or "auto")
    log.info("kernel: %s", choice.why)
    return choice


def _resolve_kernel(kernel: str) -> KernelChoice:
    if kernel in ("auto", "current") and importlib.util.find_spec("ipykernel") is None:
        raise BuildError(
            f"ipykernel is not installed for {sys.executable}; run "
            f"'{sys.executable} -m pip install ipykernel' (or 'make venv')")
    if kernel == "current":
        return KernelChoice("current", _current_argv(), f"the current interpreter {sys.executable}")
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        spec = KernelSpecManager().get_kernel_spec(PROJECT_KERNEL if kernel == "auto" else kernel)
    except NoSuchKernel:
        if kernel == "auto":
            return KernelChoice("current", _current_argv(),
                                f"kernel '{PROJECT_KERNEL}' is not registered; using the current "
                                f"interpreter {sys.executable}")
        hint = ("zzeval kernel install"
                if kernel == PROJECT_KERNEL else f"jupyter kernelspec list  # and install '{kernel}'")
        raise BuildError(
            f"Jupyter kernel '{kernel}' is not registered. Run: {hint} "
            "(the project kernel: 'make venv' runs it too), or build with kernel='current' "
            "to use this interpreter.") from None
    argv = tuple(spec.argv)
    if kernel == "auto" and (not argv or not _same_interpreter(argv[0])):
        return KernelChoice("current", _current_argv(),
                            f"kernel '{PROJECT_KERNEL}' runs {argv[0] if argv else '?'}, not this "
                            f"interpreter; using {sys.executable}")
    name = PROJECT_KERNEL if kernel == "auto" else kernel
    return KernelChoice(name, argv, f"registered kernel '{name}' ({argv[0] if argv else '?'})")


#: Kernel names Jupyter accepts (jupyter_client.kernelspec: letters, digits, '-', '.', '_').
_KERNEL_NAME = re.compile(r"[A-Za-z0-9._-]+")


def install_kernel(name: str = PROJECT_KERNEL, display_name: str = "Python (zzeval)",
                   where: str = "sys-prefix", prefix: str | None = None) -> Path:
    """Register this interpreter (``sys.executable``) as the Jupyter kernel ``name``.

    Parameters
    ----------
    where : {"sys-prefix", "user", "prefix"}
        ``"sys-prefix"`` (default): inside this environment (``<sys.prefix>/share/jupyter/kernels``),
        seen by the Jupyter of this venv or conda env; ``"user"``: for the current user, seen by
        every Jupyter of the user; ``"prefix"``: under ``prefix``.

    Returns
    -------
    Path
        The folder of the written kernel spec (``kernel.json``).

    Raises
    ------
    BuildError
        When ipykernel is not installed for this interpreter.
    """
    if importlib.util.find_spec("ipykernel") is None:
        raise BuildError(f"ipykernel is not installed for {sys.executable}; run "
                         f"'{sys.executable} -m pip install ipykernel'")
    from ipykernel.kernelspec import install

    if where not in ("sys-prefix", "user", "prefix"):
        raise BuildError(f"where must be 'sys-prefix', 'user' or 'prefix', not {where!r}")
    if where == "prefix" and not prefix:
        raise BuildError("where='prefix' needs the prefix folder")
    if not _KERNEL_NAME.fullmatch(name):  # jupyter_client's rule; it would raise a bare ValueError
        raise BuildError(f"kernel name {name!r} is not allowed: use ASCII letters, digits and '-', '.', '_' "
                         "only (e.g. zzeval)")
    target = {"sys-prefix": sys.prefix, "user": None, "prefix": prefix}[where]
    try:
        path = install(user=where == "user", kernel_name=name, display_name=display_name, prefix=target)
    except OSError as exc:  # a read-only mount (EROFS), a folder of another user: s10 hostile review B, B3
        from zzeval.atomic import refused

        if not refused(exc):
            raise
        raise BuildError(f"cannot register the kernel {name!r}: {exc.filename or target}: {exc.strerror or exc}; "
                         "install it where you may write: --prefix DIR (a writable folder), --user or --sys-prefix, "
                         "or get write permission there") from exc
    log.info("registered kernel %r for %s in %s", name, sys.executable, path)
    return Path(path)


def _kernel_manager(choice: KernelChoice):
    from jupyter_client.kernelspec import KernelSpec, KernelSpecManager
    from jupyter_client.manager import AsyncKernelManager

    class _FixedSpecs(KernelSpecManager):
        def get_kernel_spec(self, kernel_name: str) -> KernelSpec:  # noqa: D102
            return KernelSpec(argv=list(choice.argv), display_name=f"Python ({choice.name})",
                              language="python", resource_dir="", metadata={})

    return AsyncKernelManager(kernel_name=choice.name, kernel_spec_manager=_FixedSpecs())


@dataclass
class CellError:
    """Where and why a notebook failed."""

    cell_index: int  # position in the notebook (0-based, all cells)
    code_cell_number: int  # 1-based among code cells, as a reader counts them
    source_head: str
    ename: str
    evalue: str
    traceback: str  # a build records it with zzeval.build.tasks.failure (the one shape of a report's error)


class WarmKernel:
    """One kernel that runs notebooks one after another (see the module docstring). Not thread-safe: use one
    per thread, each thread with its own event loop (:func:`session_for_thread`)."""

    def __init__(self, choice: KernelChoice, cwd: str | os.PathLike, *, start_timeout: float = 60,
                 start_retries: int = 1, warm_imports=DEFAULT_WARM_IMPORTS, reuse: bool = True,
                 max_uses: int = 50):
        self.choice = choice
        self.cwd = str(Path(cwd).resolve())
        self.start_timeout = start_timeout
        self.start_retries = start_retries
        self.warm_imports = tuple(warm_imports)
        self.reuse = reuse
        self.max_uses = max_uses
        self.km = None
        self.kc = None
        self.uses = 0
        self.language_info: dict = {}
        self.starts = 0

    @property
    def alive(self) -> bool:
        return self.km is not None

    async def start(self) -> float:
        """Start the kernel and warm it up; one retry when it fails. Returns seconds spent."""
        t0 = time.monotonic()
        last: Exception | None = None
        for attempt in range(1 + self.start_retries):
            self._check_folder()  # not a kernel fault: no retry, no "did not start within" (s10-reB N3)
            try:
                await self._start_once()
                self.starts += 1
                log.info("kernel %s started in %.1f s (pid %s)", self.choice.name, time.monotonic() - t0,
                         getattr(getattr(self.km, "provisioner", None), "pid", "?"))
                return time.monotonic() - t0
            except KernelDied as exc:
                log.warning("kernel %s died while starting (pid %s)%s", self.choice.name, exc,
                            ", restarting" if attempt < self.start_retries else "")
                last = exc
            except Exception as exc:  # noqa: BLE001 - any start failure is retried once
                log.warning("kernel %s failed to start: %s: %s", self.choice.name, type(exc).__name__, exc)
                last = exc
            await self.shutdown()
        self._check_folder()
        n = 1 + self.start_retries
        if isinstance(last, KernelDied):
            raise KernelStartError(f"the kernel ({self.choice.why}) died while starting, {n} times (last pid {last})")
        within = f" within {self.start_timeout:g} s" if isinstance(last, TimeoutError) else ""  # else it failed at once
        raise KernelStartError(f"the kernel ({self.choice.why}) did not start{within} ({n} attempts): "
                               f"{type(last).__name__}: {last}")

    def _check_folder(self) -> None:
        if not os.path.isdir(self.cwd):  # the folder the notebook runs in
            raise NotebookFolderGone(
                f"the folder the notebook runs in is gone: {self.cwd} (deleted or moved during the build?); put it back, "
                "or pass the notebook where it is now, and build again (a notebook runs in its own folder, so that the "
                "files it opens by a relative path are found)")

    async def _start_once(self) -> None:
        env = dict(os.environ)
        env.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
        env["ZZEVAL_BUILD"] = "1"
        env["PYTHONUTF8"] = "1"  # the notebook opens the season's (Chinese) paths whatever the locale
        km = _kernel_manager(self.choice)
        self.km = km
        # the kernel's own stdout/stderr (start-up chatter) stay out of the build's output;
        # everything a cell prints reaches the notebook through the messaging protocol
        await km.start_kernel(cwd=self.cwd, env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL,
                              extra_arguments=["--HistoryManager.hist_file=:memory:"])
        kc = km.client()
        kc.start_channels()
        self.kc = kc
        await kc.wait_for_ready(timeout=self.start_timeout)
        msg_id = kc.kernel_info()
        reply = await self._reply(msg_id, self.start_timeout)
        self.language_info = reply["content"].get("language_info", {})
        await self._silent(_WARM_CODE.replace("{imports!r}", repr(self.warm_imports)),
                           self.start_timeout + 120)
        self.uses = 0

    async def _reply(self, msg_id: str, timeout: float) -> dict:
        """The shell reply to ``msg_id``; :class:`KernelDied` as soon as the kernel's process is gone
        (checked every :data:`_ALIVE_POLL_S`), ``TimeoutError`` after ``timeout`` seconds."""
        from queue import Empty

        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError("no reply from the kernel")
            try:
                msg = await self.kc.get_shell_msg(timeout=min(remaining, _ALIVE_POLL_S))
            except Empty:
                km = self.km
                if km is not None and not await km.is_alive():
                    raise KernelDied(getattr(getattr(km, "provisioner", None), "pid", "?")) from None
                continue
            if msg["parent_header"].get("msg_id") == msg_id:
                return msg

    async def _silent(self, code: str, timeout: float) -> None:
        msg_id = self.kc.execute(code, silent=True, store_history=False, allow_stdin=False)
        reply = await self._reply(msg_id, timeout)
        content = reply["content"]
        if content.get("status") != "ok":
            raise RuntimeError(f"kernel setup code failed: {content.get('ename')}: {content.get('evalue')}")

    async def shutdown(self) -> None:
        """Stop the kernel (no error if it is already gone)."""
        kc, km = self.kc, self.km
        self.kc = self.km = None
        if kc is not None:
            try:
                kc.stop_channels()
            except Exception:  # noqa: BLE001
                pass
        if km is not None:
            try:
                if km.has_kernel:
                    await km.shutdown_kernel(now=True)
            except Exception:  # noqa: BLE001
                pass
            try:
                await km.cleanup_resources()
            except Exception:  # noqa: BLE001
                pass

    async def run(self, nb, timeout: float | None = 600):
        """Execute ``nb`` (a NotebookNode, modified in place) within ``timeout`` seconds.

        Returns ``(nb, error, timings)`` where ``error`` is a :class:`CellError` or ``None`` and
        ``timings`` has ``kernel_start_s`` and ``execute_s``. Raises :class:`KernelStartError`
        when no kernel could be started.
        """
        from nbclient import NotebookClient
        from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

        timings = {"kernel_start_s": 0.0, "execute_s": 0.0, "kernel_reused": False}
        if self.alive and self.reuse and self.uses < self.max_uses:
            try:
                await self._silent(_RESET_CODE, 60)
                timings["kernel_reused"] = True
            except Exception:  # noqa: BLE001 - a kernel that cannot reset is replaced
                await self.shutdown()
        elif self.alive:
            await self.shutdown()
        if not self.alive:
            timings["kernel_start_s"] = await self.start()
        self.uses += 1

        client = NotebookClient(nb, km=self.km, kernel_name=self.choice.name, timeout=timeout,
                                startup_timeout=int(self.start_timeout), allow_errors=False,
                                record_timing=True, shell_timeout_interval=1)
        client.kc = self.kc
        client.reset_execution_trackers()
        if self.language_info:
            nb.metadata["language_info"] = self.language_info
        nb.metadata["kernelspec"] = {"name": self.choice.name, "display_name": f"Python ({self.choice.name})",
                                     "language": "python"}
        t0 = time.monotonic()
        deadline = None if not timeout else t0 + timeout
        error: CellError | None = None
        try:
            for index, cell in enumerate(nb.cells):
                if deadline is not None:
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        raise NotebookTimeout(f"the notebook ran longer than {timeout:g} s")
                    client.timeout = max(1, math.ceil(remaining))
                await client.async_execute_cell(cell, index,
                                                execution_count=client.code_cells_executed + 1)
        except CellExecutionError as exc:
            error = _execution_error(nb, exc, index)
            await self.shutdown()  # a failed notebook may leave the kernel in any state
        except (CellTimeoutError, NotebookTimeout) as exc:
            error = _cell_error(nb, fallback=("Timeout", f"execution timeout of {timeout:g} s reached"),
                                at=_running_cell(nb, index))
            error.traceback = str(exc)
            await self.shutdown()
        except DeadKernelError as exc:
            error = _cell_error(nb, fallback=("DeadKernelError", f"the kernel died: {exc}"),
                                at=_running_cell(nb, index))
            await self.shutdown()
        timings["execute_s"] = time.monotonic() - t0
        return nb, error, timings


def _running_cell(nb, index: int) -> int:
    return index


def _strip_ansi(text: str) -> str:
    import re

    return re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", text)


_NO_OUTPUT = "the notebook failed (no error output found)"


def _execution_error(nb, exc, index: int) -> CellError:
    """The error of the cell ``index`` that failed (``exc``, nbclient's ``CellExecutionError``): its
    error output, else the error the kernel's reply names (no output reached the notebook, e.g.
    the kernel ran out of file descriptors: it was "no error output found", hostile review 9B, F9)."""
    error = _cell_error(nb)
    if error.code_cell_number == 0:
        error = _cell_error(nb, fallback=(getattr(exc, "ename", "") or "Error", getattr(exc, "evalue", "") or _NO_OUTPUT),
                            at=index)
        error.traceback = _strip_ansi(str(getattr(exc, "traceback", "") or ""))[-4000:]
    return error


def _cell_error(nb, fallback: tuple[str, str] | None = None, at: int | None = None) -> CellError:
    """The first error output of ``nb`` (or the cell ``at`` with ``fallback`` as the error)."""
    code_no = 0
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        code_no += 1
        if at is not None and i == at and fallback is not None:
            return CellError(i, code_no, _head(cell.source), fallback[0], fallback[1], "")
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                tb = _strip_ansi("\n".join(out.get("traceback", [])))
                return CellError(i, code_no, _head(cell.source), out.get("ename", ""),
                                 _strip_ansi(out.get("evalue", "")), tb[-4000:])
    name, value = fallback or ("Error", _NO_OUTPUT)
    return CellError(at if at is not None else -1, 0, "", name, value, "")


def _head(source: str, n: int = 3) -> str:
    lines = [ln for ln in source.splitlines() if ln.strip()]
    return "\n".join(lines[:n])[:300]


# --- one warm kernel per thread (local threads and Dask worker threads alike) -------------------

_local = threading.local()
_all_sessions: list[tuple[asyncio.AbstractEventLoop, WarmKernel]] = []
_all_lock = threading.Lock()


def session_for_thread(choice: KernelChoice, cwd, generation: str = "",
                       **options) -> tuple[asyncio.AbstractEventLoop, WarmKernel]:
    """This thread's event loop and warm kernel, created on first use.

    A kernel with a different choice, folder, options or ``generation`` (the package-code digest:
    a kernel that imported older code is not reused) is shut down and replaced.
    """
    loop = getattr(_local, "loop", None)
    if loop is None or loop.is_closed():
        loop = asyncio.new_event_loop()
        _local.loop = loop
    kernel: WarmKernel | None = getattr(_local, "kernel", None)
    key = (choice, str(Path(cwd).resolve()), generation, tuple(sorted(options.items())))
    if kernel is not None and getattr(_local, "key", None) != key:
        loop.run_until_complete(kernel.shutdown())
        kernel = None
    if kernel is None:
        kernel = WarmKernel(choice, cwd, **options)
        _local.kernel, _local.key = kernel, key
        with _all_lock:
            _all_sessions.append((loop, kernel))
    return loop, kernel


def shutdown_thread_session() -> None:
    """Shut down this thread's kernel and close its loop (call from the owning thread)."""
    loop = getattr(_local, "loop", None)
    kernel = getattr(_local, "kernel", None)
    if loop is not None and kernel is not None and not loop.is_closed():
        loop.run_until_complete(kernel.shutdown())
    if loop is not None and not loop.is_closed():
        loop.close()
    _local.loop = _local.kernel = _local.key = None
    with _all_lock:
        _all_sessions[:] = [(lp, k) for lp, k in _all_sessions if k is not kernel]


def shutdown_all_sessions() -> None:
    """Shut down every kernel this process started (at exit; the calling thread's own kernel
    gracefully, the others by killing their process)."""
    try:
        shutdown_thread_session()
    except Exception:  # noqa: BLE001
        pass
    with _all_lock:
        sessions = list(_all_sessions)
        _all_sessions.clear()
    for _loop, kernel in sessions:
        km = kernel.km
        if km is None:
            continue
        try:
            process = getattr(km.provisioner, "process", None)
            if process is not None:
                process.kill()
                process.wait(5)
            km.cleanup_connection_file()
        except Exception:  # noqa: BLE001
            pass
        kernel.km = kernel.kc = None


import atexit  # noqa: E402

atexit.register(shutdown_all_sessions)
