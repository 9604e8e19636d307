"""`coda acp`: Coda as an agent for ACP editors (Zed, JetBrains, CodeCompanion, avante)."""

from __future__ import annotations

import logging
from pathlib import Path

import click


@click.command()
@click.option(
    "--cwd",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None,
    help="Folder for sessions the client lists without naming one (default: here).",
)
@click.option(
    "--log-level",
    type=click.Choice(["DEBUG", "INFO", "WARNING", "ERROR"], case_sensitive=False),
    default="WARNING",
    show_default=True,
    help="What the agent logs (to stderr: stdout carries the protocol).",
)
def acp(cwd: Path | None, log_level: str) -> None:
    """Run Coda as an Agent Client Protocol agent over stdio.

    \b
    The editor starts it; in Zed's settings.json:
      "agent_servers": {"Coda": {"command": "coda", "args": ["acp"]}}
    Needs the ACP extra: pip install 'coda-assistant[acp]'
    """
    from coda_ls.acp import require_sdk

    require_sdk()
    from coda_ls.acp.server import main

    logging.basicConfig(level=log_level.upper(), format="%(levelname)s %(name)s: %(message)s")
    main(cwd)
