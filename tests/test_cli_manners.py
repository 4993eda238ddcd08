"""CLI manners: terminal width, --version, --json, no writes into tracked files, sizes."""

from __future__ import annotations

import io
import json
import math
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest
from rich.cells import cell_len
from typer.testing import CliRunner

import model
from model.cli import app
from model.recorder import microdata_columns
from model.terminal import PIPE_WIDTH, console

ROOT = Path(__file__).resolve().parents[1]
SMALL = ["--set", "county.scale=0.05"]
runner = CliRunner()


def widest(text: str, skip: str = "") -> int:
    """The widest line in terminal cells (CJK counts two), leaving out lines naming ``skip``."""
    lines = [line for line in text.splitlines() if not (skip and skip in line)]
    return max(cell_len(line) for line in lines)


# --------------------------------------------------------------------------------------
# Width


def test_console_width_follows_columns_and_defaults_for_a_pipe(monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    assert console(io.StringIO()).width == 80
    monkeypatch.delenv("COLUMNS")
    assert console(io.StringIO()).width == PIPE_WIDTH


def test_with_columns_80_no_line_is_wider(tmp_path):
    env = {"COLUMNS": "80"}
    run = runner.invoke(
        app, ["run", "baseline", *SMALL, "--years", "1", "--out", str(tmp_path / "r")], env=env
    )
    assert run.exit_code == 0, run.output
    assert "Final year" in run.stdout
    # Paths cannot be wrapped; every table and sentence fits.
    assert widest(run.stdout, skip=str(tmp_path)) <= 80

    county = runner.invoke(
        app, ["county", "baseline", *SMALL, "--out", str(tmp_path / "c")], env=env
    )
    assert county.exit_code == 0, county.output
    assert widest(county.stdout, skip=str(tmp_path)) <= 80

    explain = runner.invoke(app, ["show", "anqiu_2023", "--explain"], env=env)
    assert explain.exit_code == 0, explain.output
    assert widest(explain.stdout) <= 80


# --------------------------------------------------------------------------------------
# --version


def test_version_prints_the_model_version():
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout.strip() == f"jointvillage {model.__version__}"


HEAVY = "{'mesa', 'pandas', 'scipy', 'pyarrow', 'matplotlib'}"


def test_the_command_line_loads_without_the_model():
    """`--version` and `--help` stay fast: importing the CLI loads no Mesa, pandas, SciPy."""
    code = f"import sys, model.cli; print(sorted({HEAVY} & set(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert out.stdout.strip() == "[]"


def test_validate_loads_the_schema_without_the_model():
    """`validate` reads the scenario schema only: still no Mesa, pandas or SciPy."""
    code = (
        "import sys, model.cli\n"
        "sys.argv = ['jointvillage', 'validate', 'anqiu_2023']\n"
        "try:\n    model.cli.main()\nexcept SystemExit as stop:\n    assert stop.code == 0\n"
        f"print(sorted({HEAVY} & set(sys.modules)))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert "is valid" in out.stdout
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_run_without_figures_starts_no_matplotlib(tmp_path):
    """`run --no-figures` is for batch-like use: it checks `--lang` without matplotlib."""
    code = (
        "import sys, model.cli\n"
        f"sys.argv = ['jointvillage', 'run', 'baseline', '--years', '1', '--no-figures', "
        f"'--set', 'county.scale=0.05', '--out', {str(tmp_path / 'run')!r}, '--json']\n"
        "try:\n    model.cli.main()\nexcept SystemExit as stop:\n    assert stop.code == 0\n"
        "print(sorted({'matplotlib'} & set(sys.modules)))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert out.stdout.strip().splitlines()[-1] == "[]"


# --------------------------------------------------------------------------------------
# --json


def test_validate_json_reports_ok_and_errors():
    good = runner.invoke(app, ["validate", "anqiu_2023", "--json"])
    assert good.exit_code == 0, good.output
    report = json.loads(good.stdout)
    assert report["ok"] is True and report["errors"] == [] and report["scenario"] == "anqiu_2023"

    bad = runner.invoke(app, ["validate", "anqiu_2023", "--json", "--set", "seed=-1"])
    assert bad.exit_code == 2
    report = json.loads(bad.stdout)
    assert report["ok"] is False and "seed" in report["errors"][0]


def test_batch_json_prints_the_summary(tmp_path):
    experiment = tmp_path / "e.toml"
    experiment.write_text(
        'name = "cli"\nreplicates = 1\n[[scenarios]]\nname = "a"\n'
        'file = "baseline.toml"\nset = ["county.scale=0.05", "years=1"]\n'
    )
    args = ["batch", str(experiment), "--out", str(tmp_path / "out"), "-w", "0", "--no-progress"]
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["done"] == 1 and summary["failed"] == 0
    assert summary["out"] == str(tmp_path / "out")


def fake_validation(calls: list[Path]):
    """A stand-in for write_validation that records where it was asked to write."""

    def write(out, **kwargs):
        calls.append(Path(out))
        row = SimpleNamespace(
            check="lead_goose",
            quantity="collective income",
            unit="yuan",
            reported=100.0,
            mean=90.0,
            low=80.0,
            high=float("nan"),
            gap=-0.1,
        )
        return Path(out), [SimpleNamespace(rows=[row])]

    return write


def test_validation_writes_no_tracked_file_by_default_and_prints_json(tmp_path, monkeypatch):
    import model.checks.validation as validation

    calls: list[Path] = []
    monkeypatch.setattr(validation, "write_validation", fake_validation(calls))
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["validation", "--json", "-q"])
    assert result.exit_code == 0, result.output
    assert calls == [Path("results/validation.md")]
    (record,) = json.loads(result.stdout)
    assert record["check"] == "lead_goose" and record["mean"] == 90.0
    assert record["max"] is None  # JSON has no NaN
    assert math.isclose(record["gap"], -0.1)


def test_make_validation_writes_docs_explicitly():
    makefile = (ROOT / "Makefile").read_text()
    assert "jointvillage validation --replicates 5 --out docs/validation.md" in makefile


# --------------------------------------------------------------------------------------
# Workers


@pytest.mark.parametrize("command", ["batch", "compare"])
def test_compare_and_batch_share_the_worker_default(command, tmp_path, monkeypatch):
    import model.experiments.execute as execute

    seen: dict[str, object] = {}

    def stop(plan, target, **options):
        seen.update(options)
        raise KeyboardInterrupt

    monkeypatch.setattr(execute, "execute", stop)
    if command == "batch":
        experiment = tmp_path / "e.toml"
        experiment.write_text(
            'name = "w"\nreplicates = 1\n[[scenarios]]\nname = "a"\nfile = "baseline.toml"\n'
        )
        args = ["batch", str(experiment), "--out", str(tmp_path / "o")]
    else:
        args = ["compare", "baseline", "anqiu_2023", "--out", str(tmp_path / "o")]
    result = runner.invoke(app, args)
    assert result.exit_code == 130, result.output
    assert seen["workers"] is None  # one per CPU; --workers 0 runs in process


# --------------------------------------------------------------------------------------
# show --explain


def test_show_explain_gives_resolved_value_unit_and_source():
    result = runner.invoke(
        app, ["show", "anqiu_2023", "--explain", "--set", "policies.land_pooling.rent=900"]
    )
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    (i,) = [n for n, line in enumerate(lines) if line.startswith("policies.land_pooling.rent =")]
    assert lines[i].startswith("policies.land_pooling.rent = 900.0 yuan/mu/yr")
    assert "(default 800.0)" in lines[i]
    assert "Source:" in " ".join(lines[i + 1 : i + 4])


# --------------------------------------------------------------------------------------
# --households


def test_households_warns_of_its_size_and_offers_a_sample(tmp_path, monkeypatch):
    import model.cli.run as cli_run

    monkeypatch.setattr(cli_run, "LARGE_MICRODATA_MB", 0.0)
    args = ["run", "baseline", *SMALL, "--years", "1", "--households", "--out", str(tmp_path)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "warning: --households keeps about" in result.stderr
    assert "--set outputs.household_sample=0.1" in result.stderr
    micro = pd.read_parquet(tmp_path / "households.parquet")
    assert microdata_columns() == len(micro.columns)  # the estimate counts the real columns


def test_households_warning_is_quiet_for_a_small_table(tmp_path):
    args = ["run", "baseline", *SMALL, "--years", "1", "--households", "--out", str(tmp_path)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "--households keeps" not in result.stderr
