"""The ``app`` command: serve the interactive app (:mod:`model.viz.app`) with Solara."""

from __future__ import annotations

import json
import os
import sys
from typing import Annotated

import typer

from model.cli.common import SetOption, user_errors


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that is free on ``host`` right now."""
    import socket  # here: `jointvillage --help` should not wait for the network modules

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def server_command(host: str, port: int, open_browser: bool = False) -> list[str]:
    """The command that runs the Solara server of the app."""
    return [
        sys.executable,
        "-m",
        "solara",
        "run",
        "model.viz.app",
        "--host",
        host,
        "--port",
        str(port),
        "--production",
        "--open" if open_browser else "--no-open",
        "--no-check-version",
        "--log-level",
        "warning",
    ]


def register(app: typer.Typer) -> None:
    """Add this module's commands to the application."""

    @app.command("app")
    @user_errors
    def app_command(
        scenario: Annotated[
            str, typer.Argument(help="Scenario to start with (a shipped name or a file).")
        ] = "anqiu_2023",
        port: Annotated[
            int, typer.Option(help="Port to serve on (0 = any free port).", min=0, max=65535)
        ] = 8765,
        host: Annotated[
            str, typer.Option(help="Address to listen on (0.0.0.0 = every interface).")
        ] = "127.0.0.1",
        set_: SetOption = None,
        open_browser: Annotated[
            bool, typer.Option("--open/--no-open", help="Open a browser on the page.")
        ] = False,
    ) -> None:
        """Interactive app: run a scenario beside its baseline reference, watch map and charts.

        Serves the page until Ctrl-C. Rent and trainees apply at once, the rest on Reset.
        """
        from model.scenario import load_scenario

        overrides = list(set_ or [])
        load_scenario(scenario, overrides)  # report a bad scenario or --set here, not in the page
        if port == 0:
            port = free_port(host)
        env = {
            **os.environ,
            "JOINTVILLAGE_APP_SCENARIO": scenario,
            "JOINTVILLAGE_APP_SET": json.dumps(overrides),
        }
        shown = "127.0.0.1" if host in ("0.0.0.0", "") else host
        print(f"jointvillage app: serving {scenario} at http://{shown}:{port}/", flush=True)
        print("Press Ctrl-C to stop.", flush=True)
        command = server_command(host, port, open_browser)
        if os.name == "posix":
            # Become the server, so that Ctrl-C and kill reach it directly.
            os.execve(command[0], command, env)
        import subprocess  # pragma: no cover - other systems

        try:  # pragma: no cover
            code = subprocess.call(command, env=env)
        except KeyboardInterrupt:  # pragma: no cover
            code = 0
        raise typer.Exit(code)  # pragma: no cover
