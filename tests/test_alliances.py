"""Alliance formation: Anqiu counts, bounds, modes, files and the unplaced report."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from model.errors import InputError
from model.rng import stream
from model.scenario import load_scenario
from model.world.alliance_targets import FormationProgress, desired_size, sharing_need
from model.world.alliances import (
    ALLIANCE_COLUMNS,
    MODES,
    AllianceParams,
    alliance_summary,
    form_alliances,
    no_alliances,
)
from model.world.county import County, CountyParams, build_county, load_villages

DATA = Path(__file__).resolve().parent.parent / "data"
EXAMPLE_VILLAGES = DATA / "example_villages.csv"
EXAMPLE_ALLIANCES = DATA / "example_alliances.csv"
ANQIU = AllianceParams(enabled=True)


def _county(seed: int) -> County:
    return build_county(CountyParams(), stream(seed, "county"))


def _form(county: County, seed: int, **changes: object):
    params = ANQIU.model_copy(update=changes)
    params = AllianceParams.model_validate(params.model_dump())
    return form_alliances(county, params, stream(seed, "alliances"))


@pytest.fixture(scope="module")
def county():
    return _county(20231)


@pytest.fixture(scope="module")
def anqiu(county):
    # The Anqiu programme settings as a scenario gives them (defaults + enabled).
    scenario = load_scenario(data={"seed": 20231, "alliances": {"enabled": True}})
    assert scenario.alliances == ANQIU
    return form_alliances(county, scenario.alliances, stream(scenario.seed, "alliances"))


def _check_bounds(
    county: County, alliances, params: AllianceParams, strongest_lead: bool = True
) -> None:
    """Every alliance obeys the rules; table, membership and leads agree.

    Members (villages other than the lead) are in exactly one alliance; a lead may lead up
    to ``max_alliances_per_lead`` alliances and is a member of no other; ``membership``
    is each village's primary alliance (a lead's first).
    """
    v = county.villages
    xy = v[["x_km", "y_km"]].to_numpy()
    strength = (v["committee_capacity"] * v["collective_income_start"]).to_numpy()
    in_alliances: dict[int, list[int]] = {}
    for row, a in alliances.table.iterrows():
        members = list(a["members"])
        assert params.min_villages <= len(members) == a["n_villages"] <= params.max_villages
        assert params.min_population <= a["population"] <= params.max_population
        # The lead's full population counts in every alliance it leads.
        assert a["population"] == v["population"].iloc[members].sum()
        pts = xy[members]
        diameter = np.max(np.linalg.norm(pts[:, None] - pts[None, :], axis=2))
        assert diameter <= params.max_distance_km + 1e-9
        assert v["town"].iloc[members].nunique() == 1
        assert a["town"] == v["town"].iloc[members[0]]
        assert a["lead"] == members[0]
        if strongest_lead:  # formed alliances (file leads may be flagged)
            assert members[0] == members[int(np.argmax(strength[members]))]
        assert a["mode"] in MODES
        assert len(set(members)) == len(members)
        for m in members:
            in_alliances.setdefault(m, []).append(row)
    leads = alliances.table["lead"].to_numpy()
    led = alliances.alliances_led()
    assert led.sum() == len(alliances.table) and led.max(initial=0) <= params.max_alliances_per_lead
    for village, rows in in_alliances.items():
        if led[village] == 0:
            assert len(rows) == 1, f"member village {village} in alliances {rows}"
        else:
            # A lead is in exactly the alliances it leads.
            assert rows == list(np.flatnonzero(leads == village))
        assert alliances.membership[village] == rows[0]
        assert alliances.memberships(village) == rows
    assert (alliances.membership >= 0).sum() == len(in_alliances)


@pytest.mark.parametrize("seed", [20231, 1, 5])
def test_anqiu_forms_181_alliances_over_453_villages(seed):
    # The programme's figures hold together when a lead village may lead several
    # alliances (module docstring): 181 +- 9 alliances over 453 +- 23 distinct villages.
    county = _county(seed)
    anqiu = _form(county, seed)
    s = alliance_summary(anqiu)
    assert 181 - 9 <= s["alliances"] <= 181 + 9
    assert 453 - 23 <= s["allied_villages"] <= 453 + 23
    distinct = set().union(*map(set, anqiu.table["members"]))
    assert s["allied_villages"] == len(distinct) == (anqiu.membership >= 0).sum()
    # About 90 lead villages leading ~2 alliances each; ~365 members in one alliance each.
    assert 70 <= s["lead_villages"] <= 110
    assert s["max_alliances_per_lead_used"] == ANQIU.max_alliances_per_lead == 3
    assert s["memberships"] == anqiu.table["n_villages"].sum() > s["allied_villages"]
    assert s["covered_besides_lead"] == s["allied_villages"] - s["lead_villages"]
    _check_bounds(county, anqiu, ANQIU)


def test_one_alliance_per_lead_is_the_old_formation(county):
    # max_alliances_per_lead = 1: every village in at most one alliance; the 453 villages
    # then take only ~145 alliances (181 would need >= 543 villages).
    old = _form(county, 20231, max_alliances_per_lead=1)
    s = alliance_summary(old)
    assert 453 - 23 <= s["allied_villages"] <= 453 + 23
    assert 130 <= s["alliances"] <= 160 and s["alliances"] == s["lead_villages"]
    assert s["max_alliances_per_lead_used"] == 1
    assert s["memberships"] == s["allied_villages"]
    params = ANQIU.model_copy(update={"max_alliances_per_lead": 1})
    _check_bounds(county, old, params)
    assert (old.alliances_led() <= 1).all()


@pytest.mark.parametrize("seed", [1, 7])
def test_bounds_hold_for_other_seeds_and_settings(seed):
    county = _county(seed)
    for changes in (
        {},
        {"max_distance_km": 3.0, "max_villages": 4},
        {"min_population": 1400},
        {"max_alliances_per_lead": 2},
        {"max_alliances_per_lead": 5, "weight_shared_lead": 10.0},
    ):
        alliances = _form(county, seed, **changes)
        assert len(alliances.table) > 50
        _check_bounds(county, alliances, ANQIU.model_copy(update=changes))


def test_leads_are_strong_members_are_small_and_weak(county, anqiu):
    v = county.villages
    led = anqiu.alliances_led()
    is_lead = led > 0
    member = (anqiu.membership >= 0) & ~is_lead
    strength = (v["committee_capacity"] * v["collective_income_start"]).rank(pct=True)
    assert strength[is_lead].median() > 0.65 and strength[member].median() < 0.35
    assert v["population"][member].median() < 450
    # Leads of several alliances are the rule, not the exception.
    assert (led >= 2).sum() > (led == 1).sum() / 2


def test_targets_steer_alliance_count_and_coverage(county):
    # Coverage counted besides the lead: 100 alliances taking in 250 villages.
    a = _form(county, 3, coverage_counts="besides_lead", target_alliances=100, coverage_target=250)
    s = alliance_summary(a)
    # Without steering (3 villages each) coverage would be ~200; allow 5% slack for groups
    # that stop short of their desired size.
    assert s["alliances"] == 100 and abs(s["covered_besides_lead"] - 250) <= 12
    # All distinct villages counted: 150 alliances over 400 villages (some leads shared).
    b = _form(county, 3, target_alliances=150, coverage_target=400)
    s = alliance_summary(b)
    assert s["alliances"] == 150 and abs(s["allied_villages"] - 400) <= 20
    assert s["lead_villages"] < 150
    # One alliance per village: 80 alliances over 320 villages (4 each on average).
    c = _form(county, 3, target_alliances=80, coverage_target=320, max_alliances_per_lead=1)
    s = alliance_summary(c)
    assert s["alliances"] == 80 and abs(s["allied_villages"] - 320) <= 16


def test_alliances_favour_small_hollowed_weak_villages(county, anqiu):
    v = county.villages
    allied = anqiu.membership >= 0
    assert v["population"][allied].median() < v["population"][~allied].median()
    weak = v["collective_income_start"] < 100_000
    assert weak[allied].mean() > weak[~allied].mean()
    assert v["hollowed"][allied].mean() > v["hollowed"][~allied].mean()
    # Complementarity: leads are stronger than their members.
    strength = (v["committee_capacity"] * v["collective_income_start"]).to_numpy()
    leads = anqiu.table["lead"].to_numpy()
    others = np.concatenate([m[1:] for m in anqiu.table["members"]])
    assert np.median(strength[leads]) > 3 * np.median(strength[others])


def test_alliances_are_compact(anqiu):
    assert anqiu.table["diameter_km"].mean() < 3.5


def test_anqiu_mode_mix(county, anqiu):
    counts = anqiu.table["mode"].value_counts()
    assert counts["lead_goose"] == 33 and counts["strong_leads_weak"] == 50
    rest = counts.get("industry_pull", 0) + counts.get("project_traction", 0)
    assert rest == len(anqiu.table) - 83 and counts.get("industry_pull", 0) > 0
    # 33 mentor secretaries: each lead-goose alliance has its own lead, and they are the
    # most capable of the leads.
    cap = county.villages["committee_capacity"].to_numpy()
    leads = anqiu.table["lead"].to_numpy()
    goose = (anqiu.table["mode"] == "lead_goose").to_numpy()
    mentors = set(leads[goose].tolist())
    assert len(mentors) == goose.sum() == 33
    other_leads = [lead for lead in set(leads.tolist()) if lead not in mentors]
    assert cap[list(mentors)].min() >= cap[other_leads].max()
    industry = county.villages["industry"].to_numpy()
    for members in anqiu.table.loc[anqiu.table["mode"] == "industry_pull", "members"]:
        special = industry[list(members)]
        special = special[special != "grain"]
        assert np.unique(special, return_counts=True)[1].max() >= len(members) / 2


def test_mode_counts_follow_the_configuration(county):
    a = _form(county, 5, lead_goose_count=10, strong_leads_weak_count=25)
    counts = a.table["mode"].value_counts()
    assert counts["lead_goose"] == 10 and counts["strong_leads_weak"] == 25
    b = _form(county, 5, lead_goose_count=0, strong_leads_weak_count=0)
    assert set(b.table["mode"]) == {"industry_pull", "project_traction"}


def test_single_mode_rule(county):
    a = _form(county, 20231, mode_rule="single", single_mode="project_traction")
    assert len(a.table) > 0 and (a.table["mode"] == "project_traction").all()


def test_by_profile_rule(county):
    a = _form(county, 20231, mode_rule="by_profile", profile_lead_goose_capacity=0.85)
    cap = county.villages["committee_capacity"].to_numpy()
    lead_cap = cap[a.table["lead"].to_numpy()]
    assert ((a.table["mode"] == "lead_goose").to_numpy() == (lead_cap >= 0.85)).all()
    assert a.table["mode"].nunique() >= 3


def test_disabled_gives_no_alliances(county):
    a = form_alliances(county, AllianceParams(), stream(1, "alliances"))
    assert len(a.table) == 0 and tuple(a.table.columns) == ALLIANCE_COLUMNS
    assert (a.membership == -1).all() and len(a.membership) == 864 and a.unplaced.empty
    assert alliance_summary(a)["allied_villages"] == 0
    empty = no_alliances(county)
    assert len(empty.table) == 0 and (empty.membership == -1).all()


def test_same_seed_same_alliances_other_seed_differs(county, anqiu):
    again = _form(county, 20231)
    pd.testing.assert_frame_equal(anqiu.table, again.table)
    assert (anqiu.membership == again.membership).all()
    other = _form(county, 20232)
    assert not anqiu.table["members"].equals(other.table["members"])


def test_formation_is_fast(county):
    start = time.perf_counter()
    _form(county, 11)
    assert time.perf_counter() - start < 1.5


def test_unplaced_report_names_villages_and_reasons(county, anqiu):
    un = anqiu.unplaced
    assert list(un.columns) == ["village_id", "town", "population", "reason"]
    assert len(un) > 0 and un["reason"].str.len().min() > 10
    rows = pd.Index(county.villages["village_id"]).get_indexer(un["village_id"])
    assert (rows >= 0).all() and (anqiu.membership[rows] == -1).all()
    assert un["reason"].str.contains("(?:coverage|alliance) target reached").any()
    assert alliance_summary(anqiu)["unplaced"] == len(un)


def _tiny_county(tmp_path: Path) -> County:
    """Two towns: a cluster of five small villages, an isolated one and a huge one."""
    rows = [
        ("a1", "A", 0.0, 0.0, 300),
        ("a2", "A", 1.0, 0.0, 320),
        ("a3", "A", 0.0, 1.0, 350),
        ("a4", "A", 1.0, 1.0, 400),
        ("a5", "A", 0.5, 1.8, 250),
        ("far", "A", 30.0, 30.0, 200),
        ("b1", "B", 1.5, 0.5, 280),
        ("b2", "B", 60.0, 0.0, 1950),
        ("b3", "B", 61.0, 0.0, 150),
        ("b4", "B", 60.5, 1.0, 120),
    ]
    frame = pd.DataFrame(rows, columns=["village_id", "town", "x_km", "y_km", "population"])
    frame["households"] = frame["population"] // 3
    frame["cultivated_mu"] = frame["population"] * 2.0
    frame["industry"] = "grain"
    frame["collective_income_start"] = 50_000.0
    path = tmp_path / "tiny.csv"
    frame.to_csv(path, index=False)
    return County(load_villages(path), pd.DataFrame({"town": ["A", "B"]}), str(path))


@pytest.mark.parametrize("per_lead", [1, 3])
def test_unplaced_reasons_for_isolated_and_oversized_villages(tmp_path, per_lead):
    county = _tiny_county(tmp_path)
    a = _form(
        county,
        1,
        target_alliances=0,
        coverage_target=0,
        small_village_population=2500,
        max_alliances_per_lead=per_lead,
    )
    ids = county.villages["village_id"]
    # The five-village cluster makes one alliance, or two under one shared lead.
    assert len(a.table) == (1 if per_lead == 1 else 2)
    assert a.table["lead"].nunique() == 1
    for members in a.table["members"]:
        named = set(ids.iloc[list(members)])
        assert named <= {"a1", "a2", "a3", "a4", "a5"} and "b1" not in named  # same town
    reasons = a.unplaced.set_index("village_id")["reason"]
    assert "no unallied village of its town within 5 km" in reasons["far"]
    assert "villages fit together" in reasons["b2"]  # 1,950 people leaves no room
    assert "b1" in reasons.index
    if per_lead > 1:
        assert not set(reasons.index) & {"a1", "a2", "a3", "a4", "a5"}
        _check_bounds(county, a, ANQIU.model_copy(update={"max_alliances_per_lead": per_lead}))


# --------------------------------------------------------------------------------------
# Alliance files


@pytest.fixture(scope="module")
def file_county():
    return build_county(CountyParams(source="file"), stream(1, "county"), EXAMPLE_VILLAGES)


def _from_file(county: County, path: Path, **changes: object):
    params = AllianceParams(enabled=True, source="file", **changes)
    return form_alliances(county, params, stream(1, "alliances"), path)


def test_file_groupings_modes_and_leads(file_county):
    a = _from_file(file_county, EXAMPLE_ALLIANCES, mode_rule="file")
    t = a.table.set_index("alliance_id")
    assert list(t.index) == ["ZS-A", "ZS-B", "HQ-A", "HQ-B", "HQ-C"]
    assert dict(t["mode"]) == {
        "ZS-A": "strong_leads_weak",
        "ZS-B": "industry_pull",
        "HQ-A": "project_traction",
        "HQ-B": "lead_goose",
        "HQ-C": "project_traction",
    }
    ids = file_county.villages["village_id"]
    assert ids.iloc[t.loc["ZS-A", "lead"]] == "zs-04" and ids.iloc[t.loc["HQ-B", "lead"]] == "hq-08"
    assert t["n_villages"].tolist() == [3, 4, 3, 3, 3]
    # hq-07 leads HQ-A and HQ-C (flagged lead on both lines); HQ-A is its primary alliance.
    hq07 = int(np.flatnonzero(ids == "hq-07")[0])
    assert t.loc["HQ-A", "lead"] == t.loc["HQ-C", "lead"] == hq07
    assert a.memberships(hq07) == [2, 4] and a.membership[hq07] == 2
    assert a.alliances_led()[hq07] == 2
    s = alliance_summary(a)
    assert s["allied_villages"] == (a.membership >= 0).sum() == 15 and a.unplaced.empty
    assert s["lead_villages"] == 4 and s["max_alliances_per_lead_used"] == 2
    assert s["memberships"] == 16
    _check_bounds(file_county, a, AllianceParams(enabled=True), strongest_lead=False)
    # Unflagged leads are the strongest member.
    v = file_county.villages
    strength = (v["committee_capacity"] * v["collective_income_start"]).to_numpy()
    members = list(t.loc["ZS-B", "members"])
    assert t.loc["ZS-B", "lead"] == members[int(np.argmax(strength[members]))]


def test_file_groupings_with_rule_modes(file_county):
    a = _from_file(file_county, EXAMPLE_ALLIANCES, mode_rule="single", single_mode="industry_pull")
    assert (a.table["mode"] == "industry_pull").all()
    b = _from_file(file_county, EXAMPLE_ALLIANCES)  # anqiu_mix: counts capped at 5 alliances
    assert b.table["mode"].value_counts()["lead_goose"] == 5


def test_formed_alliances_on_a_file_county(file_county):
    a = form_alliances(file_county, ANQIU, stream(1, "alliances"))
    assert len(a.table) >= 2
    _check_bounds(file_county, a, ANQIU)


def _alliance_file(tmp_path: Path, edit=None) -> Path:
    frame = pd.read_csv(EXAMPLE_ALLIANCES, dtype=str, keep_default_na=False)
    if edit is not None:
        frame = edit(frame)
    path = tmp_path / "alliances.csv"
    frame.to_csv(path, index=False)
    return path


def _set(row: int, column: str, value: str):
    def edit(frame: pd.DataFrame) -> pd.DataFrame:
        frame.loc[row, column] = value
        return frame

    return edit


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (lambda f: f.drop(columns=["village_id"]), ["'village_id'", "required: alliance_id"]),
        (_set(1, "village_id", "zs-99"), ["'village_id'", "'zs-99'", "line 3", "ZS-A"]),
        (_set(4, "village_id", "zs-01"), ["'zs-01'", "at most one alliance", "line 2", "line 6"]),
        # hq-07 leads HQ-A and HQ-C; unflagged on one of its lines it would be a member.
        (_set(15, "lead", ""), ["'hq-07'", "at most one alliance", "line 10", "line 17"]),
        (_set(1, "village_id", "zs-01"), ["'zs-01'", "once in an alliance", "line 2", "line 3"]),
        (_set(3, "mode", "flying_geese"), ["'mode'", "'flying_geese'", "lead_goose, strong"]),
        (_set(4, "mode", "lead_goose"), ["'mode'", "one mode per alliance", "ZS-B"]),
        (_set(0, "lead", "true"), ["'lead'", "at most one lead", "ZS-A"]),
        (_set(0, "lead", "maybe"), ["'lead'", "'maybe'", "true/false", "line 2"]),
        (lambda f: f.drop(index=[1, 2]), ["n_villages", "ZS-A", "3-5 villages"]),
        (_set(5, "village_id", "zs-08"), ["'population'", "2460", "1000-2000 people"]),
        (_set(2, "village_id", "zs-10"), ["distance_km", "ZS-A", "at most 5 km apart"]),
    ],
)
def test_bad_alliance_files(tmp_path, file_county, edit, expected):
    path = _alliance_file(tmp_path, edit)
    with pytest.raises(InputError) as err:
        _from_file(file_county, path)
    text = err.value.message
    assert str(path) in text
    for part in expected:
        assert part in text, (part, text)


def test_shared_leads_in_files_respect_max_alliances_per_lead(tmp_path, file_county):
    # One alliance per village: hq-07 may not lead two.
    with pytest.raises(InputError) as err:
        _from_file(file_county, EXAMPLE_ALLIANCES, max_alliances_per_lead=1)
    text = err.value.message
    assert "'hq-07'" in text and "at most one alliance" in text and "line 17" in text

    # A third alliance under hq-07 with at most two per lead.
    def third(frame: pd.DataFrame) -> pd.DataFrame:
        rows = [("HQ-D", "hq-07", "", "true"), ("HQ-D", "hq-03", "", ""), ("HQ-D", "hq-10", "", "")]
        extra = pd.DataFrame(rows, columns=frame.columns)
        return pd.concat([frame, extra], ignore_index=True)

    path = _alliance_file(tmp_path, third)
    with pytest.raises(InputError) as err:
        _from_file(file_county, path, max_alliances_per_lead=2)
    text = err.value.message
    assert str(path) in text and "'hq-07'" in text
    assert "leads at most 2 alliances" in text and "HQ-A" in text and "HQ-D" in text


def test_mode_rule_file_needs_a_mode_for_each_alliance(tmp_path, file_county):
    path = _alliance_file(tmp_path, _set(7, "mode", ""))
    with pytest.raises(InputError) as err:
        _from_file(file_county, path, mode_rule="file")
    assert "'mode'" in err.value.message and "HQ-A" in err.value.message


def test_bounds_check_can_be_switched_off(tmp_path, file_county):
    path = _alliance_file(tmp_path, lambda f: f.drop(index=[1, 2]))
    a = _from_file(file_county, path, check_file_bounds=False)
    assert a.table.set_index("alliance_id").loc["ZS-A", "n_villages"] == 1


def test_missing_alliance_file(tmp_path, file_county):
    path = tmp_path / "none.csv"
    with pytest.raises(InputError) as err:
        _from_file(file_county, path)
    assert str(path) in err.value.message and "not found" in err.value.message
    with pytest.raises(InputError) as err:
        form_alliances(
            file_county, AllianceParams(enabled=True, source="file"), stream(1, "alliances")
        )
    assert "alliances.file" in err.value.message


def test_mode_rule_file_requires_file_source():
    with pytest.raises(ValueError, match="needs source = 'file'"):
        AllianceParams(enabled=True, mode_rule="file")


def _progress(
    n: int, target_alliances: int, target_coverage: int, besides_lead: bool = False
) -> FormationProgress:
    return FormationProgress(
        member=np.zeros(n, dtype=bool),
        led=np.zeros(n, dtype=np.int64),
        target_alliances=target_alliances,
        target_coverage=target_coverage,
        besides_lead=besides_lead,
    )


def test_progress_counts_a_shared_lead_once():
    progress = _progress(8, target_alliances=3, target_coverage=6)
    progress.add((0, 1, 2), 0)
    progress.add((0, 3, 4), 0)
    assert progress.covered == 5 and progress.n_shared == 1 and progress.shared_share() == 0.5
    assert progress.led[0] == 2 and progress.member[[1, 2, 3, 4]].all()
    assert progress.in_alliance(np.array([0, 4, 5])).tolist() == [True, True, False]
    assert progress.target_reached() == ""
    assert progress.coverage_per_alliance() == 1.0
    progress.add((5, 6, 7), None)
    assert progress.covered == 8 and progress.leads == [0, 0, None]
    assert progress.target_reached() == "alliance target reached (3 alliances)"


def test_desired_size_draws_once_whatever_the_targets():
    params = AllianceParams(enabled=True)
    with_targets, without = stream(1, "alliances"), stream(1, "alliances")
    size = desired_size(params, _progress(10, 4, 14), with_targets)
    assert params.min_villages <= size <= params.max_villages
    assert desired_size(params, _progress(10, 0, 14), without) == params.min_villages
    assert with_targets.random() == without.random()


def test_sharing_need_steers_towards_the_coverage_target():
    params = AllianceParams(enabled=True)
    # 2 villages per alliance still to cover: new leads would overshoot, share leads.
    assert sharing_need(params, _progress(10, 5, 10)) == 1.0
    # 5 per alliance: more than min_villages, avoid shared leads.
    assert sharing_need(params, _progress(10, 2, 10)) == -1.0
    assert sharing_need(params, _progress(10, 2, 10, besides_lead=True)) == 1.0


@pytest.mark.parametrize("per_lead", [1, 3])
def test_each_formation_keeps_members_in_one_alliance(county, per_lead):
    a = _form(county, 7, max_alliances_per_lead=per_lead)
    members = [m for row in a.table["members"] for m in row[1:]]
    leads = set(a.table["lead"])
    assert len(members) == len(set(members)) and not leads & set(members)
    assert a.alliances_led().max() <= per_lead


def test_coverage_besides_the_leads_leaves_the_lead_out():
    progress = _progress(8, target_alliances=0, target_coverage=4, besides_lead=True)
    progress.add((0, 1, 2), 0)
    assert progress.covered == 2 and progress.target_reached() == ""
    progress.add((3, 4, 5), None)
    assert progress.target_reached() == "coverage target reached (4 villages)"
