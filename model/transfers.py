"""transfers (stub: to be replaced)."""

from model.params import Section


class TransferParams(Section):
    """transfers parameters."""
