"""Options several commands share."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])


def _remember_json(ctx: click.Context, _param: click.Parameter, value: bool) -> bool:
    """Note that this command speaks JSON, so an error is reported as JSON on stdout."""
    if value:
        from coda_cli.state import app_state

        app_state(ctx).json_output = True
    return value


def json_option(
    help: str = 'Print JSON on stdout (errors too: {"error": {…}}).',
) -> Callable[[F], F]:
    """`--json`: machine-readable output; a failure prints a JSON error object instead."""
    return click.option(
        "--json", "as_json", is_flag=True, help=help, callback=_remember_json, is_eager=True
    )
