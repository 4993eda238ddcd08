"""Alliance formation (stub: to be replaced)."""

from model.params import Section

MODES = ("lead_goose", "strong_leads_weak", "industry_pull", "project_traction")


class AllianceParams(Section):
    """Alliance formation parameters."""
