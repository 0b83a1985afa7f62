"""PM2.5 or PM10 divided (or multiplied) by 10 at every station for part of a season, a season or both (hostile
review s14-hostB N03, N04, N16, N23, N45, N48, N49; N05 at two stations of three).

A decimal slip of the export that hits every station at once passed validate: the checks against the other stations'
same month or days (``aq_month_level``, ``aq_day_level``) see every station move together, the check against the
station's own other months allows 30 times (a unit 1000 times off), the season check (``aq_season_level``) sees a
whole season only, and a whole export in tenths keeps the ratio of the seasons. The stations measure PM beside the
gases, which the slip did not touch: the ratio of a day's PM (µg/m³) to its CO (mg/m³) at one station is bounded by
the sources (coal, traffic, dust burn both), and a slip moves it tenfold.

For each station with CO and each of PM2.5 and PM10, the daily means (days of at least
``air_quality.copy_day_min_hours`` hours of both) give a daily ratio PM / CO; over each window of
``air_quality.pm_co_window_days`` calendar days (at least ``air_quality.pm_co_window_min_days`` days with both) its
median is compared with

- the plausible range of a window (``air_quality.pm25_co_window_ratio`` / ``air_quality.pm10_co_window_ratio``,
  low and high): a season or both seasons slipped at every station (N04) are below it;
- the station's usual ratio, the median of its daily ratios over both seasons: beyond
  ``air_quality.pm_co_window_factor`` times either way is a part of a season slipped (N03, N16, N23, N45).

Measured on the genuine data named in input_limits.csv (data/sample, the samples of seeds 0-11 and 17-township seeds
1-3, every scenario of the winter generator, and Jincheng's real daily city means 2015-2017 checked as one station).
A window beyond either limit is a judgement (``aq_pm_co_ratio``, confirmable: a spell of genuinely extreme sources
can be); beyond ``air_quality.month_level_ratio`` (30) times the station's usual or the middle of the plausible range
it cannot be genuine and is refused as such. Consecutive refused windows are one spell, named by the days whose own
ratio is on the refused side of the geometric middle between the spell's most extreme window and the usual. A spell
seen at every station (two or more) at overlapping days is said once, "at every station" (the export slipped).

Assumes CO in mg/m³ (checked by its season median elsewhere): a station's season whose CO (or PM) is refused in a
unit 1000 times off, a spell whose CO month the checks of months or days refused, a station without CO, or windows
with too few days with both are not judged. A spell of one station that the checks against the other stations
name (``aq_month_level``, ``aq_day_level``: the other stations right) is said by them only. The spells are found
(:func:`pm_co_spells`) before those checks run, so that they do not judge a station against references that are
themselves slipped (N05, N45b), and said (:func:`report_pm_co_spells`) after them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from zzeval.resources import input_floor, input_limit
from zzeval.season.aq_months import series_codes
from zzeval.season.checks import Collector, season_first_year
from zzeval.season.confirm import judge
from zzeval.season.keys import key_text
from zzeval.season.parsing import show

#: The judgement check (``season.yaml`` ``confirmed:``) of a spell of a station's PM against its CO.
CHECK = "aq_pm_co_ratio"

#: The input_limits.csv keys of each pollutant's plausible range of a window's median of the daily PM / CO.
RANGE_LIMITS = {"PM2.5": "air_quality.pm25_co_window_ratio", "PM10": "air_quality.pm10_co_window_ratio"}

#: The key of the most a window's median may be times (or 1/times) the station's usual ratio.
FACTOR_LIMIT = "air_quality.pm_co_window_factor"

#: The keys of the window's length and of the fewest days with both values it needs.
WINDOW_DAYS, WINDOW_MIN_DAYS = "air_quality.pm_co_window_days", "air_quality.pm_co_window_min_days"

#: The key beyond which (times the usual or the middle of the range) a window cannot be genuine.
HARD_LIMIT = "air_quality.month_level_ratio"

#: The key of the fewest hours of a day's mean.
DAY_MIN_HOURS = "air_quality.copy_day_min_hours"


def daily_ratios(aq: pd.DataFrame, codes: tuple | None = None, min_hours: float | None = None) -> pd.DataFrame:
    """Per station, pollutant of :data:`RANGE_LIMITS` and day with at least ``min_hours`` (default
    ``air_quality.copy_day_min_hours``) hours of it and of CO: ``ratio`` (daily mean PM / daily mean CO), ``series``
    (the PM's number in ``codes``). ``codes``: :func:`zzeval.season.aq_months.series_codes` of ``aq`` (integer keys:
    a text groupby of a season's 900,000 rows takes a second)."""
    columns = ["station", "pollutant", "day", "ratio", "series"]
    series, names = series_codes(aq) if codes is None else codes
    least = input_floor(DAY_MIN_HOURS) if min_hours is None else min_hours
    kinds, stations = names.get_level_values("pollutant"), names.get_level_values("station")
    wanted = np.append(np.asarray(kinds.isin([*RANGE_LIMITS, "CO"]), dtype=bool), False)  # series -1: the False
    rows = np.flatnonzero(wanted[series])
    value = aq["value"].to_numpy(dtype=float)[rows]
    stamp = aq["datetime"].to_numpy()[rows].astype("datetime64[D]")
    ok = (value >= 0) & ~np.isnat(stamp)
    if not ok.any():
        return pd.DataFrame(columns=columns)
    value, stamp, which = value[ok], stamp[ok], series[rows[ok]]
    day0 = stamp.min()
    span = int((stamp.max() - day0).astype(np.int64)) + 1
    key = which.astype(np.int64) * span + (stamp - day0).astype(np.int64)
    hours = np.bincount(key, minlength=len(names) * span)
    total = np.bincount(key, weights=value, minlength=len(names) * span)
    with np.errstate(all="ignore"):
        mean = np.where(hours >= least, total / hours, np.nan).reshape(len(names), span)
    co_of = {stations[k]: k for k in np.flatnonzero(kinds == "CO")}
    pm = np.array([k for k in np.flatnonzero(kinds.isin(list(RANGE_LIMITS))) if stations[k] in co_of], dtype=int)
    if not pm.size:
        return pd.DataFrame(columns=columns)
    with np.errstate(all="ignore"):
        ratio = mean[pm] / mean[[co_of[stations[k]] for k in pm]]
    at, days = np.nonzero(np.isfinite(ratio) & (ratio >= 0))
    which = pm[at]
    return pd.DataFrame({"station": np.asarray(stations, dtype=object)[which],
                         "pollutant": np.asarray(kinds, dtype=object)[which],
                         "day": day0 + days.astype("timedelta64[D]"), "ratio": ratio[at, days], "series": which})


def window_medians(daily: pd.DataFrame) -> pd.DataFrame:
    """:func:`daily_ratios` sorted, with ``window``: the median of the daily ratios over the
    ``air_quality.pm_co_window_days`` days ending on the day (NaN with fewer than ``air_quality.pm_co_window_min_days``
    days)."""
    if daily.empty:
        return daily.assign(window=pd.Series(dtype=float))
    span, least = round(input_floor(WINDOW_DAYS)), round(input_floor(WINDOW_MIN_DAYS))
    daily = daily.sort_values(["series", "day"]).reset_index(drop=True)
    rolled = (daily.set_index("day").groupby("series", sort=False)["ratio"]
              .rolling(f"{span}D", min_periods=least).median())
    return daily.assign(window=rolled.to_numpy())


def _covered(windows: pd.DataFrame, ends: pd.Series) -> np.ndarray:
    """Whether each day of ``windows`` lies in a window (of its station and pollutant) that ``ends`` marks."""
    span = np.timedelta64(round(input_floor(WINDOW_DAYS)) - 1, "D")
    group = windows["series"].to_numpy(dtype=np.int64)
    day = windows["day"].to_numpy().astype("datetime64[D]")
    # one axis for every group: its days shifted far apart, so that a window never reaches another group's days
    stamp = group.astype(np.int64) * 1_000_000 + (day - day.min()).astype(np.int64)
    marked = np.sort(stamp[ends.to_numpy(dtype=bool)])
    if not marked.size:
        return np.zeros(len(windows), dtype=bool)
    at = np.searchsorted(marked, stamp)
    return (at < marked.size) & (marked[np.minimum(at, marked.size - 1)] <= stamp + span.astype(np.int64))


def flag_windows(windows: pd.DataFrame) -> pd.DataFrame:
    """:func:`window_medians` with ``usual`` (the median of the station's daily ratios of the pollutant over both
    seasons, the days of windows beyond the plausible range left out; NaN with fewer than
    ``air_quality.pm_co_window_min_days`` days left: a slip of half a station's days moves the median of all),
    ``low`` / ``high`` (the window below / above the plausible range, or beyond ``air_quality.pm_co_window_factor``
    times the usual) and ``hard`` (beyond ``air_quality.month_level_ratio`` times the usual or the range's
    geometric middle: not genuine)."""
    low_limit = windows["pollutant"].map({p: input_floor(k) for p, k in RANGE_LIMITS.items()}).astype(float)
    high_limit = windows["pollutant"].map({p: input_limit(k) for p, k in RANGE_LIMITS.items()}).astype(float)
    factor, hard = input_limit(FACTOR_LIMIT), input_limit(HARD_LIMIT)
    w, middle = windows["window"], np.sqrt(low_limit * high_limit)
    outside = w.notna() & ((w < low_limit) | (w > high_limit))
    kept = windows["ratio"].where(~_covered(windows, outside))
    by = kept.groupby(windows["series"].to_numpy())
    counted = by.transform("count")
    usual = by.transform("median").where(counted >= input_floor(WINDOW_MIN_DAYS))
    low = w.notna() & ((w < low_limit) | (w * factor < usual))
    high = w.notna() & ((w > high_limit) | (w > usual * factor))
    far = w.notna() & ((w * hard < usual) | (w > usual * hard) | (w * hard < middle) | (w > middle * hard))
    return windows.assign(usual=usual, low=low, high=high, hard=far & (low | high), floor=low_limit,
                          ceiling=high_limit)


def _spells(flagged: pd.DataFrame) -> list[dict]:
    """The spells of consecutive refused windows (same side) of each station and pollutant: station, pollutant,
    side, the days named (first, last, count), the most extreme window, the usual, hard, the first row."""
    span = round(input_floor(WINDOW_DAYS))
    found = []
    for _, one in flagged[flagged["series"].isin(flagged.loc[flagged["low"] | flagged["high"], "series"])].groupby(
            "series", sort=True):
        one = one.reset_index(drop=True)
        station, pollutant = one["station"].iloc[0], one["pollutant"].iloc[0]
        for side in ("low", "high"):
            mark = one[side].to_numpy()
            if not mark.any():
                continue
            edges = np.diff(np.concatenate([[0], mark.astype(np.int8), [0]]))
            for begin, end in zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1), strict=True):
                ends = one.iloc[begin:end]
                extreme = ends["window"].min() if side == "low" else ends["window"].max()
                usual = float(one["usual"].iloc[0])
                middle = np.sqrt(float(one["floor"].iloc[0]) * float(one["ceiling"].iloc[0]))
                cut = np.sqrt(extreme * (usual if usual > 0 else middle))
                start = ends["day"].min() - np.timedelta64(span - 1, "D")
                inside = one[(one["day"] >= start) & (one["day"] <= ends["day"].max())]
                days = inside[inside["ratio"] < cut] if side == "low" else inside[inside["ratio"] > cut]
                if days.empty:
                    days = inside
                found.append({"station": station, "pollutant": pollutant, "side": side, "first": days["day"].min(),
                              "last": days["day"].max(), "days": len(days), "window": float(extreme), "usual": usual,
                              "hard": bool(ends["hard"].any()), "series": int(one["series"].iloc[0]),
                              "floor": float(ends["floor"].iloc[0]), "ceiling": float(ends["ceiling"].iloc[0])})
    return found


def _together(spells: list[dict], stations: set) -> list[list[dict]]:
    """The spells grouped: those of one pollutant and side whose days overlap, at every one of ``stations`` (two or
    more), are one group; any other spell is a group of its own."""
    groups, rest = [], []
    keyed: dict[tuple, list[dict]] = {}
    for s in spells:
        keyed.setdefault((s["pollutant"], s["side"]), []).append(s)
    for same in keyed.values():
        same.sort(key=lambda s: s["first"])
        cluster: list[dict] = []
        for s in [*same, None]:
            if s is not None and cluster and s["first"] <= max(c["last"] for c in cluster):
                cluster.append(s)
                continue
            if cluster:
                if len(stations) >= 2 and {c["station"] for c in cluster} == stations:
                    groups.append(cluster)
                else:
                    rest.extend([c] for c in cluster)
            cluster = [s] if s is not None else []
    return groups + rest


def _day(day) -> str:
    return f"{pd.Timestamp(day):%Y-%m-%d}"


def _against(s: dict) -> str:
    """One station's spell in a message: its days, its most extreme window and its usual ratio."""
    window = round(input_floor(WINDOW_DAYS))
    usual = (f"its usual {s['usual']:.3g} ({s['window'] / s['usual']:.2g} times)" if np.isfinite(s["usual"]) else
             "no usual ratio left (every window of the station is beyond the range)")
    return f"{show(s['station'])} {s['days']} days {_day(s['first'])}..{_day(s['last'])}: {window}-day median " \
           f"{s['window']:.3g}, {usual}"


def _message(group: list[dict], every: bool) -> tuple[str, str]:
    """The subject and message of one group of spells (at every station when ``every``)."""
    s0 = group[0]
    pollutant, low = s0["pollutant"], s0["side"] == "low"
    first, last = _day(min(s["first"] for s in group)), _day(max(s["last"] for s in group))
    where = (f"at every station ({', '.join(show(s['station']) for s in group)}: the export slipped)" if every
             else f"at station {show(s0['station'])}")
    fix = (f"divided by 10 (a decimal slip of the export)? multiply {pollutant} of those days by 10" if low else
           f"multiplied by 10 (tenths of a µg/m³, the platform's raw integers)? divide {pollutant} of those days by 10")
    message = (f"{pollutant} {where}, {first}..{last}: the daily {pollutant} (µg/m³) over the daily CO (mg/m³) of "
               f"the same station is {'low' if low else 'high'} ({'; '.join(_against(s) for s in group)}); genuine "
               f"{round(input_floor(WINDOW_DAYS))}-day medians lie within {s0['floor']:g}..{s0['ceiling']:g} and "
               f"within {input_limit(FACTOR_LIMIT):g} times the station's usual ({RANGE_LIMITS[pollutant]}, "
               f"{FACTOR_LIMIT} in zzeval/reference/input_limits.csv), and a slip of PM leaves the gases as they "
               f"were: are those days' {pollutant} {fix} (CO kept in mg/m³)")
    return f"{'all' if every else s0['station']} {pollutant} {first}..{last}", message


def _first_row(aq: pd.DataFrame, codes: tuple, spell: dict) -> int:
    """The label of the first row of a spell (its station's pollutant on its first day or after)."""
    stamps = aq["datetime"].to_numpy()
    at = np.flatnonzero((codes[0] == spell["series"]) & (stamps >= np.datetime64(spell["first"], "D"))
                        & (aq["value"].to_numpy(dtype=float) >= 0))
    return int(aq.index[at].min()) if at.size else int(aq.index[0])


def pm_co_spells(aq: pd.DataFrame, out: Collector, codes: tuple | None = None,
                 refused: set = frozenset()) -> tuple[list, set]:
    """The groups of spells of PM2.5 or PM10 against CO beyond the limits (module docstring; each a list of one
    station's spell, or of every station's), and the (station, pollutant, month)s of those not confirmed in
    season.yaml (as :class:`numpy.datetime64` months), which the checks against the other stations hold.
    ``refused``: (station, pollutant, season's first year) refused by their season's median (a unit 1000 times
    off): a station's season whose CO or PM is so refused is not judged (said already)."""
    if aq is None or aq.empty or not (aq["pollutant"] == "CO").any():
        return [], set()
    codes = series_codes(aq) if codes is None else codes
    daily = daily_ratios(aq, codes)
    if refused and not daily.empty:
        year = season_first_year(pd.DatetimeIndex(daily["day"]))
        said = [(s, p, int(y)) in refused or (s, "CO", int(y)) in refused
                for s, p, y in zip(daily["station"], daily["pollutant"], year, strict=True)]
        daily = daily[~np.array(said, dtype=bool)]
    if daily.empty:
        return [], set()
    flagged = flag_windows(window_medians(daily))
    if not (flagged["low"] | flagged["high"]).any():
        return [], set()
    names = codes[1]
    measured = set(names.get_level_values("station")[names.get_level_values("pollutant").isin(list(RANGE_LIMITS))])
    groups = _together(_spells(flagged), measured)  # every station measuring PM: one without CO is not seen
    slipped = set()
    for group in groups:
        subject, _ = _message(group, len(group) > 1)
        if key_text(subject) in out.confirmed.get(CHECK, {}) and not any(s["hard"] for s in group):
            continue
        for s in group:
            months = np.arange(np.datetime64(s["first"], "M"), np.datetime64(s["last"], "M") + 1)
            slipped |= {(s["station"], s["pollutant"], m) for m in months}
    return groups, slipped


def report_pm_co_spells(groups: list, aq: pd.DataFrame, fname: str, out: Collector, said: set,
                        codes: tuple | None = None) -> None:
    """Refuse each group of :func:`pm_co_spells`, a judgement (``aq_pm_co_ratio``) unless beyond
    ``air_quality.month_level_ratio``; not a spell of one station whose first and last months of the pollutant
    the checks against the other stations (or of a unit 1000 times off) named already (``said``: (station,
    pollutant, month)): one station's slip is said once, by them; nor a spell of a station whose CO they named in
    its first or last month (CO in another unit, or slipped, moves the ratio)."""
    codes = series_codes(aq) if codes is None and groups else codes
    for whole in groups:
        group = [s for s in whole if not {(s["station"], "CO", np.datetime64(d, "M")) for d in (s["first"], s["last"])}
                 & said]
        every = len(group) > 1 and len(group) == len(whole)
        if not group or not every and {(s["station"], s["pollutant"], np.datetime64(d, "M")) for s in group
                                       for d in (s["first"], s["last"])} <= said:
            continue
        subject, message = _message(group, every)
        where = (fname, min(_first_row(aq, codes, s) for s in group) + 2, "value")
        if any(s["hard"] for s in group):
            out.add(*where, f"{message}; beyond {input_limit(HARD_LIMIT):g} times ({HARD_LIMIT}) no spell is genuine")
        else:
            judge(out, CHECK, subject, where, message)


def check_pm_co_ratio(aq: pd.DataFrame, fname: str, out: Collector, codes: tuple | None = None) -> set:
    """:func:`pm_co_spells` refused (:func:`report_pm_co_spells`, nothing said before); returns the (station,
    pollutant, month)s refused and not confirmed."""
    groups, slipped = pm_co_spells(aq, out, codes)
    report_pm_co_spells(groups, aq, fname, out, set(), codes)
    return slipped
