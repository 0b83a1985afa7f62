"""Exceptions of zzeval.

Every error a user can cause names what to fix. Input problems are collected into a
:class:`DataValidationError` so that one run reports all of them, not the first one.
"""

from __future__ import annotations

from dataclasses import dataclass


class ZzevalError(Exception):
    """Base class of all errors zzeval raises on purpose."""


@dataclass(frozen=True)
class Problem:
    """One problem found in an input file.

    ``row`` is the row number as a spreadsheet shows it (the header is row 1, the first
    data row is row 2); ``None`` when the problem concerns the whole file or column.
    """

    file: str
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = _cut(self.file, 200)
        if self.row is not None:
            where += f", row {self.row}"
        if self.column:
            where += f", column '{_cut(self.column, 60)}'"
        return f"{where}: {cut_middle(self.message, MAX_MESSAGE, MESSAGE_TAIL)}"


#: Longest message printed for one problem (values in messages are cut shorter where they are made).
MAX_MESSAGE = 1000

#: The characters of a message's end always printed: a message ends with what to do (the advice, a judgement
#: check's confirmation key), so a longer message loses part of its middle (the evidence listed), never its end
#: (hostile review s14-hostB N00: the 'station moved' advice and the confirmation key were cut off).
MESSAGE_TAIL = 450


def cut_middle(text: str, limit: int, tail: int) -> str:
    """``text`` of at most about ``limit`` characters: a longer one keeps its beginning and its last ``tail``
    characters, and says how many were left out between them."""
    text = str(text)
    if len(text) <= limit:
        return text
    head = max(limit - tail, 0)
    return f"{text[:head]} … ({len(text) - head - tail:,} characters left out) … {text[-tail:]}"


class DataValidationError(ZzevalError):
    """The input data has one or more problems; ``problems`` lists all of them. ``notes``: what the user
    should know about how the data were read (a column ignored, a sheet chosen), often the cause of
    the problems; the command line prints them before the problems."""

    def __init__(self, problems: list[Problem], context: str = "input data", notes: list[str] | None = None):
        self.problems = list(problems)
        self.notes = list(notes or [])
        n = len(self.problems)
        lines = [f"{n} problem{'s' if n != 1 else ''} in the {context}:"]
        lines += [f"  - {p}" for p in self.problems[:200]]
        if n > 200:
            lines.append(f"  … and {n - 200} more")
        super().__init__("\n".join(lines))


class FactorError(ZzevalError):
    """A reference-factor table or an analyst's override file is invalid."""


class BuildError(ZzevalError):
    """A report build could not be completed."""


def is_no_space(exc: BaseException) -> bool:
    """Whether ``exc`` is an :class:`OSError` saying the disk, a quota or the file-size limit is full."""
    import errno

    codes = {errno.ENOSPC, errno.EFBIG, getattr(errno, "EDQUOT", errno.ENOSPC)}
    return isinstance(exc, OSError) and exc.errno in codes


#: What to do when a process ran out of file descriptors (``EMFILE``, errno 24).
TOO_MANY_FILES_HINT = "too many open files: raise the limit (ulimit -n) or lower --jobs"


def is_too_many_files(exc: BaseException | str) -> bool:
    """Whether ``exc`` (or an error's text, e.g. from a notebook's kernel) says the process ran out
    of file descriptors (``EMFILE``: ``[Errno 24] Too many open files``)."""
    import errno

    if isinstance(exc, OSError):
        return exc.errno == errno.EMFILE
    return "Too many open files" in str(exc) or "[Errno 24]" in str(exc)


class NoSpaceError(BuildError):
    """A file could not be written because the disk, a quota or the file-size limit is full."""


class FolderNotWritableError(ZzevalError, PermissionError):
    """A folder zzeval must write into does not let this user create files in it (the message
    names the folder, not the temporary file that could not be made in it). Also a
    ``PermissionError``, for callers that caught that before."""

    def __str__(self) -> str:  # PermissionError's would be "[Errno 13] ..."
        return str(self.args[0]) if self.args else ""


class InputError(ZzevalError, ValueError):
    """A value the user gave is not usable (a season name, an option). Also a ``ValueError``,
    for callers that caught that before."""


class UnknownTownshipError(ZzevalError, KeyError):
    """A township slug that the season or evaluation does not have. Also a ``KeyError``."""

    def __str__(self) -> str:  # KeyError would quote the whole message
        return str(self.args[0]) if self.args else ""


class EvaluationError(ZzevalError):
    """A step of the season's evaluation could not be computed from valid data; the message
    names the step and the reason."""


def yaml_problem(exc: Exception) -> str:
    """What is wrong with a YAML file, on one line, from the ``yaml.YAMLError`` its reading raised:
    ``line 48, column 1: found character '\\t' that cannot start any token …: indent with spaces, not
    tabs`` (PyYAML's own text runs over four lines and never says why: tabs "must not appear … in
    indentation and separation spaces", YAML 1.1 specification § 5.5 Miscellaneous Characters, example
    5.12 "Invalid Use of Tabs")."""
    mark, problem = getattr(exc, "problem_mark", None), getattr(exc, "problem", None)
    if mark is None or not problem:
        return _cut(" ".join(str(exc).split()))
    text = f"line {mark.line + 1}, column {mark.column + 1}: {problem}"
    context, where = getattr(exc, "context", None), getattr(exc, "context_mark", None)
    if context:
        text += f" ({context}" + (f" from line {where.line + 1}" if where and where.line != mark.line else "") + ")"
    if "'\\t'" in problem or "tab" in problem:
        text += ": indent with spaces, not tabs (YAML does not allow tabs for indentation)"
    return _cut(text + _full_width_colon(mark, where))


def _full_width_colon(mark, where) -> str:
    """A full-width colon '：' (a Chinese input method left on) on the lines of the error: YAML reads
    ``confirmed：`` as text and reports the next line (hostile review s14-hostA, N44); named here."""
    buffer = getattr(mark, "buffer", None)
    if not isinstance(buffer, str):
        return ""
    lines = buffer.split("\n")
    first = where.line if where is not None and where.line <= mark.line else mark.line
    for n in range(max(first, 0), min(mark.line, len(lines) - 1) + 1):
        if "\uff1a" in lines[n]:
            return (f"; line {n + 1} has a full-width colon '\uff1a' (a Chinese input method): write the "
                    "half-width ':' after a key")
    return ""


def _cut(text: str, limit: int = 300) -> str:
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text):,} characters)"
