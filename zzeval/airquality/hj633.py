"""The check of ``zzeval/reference/aqi_breakpoints.csv`` against HJ 633-2012 Table 1, when it is read.

The AQI is what HJ 633-2012 defines: a table with other breakpoints gives numbers that are not the AQI
(hostile review s12-B, finding 1: PM2.5's IAQI-100 breakpoint typed 175 for 75 changed 647 of 1,101 daily
AQI silently; 70 for 75, still rising, 505). So the table read must be the standard's: every pollutant and
averaging time of Table 1, its IAQI levels (0, 50, 100, 150, 200, 300, 400, 500; SO2 1-h and O3 8-h end at
200 and 300, notes 2 and 3), concentrations strictly rising with IAQI, and each concentration the
standard's own. Any difference is refused (exit 2), naming the row, the column and the standard's value:
the file documents the standard with its source, it is not a setting.
"""

from __future__ import annotations

import pandas as pd

from zzeval.errors import ZzevalError

FILE = "zzeval/reference/aqi_breakpoints.csv"

#: HJ 633-2012 Table 1: (pollutant, averaging) -> concentrations at IAQI 0, 50, 100, 150, 200, 300, 400, 500
#: (µg/m³; CO mg/m³), as the standard prints them (FACTS.md § 5.2).
TABLE_1 = {
    ("SO2", "24h"): (0, 50, 150, 475, 800, 1600, 2100, 2620),
    ("SO2", "1h"): (0, 150, 500, 650, 800),
    ("NO2", "24h"): (0, 40, 80, 180, 280, 565, 750, 940),
    ("NO2", "1h"): (0, 100, 200, 700, 1200, 2340, 3090, 3840),
    ("PM10", "24h"): (0, 50, 150, 250, 350, 420, 500, 600),
    ("CO", "24h"): (0, 2, 4, 14, 24, 36, 48, 60),
    ("CO", "1h"): (0, 5, 10, 35, 60, 90, 120, 150),
    ("O3", "1h"): (0, 160, 200, 300, 400, 800, 1000, 1200),
    ("O3", "8h"): (0, 100, 160, 215, 265, 800),
    ("PM2.5", "24h"): (0, 35, 75, 115, 150, 250, 350, 500),
}
IAQI_LEVELS = (0, 50, 100, 150, 200, 300, 400, 500)


def checked_breakpoints(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` (the rows of ``aqi_breakpoints.csv`` as read) when it is HJ 633-2012 Table 1.

    Raises
    ------
    ZzevalError
        Naming the file, the row (as a spreadsheet numbers it: the header is row 1), the column and the
        standard's value: a missing column, pollutant or averaging time, an IAQI level other than Table 1's,
        a concentration not rising with IAQI, or one differing from the standard.
    """
    missing = [c for c in ("pollutant", "averaging", "iaqi", "concentration") if c not in table.columns]
    if missing:
        raise ZzevalError(f"{FILE}: no column {', '.join(missing)}; restore the file (reinstall zzeval)")
    seen = set()
    for (pollutant, averaging), rows in table.groupby(["pollutant", "averaging"], sort=False):
        key = (str(pollutant), str(averaging))
        seen.add(key)
        numbers = [int(i) + 2 for i in rows.index]  # the file's rows: the header is row 1
        if key not in TABLE_1:
            raise ZzevalError(f"{FILE}, row {numbers[0]}: {pollutant} {averaging} is not in HJ 633-2012 Table 1 "
                              f"(it has {', '.join(f'{p} {a}' for p, a in TABLE_1)})")
        standard = TABLE_1[key]
        levels = IAQI_LEVELS[:len(standard)]
        iaqi = pd.to_numeric(rows["iaqi"], errors="coerce").tolist()
        conc = pd.to_numeric(rows["concentration"], errors="coerce").tolist()
        if tuple(iaqi) != levels:
            raise ZzevalError(f"{FILE}, rows {numbers[0]}-{numbers[-1]}, column 'iaqi': {pollutant} {averaging} "
                              f"has IAQI {', '.join(str(v) for v in rows['iaqi'])}; HJ 633-2012 Table 1 has "
                              f"{', '.join(map(str, levels))}, one row each, in this order")
        for i in range(1, len(conc)):
            if not conc[i] > conc[i - 1]:
                raise ZzevalError(f"{FILE}, rows {numbers[i - 1]}-{numbers[i]}, column 'concentration': {pollutant} "
                                  f"{averaging} at IAQI {levels[i - 1]} and {levels[i]} are "
                                  f"{rows['concentration'].iloc[i - 1]} and {rows['concentration'].iloc[i]}: "
                                  f"breakpoints must rise with IAQI (HJ 633-2012 Table 1: {standard[i - 1]:g} and "
                                  f"{standard[i]:g})")
        for i, (value, expected) in enumerate(zip(conc, standard, strict=True)):
            if value != expected:
                raise ZzevalError(f"{FILE}, row {numbers[i]}, column 'concentration': {pollutant} {averaging} at IAQI "
                                  f"{levels[i]} is {rows['concentration'].iloc[i]}; HJ 633-2012 Table 1 gives "
                                  f"{expected:g}: the AQI is the standard's, restore {expected:g}")
    absent = [f"{p} {a}" for p, a in TABLE_1 if (p, a) not in seen]
    if absent:
        raise ZzevalError(f"{FILE}: no rows for {', '.join(absent)} (HJ 633-2012 Table 1); restore the file")
    return table
