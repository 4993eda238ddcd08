"""modes (stub: to be replaced)."""

from model.params import Section


class ModeParams(Section):
    """modes parameters."""
