"""``vehicles``: a scrappage payment written as the per-vehicle standard (补贴标准, yuan per vehicle) instead
of the row's total (hostile review s12-C, F3: 28,000 yuan for the 62 heavy China III trucks a township
scrapped, 451 yuan per vehicle, cut the county's cost per tonne of PM2.5 of the diesel-truck measure by a
factor 4.7). The same mistake in ``heating_retrofits`` is caught by
:func:`zzeval.season.measure_rows.check_subsidy_standard` (1,000 yuan per household fitted with equipment).

A truck row paid less than ``vehicles.scrappage_payment_yuan_per_truck`` per vehicle scrapped is refused;
rows below the general floor ``vehicles.scrappage_payment_yuan_per_vehicle`` (an amount in 万元) are named by
:func:`zzeval.season.plausible.check_payments` instead. Buses, taxis and sanitation vehicles converted to
new-energy ones are paid from other budgets (the sample pays nothing for them) and are not judged. A judgement
check (``scrappage_standard``, ``township vehicle_class emission_standard``): a first instalment paid before
the season's end may be that low.
"""

from __future__ import annotations

import pandas as pd

from zzeval.resources import input_floor
from zzeval.season.checks import Collector
from zzeval.season.confirm import judge_rows

#: The judgement check (``season.yaml`` ``confirmed:``).
CHECK = "scrappage_standard"
#: The key of input_limits.csv: the least scrappage payment per truck [yuan].
PAYMENT_FLOOR = "vehicles.scrappage_payment_yuan_per_truck"
LIMITS_FILE = "zzeval/reference/input_limits.csv"
#: The truck classes whose early scrapping the plan subsidises (plan § 十二, 国三及以下营运柴油货车淘汰).
TRUCKS = ("heavy_truck", "medium_truck", "light_truck")


def check_scrappage_standard(vh: pd.DataFrame | None, fname: str, out: Collector) -> None:
    """Refuse (confirmable) the truck rows paid less per vehicle scrapped than the truck floor (module
    docstring), with the total the amount would give as a per-vehicle standard."""
    if vh is None or vh.empty or "scrappage_payment_yuan" not in vh:
        return
    floor = input_floor(PAYMENT_FLOOR)
    general = input_floor("vehicles.scrappage_payment_yuan_per_vehicle")
    paid, scrapped = vh["scrappage_payment_yuan"], vh["scrapped"]
    per = paid / scrapped.where(scrapped > 0)
    low = vh["vehicle_class"].isin(TRUCKS) & (paid > 0) & (per >= general) & (per < floor)
    if not low.any():
        return
    subject = (vh["township"].astype(str) + " " + vh["vehicle_class"].astype(str) + " "
               + vh["emission_standard"].astype(str))
    judge_rows(out, CHECK, fname, "scrappage_payment_yuan", low, subject,
               lambda i: f"{paid[i]:,.0f} yuan for {scrapped[i]:,.0f} {vh['vehicle_class'][i]} scrapped is "
                         f"{per[i]:,.0f} yuan per vehicle, below the plausible {floor:,.0f} for a truck scrapped "
                         f"early ({LIMITS_FILE}): is this the payment per vehicle (补贴标准) rather than the row's "
                         f"total? write the total paid for the row (per vehicle × scrapped: {paid[i]:,.0f} × "
                         f"{scrapped[i]:,.0f} = {paid[i] * scrapped[i]:,.0f} if {paid[i]:,.0f} is the standard)")
