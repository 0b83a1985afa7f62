"""The report figures: matplotlib/seaborn functions that take tidy DataFrames.

Every function takes a ``lang`` (``"zh"``, default, or ``"en"``), returns a
:class:`matplotlib.figure.Figure` (made without pyplot, so a notebook shows it only where
:func:`zzeval.report.present.figure_html` puts it), labels every axis with its unit and writes
titles and legends in the chosen language (labels from ``reference/labels.yaml``).
:func:`apply_style` (called by each function) sets one seaborn style and registers the CJK
font (:func:`zzeval.report.fonts.setup_fonts`), so the build fails rather than draws boxes.

AQI colours and categories come from ``reference/aqi_levels.csv`` (HJ 633-2012 Table 2:
优 green #00E400 … 严重污染 maroon #7E0023).
"""

from __future__ import annotations

from functools import lru_cache
from importlib.resources import files

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from zzeval.errors import ZzevalError
from zzeval.i18n import (
    check_lang,
    format_number,
    measure_label,
    pollutant_label,
    t,
    unit_label,
)
from zzeval.report import fonts
from zzeval.report.canvas import TITLE_Y
from zzeval.season.data import SeasonPeriod
from zzeval.season.schema import POLLUTANT_UNITS

#: Colour of the season being evaluated and of the comparison season(s), oldest first.
CURRENT_SEASON_COLOUR = "#1f5fa8"
PREVIOUS_SEASON_COLOURS = ("#e08a2c", "#8c8c8c", "#b5b5b5")
#: Observed vs weather-adjusted change.
OBSERVED_COLOUR = "#8c8c8c"
ADJUSTED_COLOUR = "#1f5fa8"
#: Their value labels: the grey of the observed marker is too light for 10 pt text.
LABEL_COLOURS = {"observed": "#5a5a5a", "adjusted": ADJUSTED_COLOUR}
#: Bars of the ranking chart; the township the report is about is highlighted.
BAR_COLOUR = "#9db7d5"
HIGHLIGHT_COLOUR = "#c0392b"
#: Calendar cells: day without valid data, and a day that does not exist (30 Nov + 1).
NO_DATA_COLOUR = "#d9d9d9"
NO_DAY_COLOUR = "#ffffff"

#: Widest figure [in]: A4 (210 mm) less 2 × 14 mm margins is 182 mm = 7.17 in, so a figure up to
#: this width prints at 100 % and its font sizes are the printed sizes.
PRINT_WIDTH_IN = 7.0
#: Smallest font size used in a figure [pt]: ≥ 8 pt in print, and ≥ 8 pt on a phone where the
#: style sheet shows figures at least 560 CSS px wide (10 × 560 / 672 = 8.3 pt).
MIN_FONT_PT = 10.0

AQI_LEVEL_COLUMNS = ("level", "aqi_low", "aqi_high", "category_zh", "category_en", "colour_hex")
SEASON_MONTHS = (10, 11, 12, 1, 2, 3)
#: Height of one month row of the AQI calendar [in]: 0.2 in (14.4 pt) leaves room for the
#: 10 pt month labels (about 13 pt high with the CJK font's line gap) without overlap.
CALENDAR_ROW_IN = 0.2


def agg_figure(**kwargs) -> Figure:
    """A :class:`Figure` on a :class:`~zzeval.report.canvas.ReportCanvas` (Agg, no pyplot) from the start."""
    from zzeval.report.canvas import ReportCanvas

    fig = Figure(**kwargs)
    ReportCanvas(fig)
    return fig


def apply_style() -> str:
    """Set zzeval's seaborn style and the CJK font; return the font family name."""
    import seaborn as sns

    sns.set_theme(style="whitegrid", context="notebook", palette="deep")
    family = fonts.setup_fonts()  # after set_theme, which resets font rcParams
    import matplotlib as mpl

    mpl.rcParams.update(
        {
            "figure.dpi": 100,
            "font.size": MIN_FONT_PT,
            "axes.titlesize": 11.5,
            "figure.titlesize": 11.5,
            "axes.titleweight": "normal",  # the Regular-only CJK font has no bold face
            "figure.titleweight": "normal",
            "axes.labelsize": 10.5,
            "legend.fontsize": MIN_FONT_PT,
            "legend.title_fontsize": MIN_FONT_PT,
            "xtick.labelsize": MIN_FONT_PT,
            "ytick.labelsize": MIN_FONT_PT,
        }
    )
    return family


@lru_cache(maxsize=4)
def _read_levels(path: str | None) -> pd.DataFrame:
    src = files("zzeval").joinpath("reference", "aqi_levels.csv") if path is None else path
    name = "reference/aqi_levels.csv" if path is None else str(path)
    try:
        with (open(src, encoding="utf-8") if path is not None else src.open(encoding="utf-8")) as fh:
            df = pd.read_csv(fh)
    except FileNotFoundError:
        raise ZzevalError(f"{name} not found: the AQI level table is needed for colours") from None
    missing = [c for c in AQI_LEVEL_COLUMNS if c not in df.columns]
    if missing:
        raise ZzevalError(f"{name}: missing column(s) {', '.join(missing)}")
    bad = df.index[~df["colour_hex"].astype(str).str.fullmatch(r"#[0-9A-Fa-f]{6}")]
    if len(bad):
        raise ZzevalError(f"{name}, row {int(bad[0]) + 2}, column 'colour_hex': not #RRGGBB")
    return df.sort_values("aqi_high").reset_index(drop=True)


def aqi_levels(path: str | None = None) -> pd.DataFrame:
    """The AQI level table (HJ 633-2012 Table 2) from ``reference/aqi_levels.csv``.

    Columns ``level, aqi_low, aqi_high, category_zh, category_en, colour_hex``, sorted by
    ``aqi_high``. Raises :class:`ZzevalError` naming the file if it is missing or malformed.
    """
    return _read_levels(path).copy()


def aqi_level_of(aqi, levels: pd.DataFrame | None = None) -> np.ndarray:
    """AQI level (1–6) of each AQI value; 0 where the value is missing.

    A value belongs to the first level whose ``aqi_high`` it does not exceed (AQI 50 is
    level 1 优, 51 is level 2 良); values above the top (爆表, AQI > 500) are the top level.
    """
    lv = aqi_levels() if levels is None else levels
    highs = lv["aqi_high"].to_numpy(dtype=float)
    codes = lv["level"].to_numpy(dtype=int)
    x = np.asarray(aqi, dtype=float)
    idx = np.minimum(np.searchsorted(highs, x, side="left"), len(highs) - 1)
    out = codes[idx]
    return np.where(np.isnan(x), 0, out)


def _require(df: pd.DataFrame, cols, what: str) -> None:
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise ZzevalError(
            f"{what}: the data frame lacks column(s) {', '.join(missing)} "
            f"(has {', '.join(map(str, df.columns))})"
        )


def _season_colours(seasons: list[str]) -> dict[str, str]:
    ordered = sorted(seasons)
    out = {ordered[-1]: CURRENT_SEASON_COLOUR}
    for s, c in zip(reversed(ordered[:-1]), PREVIOUS_SEASON_COLOURS, strict=False):
        out[s] = c
    return {s: out.get(s, PREVIOUS_SEASON_COLOURS[-1]) for s in ordered}


def daily_series(
    df: pd.DataFrame,
    pollutant: str,
    *,
    lang: str = "zh",
    unit: str | None = None,
    title: str | None = None,
    rolling_days: int = 7,
) -> Figure:
    """Daily means of one pollutant for two (or more) seasons, overlaid by day of season.

    Parameters
    ----------
    df : DataFrame
        Tidy: ``season`` (``"2020-2021"``), ``date`` (day), ``value`` (daily mean, in
        ``unit``); rows of other pollutants are dropped if a ``pollutant`` column exists.
    pollutant : str
        ``PM2.5``, ``PM10``, ``SO2``, ``NO2``, ``CO``, ``O3``, ``O3_8h`` or ``AQI``.
    unit : str, optional
        Unit of ``value``; default from :data:`zzeval.season.schema.POLLUTANT_UNITS`
        (µg/m³; mg/m³ for CO).
    rolling_days : int
        Window of the centred rolling mean drawn over the daily values [days].

    Notes
    -----
    Day of season = days since 1 October + 1, so both seasons line up (1 Oct = day 1,
    31 Mar = day 182, or 183 in a leap season).
    """
    check_lang(lang)
    _require(df, ("season", "date", "value"), "daily_series")
    apply_style()
    data = df
    if "pollutant" in data.columns:
        data = data[data["pollutant"] == pollutant]
    if data.empty:
        raise ZzevalError(f"daily_series: no rows for pollutant {pollutant!r}")
    unit = unit or POLLUTANT_UNITS.get(pollutant, "")
    plabel = pollutant_label(pollutant, lang)
    seasons = sorted(data["season"].astype(str).unique())
    colours = _season_colours(seasons)

    fig = agg_figure(figsize=(PRINT_WIDTH_IN, 2.1), layout="constrained")
    ax = fig.add_subplot()
    for season in seasons:
        part = data[data["season"].astype(str) == season].copy()
        start = SeasonPeriod(season).start
        part["day"] = (pd.to_datetime(part["date"]) - start).dt.days + 1
        part = part.sort_values("day")
        series = part.set_index("day")["value"].astype(float)
        full = series.reindex(range(1, SeasonPeriod(season).days + 1))
        c = colours[season]
        ax.plot(full.index, full.to_numpy(), color=c, alpha=0.35, lw=0.9)
        roll = full.rolling(rolling_days, center=True, min_periods=max(1, rolling_days // 2 + 1))
        ax.plot(roll.mean().index, roll.mean().to_numpy(), color=c, lw=2.2, label=season)
    # the pollutant is in the title; the axis names the statistic and unit (fits the axis height)
    ax.set_ylabel(t("axis.daily_mean", lang, unit=unit_label(unit, lang)))
    ax.set_xlim(1, 183)
    ax.set_ylim(bottom=0)
    ax.set_title(title or t("title.daily_series", lang, pollutant=plabel, seasons=" / ".join(seasons)),
                 y=TITLE_Y, loc="left")  # left: on a phone the figure scrolls and a centred title was cut
    _month_axis(ax, SeasonPeriod(seasons[-1]), lang)
    handles, labels_ = ax.get_legend_handles_labels()
    from matplotlib.lines import Line2D
    handles += [
        Line2D([], [], color="#555555", alpha=0.35, lw=0.9),
        Line2D([], [], color="#555555", lw=2.2),
    ]
    labels_ += [t("legend.daily", lang), t("legend.rolling7", lang)]
    # one row under the axes, never over the lines
    fig.legend(handles, labels_, loc="outside lower center", ncols=len(handles), frameon=False)
    return fig


def _month_axis(ax, period: SeasonPeriod, lang: str) -> None:
    """The x axis of a day-of-season plot in months: a line at each month's first day, the
    month's name in its middle."""
    start = period.start
    firsts = [(pd.Timestamp(start.year + (1 if m < 10 else 0), m, 1) - start).days + 1 for m in SEASON_MONTHS]
    ax.set_xticks(firsts[1:])
    ax.tick_params(axis="x", which="major", labelbottom=False, length=0)
    middles = [(a + b) / 2 for a, b in zip(firsts, [*firsts[1:], period.days + 1], strict=True)]
    ax.set_xticks(middles, [t(f"month.{m}", lang) for m in SEASON_MONTHS], minor=True)
    ax.tick_params(axis="x", which="minor", length=0)
    ax.set_xlabel(t("axis.month", lang))
    ax.grid(axis="x", which="major", color="#cccccc", lw=0.8)
    ax.grid(axis="x", which="minor", visible=False)


def _season_of(dates: pd.Series) -> pd.Series:
    d = pd.to_datetime(dates)
    first = d.dt.year.where(d.dt.month >= 10, d.dt.year - 1)
    return first.astype(str) + "-" + (first + 1).astype(str)


def _calendar_panel(ax, part: pd.DataFrame, period: SeasonPeriod, lv, cmap, norm, step: int, lang: str) -> None:
    """One season of the AQI calendar: months Oct … Mar as rows, days of the month as columns;
    a cell's code is -1 (no such day), 0 (no valid data) or the day's level 1..6."""
    grid = np.full((6, 31), -1, dtype=int)
    by_day = dict(zip(part["date"].dt.normalize(), aqi_level_of(part["aqi"], lv), strict=True))
    for day in pd.date_range(period.start, period.end, freq="D"):
        grid[SEASON_MONTHS.index(day.month), day.day - 1] = by_day.get(day, 0)
    ax.imshow(grid, cmap=cmap, norm=norm, aspect="auto", interpolation="nearest")
    days = [1, *range(step, 32, step)]
    ax.set_xticks([d - 1 for d in days], [str(d) for d in days])
    ax.set_yticks(range(6), [t(f"month.{m}", lang) for m in SEASON_MONTHS])
    ax.grid(False)  # white lines between the cells: plain lines, not 39 minor ticks to lay out
    for x in np.arange(-0.5, 31, 1):
        ax.axvline(x, color="white", lw=1.2, zorder=0.5)  # the axis' zorder: where gridlines were
    for y in np.arange(-0.5, 6, 1):
        ax.axhline(y, color="white", lw=1.2, zorder=0.5)


def aqi_calendar(
    df: pd.DataFrame,
    *,
    lang: str = "zh",
    levels: pd.DataFrame | None = None,
    title: str | None = None,
) -> Figure:
    """A calendar of daily AQI levels in the official colours, one panel per season.

    Parameters
    ----------
    df : DataFrame
        ``date`` (day) and ``aqi`` (daily AQI, dimensionless; NaN = no valid data). Days
        outside 1 Oct – 31 Mar are ignored.
    levels : DataFrame, optional
        The level table; default :func:`aqi_levels`.

    Notes
    -----
    Rows are the months Oct … Mar, columns the day of month; a cell is coloured by the
    HJ 633-2012 level of that day's AQI, grey without valid data.
    """
    check_lang(lang)
    _require(df, ("date", "aqi"), "aqi_calendar")
    apply_style()
    from matplotlib.colors import BoundaryNorm, ListedColormap

    lv = aqi_levels() if levels is None else levels
    data = df.copy()
    data["date"] = pd.to_datetime(data["date"])
    data = data[data["date"].dt.month.isin(SEASON_MONTHS)]
    if data.empty:
        raise ZzevalError("aqi_calendar: no days between 1 October and 31 March")
    data["season"] = _season_of(data["date"])
    seasons = sorted(data["season"].unique())
    cat_col = "category_zh" if lang == "zh" else "category_en"

    # codes: -1 = no such day, 0 = no data, 1..6 = level
    colours = [NO_DAY_COLOUR, NO_DATA_COLOUR, *lv["colour_hex"].tolist()]
    cmap = ListedColormap(colours)
    norm = BoundaryNorm(np.arange(-1.5, len(lv) + 1.5), cmap.N)

    # seasons side by side (the same month on the same row), two per row; each month row is
    # CALENDAR_ROW_IN tall so that the month labels (10 pt) never overlap
    ncols = min(2, len(seasons))
    nrows = -(-len(seasons) // ncols)
    height = nrows * (len(SEASON_MONTHS) * CALENDAR_ROW_IN + 0.75) + 0.85
    fig = agg_figure(figsize=(PRINT_WIDTH_IN, height), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False, sharey=True).ravel()
    for ax in axes[len(seasons):]:
        ax.set_visible(False)
    step = 2 if ncols == 1 else 5
    for k, (ax, season) in enumerate(zip(axes, seasons, strict=False)):
        _calendar_panel(ax, data[data["season"] == season], SeasonPeriod(season), lv, cmap, norm, step, lang)
        ax.set_xlabel(t("axis.day_of_month", lang))
        if k % ncols == 0:
            ax.set_ylabel(t("axis.month", lang))
        else:
            ax.tick_params(axis="y", labelleft=False)
        ax.set_title(t("title.aqi_calendar", lang, season=season) if title is None else title, y=TITLE_Y)
    handles = [
        Patch(color=c, label=f"{cat} ({lo}–{hi})")
        for c, cat, lo, hi in zip(
            lv["colour_hex"], lv[cat_col], lv["aqi_low"], lv["aqi_high"], strict=True
        )
    ]
    handles.append(Patch(color=NO_DATA_COLOUR, label=t("legend.no_data", lang)))
    fig.legend(
        handles=handles,
        title=f"{t('legend.aqi_level', lang)} (AQI, {unit_label('1', lang)})",
        loc="outside lower center",
        ncols=4,
        frameon=False,
    )
    return fig


def adjusted_comparison(
    df: pd.DataFrame,
    *,
    lang: str = "zh",
    title: str | None = None,
) -> Figure:
    """Observed vs weather-adjusted change of each pollutant, with 95 % intervals.

    Parameters
    ----------
    df : DataFrame
        ``pollutant``; ``kind`` = ``observed`` or ``adjusted``; ``change_pct`` (change of
        the season mean vs the previous season [%]); ``ci_low_pct`` and ``ci_high_pct``
        (bounds of the 95 % interval [%], NaN when none, e.g. for the observed change).
    """
    check_lang(lang)
    _require(df, ("pollutant", "kind", "change_pct"), "adjusted_comparison")
    apply_style()
    data = df.copy()
    for c in ("ci_low_pct", "ci_high_pct"):
        if c not in data.columns:
            data[c] = np.nan
    order = [p for p in POLLUTANT_UNITS if p in set(data["pollutant"])]
    order += [p for p in data["pollutant"].unique() if p not in order]
    fig = agg_figure(figsize=(PRINT_WIDTH_IN, 1.1 + 0.35 * len(order)), layout="constrained")
    ax = fig.add_subplot()
    styles = {
        "observed": (OBSERVED_COLOUR, "o", -0.2, t("legend.observed", lang)),
        "adjusted": (ADJUSTED_COLOUR, "D", 0.2, t("legend.adjusted", lang)),
    }
    ypos = {p: i for i, p in enumerate(order)}
    ends = []
    for kind, (colour, marker, offset, label) in styles.items():
        part = data[data["kind"] == kind]
        if part.empty:
            continue
        y = part["pollutant"].map(ypos).to_numpy(dtype=float) + offset
        x = part["change_pct"].to_numpy(dtype=float)
        lo = (x - part["ci_low_pct"].to_numpy(dtype=float)).clip(min=0)
        hi = (part["ci_high_pct"].to_numpy(dtype=float) - x).clip(min=0)
        xerr = np.vstack([np.nan_to_num(lo), np.nan_to_num(hi)])
        ax.errorbar(x, y, xerr=xerr, fmt=marker, color=colour, ecolor=colour, elinewidth=2,
                    capsize=3, ms=6, label=label)
        for xi, yi, right in zip(x, y, x + np.nan_to_num(hi), strict=True):
            if np.isfinite(xi):
                # each value right of its marker or interval, on its own line: nothing overlaps
                ax.annotate(format_number(xi, 1, signed=True) + "%", (right, yi), xytext=(5, 0),
                            textcoords="offset points", ha="left", va="center",
                            fontsize=MIN_FONT_PT, color=LABEL_COLOURS.get(kind, colour))
                ends.append(right)
    ax.axvline(0, color="#333333", lw=1)
    if ends:  # room on the right for the value labels (about 14 % of the axis)
        left, right = ax.get_xlim()
        ax.set_xlim(left, max(right, max(ends)) + 0.16 * (max(right, max(ends)) - left))
    ax.set_yticks(range(len(order)), [pollutant_label(p, lang) for p in order])
    ax.set_ylim(len(order) - 0.5, -0.5)
    ax.set_xlabel(t("axis.change_pct", lang))
    ax.set_ylabel(t("axis.pollutant", lang))
    ax.set_title(title or t("title.adjusted", lang), y=TITLE_Y, loc="left")
    # the legend under the axes, never over a marker
    fig.legend(loc="outside lower center", ncols=2, frameon=False)
    return fig


def emission_reductions(
    df: pd.DataFrame,
    *,
    lang: str = "zh",
    unit: str = "t",
    title: str | None = None,
    value: str = "reduction_t",
    low: str = "ci_low_t",
    high: str = "ci_high_t",
) -> Figure:
    """Emission reduction by measure, one panel per pollutant, with 95 % error bars.

    Parameters
    ----------
    df : DataFrame
        ``measure`` (key, e.g. ``clean_heating``, ``road_to_rail``, ``diesel_trucks``;
        shown with :func:`zzeval.i18n.measure_label`), ``pollutant`` (``PM2.5``, ``PM10``,
        ``SO2``, ``NOx``, ``VOCs``, ``CO2`` …), ``value`` = reduction in the season [t],
        ``low``/``high`` = bounds of its 95 % interval [t] (optional).
    unit : str
        Mass unit of the values; shown as ``t/季`` / ``t/season``.
    """
    check_lang(lang)
    _require(df, ("measure", "pollutant", value), "emission_reductions")
    apply_style()
    data = df.copy()
    pols = list(dict.fromkeys(data["pollutant"]))
    measures = list(dict.fromkeys(data["measure"]))
    # up to four panels across (one row: a quarter of the height of a 2 × 2 grid on paper), the
    # measure names once at the left; more pollutants wrap onto further rows
    ncols = min(4, len(pols))
    nrows = int(np.ceil(len(pols) / ncols))
    fig = agg_figure(figsize=(PRINT_WIDTH_IN, 0.5 + nrows * (0.2 * len(measures) + 0.68)),
                     layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False, sharey=True).ravel()
    unit_text = t("unit.per_season", lang, unit=unit)
    import seaborn as sns

    palette = dict(zip(measures, sns.color_palette("deep", len(measures)), strict=True))
    for ax, pol in zip(axes, pols, strict=False):
        part = data[data["pollutant"] == pol].set_index("measure").reindex(measures)
        vals = part[value].to_numpy(dtype=float)
        y = np.arange(len(measures))
        xerr = None
        if low in part.columns and high in part.columns:
            lo = np.nan_to_num((vals - part[low].to_numpy(dtype=float)).clip(min=0))
            hi = np.nan_to_num((part[high].to_numpy(dtype=float) - vals).clip(min=0))
            xerr = np.vstack([lo, hi])
        ax.barh(y, np.nan_to_num(vals), xerr=xerr, color=[palette[m] for m in measures],
                error_kw={"ecolor": "#333333", "capsize": 3, "elinewidth": 1.2})
        ax.set_yticks(y, [measure_label(m, lang) for m in measures])
        ax.set_ylim(len(measures) - 0.5, -0.5)
        ax.set_title(pollutant_label(pol, lang), fontsize=10.5, y=TITLE_Y)
        ax.axvline(0, color="#333333", lw=0.8)
        ax.xaxis.set_major_locator(MaxNLocator(3 if ncols > 2 else 4))
        ax.xaxis.set_major_formatter("{x:,.0f}" if np.nanmax(np.abs(vals), initial=0) >= 10
                                     else "{x:,.2g}")
    for ax in axes[len(pols):]:
        ax.set_visible(False)
    fig.supxlabel(t("axis.reduction", lang, unit=unit_text), fontsize=10.5)
    fig.suptitle(title or t("title.reductions", lang), fontsize=11.5, x=0.01, ha="left")
    return fig


def ranking_bar(
    df: pd.DataFrame,
    *,
    indicator: str,
    unit: str,
    lang: str = "zh",
    township: str = "township",
    value: str = "value",
    highlight: str | None = None,
    ascending: bool = True,
    title: str | None = None,
) -> Figure:
    """Townships ranked by one indicator, as horizontal bars; ``highlight`` one township.

    Parameters
    ----------
    df : DataFrame
        ``township`` (display name) and ``value`` (in ``unit``).
    indicator : str
        Display name of the indicator, already in ``lang`` (e.g. "PM2.5 变化").
    ascending : bool
        True when smaller is better (the best township is drawn at the top).
    """
    check_lang(lang)
    _require(df, (township, value), "ranking_bar")
    apply_style()
    data = df[[township, value]].copy()
    data[township] = data[township].astype(str)
    data = data.sort_values(value, ascending=ascending, kind="stable").reset_index(drop=True)
    n_all = len(data)
    shown = _ranks_shown(n_all, data.index[data[township] == highlight])
    data = _with_gaps(data.loc[shown], township, value, t("axis.ranking_gap", lang))
    fig = agg_figure(figsize=(PRINT_WIDTH_IN, 0.85 + 0.155 * len(data)), layout="constrained")
    ax = fig.add_subplot()
    colours = [HIGHLIGHT_COLOUR if n == highlight else BAR_COLOUR for n in data[township]]
    y = np.arange(len(data))
    vals = data[value].to_numpy(dtype=float)
    ax.barh(y, np.nan_to_num(vals), color=colours)
    ax.set_yticks(y, [n if pd.isna(i) else f"{int(i) + 1}. {n}" for i, n in zip(data["rank0"], data[township],
                                                                              strict=True)])
    ax.set_ylim(len(data) - 0.5, -0.5)
    ax.margins(x=0.1)  # room for the value labels at the bar ends
    ax.axvline(0, color="#333333", lw=0.8)
    for yi, v in zip(y, vals, strict=True):
        if np.isfinite(v):
            ax.annotate(format_number(v, 1), (v, yi), xytext=(3 if v >= 0 else -3, 0),
                        textcoords="offset points", va="center",
                        ha="left" if v >= 0 else "right", fontsize=MIN_FONT_PT)
    ax.set_xlabel(t("axis.value", lang, indicator=indicator, unit=unit_label(unit, lang)))
    ax.set_ylabel(t("axis.township", lang))
    if title is None and n_all > len(shown):
        title = t("title.ranking_subset", lang, indicator=indicator, n=n_all, k=RANKING_ENDS)
    ax.set_title(title or t("title.ranking", lang, indicator=indicator), y=TITLE_Y, loc="left")
    return fig


#: A ranking chart draws every township up to this many; beyond (a province), the first and last
#: :data:`RANKING_ENDS` and the :data:`RANKING_AROUND` on each side of the township shown.
RANKING_MAX_BARS = 30
RANKING_ENDS = 5
RANKING_AROUND = 5


def _ranks_shown(n: int, highlight_at) -> list[int]:
    """Positions (0 = best) a ranking chart of ``n`` townships draws."""
    if n <= RANKING_MAX_BARS:
        return list(range(n))
    keep = set(range(RANKING_ENDS)) | set(range(n - RANKING_ENDS, n))
    for i in highlight_at:
        keep |= set(range(max(0, i - RANKING_AROUND), min(n, i + RANKING_AROUND + 1)))
    return sorted(keep)


def _with_gaps(data: pd.DataFrame, township: str, value: str, gap: str) -> pd.DataFrame:
    """``data`` with its position as ``rank0`` and a row ``gap`` (no bar) where positions skip."""
    rows, last = [], None
    for pos, row in data.iterrows():
        if last is not None and pos > last + 1:
            rows.append({township: gap, value: np.nan, "rank0": np.nan})
        rows.append({township: row[township], value: row[value], "rank0": pos})
        last = pos
    return pd.DataFrame(rows, columns=[township, value, "rank0"])
