"""Every check, in the order of docs/validation.md, and running them."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from model.checks.validation.case_studies import (
    check_lead_goose,
    check_millet,
    check_suburban_tourism,
    check_town_company,
)
from model.checks.validation.gains import CONTRACT_OFF, OFF, POOLING_OFF
from model.checks.validation.patterns import (
    check_flying_land,
    check_matthew,
    check_mengyin,
    check_wangjiatuan,
    check_yushan,
    check_zouping,
)
from model.checks.validation.routes import add_routes
from model.checks.validation.rows import MODE_LABELS, CheckResult
from model.checks.validation.runner import CaseRun, Runner
from model.errors import InputError

#: Replicates by default.
DEFAULT_REPLICATES = 5


#: Every check, in the order of docs/validation.md.
CHECKS: dict[str, Callable[[Runner, int], CheckResult]] = {
    "lead_goose": check_lead_goose,
    "suburban_tourism": check_suburban_tourism,
    "millet": check_millet,
    "town_company": check_town_company,
    "wangjiatuan": check_wangjiatuan,
    "yushan": check_yushan,
    "flying_land": check_flying_land,
    "matthew": check_matthew,
    "zouping": check_zouping,
    "mengyin": check_mengyin,
}


#: The runs each check makes, for every replicate (case file, overrides): declared here so
#: that they are made up front, in parallel. A check that asks for a run not listed still
#: gets it, made in this process (``Runner.on_demand`` counts them; a test keeps it 0).
CHECK_RUNS: dict[str, tuple[CaseRun, ...]] = {
    "lead_goose": (("lead_goose", ()), ("lead_goose", OFF)),
    "suburban_tourism": (("suburban_tourism", ()), ("suburban_tourism", OFF)),
    "millet": (("millet", ()), ("millet", CONTRACT_OFF), ("millet", OFF)),
    "town_company": (("town_company", ()), ("town_company", POOLING_OFF)),
    "wangjiatuan": (
        ("wangjiatuan", OFF),
        *(
            ("wangjiatuan", ("alliances.mode_rule=single", f"alliances.single_mode={mode}"))
            for mode in MODE_LABELS
        ),
    ),
    "yushan": (("yushan", ()), ("yushan", OFF)),
    "flying_land": (("flying_land", ()), ("flying_land", OFF)),
    "matthew": (("matthew", ()), ("matthew", OFF)),
    "zouping": (("zouping", ()), ("zouping", OFF)),
    "mengyin": (("mengyin", ()), ("mengyin", OFF)),
}


def run_checks(
    replicates: int = DEFAULT_REPLICATES,
    checks: Sequence[str] | None = None,
    overrides: Sequence[str] = (),
    workers: int | None = 0,
    progress: bool = False,
    results: str | Path | None = None,
) -> tuple[list[CheckResult], Runner]:
    """Run the checks.

    Args:
        replicates: Replicates per scenario (replicate numbers 0..n-1).
        checks: Names from :data:`CHECKS` (default all).
        overrides: ``--set`` overrides applied to every run (e.g. ``years=2``).
        workers: Worker processes (0 = in this process, ``None`` = one per CPU).
        progress: Show a progress bar of the runs on stderr.
        results: Keep the runs in this folder (see :class:`Runner`).

    Returns:
        The results and the runner (run count, cache).

    Raises:
        InputError: Unknown check name, bad override or bad scenario.
    """
    if replicates < 1:
        raise InputError("--replicates", "replicates", replicates, "an integer >= 1")
    names = list(checks) if checks else list(CHECKS)
    for name in names:
        if name not in CHECKS:
            raise InputError("--check", "check", name, "one of " + ", ".join(CHECKS))
    runner = Runner(overrides, workers, progress, results)
    runner.prepare([run for name in names for run in CHECK_RUNS[name]], replicates)
    results = [CHECKS[name](runner, replicates) for name in names]
    add_routes(results, names, runner, replicates)
    return results, runner
