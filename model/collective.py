"""collective (stub: to be replaced)."""

from model.params import Section


class CollectiveParams(Section):
    """collective parameters."""
