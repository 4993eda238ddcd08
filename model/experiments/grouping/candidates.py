"""Candidate groupings as alliance files and as scenarios that read them.

Each grouping is written once, as an alliance file (``alliance_id, village_id, mode,
lead``: the format :mod:`model.world.alliance_files` reads) named by a hash of its content,
so the same grouping always has the same file, the same scenario and so the same run keys:
a grouping met again (in a later generation, or after a restart) reuses its stored runs.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from model.atomic import atomic_write
from model.scenario import Scenario, load_scenario

#: Name of the arm without alliances: the reference of the screening evaluations.
NO_ALLIANCES = "no_alliances"


@dataclass(frozen=True)
class Candidate:
    """A grouping written to its file.

    Attributes:
        name: ``g`` and the first 10 hex digits of the file's hash (its arm name).
        path: The alliance file.
    """

    name: str
    path: Path


def write_candidate(lines: pd.DataFrame, folder: Path) -> Candidate:
    """Write a grouping's alliance-file lines into ``folder`` (once per content)."""
    text = lines.to_csv(index=False)
    digest = hashlib.sha256(text.encode()).hexdigest()[:10]
    path = folder / f"g{digest}.csv"
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        atomic_write(path, text)
    return Candidate(f"g{digest}", path)


@dataclass(frozen=True)
class ScenarioSource:
    """How candidate scenarios are made: the scenario file and its overrides.

    Attributes:
        path: The scenario (file or shipped name) whose grouping is searched.
        overrides: ``--set`` values applied first.
    """

    path: str
    overrides: tuple[str, ...] = ()

    def programme(self, name: str = "programme", years: int | None = None) -> Scenario:
        """The scenario as it is (the programme's own formation)."""
        return load_scenario(self.path, [*self.overrides, *_years(years), f"name={name}"])

    def without_alliances(self, years: int | None = None) -> Scenario:
        """The scenario with alliances off (the screening reference)."""
        extra = ["alliances.enabled=false", f"name={NO_ALLIANCES}"]
        return load_scenario(self.path, [*self.overrides, *_years(years), *extra])

    def with_grouping(self, candidate: Candidate, name: str, years: int | None = None) -> Scenario:
        """The scenario reading the candidate's alliance file, modes included."""
        extra = [
            "alliances.enabled=true",
            "alliances.source=file",
            f"alliances.file={candidate.path.resolve()}",
            "alliances.mode_rule=file",
            "alliances.check_file_bounds=true",
            f"name={name}",
        ]
        return load_scenario(self.path, [*self.overrides, *_years(years), *extra])


def _years(years: int | None) -> Sequence[str]:
    return [] if years is None else [f"years={years}"]
