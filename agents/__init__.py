"""Agent classes of the joint-village model: one module per agent type."""
