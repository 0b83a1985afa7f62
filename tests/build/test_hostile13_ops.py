"""Hostile review s13-C (operations and faults): the build state set aside (missing, unreadable, of
another version, hand-edited into a wrong shape), odd ``--out`` folders, ``zzeval export`` misuse."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.build.helpers import build_kwargs
from tests.build.test_stopped_publish import NEW_ROW, OLD_ROW, _index_statuses, _page_data
from zzeval.build.builder import build_reports
from zzeval.build.publish import Publisher
from zzeval.build.records import STATE_FILE, STATE_VERSION, load_state, read_state


def _spoil_state(season: Path, how: str) -> None:
    """The state of a complete build made unusable the way an operator or an upgrade does it."""
    path = season / STATE_FILE
    state = json.loads(path.read_text(encoding="utf-8"))
    if how == "missing":
        path.unlink()
    elif how == "truncated":
        path.write_text(path.read_text(encoding="utf-8")[:500], encoding="utf-8")
    elif how == "older_version":
        path.write_text(json.dumps({**state, "version": STATE_VERSION - 1}), encoding="utf-8")
    elif how == "null_entry":  # "make the build forget liushukou"
        state["reports"]["liushukou"] = None
        path.write_text(json.dumps(state), encoding="utf-8")
    elif how == "reports_list":
        path.write_text(json.dumps({**state, "reports": []}), encoding="utf-8")


@pytest.mark.parametrize("how", ["missing", "truncated", "null_entry"])
def test_a_stopped_first_build_after_the_state_was_lost_leaves_no_index_vouching_for_old_data(built, monkeypatch,
                                                                                                how):
    """C19/C28: the data changed and the state is gone; the build is stopped after its first
    report. The old index (old data hash, old verdicts, every page "built") must not stay beside
    the new summary and the page already rebuilt: every page the build was to replace is marked
    being rebuilt, and the index gives the new data hash."""
    data, out = built
    season = out / "2020-2021"
    old_hash = json.loads((season / "summary.json").read_text(encoding="utf-8"))["data_sha256"]
    tasks = data / "tasks.csv"
    tasks.write_text(tasks.read_text(encoding="utf-8").replace(OLD_ROW, NEW_ROW), encoding="utf-8")
    _spoil_state(season, how)
    real = Publisher.record

    def record_then_stop(self, task, res):
        real(self, task, res)
        raise KeyboardInterrupt  # Ctrl-C right after the first report was published

    monkeypatch.setattr(Publisher, "record", record_then_stop)
    with pytest.raises(KeyboardInterrupt):
        build_reports(data, out_dir=out, **build_kwargs())
    summary = json.loads((season / "summary.json").read_text(encoding="utf-8"))
    assert summary["complete"] is False and summary["data_sha256"] != old_hash
    index = (season / "index.html").read_text(encoding="utf-8")
    assert summary["data_sha256"][:16] in index and old_hash[:16] not in index
    statuses = _index_statuses(season)
    assert sorted(statuses) == ["county.html", "townships/bagong.html", "townships/liushukou.html"]
    assert set(statuses.values()) == {"rebuilding"}, statuses  # all were replaced: none vouched for
    assert "正在重建" in index
    new = [rel for rel in statuses if _page_data(season, rel) == summary["data_sha256"]]
    assert len(new) == 1  # one page of the new data was published before the stop

    monkeypatch.undo()
    assert build_reports(data, out_dir=out, **build_kwargs()).ok  # the next build finishes the set
    assert set(_index_statuses(season).values()) <= {"built", "up_to_date"}


@pytest.mark.parametrize(("how", "problem"), [
    ("null_entry", 'the entry of report "liushukou" is null, not an object'),
    ("reports_list", 'its "reports" is [], not an object of reports by township'),
    ("older_version", f"it is of format version {STATE_VERSION - 1}, not {STATE_VERSION}"),
    ("truncated", "it is not valid JSON"),
])
def test_a_hand_edited_state_is_set_aside_with_a_notice_not_a_traceback(built, capsys, how, problem):
    """C27: a state of the right version but a wrong shape (a township's entry set to null to make
    the build forget it, ``"reports": []``) failed every build with an AttributeError in
    ``check_language``. It is set aside like an unreadable one: every report rebuilt once, said."""
    data, out = built
    season = out / "2020-2021"
    _spoil_state(season, how)
    state, why = load_state(season / STATE_FILE)
    assert state == {"version": STATE_VERSION, "reports": {}} and problem in why
    summary = build_reports(data, out_dir=out, **build_kwargs(dry_run=True, quiet=False))
    assert sorted(r.reason for r in summary.reports) == ["not built before"] * 3
    err = capsys.readouterr().err
    assert f"the build state {season / STATE_FILE} cannot be used: " in err and problem in err
    assert "every report is rebuilt once" in err


def test_the_state_of_a_complete_build_is_usable(baseline):
    """The shape checks accept what the build writes."""
    state, why = load_state(baseline[1] / "2020-2021" / STATE_FILE)
    assert why is None and sorted(state["reports"]) == ["__county__", "bagong", "liushukou"]
    assert read_state(baseline[1] / "2020-2021" / "absent.json") == {"version": STATE_VERSION, "reports": {}}
