"""The files of a proposal: the grouping as an alliance file, the gains, the Pareto front.

``DIR/grouping.csv`` is the chosen grouping in the format ``alliances.file`` reads (use it
with ``alliances.source = "file"`` and ``alliances.mode_rule = "file"``);
``DIR/finalists/design_N.csv`` are the other finalists'. ``gains.csv`` and ``gains.md``
hold each objective's and constraint's gain over the programme's grouping with its paired
95% interval and the interval's method (:mod:`~model.experiments.grouping.gains`);
``pareto.csv`` the screened Pareto front (two objectives). The figures (the map and the
front) are drawn by :mod:`model.viz.design_figures`.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd

from model.atomic import atomic_write
from model.experiments.grouping.propose import Proposal
from model.rng import stream
from model.scenario import Scenario
from model.world.alliances import Alliances, form_alliances
from model.world.county import County

#: Columns of ``gains.csv``.
GAIN_COLUMNS = (
    "arm",
    "chosen",
    "role",
    "measure",
    "programme",
    "value",
    "gain",
    "gain_low",
    "gain_high",
    "n",
    "interval",
    "note",
)


def write_proposal(proposal: Proposal, out: Path) -> list[Path]:
    """Write the proposal's files into ``out``; returns their paths."""
    grouping = out / "grouping.csv"
    shutil.copyfile(proposal.chosen.path, grouping)
    paths = [grouping]
    for arm, candidate in proposal.finalists.items():
        target = out / "finalists" / f"{arm}.csv"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(candidate.path, target)
    table = gains_table(proposal)
    paths.append(out / "gains.csv")
    atomic_write(paths[-1], table.to_csv(index=False))
    paths.append(out / "gains.md")
    atomic_write(paths[-1], gains_markdown(table))
    if proposal.front is not None:
        paths.append(out / "pareto.csv")
        atomic_write(paths[-1], proposal.front.to_csv(index=False))
    return paths


def gains_table(proposal: Proposal) -> pd.DataFrame:
    """The final evaluation with each row's role (objective or constraint) and the choice."""
    roles = {c.measure: f"constraint {c.name}" for c in proposal.constraints}
    roles.update({o.measure: f"objective ({o.sense})" for o in proposal.objectives})
    table = proposal.gains.assign(
        chosen=proposal.gains["arm"] == proposal.chosen_arm,
        role=proposal.gains["measure"].map(roles),
    )
    return table[list(GAIN_COLUMNS)]


def gains_markdown(table: pd.DataFrame) -> str:
    """The gains as a markdown table (the chosen grouping marked)."""
    lines = [
        "| grouping | role | measure | programme | proposed | gain (95% interval) | interval |",
        "|---|---|---|---:|---:|---:|---|",
    ]
    for row in table.itertuples():
        interval = (
            f" ({_num(row.gain_low)} to {_num(row.gain_high)})"
            if pd.notna(row.gain_low) and pd.notna(row.gain_high)
            else ""
        )
        name = f"**{row.arm}** (chosen)" if row.chosen else row.arm
        lines.append(
            f"| {name} | {row.role} | {row.measure} | {_num(row.programme)} | {_num(row.value)} "
            f"| {_num(row.gain, '+')}{interval} | {row.interval} |"
        )
    return "\n".join(lines) + "\n"


def _num(value: float, sign: str = "") -> str:
    """Whole numbers with thousands separators from 1,000 on, else 4 significant digits."""
    if pd.isna(value):
        return "n/a"
    return f"{value:{sign},.0f}" if abs(value) >= 1000 else f"{value:{sign}.4g}"


def load_grouping(path: Path, scenario: Scenario, county: County) -> Alliances:
    """A grouping file read back as ``alliances.file`` reads it (bounds checked)."""
    params = scenario.alliances.model_copy(
        update={"enabled": True, "source": "file", "mode_rule": "file", "check_file_bounds": True}
    )
    return form_alliances(county, params, stream(scenario.seed, "alliances"), Path(path))
