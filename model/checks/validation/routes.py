"""Gains by route: what each programme route adds to household and collective income.

A case's gain (the case minus its comparison run, same seed and replicate) is broken down
by the *route* the money took, read from the run's cumulative ledger flows (every payment
names a payer, a payee and a kind; :mod:`model.ledger`). A route is a set of payment kinds
(:data:`ROUTES`): enterprise contracts, cooperative marketing, specialty bases and
lease-back, pooling rent, shares and dividends, and so on. Receipts of households and of
collectives count positive, their payments negative; moves of capital (loans, shares,
investment), household spending and the collectives' public services are left out, so a
route's gain is income (the collectives' routes add up to their recorded income). Kinds
no route names (a mechanism added later) fall under "other" and are named in the table.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from model.checks.validation.gains import CONTRACT_OFF, OFF, POOLING_OFF
from model.checks.validation.rows import CheckResult, fmt
from model.checks.validation.runner import CaseRun, Runner
from model.ledger import CAPITAL_KINDS, SPENDING_KINDS
from model.runner import RunResult

#: Route -> the payment kinds it is made of (the ledger's kinds of model.mechanisms).
ROUTES: dict[str, tuple[str, ...]] = {
    "enterprise contracts": (
        "contract_payment",
        "contract_wage",
        "contract_fee",
        "contract_delivery",
        "contract_quality_cost",
    ),
    "cooperative marketing": ("marketing_premium", "input_discount"),
    "specialty bases leased back (lessees' sales, inputs, rent)": (
        "lease_back_sales",
        "lease_back_inputs",
        "lease_back_rent",
    ),
    "operators' wages (pooled grain and hired-labour bases)": ("operator_wage",),
    "industry-pull greenhouses (wages, land rent)": ("greenhouse_wage", "greenhouse_land_rent"),
    "own farming, incl. converted land": ("crop_sales", "farm_inputs"),
    "land rent (pooling, its cut, reserve and private)": (
        "pooled_rent",
        "rent_cut",
        "reserve_rent",
        "private_rent",
    ),
    "shares and dividends": ("dividend", "collective_share"),
    "wages (local and migrant)": ("local_wage", "migrant_wage"),
    "mode returns (joint ventures, fixed returns, projects)": (
        "joint_venture",
        "fixed_return",
        "project_income",
        "coordination_cost",
    ),
    "livestream e-commerce": ("livestream_sales", "online_premium"),
    "government (subsidies, pensions, pay, prizes)": (
        "farmland_subsidy",
        "pension",
        "performance_pay",
        "prize",
        "other_transfer",
    ),
    "collective own income": ("lease",),
    "side business and savings": ("business", "interest"),
}
#: Spending that is not income: households' (consumption, loan interest) and the
#: collectives' public services.
NOT_INCOME = CAPITAL_KINDS | SPENDING_KINDS | {"public_services"}
#: Whose income the routes count.
WHOSE = ("households", "collectives")
#: Label of the kinds no route names.
OTHER = "other"

#: Each check's case run and its comparison, for the breakdown (checks not listed get none).
ROUTE_RUNS: dict[str, tuple[CaseRun, CaseRun]] = {
    "lead_goose": (("lead_goose", ()), ("lead_goose", OFF)),
    "suburban_tourism": (("suburban_tourism", ()), ("suburban_tourism", OFF)),
    "millet": (("millet", ()), ("millet", CONTRACT_OFF)),
    "town_company": (("town_company", ()), ("town_company", POOLING_OFF)),
    "yushan": (("yushan", ()), ("yushan", OFF)),
    "flying_land": (("flying_land", ()), ("flying_land", OFF)),
    "matthew": (("matthew", ()), ("matthew", OFF)),
    "zouping": (("zouping", ()), ("zouping", OFF)),
    "mengyin": (("mengyin", ()), ("mengyin", OFF)),
}

_ROUTE_OF = {kind: route for route, kinds in ROUTES.items() for kind in kinds}


def income_by_route(flows: dict[str, float]) -> dict[tuple[str, str], float]:
    """Net income of households and collectives by (whose, route), from ledger flows.

    Args:
        flows: ``"payer|payee|kind" -> yuan`` (a run's ``meta["flows"]``).
    """
    out: dict[tuple[str, str], float] = {}
    for key, amount in flows.items():
        payer, payee, kind = key.split("|")
        if kind in NOT_INCOME:
            continue
        route = _ROUTE_OF.get(kind, OTHER)
        for whose, sign in ((payee, 1.0), (payer, -1.0)):
            if whose in WHOSE:
                out[(whose, route)] = out.get((whose, route), 0.0) + sign * amount
    return out


def unnamed_kinds(flows: dict[str, float]) -> list[str]:
    """Income kinds of households or collectives that no route names."""
    found = set()
    for key in flows:
        payer, payee, kind = key.split("|")
        if kind in NOT_INCOME or kind in _ROUTE_OF:
            continue
        if payer in WHOSE or payee in WHOSE:
            found.add(kind)
    return sorted(found)


def per_village_year(result: RunResult) -> dict[tuple[str, str], float]:
    """A run's income by (whose, route) per village and simulated year (yuan/yr)."""
    villages = max(int(result.meta.get("villages") or 1), 1)
    years = max(int(result.scenario.years), 1)
    flows = result.meta.get("flows", {})
    return {k: v / (villages * years) for k, v in income_by_route(flows).items()}


def route_gains(treat: Sequence[RunResult], base: Sequence[RunResult]) -> dict:
    """Mean over replicates of the gain by (whose, route), per village and year."""
    gains = []
    for t, b in zip(treat, base, strict=True):
        ti, bi = per_village_year(t), per_village_year(b)
        gains.append({k: ti.get(k, 0.0) - bi.get(k, 0.0) for k in set(ti) | set(bi)})
    keys = set().union(*gains) if gains else set()
    return {k: float(np.mean([g.get(k, 0.0) for g in gains])) for k in keys}


def route_table(gains: dict[tuple[str, str], float], unnamed: Sequence[str]) -> list[str]:
    """Markdown table of a gain by route, households and collectives."""
    lines = [
        "Gain by route, per village and year (county totals over the case's villages, "
        "mean over years and replicates; from the ledger's payments):",
        "",
        "| route | households (yuan/yr) | collectives (yuan/yr) |",
        "|---|---:|---:|",
    ]
    totals = dict.fromkeys(WHOSE, 0.0)
    for route in (*ROUTES, OTHER):
        values = [gains.get((whose, route), 0.0) for whose in WHOSE]
        if all(abs(v) < 0.5 for v in values):
            continue
        for whose, v in zip(WHOSE, values, strict=True):
            totals[whose] += v
        label = f"{OTHER} ({', '.join(unnamed)})" if route == OTHER and unnamed else route
        lines.append(f"| {label} | {fmt(values[0], 'yuan')} | {fmt(values[1], 'yuan')} |")
    cells = " | ".join(f"**{fmt(totals[w], 'yuan')}**" for w in WHOSE)
    lines.append(f"| **total** | {cells} |")
    return lines


def add_routes(results: list[CheckResult], names: Sequence[str], runner: Runner, n: int) -> None:
    """Append each listed check's gain by route to its details.

    Args:
        results: The checks' results, in the order of ``names``.
        names: The checks' names.
        runner: The runner that made the runs.
        n: Replicates.
    """
    for name, result in zip(names, results, strict=True):
        if name not in ROUTE_RUNS:
            continue
        (case, treat_over), (_, base_over) = ROUTE_RUNS[name]
        treat_s, base_s = runner.load(case, treat_over), runner.load(case, base_over)
        treat = [runner.run(treat_s, r) for r in range(n)]
        base = [runner.run(base_s, r) for r in range(n)]
        unnamed = sorted({k for run in treat + base for k in unnamed_kinds(run.meta["flows"])})
        result.details += ["", *route_table(route_gains(treat, base), unnamed)]
