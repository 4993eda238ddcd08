"""Commands of cli_validation (stub: to be replaced)."""

import typer


def register(app: typer.Typer) -> None:
    """Add this module's commands to the application."""
