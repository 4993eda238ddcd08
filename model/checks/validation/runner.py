"""Running the validation scenarios: case files loaded with overrides, runs shared by key."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence

from model.paths import CASES_DIR
from model.runner import RunResult, run_scenario
from model.scenario import Scenario, load_scenario


class Runner:
    """Loads case scenarios and runs them, caching identical runs.

    Args:
        extra: ``--set`` overrides applied to every run after the scenario's own (e.g.
            ``years=2`` for a quick check).
        progress: Called with a message before each new run.
    """

    def __init__(
        self, extra: Sequence[str] = (), progress: Callable[[str], None] | None = None
    ) -> None:
        self.extra = tuple(extra)
        self.progress = progress
        self.cache: dict[tuple[str, int], RunResult] = {}
        self.runs = 0

    def load(self, name: str, overrides: Iterable[str] = ()) -> Scenario:
        """Load ``scenarios/cases/<name>.toml`` with overrides, then the runner's own."""
        return load_scenario(CASES_DIR / f"{name}.toml", [*overrides, *self.extra])

    def run(self, scenario: Scenario, replicate: int) -> RunResult:
        """Run one replicate (or return the identical run made before)."""
        data = scenario.to_dict()
        data.pop("name", None)
        data.pop("description", None)
        paths = [
            str(scenario.resolve_data_path(f))
            for f in ("county.villages_file", "alliances.file", "farming.crops_file")
        ]
        key = (json.dumps([data, paths], sort_keys=True, default=str), replicate)
        if key not in self.cache:
            if self.progress is not None:
                self.progress(f"{scenario.name} replicate {replicate}")
            self.cache[key] = run_scenario(scenario, replicate)
            self.runs += 1
        return self.cache[key]
