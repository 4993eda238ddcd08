"""``jointvillage discover``: PRIM finds a planted box; the command on a real small batch."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from model.cli import app
from model.experiments.batch import run_batch
from model.experiments.discovery import discover_runs
from model.experiments.per_run import run_measures

runner = CliRunner()


def planted(seed: int = 3, n: int = 400) -> tuple[pd.DataFrame, pd.Series]:
    """Three uniform parameters; the outcome is low exactly inside rent in [600, 1000] and
    distance in [3, 4.2] (a box over 2 of 3 dimensions holding ~20% of the runs)."""
    rng = np.random.default_rng(seed)
    x = pd.DataFrame(
        {
            "rent": rng.uniform(400, 1000, n),
            "distance": rng.uniform(3, 7, n),
            "noise": rng.uniform(0, 1, n),
        }
    )
    inside = (x["rent"] >= 600) & (x["distance"] <= 4.2)
    values = pd.Series(np.where(inside, 1.0, 5.0) + rng.normal(0, 0.3, n))
    return x, values


def test_prim_recovers_a_planted_box() -> None:
    x, values = planted()
    found = discover_runs(x, values, "outcome", below=3.0, seed=1)
    box = found.box.set_index("parameter")
    assert box.loc["rent", "min"] == pytest.approx(600, abs=40)
    assert box.loc["distance", "max"] == pytest.approx(4.2, abs=0.25)
    # The unrelated parameter is not restricted (or hardly).
    if "noise" in box.index:
        assert box.loc["noise", "max"] - box.loc["noise", "min"] > 0.8
    row = found.trajectory.iloc[found.chosen]
    assert row["density"] >= 0.8 and row["coverage"] >= 0.8
    # Extra trees rank the two planted parameters above the unrelated one.
    assert found.scores.index[-1] == "noise"
    assert set(found.cart["parameter"].dropna()) >= {"rent", "distance"}


def test_above_finds_the_complement_and_a_threshold_must_split_the_runs() -> None:
    from model.errors import InputError

    x, values = planted()
    found = discover_runs(x, values, "outcome", above=3.0, seed=1)
    assert found.cases == int((values > 3.0).sum())
    with pytest.raises(InputError, match="splits the runs: 0 of 400"):
        discover_runs(x, values, "outcome", below=-10.0)
    with pytest.raises(InputError, match="exactly one"):
        discover_runs(x, values, "outcome", below=1.0, above=2.0)


@pytest.fixture(scope="module")
def small_batch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("discover") / "batch"
    experiment = {
        "name": "discover-small",
        "seed": 7,
        "replicates": 1,
        "scenarios": [
            {"name": "anqiu", "file": "anqiu_2023", "set": {"county.scale": 0.1, "years": 1}}
        ],
        "sweep": {
            "method": "lhs",
            "samples": 12,
            "parameters": {
                "policies.land_pooling.rent": {"min": 400, "max": 1000},
                "alliances.max_distance_km": {"min": 3.0, "max": 7.0},
            },
        },
    }
    run_batch(experiment, out, workers=0, progress=False)
    return out


def test_discover_writes_boxes_scores_and_figures(small_batch: Path, tmp_path: Path) -> None:
    from model.experiments.batch import load_results

    values = run_measures(load_results(small_batch), ["collective_income_mean"])
    middle = float(values["collective_income_mean"].median())
    result = runner.invoke(
        app,
        [
            "discover",
            str(small_batch),
            "--measure",
            "collective_income_mean",
            "--below",
            str(middle),
            "--out",
            str(tmp_path),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "PRIM box" in result.output
    for name in ("box.csv", "box.md", "trajectory.csv", "cart.csv", "scores.csv"):
        assert (tmp_path / f"discover_{name}").stat().st_size > 0
    assert (tmp_path / "discover_tradeoff.png").exists()
    assert (tmp_path / "discover_scores.png").exists()
    scores = pd.read_csv(tmp_path / "discover_scores.csv", index_col=0)
    assert set(scores.index) == {"policies.land_pooling.rent", "alliances.max_distance_km"}


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--measure", "collective_income_maen", "--below", "1"], "did you mean"),
        (["--measure", "collective_income_mean"], "exactly one of --below, --above"),
        (["--measure", "collective_income_mean", "--above", "1e12"], "splits the runs"),
    ],
)
def test_bad_input_exits_2(small_batch: Path, args: list[str], words: str) -> None:
    result = runner.invoke(app, ["discover", str(small_batch), *args, "--no-figure"])
    assert result.exit_code == 2, result.output
    assert words in result.output


def test_a_batch_without_sampled_parameters_exits_2(tmp_path: Path) -> None:
    experiment = {
        "name": "plain",
        "seed": 7,
        "replicates": 2,
        "scenarios": [
            {"name": "base", "file": "baseline", "set": {"county.scale": 0.1, "years": 1}}
        ],
    }
    run_batch(experiment, tmp_path / "plain", workers=0, progress=False)
    result = runner.invoke(
        app, ["discover", str(tmp_path / "plain"), "-m", "per_capita_income", "--below", "1"]
    )
    assert result.exit_code == 2, result.output
    assert "sampled design" in result.output
