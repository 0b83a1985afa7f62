"""What the reports show, selected from an evaluation: the numbers must agree with each other."""

from __future__ import annotations

import pytest

from zzeval.report import views


@pytest.fixture(scope="module")
def ev(tiny30):
    return tiny30[2]  # the session's (tests/conftest.py): days=30, draws=200, n_boot=10


def test_measured_change_is_the_change_of_the_means_shown(ev):
    table, _, _ = views.pollutant_table(ev, "bagong", "zh")
    pm = table[table["pollutant"] == "PM2.5"].iloc[0]
    assert pm["observed_change_pct"] == pytest.approx(100 * (pm["mean_current"] / pm["mean_previous"] - 1))
    ind = ev.indicators.set_index("township").loc["bagong"]
    # the card, the verdict and the table use the same official means (valid daily means)
    assert pm["mean_current"] == pytest.approx(ind["pm25_mean_ugm3"])
    assert ind["pm25_change_obs_pct"] == pytest.approx(pm["observed_change_pct"])
    observed = views.adjusted_frame(ev, "bagong").query("kind == 'observed' and pollutant == 'PM2.5'")
    assert observed["change_pct"].iloc[0] == pytest.approx(pm["observed_change_pct"])
    assert views.season_means(ev, "bagong")["O3"][2] == "hourly"


def test_progress_in_the_readers_units(ev):
    zh, _, tints = views.progress_table(ev, "bagong", "zh")
    gas = zh[zh["task"] == "清洁取暖：煤改气"].iloc[0]
    # 380 of 400 gas retrofits: missed, but the township's total (3,380 / 3,400 = 99.4 %) is above the
    # 95 % the warning rule needs: inside the tolerance, and the page says which tolerance
    assert gas["target"] == "≥ 400\u00a0户" and gas["value"] == "380\u00a0户"
    assert gas["status"] == "未完成，在容差内（低于 95.0\u00a0% 才发预警通知函）"
    assert gas["section"] == "第六条"
    en, _, _ = views.progress_table(ev, "bagong", "en")
    row = en[en["task"] == "Clean heating: coal to gas"].iloc[0]
    assert row["value"] == "380\u00a0households"
    assert row["status"] == "not met, inside the tolerance (a warning letter only when below 95.0\u00a0%)"
    assert len(tints) == len(zh) and tints[list(zh["task"]).index("清洁取暖：煤改气")] == "tolerance"


def test_a_task_that_does_not_apply_shows_no_target(ev):
    # no firm with a rail siding in the tiny season: the task is 不涉及 and has no target to show
    zh, _, tints = views.progress_table(ev, "liushukou", "zh")
    siding = zh[zh["task"] == "有专用线企业铁路运输比例"].iloc[0]
    assert (siding["target"], siding["value"], siding["status"]) == ("\u2014", "\u2014", "不涉及")
    met = zh[zh["status"] == "完成"]
    assert len(met) and met["target"].str.match("[≥≤] ").all()


def test_heat_map_is_on_one_higher_is_better_scale(ev):
    from zzeval.report.heatmap import county_task_heatmap

    frame = county_task_heatmap(ev, "zh").dropna(subset=["value"])
    assert frame["value"].between(0, 100).all()
    bagong = frame[(frame["township"] == "巴公镇") & (frame["indicator"] == "I/M 合格率")]
    assert bagong["value"].iloc[0] == pytest.approx(100 * 790 / 850)


def test_labels_and_numbers_for_readers():
    assert views.input_label("household_coal/raw_anthracite/NOx") == "民用散煤排放因子 · 无烟原煤 · NOx"
    assert views.input_label("heating_coal_use/rural/-", "en") == "Coal burned per household per season · rural"
    assert views.signed(-4.04) == "\u22124.0" and views.signed(2.5) == "+2.5"
    assert views.unsigned(-0.0004, 2) == "0.00"


def test_key_figures_and_english_plural(ev):
    cards = views.key_figures(ev, "liushukou", "en")
    labels = [c.label for c in cards]
    assert "Off-scale (爆表) days (AQI > 500)" in labels
    assert "Composite air-quality index" in labels and "Share of good days (AQI ≤ 100)" in labels
    heating = cards[-1]
    assert heating.value == 210 and "of 300 allocated (70.0\u00a0%)" in heating.comparison
    assert heating.note == "plus clean briquettes for 800 of 800 households (not part of the above)"


def test_cost_table_uses_the_subsidies_in_the_data(ev):
    table = views.cost_table(ev, "zh").set_index("措施")
    # tiny_season.RETROFITS subsidies: 18,000,000 + 3,040,000 + 2,520,000 yuan = 2,356 万元
    assert table.at["清洁取暖改造", "投入（万元）"] == "2,356"
    assert "\u00a0(" in table.at["清洁取暖改造", "PM2.5"]  # central (low – high), yuan per tonne


def test_methods_note_states_the_draws_the_estimate_made(ev):
    # review 6b, finding 15: the note said 10,000 draws whatever the build's --draws was
    from dataclasses import replace

    def note(evaluation, lang="zh"):
        return str(views.methods_note(evaluation, lang).data)

    assert ev.emissions.draws["n"] == 200
    assert "蒙特卡洛 200 次抽样得 95% 区间" in note(ev) and "10,000" not in note(ev)
    # a township page renders its slice: the draw count is kept there (the rest of the run record is not)
    township = ev.township_slice("bagong")
    assert township.emissions.draws == {"n": 200}
    assert "200 Monte Carlo draws for the 95 % intervals" in note(township, "en")
    many = replace(ev, emissions=replace(ev.emissions, draws={**ev.emissions.draws, "n": 10_000}))
    assert "蒙特卡洛 10,000 次抽样" in note(many) and "10,000 Monte Carlo draws" in note(many, "en")
    central = replace(ev, emissions=replace(ev.emissions, draws={**ev.emissions.draws, "n": 0}))
    assert "未做蒙特卡洛抽样" in note(central) and "次抽样得" not in note(central)


def test_county_methods_say_when_the_county_weather_was_derived_from_the_stations(ev):
    """One line on the county page's methods and sources when the season had its stations' weather
    only (recorded at loading, zzeval.season.weather_county); none on a township page or otherwise."""
    from dataclasses import replace

    from zzeval.season.data import DERIVED_KEY

    def note(evaluation, lang="zh", county=True):
        return str(views.methods_note(evaluation, lang, county=county).data)

    assert ev.county_weather_from_stations == ()
    assert "全县气象" not in note(ev) and "County weather" not in note(ev, "en")
    derived = replace(ev, meta={**ev.meta, DERIVED_KEY: ["2019-2020", "2020-2021"]})
    zh, en = note(derived), note(derived, "en")
    assert zh.count("<li>") == note(ev).count("<li>") + 1
    assert "<li>全县气象：2019–2020、2020–2021 季的数据只有各站点的气象、没有全县气象行，全县气象由站点推算" in zh
    assert "EPA-454/R-99-005 第 6.2 节" in zh
    assert ("<li>County weather: for 2019–2020, 2020–2021 the data held the stations&#x27; weather only, "
            "no county-wide rows; the county&#x27;s weather is derived from the stations&#x27;") in en
    assert "全县气象" not in note(derived, county=False)  # a township page


def test_values_confirmed_in_season_yaml_are_said_where_they_are_used(ev):
    """A township's verdict box (beside the data-validity flag) names the confirmations that concern it
    and the county-wide ones; the county page lists them all, once; without one neither changes. Each says
    what was confirmed in words (not the check's name), then the subject as season.yaml writes it, a
    township's slug as its name."""
    from dataclasses import replace

    from zzeval.report.county_views import county_validity_notice
    from zzeval.report.story import confirmations_text, verdict_box
    from zzeval.season.confirm import confirmations_in_force

    slug, other = ev.slugs[0], "elsewhere"
    name = ev.name_zh(slug)
    confirmed = {"heating_share": {slug: 1, "unused": 0}, "aq_stuck": {"ZZ9 PM2.5 2020-2021": 2},
                 "weather_clock": {"county 2019-2020": 1}}
    tables = {"townships": ev.townships, "stations": ev.stations.assign(station_code="ZZ9", township=other)}
    items = confirmations_in_force(confirmed, tables)
    assert items == [{"check": "heating_share", "subject": slug, "townships": [slug]},
                     {"check": "aq_stuck", "subject": "ZZ9 PM2.5 2020-2021", "townships": [other]},
                     {"check": "weather_clock", "subject": "county 2019-2020", "townships": []}]
    plain = replace(ev, meta={**ev.meta, "confirmations": []})
    assert verdict_box(plain, slug).data == verdict_box(ev, slug).data and "确认" not in verdict_box(ev, slug).data
    assert county_validity_notice(plain).data == county_validity_notice(ev).data  # the 30-day series' gaps only
    assert "确认" not in county_validity_notice(ev).data
    marked = replace(ev, meta={**ev.meta, "confirmations": items})
    box = verdict_box(marked, slug).data
    assert ("以下数据经县生态环境局在 season.yaml 中确认后按原值使用：清洁取暖改造计划户数超过本乡镇户数的 50\u00a0%（" + name
            + "）；气温日最高值出现在北京时间 14:00 前后 3 小时以外，像按世界时（UTC）记录（county 2019-2020）。") in box, box
    assert "ZZ9" not in box and "heating_share" not in box and f"（{slug}）" not in box
    en = verdict_box(marked, slug, "en").data
    assert ("used as written: households planned for clean-heating retrofits exceed 50\u00a0% of the township&#x27;s "
            f"households ({name} {slug}); the daily temperature peak more than 3 hours from about 14:00 Beijing "
            "time, like times in UTC (county 2019-2020).") in en, en
    county = county_validity_notice(marked).data
    assert county.startswith(county_validity_notice(ev).data) and county.count("以下数据经县生态环境局") == 1
    assert "监测站某污染物在一段时间内的波动远小于其他站点，像仪器卡滞（ZZ9 PM2.5 2020-2021）" in county
    assert "aq_stuck" not in county
    assert confirmations_text(plain, "zh") is None


def test_every_judgement_check_says_in_words_what_was_confirmed():
    """Each check a season.yaml can confirm has its words in the label catalogue, in Chinese and English
    (``confirmed.<check>``), so a check added to JUDGEMENT_CHECKS without them fails here, not on a page."""
    from zzeval.i18n import LANGS, labels
    from zzeval.season.confirm import JUDGEMENT_CHECKS

    catalogue = labels()
    missing = [check for check in JUDGEMENT_CHECKS if f"confirmed.{check}" not in catalogue]
    assert not missing, f"no label confirmed.<check> in zzeval/reference/labels.yaml for {missing}"
    for check in JUDGEMENT_CHECKS:
        entry = catalogue[f"confirmed.{check}"]
        assert all(entry[lang].strip() for lang in LANGS), check
        assert check not in entry["zh"] and check not in entry["en"], check  # words, not the check's name
    stale = {key.removeprefix("confirmed.") for key in catalogue if key.startswith("confirmed.")} - set(JUDGEMENT_CHECKS)
    assert not stale, f"labels of checks that are gone: {sorted(stale)}"


def test_confirmed_labels_say_no_number_of_their_own():
    """A ``confirmed.<check>`` label writes no digit outside its ``{placeholders}`` (PM2.5, PM10 and 1-N月 are
    names, not numbers), and its placeholders are exactly those :data:`CONFIRMED_NUMBERS` fills, in both
    languages: a limit is said as input_limits.csv sets it, read from the key the check itself reads: a
    constant of the season module that judges the check (calls judge/judge_rows with its name, or declares it),
    read there by input_limit/input_floor, and the key's one copy in zzeval/."""
    import importlib
    import re
    from pathlib import Path
    from string import Formatter

    import zzeval.season
    from zzeval.i18n import LANGS, labels, t
    from zzeval.report.story import CONFIRMED_NUMBERS, confirmed_numbers
    from zzeval.season.confirm import JUDGEMENT_CHECKS

    catalogue = labels()
    assert set(CONFIRMED_NUMBERS) <= set(JUDGEMENT_CHECKS)
    for check in JUDGEMENT_CHECKS:
        for lang in LANGS:
            text = catalogue[f"confirmed.{check}"][lang]
            bare = re.sub(r"\{[^}]*\}|PM2\.5|PM10|1-N月", "", text)
            assert not re.search(r"\d", bare), (check, lang, text)
            fields = {name for _, name, _, _ in Formatter().parse(text) if name is not None}
            assert fields == set(CONFIRMED_NUMBERS.get(check, {})), (check, lang, fields)
            said = t(f"confirmed.{check}", lang, **confirmed_numbers(check, lang))
            assert "{" not in said and "}" not in said, (check, lang, said)
    package = Path(zzeval.season.__file__).parents[1]
    everywhere = "".join(p.read_text(encoding="utf-8") for p in package.rglob("*.py"))
    modules = {p.stem: p.read_text(encoding="utf-8") for p in package.joinpath("season").glob("*.py")}
    for check, numbers in CONFIRMED_NUMBERS.items():
        judges = {name for name, src in modules.items()
                  if re.search(rf'\bjudge(?:_rows)?\(\w+, "{check}"|^[A-Z_]+ = "{check}"$', src, re.M)}
        assert len(judges) == 1, (check, judges)
        for source in numbers.values():
            if not isinstance(source, tuple):
                continue
            key = source[0]
            assert everywhere.count(f'"{key}"') == 1, (check, key, "named more than once in zzeval/")
            defined = {}  # season module -> its constant holding the key, assigned in that module (not imported)
            for name, src in modules.items():
                for const in re.findall(rf'^([A-Z_]+) = "{re.escape(key)}"$', src, re.M):
                    if getattr(importlib.import_module(f"zzeval.season.{name}"), const, None) == key:
                        defined[name] = const
            assert set(defined) == judges, (check, key, defined, judges)
            (name, const), = defined.items()
            prefix = key.split(".")[0] + "."  # targets.<task>: every row read by its prefix
            assert (re.search(rf"\binput_(?:limit|floor)\({const}\)", modules[name])
                    or f'input_limit_rows("{prefix}")' in modules[name]), (check, key, name, const)


def test_a_limit_changed_in_the_catalogue_changes_the_confirmation(ev, monkeypatch):
    """The confirmation's sentence follows input_limits.csv: with the replacement distance and the
    clean-heating share changed there (as a county would), the page says the new numbers, not the old."""
    from dataclasses import replace

    from zzeval import resources
    from zzeval.report.story import confirmations_text
    from zzeval.season.confirm import IN_FORCE

    items = [{"check": "replacement_distance", "subject": "ZZ9", "townships": []},
             {"check": "heating_share", "subject": ev.slugs[0], "townships": [ev.slugs[0]]}]
    marked = replace(ev, meta={**ev.meta, IN_FORCE: items})
    before = {lang: confirmations_text(marked, lang) for lang in ("zh", "en")}
    assert "超过 4 km" in before["zh"] and "的 50\u00a0%" in before["zh"], before
    assert "more than 4 km" in before["en"] and "exceed 50\u00a0% of" in before["en"], before
    rows = resources._input_limits()
    changed = {**rows,
               "stations.replacement_distance_km": {**rows["stations.replacement_distance_km"], "max_value": "2.5"},
               "heating_retrofits.share_of_households": {**rows["heating_retrofits.share_of_households"],
                                                         "max_value": "0.6"}}
    monkeypatch.setattr(resources, "_input_limits", lambda: changed)
    after = {lang: confirmations_text(marked, lang) for lang in ("zh", "en")}
    assert "超过 2.5 km" in after["zh"] and "的 60\u00a0%" in after["zh"], after
    assert "more than 2.5 km" in after["en"] and "exceed 60\u00a0% of" in after["en"], after
    assert "4 km" not in after["zh"] + after["en"] and "50\u00a0%" not in after["zh"] + after["en"]
