"""Experiments: files, designs, the one executor, the results store, measures, comparison
and sensitivity.

The public face (imported lazily, so ``import model.experiments`` costs nothing)::

    from model.experiments import compare_scenarios, load_experiment, run_batch
    results = run_batch(load_experiment("replicates_small"), workers=2)
    table = compare_scenarios(["baseline", "anqiu_2023"], replicates=5)

The statistics of a results table are ``model.experiments.compare.compare`` (the path the
README and notebooks use). The package does not export that function as
``model.experiments.compare``: the name is its submodule's, and once the submodule is
imported Python binds the package attribute to the module, so the two would shadow each
other depending on import order.

How the modules depend on each other (no cycles)::

    experiment -> variants, design -> plan -> execute (evaluate, backends/, progress)
    store (run_files, integrity, folder, provenance) <- plan, execute, batch
    batch (run_batch, load_results) <- compare, sensitivity <- measures
    batch <- export (outcomes_table, export_results)
    comparisons, execute <- grouping/ (propose_grouping); per_run <- discovery (discover)
"""

from __future__ import annotations

import importlib
from typing import Any

#: Public name -> the module that defines it.
_WHERE = {
    # experiment files
    "Experiment": "experiment",
    "load_experiment": "experiment",
    "validate_experiment": "experiment",
    # designs and plans
    "Design": "design",
    "design_of": "design",
    "Plan": "plan",
    "RunSpec": "plan",
    "plan_runs": "plan",
    # the one executor
    "BatchSummary": "execute",
    "execute": "execute",
    "make_evaluator": "execute",
    "Evaluator": "evaluate",
    "BatchAbortedError": "evaluate",
    "dask_client": "backends.dask_cluster",
    # results
    "ResultsStore": "store",
    "run_key": "store",
    "run_batch": "batch",
    "load_results": "batch",
    "batch_status": "batch",
    "export_results": "export",
    "outcomes_table": "export",
    # measures, comparison, sensitivity
    "MEASURES": "measures",
    "RATIO_MEASURES": "measures",
    "REFERENCE_MEASURES": "measures",
    "measure_table": "measures",
    "run_measures": "per_run",
    "yearly_effects": "effects",
    "did_per_run": "effects",
    "UserMeasure": "user_measures",
    "compare": "compare",
    "compare_scenarios": "comparisons",
    "compare_folder": "comparisons",
    "IncompleteComparisonWarning": "compare",
    "comparison_experiment": "comparisons",
    "sobol_indices": "sensitivity",
    "morris_indices": "sensitivity",
    "sensitivity_indices": "sensitivity",
    "SmallDesignWarning": "sensitivity",
    # policy design and scenario discovery
    "propose_grouping": "grouping.propose",
    "SearchSettings": "grouping.propose",
    "discover": "discovery",
}

__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    """Import a public name's module on first use (PEP 562)."""
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module = importlib.import_module(f"{__name__}.{_WHERE[name]}")
    return getattr(module, name)


def __dir__() -> list[str]:
    return __all__
