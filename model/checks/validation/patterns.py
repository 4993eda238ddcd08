"""Patterns from elsewhere: 王家疃, 玉山村, flying land, the Matthew effect, 邹平 and 蒙阴."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from model.checks.validation.gains import (
    OFF,
    case_gains,
    collective_gain,
    gain_by_source,
    load_villages_start,
    mean_dicts,
    village_levels,
    villages,
)
from model.checks.validation.rows import (
    MODE_LABELS,
    CheckResult,
    Row,
    contract_note,
    fmt,
    relation,
    top_sources,
)
from model.checks.validation.runner import Runner
from model.runner import RunResult


def business_note(by_source: dict[str, float]) -> str:
    """How much the alliance company's collective businesses add (ends the sentence)."""
    business = by_source.get("business", 0.0)
    return (
        f"; the alliance company's collective businesses (model.mechanisms."
        f"collective_business) add {fmt(business, 'yuan')} that year, after loan interest."
    )


def check_wangjiatuan(runner: Runner, replicates: int) -> CheckResult:
    """王家疃: < 100k -> 870k after a 4-village alliance (2020-2023)."""
    weak = "wj-1"
    base = runner.load("wangjiatuan", OFF)
    start = load_villages_start(base)[weak]
    rows: list[Row] = []
    lines = [
        "The weak village's collective income by year (mean over replicates), in each mode, "
        "and without the alliance and policies:",
        "",
    ]
    table: dict[str, pd.Series] = {}
    for mode, label in MODE_LABELS.items():
        scenario = runner.load(
            "wangjiatuan", ["alliances.mode_rule=single", f"alliances.single_mode={mode}"]
        )
        levels, path, base_path, by_source = village_levels(
            runner, scenario, base, weak, 3, replicates
        )
        table[label] = path
        no_alliance = base_path
        mean = float(np.mean(levels))
        rows.append(
            Row(
                "王家疃 (weak village in a 4-village alliance)",
                f"its collective income in year 4, {label} mode",
                "yuan/yr",
                "870k (from < 100k)",
                levels,
                f"{relation(mean, 870_000).capitalize()}: from {fmt(start, 'yuan')} the model "
                f"reaches {fmt(mean, 'yuan')}, mostly through {top_sources(by_source, 2)}"
                + business_note(by_source),
            )
        )
    table["no alliance or policies"] = no_alliance
    frame = pd.DataFrame(table)
    lines += [
        "| year | " + " | ".join(frame.columns) + " |",
        "|---|" + "---:|" * len(frame.columns),
        *(
            f"| {year} | " + " | ".join(fmt(float(v), "yuan") for v in row) + " |"
            for year, row in frame.iterrows()
        ),
    ]
    return CheckResult(
        "wangjiatuan",
        "王家疃: a weak village in a 4-village alliance",
        "pattern",
        "scenarios/cases/wangjiatuan.toml",
        "levels; the mode set with alliances.mode_rule = single; the gain by source is "
        "against the same county with alliances and the four policies off",
        rows,
        lines,
    )


def check_yushan(runner: Runner, replicates: int) -> CheckResult:
    """玉山村 paired with a strong village: 75k -> 213k -> >= 500k."""
    scenario = runner.load("yushan")
    base_s = runner.load("yushan", OFF)
    weak = "ys-1"
    start = load_villages_start(scenario)[weak]
    year1, path, base_path, first = village_levels(runner, scenario, base_s, weak, 0, replicates)
    year3, _, _, third = village_levels(runner, scenario, base_s, weak, 2, replicates)
    m1, m3 = float(np.mean(year1)), float(np.mean(year3))
    rows = [
        Row(
            "玉山村 (paired with a 626k village)",
            "weak village's collective income, year 1",
            "yuan/yr",
            "213k (from 75k)",
            year1,
            f"{relation(m1, 213_000).capitalize()}: from {fmt(start, 'yuan')}, mostly through "
            f"{top_sources(first, 2)}" + business_note(first) + contract_note(first, scenario),
        ),
        Row(
            "玉山村 (paired with a 626k village)",
            "weak village's collective income, year 3",
            "yuan/yr",
            "≥ 500k",
            year3,
            f"{relation(m3, 500_000, math.inf).capitalize()}, mostly through "
            f"{top_sources(third, 2)}"
            + business_note(third)
            + contract_note(third, scenario)
            + " The partner's own businesses are not shared: strong-leads-weak shares only "
            "market access (a specialty price premium) and project capacity; the pair's "
            "company is new.",
        ),
    ]
    lines = [
        "| year | weak village, paired (mean) | same village, no pairing or policies (mean) |",
        "|---|---:|---:|",
        *(
            f"| {y} | {fmt(v, 'yuan')} | {fmt(float(base_path.loc[y]), 'yuan')} |"
            for y, v in path.items()
        ),
    ]
    return CheckResult(
        "yushan",
        "玉山村: a weak village paired with a strong one",
        "pattern",
        "scenarios/cases/yushan.toml",
        "levels; the gain by source is against the same county with alliances and the four "
        "policies off",
        rows,
        lines,
    )


def check_flying_land(runner: Runner, replicates: int) -> CheckResult:
    """Flying land: fixed returns of 8-10 %, +50k-80k per village a year."""
    gains, treat_s, _ = case_gains(runner, "flying_land", replicates)
    values = [float(g["collective_income"].mean()) for g in gains]
    pt = treat_s.modes.project_traction
    promised = pt.capital_per_village * pt.fixed_return
    mean = float(np.mean(values))
    low_cap, high_cap = 50_000 / 0.10, 80_000 / 0.08
    rows = [
        Row(
            "Flying land (fixed returns, 4 villages)",
            "collective income gain per village, mean of the years",
            "yuan/yr",
            "+50k–80k (8–10 %)",
            values,
            f"{relation(mean, 50_000, 80_000).capitalize()}: the gain is capital_per_village "
            f"x fixed_return ({pt.capital_per_village:,.0f} x {pt.fixed_return:.0%} = "
            f"{promised:,.0f}) in the years the firm pays (yearly default chance "
            f"{pt.default_probability:.0%}); the reported gains imply {low_cap:,.0f}–"
            f"{high_cap:,.0f} yuan placed per village, and the model's capital is an "
            "assumption.",
        )
    ]
    return CheckResult(
        "flying_land",
        "Flying land: fixed returns on pooled village capital",
        "pattern",
        "scenarios/cases/flying_land.toml",
        "the same county with the alliance off",
        rows,
        [],
    )


def check_matthew(runner: Runner, replicates: int) -> CheckResult:
    """Matthew effect: untargeted reforms raise middle- and high-income villages only."""
    treat_s = runner.load("matthew")
    base_s = runner.load("matthew", OFF)
    start = pd.Series(load_villages_start(treat_s))
    tercile = pd.qcut(start.rank(method="first"), 3, labels=["low", "middle", "high"])
    terciles = ("low", "middle", "high")
    absolute: dict[str, list[float]] = {t: [] for t in terciles}
    relative: dict[str, list[float]] = {t: [] for t in terciles}
    sources: dict[str, list[dict[str, float]]] = {t: [] for t in terciles}
    for r in range(replicates):
        gain = collective_gain(runner.run(treat_s, r), runner.run(base_s, r))
        group = tercile.reindex(gain.index.get_level_values("village_id")).to_numpy()
        per_village = gain["collective_income"].groupby(level="village_id").mean()
        village_group = tercile.reindex(per_village.index)
        for t in terciles:
            sel = per_village[village_group == t]
            absolute[t].append(float(sel.mean()))
            relative[t].append(float((sel / start.reindex(sel.index)).median()))
            sources[t].append(gain_by_source(gain[group == t]))
    mean_abs = {t: float(np.mean(absolute[t])) for t in terciles}
    mean_rel = {t: float(np.mean(relative[t])) for t in terciles}
    verdict = _matthew_verdict(mean_abs["low"], mean_abs["high"])
    why = (
        f"; relative to starting income the bottom tercile gains {mean_rel['low']:.0%} and "
        f"the top {mean_rel['high']:.0%} (medians). The bottom tercile's gain is mostly "
        f"{top_sources(mean_dicts(sources['low']), 2)}: pooling pays every village with "
        "grain land in proportion to its land, and the operator's surplus goes to the "
        "collectives whatever their income, while committee capacity (higher in richer "
        "villages) raises uptake and operator yields."
    )
    rows = []
    for t, label in (("low", "lowest"), ("middle", "middle"), ("high", "highest")):
        rows.append(
            Row(
                "Matthew effect (untargeted pooling, whole county)",
                f"collective income gain per village, {label} tercile of starting income",
                "yuan/yr",
                "≈ 0 (no gain)" if t == "low" else "gain",
                absolute[t],
                verdict + why if t == "low" else "See the lowest tercile's row.",
            )
        )
    ranges = {t: (start[tercile == t].min(), start[tercile == t].max()) for t in terciles}
    lines = [
        "| tercile | starting income | gain (yuan/yr, mean) | gain / starting income (median) |",
        "|---|---|---:|---:|",
        *(
            f"| {t} | {fmt(ranges[t][0], 'yuan')}–{fmt(ranges[t][1], 'yuan')} | "
            f"{fmt(mean_abs[t], 'yuan')} | {mean_rel[t]:.0%} |"
            for t in terciles
        ),
    ]
    return CheckResult(
        "matthew",
        "Matthew effect of an untargeted reform",
        "pattern",
        "scenarios/cases/matthew.toml",
        "the same county without pooling",
        rows,
        lines,
    )


def _matthew_verdict(low: float, high: float) -> str:
    """Whether the bottom tercile's gain (yuan) is next to nothing, smaller, or not."""
    if low <= 0.1 * max(high, 1.0):
        return "The model reproduces the pattern: the lowest tercile gains next to nothing"
    if low < high:
        return (
            f"The model shows a Matthew gradient in yuan (the top tercile gains "
            f"{high / max(low, 1.0):.1f} times the bottom) but not the absence of gains in "
            "poor villages"
        )
    return "The model does not reproduce the pattern: poor villages gain as much or more"


def check_zouping(runner: Runner, replicates: int) -> CheckResult:
    """邹平: all villages >= 100k, 40 % >= 500k, with 653 joint projects."""
    treat_s = runner.load("zouping")
    base_s = runner.load("zouping", OFF)
    over_100, over_500, allied_100, base_100, base_500, projects, allied_share = (
        [] for _ in range(7)
    )
    for r in range(replicates):
        t, b = runner.run(treat_s, r), runner.run(base_s, r)
        vt, vb = t.tables["village_yearly"], b.tables["village_yearly"]
        last_t, last_b = vt[vt["year"] == vt["year"].max()], vb[vb["year"] == vb["year"].max()]
        over_100.append(float((last_t["collective_income"] >= 100_000).mean()))
        over_500.append(float((last_t["collective_income"] >= 500_000).mean()))
        allied = last_t[last_t["allied"]]
        allied_share.append(float(last_t["allied"].mean()))
        allied_100.append(float((allied["collective_income"] >= 100_000).mean()))
        base_100.append(float((last_b["collective_income"] >= 100_000).mean()))
        base_500.append(float((last_b["collective_income"] >= 500_000).mean()))
        fund = t.meta["public_by_kind"].get("project_fund", 0.0)
        projects.append(fund / treat_s.governance.project_fund.project_size)
    m100, m500 = float(np.mean(over_100)), float(np.mean(over_500))
    rows = [
        Row(
            "邹平 (joint projects, all villages)",
            "share of villages with collective income ≥ 100k, last year",
            "share",
            "100 %",
            over_100,
            f"{relation(m100, 1.0).capitalize()} (without the programme "
            f"{np.mean(base_100):.0%}; allied villages {np.mean(allied_100):.0%}): the "
            f"alliances cover {np.mean(allied_share):.0%} of the villages and the programme "
            "lifts mostly those; 邹平's 653 joint projects reached every village, the model's "
            f"fund pays for about {np.mean(projects):,.0f} projects.",
        ),
        Row(
            "邹平 (joint projects, all villages)",
            "share of villages with collective income ≥ 500k, last year",
            "share",
            "40 %",
            over_500,
            f"{relation(m500, 0.40).capitalize()} (without the programme "
            f"{np.mean(base_500):.0%}): the share follows the synthetic county's starting "
            "incomes (town medians and their spread) as much as the programme.",
        ),
    ]
    return CheckResult(
        "zouping",
        "邹平: every village above the weak-village bar",
        "pattern",
        "scenarios/cases/zouping.toml",
        "the same county with alliances and the four policies off (baseline)",
        rows,
        [],
    )


def check_mengyin(runner: Runner, replicates: int) -> CheckResult:
    """蒙阴: party-led cooperatives; villages +50k, member households +15k."""
    treat_s = runner.load("mengyin")
    base_s = runner.load("mengyin", OFF)
    village_gain, household_gain, members, pooled_mu = [], [], [], []
    sources: list[dict[str, float]] = []
    income_parts: list[dict[str, float]] = []
    for r in range(replicates):
        t, b = runner.run(treat_s, r), runner.run(base_s, r)
        gain = collective_gain(t, b)
        allied = villages(t)["allied"].reindex(gain.index).fillna(False).astype(bool)
        with_coop = gain[allied.to_numpy()]
        village_gain.append(float(with_coop["collective_income"].mean()))
        sources.append(gain_by_source(with_coop))
        gained, parts, share, mu = _member_gains(t, b)
        household_gain.append(gained)
        income_parts.append(parts)
        members.append(share)
        pooled_mu.append(mu)
    mv, mh = float(np.mean(village_gain)), float(np.mean(household_gain))
    by_source = mean_dicts(sources)
    parts = mean_dicts(income_parts)
    part_text = ", ".join(
        f"{k} {fmt(v, 'yuan')}"
        for k, v in sorted(parts.items(), key=lambda kv: -abs(kv[1]))
        if abs(v) >= 1
    )
    rp = treat_s.policies.coop_shares
    rows = [
        Row(
            "蒙阴 (party-led cooperatives)",
            "collective income gain per village with a cooperative, mean of the years",
            "yuan/yr",
            "+50k",
            village_gain,
            f"{relation(mv, 50_000).capitalize()}, mostly {top_sources(by_source, 2)}: the "
            "model's joint cooperatives pay the collectives their cut of the pooled rent and "
            f"{rp.collective_share:.0%} of their surplus on pooled land (grain, and specialty "
            "bases where those pay more).",
        ),
        Row(
            "蒙阴 (party-led cooperatives)",
            "income gain per member household, mean of the years",
            "yuan/yr",
            "+15k",
            household_gain,
            f"{relation(mh, 15_000).capitalize()}: by source {part_text}, on "
            f"{np.mean(pooled_mu):.1f} pooled mu per member household (members hold pooled "
            "land, cash or specialty shares); 蒙阴's cooperatives run fruit and other "
            "specialties with larger margins, which the model's operators take up only where "
            "a base's expected margin beats grain at hired wages (members: "
            f"{np.mean(members):.0%} of sampled households in the last year).",
        ),
    ]
    return CheckResult(
        "mengyin",
        "蒙阴: party-led cooperatives",
        "pattern",
        "scenarios/cases/mengyin.toml",
        "the same county with alliances and the four policies off (baseline)",
        rows,
        [],
    )


def _member_gains(
    treat: RunResult, base: RunResult
) -> tuple[float, dict[str, float], float, float]:
    """Cooperative members' income gain: per household and year, by source; the members'
    share of the sampled households and their pooled mu (last year)."""
    key = ["year", "household"]
    rows = treat.tables["households"]
    # Year 0 (the county as built) has no incomes yet: the gains are per programme year.
    ht = rows[rows["year"] >= treat.scenario.start_year].set_index(key)
    hb = base.tables["households"].set_index(key).reindex(ht.index)
    income_cols = [c for c in ht.columns if c.startswith("income_")]
    member = (ht["pooled_mu"] > 0) | (ht["cash_shares"] > 0)
    if "specialty_shares" in ht.columns:
        member |= ht["specialty_shares"] > 0
    diff = ht.loc[member, income_cols] - hb.loc[member, income_cols]
    per_year = diff.groupby(level="year").mean()
    parts = {c.removeprefix("income_"): float(per_year[c].mean()) for c in income_cols}
    share = float(member.groupby(level="year").mean().iloc[-1])
    pooled = float(ht.loc[member, "pooled_mu"].groupby(level="year").mean().iloc[-1])
    return float(per_year.sum(axis=1).mean()), parts, share, pooled
