"""Cases of the re-review after the fourth hostile review of issue 13 that `zzeval validate` passed (or
answered with a message that did not say what to write), made from a `zzeval sample` season
(2 townships: nancun, xiacun). Row numbers are spreadsheet rows: the header is row 1."""

from __future__ import annotations

from pathlib import Path

from tests.input.cases import Case, edit, read, setter, write


def _drop_month(month: str, township: str = "nancun"):
    return edit("dustfall.csv", lambda f: f[~((f["township"] == township) & (f["month"] == month))])


def _only_one_month(folder: Path) -> None:
    frame = read(folder, "dustfall.csv")
    current = frame["month"] >= "2020-10"
    keep = ~((frame["township"] == "nancun") & current & (frame["month"] != "2020-12"))
    write(frame[keep], folder, "dustfall.csv")


def _add_row(name: str, row: dict):
    def func(frame):
        frame.loc[len(frame)] = {c: row.get(c, "") for c in frame.columns}
    return edit(name, func)


def _replace_text(name: str, old: str, new: str):
    def apply(folder: Path) -> None:
        path = folder / name
        path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
    return apply


REVIEW5_CASES = (
    # 2. dustfall: the indicators were taken on the months present; a summer month was dropped
    Case("dustfall_one_month_missing", _drop_month("2020-12"),
         ("dustfall.csv, row 8, column 'month': township nancun has dustfall for 5 of the 6 months of the season "
          "2020-2021: 2020-12 missing; its mean and months over the target would be taken on the months present: "
          "add the missing months' dustfall (t/(month·km²))",), ("remove the township's rows",)),
    Case("dustfall_one_month_of_six", _only_one_month,
         ("township nancun has dustfall for 1 of the 6 months of the season 2020-2021: 2020-10, 2020-11, 2021-01, "
          "2021-02, 2021-03 missing",)),
    Case("dustfall_previous_month_missing", _drop_month("2019-11", "xiacun"),
         ("township xiacun has dustfall for 5 of the 6 months of the season 2019-2020: 2019-11 missing",
          "or remove the township's rows of that season")),
    Case("dustfall_month_between_seasons", _add_row("dustfall.csv", {"township": "xiacun", "month": "2020-06",
                                                                     "dustfall_t_km2_month": "7.0"}),
         ("dustfall.csv, row 26, column 'month': 2020-06 is in neither season compared: the months are 2019-10 .. "
          "2020-03 (season 2019-2020) and 2020-10 .. 2021-03 (season 2020-2021); correct the year or month, or "
          "remove the row",)),
    # 5. a currency sign: "is not a number" without saying what to write
    Case("yen_sign", setter("heating_retrofits.csv", 0, "subsidy_yuan", "¥1353800"),
         ("heating_retrofits.csv, row 2, column 'subsidy_yuan': '¥1353800' is not a number [yuan]; write the "
          "number alone, 1353800 (the column is in yuan), without '¥'",)),
    Case("full_width_yen_and_yuan", setter("heating_retrofits.csv", 0, "subsidy_yuan", "￥1353800元"),
         ("'￥1353800元' is not a number [yuan]; write the number alone, 1353800 (the column is in yuan), without "
          "'￥' and '元'",)),
    Case("rmb_prefix", setter("vehicles.csv", 0, "scrappage_payment_yuan", "RMB 336000"),
         ("vehicles.csv, row 2, column 'scrappage_payment_yuan': 'RMB 336000' is not a number [yuan]; write the "
          "number alone, 336000 (the column is in yuan), without 'RMB'",)),
    Case("yuan_suffix", setter("heating_retrofits.csv", 0, "subsidy_yuan", "1353800元"),
         ("'1353800元' is not a number [yuan]; write the number alone, 1353800 (the column is in yuan), without "
          "'元'",)),
    # 6. a deadline of another year was ignored without a word
    Case("target_deadline_2025", setter("targets.csv", 0, "deadline", "2025-10-31"),
         ("targets.csv, row 2, column 'deadline': 2025-10-31 is not within the season 2020-2021 or the year it "
          "begins (2020-01-01 .. 2021-03-31)", "check the year")),
    Case("target_deadline_2019", setter("targets.csv", 3, "deadline", "2019-10-31"),
         ("targets.csv, row 5, column 'deadline': 2019-10-31 is not within the season 2020-2021",)),
    # 7. a control character inside an id; a two-digit year called "year last"
    Case("nul_in_site_id", _replace_text("sites.csv", "GS-01", "GS\x0001"),
         ("sites.csv, row 2, column 'site_id': 'GS\\u000001' holds the invisible character U+0000 (a NUL byte) at "
          "position 3: the id would not match the same id typed elsewhere; delete the character",)),
    Case("zero_width_in_station_code", _replace_text("stations.csv", "ZZ101", "ZZ\u200b101"),
         ("stations.csv, row 3, column 'station_code': 'ZZ\\u200b101' holds the invisible character U+200B (ZERO "
          "WIDTH SPACE) at position 3",)),
    Case("two_digit_year_first", setter("heating_retrofits.csv", 0, "completion_date", "20-09-12"),
         ("heating_retrofits.csv, row 2, column 'completion_date': '20-09-12' has a two-digit year",
          "write the four-digit year first"), ("puts the year last",)),
)
