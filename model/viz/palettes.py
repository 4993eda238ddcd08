"""The colours of every figure: colour-blind-safe palettes and what each colour stands for.

Categories are coloured from Okabe & Ito's palette (lines and outlines: alliance modes, the
programme) and from Paul Tol's schemes (``muted`` for further scenarios and parameters,
``light`` for the fills of industries, ``pale`` for town territories); greys mark
references and "other"; values use :data:`SEQUENTIAL_CMAP` (viridis) or
:data:`DIVERGING_CMAP`. Modes and industries draw from different palettes (saturated
outlines against pale fills), so that they cannot be mistaken for each other on a map.
:data:`DECLARED_COLOURS` is every colour declared here; the tests check that figures draw
in these only.
"""

from __future__ import annotations

from collections.abc import Sequence

#: Okabe & Ito (2008), "Color Universal Design": eight colours told apart with every common
#: colour-vision deficiency. Used for lines and outlines (modes, the programme).
OKABE_ITO = (
    "#E69F00",  # orange
    "#56B4E9",  # sky blue
    "#009E73",  # bluish green
    "#F0E442",  # yellow
    "#0072B2",  # blue
    "#D55E00",  # vermillion
    "#CC79A7",  # reddish purple
    "#000000",  # black
)
#: Paul Tol's "muted" scheme (Tol 2021, "Colour schemes", SRON/EPS/TN/09-002): nine colours
#: for many categories (scenarios beyond the shipped ones, parameters, measures).
TOL_MUTED = (
    "#332288",
    "#88CCEE",
    "#44AA99",
    "#117733",
    "#999933",
    "#DDCC77",
    "#CC6677",
    "#882255",
    "#AA4499",
)
#: Paul Tol's "light" scheme: pale colours meant as fills under dark lines and text. Used
#: for the villages' industries, so that they never look like a mode's outline.
TOL_LIGHT = (
    "#77AADD",
    "#EE8866",
    "#EEDD88",
    "#FFAABB",
    "#99DDFF",
    "#44BB99",
    "#BBCC33",
    "#AAAA00",
    "#DDDDDD",
)
#: Paul Tol's "pale" scheme: background tints (town territories).
TOL_PALE = ("#BBCCEE", "#CCEEFF", "#CCDDAA", "#EEEEBB", "#FFCCCC", "#DDDDDD")
#: Greys for references, "other" and text (colour-blind safe by having no hue).
NEUTRALS = ("#FFFFFF", "#000000", "#333333", "#555555", "#777777", "#999999", "#BBBBBB", "#DDDDDD")
#: Every declared colour (tests check that figures draw only these).
DECLARED_COLOURS = frozenset(c.lower() for c in (*OKABE_ITO, *TOL_MUTED, *TOL_LIGHT, *TOL_PALE))
DECLARED_COLOURS |= frozenset(c.lower() for c in NEUTRALS)
#: Colour maps of values: sequential and diverging (both perceptually ordered and readable
#: with colour-vision deficiencies; RdBu is ColorBrewer's colour-blind-safe diverging map).
SEQUENTIAL_CMAP = "viridis"
DIVERGING_CMAP = "RdBu"

#: Colour per alliance mode (outlines on maps, boxes and lines elsewhere): Okabe-Ito.
MODE_COLOURS = {
    "lead_goose": "#0072B2",
    "strong_leads_weak": "#D55E00",
    "industry_pull": "#009E73",
    "project_traction": "#CC79A7",
}
#: Line style per alliance mode, so that outlines differ in more than their colour.
MODE_LINESTYLES = {
    "lead_goose": "-",
    "strong_leads_weak": "--",
    "industry_pull": "-.",
    "project_traction": ":",
}
#: Colour of the weak-village bar (100,000 yuan) wherever it is drawn.
WEAK_BAR_COLOUR = "#D55E00"
#: Colour of villages outside every alliance (a grey: no alliance, no hue).
NOT_ALLIED_COLOUR = "#BBBBBB"
#: Colour per main industry of a village: fills from Tol's light scheme. Grain, the
#: plain default, is its pale grey; the scheme's mint is left out, as it is too close to
#: the green of the industry-pull mode.
INDUSTRY_COLOURS = {
    "grain": "#DDDDDD",
    "ginger": "#EEDD88",
    "green_onion": "#BBCC33",
    "cherry": "#FFAABB",
    "peach": "#EE8866",
    "vegetables": "#AAAA00",
    "peanut": "#77AADD",
    "millet": "#99DDFF",
}
#: Colour of each shipped scenario; others get colours from :data:`EXTRA_COLOURS`.
SCENARIO_COLOURS = {
    "baseline": "#777777",
    "anqiu_2023": "#000000",
    "anqiu": "#000000",
    **{f"mode_{mode}": colour for mode, colour in MODE_COLOURS.items()},
    "policy_land_pooling": "#E69F00",
    "policy_coop_shares": "#56B4E9",
    "policy_enterprise_contracts": "#882255",
    "policy_livestream_training": "#117733",
}
#: Colours of further categories, in order.
EXTRA_COLOURS = TOL_MUTED


def palette(n: int) -> list[str]:
    """``n`` distinct colours (repeating after :data:`EXTRA_COLOURS` runs out)."""
    return [EXTRA_COLOURS[i % len(EXTRA_COLOURS)] for i in range(n)]


def scenario_colours(names: Sequence[str]) -> dict[str, str]:
    """A colour per scenario: the shipped ones keep theirs, the others take the next colour
    of :data:`EXTRA_COLOURS` that no scenario of ``names`` uses yet."""
    fixed = {str(n): SCENARIO_COLOURS[str(n)] for n in names if str(n) in SCENARIO_COLOURS}
    taken = {c.lower() for c in fixed.values()}
    free = [c for c in EXTRA_COLOURS if c.lower() not in taken] or list(EXTRA_COLOURS)
    out: dict[str, str] = {}
    others = 0
    for name in names:
        if str(name) in fixed:
            out[str(name)] = fixed[str(name)]
        else:
            out[str(name)] = free[others % len(free)]
            others += 1
    return out
