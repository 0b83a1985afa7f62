"""The township map: a schematic tile map coloured by verdict, or real boundaries from GeoJSON.

No licensed boundaries ship with zzeval. The default map is a *tile map*: one square per
township at its rough relative position, read from ``reference/township_tiles.csv``
(columns ``slug, name_zh, col, row, lon_deg, lat_deg, source``; ``col`` grows eastwards,
``row`` southwards; the ``source`` column says how each cell was chosen — for the sample,
the sample station's longitude/latitude rounded to 0.1° × 0.08°, an assumption, not a
survey). A user who has township boundaries (e.g. from the county's natural-resources
bureau) passes a GeoJSON file; its ``Polygon``/``MultiPolygon`` rings are drawn with
matplotlib patches (no geopandas), each feature matched to a township by a property
(``slug`` or ``name_zh`` by default).

Both maps name each township and its verdict in words, so colour is never the only cue.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib.resources import files
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch, Polygon, Rectangle

from zzeval.errors import ZzevalError
from zzeval.i18n import check_lang, t, verdict_label
from zzeval.report.canvas import TITLE_Y
from zzeval.report.plots import agg_figure

TILE_COLUMNS = ("slug", "name_zh", "col", "row", "source")

#: Fill and text colour per verdict (the report CSS's verdict colours, lightened for a fill).
VERDICT_FILL = {
    "on_track": ("#8fcf9f", "#0b3d1a"),
    "warning": ("#f5c451", "#4a3000"),
    "interview": ("#d9534f", "#ffffff"),
    "fail": ("#6d0f1a", "#ffffff"),
}
NO_VERDICT_FILL = ("#d9d9d9", "#333333")
VERDICT_ORDER = ("interview", "fail", "warning", "on_track")


@lru_cache(maxsize=4)
def _read_tiles(path: str | None) -> pd.DataFrame:
    name = "reference/township_tiles.csv" if path is None else str(path)
    src = files("zzeval").joinpath("reference", "township_tiles.csv") if path is None else Path(path)
    try:
        with src.open(encoding="utf-8") as fh:
            df = pd.read_csv(fh, dtype={"slug": str, "name_zh": str})
    except FileNotFoundError:
        raise ZzevalError(f"{name} not found: the tile map needs the township grid") from None
    missing = [c for c in TILE_COLUMNS if c not in df.columns]
    if missing:
        raise ZzevalError(f"{name}: missing column(s) {', '.join(missing)}")
    for col in ("col", "row"):
        bad = df.index[pd.to_numeric(df[col], errors="coerce").isna()]
        if len(bad):
            raise ZzevalError(f"{name}, row {int(bad[0]) + 2}, column {col!r}: not a whole number")
    dup = df.index[df.duplicated(["col", "row"], keep="first")]
    if len(dup):
        raise ZzevalError(f"{name}, row {int(dup[0]) + 2}, columns 'col'/'row': "
                          "two townships in the same cell")
    empty = df.index[df["source"].isna() | (df["source"].astype(str).str.strip() == "")]
    if len(empty):
        raise ZzevalError(f"{name}, row {int(empty[0]) + 2}, column 'source': empty")
    return df.astype({"col": int, "row": int})


def township_tiles(path: str | Path | None = None) -> pd.DataFrame:
    """The tile grid (``reference/township_tiles.csv`` or ``path``); see the module docstring."""
    return _read_tiles(None if path is None else str(path)).copy()


def _colours(verdict) -> tuple[str, str]:
    return VERDICT_FILL.get(str(verdict), NO_VERDICT_FILL) if verdict == verdict else NO_VERDICT_FILL


def _legend(fig: Figure, verdicts: pd.Series, lang: str) -> None:
    present = [v for v in VERDICT_ORDER if v in set(verdicts.dropna())]
    handles = [Patch(facecolor=VERDICT_FILL[v][0], edgecolor="#555555", label=verdict_label(v, lang))
               for v in present]
    if verdicts.isna().any():
        handles.append(Patch(facecolor=NO_VERDICT_FILL[0], edgecolor="#555555",
                             label=t("legend.no_data", lang)))
    fig.legend(handles=handles, loc="outside lower center", ncols=min(4, max(1, len(handles))),
               frameon=False, fontsize=10)


def _frame(df: pd.DataFrame, what: str) -> pd.DataFrame:
    missing = [c for c in ("township", "verdict") if c not in df.columns]
    if missing:
        raise ZzevalError(f"{what}: the data frame lacks column(s) {', '.join(missing)}")
    return df.drop_duplicates("township").set_index("township")


def tile_map(
    df: pd.DataFrame,
    *,
    lang: str = "zh",
    tiles: pd.DataFrame | None = None,
    title: str | None = None,
    width_in: float = 6.3,
) -> Figure:
    """A schematic tile map of the townships, each square coloured by its verdict.

    Parameters
    ----------
    df : DataFrame
        ``township`` (slug), ``verdict`` (``on_track`` / ``warning`` / ``interview`` /
        ``fail``; NaN = no verdict) and optionally ``name`` (display name; default the tile
        file's ``name_zh``).
    tiles : DataFrame, optional
        The grid (:func:`township_tiles`); a township of ``df`` without a cell raises
        :class:`ZzevalError`.
    width_in : float
        Figure width [in]; the fonts are sized for printing at this width (about 16 cm).
    """
    check_lang(lang)
    from zzeval.report.plots import apply_style

    apply_style()
    grid = township_tiles() if tiles is None else tiles
    data = _frame(df, "tile_map")
    cells = grid.set_index("slug")
    unknown = [s for s in data.index if s not in cells.index]
    if unknown:
        raise ZzevalError(f"tile_map: no tile for township(s) {', '.join(map(str, unknown))} "
                          "in reference/township_tiles.csv")
    cells = cells.loc[[s for s in cells.index if s in data.index or not len(data)]]
    ncol, nrow = int(cells["col"].max()) + 1, int(cells["row"].max()) + 1
    fig = agg_figure(figsize=(width_in, width_in * nrow / ncol * 0.82 + 0.9), layout="constrained")
    ax = fig.add_subplot()
    for slug, cell in cells.iterrows():
        verdict = data["verdict"].get(slug, np.nan)
        fill, ink = _colours(verdict)
        x, y = cell["col"], -cell["row"]
        ax.add_patch(Rectangle((x + 0.04, y - 0.46), 0.92, 0.92, facecolor=fill,
                               edgecolor="white", lw=2))
        name = data["name"].get(slug) if "name" in data.columns else cell["name_zh"]
        word = verdict_label(verdict, lang) if verdict in VERDICT_FILL else t("legend.no_data", lang)
        if lang == "en":
            word = word.split(" (")[0]
        ax.text(x + 0.5, y + 0.1, str(name), ha="center", va="center", fontsize=10, color=ink)
        ax.text(x + 0.5, y - 0.2, word, ha="center", va="center", fontsize=9.5, color=ink)
    ax.set_xlim(0, ncol)
    ax.set_ylim(-nrow + 0.5, 0.5)
    ax.set_aspect(0.82)
    ax.axis("off")
    if title is None or title:  # "" draws none (the page shows the title as text above the image)
        ax.set_title(title or _map_title(lang), fontsize=12, y=TITLE_Y)
    _legend(fig, data["verdict"], lang)
    return fig


def _map_title(lang: str, boundaries: bool = False) -> str:
    """The map's title: the schematic tile map says it is one; a map of the user's boundaries does not."""
    from zzeval.report.index_page import label

    return label("map_title_boundaries" if boundaries else "map_title", lang)


def _boundary_file(data_dir, geojson):
    """The GeoJSON to draw: ``geojson``, else the season folder's :data:`BOUNDARIES_FILE`, else None."""
    if geojson is None and data_dir:
        candidate = Path(str(data_dir)) / BOUNDARIES_FILE
        geojson = candidate if candidate.is_file() else None
    return geojson


def read_geojson(path: str | Path, *, key: str = "slug") -> dict[str, list[np.ndarray]]:
    """Township outlines from a GeoJSON ``FeatureCollection``: ``{key value: [ring, …]}``.

    Each ring is an ``(n, 2)`` array of (longitude, latitude) [degrees] — the outer rings of
    ``Polygon`` and ``MultiPolygon`` geometries (holes are not drawn). ``key`` names the
    feature property that identifies the township (its slug or Chinese name).

    Raises :class:`ZzevalError` naming the file and feature for unreadable JSON, a missing
    property or another geometry type.
    """
    p = Path(path)
    try:
        doc = json.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ZzevalError(f"{p}: GeoJSON file not found") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ZzevalError(f"{p}: not valid GeoJSON ({exc})") from None
    feats = doc.get("features") if isinstance(doc, dict) else None
    if not isinstance(feats, list):
        raise ZzevalError(f"{p}: expected a GeoJSON FeatureCollection with 'features'")
    out: dict[str, list[np.ndarray]] = {}
    for i, feat in enumerate(feats):
        props = (feat or {}).get("properties") or {}
        if key not in props:
            raise ZzevalError(f"{p}, feature {i}: no property {key!r} naming the township")
        geom = (feat or {}).get("geometry") or {}
        kind, coords = geom.get("type"), geom.get("coordinates")
        if kind == "Polygon":
            polys = [coords]
        elif kind == "MultiPolygon":
            polys = coords
        else:
            raise ZzevalError(f"{p}, feature {i} ({props[key]}): geometry {kind!r} is not a "
                              "Polygon or MultiPolygon")
        try:
            rings = [np.asarray(poly[0], dtype=float)[:, :2] for poly in polys]
        except (TypeError, ValueError, IndexError):
            raise ZzevalError(f"{p}, feature {i} ({props[key]}): unreadable coordinates") from None
        out.setdefault(str(props[key]), []).extend(rings)
    return out


def _label_point(rings: list[np.ndarray]) -> tuple[float, float]:
    """Centroid of the largest ring (shoelace formula), where the name is written."""
    best = max(rings, key=lambda r: abs(_area(r)))
    x, y = best[:, 0], best[:, 1]
    a = _area(best)
    if a == 0:
        return float(x.mean()), float(y.mean())
    cross = x * np.roll(y, -1) - np.roll(x, -1) * y
    return float(((x + np.roll(x, -1)) * cross).sum() / (6 * a)), \
        float(((y + np.roll(y, -1)) * cross).sum() / (6 * a))


def _area(ring: np.ndarray) -> float:
    x, y = ring[:, 0], ring[:, 1]
    return float((x * np.roll(y, -1) - np.roll(x, -1) * y).sum() / 2)


def boundary_map(
    df: pd.DataFrame,
    geojson: str | Path,
    *,
    key: str = "slug",
    lang: str = "zh",
    title: str | None = None,
    width_in: float = 6.3,
) -> Figure:
    """Township boundaries from a user's GeoJSON, each filled by its verdict.

    ``df`` as for :func:`tile_map`; ``key`` is the GeoJSON property matching ``df.township``.
    Longitude is scaled by cos(latitude) so the shapes are not stretched east–west.
    """
    check_lang(lang)
    from zzeval.report.plots import apply_style

    apply_style()
    data = _frame(df, "boundary_map")
    shapes = read_geojson(geojson, key=key)
    if "name" in data.columns:  # a feature may name its township by slug or by Chinese name
        by_name = {str(n): s for s, n in data["name"].items()}
        shapes = {by_name.get(k, k): v for k, v in shapes.items()}
    allxy = np.vstack([r for rings in shapes.values() for r in rings])
    lat0 = float(np.mean(allxy[:, 1]))
    span_x = np.ptp(allxy[:, 0]) * np.cos(np.radians(lat0)) or 1.0
    fig = agg_figure(figsize=(width_in, width_in * max(0.4, np.ptp(allxy[:, 1]) / span_x) + 0.7),
                 layout="constrained")
    ax = fig.add_subplot()
    for town, rings in shapes.items():
        verdict = data["verdict"].get(town, np.nan)
        fill, ink = _colours(verdict)
        for ring in rings:
            ax.add_patch(Polygon(ring, closed=True, facecolor=fill, edgecolor="white", lw=1.2))
        name = data["name"].get(town, town) if "name" in data.columns else town
        ax.text(*_label_point(rings), str(name), ha="center", va="center", fontsize=9, color=ink)
    ax.set_xlim(allxy[:, 0].min(), allxy[:, 0].max())
    ax.set_ylim(allxy[:, 1].min(), allxy[:, 1].max())
    ax.set_aspect(1 / np.cos(np.radians(lat0)))
    ax.axis("off")
    if title is None or title:  # "" draws none (the page shows the title as text above the image)
        ax.set_title(title or _map_title(lang, boundaries=True), fontsize=12, y=TITLE_Y)
    _legend(fig, pd.Series([data["verdict"].get(s, np.nan) for s in shapes]), lang)
    return fig


#: File name of a user's township boundaries in the season folder (optional).
BOUNDARIES_FILE = "boundaries.geojson"


def township_map(df: pd.DataFrame, *, lang: str = "zh", data_dir=None, geojson=None,
                 key: str = "slug", title: str | None = None) -> Figure | None:
    """The verdict map for the county page and the index.

    Real boundaries when ``geojson`` is given or the season folder ``data_dir`` holds
    :data:`BOUNDARIES_FILE` (features named by the ``key`` property: slug or Chinese name);
    else the schematic :func:`tile_map`. ``None`` when a township has no tile (a county other
    than Zezhou without a boundary file): the page then shows no map rather than a wrong one.
    ``title=""`` draws no title (:func:`map_figure_html` puts it above the image as text).
    """
    geojson = _boundary_file(data_dir, geojson)
    if geojson is not None:
        return boundary_map(df, geojson, key=key, lang=lang, title=title)
    tiles = township_tiles()
    if not set(df["township"].astype(str)) <= set(tiles["slug"]):
        return None
    return tile_map(df, lang=lang, tiles=tiles, title=title)


def county_map_figure(ev, lang: str = "zh"):
    """The verdict map of every township as a report figure (HTML), for the county notebook;
    ``None`` (nothing shown) when there is no tile or boundary for a township."""
    table = ev.verdicts[lang]
    names = ev.townships.set_index("slug")["name_zh"]
    frame = pd.DataFrame({"township": table["township"].astype(str), "verdict": table["verdict"],
                          "name": [names.get(s, s) for s in table["township"]]})
    return map_figure_html(frame, lang, getattr(ev, "data_dir", None))


def map_figure_html(frame: pd.DataFrame, lang: str = "zh", data_dir=None):
    """The verdict map as page HTML (the county page and the index), its title as text above the
    image: on a phone the image scrolls sideways and a title drawn in it was cut. ``None`` when
    :func:`township_map` draws no map."""
    from zzeval.report.index_page import label
    from zzeval.report.present import figure_html

    fig = township_map(frame, lang=lang, data_dir=data_dir, title="")
    boundaries = _boundary_file(data_dir, None) is not None
    return None if fig is None else figure_html(fig, alt=label("map_alt_boundaries" if boundaries else "map_alt", lang),
                                                title=_map_title(lang, boundaries))
