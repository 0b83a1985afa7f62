"""The shared evaluation: save/load, summary, and the per-township slice the build keys reports on."""

from __future__ import annotations

import copy
from dataclasses import field, fields, make_dataclass

import pytest

from zzeval.assess.evaluate import RANKED_INDICATORS, Evaluation, ReportSource
from zzeval.assess.ranking import VALIDITY_COLUMNS
from zzeval.build.hashing import content_digest


@pytest.fixture(scope="module")
def evaluation(tiny30):
    return tiny30[2]  # the session's (tests/conftest.py): days=30, draws=200, n_boot=10


def test_save_load_roundtrip_and_summary(evaluation, tmp_path):
    loaded = Evaluation.load(evaluation.save(tmp_path / "ev.pkl"))
    assert loaded.slugs == ["bagong", "liushukou"]
    summary = loaded.summary_table("zh")
    assert list(summary["township"]) == ["bagong", "liushukou"]
    # bagong: 3,380 of 3,400 households (tiny_season.RETROFITS)
    assert summary.set_index("township").at["bagong", "heating_done_households"] == 3380
    assert set(summary["verdict"]) <= {"on_track", "warning", "interview"}


def _keys(evaluation) -> dict[str, str]:
    """The slice part of each township report's build key (zzeval.build.plan)."""
    masked = (evaluation.provenance["data_sha256"],)
    return {s: content_digest(evaluation.township_slice(s), masked) for s in evaluation.slugs}


def test_the_rules_indicators_are_the_numeric_indicator_columns(evaluation):
    from zzeval.assess.verdict import INDICATORS

    flags = {"township", "statistics_valid", "months_insufficient", "months_insufficient_prev", "stations_comparable",
             "comprehensive_index_missing", "comprehensive_index_missing_prev",  # which pollutants the index lacks
             "good_day_ratio_missing", "good_day_ratio_missing_prev"}
    columns = {c for c in evaluation.indicators.columns
               if c not in flags and "_separable" not in c and not c.startswith("statistics_valid_")}
    assert columns <= INDICATORS, columns - INDICATORS
    # only the per-type counts of a retrofit type or vehicle class the season has no row of may be absent
    per_kind = {f"heating_{w}_{k}" for w in ("planned", "done")
                for k in ("coal_to_electricity", "coal_to_gas", "waste_heat", "clean_coal")}
    per_kind |= {f"nev_share_{k}_pct" for k in ("bus", "taxi", "sanitation")}
    assert INDICATORS - columns <= per_kind, INDICATORS - columns - per_kind


def test_township_slice_holds_its_rows_and_the_shared_values(evaluation):
    assert isinstance(evaluation, ReportSource)
    cut = evaluation.township_slice("bagong")
    assert type(cut) is Evaluation and cut.data_dir == "" and "evaluated_at" not in cut.provenance
    assert set(cut.progress["township"]) == {"bagong"} and set(cut.daily["township"]) == {"bagong"}
    assert set(cut.emissions.table["township"]) == {"bagong"}
    # of liushukou only what bagong's page ranks it on (and its name in the ranking chart)
    other = cut.indicators.set_index("township").loc["liushukou"]
    ranked = [*RANKED_INDICATORS, *VALIDITY_COLUMNS]  # who is ranked on what (s10-reA F3, zzeval.assess.ranking)
    assert other[ranked].notna().all()
    assert other.drop(ranked).isna().all()
    assert cut.townships.set_index("slug").loc["liushukou"].dropna().index.tolist() == ["name_zh"]
    # what only the county page reads is empty (a township page reading it would fail visibly)
    assert cut.did is None and cut.county_progress.empty and cut.emissions.sensitivity.empty
    # the page built from the slice reads the same values as from the whole evaluation
    assert cut.verdict("bagong") == evaluation.verdict("bagong")


def test_keys_follow_what_a_report_reads(evaluation):
    before = _keys(evaluation)
    assert before == _keys(evaluation)  # deterministic
    assert before["bagong"] != before["liushukou"]

    # a task figure only bagong's report shows → only bagong's key changes
    changed = copy.deepcopy(evaluation)
    mask = changed.indicators["township"] == "bagong"
    changed.indicators.loc[mask, "im_pass_rate_pct"] = 50.0
    after = _keys(changed)
    assert after["bagong"] != before["bagong"] and after["liushukou"] == before["liushukou"]

    # a ranked indicator of bagong → liushukou's rank table changes too
    changed.indicators.loc[mask, "heating_completion_pct"] = 10.0
    again = _keys(changed)
    assert again["liushukou"] != before["liushukou"]

    # a new field is in every key without being listed anywhere
    wider = make_dataclass("WiderEvaluation", [("note", str, field(default="new"))], bases=(Evaluation,))
    widened = wider(**{f.name: getattr(evaluation, f.name) for f in fields(Evaluation)})
    assert all(_keys(widened)[s] != before[s] for s in before)


def test_a_verbatim_copy_of_the_shipped_rules_is_accepted_in_a_season(tmp_path):
    # the shipped file's header says to copy it into the season folder: that copy must pass
    from importlib import resources

    from zzeval.assess.evaluate import check_rules_file
    from zzeval.errors import ZzevalError

    shipped = resources.files("zzeval.reference").joinpath("verdict_rules.yaml").read_text(encoding="utf-8")
    copy = tmp_path / "verdict_rules.yaml"
    copy.write_text(shipped, encoding="utf-8")
    assert check_rules_file(copy).rules  # accepted, with its rules
    copy.write_text(shipped.replace("  warning: {rank: 1", "  caution: {rank: 1"), encoding="utf-8")
    with pytest.raises(ZzevalError, match="level caution has no words"):
        check_rules_file(copy)


def test_a_township_slice_names_what_it_holds(evaluation):
    """Hostile review 6, finding 6: a build's results file of one township passed with another township
    said "unknown township 'liushukou'; known: bagong, liushukou"."""
    from zzeval.errors import UnknownTownshipError

    part = evaluation.township_slice("bagong")
    assert part.verdict("bagong")["township"] == "bagong"
    with pytest.raises(UnknownTownshipError) as caught:
        part.verdict("liushukou")
    assert str(caught.value) == (
        "this evaluation holds the results of bagong only (a build's file for one township), not of 'liushukou': "
        "pass the results file of liushukou (results/liushukou.pkl beside it) as results_path, or leave "
        "results_path empty to evaluate the season here")
    with pytest.raises(UnknownTownshipError, match="unknown township 'lizhai'; known: bagong, liushukou"):
        part.verdict("lizhai")
    with pytest.raises(UnknownTownshipError, match="unknown township 'lizhai'; known: bagong, liushukou"):
        evaluation.verdict("lizhai")
