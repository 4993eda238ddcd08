"""Provenance of stored runs: the code, the libraries and the time that made them.

Run keys (:func:`model.experiments.store.run_key`) hold the model *version*, which does not
change with every edit during development. A results folder's manifest therefore also
records the fingerprint of the code and data (:func:`code_fingerprint`) and the
environment (:func:`environment`), so that an execution can tell stored runs made by
other code or libraries from its own.
"""

from __future__ import annotations

import hashlib
import platform
from datetime import UTC, datetime
from pathlib import Path

from model.paths import PROJECT_ROOT


def code_fingerprint(root: Path | None = None) -> str:
    """A hash of the model's code and data (``model/``, ``agents/``, ``data/``).

    Run keys use the model *version*, which does not change with every edit during
    development; the fingerprint, kept in the manifest, lets a batch warn that stored runs
    were made by other code than the one about to add to them.
    """
    if root is None:
        root = PROJECT_ROOT
    digest = hashlib.sha256()
    for folder in ("model", "agents", "data"):
        for path in sorted((root / folder).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
                digest.update(str(path.relative_to(root)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def environment() -> dict[str, str]:
    """The Python, the numeric libraries and the machine: what else can change a number.

    The versions come from the installed packages' metadata (the same strings as their
    ``__version__``), so that the driver of a Dask batch, which runs no model, does not
    import Mesa and SciPy (about 1 s) only to name their versions.
    """
    from importlib.metadata import version

    return {
        "python": platform.python_version(),
        **{name: version(name) for name in ("numpy", "pandas", "scipy", "mesa")},
        "machine": platform.machine(),
        "system": platform.system(),
    }


def now() -> str:
    """Current UTC time, ISO 8601 to the second (manifests, failure records, references)."""
    return datetime.now(UTC).isoformat(timespec="seconds")
