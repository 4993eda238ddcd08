"""farming (stub: to be replaced)."""

from model.params import Section


class FarmingParams(Section):
    """farming parameters."""
