"""Dask workers import the model when they join, not in their first run, and free each
finished run's model at once.

A fresh worker process pays about 0.6-1 s (2 cores, measured) to import Mesa, pandas,
SciPy, pyarrow and the model's mechanisms. Left to the first task, that cost lands inside
the batch (and, with few runs, makes a second worker look useless); as a worker plugin it
is paid once per worker at cluster start-up, and by every worker that joins later (an
adaptive Slurm cluster), before it is given runs.

A finished run's model (agents that point back at it: reference cycles) is freed only by a
full garbage collection, which Python runs rarely: a process running full-county runs one
after the other held up to three dead models (310 -> 586 MB resident; 4 runs of
anqiu_2023, 3 years each). A full collection scans every object, about 130-220 ms after the
imports; so the plugin moves what the imports made into the permanent generation
(:func:`gc.freeze`, meant for long-lived start-up objects), and :func:`free_the_run` then
collects after each run of :data:`FREE_AFTER_SECONDS` or more, in 1-10 ms (measured on a
worker). Shorter runs have small models, left to Python's own collections: 10 ms would be
a few per cent of such a run. Collection frees memory only: it changes no number.
"""

from __future__ import annotations

import gc
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

#: Runs at least this long (wall seconds) have their model collected as they end.
FREE_AFTER_SECONDS = 2.0

logger = logging.getLogger(__name__)

#: Whether this process's start-up objects are frozen (:func:`freeze_start_up`).
_frozen = False


class ImportTheModel(WorkerPlugin):
    """Import :data:`MODULES` on each worker as it starts (registered by the evaluator)."""

    name = "jointvillage-import-the-model"
    idempotent = True  # a second batch on the same scheduler does not register it again

    def setup(self, worker: Any) -> None:
        """Import the modules, then freeze what they made (see the module docstring); a
        failure is left to the first task, which reports it."""
        for module in MODULES:
            try:
                importlib.import_module(module)
            except Exception as err:  # e.g. the project missing on a remote worker
                logger.warning("could not import %s on %s: %s", module, worker.address, err)
                return
        freeze_start_up()


def freeze_start_up() -> None:
    """Collect, then move every object alive into the permanent generation, and remember it
    (``gc.get_freeze_count()`` walks that generation: 8 ms a call, measured)."""
    global _frozen
    gc.collect()
    gc.freeze()
    _frozen = True


def unfreeze() -> None:
    """Undo :func:`freeze_start_up` (tests)."""
    global _frozen
    gc.unfreeze()
    _frozen = False


def free_the_run(wall_seconds: float | None) -> None:
    """Collect a finished run's model when the run took :data:`FREE_AFTER_SECONDS` or more,
    in a process whose start-up objects are frozen (a worker set up by
    :class:`ImportTheModel`); elsewhere (a notebook, a worker without the plugin) a full
    collection costs 130-220 ms, and Python's own collections are left to do it."""
    if _frozen and (wall_seconds or 0.0) >= FREE_AFTER_SECONDS:
        gc.collect()
