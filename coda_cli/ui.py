"""Error reporting and logging for the CLI: messages and hints, tracebacks only with --debug."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from typing import Any

import click

from coda_cli.state import app_state


def json_error(kind: str, message: str, hint: str | None) -> None:
    """The error object a `--json` command prints on stdout instead of its result."""
    import json

    error = {"kind": kind, "message": message, "hint": hint}
    click.echo(json.dumps({"error": error}, indent=2))


def run_guarded(ctx: click.Context, invoke: Callable[[], Any]) -> Any:
    """Run a command; show a CodaError as message + hint and exit with its code. With
    --json the error is also printed as {"error": {kind, message, hint}} on stdout."""
    from coda_ls.errors import CodaError

    try:
        return invoke()
    except CodaError as exc:
        state = app_state(ctx)
        if state.debug:
            import traceback

            traceback.print_exc(file=sys.stderr)
        if state.json_output:
            json_error(type(exc).__name__, exc.message, exc.hint)
        from rich.markup import escape

        console = state.err_console
        console.print(f"[bold red]error:[/] {escape(exc.message)}", highlight=False)
        if exc.hint:
            console.print(f"[yellow]hint:[/] {escape(exc.hint)}", highlight=False)
        ctx.exit(exc.exit_code)
    except KeyboardInterrupt:
        app_state(ctx).err_console.print("[yellow]interrupted[/]")
        ctx.exit(130)
    except click.ClickException as exc:
        if app_state(ctx).json_output:
            json_error(type(exc).__name__, exc.format_message(), None)
        raise
    except (click.exceptions.Exit, click.Abort, SystemExit):
        raise
    except Exception as exc:  # a bug: say so plainly; the traceback only with --debug
        state = app_state(ctx)
        if state.debug:
            raise
        if state.json_output:
            json_error("InternalError", f"{type(exc).__name__}: {exc}", "this is a bug in Coda")
        from rich.markup import escape

        state.err_console.print(
            f"[bold red]internal error:[/] {escape(type(exc).__name__)}: {escape(str(exc))}",
            highlight=False,
        )
        state.err_console.print(
            "[yellow]hint:[/] this is a bug in Coda; run the command again with --debug "
            "for the traceback, and report it",
            highlight=False,
        )
        ctx.exit(1)


class _RedactingFilter(logging.Filter):
    """Mask API keys and auth headers in debug logs."""

    def filter(self, record: logging.LogRecord) -> bool:
        from coda_ls.workspace import redact

        record.msg = redact(record.getMessage())
        record.args = None
        return True


_debug_handler: logging.Handler | None = None


def enable_debug_logging() -> None:
    global _debug_handler
    root = logging.getLogger()
    if _debug_handler is not None:  # called again in one process (tests): replace it
        root.removeHandler(_debug_handler)
    handler = logging.StreamHandler(sys.stderr)
    _debug_handler = handler
    handler.addFilter(_RedactingFilter())
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    for noisy in ("httpcore", "hpack", "markdown_it", "asyncio"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
