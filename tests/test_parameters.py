"""Notebook parameters as users type them: the township by slug, Chinese name or code, and the
season folder relative to wherever the notebook runs (zzeval.season.locate)."""

from __future__ import annotations

from pathlib import Path

import pytest

from zzeval.season.locate import ParameterError, resolve_data_dir, resolve_township

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"


@pytest.mark.parametrize("given", ["bagong", "巴公镇", "140525108", "  巴公镇 "])
def test_township_by_slug_name_or_code(given):
    assert resolve_township(SAMPLE, given) == "bagong"


def test_a_wrong_township_lists_every_valid_one():
    with pytest.raises(ParameterError) as caught:
        resolve_township(SAMPLE, "巴工镇")
    message = str(caught.value)
    assert message.startswith("unknown township '巴工镇'. Did you mean '巴公镇'?")
    assert message.count("镇 (") + message.count("乡 (") == 17  # all of Zezhou's townships
    assert "柳树口镇 (liushukou, 140525112)" in message


def test_township_table_with_chinese_headers(tmp_path):
    (tmp_path / "townships.csv").write_text(
        "乡镇代码,乡镇名称,拼音,类型,户数,人口\n140525112,柳树口镇,liushukou,mountain,5200,16000\n",
        encoding="gbk")
    assert resolve_township(tmp_path, "柳树口镇") == "liushukou"


@pytest.mark.parametrize("cwd", [".", "notebooks"])
@pytest.mark.parametrize("given", ["data/sample", "../data/sample"])
def test_data_dir_resolves_the_same_from_the_root_and_from_notebooks(monkeypatch, cwd, given):
    monkeypatch.chdir(ROOT / cwd)
    assert resolve_data_dir(given) == SAMPLE


def test_data_dir_absolute_and_missing(tmp_path, monkeypatch):
    assert resolve_data_dir(str(tmp_path)) == tmp_path
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ParameterError, match=r"season folder 'no/such' not found \(looked in: "
                       + str(tmp_path / "no" / "such")):
        resolve_data_dir("no/such")
    with pytest.raises(ParameterError, match="data_dir is empty"):
        resolve_data_dir(" ")
