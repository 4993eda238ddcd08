"""County builder (stub: to be replaced)."""

from model.params import Section


class CountyParams(Section):
    """County generation parameters."""
