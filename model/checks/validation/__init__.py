"""Validation: what the programme and similar cases reported, against the model.

Each *check* runs one scenario of ``scenarios/cases/`` with replicates through
:func:`model.runner.run_scenario`, together with a comparison run of the same scenario
with the alliance or the policy switched off, on the same seed and replicate (common
random numbers: the same county, households, weather and prices). It returns rows of
"reported outcome | model mean | model min-max over replicates | gap", and details.
:func:`write_validation` writes them to ``docs/validation.md``::

    jointvillage validation --replicates 5 --out docs/validation.md

Case studies (small explicit counties, ``data/cases/*.csv``): the lead-goose alliance,
the suburban tourism alliance, the branded-millet project and land pooled to a town
company (Anqiu programme report, 大众新媒体 party-building case, 2023). Patterns from
elsewhere, each scenario file naming its public source: 王家疃, 玉山村, Zhejiang
"flying-land" fixed returns, the Matthew effect of untargeted reforms, 邹平 and 蒙阴.

Modules: :mod:`~.runner` (loading and running the scenarios), :mod:`~.gains` (a case
against its comparison run), :mod:`~.case_studies`, :mod:`~.patterns`, :mod:`~.checks`
(every check, and running them), :mod:`~.rows` (the rows and how values read) and
:mod:`~.report` (the document).
"""

from model.checks.validation.checks import CHECKS, DEFAULT_REPLICATES, run_checks
from model.checks.validation.report import DOC_PATH, render, summary_records, write_validation
from model.checks.validation.rows import CheckResult, Row, fmt, relation
from model.checks.validation.runner import Runner

__all__ = [
    "CHECKS",
    "DEFAULT_REPLICATES",
    "DOC_PATH",
    "CheckResult",
    "Row",
    "Runner",
    "fmt",
    "relation",
    "render",
    "run_checks",
    "summary_records",
    "write_validation",
]
