"""Reading cells and files without guessing: text encodings, numbers and dates.

Used by :mod:`zzeval.season.loading`. Every function here either returns a value it read with
certainty or says which cells it could not read and why; nothing is silently reinterpreted:

* **Text**: a file is decoded once, whole, in one encoding (UTF-8, with or without BOM, else
  GB18030, the superset of GBK). A file that mixes the two (a GBK file with one row saved as
  UTF-8) is refused, naming a row of each kind — decoding it either way would give mojibake
  such as 澶т笢娌熼晣 for 大东沟镇. So is a file that starts with a UTF-8 byte-order mark (BOM)
  but is not UTF-8 after it (a GBK body): its header would read as ``锘縞ode``.
* **Numbers**: ``.`` is the decimal mark. A comma is read as a thousands separator only where
  the whole column is unambiguous (an integer column, a value with two or more groups such as
  ``1,234,567`` or a decimal part such as ``1,234.5``, or other values in the column using ``.``
  as the decimal mark); ``95,3`` (a decimal comma) and a lone ``1,234`` in a decimal column are
  refused. ``inf``, ``Infinity`` and ``nan`` are not numbers.
* **Dates**: year first — ``2020-09-05``, ``2020/9/5``, ``2020.9.5``, ``2020年9月5日`` — with an
  optional time ``HH:MM[:SS]`` (or ``HH时``, ``HH时MM分``, as Chinese exports write the hour) and an optional UTC offset (``+08:00``, ``Z``), converted to
  Beijing time (UTC+8). Dates with the year last (``05/09/2020``) are refused: day-first and
  month-first cannot be told apart.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass

import numpy as np
import pandas as pd

#: Longest piece of a cell echoed in a message (a 100,000-digit value is not printed whole).
MAX_SHOWN = 40

#: Beijing time is UTC+8 (no daylight saving since 1991).
BEIJING_OFFSET_MIN = 8 * 60

_GROUPED = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d+)?")
_SURE_GROUPED = re.compile(r"[+-]?\d{1,3}(,\d{3}){2,}(\.\d+)?|[+-]?\d{1,3}(,\d{3})+\.\d+")
_NON_FINITE = re.compile(r"[+-]?(inf|infinity|nan)", re.IGNORECASE)
_DATE = re.compile(
    r"(?P<y>\d{4})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*日?"
    r"(?:(?:\s+|T)(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:[.,](?P<F>\d{1,9}))?)?"
    r"|\s*(?P<Hc>\d{1,2})\s*[时時](?:\s*(?P<Mc>\d{1,2})\s*分)?)?"
    r"\s*(?P<tz>Z|[+-]\d{2}:?\d{2})?"
)
_MONTH = re.compile(r"(?P<y>\d{4})\s*[-/.年]\s*(?P<m>\d{1,2})\s*月?(?:\s*[-/.]\s*0?1\s*日?)?(?:\s+0?0:00(?::00)?)?")
#: ``201910``: a month as six digits, year and month (a statistics system's export, hostile review s13-hostA C23c);
#: read only with a year 19xx/20xx and a month 01-12, so that no other reading is possible.
_YYYYMM = re.compile(r"(?P<y>(?:19|20)\d{2})(?P<m>0[1-9]|1[0-2])")
_YEAR_LAST = re.compile(r"\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}(\s.*)?")


def show(value, limit: int = MAX_SHOWN) -> str:
    """``value`` as text for a message, cut to ``limit`` characters with the full length said."""
    text = str(value)
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text):,} characters)"


def closest(value: str, choices, cutoff: float = 0.5) -> str | None:
    """The choice that ``value`` (not among ``choices``) was probably meant to be, for a "did you
    mean": one equal to it but for letter case and spaces (``zz01`` for ``ZZ01``), else the most
    similar one (difflib ratio at least ``cutoff``, on the first 100 characters), else None."""
    choices = [str(c) for c in choices]
    key = str(value).strip().casefold()
    for choice in choices:
        if choice.strip().casefold() == key:
            return choice
    close = difflib.get_close_matches(str(value)[:100], choices, n=1, cutoff=cutoff)
    return close[0] if close else None


# ---------------------------------------------------------------------------------------- text
@dataclass(frozen=True)
class DecodeFailure:
    """Why a file could not be decoded: a spreadsheet row number and what to do."""

    row: int | None
    message: str


def _line_of(raw: bytes, pos: int) -> int:
    return raw.count(b"\n", 0, pos) + 1


#: Characters whose UTF-8 bytes in a line of a non-UTF-8 file show that the line was saved as UTF-8:
#: CJK ideographs, and the unit signs µ ³ ² ° (GBK bytes rarely form valid UTF-8 that decodes to them).
_UTF8_EVIDENCE = re.compile("[\u4e00-\u9fff\u00b5\u00b3\u00b2\u00b0\u03bc]")


def _looks_utf8(line: bytes) -> bool:
    try:
        return bool(_UTF8_EVIDENCE.search(line.decode("utf-8")))
    except UnicodeDecodeError:
        return False


def decode_text(raw: bytes) -> tuple[str, str] | DecodeFailure:
    """Decode a whole file in one encoding: ``(text, encoding)`` or a :class:`DecodeFailure`.

    UTF-8 (BOM allowed) is tried first; a file that is not UTF-8 is read as GB18030 only if
    none of its lines is valid UTF-8 with non-ASCII characters (which would mean a mixed file).
    """
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return DecodeFailure(1, "the file is UTF-16 (what Excel saves as 'Unicode text', separated by tabs); save "
                                "it again as 'CSV UTF-8 (comma delimited)'")
    try:
        return raw.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError as exc:
        utf8_break = _line_of(raw, exc.start)
    if raw.startswith(b"\xef\xbb\xbf"):  # the BOM says UTF-8, the body is not: GBK read as GBK would keep the BOM as junk
        return DecodeFailure(utf8_break, (
            f"the file starts with a UTF-8 byte-order mark (BOM) but row {utf8_break} is not UTF-8 (GBK?); "
            "save the whole file again in one encoding: 'CSV UTF-8', or GBK without the BOM"))
    utf8_row = next((number for number, line in enumerate(raw.split(b"\n"), start=1)
                     if not line.isascii() and _looks_utf8(line)), None)
    if utf8_row is not None:
        return DecodeFailure(utf8_break, (
            f"the file mixes two text encodings: row {utf8_row} is UTF-8 but row {utf8_break} is not "
            "(GBK?); open it in the spreadsheet program, fix the garbled rows and save the whole file "
            "again as 'CSV UTF-8'"))
    try:
        return raw.decode("gb18030"), "gb18030"
    except UnicodeDecodeError as exc:
        return DecodeFailure(_line_of(raw, exc.start), (
            f"cannot decode the file as UTF-8 (broke at row {utf8_break}) or GBK (broke at row "
            f"{_line_of(raw, exc.start)}); save it again as 'CSV UTF-8' from the spreadsheet program"))


# ------------------------------------------------------------------------------------- numbers
@dataclass
class NumberReading:
    """The result of :func:`read_numbers`: the numbers (float, NaN where empty or unreadable)
    and, per problem kind, a boolean mask of the cells that have it."""

    values: pd.Series
    not_number: pd.Series
    non_finite: pd.Series
    decimal_comma: pd.Series
    ambiguous_comma: pd.Series
    #: a note for the user when thousands separators were read (None otherwise)
    note: str | None = None


def read_numbers(values: pd.Series, integer: bool) -> NumberReading:
    """Read a column of stripped strings (``""`` = empty) as numbers; see the module docstring.

    Works on the distinct values (an hourly column repeats a few thousand values a million times).

    Parameters
    ----------
    values : Series of str
    integer : bool
        The column holds whole numbers (a comma there cannot be a decimal comma).
    """
    codes, uniques = pd.factorize(values, use_na_sentinel=False)
    texts = [str(u) for u in uniques]
    minus = np.array([t.startswith(MINUS_SIGN) and bool(_PLAIN_NUMBER.fullmatch(t[1:])) for t in texts], dtype=bool)
    texts = ["-" + t[1:] if flag else t for t, flag in zip(texts, minus, strict=True)]
    empty = np.array([t == "" for t in texts], dtype=bool)
    has_comma = np.array(["," in t for t in texts], dtype=bool)
    grouped = np.array([bool(_GROUPED.fullmatch(t)) if c else False for t, c in zip(texts, has_comma, strict=True)], dtype=bool)
    # ¥1,338,800 or 1,338,800元: thousands separators beside a currency or unit, "not a number" (with a hint
    # to write the number alone), not a decimal comma (re-review 5 of issue 13)
    grouped_text = np.array([bool(c and not g and _grouped_with_text(t))
                             for t, c, g in zip(texts, has_comma, grouped, strict=True)], dtype=bool)
    decimal_comma = has_comma & ~grouped & ~grouped_text
    lone = has_comma & grouped
    ambiguous = np.zeros(len(texts), dtype=bool)
    note = None
    if lone.any():
        sure = any(_SURE_GROUPED.fullmatch(t) for t, flag in zip(texts, lone, strict=True) if flag)
        dotted = any("." in t for t, c in zip(texts, has_comma, strict=True) if not c)
        if integer or sure or dotted:
            note = f"{int(lone[codes].sum())} value(s) with ',' thousands separators were read as whole thousands"
        else:
            ambiguous = lone
    cleaned = [t.replace(",", "") if flag and not amb else t for t, flag, amb in zip(texts, lone, ambiguous, strict=True)]
    non_finite = np.array([bool(_NON_FINITE.fullmatch(t)) for t in cleaned], dtype=bool)
    usable = ~empty & ~decimal_comma & ~ambiguous & ~non_finite & ~grouped_text
    numbers = pd.to_numeric(pd.Series([t if u else None for t, u in zip(cleaned, usable, strict=True)], dtype=object),
                            errors="coerce").to_numpy(dtype=float, na_value=np.nan, copy=True)
    overflow = usable & np.isinf(numbers)  # e.g. 1e400
    numbers[overflow] = np.nan
    not_number = usable & np.isnan(numbers) & ~overflow

    if minus.any():
        said = f"{int(minus[codes].sum())} value(s) with the minus sign '−' (U+2212) were read as negative numbers"
        note = f"{note}; {said}" if note else said

    def back(flags: np.ndarray) -> pd.Series:
        return pd.Series(flags[codes] if len(codes) else np.zeros(0, bool), index=values.index)

    return NumberReading(pd.Series(numbers[codes] if len(codes) else np.zeros(0), index=values.index,
                                   dtype="float64"),
                         back(not_number | grouped_text), back(non_finite | overflow), back(decimal_comma),
                         back(ambiguous), note)


#: What spreadsheets hold for "no value".
_PLACEHOLDERS = frozenset({"-", "--", "—", "——", "–", "/", "无", "空", "N/A", "n/a", "NA", "#N/A", "#VALUE!", "#DIV/0!"})
#: What database exports write for "no value" (SQL NULL, Python None).
_NULL_WORDS = frozenset({"NULL", "null", "Null", "None", "none", "NONE", "(null)", "<NA>", "NaT"})
#: 112°51′43″, 112°51'43", 112度51分43秒: degrees, minutes, seconds of an angle.
_DMS = re.compile(r"\s*([+-]?\d{1,3})\s*[°度]\s*(\d{1,2}(?:\.\d+)?)\s*(?:[′'分]\s*(\d{1,2}(?:\.\d+)?)\s*[″\"秒]?)?\s*"
                  r"([NSEW北南东西]?)\s*")
#: The minus sign U+2212 that word processors put for a hyphen-minus before a number: −4.
MINUS_SIGN = "\u2212"
_SPACES = re.compile("[ \u00a0\u202f\u3000]")
_SPACE_GROUPED = re.compile("[+-]?\\d{1,3}([ \u00a0\u202f\u3000]\\d{3})+(\\.\\d+)?")
_NUMBER_AND_TEXT = re.compile(r"\s*([+-]?\d[\d,]*(?:\.\d+)?)\s*(%|[^\d\s].*)")


#: A money amount with its currency before it: ¥1353800, ￥1353800, RMB 1353800, CNY 1353800, 人民币1353800.
_CURRENCY_FIRST = re.compile(r"\s*(¥|￥|RMB|CNY|人民币)\s*([+-]?\d[\d,]*(?:\.\d+)?)\s*(元)?\s*", re.IGNORECASE)
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")
_FULL_WIDTH = re.compile("[\uff01-\uff5e\u3000]")


def _grouped_with_text(text: str) -> bool:
    """``¥1,338,800``, ``￥1,234``, ``1,338,800元``: a number with ',' thousands separators and a currency
    sign before it (a comma there is never a decimal comma) or a unit after it (then only where the
    grouping is sure: ``1,234 km`` may hold a decimal comma)."""
    money = _CURRENCY_FIRST.fullmatch(text)
    if money:
        return bool(_GROUPED.fullmatch(money.group(2)))
    match = _NUMBER_AND_TEXT.fullmatch(text)
    return bool(match and not any(ch.isdigit() for ch in match.group(2)) and _SURE_GROUPED.fullmatch(match.group(1)))


def _without_separators(number: str, pattern: re.Pattern = _GROUPED) -> str:
    """``1,338,800`` → ``1338800`` (a number with ',' thousands separators; anything else unchanged)."""
    return number.replace(",", "") if pattern.fullmatch(number) else number


def _other_digit(ch: str) -> bool:
    """A decimal digit of another script (Arabic-Indic ٣, full-width ３ …), not 0-9 and not ² or ①."""
    return not ch.isascii() and unicodedata.category(ch) == "Nd"


#: ``<3``, ``< 2.5``, ``ND``, ``N.D.``, ``未检出``, ``低于检出限``: a value below an analyser's detection limit (hostile
#: review s11-C, F5: "'<3' is not a number" said nothing of what to write).
_BELOW_DETECTION = re.compile(r"(?i)(<\s*\d+(\.\d+)?|n\.?\s?d\.?|未检出|低于检出限|检出限以下)")


#: ``43BB``, ``37RM``, ``27PZ``, ``70H``, ``24LSp``, ``35(H)``: a number and a short letter code, the platform's
#: validity mark of the hour written into the cell. Unit words (ug, mg, ppb, ppm) are not marks.
_MARK_SUFFIX = re.compile(r"\s*([+-]?\d+(?:\.\d+)?)\s*[(（]?([A-Za-z]{1,3})[)）]?\s*")
_UNIT_WORDS = frozenset({"ug", "mg", "ppb", "ppm", "ng"})


#: Words for a lost sample or a value not measured (缺测): the README's rule is an empty cell (hostile review
#: s13-hostA C24b: "'缺测' is not a number" said nothing of what to write).
_LOST_WORDS = frozenset({"缺测", "缺", "未测", "缺样", "停测", "缺数", "无数据", "样品丢失", "丢失"})

#: ``下降4%``, ``降低 4.5％``, ``上升2%``: a change written in words; the targets take it as a signed number.
_CHANGE_WORDS = re.compile(r"(?P<word>下降了?|降低了?|减少了?|降了?|上升了?|升高了?|增加了?|增长了?)\s*"
                           r"(?P<n>\d+(\.\d+)?)\s*(?P<pct>[%％]?)")


#: A target written as the plan writes it, with its comparison: ``< 9``, ``＜9``, ``≥90``, ``≥60%``, ``不低于90``.
_COMPARED_TARGET = re.compile(r"\s*(?P<op><=|>=|<|>|≤|≥|≦|≧|不低于|不高于|不超过|不少于|不大于|不小于|低于|高于|小于|大于)"
                              r"\s*(?P<n>[+-]?\d+(?:\.\d+)?)\s*(?P<pct>%?)\s*")


def target_comparison_hint(text: str) -> str:
    """What to write for a target cell holding its comparison (hostile review s14-hostA, N11/N12/N36: "'<9' is
    not a number" said nothing more): the number alone; the verdict rule compares by itself (""
    when the cell is not such a target)."""
    normal = unicodedata.normalize("NFKC", str(text))
    match = _COMPARED_TARGET.fullmatch(normal)
    if not match:
        return ""
    return (f"; write the number alone, {match['n']}" + (" without '%'" if match["pct"] else "")
            + f": the verdict rules make the comparison ('{match['op']}') themselves (zzeval/reference/verdict_rules.yaml)")


#: A scale word after a number (``3.8万``, ``1.2亿``) and the unit words that may follow it in a cell (``110.47万元``,
#: ``90万吨``, ``33.6万元``): the number is multiplied, not written alone (hostile review s14-hostA, N77/N81/N82).
_SCALES = {"万": 10_000, "亿": 100_000_000}
_SCALED_UNITS = frozenset({"", "元", "吨", "t", "辆", "户", "人", "台", "个", "家", "次", "头", "亩"})


def _scaled_hint(match: re.Match, unit: str) -> str:
    """A number followed by 万 or 亿 (and a unit: 万元, 万吨): multiplied, not written alone; 人 in a households
    column: persons are not households ("" when neither)."""
    word = match.group(2).strip()
    if word.removeprefix("万").removeprefix("亿").strip() == "人" and unit == "households":
        # 165人 under households: persons are not households (hostile review s14-hostA, N67/N78)
        return ("; '人' counts persons, but the column counts households (户): write the number of households from "
                "the records, not of persons (a household is several persons)")
    scale = _SCALES.get(word[:1]) if word[1:].strip() in _SCALED_UNITS else None
    if not scale:
        return ""
    # 3.8万 persons is 38,000, not 3.8 (re-review of issue 13); 110.47万元 is 1,104,700 yuan (s14-hostA N77)
    try:
        value = float(match.group(1).replace(",", "")) * scale
    except ValueError:
        return ""
    return (f"; {word[:1]} is {scale:,}: write {value:.10g}" + (f" ({unit})" if unit else "")
            + (f", without '{word}'" if word[1:].strip() else ""))


def not_number_hint(text: str, unit: str = "", optional: bool = False, marks: bool = False) -> str:
    """What to write instead of a cell that is not a number: ``97%`` → ``97``, ``95.3 km²`` → ``95.3``,
    full-width digits ``１２`` → ``12`` (``""`` when there is nothing better to say). ``marks``: the column is
    one where a platform writes validity marks after the value (air_quality ``value``): ``43BB`` is a value
    and its mark, and writing the number alone would keep an hour the mark may call invalid (hostile review
    s13-hostB, A07/A09); the codes are not interpreted (their meaning is the platform's legend)."""
    text = str(text)
    # only the full-width forms: NFKC would also turn 95.3² into 95.32
    normal = "".join(unicodedata.normalize("NFKC", ch) if _FULL_WIDTH.fullmatch(ch) else ch for ch in text)
    western = "".join(str(unicodedata.decimal(ch)) if _other_digit(ch) else ch for ch in normal)
    for changed, how in ((normal, "full-width digits or signs: write {} in half-width characters"),
                         (western, "digits of another script: write {} with the digits 0-9")):
        if changed != text and not _NON_FINITE.fullmatch(changed):
            try:
                float(changed.replace(",", ""))
                return "; " + how.format(show(changed))
            except ValueError:
                pass
    if text.startswith("'") and _PLAIN_NUMBER.fullmatch(text[1:]):
        return f"; remove the leading apostrophe (a spreadsheet's mark for text): {show(text[1:])}"
    if "m³" in unit and _BELOW_DETECTION.fullmatch(text.strip()):  # a concentration
        return ("; a mark for below the detection limit: write the number your network reports for such hours "
                "(an empty cell is a missing hour, which leaves the cleanest hours out of the means)")
    mark = _MARK_SUFFIX.fullmatch(text) if marks else None
    if mark and mark.group(2).lower() not in _UNIT_WORDS:
        return (f"; the letter code after the value ('{mark.group(2)}') is a validity mark of the hour (数据标记): "
                "where the platform's legend gives it as invalid (a check, calibration, maintenance, a fault), "
                f"leave the cell empty; only where it is known to mark valid data, write the number alone, "
                f"{mark.group(1)}")
    if unit == "mm" and text.strip() in ("微量", "trace", "Trace", "TRACE"):  # hostile review s13-hostB, M03
        return "; a trace of precipitation (微量, less than 0.1 mm) is not an amount: write 0"
    if text.strip() in _LOST_WORDS:
        return (f"; '{text.strip()}' marks a lost sample or a value not measured (缺测): leave the cell empty, the "
                "reports then show it as 缺测" if optional else
                f"; '{text.strip()}' marks a value not measured (缺测), but this column needs a value: write the "
                "number from the records")
    change = _CHANGE_WORDS.fullmatch(text.strip())
    if change:
        fall = change["word"][0] in "下降减"
        pct = " (a change in %, without '%')" if change["pct"] else ""
        return (f"; a {'fall' if fall else 'rise'} is written as a {'negative' if fall else 'positive'} number: "
                f"write {'-' if fall else ''}{change['n']}{pct}" + (f" (the column is in {unit})" if unit else ""))
    if text.strip() in _PLACEHOLDERS:
        return "; leave the cell empty where there is no value (if the column allows it)"
    if text.strip() in _NULL_WORDS:
        return (f"; '{text.strip()}' is a database's mark for no value: leave the cell empty" +
                (" (the column allows it)" if optional else ", but this column needs a value"))
    dms = _DMS.fullmatch(text)
    if dms and ("°" in text or "度" in text):
        degrees = abs(float(dms.group(1))) + float(dms.group(2)) / 60 + float(dms.group(3) or 0) / 3600
        sign = -1 if dms.group(1).startswith("-") or dms.group(4) in ("S", "W", "南", "西") else 1
        return (f"; degrees, minutes and seconds: write decimal degrees, {sign * degrees:.6f}"
                + (f" ({unit})" if unit else ""))
    if _SPACE_GROUPED.fullmatch(text.strip()):
        return f"; write it without spaces: {_SPACES.sub('', text.strip())}"
    money = _CURRENCY_FIRST.fullmatch(text)
    if money:  # ¥1353800: the currency is the column's unit (re-review of issue 13)
        in_unit = f" (the column is in {unit})" if unit else ""
        signs = "' and '".join(g for g in (money.group(1), money.group(3)) if g)
        return f"; write the number alone, {_without_separators(money.group(2))}{in_unit}, without '{signs}'"
    match = _NUMBER_AND_TEXT.fullmatch(text) or _NUMBER_AND_TEXT.fullmatch(normal)
    if match and any(ch.isascii() and ch.isdigit() or _other_digit(ch) for ch in match.group(2)):
        return ""  # 38_214, 0x9546: the digits after the number belong to it; no guess at which number was meant
    scaled = _scaled_hint(match, unit) if match else ""
    if scaled:
        return scaled
    if match and match.group(2) == "%":
        return f"; write {match.group(1)} without '%'" + (f" (the column is in {unit})" if unit else "")
    if match:
        in_unit = f" (the column is in {unit})" if unit else ""
        return (f"; write the number alone, {_without_separators(match.group(1), _SURE_GROUPED)}{in_unit}, without "
                f"'{show(match.group(2).strip(), 20)}'")
    return ""


#: Excel day numbers of 1990-01-01 and 2050-01-01: a 5-digit cell in that range in a date column is
#: most likely a date that lost its date format.
_EXCEL_SERIAL = (32874, 54789)


def serial_date_hint(text: str) -> str:
    """A hint for a date column cell such as ``44132``: an Excel date serial number (days since
    1899-12-30) that lost its date format."""
    text = str(text).strip()
    if text.isdigit() and _EXCEL_SERIAL[0] <= int(text) <= _EXCEL_SERIAL[1]:
        day = pd.Timestamp("1899-12-30") + pd.Timedelta(days=int(text))
        return (f"; it looks like a spreadsheet date number ({day:%Y-%m-%d}?) that lost its date format: "
                "format the column as a date (yyyy-mm-dd) and save again")
    if re.fullmatch(r"\d{5}\.\d+", text) and _EXCEL_SERIAL[0] <= float(text) <= _EXCEL_SERIAL[1]:
        stamp = (pd.Timestamp("1899-12-30") + pd.Timedelta(days=float(text))).round("min")
        return (f"; it looks like a spreadsheet date-and-time number ({stamp:%Y-%m-%d %H:%M}?) that lost its format: "
                "format the column as a date and time (yyyy-mm-dd hh:mm) and save again")
    return ""


# --------------------------------------------------------------------------------------- dates
def _parse_one(text: str, kind: str):
    """One cell: a naive Beijing-time Timestamp, ``"year_last"``, ``"offset"`` (converted) or None."""
    if kind == "month":
        m = _MONTH.fullmatch(text) or _YYYYMM.fullmatch(text.strip())
        if not m:
            return "year_last" if _YEAR_LAST.fullmatch(text) else None
        try:
            return pd.Timestamp(int(m["y"]), int(m["m"]), 1), False, False
        except ValueError:
            return None
    m = _DATE.fullmatch(text)
    if not m:
        return "year_last" if _YEAR_LAST.fullmatch(text) else None
    if m["F"] and m["F"].strip("0"):
        return "fraction"
    hms = (int(m["H"] or m["Hc"] or 0), int(m["M"] or m["Mc"] or 0), int(m["S"] or 0))
    if kind == "date" and hms != (0, 0, 0):
        return None
    end_of_day = hms == (24, 0, 0)  # ISO 8601 24:00, the hour-ending stamp of midnight
    try:
        ts = pd.Timestamp(int(m["y"]), int(m["m"]), int(m["d"]), *((0, 0, 0) if end_of_day else hms))
    except ValueError:
        return None
    if end_of_day:
        ts += pd.Timedelta(days=1)
    tz = m["tz"]
    if tz is None:
        return ts, False, end_of_day
    minutes = 0 if tz == "Z" else (1 if tz[0] == "+" else -1) * (int(tz[1:3]) * 60 + int(tz[-2:]))
    return ts + pd.Timedelta(minutes=BEIJING_OFFSET_MIN - minutes), True, end_of_day


@dataclass
class DateReading:
    """The result of :func:`read_dates`: naive Beijing-time timestamps (NaT where empty or
    unreadable), masks of unreadable and year-last cells, and how many carried a UTC offset."""

    values: pd.Series
    not_date: pd.Series
    year_last: pd.Series
    n_offset: int
    #: cells with a fraction of a second other than 0 (``08:00:00.500``): refused, an hourly table has none
    fraction: pd.Series | None = None
    #: how many ``24:00`` stamps were read as the next day's 00:00
    n_end_of_day: int = 0
    #: month cells such as ``2020.1`` in a column without any ``2020.10``: a spreadsheet keeps 2020.10
    #: typed as a number as 2020.1, so October and January cannot be told apart
    dotted_month: pd.Series | None = None


#: A month written as a decimal number with one digit after the point (``2020.1``).
_DOTTED_MONTH = re.compile(r"\d{4}\.\d")


def _dotted_months(values: pd.Series, kind: str) -> pd.Series:
    """``2020.1`` in a month column that holds no ``YYYY.10``: the number a spreadsheet stores for 2020.10
    (October) as well as for 2020.1 (January); refused as ambiguous."""
    if kind != "month":
        return pd.Series(False, index=values.index)
    if values.str.fullmatch(r"\d{4}\.10").any():
        return pd.Series(False, index=values.index)  # the column keeps its trailing zeros: 2020.1 is January
    return values.str.fullmatch(r"\d{4}\.1")


def _fast_seconds(values: pd.Series) -> pd.Series:
    """``2019-10-01 00:00:00`` and ``2019-10-01 00:00:00.000`` (database exports), parsed in bulk; NaT
    elsewhere and where the fraction of a second is not 0 (those go to :func:`_parse_one`)."""
    out = pd.to_datetime(values, format="%Y-%m-%d %H:%M:%S", errors="coerce")
    rest = out.isna()
    if rest.any():
        frac = pd.to_datetime(values[rest], format="%Y-%m-%d %H:%M:%S.%f", errors="coerce")
        out.loc[rest] = frac.where(frac.dt.floor("s") == frac)
    return out


def read_dates(values: pd.Series, kind: str) -> DateReading:
    """Read a column of stripped strings as ``date``, ``datetime`` or ``month`` (see module docstring)."""
    empty = values == ""
    fmt = {"datetime": "%Y-%m-%d %H:%M", "date": "%Y-%m-%d", "month": "%Y-%m"}[kind]
    parsed = pd.to_datetime(values, format=fmt, errors="coerce")  # the common case, fast
    if kind == "datetime" and (parsed.isna() & ~empty).any():
        miss = parsed.isna() & ~empty
        parsed.loc[miss] = _fast_seconds(values[miss])
    dotted = _dotted_months(values, kind)
    parsed = parsed.where(~dotted)
    retry = parsed.isna() & ~empty & ~dotted
    year_last = pd.Series(False, index=values.index)
    fraction = pd.Series(False, index=values.index)
    n_offset = n_end = 0
    if retry.any():
        codes, uniques = pd.factorize(values[retry])
        results = [_parse_one(str(u), kind) for u in uniques]
        stamps = pd.DatetimeIndex([r[0] if isinstance(r, tuple) else pd.NaT for r in results]).to_numpy()
        is_year_last = np.array([r == "year_last" for r in results], dtype=bool)
        is_fraction = np.array([r == "fraction" for r in results], dtype=bool)
        shifted = np.array([isinstance(r, tuple) and r[1] for r in results], dtype=bool)
        end_of_day = np.array([isinstance(r, tuple) and len(r) > 2 and r[2] for r in results], dtype=bool)
        parsed.loc[retry] = stamps[codes]
        year_last.loc[retry] = is_year_last[codes]
        fraction.loc[retry] = is_fraction[codes]
        n_offset = int(shifted[codes].sum())
        n_end = int(end_of_day[codes].sum())
    not_date = parsed.isna() & ~empty & ~year_last & ~fraction & ~dotted
    return DateReading(parsed, not_date, year_last, n_offset, fraction, n_end, dotted)


def load_yaml_strict(text: str):
    """YAML as ``yaml.safe_load`` reads it, except that a key given twice in one mapping is an
    error (``yaml.safe_load`` silently keeps the last one: ``synthetic: true`` followed by
    ``synthetic: false`` would turn a synthetic season into real data).

    Raises
    ------
    yaml.YAMLError
        Also for a duplicate key, with its line.

    Examples
    --------
    >>> load_yaml_strict("a: 1\\nb: 2")
    {'a': 1, 'b': 2}
    """
    import yaml

    class _Strict(yaml.SafeLoader):
        pass

    def mapping(loader, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            key = loader.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"the key '{key}' is given twice (line {key_node.start_mark.line + 1}); "
                    "keep one", key_node.start_mark)
            seen.add(key)
        return loader.construct_mapping(node, deep=deep)

    _Strict.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, mapping)
    doc = yaml.load(text, Loader=_Strict)  # noqa: S506 - a SafeLoader subclass
    if _expands_beyond(doc, MAX_YAML_VALUES):
        raise yaml.YAMLError(f"the document expands to more than {MAX_YAML_VALUES:,} values (aliases such as *a "
                             "repeat what &a names, nested ones multiply); write the values out instead of aliases")
    return doc


#: Most values (keys, items, scalars) a YAML settings file may expand to: aliases nested a few levels
#: deep (a "billion laughs" document of a few hundred bytes) would otherwise make every later walk of
#: it (hashing, copying) run for hours. The shipped files hold a few hundred.
MAX_YAML_VALUES = 100_000


def _expands_beyond(doc, limit: int) -> bool:
    """Whether ``doc`` counts more than ``limit`` values with aliases expanded (stops at the limit)."""
    stack, count = [doc], 0
    while stack:
        item = stack.pop()
        count += 1
        if count > limit:
            return True
        if isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def not_a_regular_file(path) -> str | None:
    """Why the season file ``path`` cannot be read, when it is not a regular file (links followed): a
    FIFO, a device or a socket, which a read would wait on forever (a FIFO) or never finish
    (``/dev/zero``: the memory fills; hostile review 9B, F8); None for a regular file or a folder."""
    import os

    from zzeval.atomic import special_file_kind

    kind = special_file_kind(path)
    if kind is None:
        return None
    link = f"a link to '{show(os.path.realpath(path), 80)}', " if os.path.islink(path) else ""
    return (f"is {link}{kind}, not a file with the table's data: zzeval does not read from it (a read could "
            "wait forever or never end); put the file itself into the season folder")

