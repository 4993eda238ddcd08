"""governance (stub: to be replaced)."""

from model.params import Section


class GovernanceParams(Section):
    """governance parameters."""
