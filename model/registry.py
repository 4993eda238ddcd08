"""Registries that mechanisms declare into and outputs read from.

A mechanism that creates a new kind of household or collective income declares it here,
once: its name, its labels in English and Chinese, its colour in figures and what it is.
The household columns, the collective books, the recorder's tables, the figures and the
parameter table all read these registries, so adding a source touches no other file.
Measures of the county-by-year table are declared the same way (:data:`COUNTY_OUTPUTS`).

Registries are read when a model is built, never frozen at import, so that a test (or a
notebook) can register a source for the duration of a ``with`` block.

The five household sources are the statistical categories of per-capita disposable income
(wage, operating income from farming and business, property income, e-commerce and
transfers: National Bureau of Statistics household survey definitions), with e-commerce
kept apart because the programme targets it.
"""

from __future__ import annotations

from model.declarations import Output, Registry, Source

__all__ = [
    "COLLECTIVE_SOURCES",
    "COUNTY_OUTPUTS",
    "INCOME_SOURCES",
    "Output",
    "Registry",
    "Source",
    "collective_source_names",
    "county_output_names",
    "income_source_names",
]


#: Household income sources, in stacking order of the figures (bottom first).
INCOME_SOURCES: Registry[Source] = Registry(
    "household income source",
    (
        Source("wage", "Wages", "工资性收入", "#4c72b0", "local and migrant wages"),
        Source(
            "farming",
            "Farming and business",
            "经营性收入",
            "#dd8452",
            "net crop sales from own land and sideline business income",
        ),
        Source(
            "property",
            "Property (rent, dividends)",
            "财产性收入(租金、分红)",
            "#55a868",
            "land rent, cooperative dividends and interest",
        ),
        Source(
            "ecommerce",
            "Livestream e-commerce",
            "直播电商收入",
            "#c44e52",
            "livestream seller income",
        ),
        Source("transfer", "Transfers", "转移性收入", "#8172b3", "pensions, subsidies and others"),
    ),
)

#: Sources of village collective operating income.
COLLECTIVE_SOURCES: Registry[Source] = Registry(
    "collective income source",
    (
        Source("assets", "Asset leases", "资产租赁", "#4c72b0", "asset leases"),
        Source("reserve_land", "Reserve-land rent", "机动地租金", "#dd8452", "reserve-land rent"),
        Source(
            "pooling_fee",
            "Pooling service fee",
            "土地流转服务费",
            "#55a868",
            "the collective's cut of pooled rent",
        ),
        Source(
            "cooperative",
            "Cooperative shares",
            "合作社分红",
            "#c44e52",
            "cooperative surplus shares",
        ),
        Source(
            "enterprise",
            "Enterprise fees",
            "企业合作收益",
            "#8172b3",
            "enterprise fees and fixed returns",
        ),
        Source("projects", "Projects", "项目收益", "#937860", "project-fund projects"),
        Source(
            "joint_returns",
            "Joint ventures",
            "联建共营收益",
            "#da8bc3",
            "joint ventures, net of coordination costs",
        ),
        Source("prizes", "Prizes", "比武奖励", "#8c8c8c", "competition prizes"),
        Source("tourism", "Tourism", "乡村旅游", "#ccb974", "tourism fees less festival costs"),
        Source("business", "Businesses", "集体经营", "#64b5cd", "businesses less loan interest"),
    ),
)

#: Measures of the county-by-year table, in column order. They follow ``year``,
#: ``per_capita_income`` and one ``income_<source>`` column per household income source.
COUNTY_OUTPUTS: Registry[Output] = Registry(
    "county output",
    (
        Output(
            "collective_income_total",
            "Collective income, all villages",
            "村集体经营性收入合计",
            "yuan/yr",
            "collective operating income summed over villages",
        ),
        Output(
            "collective_income_mean",
            "Collective income, mean per village",
            "村均集体经营性收入",
            "yuan/yr",
            "mean collective operating income of a village",
            final=True,
        ),
        Output(
            "collective_income_median",
            "Collective income, median village",
            "中位村集体经营性收入",
            "yuan/yr",
            "median collective operating income of a village",
            final=True,
        ),
        Output(
            "weak_villages",
            "Weak villages",
            "薄弱村数量",
            "villages",
            "villages whose collective income is below the weak-village bar",
            final=True,
        ),
        Output(
            "gini_household",
            "Gini of household income",
            "农户收入基尼系数",
            "-",
            "Gini of household income per member, weighted by members",
            final=True,
        ),
        Output(
            "gini_collective",
            "Gini of collective income",
            "村集体收入基尼系数",
            "-",
            "Gini of collective income across villages",
            final=True,
        ),
        Output(
            "collective_income_allied_mean",
            "Collective income, allied villages",
            "联建村村均集体收入",
            "yuan/yr",
            "mean collective income of allied villages (0 when no village is allied)",
        ),
        Output(
            "collective_income_nonallied_mean",
            "Collective income, other villages",
            "非联建村村均集体收入",
            "yuan/yr",
            "mean collective income of villages in no alliance (0 when every village is)",
        ),
        Output(
            "allied_gap",
            "Allied minus other villages",
            "联建村与非联建村之差",
            "yuan/yr",
            "allied mean minus non-allied mean collective income (0 unless both groups exist)",
        ),
        Output("land_pooled_mu", "Pooled land", "流转入社土地", "mu", "land pooled to operators"),
        Output(
            "land_pooled_share",
            "Share of land pooled",
            "土地流转比例",
            "share",
            "pooled land over cultivated land (0 without cultivated land)",
            final=True,
        ),
        Output(
            "coop_members",
            "Cooperative members",
            "合作社成员户数",
            "households",
            "households holding land or cash shares",
        ),
        Output(
            "active_sellers",
            "Active livestream sellers",
            "活跃直播电商",
            "persons",
            "households with an active livestream seller",
            final=True,
        ),
        Output(
            "ecommerce_households_reached",
            "Households carried by sellers",
            "电商带动农户",
            "households",
            "households whose produce an active seller carries",
            compared=False,
        ),
        Output(
            "public_spending",
            "Public money spent",
            "财政投入",
            "yuan/yr",
            "programme money spent this year",
        ),
        Output(
            "public_spending_cum",
            "Public money spent, cumulative",
            "财政投入累计",
            "yuan",
            "programme money spent since the start",
        ),
        Output(
            "allied_villages",
            "Allied villages",
            "联建村数量",
            "villages",
            "villages in an alliance",
            compared=False,
            final=True,
        ),
        Output(
            "household_wealth_mean",
            "Household wealth, mean",
            "户均家庭净资产",
            "yuan",
            "mean household net worth without land and house: savings less debt, cooperative "
            "shares and productive assets",
            value=lambda model: model.finance.wealth_mean(),
        ),
        Output(
            "wealth_gini",
            "Gini of household wealth",
            "家庭净资产基尼系数",
            "-",
            "Gini of household net worth (savings less debt, shares, productive assets)",
            value=lambda model: model.finance.wealth_gini(),
        ),
        Output(
            "converted_mu",
            "Land converted from grain",
            "粮田转作面积",
            "mu",
            "households' grain land converted to open-field specialty crops, greenhouses or "
            "orchards",
            value=lambda model: model.conversions.converted_total(),
        ),
        Output(
            "weak_villages_allied",
            "Weak allied villages",
            "联建薄弱村数量",
            "villages",
            "allied villages below the weak-village bar",
            compared=True,
        ),
        Output(
            "contract_participants",
            "Households in enterprise contracts",
            "订单农业参与户数",
            "households",
            "households that chose to join an enterprise contract",
            value=lambda model: model.contracts.participants(),
        ),
        Output(
            "base_mu",
            "Pooled land in specialty bases",
            "流转土地特色基地面积",
            "mu",
            "pooled land the operators farm as specialty bases (orchard, vegetables, "
            "greenhouses) rather than grain",
            value=lambda model: model.operators.base_total(),
        ),
        Output(
            "contract_tonnes",
            "Produce delivered under contract",
            "订单收购量",
            "t/yr",
            "specialty produce delivered under enterprise contracts this year",
            value=lambda model: model.contracts.delivered_tonnes(),
        ),
        Output(
            "coop_marketing_members",
            "Households marketing through cooperatives",
            "合作社统一销售户数",
            "households",
            "households that chose to sell their specialty through a joint cooperative",
            value=lambda model: model.marketing.members(),
        ),
        Output(
            "cpi_factor",
            "Consumer price level",
            "居民消费价格水平",
            "index (2023 = 1)",
            "consumer price level of the year relative to the first simulated year (1 in year "
            "0 and the first year); current yuan / cpi_factor = constant 2023 yuan",
            compared=False,
            value=lambda model: model.prices.factor("cpi"),
        ),
        Output(
            "visitors",
            "Tourist visitors",
            "乡村旅游接待人次",
            "persons",
            "visitors to the villages' tourism sites this year",
            value=lambda model: model.tourism.visitors_total(),
        ),
        Output(
            "tourism_income",
            "Tourism income",
            "乡村旅游收入",
            "yuan/yr",
            "visitors' spending kept by households (produce, homestays) and collectives",
            value=lambda model: model.tourism.income_total(),
        ),
        Output(
            "land_idle_mu",
            "Idle land",
            "撂荒土地面积",
            "mu",
            "households' contracted land left idle",
            value=lambda model: float(model.households.idle_mu.sum()),
        ),
        Output(
            "farm_exit_households",
            "Households that stopped farming at a loss",
            "因亏损退出耕作农户",
            "households",
            "households whose own land stopped paying and who left it (rented out or idle) "
            "and have not taken it back",
            value=lambda model: model.farm_exit.exits(),
        ),
        Output(
            "population",
            "Registered population",
            "户籍人口",
            "persons",
            "registered members of the county's households (births, deaths, leavers)",
            value=lambda model: int(model.households.members.sum()),
        ),
        Output(
            "births",
            "Births",
            "出生人数",
            "persons",
            "children born in the year (counted the next January: 0 in the first year)",
            compared=False,
            value=lambda model: model.demography.year.births,
        ),
        Output(
            "deaths",
            "Deaths",
            "死亡人数",
            "persons",
            "members who died in the year (counted the next January: 0 in the first year)",
            compared=False,
            value=lambda model: model.demography.year.deaths,
        ),
        Output(
            "households_occupied",
            "Households",
            "农户数",
            "households",
            "households with at least one registered member (dissolved and merged ones are "
            "empty; divided ones are new)",
            value=lambda model: int((model.households.members > 0).sum()),
        ),
        Output(
            "households_divided",
            "Households divided",
            "分家户数",
            "households",
            "married couples who set up a household of their own on a vacant homestead in "
            "the year (counted the next January: 0 in the first year)",
            compared=False,
            value=lambda model: model.demography.year.divided,
        ),
        Output(
            "migrants",
            "Migrant workers",
            "外出务工劳动力",
            "labour units",
            "working-age labour working outside the county",
            value=lambda model: float(model.households.migrant.sum()),
        ),
        Output(
            "migrants_left",
            "Workers who left",
            "当年外出劳动力",
            "labour units",
            "working-age labour that migrated out this year",
            compared=False,
            value=lambda model: model.migration.year.left,
        ),
        Output(
            "migrants_returned",
            "Migrants who returned",
            "当年返乡劳动力",
            "labour units",
            "migrant labour that came back this year",
            compared=False,
            value=lambda model: model.migration.year.returned,
        ),
    ),
)


def income_source_names() -> tuple[str, ...]:
    """Household income sources now registered, in order."""
    return INCOME_SOURCES.names()


def collective_source_names() -> tuple[str, ...]:
    """Collective income sources now registered, in order."""
    return COLLECTIVE_SOURCES.names()


def county_output_names() -> tuple[str, ...]:
    """County-by-year measures now registered, in order."""
    return COUNTY_OUTPUTS.names()
