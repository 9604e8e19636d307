"""`coda serve`: the language server, exactly as `coda-ls` (every argument passes through)."""

from __future__ import annotations

import click


@click.command(
    context_settings={
        "ignore_unknown_options": True,
        "allow_extra_args": True,
        "help_option_names": [],  # `coda serve --help` shows the server's own options
    },
    add_help_option=False,
)
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def serve(args: tuple[str, ...]) -> None:
    """Run the Coda language server (= coda-ls; --stdio, --tcp HOST:PORT, --log-level)."""
    from coda_ls.server import main

    main(list(args))
