"""Dask workers import the model when they join, not in their first run.

A fresh worker process pays about 0.6-1 s (2 cores, measured) to import Mesa, pandas,
SciPy, pyarrow and the model's mechanisms. Left to the first task, that cost lands inside
the batch (and, with few runs, makes a second worker look useless); as a worker plugin it
is paid once per worker at cluster start-up, and by every worker that joins later (an
adaptive Slurm cluster), before it is given runs.
"""

from __future__ import annotations

import importlib
import logging
from typing import Any

from distributed.diagnostics.plugin import WorkerPlugin

#: What a run needs: the model (Mesa and the mechanisms), the runner and the Parquet writer.
MODULES = (
    "model.jointmodel",
    "model.runner",
    "model.experiments.shared_world",
    "model.experiments.evaluate",
    "pyarrow.parquet",
)

logger = logging.getLogger(__name__)


class ImportTheModel(WorkerPlugin):
    """Import :data:`MODULES` on each worker as it starts (registered by the evaluator)."""

    name = "jointvillage-import-the-model"
    idempotent = True  # a second batch on the same scheduler does not register it again

    def setup(self, worker: Any) -> None:
        """Import the modules; a failure is left to the first task, which reports it."""
        for module in MODULES:
            try:
                importlib.import_module(module)
            except Exception as err:  # e.g. the project missing on a remote worker
                logger.warning("could not import %s on %s: %s", module, worker.address, err)
                return
