"""policies (stub: to be replaced)."""

from model.params import Section


class PolicyParams(Section):
    """policies parameters."""
