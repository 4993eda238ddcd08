"""Regression checks: run the canonical scenarios and compare them with stored references.

``jointvillage regress --reference DIR`` runs a small fixed set of *cases* (a scenario with
fixed seed, horizon and number of replicates) and compares what they produce with the
references stored in ``DIR`` by ``jointvillage regress --reference DIR --update --reason``.

Three kinds of check, from strict to statistical:

``exact`` — the deterministic parts.
    The county (village and town tables) and the alliances (alliance table, unplaced
    villages) are drawn from the county-level random streams of the seed only, so they
    must be identical: every column is fingerprinted (SHA-256 of its values, floats by
    their IEEE bits) and compared, together with the counts (villages, towns, households,
    population, alliances, allied and unplaced villages). A report names the columns that
    changed.

``replicate`` — every recorded aggregate of every replicate.
    The model is deterministic given seed and replicate, in any process, so each value of
    the county yearly and monthly tables and the yearly totals of the village and alliance
    tables must reproduce: ``|now - ref| <= ATOL + RTOL * |ref|`` with ``RTOL = 1e-9``.
    Bit-for-bit would do on one platform; the band leaves room for float summation noise
    when numpy or the CPU changes the order of a sum (about 1e-16 relative per operation,
    a few orders more through long sums), and is still millions of times smaller than a
    change of a parameter worth reporting (a 5 % change of the wheat yield moves county
    farm income by about half a percent).

``across replicates`` — the distribution of the final-year county measures.
    For each measure, the replicate values now are compared with the stored replicate
    values by a paired t-test (replicate ``r`` of a run shares its random streams with
    replicate ``r`` of the references: common random numbers, so a systematic shift of a
    fraction of a percent stands out), or Welch's test when the replicate numbers differ;
    two-sided, with a Bonferroni correction over all the measures of the run at a
    family-wise level ``ALPHA = 0.01``, and a minimum tolerance
    ``STAT_ATOL + STAT_RTOL * |ref mean|`` below which a difference never counts (so a
    measure with no variance across replicates does not flag float noise). A difference
    fails when it is beyond both. With the same code the two samples are identical and the
    test cannot flake; when the replicates are redrawn (a change in how random numbers are
    used, another platform) the test stays valid, and a false alarm anywhere in the run
    has probability at most 1 %. The report also shows Welch's p-value and the spread
    between replicates, to size a shift against the noise.

The *level* decides which checks fail a run: ``strict`` (default: every check) or
``statistical`` (only the across-replicate test; exact and per-replicate differences are
reported as ``moved``), for references made on another platform or to judge whether a
change in random-number use shifted the distribution.

References are one JSON file per case plus ``manifest.json`` (model and library versions,
platform, the cases and their settings, tolerances, and a history of every update with
its reason). A check runs the cases exactly as the manifest records them, so a reference
folder is self-describing.

The runs go through the project's one executor (:func:`model.experiments.execute.execute`)
into a results folder, in parallel on a local Dask cluster by default.

Modules: :mod:`~.cases` (the canonical set and the tolerances), :mod:`~.summaries` (what a
reference keeps of a run), :mod:`~.records` (exact and per-replicate checks),
:mod:`~.statistics` (the test across replicates), :mod:`~.report`, :mod:`~.printing`,
:mod:`~.references` (reference folders) and :mod:`~.run` (running the cases; check and
update).
"""

from model.checks.regress.cases import CANONICAL, LEVELS, Case, case_scenario, split_names
from model.checks.regress.printing import print_report, report_json
from model.checks.regress.records import Record, compare_replicates, compare_world
from model.checks.regress.references import read_case, read_manifest, write_references
from model.checks.regress.report import Report, compare_all
from model.checks.regress.run import check, run_cases, update
from model.checks.regress.statistics import compare_statistics, paired, welch
from model.checks.regress.summaries import column_digest, summarise_tables, table_digests

__all__ = [
    "CANONICAL",
    "LEVELS",
    "Case",
    "Record",
    "Report",
    "case_scenario",
    "check",
    "column_digest",
    "compare_all",
    "compare_replicates",
    "compare_statistics",
    "compare_world",
    "paired",
    "print_report",
    "read_case",
    "read_manifest",
    "report_json",
    "run_cases",
    "split_names",
    "summarise_tables",
    "table_digests",
    "update",
    "welch",
    "write_references",
]
