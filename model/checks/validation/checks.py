"""Every check, in the order of docs/validation.md, and running them."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from model.checks.validation.case_studies import (
    check_lead_goose,
    check_millet,
    check_suburban_tourism,
    check_town_company,
)
from model.checks.validation.patterns import (
    check_flying_land,
    check_matthew,
    check_mengyin,
    check_wangjiatuan,
    check_yushan,
    check_zouping,
)
from model.checks.validation.rows import CheckResult
from model.checks.validation.runner import Runner
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


def run_checks(
    replicates: int = DEFAULT_REPLICATES,
    checks: Sequence[str] | None = None,
    overrides: Sequence[str] = (),
    progress: Callable[[str], None] | None = None,
) -> tuple[list[CheckResult], Runner]:
    """Run the checks.

    Args:
        replicates: Replicates per scenario (replicate numbers 0..n-1).
        checks: Names from :data:`CHECKS` (default all).
        overrides: ``--set`` overrides applied to every run (e.g. ``years=2``).
        progress: Called with a message before each check and run.

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
    runner = Runner(overrides, progress)
    results = []
    for name in names:
        if progress is not None:
            progress(f"check {name}")
        results.append(CHECKS[name](runner, replicates))
    return results, runner
