"""The regression cases (the canonical set) and the tolerances of the checks."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from model.errors import InputError
from model.scenario import Scenario, load_scenario


@dataclass(frozen=True)
class Case:
    """One regression case: a scenario run with fixed settings.

    Attributes:
        name: Case name (file ``<name>.json`` in the reference folder).
        scenario: Scenario file or shipped scenario name.
        years: Simulated horizon.
        replicates: Number of replicates (0 .. replicates-1).
        seed: Scenario seed (pinned here, so a new seed in a scenario file is a change).
        overrides: Further ``section.key=value`` overrides.
        quick: Part of the ``--quick`` set.
    """

    name: str
    scenario: str
    years: int
    replicates: int
    seed: int
    overrides: tuple[str, ...] = ()
    quick: bool = False

    def settings(self) -> list[str]:
        """All overrides applied to the scenario file for this case."""
        return [f"seed={self.seed}", f"years={self.years}", *self.overrides]

    def to_dict(self) -> dict[str, Any]:
        """Plain data for the manifest."""
        data = asdict(self)
        data["overrides"] = list(self.overrides)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Case:
        """Inverse of :meth:`to_dict`."""
        return cls(
            name=str(data["name"]),
            scenario=str(data["scenario"]),
            years=int(data["years"]),
            replicates=int(data["replicates"]),
            seed=int(data["seed"]),
            overrides=tuple(str(o) for o in data.get("overrides", ())),
            quick=bool(data.get("quick", False)),
        )


#: The canonical set: the full synthetic county (864 villages, ~238,000 households), six
#: years (past one ginger price cycle and the build-up of pooling and cooperatives), fixed
#: seed. The baseline is cheap, so it gets more replicates (power of the across-replicate
#: test); ``--quick`` keeps the cases marked quick. Measured (model of 2026-11-29): about 27
#: CPU-seconds in all, 20-35 s wall on 2 shared cores (``--quick``: about 10 CPU-seconds).
CANONICAL: tuple[Case, ...] = (
    Case("baseline", "baseline", years=6, replicates=8, seed=20231, quick=True),
    Case("anqiu_2023", "anqiu_2023", years=6, replicates=4, seed=20231),
)


#: Defaults for a case made from a scenario outside the canonical set (``--scenarios FILE``).
DEFAULT_YEARS = 4


DEFAULT_REPLICATES = 3


#: Per-replicate band: relative and absolute tolerance.
RTOL = 1e-9


ATOL = 1e-9


#: Across replicates: family-wise false-alarm level (Bonferroni over the run's measures)...
ALPHA = 0.01


#: ... and the minimum difference that can count at all.
STAT_RTOL = 1e-6


STAT_ATOL = 1e-9


LEVELS = ("strict", "statistical")


def case_scenario(case: Case, extra: Sequence[str] = ()) -> Scenario:
    """Load the scenario of a case (its settings, then ``extra`` overrides)."""
    return load_scenario(case.scenario, [*case.settings(), *extra])


def select_cases(
    available: Sequence[Case], names: Sequence[str], quick: bool, source: str
) -> list[Case]:
    """Pick cases by name (``--scenarios``) and/or the quick flag."""
    chosen = list(available)
    if names:
        known = {c.name: c for c in available}
        missing = [n for n in names if n not in known]
        if missing:
            raise InputError(
                "--scenarios",
                "scenarios",
                ", ".join(missing),
                f"not a case of {source}; cases: {', '.join(known)}",
            )
        chosen = [known[n] for n in dict.fromkeys(names)]
    if quick:
        chosen = [c for c in chosen if c.quick]
        if not chosen:
            raise InputError("--quick", allowed=f"no quick case among the selection in {source}")
    return chosen


def split_names(values: Sequence[str] | None) -> list[str]:
    """``--scenarios a,b --scenarios c`` -> ``[a, b, c]``."""
    out: list[str] = []
    for value in values or []:
        out += [part.strip() for part in value.split(",") if part.strip()]
    return out


def _check_new_case_name(
    case: str, path: str, canonical: dict[str, Case], stored: dict[str, Case]
) -> None:
    """A new case is named after its scenario; the name must be a usable, free file name."""
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", case):
        raise InputError(
            path, "name", case, "a case name of letters, digits, '_', '.', '-' (file name)"
        )
    taken = canonical.get(case) or stored.get(case)
    if taken is not None and taken.scenario != path:
        raise InputError(
            path,
            "name",
            case,
            f"a case '{case}' already exists (scenario {taken.scenario}); give the scenario "
            "another name",
        )


def cases_to_update(names: Sequence[str], quick: bool, stored: dict[str, Case]) -> list[Case]:
    """The cases an update writes (see :func:`model.checks.regress.run.update`)."""
    canonical = {c.name: c for c in CANONICAL}
    if not names:
        names = list(stored) if stored else list(canonical)
    cases = []
    for name in dict.fromkeys(names):
        if name in canonical:
            cases.append(canonical[name])
        elif name in stored:
            cases.append(stored[name])
        else:
            scenario = load_scenario(name)
            _check_new_case_name(scenario.name, name, canonical, stored)
            cases.append(
                Case(
                    name=scenario.name,
                    scenario=name,
                    years=DEFAULT_YEARS,
                    replicates=DEFAULT_REPLICATES,
                    seed=scenario.seed,
                )
            )
    if quick:
        cases = [c for c in cases if c.quick]
        if not cases:
            raise InputError("--quick", allowed="no quick case among the selection")
    if len({c.name for c in cases}) != len(cases):
        raise InputError(
            "--scenarios", "scenarios", list(names), "case (scenario) names must be unique"
        )
    return cases
