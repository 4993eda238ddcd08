"""Where the project's folders are, and the one way to find a data file.

Every module that needs the project root, the shipped scenarios, experiments or data sheets
takes them from here, so that moving a module never changes what it finds.
"""

from __future__ import annotations

from pathlib import Path

#: The project's root folder (holds ``scenarios/``, ``data/`` and ``docs/``).
PROJECT_ROOT = Path(__file__).resolve().parent.parent
#: Scenario files shipped with the project.
SCENARIO_DIR = PROJECT_ROOT / "scenarios"
#: Experiment files shipped with the project.
EXPERIMENT_DIR = SCENARIO_DIR / "experiments"
#: Case-study scenarios (validation).
CASES_DIR = SCENARIO_DIR / "cases"
#: Parameter sheets and example data.
DATA_DIR = PROJECT_ROOT / "data"
#: The project's documentation.
DOCS_DIR = PROJECT_ROOT / "docs"


def find_file(name: str | Path, *, near: Path | None = None) -> Path | None:
    """Find a file as given, next to ``near``, in the working directory or the project root.

    Args:
        name: A path, absolute or relative.
        near: A file whose folder is searched first (e.g. the scenario that named ``name``).

    Returns:
        The resolved path of the first existing file, or ``None``.
    """
    if not str(name):
        return None
    candidate = Path(name)
    if candidate.is_absolute():
        options = [candidate]
    else:
        options = [near.parent / candidate] if near is not None else []
        options += [Path.cwd() / candidate, PROJECT_ROOT / candidate]
    for option in options:
        if option.is_file():
            return option.resolve()
    return None
