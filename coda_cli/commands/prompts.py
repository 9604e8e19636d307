"""`coda prompts`: the shared prompt library (project `.coda/prompts/` over the user's)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import click

from coda_cli.commands.ask import _common, _stdin_text, parse_spec, run_request
from coda_cli.options import json_option
from coda_cli.state import AppState, pass_state

if TYPE_CHECKING:
    from coda_ls.workspace import AskRequest, PromptLibrary


def _library() -> PromptLibrary:
    from coda_ls.workspace import load_prompts, project_root

    return load_prompts(project_root())


def _read_selection(spec: str) -> str:
    path, start, end = parse_spec(spec)
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines(keepends=True)
    return "".join(lines[start - 1 : end if end is not None else len(lines)])


def prompt_request(
    name: str,
    words: tuple[str, ...] | list[str],
    selection_spec: str | None,
    **fields: object,
) -> AskRequest:
    """The request a prompt makes: its body filled from `words` (positional or key=value)
    and the selection (FILE[:LINES], else piped stdin when the prompt wants one), in the
    prompt's mode unless `mode` is given."""
    from coda_ls.workspace import AskRequest, CodeSelection, split_arguments

    prompt = _library().get(name)
    selection: str | None = None
    code: CodeSelection | None = None
    if selection_spec:
        selection = _read_selection(selection_spec)
        if not prompt.takes_selection:  # still useful as context
            spec_path, start, end = parse_spec(selection_spec)
            code = CodeSelection(path=spec_path.resolve(), start_line=start, end_line=end)
    elif prompt.takes_selection:
        selection = _stdin_text()
    positional, named = split_arguments(prompt, list(words))
    text = prompt.fill(positional, named, selection)
    mode = fields.pop("mode", None) or prompt.mode
    return AskRequest(question=text, mode=mode, selection=code, **fields)  # type: ignore[arg-type]


@click.group(invoke_without_command=True)
@click.pass_context
def prompts(ctx: click.Context) -> None:
    """The shared prompt library: Markdown prompts in .coda/prompts/ and your config dir.

    \b
    A prompt is a .md file with YAML front matter (name, description, mode, arguments)
    and a body using {{argument}} and {{selection}}. The project's prompts win over yours.
    """
    if ctx.invoked_subcommand is None:
        ctx.invoke(list_prompts)


@prompts.command("list")
@json_option()
@pass_state
def list_prompts(state: AppState, as_json: bool) -> None:
    """Every prompt, where it comes from, and the files that could not be read."""
    from rich.markup import escape
    from rich.table import Table

    from coda_ls.workspace import project_root

    library = _library()
    if as_json:
        data = {
            "prompts": [prompt.to_dict() for prompt in library],
            "problems": [{"path": str(p.path), "message": p.message} for p in library.problems],
        }
        click.echo(json.dumps(data, indent=2))
        return
    if not len(library) and not library.problems:
        from coda_ls.workspace import PROJECT_PROMPTS

        state.console.print(
            f"No prompts yet. Add Markdown files to {PROJECT_PROMPTS}/ (shared with the team) "
            "or to your config dir's prompts/ (see `coda prompts --help`)."
        )
    if len(library):
        table = Table(box=None, header_style="bold", pad_edge=False)
        for column in ("Name", "From", "Mode", "Usage", "Description"):
            table.add_column(column, no_wrap=column in ("Name", "From", "Mode"))
        root = project_root()
        for prompt in library:
            table.add_row(
                f"[cyan]{escape(prompt.name)}[/]",
                prompt.scope,
                prompt.mode or "",
                escape(prompt.usage.removeprefix(f"/{prompt.name}").strip()),
                escape(prompt.description),
            )
        state.console.print(table)
        for hidden in library.shadowed:
            winner = library.prompts[hidden.name].path
            shown = winner.relative_to(root) if winner.is_relative_to(root) else winner
            state.err_console.print(
                f"[dim]{escape(str(hidden.path))} is hidden by the project's "
                f"{escape(str(shown))}[/]"
            )
    for problem in library.problems:
        state.err_console.print(f"[red]error:[/] {escape(str(problem))}")


@prompts.command()
@click.argument("name")
@pass_state
def show(state: AppState, name: str) -> None:
    """A prompt's arguments and text."""
    prompt = _library().get(name)
    state.console.print(f"[bold]{prompt.usage}[/]  {prompt.summary}  [dim]({prompt.path})[/]")
    for arg in prompt.arguments:
        default = "required" if arg.required else f"default {arg.default!r}"
        state.console.print(f"  {arg.name}: {arg.description} [dim]({default})[/]")
    click.echo(prompt.body.strip())


@prompts.command()
@click.argument("name")
@click.argument("args", nargs=-1)
@click.option(
    "--selection",
    "-s",
    "selection",
    metavar="FILE[:LINE[-LINE]]",
    help="The code {{selection}} stands for (default: piped stdin).",
)
@click.option("--dry-run", is_flag=True, help="Print the filled prompt; do not ask the model.")
@_common
@pass_state
def run(
    state: AppState,
    name: str,
    args: tuple[str, ...],
    selection: str | None,
    dry_run: bool,
    model: str | None,
    provider: str | None,
    session_id: str | None,
    new_session: bool,
    as_json: bool,
) -> None:
    """Fill prompt NAME with ARGS (in order, or key=value) and ask the model.

    \b
      coda prompts run explain-sql mysql --selection query.sql
      coda prompts run changelog since=v1.2
    """
    request = prompt_request(
        name,
        args,
        selection,
        session_id=session_id,
        new_session=new_session,
        provider=provider,
        model=model,
    )
    if dry_run:
        click.echo(request.question)
        return
    run_request(state, request, as_json=as_json)


@prompts.command()
@click.argument("names", nargs=-1)
@pass_state
def push(state: AppState, names: tuple[str, ...]) -> None:
    """Publish prompts (all of this project's, or NAMES) to the team store."""
    import getpass

    from coda_ls.workspace import open_team

    library = _library()
    chosen = [library.get(name) for name in names] or [
        prompt for prompt in library if prompt.scope == "project"
    ]
    with open_team(state.settings().settings) as team:
        for prompt in chosen:
            team.put_prompt(
                prompt.name,
                prompt.body,
                description=prompt.description or None,
                mode=prompt.mode,
                arguments=[
                    {"name": a.name, "description": a.description, "default": a.default}
                    for a in prompt.arguments
                ],
                author=getpass.getuser(),
            )
    state.console.print(f"pushed {len(chosen)} prompt(s) to the team store")


@prompts.command()
@pass_state
def pull(state: AppState) -> None:
    """Copy the team store's prompts here (`coda prompts` then lists them as `team`).

    \b
    They are kept as files, so reading the library never waits on the network; a
    project or personal prompt of the same name still wins.
    """
    from coda_ls.workspace import open_team, prompt_file, team_prompts_dir

    with open_team(state.settings().settings) as team:
        shared = team.prompts()
    folder = team_prompts_dir()
    folder.mkdir(parents=True, exist_ok=True)
    names = set()
    for data in shared:
        names.add(f"{data['name']}.md")
        (folder / f"{data['name']}.md").write_text(prompt_file(data), encoding="utf-8")
    for stale in folder.glob("*.md"):  # removed from the team store since the last pull
        if stale.name not in names:
            stale.unlink()
    state.console.print(f"pulled {len(shared)} prompt(s) into {folder}")
