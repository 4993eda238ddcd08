"""The policymaker notebooks run top to bottom on small settings, and are stored clean.

Each notebook is executed in a fresh kernel (the ``python3`` kernel of this environment,
from ipykernel) with ``JOINTVILLAGE_FULL`` unset, i.e. on its small settings, from the
``notebooks/`` folder, like ``pytest --nbmake notebooks/`` does; their results go to
pytest's temporary folder (``JOINTVILLAGE_RESULTS``). Set
``JOINTVILLAGE_NOTEBOOK_TIMEOUT`` (seconds per cell, default 600) for slow machines.
"""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
import pytest

NOTEBOOK_DIR = Path(__file__).resolve().parent.parent / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
EXPECTED = ("01_compare_strategies", "02_sensitivity", "03_alliance_map", "04_design")


def test_the_four_notebooks_exist() -> None:
    assert [p.stem for p in NOTEBOOKS] == list(EXPECTED)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_stored_without_outputs(path: Path) -> None:
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type == "code":
            assert not cell.outputs, f"{path.name} cell {index} has outputs: strip them"
            assert cell.execution_count is None, f"{path.name} cell {index} has a count"
    assert notebook.metadata.get("kernelspec", {}).get("name") == "python3"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_on_small_settings(
    path: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    monkeypatch.delenv("JOINTVILLAGE_FULL", raising=False)
    monkeypatch.setenv("JOINTVILLAGE_RESULTS", str(tmp_path))  # the notebooks' run folders
    monkeypatch.setenv("MPLBACKEND", "Agg")
    notebook = nbformat.read(path, as_version=4)
    timeout = int(os.environ.get("JOINTVILLAGE_NOTEBOOK_TIMEOUT", "600"))
    client = NotebookClient(
        notebook,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(NOTEBOOK_DIR)}},
    )
    try:
        client.execute()
    except CellExecutionError as err:
        pytest.fail(f"{path.name} failed:\n{err}", pytrace=False)
    # The conclusion (the last cell) is written from the results: it must show text.
    last = notebook.cells[-1]
    shown = "".join(
        "".join(output.get("data", {}).get("text/markdown", ""))
        for output in last.get("outputs", [])
    )
    assert len(shown) > 100, f"{path.name}: the conclusion shows no text"
    images = sum(
        "image/png" in output.get("data", {})
        for cell in notebook.cells
        for output in cell.get("outputs", [])
    )
    assert images >= 3, f"{path.name}: only {images} figures"
