"""A season file saved while a build reads the folder (hostile review 8, B8): the build keys its
evaluation and its fast path on the folder's digest, taken before the season is loaded. Data
loaded from other bytes is refused (exit 2, nothing written), and an evaluation kept under the
folder's key but computed from other data is not trusted (it would be published with the current
data's fingerprint)."""

from __future__ import annotations

import hashlib
import json
import pickle
import shutil
from pathlib import Path

import pytest

import zzeval.season.loading as loading
from tests.build.helpers import build_kwargs, tiny_prepare
from zzeval.assess.evaluate import data_hash
from zzeval.build.builder import build_reports
from zzeval.build.plan import BuildOptions, evaluation_path, resolve_inputs
from zzeval.errors import BuildError

#: liushukou's straw fire points 1 → 4 in tasks.csv (the clerk's correction)
OLD_ROW, NEW_ROW = "liushukou,1,0,2,2,1,", "liushukou,1,0,2,2,4,"


def _corrected(data: Path) -> str:
    text = (data / "tasks.csv").read_text(encoding="utf-8")
    assert OLD_ROW in text
    return text.replace(OLD_ROW, NEW_ROW)


def _saved_during_load(monkeypatch, data: Path, restore: bool) -> None:
    """``tasks.csv`` replaced by the corrected one after the folder was digested, just before the
    season is read (``restore``: the old one back right after the reading, as an undo or a sync)."""
    real, path = loading.load_season, data / "tasks.csv"
    old, new = path.read_text(encoding="utf-8"), _corrected(data)

    def racing(*args, **kwargs):
        path.write_text(new, encoding="utf-8")
        try:
            return real(*args, **kwargs)
        finally:
            if restore:
                path.write_text(old, encoding="utf-8")

    monkeypatch.setattr(loading, "load_season", racing)


def _straw(out: Path) -> dict:
    doc = json.loads((out / "2020-2021" / "summary.json").read_text(encoding="utf-8"))
    return {row["township"]: row["straw_fire_points"] for row in doc["townships"]}


@pytest.mark.parametrize("restore", [False, True], ids=["saved", "saved_and_undone"])
def test_a_file_saved_while_the_build_reads_the_folder_is_refused(built, monkeypatch, restore):
    data, out = built
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*")}
    _saved_during_load(monkeypatch, data, restore)
    with pytest.raises(BuildError, match=r"changed while the build read it \((the tasks table|tasks\.csv)\): nothing was built"):
        build_reports(data, out_dir=out, **build_kwargs(force=True))
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*")} == before  # nothing written, nothing removed
    monkeypatch.undo()
    summary = build_reports(data, out_dir=out, **build_kwargs())  # built again: the folder as it is now
    assert summary.ok
    assert _straw(out) == {"bagong": 0, "liushukou": 1 if restore else 4}


def test_a_kept_evaluation_of_other_data_is_computed_again(built):
    """The evaluation kept under this folder's key was computed from the corrected file (as a
    build that loaded it while the folder digest was the old one kept it): not trusted."""
    data, out = built
    other = data.parent / "other"
    shutil.copytree(data, other)
    (other / "tasks.csv").write_text(_corrected(data), encoding="utf-8")
    season = loading.load_season(other)
    inputs = resolve_inputs(BuildOptions(data_dir=data, out_dir=out, **build_kwargs()))
    path = evaluation_path(inputs)
    assert path.is_file()
    path.write_bytes(pickle.dumps(tiny_prepare(season)))
    path.with_suffix(".json").write_text(json.dumps({"data_sha256": data_hash(season)}), encoding="utf-8")
    summary = build_reports(data, out_dir=out, **build_kwargs(force=True))
    assert summary.ok
    assert _straw(out) == {"bagong": 0, "liushukou": 1}  # the data's numbers, not the kept evaluation's
    kept = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    assert kept["data_sha256"] == data_hash(loading.load_season(data))
    assert kept["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_cli_refuses_it_with_exit_2_and_writes_nothing(built, monkeypatch, capsys):
    """The default evaluation's path (the season split by station while it loads), by the CLI."""
    from zzeval.cli import main

    data, out = built
    fresh = out.parent / "fresh"
    _saved_during_load(monkeypatch, data, restore=False)
    assert main(["build", "--data", str(data), "--out", str(fresh), "--draws", "200", "--jobs", "1"]) == 2
    assert "changed while the build read it (tasks.csv)" in capsys.readouterr().err
    assert not fresh.exists()


def test_a_file_saved_while_the_season_is_evaluated_is_refused_and_the_evaluation_not_kept(built):
    """The evaluation reads the season's verdict_rules.yaml itself (after the loading): a file saved
    while it runs is refused too, and the evaluation is not kept under the folder's old key."""
    data, out = built
    season = out / "2020-2021"
    before = {p: p.read_bytes() for p in season.rglob("*") if p.is_file() and p.suffix in (".html", ".json", ".pkl")}
    new = _corrected(data)

    def saving_prepare(season_data, **kwargs):
        (data / "tasks.csv").write_text(new, encoding="utf-8")  # the clerk's save, mid-evaluation
        return tiny_prepare(season_data, **kwargs)

    with pytest.raises(BuildError, match=r"changed while the build evaluated it \(tasks\.csv\): nothing was built"):
        build_reports(data, out_dir=out, **build_kwargs(prepare=saving_prepare, force=True))
    after = {p: p.read_bytes() for p in season.rglob("*") if p.is_file() and p.suffix in (".html", ".json", ".pkl")}
    assert after == before  # no page, summary, state or evaluation written
