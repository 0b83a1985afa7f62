"""Units written in brackets after a column header (``面积（km²）``, ``road_t_before (t/a)``).

Used by :mod:`zzeval.season.headers`. The values of a column are always read in the column's own
unit (:class:`~zzeval.season.schema.Column` ``unit``), so a header that names another unit would
give a wrong number without a word: 142,950 亩 read as km², a monthly tonnage read as a yearly one.
The accepted spellings of each unit are an allow-list kept as data,
``zzeval/reference/header_units.yaml``: a bracketed unit that is not one of the column's own
spellings is refused (:func:`unit_problem`), with how to convert when the unit is a known one of
another scale. Columns without a unit (text, categories, dates) take any bracket as a note.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from zzeval.resources import reference_yaml
from zzeval.season.parsing import show
from zzeval.season.schema import Column, TableSpec

#: Column kinds whose values are numbers in the column's unit.
NUMBER_KINDS = ("int", "float")

_OPEN, _CLOSE = "(（", ")）"


@dataclass(frozen=True)
class UnitSpellings:
    """One entry of ``header_units.yaml``: the accepted spellings of a unit, and hints for units of
    another scale (key: the spelling as :func:`unit_key` reads it)."""

    accepted: tuple[str, ...]
    convert: dict[str, tuple[str, str]]  # unit_key -> (spelling, how to convert)
    note: str

    def accepts(self, unit: str) -> bool:
        return unit_key(unit) in {unit_key(u) for u in self.accepted}


def unit_key(text: str) -> str:
    """``text`` as units are compared: NFKC (km² = km2, ℃ = °C, ％ = %), without blanks, case
    ignored, product signs (· • ⋅ ∙ *) as one.

    >>> unit_key("Km²") == unit_key("km2"), unit_key("℃") == unit_key("°C"), unit_key("t/(km² • 月)")
    (True, True, 't/(km2·月)')
    """
    text = unicodedata.normalize("NFKC", str(text)).casefold()
    text = re.sub(r"\s+", "", text)
    return re.sub(r"[•⋅∙*]", "·", text)


@cache
def _table() -> dict[str, dict[str, UnitSpellings]]:
    data = reference_yaml("header_units.yaml")

    def entry(item: dict) -> UnitSpellings:
        convert = {unit_key(k): (str(k), str(v)) for k, v in (item.get("convert") or {}).items()}
        return UnitSpellings(tuple(str(u) for u in item.get("accepted") or ()), convert, str(item.get("note", "")))

    return {section: {str(k): entry(v) for k, v in data[section].items()} for section in ("units", "columns")}


def spellings_of(spec: TableSpec, col: Column) -> UnitSpellings | None:
    """The accepted spellings of ``col``'s unit (by ``table.column`` first, then by unit), or None
    for a column whose header may carry any bracket (text, categories, dates)."""
    table = _table()
    by_column = table["columns"].get(f"{spec.name}.{col.name}")
    if by_column is not None:
        return by_column
    if col.unit in table["units"]:
        return table["units"][col.unit]
    if col.kind in NUMBER_KINDS:  # a number column missing from the file: no unit in brackets is accepted
        return UnitSpellings((col.unit,) if col.unit else (), {}, "")
    return None


def split_header(text) -> tuple[str, str]:
    """A header without BOM and surrounding blanks split into its name and the unit in brackets at its
    end (one level of brackets inside the unit kept: ``沉降量（t/(月·km²)）``); ``(name, "")`` without one.

    >>> split_header("面积（亩） "), split_header("dustfall (t/(month·km²))"), split_header("乡镇")
    (('面积', '亩'), ('dustfall', 't/(month·km²)'), ('乡镇', ''))
    """
    text = str(text).replace("\ufeff", "").strip()
    if not text or text[-1] not in _CLOSE:
        return text, ""
    depth = 0
    for i in range(len(text) - 1, -1, -1):
        if text[i] in _CLOSE:
            depth += 1
        elif text[i] in _OPEN:
            depth -= 1
            if depth == 0:
                return text[:i].rstrip(), text[i + 1:-1].strip()
    return text, ""


def unit_problem(header, spec: TableSpec, col: Column) -> str | None:
    """What is wrong with the unit in brackets after ``header`` (a header of ``col``), or None when
    there is none, it is a spelling of the column's unit, or the column takes no unit."""
    name, unit = split_header(header)
    spellings = spellings_of(spec, col) if unit else None
    if spellings is None or spellings.accepts(unit):
        return None
    if col.kind == "datetime":
        convert = spellings.convert.get(unit_key(unit))
        how = convert[1] if convert else "write the times in Beijing time (UTC+8) or each with its offset"
        return (f"says the times are in {show(unit, 40)}, but a time without an offset is read as Beijing time "
                f"(UTC+8): {how}, and write the header as '{name or col.name}'")
    if not col.unit:
        why = f" ({spellings.note})" if spellings.note else ""
        return (f"says the values are in {show(unit, 40)}, but '{col.name}' has no unit of its own{why}: write the "
                f"header as '{name or col.name}', without a unit")
    read_as = col.unit
    convert = spellings.convert.get(unit_key(unit))
    if convert is not None:
        return (f"says the values are in {show(unit, 40)}, but '{col.name}' is in {read_as}: convert the values to "
                f"{read_as} ({convert[1]}) and write the header as '{name or col.name}' (they would be read as {read_as})")
    written = ", ".join(spellings.accepted)
    return (f"says the values are in {show(unit, 40)}, but '{col.name}' is in {read_as} (written {written}); zzeval "
            f"does not know {show(unit, 40)} and would read the values as {read_as}: convert the values to {read_as} "
            f"and write the header as '{name or col.name}' or '{name or col.name}（{spellings.accepted[0]}）'; if "
            "the brackets hold a note, not a unit, move the note out of the header")
