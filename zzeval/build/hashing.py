"""Content hashes for incremental builds (never timestamps).

A report's key (:mod:`zzeval.build.plan`) is the digest of what its notebook reads, nothing kept
by hand:

* the **slice** of the evaluation the notebook is given (:meth:`zzeval.assess.evaluate.Evaluation.township_slice`,
  or the county's), by content (:func:`content_digest`), with the season's data hash taken out
  (it is the same on every page and stamped on unchanged pages when it changes, see
  :mod:`zzeval.build.publish`);
* the **notebook** (cell sources only: outputs and execution counts do not count),
* the **package code** (every file of ``zzeval/`` except the build machinery itself) and the
  versions of the libraries that compute its numbers or render it (:mod:`zzeval.libraries`);
* the **parameters** (season, language, township, exporter).

The fast path of a rebuild with nothing changed compares one digest over the raw bytes of the
season folder (:func:`folder_digest`), the notebooks, the code and the parameters, without
loading the season. That folder digest is internal; the *data hash* readers see is
:func:`zzeval.assess.evaluate.data_hash` (the season's input files as loaded).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import fields, is_dataclass
from pathlib import Path

from zzeval.atomic import file_sha256  # the one file hash (input files, code, notebooks)
from zzeval.libraries import NUMBER_DISTS, RENDER_DISTS, versions_digest

__all__ = ["code_digest", "content_digest", "field_digests", "file_sha256", "files_digest", "folder_digest",
           "folder_file_digests", "notebook_digest", "sha256_bytes", "sha256_json"]

#: Modules of the build machinery: changing them does not change a report's content.
#: parts of the package that do not change what a report shows (paths relative to zzeval/)
_MACHINERY = ("build/", "report/index_page.py", "cli.py")



def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_json(obj) -> str:
    """Digest of a JSON-serialisable object (keys sorted, so dict order does not matter)."""
    return sha256_bytes(json.dumps(obj, sort_keys=True, ensure_ascii=False, default=str).encode())


#: The files of a season folder besides its tables that the loader reads (zzeval.season.loading).
SEASON_FILES = ("season.yaml", "verdict_rules.yaml")


def season_files(folder: str | Path) -> list[Path]:
    """The files of a season folder the loader reads or looks at (:func:`zzeval.season.loading.load_season`):
    ``season.yaml``, ``verdict_rules.yaml`` and every ``<table>.*`` of a table of the schema (the forms it
    reads, and those it refuses by name: ``townships.xls``, ``townships.CSV``). Not: a note, a clerk's
    copy, a subfolder (the loader looks into subfolders only to refuse a folder without tables), or
    reports written into the folder (hostile review 8B, B1: they made every build evaluate again)."""
    from zzeval.season.schema import TABLES

    prefixes = tuple(f"{name}." for name in TABLES)
    return sorted(p for p in Path(folder).iterdir() if not p.name.startswith(".") and p.is_file()
                  and (p.name in SEASON_FILES or p.name.lower().startswith(prefixes)))


def folder_file_digests(folder: str | Path) -> dict[str, str]:
    """:func:`file_sha256` of the season folder's files the loader reads (:func:`season_files`), by
    relative (POSIX) name, in the order :func:`folder_digest` takes them."""
    folder = Path(folder)
    return {path.relative_to(folder).as_posix(): file_sha256(path) for path in season_files(folder)}


def files_digest(digests: dict[str, str]) -> str:
    """One digest of :func:`folder_file_digests` (relative names and contents)."""
    h = hashlib.sha256()
    for rel, digest in digests.items():
        h.update(rel.encode() + b"\0" + digest.encode() + b"\n")
    return h.hexdigest()


def folder_digest(folder: str | Path) -> str:
    """Digest of the season folder's files the loader reads (:func:`season_files`: relative names and
    contents): the key of a build's fast path and of its evaluation cache."""
    return files_digest(folder_file_digests(folder))


def notebook_digest(notebook: str | Path | bytes) -> str:
    """Digest of a notebook's cell types, sources and tags (outputs and counts ignored); ``notebook``
    is its file, or its bytes as read once (the build runs those very bytes: :func:`zzeval.build.plan.notebook_snapshots`)."""
    data = notebook if isinstance(notebook, bytes) else Path(notebook).read_bytes()
    nb = json.loads(data.decode("utf-8"))
    cells = [(c.get("cell_type"), "".join(c.get("source", "")) if isinstance(c.get("source"), list)
              else c.get("source", ""), sorted(c.get("metadata", {}).get("tags", [])))
             for c in nb.get("cells", [])]
    return sha256_json(cells)


def code_digest() -> str:
    """Digest of the ``zzeval`` package (code, reference data, templates) and of the versions of
    the libraries that compute the numbers and render the reports (:mod:`zzeval.libraries`).

    Not cached: a long-lived process (a scheduler's worker) must see code that changed under it.
    """
    root = Path(__file__).resolve().parents[1]
    h = hashlib.sha256()
    for path in sorted(_package_files(root)):
        rel = path.relative_to(root)
        if rel.as_posix().startswith(_MACHINERY) or path.suffix in (".pyc", ".tmp"):
            continue
        h.update(rel.as_posix().encode() + b"\0" + file_sha256(path).encode() + b"\n")
    h.update(versions_digest(NUMBER_DISTS + RENDER_DISTS).encode())
    return h.hexdigest()


def _package_files(root: Path) -> list[Path]:
    """The files under ``root``, without hidden files and folders and ``__pycache__`` (not entered)."""
    import os

    out = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if not d.startswith(".") and d != "__pycache__"]
        out += [Path(folder, f) for f in files if not f.startswith(".")]
    return out


def content_digest(obj, masked: tuple[str, ...] = ()) -> str:
    """Digest of an object's content: DataFrames by column names, dtypes and values (not the
    index), dataclasses field by field (so a new field changes it), dicts by sorted key, arrays
    by bytes, scalars by ``repr``; any string in ``masked`` counts as the same placeholder.

    Used as the key of a report on the slice of the evaluation it reads
    (:meth:`zzeval.assess.evaluate.ReportSource.township_slice`)."""
    h = hashlib.sha256()
    _feed(h, obj, frozenset(masked))
    return h.hexdigest()


def field_digests(obj, masked: tuple[str, ...] = ()) -> dict[str, str]:
    """:func:`content_digest` of each field of a dataclass (``{"": digest}`` of anything else):
    the build names the fields whose change made a report stale."""
    if is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: content_digest(getattr(obj, f.name), masked) for f in fields(obj) if f.init}
    return {"": content_digest(obj, masked)}


def _feed(h, obj, masked: frozenset) -> None:
    import numpy as np
    import pandas as pd

    if isinstance(obj, pd.DataFrame):
        h.update(repr([(str(c), str(t)) for c, t in obj.dtypes.items()]).encode())
        if len(obj):
            _feed_columns(h, obj, masked)
    elif isinstance(obj, pd.Series):
        _feed(h, obj.to_frame(), masked)
    elif is_dataclass(obj) and not isinstance(obj, type):
        h.update(f"<{type(obj).__qualname__}>".encode())
        for f in fields(obj):
            if not f.init:  # derived state (a memo), not content
                continue
            h.update(f"{f.name}=".encode())
            _feed(h, getattr(obj, f.name), masked)
    elif isinstance(obj, dict):
        h.update(b"{")
        for key in sorted(obj, key=repr):
            h.update(repr(key).encode() + b":")
            _feed(h, obj[key], masked)
        h.update(b"}")
    elif isinstance(obj, (list, tuple, set, frozenset)):
        items = sorted(obj, key=repr) if isinstance(obj, (set, frozenset)) else obj
        h.update(f"<{type(obj).__name__}{len(items)}>".encode())
        for item in items:
            _feed(h, item, masked)
    elif isinstance(obj, np.ndarray):
        h.update(f"<array {obj.dtype} {obj.shape}>".encode() + np.ascontiguousarray(obj).tobytes())
    elif isinstance(obj, str):
        h.update(b"\0masked" if obj in masked else repr(obj).encode())
    elif obj is None or isinstance(obj, (bool, int, float, complex, bytes, np.generic, Path)):
        h.update(repr(obj).encode())
    elif hasattr(obj, "__dict__"):
        h.update(f"<{type(obj).__qualname__}>".encode())
        _feed(h, vars(obj), masked)
    else:
        h.update(repr(obj).encode())


def _feed_columns(h, frame, masked: frozenset) -> None:
    """A frame's values column by column (not its index): numbers, booleans and times by their
    bytes, anything else (text, nullable and mixed columns, lists of reasons) by the ``repr`` of
    its values, a string in ``masked`` as the same placeholder. Column by column rather than
    ``pandas.util.hash_pandas_object``, whose fixed cost per column (tens of µs) was most
    of a report's planning when its tables hold a few rows (issue 14)."""
    import numpy as np

    for _, column in frame.items():
        values = column.to_numpy()
        if values.dtype != object:
            h.update(f"<{values.dtype}>".encode() + np.ascontiguousarray(values).tobytes())
            continue
        items = values.tolist()
        if masked:
            items = ["\0masked" if isinstance(v, str) and v in masked else v for v in items]
        h.update(repr(items).encode())
