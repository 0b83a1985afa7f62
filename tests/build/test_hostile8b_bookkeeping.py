"""Hostile review 8B B1 and B2: the build's bookkeeping said a page's
data changed when only a note in the season folder, the Monte Carlo's run time or the language had.
Each test fails on the code before the fix."""

from __future__ import annotations

import pytest

from tests.build.helpers import build_kwargs
from zzeval.build import hashing
from zzeval.build.builder import build_reports
from zzeval.errors import BuildError

SEASON = "2020-2021"


def test_b1_a_note_in_the_season_folder_leaves_the_build_up_to_date(built):
    """B1 (2): any extra file in the season folder (a note 备注.txt, a subfolder of copies) made every
    build evaluate the season again and rebuild the county page."""
    data, out = built
    (data / "备注.txt").write_text("核对人：张三\n", encoding="utf-8")
    (data / "旧版").mkdir()
    (data / "旧版" / "townships.csv").write_text((data / "townships.csv").read_text(encoding="utf-8"),
                                                 encoding="utf-8")
    summary = build_reports(data, out_dir=out, **build_kwargs())
    assert summary.ok and summary.fast_path and summary.built == []


def test_b1_the_folder_digest_covers_the_files_the_loader_reads(built):
    """What the loader reads (tables in every form, also those it refuses by name, season.yaml,
    verdict_rules.yaml) changes the digest; a note, a copy in a subfolder or reports do not."""
    season = built[0]
    before = hashing.folder_digest(season)
    (season / "备注.txt").write_text("note", encoding="utf-8")
    (season / "reports").mkdir()
    (season / "reports" / "index.html").write_text("<html></html>", encoding="utf-8")
    (season / ".build.lock").write_text("", encoding="utf-8")
    assert hashing.folder_digest(season) == before
    for name, text in (("verdict_rules.yaml", "rules: []\n"), ("townships.xls", "x"), ("Stations.CSV", "x")):
        (season / name).write_text(text, encoding="utf-8")
        assert hashing.folder_digest(season) != before, name
        (season / name).unlink()
    assert hashing.folder_digest(season) == before
    with open(season / "season.yaml", "a", encoding="utf-8") as fh:
        fh.write("# checked\n")
    assert hashing.folder_digest(season) != before
    assert [p.name for p in hashing.season_files(season)][:3] == ["air_quality.csv", "dustfall.csv", "freight.csv"]


def test_b1_the_emission_estimate_holds_no_run_time(tiny30):
    """B1 (1): the county slice's digest included emissions.draws['seconds'], the Monte Carlo's wall
    time: every evaluation rebuilt the county page "its data changed (emissions)"."""
    from zzeval.emissions import estimate_season

    _, season, _ = tiny30
    first, second = (estimate_season(season, draws=100, seed=1) for _ in range(2))
    assert "seconds" not in first.draws
    assert hashing.field_digests(first) == hashing.field_digests(second)


def test_b2_pages_outside_township_built_in_the_other_language_are_named_so(built):
    """B2: ``--lang en --force --township X`` into a zh folder: the index said of the other (Chinese)
    pages "data changed — not rebuilt" although only the language differed."""
    data, out = built
    summary = build_reports(data, out_dir=out, **build_kwargs(lang="en", force=True, townships=["bagong"]))
    assert summary.ok and summary.built == ["bagong"]
    index = (out / SEASON / "index.html").read_text(encoding="utf-8")
    row = index[index.index('<tr id="liushukou">'):]
    row = row[:row.index("</tr>")]
    assert "status-other_lang" in row and "built in Chinese — not rebuilt in English in this build" in row
    assert "status-outdated\"" not in index and "data changed" not in index
    assert "1 more report(s) were built in another language or by other code" in index  # liushukou
    assert ('<span class="status-other_lang">(built in Chinese — not rebuilt in English in this build (data '
            'unchanged))</span>') in index  # the county page's link
    # the folder now holds pages of both languages: a build is refused by the pages it would replace
    season_dir = out / SEASON
    with pytest.raises(BuildError) as zh:
        build_reports(data, out_dir=out, **build_kwargs())
    assert str(zh.value).startswith(f"{season_dir} holds 1 report(s) built in English (en) (巴公镇); building "
                                    "Chinese (zh) reports there would replace them")
    with pytest.raises(BuildError) as en:  # before: passed, as the folder's last build was in English
        build_reports(data, out_dir=out, **build_kwargs(lang="en"))
    assert str(en.value).startswith(f"{season_dir} holds 2 report(s) built in Chinese (zh) (")
    assert "柳树口镇" in str(en.value) and "county" in str(en.value)
    again = build_reports(data, out_dir=out, **build_kwargs(lang="en", townships=["bagong"]))  # its own page only
    assert again.ok
