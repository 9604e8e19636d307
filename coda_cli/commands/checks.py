"""`coda docs check` and `coda changelog check`: history checks for CI and pre-commit."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

from coda_cli.options import json_option
from coda_cli.state import AppState, pass_state

if TYPE_CHECKING:
    from coda_ls.workspace import ChangelogReport, DocsReport, Proposal, Workspace

_ROOT = click.Path(exists=True, file_okay=False, path_type=Path)


@click.group()
def docs() -> None:
    """Documentation checks."""


@docs.command("check")
@click.argument("path", required=False, type=_ROOT)
@click.option("--since", metavar="REV", help="Compare with REV (default: the last tag).")
@click.option(
    "--wiki",
    "wikis",
    multiple=True,
    type=_ROOT,
    help="A wiki checkout (a directory of Markdown/rst pages) to check too. Repeatable.",
)
@click.option("--propose", is_flag=True, help="Ask the model for each stale file's update.")
@click.option("--model", help="The model for --propose.")
@click.option("--check", "strict", is_flag=True, help="Exit 1 when stale mentions exist.")
@json_option("JSON for scripts.")
@pass_state
def docs_check(
    state: AppState,
    path: Path | None,
    since: str | None,
    wikis: tuple[Path, ...],
    propose: bool,
    model: str | None,
    strict: bool,
    as_json: bool,
) -> None:
    """Find documentation mentioning symbols whose signature or body changed since REV.

    \b
    Reads README*, docs/, *.md, *.rst and *.adoc (not changelogs). A mention is the
    symbol's name as code: in `backticks`, in a code block, called `name(`, or qualified.
    """
    from coda_cli.runtime import run
    from coda_ls.workspace import Workspace, check_docs

    root = (path or Path.cwd()).resolve()
    report = check_docs(root, since, wikis)
    data = report.to_dict()
    if propose and report.mentions:
        workspace = Workspace.open(root)
        proposals = run(_propose(workspace, report, model))
        data["proposals"] = [p.to_dict() for p in proposals]
    if as_json:
        click.echo(json.dumps(data, indent=2))
    else:
        _render_docs(state, data)
    if strict and report.mentions:
        raise SystemExit(1)


async def _propose(workspace: Workspace, report: DocsReport, model: str | None) -> list[Proposal]:
    try:
        return await workspace.propose_doc_fixes(report, model)
    finally:
        await workspace.aclose()


async def _word(workspace: Workspace, report: ChangelogReport, model: str | None) -> str:
    try:
        return await workspace.propose_changelog(report, model)
    finally:
        await workspace.aclose()


def _render_docs(state: AppState, data: dict[str, object]) -> None:
    from rich.markup import escape

    console = state.console
    stale = data["stale"]
    assert isinstance(stale, list)
    changed = data["changed_symbols"]
    assert isinstance(changed, list)
    console.print(
        f"[dim]since {escape(str(data['since']))}: {len(changed)} changed symbols, "
        f"{data['docs_scanned']} documents read[/]"
    )
    if not stale:
        console.print("[green]no stale documentation found[/]")
    for item in stale:
        old, new = item["old_signature"], item["new_signature"]
        change = f"{old} → {new}" if item["change"] == "signature" else item["change"]
        if item["change"] == "removed":
            change = f"removed ({old})"
        elif item["change"] == "body":
            change = f"body changed ({new})"
        console.print(
            f"[cyan]{escape(item['doc'])}:{item['line']}[/] [bold]{escape(item['symbol'])}[/] "
            f"({escape(item['source'])}): {escape(change)}",
            soft_wrap=True,
        )
    for proposal in data.get("proposals", []):  # type: ignore[attr-defined]
        note = "" if proposal["applies"] else f"  [red](does not apply: {proposal['error']})[/]"
        console.print(f"\n[bold]proposed update of {escape(proposal['doc'])}[/]{note}")
        console.print(escape(proposal["diff"]), soft_wrap=True, highlight=False)


@click.group()
def changelog() -> None:
    """Changelog checks."""


@changelog.command("check")
@click.argument("path", required=False, type=_ROOT)
@click.option("--since", metavar="REV", help="Compare with REV (default: the last release).")
@click.option("--propose", is_flag=True, help="Also ask the model to word the missing entries.")
@click.option("--model", help="The model for --propose.")
@json_option("JSON for scripts.")
@pass_state
def changelog_check(
    state: AppState,
    path: Path | None,
    since: str | None,
    propose: bool,
    model: str | None,
    as_json: bool,
) -> None:
    """Report changes since the last release that have no changelog entry (exit 1 if any).

    \b
    Conventions: Keep a Changelog ([Unreleased]), towncrier fragments (newsfragments/,
    changelog.d/), and per-version headings (CHANGES, NEWS, HISTORY, release notes).
    """
    from rich.markup import escape

    from coda_cli.runtime import run
    from coda_ls.workspace import Workspace, check_changelog

    root = (path or Path.cwd()).resolve()
    report = check_changelog(root, since)
    worded = None
    if propose and report.missing:
        worded = run(_word(Workspace.open(root), report, model))
    if as_json:
        data = report.to_dict()
        if worded is not None:
            data["model_proposal"] = worded
        click.echo(json.dumps(data, indent=2))
    else:
        console = state.console
        where = f" ({report.convention.path})" if report.convention.path else ""
        console.print(
            f"[dim]convention: {report.convention.kind}{escape(where)}; last release: "
            f"{escape(report.release or 'none found (whole history)')}; "
            f"{report.checked} changes checked[/]"
        )
        if not report.missing:
            console.print("[green]every change has a changelog entry[/]")
        for item in report.missing:
            console.print(
                f"[yellow]missing[/] {escape(item.revision[:12])} {escape(item.subject)}",
                soft_wrap=True,
            )
            console.print(f"  proposed: {escape(item.proposal)}", soft_wrap=True)
        if worded is not None:
            console.print("\n[bold]the model's wording[/]")
            console.print(escape(worded), soft_wrap=True, highlight=False)
    if report.missing:
        raise SystemExit(1)
