"""The heating baseline of plan § 六 (the optional ``clean_before_*`` columns of ``townships``): with the season's
retrofits it gives the clean-heating coverage, so a kind left empty or missing is not 0."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from zzeval.season.schema import TOWNSHIPS

if TYPE_CHECKING:
    from zzeval.season.checks import Collector


def check_heating_baseline(tw: pd.DataFrame | None, f: str, out: Collector) -> None:
    """The optional ``clean_before_*`` households (plan § 六 baseline) add up to no more than the township's
    households: more would give a clean-heating coverage over 100 %."""
    columns = [c for c in ("clean_before_electricity", "clean_before_gas", "clean_before_district")
               if tw is not None and c in tw]
    if not columns:
        return
    # empty is not 0: a baseline row with some kinds filled and others empty (the gas company's figure not
    # yet in, or one value merged over two townships' rows) would be summed as if the empty kind were 0 and
    # publish a coverage far too low (hostile review s13-hostA C29a: 68 % for 99 %). A row with all kinds
    # empty is a township without a baseline (coverage 无数据, data/README.md).
    absent = [c for c in columns if (f, c) in out.absent_columns]
    if absent and len(absent) < len(columns):
        _baseline_column_absent(tw, f, columns, absent, out)
        return
    filled = tw[columns].notna()
    partial = filled.any(axis=1) & ~filled.all(axis=1) & out.readable(f, tw.index)
    for c in columns:
        out.rows(f, c, partial & ~filled[c],
                 lambda i, c=c: f"empty cell while the township's other clean_before_* cells are filled: an empty "
                                f"cell is not 0 (the clean-heating coverage would count these households as not "
                                f"heated cleanly); write the households heated by this kind before the season, 0 if "
                                f"none (a merged cell? unmerge it and fill in every row), or leave all "
                                f"{len(columns)} clean_before_* cells of the township empty (coverage 无数据)")
    baseline = tw[columns].sum(axis=1, min_count=1)
    out.rows(f, columns[0], baseline > tw["households"],
             lambda i: f"the households heated cleanly before the season ({' + '.join(columns)} = {baseline[i]:g}) "
                       f"exceed the township's {tw['households'][i]:g} households; check the numbers")


def _baseline_column_absent(tw: pd.DataFrame, f: str, columns: list[str], absent: list[str], out: Collector) -> None:
    """Some clean_before_* columns in the file, others not: one line naming the column missing, not an "empty
    cell … a merged cell?" on every row (hostile review s14-hostA, N05). A header not recognised already has its
    own "unknown column …: did you mean" problem (N06): nothing more is said."""
    unnamed = [c for c in absent if not any(p.file == f and f"did you mean '{c}'" in p.message for p in out.problems)]
    present = [c for c in columns if c not in absent]
    for c in unnamed:
        spec = TOWNSHIPS.column(c)
        aka = f" ({spec.aliases[0]})" if spec.aliases else ""
        out.add(f, None, c, f"{f} has {' and '.join(present)} but no column {c}{aka}: the heating baseline "
                            f"needs all {len(columns)} clean_before_* columns (an empty or missing kind is not 0); "
                            f"add the column with each township's households heated by this kind before the season, "
                            f"0 where none, or remove the other clean_before_* columns (coverage 无数据)")
