"""jointvillage: an agent-based model of cross-village joint building (跨村联建).

The public face. Names are imported on first use, so ``import model`` (and the command line's
start) costs next to nothing::

    from model import JointVillageModel, load_scenario, run_scenario

    result = run_scenario(load_scenario("anqiu_2023", ["years=5"]))
    result.tables["county_yearly"]

The package ``model`` holds the kernel (the Mesa model, the scenario schema, the accounts,
the invariants, the recorder and the runner) and its rooms: ``world`` (the county, its
households and alliances), ``mechanisms`` (one module per process), ``experiments``
(batches, comparison, sensitivity), ``checks`` (regression, validation), ``viz`` (figures,
maps, the app) and ``cli``; the package ``agents`` holds the agent classes.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

#: Public name -> the module that defines it.
_WHERE = {
    "JointVillageModel": "model.jointmodel",
    "Step": "model.jointmodel",
    "build_world": "model.jointmodel",
    "Scenario": "model.scenario",
    "load_scenario": "model.scenario",
    "RunResult": "model.runner",
    "run_scenario": "model.runner",
    "InputError": "model.errors",
    "InvariantError": "model.invariants",
    "INCOME_SOURCES": "model.registry",
    "COLLECTIVE_SOURCES": "model.registry",
    "Source": "model.registry",
    "load_experiment": "model.experiments.experiment",
    "run_batch": "model.experiments.batch",
    "load_results": "model.experiments.batch",
    "compare_scenarios": "model.experiments.comparisons",
    "sobol_indices": "model.experiments.sensitivity",
    "morris_indices": "model.experiments.sensitivity",
}

__all__ = ["__version__", *sorted(_WHERE), "compare"]


def __getattr__(name: str) -> Any:
    if name == "compare":  # the statistics of a results table
        return importlib.import_module("model.experiments.compare").compare
    if name in _WHERE:
        return getattr(importlib.import_module(_WHERE[name]), name)
    raise AttributeError(f"module 'model' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
