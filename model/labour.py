"""labour (stub: to be replaced)."""

from model.params import Section


class LabourParams(Section):
    """labour parameters."""
