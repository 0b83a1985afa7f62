"""Reference factors and activity assumptions for the emission-reduction estimates.

The factors are data, not code: ``zzeval/reference/emission_factors.csv`` (emission
factors: g/kg coal, g/m³ gas, g/kWh electricity, g/km vehicles, g/kg locomotive fuel, …)
and ``zzeval/reference/activity_assumptions.csv`` (coal per household, annual km, payload,
shares, …). Every row has a key (``group``, ``item``, ``pollutant``; ``pollutant`` is ``-``
for a parameter that is not pollutant-specific), a ``central`` value, a ``low`` and
``high`` bound, a ``distribution`` (``split_triangular``, ``triangular``, ``uniform`` or
``fixed``), a ``unit``, its provenance (``basis``, ``citation``) and a plain description for
the report appendix (``item_zh``/``item_en``, ``note_zh``/``note_en``). ``basis`` is one of
(see :data:`BASIS_LABELS` and ``zzeval/reference/README.md``):

* ``measured`` (实测) — a measurement of this quantity, read in the cited study;
* ``guideline`` (技术指南) — an official guideline or standard table that was read;
* ``literature`` (文献) — taken or derived from published values that were read;
* ``assumption`` (假设值) — no source could be read; honest, wide range;
* ``convention`` (约定) — a setting of the calculation (reference class, heating dates);
* ``override`` (用户覆盖) — an analyst's override (set by :func:`load_factors`).

``source`` is kept in :attr:`FactorTable.frame` as a copy of ``citation`` for older callers. An analyst overrides factors with her own CSV file (same columns; ``group``, ``item``,
``pollutant``, ``central`` and ``unit`` required) without editing the package::

    from zzeval.emissions.factors import load_factors
    table = load_factors("my_factors.csv")

Monte Carlo samples are drawn by :func:`sample_factors` with Latin hypercube sampling (McKay, Beckman &
Conover 1979, *Technometrics* 21:239) from the distribution of each ranged row; each factor has its own
random stream derived from the seed and its key, so changing one factor leaves the others' draws unchanged.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from zzeval.errors import FactorError, Problem
from zzeval.pathnames import readable
from zzeval.resources import input_limit

#: Shipped reference files, loaded in this order into one table.
REFERENCE_FILES = ("emission_factors.csv", "activity_assumptions.csv")

KEY_COLUMNS = ("group", "item", "pollutant")
COLUMNS = (
    "group", "item", "pollutant", "central", "low", "high", "distribution", "unit",
    "basis", "item_zh", "item_en", "citation", "note_zh", "note_en",
)
#: Columns every shipped row must fill (besides the numbers).
TEXT_COLUMNS = ("basis", "item_zh", "item_en", "citation", "note_zh", "note_en")
#: Columns an override file may carry besides :data:`COLUMNS` (older files: ``source``,
#: read as ``citation``; ``quality``, ignored).
LEGACY_OVERRIDE_COLUMNS = ("source", "quality")
DISTRIBUTIONS = ("split_triangular", "triangular", "uniform", "fixed")
#: ``basis`` values with their reader-facing labels (zh, en).
BASIS_LABELS = {
    "measured": ("实测", "measured"),
    "guideline": ("技术指南", "guideline"),
    "literature": ("文献", "literature"),
    "assumption": ("假设值", "assumption"),
    "convention": ("约定", "convention"),
    "override": ("用户覆盖", "analyst override"),
}
#: ``basis`` values allowed in the shipped files (``override`` is set only by overrides).
SHIPPED_BASES = ("measured", "guideline", "literature", "assumption", "convention")
#: An ``assumption`` row's range must reach this far from ``central`` on each side (as a
#: fraction of ``central``), or to the physical limit (0; 1 for fractions; 1 below for a
#: PM10/PM2.5 ratio). See ``zzeval/reference/README.md``.
ASSUMPTION_MIN_HALF_WIDTH = 0.5
#: Physical and chemical properties of fuels, which composition bounds tightly: an
#: assumption here needs only :data:`PHYSICAL_MIN_HALF_WIDTH`.
PHYSICAL_PROPERTY_KEYS = (
    "coal_carbon/", "coal_oxidation/", "fuel/diesel/density", "fuel/gasoline/density",
    "fuel/diesel/CO2", "fuel/gasoline/CO2", "fuel/gas/CO2", "natural_gas/household_boiler/CO2",
    "rail_diesel/locomotive/CO2",
)
PHYSICAL_MIN_HALF_WIDTH = 0.05
#: Text a reader must never see in a citation or note (working notes, file or machine paths).
FORBIDDEN_TEXT = re.compile(
    r"from memory|FACTS|re-checked|widened|\[[VLA]\]|§|zzeval/|/work/|/home/|/tmp/|"
    r"\.(?:py|csv|md|yaml|ipynb)\b|[A-Za-z]:\\", re.IGNORECASE)
#: Units whose values must lie in [0, 1].
FRACTION_UNITS = ("fraction",)
#: ``pollutant`` value of a parameter that is not pollutant-specific.
NO_POLLUTANT = "-"


def make_key(group: str, item: str, pollutant: str = NO_POLLUTANT) -> str:
    """The string key ``group/item/pollutant`` of a factor row."""
    return f"{group}/{item}/{pollutant or NO_POLLUTANT}"


def normalize_key(key: str | tuple) -> str:
    """Accept ``"g/i/p"``, ``"g/i"`` (no pollutant) or a tuple; return ``"g/i/p"``."""
    if isinstance(key, tuple):
        parts = [str(x) for x in key]
    else:
        parts = str(key).split("/")
    if len(parts) == 2:
        parts.append(NO_POLLUTANT)
    if len(parts) != 3 or not all(parts):
        raise KeyError(f"factor key must be 'group/item/pollutant' or 'group/item', got {key!r}")
    return "/".join(p.strip() for p in parts)


@dataclass
class FactorTable:
    """The factor table in use: shipped reference rows with any overrides applied.

    ``frame`` has the columns of :data:`COLUMNS` plus ``key`` (``group/item/pollutant``),
    ``file`` (where the row came from) and ``overridden`` (bool). Index: ``key``.
    """

    frame: pd.DataFrame
    files: tuple[str, ...] = ()
    overrides: tuple[str, ...] = field(default_factory=tuple)

    @property
    def source(self) -> str:
        """Where the table came from: the shipped files and any override files."""
        parts = list(self.files) + [f"override {o}" for o in self.overrides]
        return " + ".join(parts)

    # -- lookup -------------------------------------------------------------------------
    def __contains__(self, key: object) -> bool:
        try:
            return normalize_key(key) in self.frame.index  # type: ignore[arg-type]
        except KeyError:
            return False

    def __len__(self) -> int:
        return len(self.frame)

    @property
    def keys(self) -> list[str]:
        return list(self.frame.index)

    def row(self, key: str | tuple) -> pd.Series:
        """The row of ``key``; KeyError listing close keys otherwise."""
        k = normalize_key(key)
        if k not in self.frame.index:
            group = k.split("/")[0]
            near = [x for x in self.frame.index if x.startswith(group + "/")][:10]
            raise KeyError(f"unknown factor {k!r}" + (f"; keys of group {group!r}: {near}" if near else ""))
        return self.frame.loc[k]

    def central(self, key: str | tuple) -> float:
        """Central value of ``key`` in its unit (see :meth:`unit`)."""
        return float(self.row(key)["central"])

    def unit(self, key: str | tuple) -> str:
        return str(self.row(key)["unit"])

    def is_ranged(self, key: str) -> bool:
        r = self.row(key)
        return r["distribution"] != "fixed" and float(r["high"]) > float(r["low"])

    # -- display ------------------------------------------------------------------------
    def to_frame(self) -> pd.DataFrame:
        """The table for display (what ``zzeval factors`` prints), one row per factor."""
        cols = [*COLUMNS, "source", "overridden", "file"]
        return self.frame.reset_index(drop=True)[cols].copy()

    def subset(self, keys) -> pd.DataFrame:
        """Rows of ``keys`` (in table order) for display, e.g. the factors a result used."""
        keys = set(keys)
        out = self.to_frame()
        mask = [k in keys for k in self.frame.index]
        return out[mask].reset_index(drop=True)

    # -- modified copies ---------------------------------------------------------------
    def with_values(self, values: dict, origin: str = "what-if") -> FactorTable:
        """A copy with some rows changed.

        ``values`` maps a key to a number (new central; the range keeps its relative
        width, see :func:`apply_overrides`) or to a dict with any of ``central``, ``low``,
        ``high``, ``distribution``. Validation is the same as for an override file.
        """
        rows = []
        for key, v in values.items():
            k = normalize_key(key)
            g, i, p = k.split("/")
            row = {"group": g, "item": i, "pollutant": p}
            if isinstance(v, dict):
                row.update(v)
            else:
                row["central"] = v
            row.setdefault("unit", self.unit(k) if k in self else "")
            rows.append(row)
        return apply_overrides(self, pd.DataFrame(rows), origin)

    def narrowed(self, key: str, fraction: float) -> FactorTable:
        """A copy with the range of ``key`` shrunk around its central value by ``fraction``
        (0 → unchanged, 1 → fixed at central)."""
        r = self.row(key)
        c = float(r["central"])
        lo = c - (c - float(r["low"])) * (1 - fraction)
        hi = c + (float(r["high"]) - c) * (1 - fraction)
        return self.with_values({key: {"central": c, "low": lo, "high": hi}}, origin="narrowed")


# -- loading and validation -------------------------------------------------------------
def _read_csv(path: Path | str, label: str) -> pd.DataFrame:
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except FileNotFoundError as exc:
        raise FactorError(f"{label}: file not found") from exc
    except (UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise FactorError(f"{label}: cannot be read as a UTF-8 CSV file ({exc})") from exc
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    for c in frame.columns:
        frame[c] = frame[c].astype(str).str.strip()
    return frame


#: The header row an analyst's factor file needs (:func:`apply_overrides`).
OVERRIDE_HEADER = ("group,item,pollutant,central,unit (optional: low,high,distribution,citation,note_zh,"
                   "note_en)")


def _read_override(path: Path) -> pd.DataFrame:
    """An analyst's factor file, read as a season's table is read
    (:func:`zzeval.season.tablefile.read_table_file`: UTF-8, UTF-8 with BOM or GBK, the whole file in
    one encoding; separated by commas; or an ``.xlsx`` workbook); a :class:`FactorError` naming the
    file, the row and the header it needs otherwise."""
    from zzeval.errors import DataValidationError
    from zzeval.season.tablefile import read_table_file

    if not path.exists() or path.is_dir():
        raise FactorError(f"{path}: " + ("is a folder; give the factor file" if path.exists() else "file not found"))
    if path.is_file() and not path.read_bytes().removeprefix(b"\xef\xbb\xbf").strip():
        raise FactorError(f"{path}: the factor file is empty; it needs the header row {OVERRIDE_HEADER} "
                          "and one row per factor to override (`zzeval factors` prints the keys)")
    try:
        return read_table_file(path)
    except DataValidationError as exc:
        why = "; ".join(f"row {p.row}: {p.message}" if p.row else p.message for p in exc.problems)
        raise FactorError(f"{path}: {why} (a factor file needs the header {OVERRIDE_HEADER})") from exc


def _to_float(text: str) -> float | None:
    if text is None or str(text).strip() == "":
        return None
    return float(text)


def _validate_reference(frame: pd.DataFrame, label: str) -> pd.DataFrame:
    """Check a shipped reference file; return it with numeric columns."""
    problems: list[Problem] = []
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        raise FactorError(f"{label}: missing column(s) {missing}; expected {list(COLUMNS)}")
    out = frame[list(COLUMNS)].copy()
    nums = {c: [] for c in ("central", "low", "high")}
    for pos, rec in enumerate(out.to_dict("records")):
        rowno = pos + 2
        vals = {}
        for c in ("central", "low", "high"):
            try:
                vals[c] = _to_float(rec[c])
            except ValueError:
                problems.append(Problem(label, rowno, c, f"not a number: {rec[c]!r}"))
                vals[c] = None
            nums[c].append(vals[c])
        problems += _check_row(rec, vals, label, rowno)
        problems += _check_provenance(rec, vals, label, rowno)
        for col in TEXT_COLUMNS:
            if not rec[col]:
                problems.append(Problem(label, rowno, col, "must not be empty"))
        if rec["basis"] and rec["basis"] not in SHIPPED_BASES:
            problems.append(Problem(label, rowno, "basis", f"must be one of {SHIPPED_BASES}"))
    if problems:
        raise FactorError(_format(problems, label))
    for c, v in nums.items():
        out[c] = np.asarray(v, dtype=float)
    out["source"] = out["citation"]
    return out


def _check_row(rec: dict, vals: dict, label: str, rowno: int) -> list[Problem]:
    problems = []
    c, lo, hi = vals["central"], vals["low"], vals["high"]
    for name, v in (("central", c), ("low", lo), ("high", hi)):
        if v is None:
            if name == "central":
                problems.append(Problem(label, rowno, name, "a value is required"))
            continue
        if not np.isfinite(v):
            problems.append(Problem(label, rowno, name, f"not a finite number: {v}"))
        elif v < 0:
            problems.append(Problem(label, rowno, name, f"negative value {v}; factors must be ≥ 0"))
        elif rec.get("unit") in FRACTION_UNITS and v > 1:
            problems.append(Problem(label, rowno, name,
                                    f"{v} is not a fraction; unit 'fraction' needs a value in [0, 1]"))
    if c is not None and lo is not None and hi is not None and not lo <= c <= hi:
        problems.append(Problem(label, rowno, "central",
                                f"need low ≤ central ≤ high, got {lo} ≤ {c} ≤ {hi}"))
    dist = rec.get("distribution", "")
    if dist and dist not in DISTRIBUTIONS:
        problems.append(Problem(label, rowno, "distribution",
                                f"unknown distribution {dist!r}; use one of {DISTRIBUTIONS}"))
    return problems


def _check_provenance(rec: dict, vals: dict, label: str, rowno: int) -> list[Problem]:
    """Shipped rows: no working notes or paths in the reader-facing text, and an
    ``assumption`` row carries an honestly wide range (see :data:`ASSUMPTION_MIN_HALF_WIDTH`)."""
    problems = []
    for col in ("citation", "note_zh", "note_en", "item_zh", "item_en"):
        hit = FORBIDDEN_TEXT.search(rec.get(col, ""))
        if hit:
            problems.append(Problem(label, rowno, col, f"{hit.group(0)!r} must not appear in text a reader sees"))
    c, lo, hi = vals["central"], vals["low"], vals["high"]
    if rec.get("basis") != "assumption" or None in (c, lo, hi) or c <= 0:
        return problems
    key = make_key(rec["group"], rec["item"], rec["pollutant"])
    half = PHYSICAL_MIN_HALF_WIDTH if key.startswith(PHYSICAL_PROPERTY_KEYS) else ASSUMPTION_MIN_HALF_WIDTH
    floor = 1.0 if rec["pollutant"] == "PM10_per_PM2.5" else 0.0
    ceiling = 1.0 if rec.get("unit") in FRACTION_UNITS else np.inf
    need_lo, need_hi = max(c * (1 - half), floor), min(c * (1 + half), ceiling)
    if lo > need_lo + 1e-12 or hi < need_hi - 1e-12:
        problems.append(Problem(label, rowno, "low", f"an assumption needs a range of at least "
                                f"{need_lo:g}–{need_hi:g} (±{half:.0%} or to the physical limit), got {lo:g}–{hi:g}"))
    return problems


def _format(problems: list[Problem], label: str) -> str:
    n = len(problems)
    lines = [f"{n} problem{'s' if n != 1 else ''} in factor file {label}:"]
    lines += [f"  - {p}" for p in problems[:100]]
    return "\n".join(lines)


def _shipped_frame() -> tuple[pd.DataFrame, tuple[str, ...]]:
    parts, files = [], []
    base = resources.files("zzeval") / "reference"
    for name in REFERENCE_FILES:
        ref = base / name
        with resources.as_file(ref) as path:
            frame = _validate_reference(_read_csv(path, f"zzeval/reference/{name}"),
                                        f"zzeval/reference/{name}")
        frame["file"] = f"zzeval/reference/{name}"
        parts.append(frame)
        files.append(f"zzeval/reference/{name}")
    frame = pd.concat(parts, ignore_index=True)
    frame["key"] = [make_key(g, i, p) for g, i, p in zip(frame["group"], frame["item"],
                                                           frame["pollutant"], strict=True)]
    dup = frame[frame["key"].duplicated(keep=False)]
    if not dup.empty:
        raise FactorError(f"duplicate factor keys in the reference files: {sorted(set(dup['key']))}")
    frame["overridden"] = False
    return frame.set_index("key", drop=False).rename_axis(None), tuple(files)


def apply_overrides(table: FactorTable, override: pd.DataFrame, label: str) -> FactorTable:
    """Replace rows of ``table`` with the rows of ``override`` (matched on the key).

    Rules (each violation is reported as file, row, column):

    * ``group``, ``item``, ``pollutant``, ``central`` and ``unit`` are required; the key
      must exist in the shipped table (an override cannot add a factor);
    * ``unit`` must equal the shipped unit exactly (no silent conversion);
    * values must be finite and ≥ 0, fractions ≤ 1, and ``low ≤ central ≤ high``;
    * blank ``low``/``high`` keep the shipped range's relative width
      (``low_new = central_new × low_old / central_old``; the absolute offsets if the
      shipped central is 0); blank ``distribution`` keeps the shipped one; ``basis``
      becomes ``override``; blank ``citation`` (or, in older files, ``source``) becomes
      "analyst override (<file>)"; blank notes say that the analyst set the value.
    """
    frame = _override_frame(override, label)
    problems: list[Problem] = []
    new = table.frame.copy()
    seen: dict[str, int] = {}
    rows = frame.index if pd.api.types.is_integer_dtype(frame.index) else range(len(frame))
    for pos, rec in zip(rows, frame.to_dict("records"), strict=True):  # blank rows dropped: the label stays
        problems += _override_row(new, rec, int(pos) + 2, seen, label)
    if problems:
        raise FactorError(_format(problems, label))
    return FactorTable(new, table.files, (*table.overrides, label))


def _override_frame(override: pd.DataFrame, label: str) -> pd.DataFrame:
    """The override table as stripped text, with its columns checked."""
    frame = override.copy()
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    if twice := sorted({c for c in frame.columns if list(frame.columns).count(c) > 1}):
        raise FactorError(f"{label}: column(s) {twice} given twice in the header; keep one of each")
    frame = frame.astype(object).where(frame.notna(), "")
    for c in frame.columns:
        frame[c] = [str(v).strip() for v in frame[c]]
    required = ("group", "item", "pollutant", "central", "unit")
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise FactorError(f"{label}: missing column(s) {missing}; an override file needs "
                          f"{list(required)} (optional: low, high, distribution, citation, note_zh, note_en)")
    unknown_cols = [c for c in frame.columns if c not in COLUMNS and c not in LEGACY_OVERRIDE_COLUMNS]
    if unknown_cols:
        raise FactorError(f"{label}: unknown column(s) {unknown_cols}; allowed: {list(COLUMNS)}")
    return frame


def _unknown_key(new: pd.DataFrame, rec: dict, key: str, rowno: int, label: str) -> Problem:
    """An override row's unknown key, named in the wrong cell: ``pollutant`` when its group and item are
    known (``pm2.5`` for ``PM2.5``: hostile review s12-B, 6), else ``item`` when its group is, else ``group``."""
    known = list(dict.fromkeys(new.loc[(new["group"] == rec["group"]) & (new["item"] == rec["item"]), "pollutant"]))
    if known:
        near = [p for p in known if p.casefold() == str(rec["pollutant"]).casefold()]
        return Problem(label, rowno, "pollutant", f"unknown pollutant {rec['pollutant']!r} of {rec['group']}/"
                       f"{rec['item']}" + (f" (did you mean {near[0]!r}?)" if near else "") + f"; its pollutants: {known}")
    near = [k for k in new.index if k.startswith(rec["group"] + "/")][:8]
    hint = f"; keys of group {rec['group']!r}: {near}" if near else f"; known groups: {sorted(set(new['group']))}"
    return Problem(label, rowno, "item" if near else "group", f"unknown factor key {key!r} (group/item/pollutant){hint}")


def _override_row(new: pd.DataFrame, rec: dict, rowno: int, seen: dict[str, int],
                  label: str) -> list[Problem]:
    """Apply one override row to ``new`` in place; the problems of the row (then unchanged)."""
    key = make_key(rec["group"], rec["item"], rec["pollutant"])
    if key in seen:
        return [Problem(label, rowno, "group",
                        f"factor {key!r} is overridden twice (also row {seen[key]})")]
    seen[key] = rowno
    if key not in new.index:
        return [_unknown_key(new, rec, key, rowno, label)]
    old = new.loc[key]
    if rec["unit"] != old["unit"]:
        return [Problem(label, rowno, "unit",
                        f"unit {rec['unit']!r} does not match {old['unit']!r} of {key}; "
                        f"convert the value to {old['unit']}")]
    vals, problems = {}, []
    for c in ("central", "low", "high"):
        try:
            vals[c] = _to_float(rec.get(c, ""))
        except ValueError:
            problems.append(Problem(label, rowno, c, f"not a number: {rec.get(c)!r}"))
    if problems:
        return problems
    _fill_range(vals, old)
    rec = {**rec, "unit": old["unit"]}
    problems = _check_row(rec, vals, label, rowno) or _check_scale(vals, old, key, label, rowno)
    if problems:
        return problems
    dist = rec.get("distribution") or old["distribution"]
    if vals["low"] == vals["high"]:
        dist = "fixed"
    elif dist == "fixed":
        dist = "triangular"
    new.loc[key, ["central", "low", "high"]] = [vals["central"], vals["low"], vals["high"]]
    new.loc[key, "distribution"] = dist
    _mark_override(new, key, rec, label)
    new.loc[key, "file"] = label
    new.loc[key, "overridden"] = True
    return []


def _check_scale(vals: dict, old: pd.Series, key: str, label: str, rowno: int) -> list[Problem]:
    """An override far above the shipped range (``factors.override_over_shipped_high`` times its high
    end, ``zzeval/reference/input_limits.csv``) is refused: a slip of unit or decimal point, which would
    move every estimate by as much (1e308 g/kg overflowed to empty results without a word)."""
    high, unit = float(old["high"]), old["unit"]
    most = input_limit("factors.override_over_shipped_high")
    for column in ("central", "high", "low"):
        value = vals[column]
        if high > 0 and value is not None and value > most * high:
            return [Problem(label, rowno, column, f"{value:g} {unit} is {value / high:.3g} × the high end of the "
                                                  f"shipped range of {key} ({high:g} {unit}); more than {most:g} × is "
                                                  "taken for a slip of unit or decimal point "
                                                  f"(zzeval/reference/input_limits.csv): write the value in {unit}")]
    return []


def _fill_range(vals: dict, old: pd.Series) -> None:
    """Blank low/high keep the shipped range's relative width (absolute offsets if the shipped
    central is 0); fractions stay ≤ 1."""
    c_new = vals["central"]
    if c_new is None:
        return
    c_old = float(old["central"])
    if vals["low"] is None:
        vals["low"] = (c_new * float(old["low"]) / c_old if c_old > 0
                       else max(0.0, c_new - (c_old - float(old["low"]))))
    if vals["high"] is None:
        vals["high"] = (c_new * float(old["high"]) / c_old if c_old > 0
                        else c_new + (float(old["high"]) - c_old))
    if old["unit"] in FRACTION_UNITS:
        vals["high"] = min(vals["high"], 1.0)
        vals["low"] = min(vals["low"], c_new)


def _mark_override(frame: pd.DataFrame, key: str, rec: dict, label: str) -> None:
    """Provenance of an overridden row: basis ``override`` and the analyst's citation."""
    citation = rec.get("citation") or rec.get("source") or f"analyst override ({label})"
    frame.loc[key, ["basis", "citation", "source"]] = ["override", citation, citation]
    frame.loc[key, "note_zh"] = rec.get("note_zh") or "分析人员提供的覆盖值。"
    frame.loc[key, "note_en"] = rec.get("note_en") or "Value set by the analyst."


def load_factors(override: str | Path | None = None) -> FactorTable:
    """Load the shipped factor table, with an analyst's override file applied.

    Parameters
    ----------
    override : str or Path, optional
        CSV file (UTF-8 or GBK) or .xlsx workbook with rows to replace; see :func:`apply_overrides` for the rules.

    Returns
    -------
    FactorTable

    Raises
    ------
    FactorError
        The override file is unreadable, names an unknown key, has a negative value, a
        unit that does not match the shipped unit, or an inconsistent range; the message
        names the file, the row (header = row 1) and the column.
    """
    frame, files = _shipped_frame()
    table = FactorTable(frame, files)
    if override is not None:
        path = Path(override)
        # the name as the table and the pages show it (a name LC_ALL=C cannot decode was a traceback)
        table = apply_overrides(table, _read_override(path), readable(path))
    return table


# -- sampling ---------------------------------------------------------------------------
def _stream(seed: int, key: str) -> np.random.Generator:
    return np.random.default_rng([int(seed), zlib.crc32(key.encode("utf-8"))])


def inverse_cdf(u: np.ndarray, dist: str, central: float, low: float, high: float) -> np.ndarray:
    r"""Values of a distribution at probabilities ``u`` (vectorised inverse CDF).

    * ``split_triangular`` (the default of the shipped tables): two-piece triangular with
      its peak **and median** at ``central`` — half the probability on each side, the
      density falling linearly to 0 at ``low`` and at ``high``:
      :math:`x = low + (c - low)\sqrt{2u}` for u < ½, :math:`x = high - (high - c)\sqrt{2(1-u)}`
      otherwise. With skewed ranges (e.g. fuel sulfur 8–10–50 mg/kg) it keeps the stated
      central value as the middle of the distribution, which a triangular (mode = central)
      does not;
    * ``triangular``: mode at ``central``;
    * ``uniform`` on [low, high]; ``fixed``: always ``central``.
    """
    if dist == "fixed" or high <= low:
        return np.full(u.shape, central, dtype=float)
    if dist == "uniform":
        return low + u * (high - low)
    if dist == "split_triangular":
        left = low + (central - low) * np.sqrt(2.0 * np.minimum(u, 0.5))
        right = high - (high - central) * np.sqrt(2.0 * (1.0 - np.maximum(u, 0.5)))
        return np.where(u < 0.5, left, right)
    width = high - low
    fc = (central - low) / width
    left = low + np.sqrt(u * width * (central - low))
    right = high - np.sqrt((1.0 - u) * width * (high - central))
    return np.where(u < fc, left, right)


@dataclass
class FactorSamples:
    """Draws of every factor: ``values[key]`` (shape ``(n,)``) and ``ranks[key]`` (the rank
    of each draw, 0..n-1, for ranged factors; used for rank-correlation sensitivity)."""

    values: dict[str, np.ndarray]
    ranks: dict[str, np.ndarray]
    n: int
    seed: int | None


def sample_factors(table: FactorTable, n: int, seed: int | None = 20201001) -> FactorSamples:
    """Latin hypercube draws of all factors (``n`` per factor), or the central values.

    Parameters
    ----------
    table : FactorTable
    n : int
        Number of draws. With ``seed=None`` and any ``n``, every draw is the central value
        (the deterministic central pass).
    seed : int or None
        Seed; factor ``k`` uses the stream ``default_rng([seed, crc32(k)])``.
    """
    values: dict[str, np.ndarray] = {}
    ranks: dict[str, np.ndarray] = {}
    f = table.frame
    for key, dist, c, lo, hi in zip(f.index, f["distribution"], f["central"], f["low"], f["high"],
                                   strict=True):
        if seed is None or dist == "fixed" or hi <= lo:
            values[key] = np.full(n, float(c))
            continue
        rng = _stream(seed, key)
        perm = rng.permutation(n)
        u = (perm + rng.random(n)) / n
        values[key] = inverse_cdf(u, dist, float(c), float(lo), float(hi))
        ranks[key] = perm
    return FactorSamples(values, ranks, n, seed)
