"""Checks of the model: regression references, validation against reported cases, and the
parameter table."""
