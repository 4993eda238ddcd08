"""metrics (stub: to be replaced)."""

from model.params import Section


class OutputParams(Section):
    """metrics parameters."""
