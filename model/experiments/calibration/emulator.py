"""Gaussian-process emulators: a cheap stand-in for the model, one per target.

Each target's value is emulated by a scikit-learn ``GaussianProcessRegressor`` over the
free parameters scaled to ``[0, 1]`` (their prior ranges), with a constant times an
anisotropic (ARD) Matérn-5/2 kernel plus a white-noise term. The white noise absorbs the
model's own run-to-run (replicate) variation, so the emulator's predictive variance is
that of the *mean* response; the replicate variance is reported separately
(:attr:`Emulator.noise_variance`) and enters the implausibility as model variance.
Outputs are standardised before fitting (``normalize_y``). Fitting is deterministic for a
given seed (the optimiser's restarts draw from it), so a resumed calibration rebuilds the
same emulators.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

#: Restarts of the kernel's hyper-parameter optimiser (from random starts).
OPTIMISER_RESTARTS = 3


@dataclass
class Emulator:
    """The fitted emulator of one target.

    Attributes:
        label: The target's label.
        gp: The fitted ``GaussianProcessRegressor``.
        noise_variance: The white-noise variance (replicate variation), in the target's units.
        training_points: Points it was fitted on (scaled).
    """

    label: str
    gp: object
    noise_variance: float
    training_points: int

    def predict(self, unit_points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Mean and variance of the emulated mean response at scaled points."""
        mean, sd = self.gp.predict(unit_points, return_std=True)  # type: ignore[attr-defined]
        variance = np.maximum(sd**2 - self.noise_variance, 0.0)
        return mean, variance

    def length_scales(self) -> np.ndarray:
        """The fitted ARD length scales (on the scaled ``[0, 1]`` axes)."""
        kernel = self.gp.kernel_  # type: ignore[attr-defined]
        return np.atleast_1d(kernel.k1.k2.length_scale).astype(float)


def fit_emulator(label: str, unit_points: np.ndarray, values: np.ndarray, seed: int) -> Emulator:
    """Fit one target's emulator on runs at scaled points (one value per run).

    Runs whose value is missing (NaN) are left out.
    """
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.gaussian_process import GaussianProcessRegressor
    from sklearn.gaussian_process.kernels import ConstantKernel, Matern, WhiteKernel

    keep = np.isfinite(values)
    x, y = unit_points[keep], values[keep]
    dims = x.shape[1]
    kernel = ConstantKernel(1.0, (1e-3, 1e3)) * Matern(
        length_scale=np.full(dims, 0.5), length_scale_bounds=(1e-2, 1e2), nu=2.5
    ) + WhiteKernel(1e-2, (1e-8, 1e1))
    gp = GaussianProcessRegressor(
        kernel=kernel,
        normalize_y=True,
        n_restarts_optimizer=OPTIMISER_RESTARTS,
        random_state=seed,
    )
    with np.errstate(all="ignore"), warnings.catch_warnings():
        # A length scale at its bound means "this parameter does not matter": an answer.
        warnings.simplefilter("ignore", ConvergenceWarning)
        gp.fit(x, y)
    scale = float(np.std(y)) if np.std(y) > 0 else 1.0
    noise = float(gp.kernel_.k2.noise_level) * scale**2
    return Emulator(label, gp, noise, int(keep.sum()))
