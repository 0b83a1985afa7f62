"""A build in one language never replaces, without a word, the reports built in another
(issue 13's fresh review: ``--lang en`` into the README's ``reports`` folder rebuilt every Chinese
report in English)."""

from __future__ import annotations

import json

import pytest

from tests.build.helpers import build_kwargs
from zzeval.build.builder import build_reports
from zzeval.build.plan import DEFAULT_SEASON
from zzeval.build.records import STATE_FILE
from zzeval.errors import BuildError


def _files(folder) -> dict:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_the_state_records_the_language_of_the_reports(built):
    _, out = built
    state = json.loads((out / DEFAULT_SEASON / STATE_FILE).read_text(encoding="utf-8"))
    assert state["lang"] == "zh"


def test_english_over_chinese_reports_is_refused_and_nothing_changes(built):
    data, out = built
    before = _files(out)
    with pytest.raises(BuildError) as err:
        build_reports(data, out_dir=out, **build_kwargs(lang="en"))
    message = str(err.value)
    assert "Chinese (zh)" in message and "English (en)" in message
    assert "--out out-en" in message and "--force" in message
    assert _files(out) == before


def test_force_replaces_them_and_records_the_new_language(built):
    data, out = built
    summary = build_reports(data, out_dir=out, **build_kwargs(lang="en", force=True))
    assert summary.ok, summary.text()
    state = json.loads((out / DEFAULT_SEASON / STATE_FILE).read_text(encoding="utf-8"))
    assert state["lang"] == "en"
    # and another English build there is an ordinary (incremental) rebuild
    again = build_reports(data, out_dir=out, **build_kwargs(lang="en"))
    assert again.ok and not again.built
