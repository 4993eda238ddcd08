"""Shared test fixtures."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

LAND_USES = Path(__file__).resolve().parents[1] / "data" / "land_uses.csv"


@pytest.fixture
def dearer_land_uses(tmp_path: Path) -> Callable[[float], Path]:
    """A land-use sheet whose conversion investments are ``factor`` times the shipped ones."""

    def write(factor: float) -> Path:
        frame = pd.read_csv(LAND_USES)
        frame["investment_per_mu"] = frame["investment_per_mu"] * factor
        path = tmp_path / f"land_uses_x{factor}.csv"
        frame.to_csv(path, index=False)
        return path

    return write
