"""Calibration: fit assumed parameters to reported targets, with their uncertainty.

``jointvillage calibrate CALIBRATION.toml`` (and :func:`calibrate` from Python) reads a
calibration file (:mod:`.spec`), history-matches the model to its targets in waves of runs
through the one executor (:mod:`.runs`, :mod:`.history_matching`) with Gaussian-process
emulators (:mod:`.emulator`), draws a posterior sample by importance sampling on the
emulators (:mod:`.posterior`), runs a few posterior rows through the model, and writes the
posterior file and the tables (:mod:`.report`, :mod:`.posterior_file`,
:mod:`.identifiability`). ``compare`` and ``batch`` read the posterior file with
``--posterior`` (:mod:`.parameter_draws`).

How the modules depend on each other (no cycles)::

    spec -> runs -> waves (history_matching, emulator, posterior) -> report
        posterior_file <- report, parameter_draws

No submodule is named ``calibrate``: once imported, it would shadow the function
:func:`calibrate` as the package's attribute.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any


def calibrate(calibration: Any, out: str | Path, **execution: Any) -> Any:
    """Run a calibration (a file, a shipped name or a validated one) and write its outputs.

    Example::

        from model.experiments.calibration import calibrate
        result = calibrate("scenarios/calibration/anqiu.toml", "results/calibration", workers=2)
        result.posterior.rows.describe()

    Args:
        calibration: A calibration file, a shipped calibration's name, or a
            :class:`~model.experiments.calibration.spec.Calibration`.
        out: Output folder (resumed when it holds the runs of an earlier call).
        **execution: ``workers``, ``scheduler``, ``progress`` of the executor.

    Returns:
        The :class:`~model.experiments.calibration.waves.CalibrationResult`; its
        ``files`` attribute holds the written files by name.
    """
    from model.experiments.calibration.report import write_outputs
    from model.experiments.calibration.spec import Calibration, load_calibration
    from model.experiments.calibration.waves import run_calibration

    cal = calibration if isinstance(calibration, Calibration) else load_calibration(calibration)
    result = run_calibration(cal, out, **execution)
    result.files = write_outputs(result, Path(out))
    return result
