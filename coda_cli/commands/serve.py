"""`coda serve`: the language server, exactly as `coda-ls`."""

from __future__ import annotations

import click


@click.command()
@click.option("--stdio", is_flag=True, help="Serve over stdio (the default; what editors use).")
@click.option("--tcp", metavar="HOST:PORT", help="Serve over TCP instead, for debugging.")
@click.option(
    "--log-level",
    type=click.Choice(["DEBUG", "INFO", "WARNING", "ERROR"], case_sensitive=False),
    default="WARNING",
    show_default=True,
    help="What the server logs (to stderr, never stdout).",
)
@click.option("--log-file", type=click.Path(dir_okay=False), help="Log here instead of stderr.")
def serve(stdio: bool, tcp: str | None, log_level: str, log_file: str | None) -> None:
    """Run the Coda language server (the same as `coda-ls`).

    \b
    Editors start it for you; run it by hand to debug:
      coda serve --tcp 127.0.0.1:2087 --log-level DEBUG
    """
    from coda_ls.server import main

    argv = ["--log-level", log_level.upper()]
    if tcp:
        argv += ["--tcp", tcp]
    elif stdio:
        argv.append("--stdio")
    if log_file:
        argv += ["--log-file", log_file]
    main(argv)
