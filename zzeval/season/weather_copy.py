"""Weather copied from a year earlier (issue 13; review 6b findings 5, 6 and 7).

A season's hourly weather that is last season's file with the year changed makes the weather
adjustment credit the measures with the whole change of the air. The copy may be of any source
(the county-wide rows or a station) into any other (last season's county rows written as every
station's rows of this season, or the other way round), of part of the season, and re-exported
at another precision (temperature in whole °C). So each source of a season (a station, or
``county``) is compared hour by hour with every source of the season before, one year earlier (and
of the season before that, two years earlier, when the table has it), also stamped a few hours off
(:data:`COPY_SHIFTS_H`: a copy in UTC as Beijing time, or moved by 365 days across 29 February) and
at any other shift of whole hours within ``meteorology.copy_shift_window_days`` (a copy moved by a
week, or by 52 weeks to keep the weekdays; hostile review 9A finding 8) where enough hours match
(:func:`_shifts_to_compare`: one hash join of the two seasons' hours, :func:`same_bin_pairs`, counted
per shift):
an hour matches when at least 4 of the 5 inputs of :data:`VARYING_WEATHER` fall in the same bin
(``meteorology.copy_bin_*`` of ``zzeval/reference/input_limits.csv``: 1 °C, 2 %, 0.5 m/s, 10°,
1 hPa). Genuine weather matches a year earlier in a handful of hours at most; a source whose
matches with one earlier source exceed ``meteorology.same_as_year_before_share`` of its hours,
or run for more than ``meteorology.same_as_year_before_hours`` hours in a row, is refused.

A copy with a constant added to some columns (temperature +1 °C and RH +2 %: two columns move to the next bin,
3 of 5 match; hostile review s11-hostA finding 15, the county's weather-adjusted change −9.55 % → −22.2 %)
keeps the changes of the values: the same comparison is made on the bins of each column's change over
:data:`CHANGE_LAG_H` hours (:func:`change_bins`, :data:`KINDS`), for the sources not refused on the values,
with its own share limit (``meteorology.same_changes_as_year_before_share``), naming the constants found.

The bins are recorded while the meteorology is checked (:func:`record_weather_bins`, also chunk
by chunk for a Parquet table, a station's rows at a time) and compared once the table is read
(:func:`check_weather_copied`). Memory: about 70 bytes per hour of weather and source.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
from pandas.util import hash_array

from zzeval.resources import input_limit
from zzeval.season.checks import Collector, season_first_year
from zzeval.season.keys import county_code
from zzeval.season.parsing import show
from zzeval.season.runs import longest_run

#: The weather model's inputs that vary in any real season (precipitation may be 0 all season at a dry
#: station; the boundary layer height may be missing or 0 all season where it is not measured, and is judged
#: by the stuck-sensor check where measured: zzeval.season.stuck_weather.STUCK_COLUMNS).
VARYING_WEATHER = ("temperature_c", "rh_pct", "wind_speed_ms", "wind_dir_deg", "pressure_hpa")

#: The unit of each bin width, for messages.
_UNITS = {"temperature_c": "°C", "rh_pct": "%", "wind_speed_ms": "m/s", "wind_dir_deg": "°", "pressure_hpa": "hPa"}

#: How far a copy may be stamped from the same hour a year earlier [h]: as is; an hour off (hour-beginning
#: vs hour-ending stamps); 8 hours off (UTC written as Beijing time, or back); a day off (a copy moved by 365
#: days across a 29 February, or pasted a row off). Each is compared on its own.
COPY_SHIFTS_H = (0, -1, 1, -8, 8, -24, 24)

#: The fewest hours of a source matched with one earlier source that can be refused (as a share of its
#: hours, :func:`check_weather_copied`; a run beyond ``meteorology.same_as_year_before_hours`` is longer).
LEAST_COPIED_HOURS = 24

#: The most shifts beyond :data:`COPY_SHIFTS_H` compared hour by hour (those with the most matches): a
#: copy matches at its own shift and, weather changing slowly, at a few hours either side of it.
MAX_MORE_SHIFTS = 12

#: A key of 4 bins found in more than this many hours of a season is left out of the search for
#: shifts (:func:`_shifts_to_compare`): genuine weather repeats one in at most 7 hours of two seasons
#: (the sample's seeds 0-3 and 2020); a key in every hour (a column filled with one value, refused
#: elsewhere) would pair every hour with every other.
COMMON_KEY_HOURS = 48

#: An odd 64-bit multiplier mixing the hashes of a key's columns (:func:`_keys`; also the air-quality day
#: signatures of :mod:`zzeval.season.aq_copy`).
HASH_MIX = np.uint64(0x9E3779B97F4A7C15)

#: A bin number standing for a missing value (bins of real values are far smaller).
_MISSING = np.iinfo(np.int32).min

#: The hours between the two values of a change (:func:`change_bins`): a day, so that the changes do not follow
#: the hour of the day as the hour-to-hour changes of temperature and humidity do.
CHANGE_LAG_H = 24

#: What a copy is found by: the values' bins, and the bins of the values' changes over :data:`CHANGE_LAG_H` hours
#: (a copy with a constant added to some columns, hostile review s11-hostA finding 15), each column of
#: :data:`VARYING_WEATHER` recorded as ``<column>`` and ``<column>_change``
#: (:func:`record_weather_bins`); the limit of the share of matched hours of each.
KINDS = {"values": "meteorology.same_as_year_before_share", "changes": "meteorology.same_changes_as_year_before_share"}


def bin_widths() -> dict[str, float]:
    """The width of the bins in which two hours' values count as the same, per column of
    :data:`VARYING_WEATHER`, in the column's unit (input_limits.csv ``meteorology.copy_bin_*``)."""
    return {c: input_limit(f"meteorology.copy_bin_{c}") for c in VARYING_WEATHER}


def weather_bins(met: pd.DataFrame) -> pd.DataFrame:
    """The bin of each value of :data:`VARYING_WEATHER` (rounded half up to the bin width; wind
    directions modulo 360°; :data:`_MISSING` for an empty cell) as ``int32`` columns."""
    out = {}
    for column, width in bin_widths().items():
        values = pd.to_numeric(met[column], errors="coerce") if column in met else pd.Series(np.nan, index=met.index)
        number = np.floor(values.to_numpy(dtype=float) / width + 0.5)
        if column == "wind_dir_deg":
            number = np.mod(number, round(360 / width))
        out[column] = np.where(np.isfinite(number), number, _MISSING).astype(np.int32)
    return pd.DataFrame(out, index=met.index)


def change_bins(met: pd.DataFrame, source: np.ndarray, hour: np.ndarray) -> pd.DataFrame:
    """The bin of the change of each value of :data:`VARYING_WEATHER` since the same source's value
    :data:`CHANGE_LAG_H` hours earlier (``<column>_change``; wind directions the shorter way round the
    circle; to 10⁻⁶ first, so that a constant added to a column cannot move a change across a bin's edge
    by a rounding error; :data:`_MISSING` where either value is missing): a copy of weather with a constant
    added to a column has that column's changes. ``source`` and ``hour``: each row's source and hour number."""
    code = pd.factorize(source)[0].astype(np.int64) << 32
    keys = pd.Index(code + hour)
    unique = ~keys.duplicated()
    found = pd.Index(keys[unique]).get_indexer(code + hour - CHANGE_LAG_H)
    earlier = np.where(found >= 0, np.flatnonzero(unique)[np.maximum(found, 0)], -1)
    out = {}
    for column, width in bin_widths().items():
        values = pd.to_numeric(met[column], errors="coerce").to_numpy(dtype=float) if column in met else \
            np.full(len(met), np.nan)
        change = np.where(earlier >= 0, values - values[earlier], np.nan)
        if column == "wind_dir_deg":
            change = np.mod(change + 180, 360) - 180
        number = np.floor(np.round(change, 6) / width + 0.5)
        out[f"{column}_change"] = np.where(np.isfinite(number), number, _MISSING).astype(np.int32)
    return pd.DataFrame(out, index=met.index)


def record_weather_bins(met: pd.DataFrame, fname: str, out: Collector) -> None:
    """Keep, on ``out``, the source, hour, row, bins and bins of the changes (:func:`change_bins`) of each
    meteorology row of ``met`` (whole stations: a table, or a station-complete chunk of a Parquet table)."""
    if met is None or met.empty:
        return
    given = met["datetime"].notna()
    rows = met[given]
    if rows.empty:
        return
    source = county_code(rows["station_code"]).astype(str)
    hour = pd.to_datetime(rows["datetime"]).to_numpy().astype("datetime64[h]").astype(np.int64)
    kept = pd.concat([weather_bins(rows), change_bins(rows, source.to_numpy(), hour)], axis=1).assign(
        source=source.to_numpy(), hour=hour, row=rows.index.to_numpy(dtype=np.int64) + 2, file=fname)
    out.weather_bins.append(kept.reset_index(drop=True))


def _hashes(frame: pd.DataFrame) -> dict[str, np.ndarray]:
    """A 64-bit hash of each row's bin per column of :data:`VARYING_WEATHER` and of its source, and its
    hour number (computed once per frame; :func:`_keys` combines them)."""
    out = {c: hash_array(frame[c].to_numpy()) for c in VARYING_WEATHER}
    out["source"] = hash_array(frame["source"].to_numpy(dtype=object))
    out["hour"] = frame["hour"].to_numpy()
    return out


def _when(hashes: dict[str, np.ndarray], shift_h: int = 0) -> np.ndarray:
    """The hash of each row's day and hour of the year, ``shift_h`` hours later."""
    stamp = pd.to_datetime(hashes["hour"] + shift_h, unit="h")
    return hash_array(((stamp.month * 32 + stamp.day) * 24 + stamp.hour).to_numpy())


def _keys(hashes: dict[str, np.ndarray], when: np.ndarray, skip: str, own: bool = False) -> np.ndarray:
    """A key per row of its day and hour of the year (``when``) and the bins of every column but
    ``skip`` (and its source when ``own``): the hashes of :func:`_hashes` combined."""
    key = when
    for column in (*VARYING_WEATHER, "source") if own else VARYING_WEATHER:
        if column != skip:
            key = key * HASH_MIX ^ hashes[column]
    return key


def _matches(now: pd.DataFrame, before: pd.DataFrame, shift_h: int = 0, now_hashes: dict | None = None) -> pd.Series:
    """For each row of ``now``, the source of ``before`` whose hour ``shift_h`` hours before the same
    hour a year earlier has the same bins in at least 4 of the 5 columns: its own source if that
    matches, else the county rows, else the first station by code; empty where none matches.
    ``now_hashes``: :func:`_hashes` of ``now`` when the caller has them."""
    before = before.assign(order=before["source"] != "county").sort_values(["order", "source"], kind="stable")
    now_hashes = _hashes(now) if now_hashes is None else now_hashes
    then, sources = _hashes(before), before["source"].to_numpy(dtype=object)
    when_now, when_then = _when(now_hashes), _when(then, shift_h)
    found = np.full(len(now), -1)
    for own in (True, False):
        for skip in VARYING_WEATHER:
            keys = pd.Index(_keys(then, when_then, skip, own))
            first = ~keys.duplicated()
            at = keys[first].get_indexer(_keys(now_hashes, when_now, skip, own))
            new = (found < 0) & (at >= 0)
            found[new] = np.flatnonzero(first)[at[new]]
    return pd.Series(np.where(found >= 0, sources[found], None), index=now.index, dtype="object")


def _calendar_hours(hour: np.ndarray) -> np.ndarray:
    """The place of each hour number in a July-to-June year that has a 29 February (hours from 1 July
    00:00): the same month, day and hour of any year have the same place, as in :func:`_when`."""
    stamp = pd.to_datetime(hour, unit="h")
    ref = pd.to_datetime(pd.DataFrame({"year": np.where(stamp.month >= 7, 1999, 2000), "month": stamp.month,
                                       "day": stamp.day, "hour": stamp.hour}))
    return ((ref - pd.Timestamp("1999-07-01")) // pd.Timedelta(hours=1)).to_numpy()


def same_bin_pairs(now: tuple[dict, pd.DataFrame], then: tuple[dict, pd.DataFrame] | None,
                   keep: Callable[[np.ndarray], np.ndarray]) -> pd.DataFrame:
    """The pairs of a row of ``now`` and a row of ``then`` with the same bins in at least 4 of the 5 columns of
    :data:`VARYING_WEATHER`: one hash join per left-out column on the other 4 bins (the date left out), a key
    found in more than :data:`COMMON_KEY_HOURS` hours of a side left out.

    Each side is ``(hashes, rows)``: :func:`_hashes` of its recorded bins and a frame of as many rows with
    ``hour`` (an hour number on any scale: the caller's) and ``source`` (a code), and any other columns to
    carry on; identical rows of a side count once. ``then`` None: ``now`` against itself, a source only
    against its own rows (the key holds the source). ``keep``: which pairs to keep, of their ``shift``
    (``hour - hour_then``). Returns ``now``'s columns, ``source_then`` and ``shift``, the pairs of each
    left-out column in turn (one pair may come once per column that it matches without)."""
    own = then is None
    found = []
    for skip in VARYING_WEATHER:
        left = _common_keys_left_out(now, skip, own)
        right = left[["key", "hour"]] if own else _common_keys_left_out(then, skip, own)
        pairs = left.merge(right, on="key", suffixes=("", "_then"))
        if own:
            pairs = pairs.assign(source_then=pairs["source"])
        shift = pairs["hour"].to_numpy() - pairs["hour_then"].to_numpy()
        kept = keep(shift)
        columns = [c for c in pairs.columns if c not in ("key", "hour_then")]
        found.append(pairs.loc[kept, columns].assign(shift=shift[kept]))
    return pd.concat(found)


def _common_keys_left_out(side: tuple[dict, pd.DataFrame], skip: str, own: bool) -> pd.DataFrame:
    """The rows of ``side`` (see :func:`same_bin_pairs`) with their ``key`` of the bins but ``skip`` (and the
    source when ``own``), once each, but those whose key is in more than :data:`COMMON_KEY_HOURS` hours."""
    hashes, rows = side
    keyed = rows.assign(key=_keys(hashes, np.zeros(len(rows), dtype=np.uint64), skip, own)).drop_duplicates()
    hours = keyed.drop_duplicates(["key", "hour"])["key"].value_counts()
    return keyed[~keyed["key"].isin(hours.index[hours > COMMON_KEY_HOURS])]


def _shifts_to_compare(now: pd.DataFrame, before: pd.DataFrame, now_hashes: dict) -> list[int]:
    """:data:`COPY_SHIFTS_H` and the other shifts [h] within ``meteorology.copy_shift_window_days`` at which
    at least :data:`LEAST_COPIED_HOURS` hours of one source of ``now`` have the bins of an hour of one source
    of ``before`` in at least 4 of the 5 columns, the day and hour of the year that many hours apart (at
    most :data:`MAX_MORE_SHIFTS`, those with the most such hours). The pairs of :func:`same_bin_pairs` on
    the hours' places in the year, counted per pair of sources and shift: genuine weather a
    year apart matches at any one shift in at most 15 hours (input_limits.csv
    ``meteorology.copy_shift_window_days``), so the shifts added are those of a copy."""
    window = round(input_limit("meteorology.copy_shift_window_days") * 24)
    then = _hashes(before)
    codes = pd.factorize(np.concatenate([now["source"].to_numpy(dtype=object), before["source"].to_numpy(dtype=object)]))[0]
    sides = [(hashes, pd.DataFrame({"hour": _calendar_hours(hashes["hour"]), "source": code}))
             for hashes, code in ((now_hashes, codes[: len(now)]), (then, codes[len(now):]))]
    pairs = same_bin_pairs(*sides, keep=lambda shift: np.abs(shift) <= window)
    counts = pairs.drop_duplicates().groupby(["source", "source_then", "shift"]).size()
    counts = counts[counts >= LEAST_COPIED_HOURS].groupby(level="shift").max()
    more = counts[~counts.index.isin(COPY_SHIFTS_H)].sort_values(ascending=False, kind="stable").head(MAX_MORE_SHIFTS)
    return [*COPY_SHIFTS_H, *sorted(int(s) for s in more.index)]


def copy_rows(out: Collector, kind: str) -> pd.DataFrame:
    """The rows recorded by :func:`record_weather_bins` with the bins of ``kind`` (:data:`KINDS`: the values,
    or their changes) as the columns of :data:`VARYING_WEATHER`, those with at least 4 of them."""
    rows = pd.concat(out.weather_bins, ignore_index=True)
    changes = [f"{c}_change" for c in VARYING_WEATHER]
    if kind == "changes":  # the values' bins kept as <column>_value (the offsets named, _offsets)
        rows = rows.rename(columns={**{c: f"{c}_value" for c in VARYING_WEATHER},
                                    **dict(zip(changes, VARYING_WEATHER, strict=True))})
    else:
        rows = rows.drop(columns=changes)
    return rows[(rows[list(VARYING_WEATHER)] != _MISSING).sum(axis=1) >= 4]


def check_weather_copied(out: Collector) -> None:
    """Refuse each source of a season whose hours match those of one source of an earlier season
    (:func:`_matches`) in more than ``meteorology.same_as_year_before_share`` of its hours (at least
    24), or for more than ``meteorology.same_as_year_before_hours`` hours in a row; the message names
    the file, the first copied row, both sources, the season, the first and last copied hour. Then the
    same on the changes of the values over a day (:data:`KINDS`, the share
    ``meteorology.same_changes_as_year_before_share``), for the sources and seasons not refused so: a copy
    with a constant added to some columns (temperature +1 °C and RH +2 %: hostile review s11-hostA finding 15).

    The earlier season is the one before, or the one before that (when the table has it); the copy may
    be stamped a few hours off (:data:`COPY_SHIFTS_H`) or moved by up to a month
    (:func:`_shifts_to_compare`). Of the ways a source matches beyond the limits,
    the one with the most hours is named."""
    if not out.weather_bins:
        return
    refused: set = set()
    for kind, share in KINDS.items():
        rows = copy_rows(out, kind)
        rows = rows.assign(year=season_first_year(pd.to_datetime(rows["hour"], unit="h")))
        limits = (input_limit(share), input_limit("meteorology.same_as_year_before_hours"))
        for year in sorted(set(rows["year"])):
            for source, found in sorted(_copied_sources(rows, int(year), limits).items()):
                if (source, year) not in refused:
                    refused.add((source, year))
                    offsets = _offsets(rows, found, int(year)) if kind == "changes" else ""
                    _report(out, found, (kind, source, int(year), offsets), limits)


def _copied_sources(rows: pd.DataFrame, year: int, limits: tuple[float, float]) -> dict:
    """Per source of the season from ``year`` whose hours match one earlier source beyond ``limits``: the
    way it matches most ((earlier source, seasons back, shift, longest run), matched rows) and its hours."""
    now, worst = rows[rows["year"] == year], {}
    now_hashes = _hashes(now)
    hours = now.groupby("source").size()
    for back in (1, 2):
        before = rows[rows["year"] == year - back]
        for shift in _shifts_to_compare(now, before, now_hashes) if len(before) else ():
            matched = now.assign(match=_matches(now, before, shift, now_hashes)).dropna(subset=["match"])
            for (source, earlier), part in matched.groupby(["source", "match"], sort=True):
                part = part.sort_values("hour")
                run = longest_run(np.unique(part["hour"].to_numpy()))
                too_many = len(part) >= LEAST_COPIED_HOURS and len(part) > limits[0] * hours[source]
                if (too_many or run > limits[1]) and len(part) > len(worst.get(source, ((), ()))[1]):
                    worst[source] = ((earlier, back, shift, run), part)
    return {source: (how, part, int(hours[source])) for source, (how, part) in worst.items()}


def _offsets(rows: pd.DataFrame, found: tuple, year: int) -> str:
    """The constants added to the columns of a copy found by its changes (``found`` of :func:`_copied_sources`
    on :func:`copy_rows` ``rows`` of the changes): per column, the median difference of the matched hours'
    value bins from the earlier source's, in the column's unit ('temperature_c +1 °C, rh_pct +2 %'), the
    columns without one left out."""
    (earlier, back, shift, _), part, _ = found
    then = rows[(rows["year"] == year - back) & (rows["source"] == earlier)]
    at = pd.Index(_when({"hour": then["hour"].to_numpy()}, shift))
    first = ~at.duplicated()
    pos = pd.Index(at[first]).get_indexer(_when({"hour": part["hour"].to_numpy()}))
    said = []
    for column, width in bin_widths().items():
        now_bins = part[f"{column}_value"].to_numpy()
        then_bins = then[f"{column}_value"].to_numpy()[first][np.maximum(pos, 0)]
        given = (pos >= 0) & (now_bins != _MISSING) & (then_bins != _MISSING)
        step = np.median(now_bins[given].astype(float) - then_bins[given]) if given.any() else 0.0
        if step and column != "wind_dir_deg":
            said.append(f"{column} {step * width:+g}{'' if _UNITS[column] == '°' else ' '}{_UNITS[column]}")
    return ", ".join(said)


def _report(out: Collector, found: tuple, subject: tuple[str, str, int, str], limits: tuple[float, float]) -> None:
    """One refusal: ``found`` of :func:`_copied_sources`, ``subject`` (kind of :data:`KINDS`, source, year,
    the offsets of :func:`_offsets`)."""
    ((earlier, back, shift, run), part, hours), (kind, source, year, offsets) = found, subject
    ago = "a year" if back == 1 else f"{back} years"
    what = "last season's weather with the year changed" if (back, shift) == (1, 0) else \
        "an earlier season's weather with the dates changed"
    ago += f" {'+' if shift > 0 else '-'} {_duration(abs(shift))}" if shift else ""  # a copy stamped off
    first, last = (pd.Timestamp(part["hour"].iloc[i] * 3600, unit="s") for i in (0, -1))
    same = "the same station" if earlier == source else f"station '{show(earlier)}'"
    bins = ", ".join(f"{w:g}{'' if _UNITS[c] == '°' else ' '}{_UNITS[c]}" for c, w in bin_widths().items())
    if kind == "changes":
        have = f"have the changes over {CHANGE_LAG_H} h of the weather of {same} {ago} earlier (the change of each of "
        what += (f" and {offsets} added (a 'corrected' copy)" if offsets else
                 " and a constant added to some columns (a 'corrected' copy)")
        keys = f"{KINDS[kind]}, meteorology.same_as_year_before_hours"
    else:
        have, keys = f"have the weather of {same} {ago} earlier (", "zzeval/reference/input_limits.csv"
    out.add(part["file"].iloc[0], int(part["row"].iloc[0]), "datetime",
            f"station '{show(source)}': {len(part):,} of {hours:,} hours of the season from {year} "
            f"({first:%Y-%m-%d %H:%M} to {last:%Y-%m-%d %H:%M}, up to {run:,} in a row) {have}"
            f"{', '.join(VARYING_WEATHER)} within the same {bins} in at least 4 of the 5; genuine "
            f"weather does so in at most {limits[0]:.0%} of the hours and {limits[1]:g} hours in a row, "
            f"{keys}{' in zzeval/reference/input_limits.csv' if kind == 'changes' else ''}): is this {what}? "
            "write this season's measured weather")


def _duration(hours: int) -> str:
    """``hours`` as said in a message: '8 h', '24 h', '7 days', '7 days 3 h'."""
    if hours <= 24:
        return f"{hours} h"
    days, rest = divmod(hours, 24)
    return f"{days} day{'s' if days > 1 else ''}" + (f" {rest} h" if rest else "")
