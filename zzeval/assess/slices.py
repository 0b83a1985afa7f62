"""A township report's slice of the evaluation, in two parts, so that planning a province's reports
grows with the number of townships, not with its square.

A township page shows of *every* township the :data:`~zzeval.assess.evaluate.SHARED_COLUMNS`
(names in the ranking chart, the ranked indicators, the weather models' skill). Carried in each
township's slice, those columns made every slice as long as the province: slicing, keying and
saving one report cost O(N), all of them O(N²) (0.19 s of CPU per township at 1,000). Split:

* the **shared part** (:func:`shared_part`): those columns of every township, taken, digested and
  saved once per build, the same for every township page;
* the **township part** (:meth:`~zzeval.assess.evaluate.Evaluation.township_part`): the township's
  own rows of every table (the shared tables too) and the county-level tables, with a
  :class:`SharedRef` naming the shared part's file and where the township's rows sit in it.

:meth:`~zzeval.assess.evaluate.Evaluation.load` joins the two (:func:`join_shared`) into exactly
the slice :meth:`~zzeval.assess.evaluate.Evaluation.township_slice` gives: the notebook reads the
same values, so the page is the same. A report is keyed on both parts' digests, so a change in
another township's shared columns still re-keys every township page (each shows it).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

#: how the shared part's file is named next to the township parts (``shared-<digest>.pkl``)
SHARED_PREFIX = "shared-"


@dataclass
class SharedRef:
    """Where a township part's shared tables are completed from: the shared part's file name (in
    the township part's folder) and, per shared table, the row positions of the township's own
    rows in the whole table."""

    file: str
    positions: dict[str, np.ndarray]


@dataclass
class SharedPart:
    """The :data:`~zzeval.assess.evaluate.SHARED_COLUMNS` of every township, one frame per table
    (every row, in the evaluation's order and index; only the shared columns)."""

    tables: dict[str, pd.DataFrame]


def shared_part(evaluation, shared: dict[str, tuple[str, ...]]) -> SharedPart:
    """The shared columns of each table of ``evaluation`` named in ``shared`` (every row)."""
    tables = {}
    for name, columns in shared.items():
        frame = getattr(evaluation, name, None)
        if isinstance(frame, pd.DataFrame):
            tables[name] = frame[[c for c in frame.columns if c in columns]]
    return SharedPart(tables)


def shared_file(digest: str) -> str:
    """The shared part's file name for its content digest."""
    return f"{SHARED_PREFIX}{digest[:20]}.pkl"


def join_table(own: pd.DataFrame, whole: pd.DataFrame, positions: np.ndarray) -> pd.DataFrame:
    """The table as a township's whole slice holds it: every row of ``whole`` (the shared columns
    of every township), the other columns only in the township's own rows (``own``, at
    ``positions``), empty elsewhere; integers and booleans nullable, as
    :func:`zzeval.assess.evaluate._township_rows` leaves them."""
    n = len(whole)
    columns = {}
    for column in own.columns:
        if column in whole.columns:
            columns[column] = whole[column]
            continue
        values = own[column]
        kind = values.dtype.kind
        if kind in "iub":
            values = values.astype({"i": "Int64", "u": "Int64", "b": "boolean"}[kind])
        spread = pd.Series(values.array, index=positions).reindex(np.arange(n))
        columns[column] = spread.set_axis(whole.index)
    return pd.DataFrame(columns, index=whole.index, columns=own.columns)


def join_shared(part, folder) -> None:
    """Complete a township part read from ``folder`` in place with its shared part (the file its
    :class:`SharedRef` names), into the township's whole slice."""
    import pickle
    from pathlib import Path

    from zzeval.errors import EvaluationError

    ref = part.__dict__.pop("_shared")
    path = Path(folder) / ref.file
    try:
        shared = pickle.loads(path.read_bytes())
    except OSError as exc:
        raise EvaluationError(f"cannot read the shared part of the evaluation {path}: "
                              f"{exc.strerror or exc}; build again to write it anew") from exc
    for name, positions in ref.positions.items():
        setattr(part, name, join_table(getattr(part, name), shared.tables[name], positions))


def township_part(evaluation, slug: str, shared_file: str, shared_columns: dict):
    """The township part of :meth:`~zzeval.assess.evaluate.Evaluation.township_part`: its
    ``township_slice`` without the other townships' rows of the ``shared_columns`` tables, and a
    :class:`SharedRef` to ``shared_file`` with where the township's rows sit in the whole tables."""
    cut = evaluation.township_slice(slug, shared={})
    index = evaluation.__dict__["_slice_index"]  # filled by township_slice: rows by township
    positions = {name: index[id(frame)][1].get(slug, np.zeros(0, dtype=np.intp))
                 for name in shared_columns if id(frame := getattr(evaluation, name)) in index}
    cut.__dict__["_shared"] = SharedRef(shared_file, positions)
    return cut


def not_held(slug: str, slugs, held) -> str:
    """Why an evaluation has no row for ``slug``: not a township of the season (``slugs``), or an
    evaluation sliced to other townships (``held``: a build's file of one township, passed as
    ``results_path`` with another ``township``; hostile review 6, finding 6: "unknown township
    'xiacun'; known: …, xiacun, …")."""
    held = [str(s) for s in held]
    if slug not in set(slugs) or not held:
        return f"unknown township {slug!r}; known: {', '.join(map(str, slugs))}"
    return (f"this evaluation holds the results of {', '.join(held[:5])} only (a build's file for one township), "
            f"not of {slug!r}: pass the results file of {slug} (results/{slug}.pkl beside it) as results_path, "
            "or leave results_path empty to evaluate the season here")


def check_same_data(evaluation, data_dir, path) -> None:
    """Refuse an evaluation made from other data than ``data_dir``'s files (its recorded data hash,
    :func:`zzeval.season.loading.data_fingerprint`): a notebook run with the ``results_path`` of one
    folder and the ``data_dir`` of another showed the first one's numbers without a word (hostile
    review 9B, F3; e.g. last week's evaluation after the data were corrected)."""
    from zzeval.errors import InputError
    from zzeval.season.loading import data_fingerprint, folder_file_hashes

    recorded = evaluation.provenance.get("data_sha256")
    if not recorded or not data_dir:
        return
    now = folder_file_hashes(data_dir)
    if data_fingerprint(now) == recorded:
        return
    kept = evaluation.provenance.get("file_sha256") or {}
    differ = sorted(n for n in set(kept) | set(now) if kept.get(n) != now.get(n)) if kept else []
    which = f" ({', '.join(differ[:5])}{' …' if len(differ) > 5 else ''} differ)" if differ else ""
    raise InputError(f"results_path {path} was evaluated from other data than the files now in data_dir "
                     f"{data_dir}{which} (data hash {recorded[:16]}, the folder's {data_fingerprint(now)[:16]}): "
                     f"the report would show that data's numbers; pass the evaluation a build made from "
                     f"{data_dir} (zzeval build --data {data_dir}), or leave results_path empty to evaluate "
                     "the season here")


def load_results(path, season: str, for_county: bool = False, data_dir=None):
    """The :class:`~zzeval.assess.evaluate.Evaluation` a build saved at ``path`` for a notebook,
    refused when it is of another season or (``data_dir`` given) of other data (:func:`check_same_data`),
    or (``for_county``) a township's slice, which lacks what
    only the county report reads (:data:`~zzeval.assess.evaluate.COUNTY_ONLY`): the county notebook
    given ``.cache/results/<township>.pkl`` failed deep inside with "cannot convert float NaN to
    bool" (hostile review 8B, B4)."""
    from pathlib import Path

    from zzeval.assess.evaluate import Evaluation
    from zzeval.errors import EvaluationError, InputError

    evaluation = Evaluation.load(path)
    if evaluation.season_name != season:
        raise InputError(f"{path} holds season {evaluation.season_name}, not {season}")
    check_same_data(evaluation, data_dir, path)
    draws = getattr(evaluation.emissions, "draws", None)
    held = sorted({str(t) for table in evaluation.verdicts.values() for t in table["township"]})
    if for_county and ((isinstance(draws, dict) and set(draws) == {"n"}) or len(held) < len(evaluation.slugs)):
        which = f"township {held[0]}" if len(held) == 1 else f"{len(held)} of the season's townships"
        raise EvaluationError(f"results_path {path} holds the slice of {which} made for a township report; "
                              f"the county report needs the whole season's evaluation, "
                              f"{Path(path).parent / 'county.pkl'} (a build's .cache/results/county.pkl), "
                              "or leave results_path empty to evaluate the season here")
    return evaluation
