"""The sample's optional tables of the plan's site and county tasks (plan §§ 九, 十, 十一, 十二, 十四, 十五).

``sites.csv`` (the register of open-pit mines, coal-gangue hills, industrial-kiln firms, VOCs firms
and steel plants), the § 十一 columns of ``freight.csv`` (``firm_class``, ``siding_due_date``,
``clean_road_t_after``) and ``county_tasks.csv`` (the new black-smoke cameras).

Real: the plan's numbers (12 open-pit mines, 5 cameras, Fusheng Steel's siding due by the end of
November 2020) and the names of the three steel plants of § 九 and of the power plant. Everything
else is synthetic [A]: which township each site is in (the two foundries' townships are assumptions),
the site names ("泽州某…（合成）"), and which tasks are done. The seed-2020 sample plants these
shortfalls: 晋庙铺 has 2 of its 3 open-pit mines rectified, a coal-gangue hill of 周村 self-ignited,
one of 大阳's 2 industrial-kiln firms has not done its fugitive-emission round, and the county
installed 4 of the 5 cameras. Another seed draws its own (one mine, one hill, one kiln firm).

These draws use their own random stream, so the other tables and the air quality do not change.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from zzeval.season import schema

#: Open-pit mines per township (12 in all, plan § 十五) [A].
MINES = {"jinmiaopu": 3, "liushukou": 3, "shanhe": 2, "dadonggou": 2, "lizhai": 1, "chuandi": 1}
#: Coal-gangue hills per township [A].
GANGUE_HILLS = {"xiacun": 2, "zhoucun": 2, "dadonggou": 1, "gaodu": 1, "shanhe": 1}
#: Industrial-kiln firms (steel, building materials, foundries; plan § 十) per township [A].
KILN_FIRMS = {"bagong": 2, "jincun": 2, "nancun": 2, "zhoucun": 1, "dayang": 2, "xiacun": 1}
#: Chemical, coating and printing firms (plan § 十四) per township [A].
VOCS_FIRMS = {"jincun": 2, "nancun": 1, "bagong": 1, "beiyicheng": 1}
#: The steel plants plan § 九 names; their townships but 福盛's are assumptions [A].
STEEL_PLANTS = (("晋城福盛钢铁有限公司", "bagong"), ("山西大通铸业有限公司", "jincun"),
                ("泽州县榕鑫精密铸造公司", "nancun"))
#: The seed-2020 shortfalls: (kind, township, how many sites not done / self-igniting).
SAMPLE_2020_SHORTFALLS = (("open_pit_mine", "jinmiaopu", 1), ("gangue_hill", "zhoucun", 1),
                          ("kiln_firm", "dayang", 1))
#: New black-smoke cameras installed by the end of 2020 in the seed-2020 sample (plan: 5) [A].
CAMERAS_2020 = 4
#: Firm class of the sample's freight enterprises, by a word of their name.
FIRM_CLASS_WORDS = (("热电", "power"), ("钢铁", "steel"), ("焦化", "coking"), ("煤业", "coal_mine"))
#: Rail sidings the plan dates (plan § 十一).
SIDING_DUE = {"晋城福盛钢铁有限公司": "2020-11-30"}

_KIND_ZH = {"open_pit_mine": "露天矿", "gangue_hill": "煤矸石山", "kiln_firm": "炉窑企业", "vocs_firm": "涉VOCs企业"}
_KIND_CODE = {"open_pit_mine": "KS", "gangue_hill": "GS", "kiln_firm": "LY", "vocs_firm": "VO", "steel_plant": "GT"}


def _rng(seed: int) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence([int(seed), 15]))


def _shortfalls(seed: int, present: set[str]) -> tuple[tuple[str, str, int], ...]:
    if seed == 2020:
        return SAMPLE_2020_SHORTFALLS
    rng = _rng(seed)
    out = []
    for kind, table in (("open_pit_mine", MINES), ("gangue_hill", GANGUE_HILLS), ("kiln_firm", KILN_FIRMS)):
        slugs = sorted(s for s in table if s in present)
        if slugs:
            out.append((kind, str(rng.choice(slugs)), 1))
    return tuple(out)


def sites_table(tw: pd.DataFrame, seed: int) -> pd.DataFrame:
    """The ``sites`` register of the real townships in ``tw`` (synthetic townships have none)."""
    present = set(tw["slug"])
    names = dict(zip(tw["slug"], tw["name_zh"], strict=True))
    short = {(kind, slug): n for kind, slug, n in _shortfalls(seed, present)}
    rows = []
    for kind, table in (("open_pit_mine", MINES), ("gangue_hill", GANGUE_HILLS), ("kiln_firm", KILN_FIRMS),
                        ("vocs_firm", VOCS_FIRMS)):
        for slug in [s for s in tw["slug"] if s in table]:
            for i in range(table[slug]):
                lagging = i < short.get((kind, slug), 0)
                hill = kind == "gangue_hill"
                rows.append({"township": slug, "kind": kind,
                             "name": f"{names[slug]}某{_KIND_ZH[kind]}{'甲乙丙丁'[i]}（合成）",
                             # a hill's shortfall is self-ignition (it is in the register); others: not done
                             "done": "yes" if hill or not lagging else "no",
                             "done_date": "" if lagging and not hill else "2020-12-20",
                             "self_ignition": ("yes" if lagging else "no") if hill else ""})
    for name, slug in STEEL_PLANTS:
        if slug in present:
            rows.append({"township": slug, "kind": "steel_plant", "name": name, "done": "yes",
                         "done_date": "2020-12-31", "self_ignition": ""})
    frame = pd.DataFrame(rows, columns=["township", "kind", "name", "done", "done_date", "self_ignition"])
    counter: dict[str, int] = {}
    ids = []
    for kind in frame["kind"]:
        counter[kind] = counter.get(kind, 0) + 1
        ids.append(f"{_KIND_CODE[kind]}-{counter[kind]:02d}")
    frame.insert(1, "site_id", ids)
    return frame[[c.name for c in schema.SITES.columns]]


def freight_columns(freight: pd.DataFrame) -> pd.DataFrame:
    """``freight`` with the optional § 十一 columns: the firm class (from the firm's name), the
    date the plan wants its siding in service, and the clean road tonnes (none in the sample)."""
    out = freight.copy()

    def firm_class(name: str) -> str:
        return next((cls for word, cls in FIRM_CLASS_WORDS if word in name), "other")

    out["firm_class"] = out["enterprise"].map(firm_class)
    out["siding_due_date"] = out["enterprise"].map(SIDING_DUE).fillna("")
    out["clean_road_t_after"] = ""
    return out


def county_tasks_table(seed: int) -> pd.DataFrame:
    """``county_tasks``: the new black-smoke cameras (plan § 十二: 5 by the end of 2020)."""
    cameras = CAMERAS_2020 if seed == 2020 else int(_rng(seed).integers(3, 6))
    return pd.DataFrame({"task": ["black_smoke_cameras_new"], "value": [cameras], "date": ["2020-12-31"]})
