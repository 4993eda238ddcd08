"""The county and alliances built once per scenario and process, shared by its replicates.

:func:`model.jointmodel.build_world` is a pure function of a scenario's county and alliance
sections, their data files and the seed's county-level streams (``county``, ``alliances``):
replicates differ only in the per-replicate streams (:mod:`model.rng`), so every replicate
of a scenario, and every variant that changes neither section nor the seed, runs on the same
county. A batch's worker (or the driver, in process) keeps the last few worlds it built,
keyed by exactly those inputs, and hands them to :func:`model.runner.run_scenario`; the model
reads them and never writes them, so results are the same as with a fresh build
(``tests/test_shared_world.py`` checks both).
"""

from __future__ import annotations

import json
import time
from collections import OrderedDict
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from model.runner import RunResult
    from model.scenario import Scenario

#: Worlds kept per process (a county's village frame and alliances: a few MB at most).
CACHE_SIZE = 4

#: The data files a world is built from (scenario fields).
WORLD_FILES = ("county.villages_file", "county.towns_file", "alliances.file")

_worlds: OrderedDict[str, Any] = OrderedDict()
#: Worlds built by this process, and the seconds spent building them.
_builds = [0, 0.0]


def world_key(scenario: Scenario) -> str:
    """What the county and alliances of a scenario are built from, as one string.

    The seed (its county-level streams), the county and alliance sections, and each data
    file's resolved path, size and modification time (an edited file is a new world).
    """
    files = {}
    for field in WORLD_FILES:
        path = scenario.resolve_data_path(field)
        if path is not None:
            stat = Path(path).stat()
            files[field] = [str(Path(path).resolve()), stat.st_size, stat.st_mtime_ns]
    inputs = {
        "seed": scenario.seed,
        "county": scenario.county.model_dump(mode="json"),
        "alliances": scenario.alliances.model_dump(mode="json"),
        "files": files,
    }
    return json.dumps(inputs, sort_keys=True, default=str)


def shared_world(scenario: Scenario) -> Any:
    """The ``(county, alliances)`` of a scenario: built on first use in this process."""
    key = world_key(scenario)
    if key in _worlds:
        _worlds.move_to_end(key)
        return _worlds[key]
    from model.jointmodel import build_world

    start = time.perf_counter()
    world = build_world(scenario)
    _builds[0] += 1
    _builds[1] += time.perf_counter() - start
    _worlds[key] = world
    while len(_worlds) > CACHE_SIZE:
        _worlds.popitem(last=False)
    return world


def builds() -> tuple[int, float]:
    """How many worlds this process has built, and in how many seconds (a batch's workers
    report it to the tests and the batch benchmark)."""
    return int(_builds[0]), float(_builds[1])


def clear() -> None:
    """Forget the worlds built so far (tests)."""
    _worlds.clear()
    _builds[:] = [0, 0.0]


def run_on_shared_world(
    scenario: Scenario, replicate: int = 0, progress: bool = False, **options: Any
) -> RunResult:
    """:func:`model.runner.run_scenario` on the scenario's shared county and alliances.

    The batch engine's default run function (:func:`model.experiments.execute.execute`).
    """
    from model.runner import run_scenario

    return run_scenario(
        scenario, replicate=replicate, progress=progress, world=shared_world(scenario), **options
    )
