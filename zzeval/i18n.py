"""User-facing labels in Simplified Chinese (default) and English.

The labels are data, in ``zzeval/reference/labels.yaml``: one key per label, each with a
``zh`` and an ``en`` text, optionally with ``{placeholders}`` filled by :func:`t`.
Reports default to Chinese (``lang="zh"``); ``lang="en"`` gives English.
"""

from __future__ import annotations

import numbers
from datetime import datetime, timedelta, timezone
from functools import lru_cache

from zzeval.errors import ZzevalError

#: Languages a report can be written in; the first is the default.
LANGS: tuple[str, ...] = ("zh", "en")
DEFAULT_LANG = "zh"

#: Value of the HTML ``lang`` attribute (BCP 47) per report language.
HTML_LANG = {"zh": "zh-CN", "en": "en"}

_LABELS_FILE = "labels.yaml"

#: China Standard Time (Beijing time), UTC+8, no daylight saving: the time zone of every
#: time shown to readers.
BEIJING = timezone(timedelta(hours=8), "UTC+8")


def check_lang(lang: str) -> str:
    """Return ``lang`` if it is a supported report language, else raise :class:`ZzevalError`."""
    if lang not in LANGS:
        raise ZzevalError(f"unsupported report language {lang!r}: use one of {', '.join(LANGS)}")
    return lang


@lru_cache(maxsize=1)
def labels() -> dict[str, dict[str, str]]:
    """All labels, ``{key: {"zh": ..., "en": ...}}``, read from ``reference/labels.yaml``.

    Raises
    ------
    ZzevalError
        If the file is not a mapping of keys to ``{zh, en}`` texts.
    """
    from zzeval.resources import reference_yaml

    data = reference_yaml(_LABELS_FILE)
    if not isinstance(data, dict):
        raise ZzevalError(f"reference/{_LABELS_FILE}: expected a mapping of label keys")
    out: dict[str, dict[str, str]] = {}
    for key, entry in data.items():
        if not isinstance(entry, dict) or any(not isinstance(entry.get(lg), str) for lg in LANGS):
            raise ZzevalError(
                f"reference/{_LABELS_FILE}, key {key!r}: needs a text for each of {LANGS}"
            )
        out[str(key)] = {lg: entry[lg] for lg in LANGS}
        if isinstance(entry.get("en_one"), str):  # English singular ("1 vehicle")
            out[str(key)]["en_one"] = entry["en_one"]
    return out


def t(key: str, lang: str = DEFAULT_LANG, /, **fields: object) -> str:
    """The label ``key`` in ``lang``, with ``{placeholders}`` filled from ``fields``.

    Raises
    ------
    ZzevalError
        If the key is unknown or a placeholder is not given.
    """
    check_lang(lang)
    entry = labels().get(key)
    if entry is None:
        raise ZzevalError(f"no label {key!r} in reference/{_LABELS_FILE}")
    text = entry[lang]
    try:
        return text.format(**fields) if fields or "{" in text else text
    except KeyError as exc:
        raise ZzevalError(f"label {key!r} needs the field {exc.args[0]!r}") from None


def t_or(key: str, default: str, lang: str = DEFAULT_LANG) -> str:
    """The label ``key`` in ``lang`` if it exists, else ``default`` (e.g. an unknown measure)."""
    check_lang(lang)
    entry = labels().get(key)
    return entry[lang] if entry is not None else default


def t_count(key: str, lang: str, count: float | None, /, **fields: object) -> str:
    """Like :func:`t`, with the English singular (``en_one``) when ``count`` is exactly 1."""
    check_lang(lang)
    entry = labels().get(key)
    if lang == "en" and count == 1 and entry is not None and "en_one" in entry:
        return entry["en_one"].format(**fields) if fields else entry["en_one"]
    return t(key, lang, **fields)


MINUS = "\u2212"  # U+2212 MINUS SIGN, as the figures print it
NBSP = "\u00a0"  # no-break space between a number and its unit
#: Units always shown with one decimal (measured rates and densities; counts have none).
ONE_DECIMAL_UNITS = ("%", "t/(month·km²)", "µg/m³")


def format_number(value: object, decimals: int = 1, *, signed: bool = False) -> str:
    """A number as every page, table and figure shows it: thousands separators, ``decimals``
    places, the typographic minus (U+2212), ``+`` in front when ``signed``.

    ``None``/NaN become an em dash; an ``int`` keeps no decimals (nor does a whole float with
    ``decimals=0``); strings pass through; a value that rounds to zero never prints as ``−0.0``.

    Examples
    --------
    >>> format_number(-3.14159, 2)
    '−3.14'
    >>> format_number(17360)
    '17,360'
    >>> format_number(2.5, signed=True)
    '+2.5'
    >>> format_number(-0.0004, 2)
    '0.00'
    >>> import pandas as pd; format_number(pd.NA)
    '—'
    """
    if value is None or type(value).__name__ == "NAType":  # pandas' NA: an Int64 rank left out
        return "\u2014"
    if isinstance(value, str):
        return value
    try:
        x = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return str(value)
    if x != x:  # NaN
        return "\u2014"
    if (isinstance(value, int) and not isinstance(value, bool)) or (x.is_integer() and decimals == 0):
        text = f"{int(round(x)):+,}" if signed and round(x) != 0 else f"{int(round(x)):,}"
    else:
        x = round(x, decimals) + 0.0  # no "-0.0"
        text = f"{x:+,.{decimals}f}" if signed and x != 0 else f"{x:,.{decimals}f}"
    return text.replace("-", MINUS)


def format_quantity(value: object, unit: str = "", lang: str = DEFAULT_LANG, *, signed: bool = False,
                    decimals: int | None = None) -> str:
    """A number with its unit, joined by a no-break space: ``+3.2 %``, ``−4.0 %``, ``12 辆``,
    ``1 vehicle``.

    ``unit`` is a catalogue key without its ``unit.`` prefix (``vehicles``, ``days``,
    ``t/(month·km²)`` …; shown in ``lang``, English singular for 1) or a literal unit
    (``%``, ``µg/m³``). Percentages get one decimal; other values none when whole, else one.
    """
    numeric = isinstance(value, numbers.Real) and not isinstance(value, bool)
    if decimals is None:
        whole = numeric and float(value).is_integer()  # type: ignore[arg-type]
        decimals = 1 if unit in ONE_DECIMAL_UNITS or not whole else 0
    if numeric:
        value = float(value)  # type: ignore[arg-type]  # the decimals decide, not the type
    text = format_number(value, decimals, signed=signed)
    if not unit or text == "\u2014":
        return text
    shown = t_count(f"unit.{unit}", lang, value) if f"unit.{unit}" in labels() else unit  # type: ignore[arg-type]
    return f"{text}{NBSP}{shown}"


def pollutant_label(pollutant: str, lang: str = DEFAULT_LANG) -> str:
    """Display name of a pollutant (``PM2.5``, ``SO2`` … ``CO2``); unknown names pass through."""
    return t_or(f"pollutant.{pollutant}", pollutant, lang)


def measure_label(measure: str, lang: str = DEFAULT_LANG) -> str:
    """Display name of an emission-reduction measure key; unknown keys pass through."""
    return t_or(f"measure.{measure}", measure, lang)


def cost_unknown_reason(measure: str, lang: str = DEFAULT_LANG) -> str:
    """Why a measure's cost is unknown (an empty subsidy_yuan or scrappage_payment_yuan on a row with
    households or vehicles done): ``补贴金额未填报`` / ``subsidy not reported``; the one wording of the
    pages and summary.json."""
    return t_or(f"cost_unknown.{measure}", t("cost_unknown.other", lang), lang)


def verdict_label(verdict: str, lang: str = DEFAULT_LANG) -> str:
    """Display name of a § 二十二 verdict (``on_track``, ``warning``, ``interview``, ``fail``)."""
    return t(f"verdict.{verdict}", lang)


def unit_label(unit: str, lang: str = DEFAULT_LANG) -> str:
    """A unit as shown to readers: ``"1"`` (dimensionless) becomes 无量纲 / dimensionless."""
    if unit in ("1", "", "-"):
        return t("unit.dimensionless", lang)
    return unit


def format_time(value: datetime | str | None, lang: str = DEFAULT_LANG) -> str:
    """A time as shown to readers: Beijing time, to the minute, e.g. ``2021-04-02 09:15（北京时间）``
    or ``2021-04-02 09:15 Beijing time (UTC+8)``.

    ``value`` is a :class:`~datetime.datetime` or an ISO 8601 string (as the build state and the
    notebooks store them, e.g. ``2021-04-02T01:15:00+0000``); a time without a UTC offset is taken
    as this machine's local time. A string that is not ISO 8601 is returned unchanged, ``None``
    or ``""`` gives ``""``.
    """
    check_lang(lang)
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError:
            return value
    if not isinstance(value, datetime):
        return str(value)
    local = value.astimezone(BEIJING)  # naive: the machine's local time (datetime.astimezone)
    return t("time.beijing", lang, time=local.strftime("%Y-%m-%d %H:%M"))
