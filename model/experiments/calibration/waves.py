"""Running a calibration: waves of history matching, the posterior, predictive runs.

1. Wave 1 is a Latin hypercube over the priors; each later wave a Latin hypercube inside
   the non-implausible space of the waves before (:mod:`.history_matching`).
2. Every wave's runs go through the one executor into ``OUT/wave_k`` (:mod:`.runs`): a
   calibration stopped by Ctrl-C or a crash continues where it stopped when run again,
   because every design is a function of the seed and of the runs stored before it.
3. After each wave, one emulator per target is fitted on every run so far (:mod:`.emulator`).
4. The posterior sample is drawn by importance sampling on the emulators
   (:mod:`.posterior`); a few of its rows are run through the model into
   ``OUT/predictive`` (posterior predictive checks).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from model.experiments.calibration.emulator import fit_emulator
from model.experiments.calibration.history_matching import (
    Space,
    Wave,
    candidates,
    non_implausible,
    to_unit,
    wave_design,
)
from model.experiments.calibration.posterior import PosteriorSample, importance_sample
from model.experiments.calibration.runs import check_priors, run_points
from model.experiments.calibration.spec import Calibration
from model.experiments.execute import BatchSummary
from model.scenario import is_integer_field

#: Spawn key of the calibration's own stream (designs, candidates, resampling) under its
#: seed; the design stream of experiments is 1000, the posterior draws' 1001.
CALIBRATION_STREAM = 1002


@dataclass
class CalibrationResult:
    """What a calibration found.

    Attributes:
        calibration: The calibration run.
        waves: Every wave's emulators.
        runs: Every wave's runs: ``wave, variant, replicate``, parameters, targets.
        spaces: Per wave from the second (and the final one): the non-implausible space.
        posterior: The posterior sample.
        predictive: The posterior predictive runs (same columns as ``runs``, no ``wave``).
        seconds: Wall time of the runs per wave (and ``predictive``).
        done: Runs made by this call (not reused from the folders).
        files: The output files by name, once written (:func:`.report.write_outputs`).
    """

    calibration: Calibration
    waves: list[Wave]
    runs: pd.DataFrame
    spaces: list[Space]
    posterior: PosteriorSample
    predictive: pd.DataFrame
    seconds: dict[str, float] = field(default_factory=dict)
    done: int = 0
    files: dict[str, Path] = field(default_factory=dict)

    @property
    def labels(self) -> list[str]:
        """The targets' labels, in file order."""
        return target_labels(self.calibration)

    @property
    def prior(self) -> tuple[np.ndarray, np.ndarray]:
        """``(low, high)`` of the priors."""
        return prior_box(self.calibration)


def target_labels(cal: Calibration) -> list[str]:
    """The targets' labels (``measure @ scenario``), in file order."""
    return [t.label(cal.scenarios[0].name) for t in cal.targets]


def prior_box(cal: Calibration) -> tuple[np.ndarray, np.ndarray]:
    """``(low, high)`` arrays of the uniform priors."""
    ranges = cal.ranges
    return (
        np.array([ranges[n][0] for n in cal.names], float),
        np.array([ranges[n][1] for n in cal.names], float),
    )


def stream_seed(seed: int, step: int) -> int:
    """A seed for one step (a wave, the posterior) of the calibration's stream."""
    sequence = np.random.SeedSequence(entropy=int(seed), spawn_key=(CALIBRATION_STREAM, step))
    return int(sequence.generate_state(1, dtype=np.uint32)[0])


def rounded(cal: Calibration, points: np.ndarray) -> np.ndarray:
    """Points with integer scenario fields rounded (the values the model runs with)."""
    out = np.array(points, float)
    for j, name in enumerate(cal.names):
        if is_integer_field(name):
            out[:, j] = np.round(out[:, j])
    return out


def run_calibration(cal: Calibration, out: str | Path, **execution: Any) -> CalibrationResult:
    """Run a calibration into ``out`` (resuming the waves already stored there).

    Args:
        cal: A validated calibration.
        out: Output folder: ``wave_k/`` and ``predictive/`` results folders.
        **execution: ``workers``, ``scheduler``, ``progress``, ``runner`` of the executor.

    Returns:
        The :class:`CalibrationResult` (files are written by :mod:`.report`).
    """
    check_priors(cal)
    root = Path(out)
    method, prior, names = cal.method, prior_box(cal), cal.names
    observed = np.array([t.value for t in cal.targets], float)
    sigma = np.array([t.sigma for t in cal.targets], float)
    waves: list[Wave] = []
    spaces: list[Space] = []
    frames: list[pd.DataFrame] = []
    seconds: dict[str, float] = {}
    done = 0
    box = prior
    for number in range(1, method.waves + 1):
        seed = stream_seed(cal.seed, number)
        if waves:
            space = non_implausible(
                waves, box, prior, names, method.candidates, method.cutoff, seed
            )
            spaces.append(space)
            box, points = space.box, wave_design(space, method.runs_per_wave)
        else:
            points = candidates(prior, names, method.runs_per_wave, seed)
        frame, summary = run_points(
            cal, rounded(cal, points), root / f"wave_{number}", f"wave_{number}", execution
        )
        seconds[f"wave_{number}"], done = summary.seconds, done + summary.done
        frames.append(frame.assign(wave=number))
        waves.append(_fit_wave(cal, number, pd.concat(frames), observed, sigma, prior, seed))
    final_seed = stream_seed(cal.seed, 0)
    space = non_implausible(waves, box, prior, names, method.candidates, method.cutoff, final_seed)
    spaces.append(space)
    settings = (method.candidates, method.posterior_samples, method.cutoff)
    posterior = importance_sample(waves, space, prior, names, settings, final_seed)
    predictive, summary = _predictive_runs(cal, posterior, root, execution)
    if summary is not None:
        seconds["predictive"], done = summary.seconds, done + summary.done
    runs = pd.concat(frames, ignore_index=True)
    return CalibrationResult(cal, waves, runs, spaces, posterior, predictive, seconds, done)


def _fit_wave(
    cal: Calibration,
    number: int,
    runs: pd.DataFrame,
    observed: np.ndarray,
    sigma: np.ndarray,
    prior: tuple[np.ndarray, np.ndarray],
    seed: int,
) -> Wave:
    """One emulator per target on every run so far."""
    unit = to_unit(runs[cal.names].to_numpy(float), *prior)
    emulators = [
        fit_emulator(label, unit, runs[label].to_numpy(float), seed) for label in target_labels(cal)
    ]
    return Wave(number, emulators, observed, sigma, 1.0 / cal.replicates)


def _predictive_runs(
    cal: Calibration, posterior: PosteriorSample, root: Path, execution: dict[str, Any]
) -> tuple[pd.DataFrame, BatchSummary | None]:
    """Run the first distinct posterior rows through the model (``OUT/predictive``)."""
    rows = posterior.rows.drop_duplicates().head(cal.method.predictive_runs)
    if rows.empty:
        return pd.DataFrame(columns=[*cal.names, *target_labels(cal)]), None
    points = rounded(cal, rows.to_numpy(float))
    return run_points(cal, points, root / "predictive", "predictive", execution)
