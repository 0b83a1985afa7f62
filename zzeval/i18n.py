"""User-facing labels in Simplified Chinese (default) and English.

The labels are data, in ``zzeval/reference/labels.yaml``: one key per label, each with a
``zh`` and an ``en`` text, optionally with ``{placeholders}`` filled by :func:`t`.
Reports default to Chinese (``lang="zh"``); ``lang="en"`` gives English.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from functools import lru_cache
from importlib.resources import files

import yaml

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
    path = files("zzeval").joinpath("reference", _LABELS_FILE)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ZzevalError(f"reference/{_LABELS_FILE}: expected a mapping of label keys")
    out: dict[str, dict[str, str]] = {}
    for key, entry in data.items():
        if not isinstance(entry, dict) or any(not isinstance(entry.get(lg), str) for lg in LANGS):
            raise ZzevalError(
                f"reference/{_LABELS_FILE}, key {key!r}: needs a text for each of {LANGS}"
            )
        out[str(key)] = {lg: entry[lg] for lg in LANGS}
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


def pollutant_label(pollutant: str, lang: str = DEFAULT_LANG) -> str:
    """Display name of a pollutant (``PM2.5``, ``SO2`` … ``CO2``); unknown names pass through."""
    return t_or(f"pollutant.{pollutant}", pollutant, lang)


def measure_label(measure: str, lang: str = DEFAULT_LANG) -> str:
    """Display name of an emission-reduction measure key; unknown keys pass through."""
    return t_or(f"measure.{measure}", measure, lang)


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
