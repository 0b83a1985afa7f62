"""The command line: exit codes and messages a scheduled job or an analyst relies on."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import pandas as pd
import pytest

from tests.tiny_season import write_tiny_season
from zzeval.cli import main

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"
#: characters GBK cannot hold, written as office software on a Chinese PC would write them
GBK_SPELLING = {"µ": "μ", "³": "3", "²": "2"}


def test_validate_ok_and_bad(tmp_path, capsys):
    data = write_tiny_season(tmp_path / "season", days=2)
    assert main(["validate", str(data)]) == 0
    assert "SYNTHETIC" in capsys.readouterr().out
    tw = pd.read_csv(data / "townships.csv", dtype=str)
    tw.loc[0, "households"] = "-3"
    tw.to_csv(data / "townships.csv", index=False)
    rt = pd.read_csv(data / "heating_retrofits.csv", dtype=str).drop(columns=["households_planned"])
    rt.loc[1, "township"] = "巴工镇"  # a typo in a township name
    rt.to_csv(data / "heating_retrofits.csv", index=False)
    assert main(["validate", str(data)]) == 2
    err = capsys.readouterr().err
    assert "townships.csv, row 2, column 'households': -3 is below the allowed minimum 0" in err
    assert "heating_retrofits.csv, column 'households_planned': required column is missing" in err
    assert "heating_retrofits.csv, row 3, column 'township': unknown township '巴工镇'" in err
    assert "Nothing was built or written" in err


def test_the_sample_resaved_as_gbk_validates(tmp_path, capsys):
    dest = tmp_path / "gbk"
    dest.mkdir()
    for path in SAMPLE.iterdir():
        if path.name.endswith(".csv.gz"):
            text = gzip.decompress(path.read_bytes()).decode("utf-8")
            target = dest / path.name.removesuffix(".gz")
        elif path.suffix == ".csv":
            text, target = path.read_text(encoding="utf-8"), dest / path.name
        else:
            shutil.copy(path, dest / path.name)
            continue
        for char, spelling in GBK_SPELLING.items():
            text = text.replace(char, spelling)
        target.write_bytes(text.encode("gbk"))
    assert main(["validate", str(dest)]) == 0, capsys.readouterr().err


def test_unknown_season_folder_is_a_clear_error(tmp_path, capsys):
    assert main(["validate", str(tmp_path / "nope")]) == 2
    assert "season folder does not exist" in capsys.readouterr().err


def test_aqi_command_writes_rows_and_reports(tmp_path, capsys):
    data = write_tiny_season(tmp_path / "season", days=2)
    out = tmp_path / "aqi.csv"
    assert main(["aqi", str(data / "air_quality.csv"), "--period", "daily", "--out", str(out)]) == 0
    table = pd.read_csv(out)
    assert {"station_code", "datetime", "aqi", "primary_pollutant", "level", "category"} <= set(table.columns)
    valid = table["aqi"].dropna()
    assert len(valid) >= 4 and valid.between(0, 500).all()  # 2 stations x >= 2 complete days
    # days with too few hours have no AQI, and the report says how many and why
    assert f"{table['aqi'].isna().sum()} rows without an AQI" in capsys.readouterr().err


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_estimate_command(tmp_path, fmt):
    data = write_tiny_season(tmp_path / "season", days=2)
    out = tmp_path / f"est.{fmt}"
    assert main(["estimate", str(data), "--draws", "200", "--format", fmt, "--out", str(out)]) == 0
    assert out.stat().st_size > 100


def test_estimate_prints_the_table_without_out(tmp_path, capsys):
    data = write_tiny_season(tmp_path / "season", days=2)
    assert main(["estimate", str(data), "--draws", "200"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("township,measure,pollutant")
    assert any(line.startswith("bagong,clean_heating,PM2.5") for line in lines)


def test_kernel_install_registers_this_interpreter(tmp_path, capsys, monkeypatch):
    import json
    import sys

    from zzeval.build.kernels import resolve_kernel

    assert main(["kernel", "install", "-v", "--prefix", str(tmp_path), "--name", "zz-test"]) == 0
    out, err = capsys.readouterr()
    spec_dir = tmp_path / "share" / "jupyter" / "kernels" / "zz-test"
    assert out.strip() == str(spec_dir)  # the result on stdout
    spec = json.loads((spec_dir / "kernel.json").read_text(encoding="utf-8"))
    assert spec["argv"][0] == sys.executable and "ipykernel_launcher" in spec["argv"]
    assert spec["display_name"] == "Python (zzeval)"
    assert "papermill -k zz-test" in err and "INFO zzeval.build.kernels: registered kernel 'zz-test'" in err
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "share" / "jupyter"))
    assert resolve_kernel("zz-test").argv[0] == sys.executable


def test_without_a_registered_kernel_the_build_uses_this_interpreter(monkeypatch):
    import sys

    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    from zzeval.build.kernels import resolve_kernel

    def no_kernel(self, name):
        raise NoSuchKernel(name)

    monkeypatch.setattr(KernelSpecManager, "get_kernel_spec", no_kernel)
    choice = resolve_kernel("auto")
    assert (choice.name, choice.argv[0]) == ("current", sys.executable)
    assert "kernel 'zzeval' is not registered" in choice.why


def test_another_venvs_kernel_is_not_this_interpreter(tmp_path):
    import os
    import sys

    from zzeval.build.kernels import _same_interpreter

    other = tmp_path / "other-venv" / "bin"
    other.mkdir(parents=True)
    os.symlink(sys.executable, other / "python")  # venvs link the same base interpreter
    assert not _same_interpreter(str(other / "python"))
    assert _same_interpreter(sys.executable) and _same_interpreter("python")


def test_results_to_stdout_messages_to_stderr(tmp_path, capsys):
    assert main(["factors"]) == 0
    out, err = capsys.readouterr()
    assert out.splitlines()[0].split()[:2] == ["group", "item"] and err == ""
    assert main(["factors", "--out", str(tmp_path / "f.csv")]) == 0
    out, err = capsys.readouterr()
    assert out == "" and err.startswith("Wrote ") and str(tmp_path / "f.csv") in err


def test_export_refuses_a_notebook_that_never_ran(tmp_path, capsys):
    target = tmp_path / "r.html"
    assert main(["export", str(SAMPLE.parents[1] / "notebooks" / "township_report.ipynb"),
                 "--out", str(target)]) == 2
    assert "has not been executed: run it first" in capsys.readouterr().err
    assert not target.exists()


def test_build_takes_a_township_by_its_chinese_name(monkeypatch, tmp_path, capsys):
    import zzeval.build.builder as builder

    asked = {}

    def fake_build(**kwargs):
        asked.update(kwargs)
        raise SystemExit(0)

    monkeypatch.setattr(builder, "build_reports", fake_build)
    sample = Path(__file__).resolve().parents[1] / "data" / "sample"
    with pytest.raises(SystemExit):
        main(["build", "--data", str(sample), "--out", str(tmp_path / "r"), "--township", "巴公镇",
              "--township", "140525100", "--township", "lizhai"])
    assert asked["townships"] == ["bagong", "nancun", "lizhai"]
    # a name of no township: exit 2 before anything runs, the valid names listed
    assert main(["build", "--data", str(sample), "--out", str(tmp_path / "r"), "--township", "巴公"]) == 2
    err = capsys.readouterr().err
    assert "unknown township '巴公'. Did you mean '巴公镇'?" in err and "李寨乡 (lizhai, 140525" in err
    assert not (tmp_path / "r").exists()
