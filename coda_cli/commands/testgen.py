"""`coda test FILE[:LINE[-LINE]]`: write tests for code, run them, fix them from failures."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import click

from coda_cli.commands.ask import _common, _selection, parse_spec
from coda_cli.state import AppState, pass_state

if TYPE_CHECKING:
    from coda_ls.workspace import Started, TestGenReport, TestGenRequest


@click.command()
@click.argument("spec", metavar="FILE[:LINE[-LINE]]")
@click.argument("instruction", nargs=-1)
@click.option(
    "--rounds",
    type=click.IntRange(0, 10),
    help="Times failures go back to the model for a fix (default: testgen.rounds, 2).",
)
@click.option("--test-file", help="Write the tests here (relative to the project root).")
@click.option(
    "--yes",
    "-y",
    is_flag=True,
    help="Create a new test file and run the tests without asking; a change to an "
    "existing test file still shows its diff and asks.",
)
@_common
@pass_state
def test(
    state: AppState,
    spec: str,
    instruction: tuple[str, ...],
    rounds: int | None,
    test_file: str | None,
    yes: bool,
    model: str | None,
    provider: str | None,
    session_id: str | None,
    new_session: bool,
    as_json: bool,
) -> None:
    """Write tests for a file or a range of lines, run them with the project's runner,
    and give the failures back to the model to fix (exit status 1 unless they pass).

    \b
      coda test src/calc.py:10-30
      coda test src/calc.py "cover the error cases" --rounds 3
    """
    from coda_ls.workspace import TestGenRequest

    path, start, end = parse_spec(spec)
    request = TestGenRequest(
        selection=_selection(path, start, end),
        instruction=" ".join(instruction),
        rounds=rounds,
        test_file=test_file,
        session_id=session_id if not new_session else None,
        provider=provider,
        model=model,
    )
    report = _run(state, request, yes=yes, as_json=as_json)
    if as_json:
        click.echo(json.dumps(report_json(report), indent=2))
    else:
        _print(state, report)
    if report.status != "passed":
        raise SystemExit(1)


def _run(state: AppState, request: TestGenRequest, *, yes: bool, as_json: bool) -> TestGenReport:
    from rich.markup import escape

    from coda_cli.asker import ConsoleAsker
    from coda_cli.runtime import open_workspace, run

    asker = ConsoleAsker(state.err_console)
    overrides: dict[str, Any] = {"provider": request.provider}
    if yes:  # the test mode calls no other tools: these cover its own write and run
        overrides.update({"permissions.write": "allow", "permissions.shell": "allow"})
    workspace = open_workspace(state, overrides, asker=asker)  # the map helps the imports

    def notice(text: str) -> None:
        if not as_json:
            state.err_console.print(f"[cyan]{escape(text)}[/]")

    def started(event: Started) -> None:
        # Each round is a request: each is held to `preview.confirm_above` like `coda ask`.
        from coda_cli.asker import stdin_is_terminal
        from coda_cli.preview import confirm_cost

        confirm_cost(
            event.estimated_cost,
            workspace.settings.preview.confirm_above,
            event.context_tokens,
            interactive=stdin_is_terminal(),
            ask=lambda question: click.confirm(question, default=False, err=True),
        )

    async def go() -> TestGenReport:
        try:
            return await workspace.generate_tests(request, on_start=started, on_notice=notice)
        finally:
            await workspace.aclose()

    return run(go())


def _print(state: AppState, report: TestGenReport) -> None:
    from rich.markup import escape

    console = state.console
    for item in report.rounds:
        if item.summary:
            console.print(f"[dim]round {item.number}:[/] {escape(item.summary)}")
    colour = {"passed": "green", "failed": "red"}.get(report.status, "yellow")
    for line in report.lines()[:-1]:
        console.print(escape(line))
    console.print(f"[bold {colour}]tests {report.status}[/]")
    last = report.rounds[-1] if report.rounds else None
    if last is not None and last.run is not None and last.run.ran and not last.run.ok:
        console.print(escape(last.run.tail(3000)))


def report_json(report: TestGenReport) -> dict[str, Any]:
    setup = report.setup
    return {
        "status": report.status,
        "framework": setup.framework,
        "test_file": setup.test_file,
        "command": setup.command,
        "existed": setup.exists,
        "session_id": report.session_id,
        "provider": report.provider,
        "model": report.model,
        "usage": report.usage.model_dump(),
        "rounds": [
            {
                "round": item.number,
                "action": item.action,
                "written": item.written,
                "summary": item.summary,
                "exit_code": item.run.exit_code if item.run else None,
                "passed": item.run.passed if item.run else None,
                "failed": item.run.failed if item.run else None,
            }
            for item in report.rounds
        ],
    }
