"""What a notebook's parameters name: the season folder and the township.

A report notebook is run from JupyterLab (working folder ``notebooks/``), by ``zzeval build``
(absolute paths), or by the Papermill command line from wherever the user stands, e.g. the
repository root::

    papermill notebooks/township_report.ipynb out.ipynb -p township 巴公镇 -p data_dir data/sample

These functions accept what a reader would type and fail at once, before any computation, with
the valid choices:

* :func:`resolve_data_dir` finds a relative ``data_dir`` from the working folder, else from the
  repository root, else from the repository's ``notebooks/`` folder (when zzeval runs from a
  checkout), so ``data/sample`` and ``../data/sample`` both work from the root and from
  ``notebooks/``.
* :func:`resolve_township` accepts a township's pinyin slug (``bagong``), Chinese name
  (``巴公镇``) or statistical code (``140525108``) and returns the slug; it reads only the
  ``townships`` table.
"""

from __future__ import annotations

import os
from pathlib import Path

from zzeval.errors import ZzevalError
from zzeval.resources import project_root
from zzeval.season.parsing import closest


class ParameterError(ZzevalError):
    """A notebook parameter (``data_dir``, ``township``) names nothing that exists."""


def _search_bases() -> list[Path]:
    bases = [Path.cwd()]
    root = project_root()
    if root is not None:
        bases += [root, root / "notebooks"]
    unique: list[Path] = []
    for base in bases:
        if base not in unique:
            unique.append(base)
    return unique


def resolve_data_dir(data_dir: str | os.PathLike) -> Path:
    """The season folder ``data_dir`` names, as an absolute path.

    An absolute path must exist. A relative one is tried from the working folder, then from the
    repository root and its ``notebooks/`` folder (only when zzeval is imported from a checkout).

    Raises
    ------
    ParameterError
        When no candidate is a folder; the message lists every place looked at.
    """
    text = str(data_dir).strip()
    if not text:
        raise ParameterError("data_dir is empty: pass the season folder, e.g. -p data_dir data/sample")
    path = Path(text).expanduser()
    candidates = [path] if path.is_absolute() else [base / path for base in _search_bases()]
    for candidate in candidates:
        if candidate.is_dir():
            return candidate.resolve()
    files = [c for c in candidates if c.exists()]
    if files:
        raise ParameterError(f"data_dir '{text}' is a file ({files[0]}), not a folder: pass the season folder "
                             f"that holds it, e.g. -p data_dir {files[0].parent}")
    looked = "; ".join(str(c) for c in candidates)
    raise ParameterError(f"season folder '{text}' not found (looked in: {looked}); pass an existing "
                         "folder as data_dir, e.g. -p data_dir /path/to/season")


def check_parameters(season, lang="zh") -> tuple[str, str]:
    """The notebooks' ``season`` and ``lang`` parameters, checked in their first cell before any
    computation (a wrong ``lang`` otherwise failed only after the season was evaluated).

    Raises
    ------
    ParameterError
        When the season is not written like 2020-2021 or the language is neither zh nor en.
    """
    from zzeval.i18n import LANGS
    from zzeval.season.data import season_period

    try:
        name = season_period(str(season).strip()).name
    except ZzevalError as exc:
        raise ParameterError(f"{exc}; pass it like -p season 2020-2021") from None
    if lang not in LANGS:
        raise ParameterError(f"lang {str(lang)[:40]!r} is not a report language: pass -p lang zh (Chinese) "
                             "or -p lang en (English)")
    return name, lang


def township_table(data_dir: str | os.PathLike):
    """The ``townships`` table of a season folder: columns ``code``, ``name_zh``, ``slug``
    (headers in Chinese are accepted as in :mod:`zzeval.season.schema`)."""
    from zzeval.season.checks import Collector
    from zzeval.season.headers import map_columns
    from zzeval.season.loading import find_table_file, load_season, read_table_file
    from zzeval.season.schema import TOWNSHIPS

    folder = resolve_data_dir(data_dir)
    path = find_table_file(folder, "townships")
    if path is not None:
        problems = Collector()
        frame = map_columns(read_table_file(path), TOWNSHIPS, path.name, problems)
        frame = frame[["code", "name_zh", "slug"]].astype(str).apply(lambda s: s.str.strip())
        if (frame["slug"] != "").all():
            return frame
    # a missing or broken townships table: the full validation says what is wrong
    return load_season(folder).townships[["code", "name_zh", "slug"]]


def resolve_township(data_dir: str | os.PathLike, township: str) -> str:
    """The slug of ``township`` given as slug, Chinese name or code (surrounding spaces ignored).

    Examples
    --------
    >>> resolve_township(project_root() / "data" / "sample", "巴公镇")
    'bagong'
    >>> resolve_township(project_root() / "data" / "sample", "140525108")
    'bagong'

    Raises
    ------
    ParameterError
        When it names no township of the season; the message lists every valid one.
    """
    table = township_table(data_dir)
    wanted = str(township).strip()
    for column in ("slug", "name_zh", "code"):
        hit = table.loc[table[column] == wanted, "slug"]
        if len(hit):
            return str(hit.iloc[0])
    names = list(table["slug"]) + list(table["name_zh"])
    close = closest(wanted, names)
    hint = f" Did you mean '{close}'?" if close else ""
    valid = "、".join(f"{n} ({s}, {c})" for n, s, c in table[["name_zh", "slug", "code"]].itertuples(index=False))
    raise ParameterError(f"unknown township '{wanted}'.{hint} Use a name, slug or code of the "
                         f"season in {resolve_data_dir(data_dir)}: {valid}")
