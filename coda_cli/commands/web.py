"""`coda web`: Coda's dashboard, chat, model comparison and sessions in the browser."""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path

import click


@click.command()
@click.option("--port", type=int, default=0, show_default=True, help="Port (0: any free one).")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--allow-remote",
    is_flag=True,
    help="Allow a --host other than loopback (others on the network can then reach it "
    "with the token).",
)
@click.option("--open", "open_browser", is_flag=True, help="Open the page in the browser.")
@click.option(
    "--root",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None,
    help="Project to work on (default: the repository holding the current directory).",
)
def web(port: int, host: str, allow_remote: bool, open_browser: bool, root: Path | None) -> None:
    """Serve the web UI on 127.0.0.1 with a random access token in the URL it prints.

    \b
    Every request without the token is refused (401). Stop with Ctrl-C.
    """
    from coda_ls.errors import CodaError
    from coda_ls.web import PageAsker, is_loopback, serve
    from coda_ls.workspace import Workspace

    if not is_loopback(host) and not allow_remote:
        raise CodaError(
            f"--host {host} would let other machines reach Coda",
            "add --allow-remote if that is what you want (the token is still required)",
        )
    asker = PageAsker()  # tool permissions are asked in the page that wants the tool
    workspace = Workspace.open(root, asker=asker)

    def ready(url: str) -> None:
        click.echo(f"Coda web on {url}")
        sys.stdout.flush()
        if open_browser:
            import webbrowser

            webbrowser.open(url)

    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C is how it stops
        serve(workspace, asker, host, port, on_ready=ready)
