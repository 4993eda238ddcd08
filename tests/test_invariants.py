"""Runtime invariants: a mechanism that creates money or land, or a NaN, stops the run.

Each broken mechanism is a step added to the model's schedule from outside the package (as
a user's own mechanism would be); the error must name the month, the step and the quantity,
and the command line must exit with status 3 without writing results.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from model.cli import app
from model.invariants import EXIT_INVARIANT, InvariantError
from model.jointmodel import JointVillageModel, Step
from model.runner import run_scenario
from model.scenario import load_scenario

SMALL = ["county.scale=0.1", "years=2"]


def scenario(*extra: str):
    return load_scenario("anqiu_2023", [*SMALL, *extra])


def broken(model: JointVillageModel, kind: str) -> Callable[[], None]:
    """A mechanism that breaks one invariant, in month 5 of the second year."""
    hh = model.households

    def act() -> None:
        if model.year_index != 1 or model.month != 5:
            return
        if kind == "money":
            hh.income["wage"][:10] += 1000.0  # income with no payer in the ledger
        elif kind == "land":
            hh.grain_mu[7] += 2.5  # land from nowhere
        elif kind == "nan":
            model.accounts.pay_households("wage", np.full(hh.n, np.nan), "market", "bad")
        elif kind == "negative":
            # One mu below zero with the household's land total kept, in a village without
            # pooling (so nothing moves it back before the year-end check sees it).
            row = int(np.flatnonzero(~model.villages.allied[hh.village])[0])
            hh.grain_mu[row] += hh.pooled_mu[row] + 1.0
            hh.pooled_mu[row] = -1.0

    return act


def with_broken_step(monkeypatch: pytest.MonkeyPatch, kind: str) -> None:
    """Every model built from now on has the broken step after 'transfers'."""
    original = JointVillageModel.month_steps

    def month_steps(self: JointVillageModel) -> list[Step]:
        steps = original(self)
        index = [s.name for s in steps].index("transfers") + 1
        steps.insert(index, Step(f"broken {kind}", broken(self, kind)))
        return steps

    monkeypatch.setattr(JointVillageModel, "month_steps", month_steps)


def test_a_clean_run_passes_every_check_after_every_step():
    JointVillageModel(scenario(), invariants="step").run()


@pytest.mark.parametrize(
    ("kind", "invariant", "quantity"),
    [
        ("money", "money conserved", "household income"),
        ("land", "land conserved", "household 7"),
        ("nan", "finite", "payment 'bad'"),
        ("negative", "non-negative", "pooled_mu"),
    ],
)
def test_a_broken_mechanism_is_stopped_and_named(
    monkeypatch: pytest.MonkeyPatch, kind: str, invariant: str, quantity: str
):
    with_broken_step(monkeypatch, kind)
    with pytest.raises(InvariantError) as err:
        run_scenario(scenario())
    error = err.value
    assert error.invariant == invariant
    assert error.mechanism == f"broken {kind}"  # found by the re-run at step level
    assert error.when == "2024-05"
    assert quantity in error.quantity
    text = error.message
    assert "2024-05" in text and f"broken {kind}" in text and invariant in text


def test_the_monthly_check_finds_it_and_the_step_check_names_it(monkeypatch):
    with_broken_step(monkeypatch, "money")
    with pytest.raises(InvariantError) as monthly:
        JointVillageModel(scenario(), invariants="month").run()
    assert monthly.value.mechanism is None and monthly.value.when == "2024-05"
    with pytest.raises(InvariantError) as stepwise:
        JointVillageModel(scenario(), invariants="step").run()
    assert stepwise.value.mechanism == "broken money"


def test_land_violation_names_the_village(monkeypatch):
    with_broken_step(monkeypatch, "land")
    model = JointVillageModel(scenario(), invariants="step")
    village = model.county.villages["village_id"].iloc[int(model.households.village[7])]
    with pytest.raises(InvariantError) as err:
        model.run()
    assert err.value.village == village


def test_invariants_off_lets_a_broken_run_finish(monkeypatch):
    with_broken_step(monkeypatch, "money")
    JointVillageModel(scenario(), invariants="off").run()


def test_cli_exits_3_and_writes_nothing(monkeypatch, tmp_path: Path):
    with_broken_step(monkeypatch, "land")
    out = tmp_path / "run"
    args = ["run", "anqiu_2023", "--out", str(out)] + [a for s in SMALL for a in ("--set", s)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == EXIT_INVARIANT
    assert "broken land" in result.output and "land conserved" in result.output
    assert "Traceback" not in result.output
    assert not out.exists() or not any(out.rglob("*.parquet"))


def test_batch_records_the_broken_run_and_exits_3(monkeypatch, tmp_path: Path):
    with_broken_step(monkeypatch, "money")
    experiment = tmp_path / "broken.toml"
    experiment.write_text(
        'name = "broken"\nreplicates = 1\n\n[[scenarios]]\nname = "anqiu"\n'
        'file = "anqiu_2023"\nset = ["county.scale=0.1", "years=2"]\n',
        encoding="utf-8",
    )
    out = tmp_path / "results"
    result = CliRunner().invoke(
        app, ["batch", str(experiment), "--workers", "0", "--out", str(out)]
    )
    assert result.exit_code == EXIT_INVARIANT, result.output
    assert "broke an invariant" in result.output and "broken money" in result.output
    assert any((out / "failed").glob("*.json"))
