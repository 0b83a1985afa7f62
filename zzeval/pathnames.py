"""File names under a locale that is not UTF-8 (issue 13: re-review B, R1 and R2; spot review S4).

Python decodes a file name with the locale's file-system encoding. Two cases differ from a UTF-8
locale:

* **Undecodable** (``LC_ALL=C`` without UTF-8 mode, a Chinese folder name in UTF-8 bytes): the
  name arrives with *surrogate escapes* (``\\udce6`` for the byte 0xE6). It can be opened, listed and
  written to, but not put into a UTF-8 page: ``zzeval build`` writes its data folder into the index
  page, so :func:`refusal` refuses that command only (every other command works). Messages show
  such a name as its bytes (:func:`show_names_as_bytes`), not as ``\\udce6`` escapes.
* **Spelt otherwise** (a GB18030 or GBK locale): the name decodes, but a process in UTF-8 mode (the
  build's workers and kernels: :func:`zzeval.build.run.worker_command`) would encode the same text
  to other bytes and miss the folder. :func:`for_utf8_mode` gives the spelling that reaches the same
  bytes there.
"""

from __future__ import annotations

import codecs
import os
import re
import sys

#: The path options of each command that cannot work with a name the locale cannot decode, and why
#: (the other commands read and write such names as they are).
_NEEDS_DECODABLE = {
    "build": {"data": ("--data", "zzeval build writes the path of its data into the index page"),
              "out": ("--out", "the build's evaluation processes fail on its cache files there"),
              "factors": ("--factors", "zzeval build does not take such a name")},
}

_HANDLER = "zzeval-names-as-bytes"


def undecodable(text: str) -> bool:
    """Whether ``text`` holds bytes the locale could not decode (surrogate escapes)."""
    return any("\udc80" <= ch <= "\udcff" for ch in text)


def for_utf8_mode(path: str) -> str:
    """``path`` as a process in UTF-8 mode (``-X utf8``, ``PYTHONUTF8=1``) must spell it to reach the
    same bytes on disk (its file names are UTF-8 with surrogate escapes). The same text under a UTF-8
    locale and for ASCII names; under a GB18030 locale a Chinese name becomes the escapes of its
    GB18030 bytes (re-review B, R2: every report failed "season folder not found")."""
    return os.fsencode(path).decode("utf-8", "surrogateescape")


def readable(path: str | os.PathLike) -> str:
    """``path`` as text for a table or a page: a name the locale cannot decode is read as UTF-8
    (what a Chinese name is on disk), with U+FFFD for bytes that are not."""
    text = os.fspath(path)
    return os.fsencode(text).decode("utf-8", "replace") if undecodable(text) else text


def _as_bytes(exc: UnicodeError):
    """Codec error handler: a surrogate escape is written as the byte it stands for (the name as
    ``ls`` shows it), any other character the stream cannot encode as a backslash escape."""
    if not isinstance(exc, UnicodeEncodeError):
        raise exc
    out = bytearray()
    for ch in exc.object[exc.start:exc.end]:
        if "\udc80" <= ch <= "\udcff":
            out.append(ord(ch) - 0xDC00)
        else:
            out += ch.encode("ascii", "backslashreplace")
    return bytes(out), exc.end


codecs.register_error(_HANDLER, _as_bytes)


def show_names_as_bytes(stream) -> None:
    """Have ``stream`` (stdout, stderr) write an undecodable file name as its bytes: not as
    ``\\udce8\\udcbe…`` escapes (stderr: "Wrote … to 输出.csv" under ``LC_ALL=C``), and not a
    traceback (stdout under a UTF-8 locale: "OK: <a GBK-named folder> is a valid season"). Any other
    character the stream cannot encode is a backslash escape, not a traceback (``zzeval factors``
    under ``LC_ALL=C`` without UTF-8 mode: the factors' Chinese names on an ASCII stdout)."""
    reconfigure = getattr(stream, "reconfigure", None)
    if reconfigure is not None and getattr(stream, "errors", None) in ("backslashreplace", "strict",
                                                                       "surrogateescape"):
        try:
            reconfigure(errors=_HANDLER)
        except (ValueError, OSError, AttributeError):  # closed or not a text stream
            pass


def refusal(command: str, values: dict) -> str | None:
    """What to fix when ``command`` cannot work with a path argument in ``values`` (the parsed
    options) that holds a name this locale cannot decode, given or reached through a link or ``.``
    (spot review S4); None when the command can work."""
    for dest, (option, why) in _NEEDS_DECODABLE.get(command, {}).items():
        given = values.get(dest)
        if not isinstance(given, str | os.PathLike):
            continue
        given = os.fspath(given)
        real = os.path.realpath(given) if os.path.exists(given) else given
        if not undecodable(given) and not undecodable(real):
            continue
        where = given if undecodable(given) else f"{given} (it leads to {real})"
        return (f"{option} {where}: a name this locale ({sys.getfilesystemencoding()}) cannot decode, "
                f"and {why}; run with a UTF-8 locale (LANG=C.UTF-8) or PYTHONUTF8=1, or use a folder name in ASCII")
    return None


#: ``$NAME`` or ``${NAME}``: a shell variable left as it was written
_VARIABLE = re.compile(r"\$\{?[A-Za-z_][A-Za-z0-9_]*\}?")


def check_expanded(path: str | os.PathLike, option: str) -> None:
    """Refuse a path the shell did not expand: it starts with ``~`` or holds ``$NAME`` and no such
    file or folder exists under that very name. A ``~`` or ``$OUT`` quoted in a crontab line, an
    Airflow ``bash_command`` or a YAML config reaches the program as written; ``--out "~/reports"``
    wrote into a folder literally named ``~`` in the working folder (cron's is ``$HOME``: a later
    ``rm -rf ~`` to clean it up deletes the home folder), and ``validate "~/s3"`` said only that the
    folder does not exist (hostile review s14-C, N40). A path of that name that exists is used.

    Raises
    ------
    zzeval.errors.InputError
        Naming the option, the path as given and what it would expand to here.
    """
    from zzeval.errors import InputError

    text = os.fspath(path)
    unexpanded = [part for part in ("~",) if text.startswith("~")] + _VARIABLE.findall(text)
    if not unexpanded or os.path.lexists(text):
        return
    here = os.path.expandvars(os.path.expanduser(text))
    hint = f" (here it would be {here})" if here != text else ""
    raise InputError(f"{option} {text}: the shell did not expand {', '.join(unexpanded)} (the path was quoted, as in a "
                     f"crontab line, an Airflow command or a YAML file){hint}: write the full path")
