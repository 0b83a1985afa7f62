"""Content hashes for incremental builds (never timestamps).

A township report is rebuilt when one of these changes (:func:`zzeval.build.builder.build_reports`):

* its **own input rows**: the rows of every season table that name the township, and the
  air-quality and station-level meteorology rows of the township's monitoring stations
  (:func:`township_input_digests`);
* the **county-wide inputs**: tables or rows that name no township (county meteorology,
  ``season.yaml``, …);
* its **results**: the township's row of the shared evaluation's summary table, which carries the
  figures that depend on other townships (e.g. the rank in the county);
* the **notebook** (cell sources only: outputs and execution counts do not count),
* the **package code** (every file of ``zzeval/`` except the build machinery itself) and the
  versions of the libraries that render the report;
* the **parameters** (season, language, township, draws, factor file).

The fast path of a rebuild with nothing changed compares one digest over the raw bytes of the
season folder, the notebooks, the code and the parameters, without loading the season.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

#: Modules of the build machinery: changing them does not change a report's content.
#: parts of the package that do not change what a report shows (paths relative to zzeval/)
_MACHINERY = ("build/", "report/index_page.py", "cli.py")

#: Libraries whose version can change what a report looks like.
_RENDER_DISTS = ("nbconvert", "nbformat", "matplotlib", "seaborn", "pandas", "numpy", "statsmodels",
                 "scipy", "jinja2", "ipykernel")

_BUF = 1 << 20


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_json(obj) -> str:
    """Digest of a JSON-serialisable object (keys sorted, so dict order does not matter)."""
    return sha256_bytes(json.dumps(obj, sort_keys=True, ensure_ascii=False, default=str).encode())


def file_sha256(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(_BUF):
            h.update(chunk)
    return h.hexdigest()


def folder_digest(folder: str | Path) -> str:
    """Digest of every non-hidden file under ``folder`` (relative names and contents)."""
    folder = Path(folder)
    h = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        rel = path.relative_to(folder)
        if any(part.startswith(".") for part in rel.parts) or "__pycache__" in rel.parts:
            continue
        h.update(str(rel.as_posix()).encode() + b"\0" + file_sha256(path).encode() + b"\n")
    return h.hexdigest()


def notebook_digest(path: str | Path) -> str:
    """Digest of a notebook's cell types, sources and tags (outputs and counts ignored)."""
    nb = json.loads(Path(path).read_text(encoding="utf-8"))
    cells = [(c.get("cell_type"), "".join(c.get("source", "")) if isinstance(c.get("source"), list)
              else c.get("source", ""), sorted(c.get("metadata", {}).get("tags", [])))
             for c in nb.get("cells", [])]
    return sha256_json(cells)


def code_digest() -> str:
    """Digest of the ``zzeval`` package (code, reference data, templates) and render libraries.

    Not cached: a long-lived process (a scheduler's worker) must see code that changed under it.
    """
    from importlib.metadata import PackageNotFoundError, version

    root = Path(__file__).resolve().parents[1]
    h = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if (not path.is_file() or rel.as_posix().startswith(_MACHINERY) or "__pycache__" in rel.parts
                or path.suffix in (".pyc", ".tmp") or any(p.startswith(".") for p in rel.parts)):
            continue
        h.update(rel.as_posix().encode() + b"\0" + file_sha256(path).encode() + b"\n")
    for dist in _RENDER_DISTS:
        try:
            h.update(f"{dist}=={version(dist)}\n".encode())
        except PackageNotFoundError:
            h.update(f"{dist}==none\n".encode())
    return h.hexdigest()


def _frame_digest(frame) -> str:
    """Digest of a DataFrame's values and column names (row order kept)."""
    import pandas as pd

    if frame is None or len(frame) == 0:
        return sha256_json(list(frame.columns) if frame is not None else [])
    hashed = pd.util.hash_pandas_object(frame, index=False).to_numpy()
    return sha256_bytes(",".join(map(str, frame.columns)).encode() + hashed.tobytes())


def _grouped_digests(frame, keys) -> dict[str, str]:
    """Digest of the rows of ``frame`` per value of the Series ``keys``."""
    import pandas as pd

    if frame is None or len(frame) == 0:
        return {}
    hashed = pd.util.hash_pandas_object(frame, index=False).to_numpy()
    out = {}
    header = ",".join(map(str, frame.columns)).encode()
    for key, positions in pd.Series(range(len(frame)), index=keys.to_numpy()).groupby(level=0):
        out[str(key)] = sha256_bytes(header + hashed[positions.to_numpy()].tobytes())
    return out


def township_input_digests(season) -> tuple[dict[str, dict[str, str]], dict[str, str]]:
    """Per-township and county-wide digests of a loaded season.

    Parameters
    ----------
    season : zzeval.season.data.SeasonData

    Returns
    -------
    (per_township, shared)
        ``per_township[slug][table]`` is the digest of the township's rows of that table (absent
        when it has none); ``shared[table]`` the digest of rows that name no township, plus
        ``season.yaml``.
    """
    from zzeval.season.schema import TABLES

    slugs = [str(s) for s in season.slugs]
    per: dict[str, dict[str, str]] = {s: {} for s in slugs}
    shared: dict[str, str] = {}
    stations = season.stations
    station_town = dict(zip(stations["station_code"].astype(str), stations["township"].astype(str),
                            strict=False))
    for name, spec in TABLES.items():
        frame = season.table(name)
        if frame is None:
            continue
        if name == "townships":
            keys = frame["slug"].astype(str)
        elif spec.township_column and spec.township_column in frame.columns:
            keys = frame[spec.township_column].astype(str)
        elif "station_code" in frame.columns:
            keys = frame["station_code"].astype(str).map(lambda c: station_town.get(c, ""))
        else:
            shared[name] = _frame_digest(frame)
            continue
        groups = _grouped_digests(frame, keys)
        for slug in slugs:
            if slug in groups:
                per[slug][name] = groups[slug]
        rest = {k: v for k, v in groups.items() if k not in per}
        if rest:
            shared[name] = sha256_json(rest)
    if "season.yaml" in season.file_hashes:
        shared["season.yaml"] = season.file_hashes["season.yaml"]
    return per, shared


def results_digests(evaluation, lang: str = "zh") -> dict[str, str]:
    """Per-township digest of the shared evaluation's results.

    Uses ``evaluation.township_digest(slug)`` when the evaluation offers it, else the township's
    row of ``evaluation.summary_table()``. Empty when the evaluation offers neither.
    """
    table = _summary_table(evaluation, lang)
    col = township_key_column(table)
    if col is None:
        return {}
    out = {}
    custom = getattr(evaluation, "township_digest", None)
    for _, row in table.iterrows():
        slug = str(row[col])
        if callable(custom):
            out[slug] = str(custom(slug))
        else:
            out[slug] = sha256_json({k: _plain(v) for k, v in row.items()})
    return out


def _summary_table(evaluation, lang: str = "zh"):
    """``evaluation.summary_table(lang=...)`` (or without ``lang``), None when it has none."""
    fn = getattr(evaluation, "summary_table", None)
    if not callable(fn):
        return None
    try:
        return fn(lang=lang)
    except TypeError:
        return fn()


def township_key_column(table) -> str | None:
    """The column of a summary table that holds the township slug (``township`` or ``slug``)."""
    if table is None:
        return None
    for col in ("township", "slug"):
        if col in table.columns:
            return col
    return None


def _plain(value):
    try:
        import numpy as np

        if isinstance(value, np.generic):
            value = value.item()
    except ImportError:  # pragma: no cover
        pass
    if isinstance(value, float) and value != value:
        return None
    return value if isinstance(value, (int, float, str, bool, type(None))) else str(value)
