"""`coda ask`, `coda explain`, `coda review`, `coda refactor`: one-shot requests."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from coda_cli.options import json_option
from coda_cli.state import AppState, pass_state
from coda_ls.modes import ASK_MODE_NAMES

if TYPE_CHECKING:
    from coda_ls.workspace import (
        Answer,
        AskRequest,
        Attachment,
        CodeSelection,
        Diagram,
        DiagramKind,
        RefactorOutcome,
    )

_SPEC = re.compile(r"^(?P<path>.+?)(?::(?P<start>\d+)(?:-(?P<end>\d+))?)?$")


def _common(func: Any) -> Any:
    """Options every one-shot command shares."""
    options = [
        click.option("--model", "-m", help="Model to use (default: config, then auto)."),
        click.option(
            "--provider",
            "-p",
            help="Provider: ollama, openai (or a preset: openrouter…), oci, litellm, a plugin.",
        ),
        click.option("--session", "session_id", help="Continue this session (id or prefix)."),
        click.option("--new", "new_session", is_flag=True, help="Start a new session."),
        json_option("Print one JSON object at the end (or a JSON error)."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def attach_options(func: Any) -> Any:
    """`--image FILE` and `--attach FILE` (both repeatable)."""
    options = [
        click.option(
            "--image",
            "images",
            multiple=True,
            type=click.Path(dir_okay=False, path_type=Path),
            help="Attach an image, e.g. a screenshot of an error (repeatable; vision models).",
        ),
        click.option(
            "--attach",
            "attach",
            multiple=True,
            type=click.Path(dir_okay=False, path_type=Path),
            help="Attach a PDF (its text, page by page), a text file or an image (repeatable).",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def load_attachments(images: tuple[Path, ...], attach: tuple[Path, ...]) -> list[Attachment]:
    """The files of --image/--attach, read and checked (kind, size) before any request."""
    from coda_ls.workspace import attachment_from_path

    return [
        *(attachment_from_path(path, expect="image", name=str(path)) for path in images),
        *(attachment_from_path(path, name=str(path)) for path in attach),
    ]


def parse_spec(spec: str) -> tuple[Path, int, int | None]:
    """`FILE[:LINE[-LINE]]` -> (path, start, end); a bad range is named as such."""
    match = _SPEC.match(spec)
    assert match is not None  # the pattern matches any non-empty string
    path = Path(match.group("path"))
    if not path.is_file():
        head, sep, tail = spec.rpartition(":")
        if sep and Path(head).is_file():
            raise click.BadParameter(
                f"{spec}: the line range {tail!r} is not LINE or START-END "
                "(1-based line numbers, e.g. app.py:10-40)",
                param_hint="FILE[:LINE[-LINE]]",
            )
        raise click.BadParameter(f"{path}: no such file", param_hint="FILE[:LINE[-LINE]]")
    start = int(match.group("start") or 1)
    end = (
        int(match.group("end")) if match.group("end") else (start if match.group("start") else None)
    )
    if start < 1:
        raise click.BadParameter(f"{spec}: line numbers start at 1")
    if end is not None and end < start:
        raise click.BadParameter(f"{spec}: the range ends before it starts")
    data = path.read_bytes()
    lines = data.count(b"\n") + (0 if data.endswith(b"\n") or not data else 1)
    if start > lines:
        raise click.BadParameter(f"{spec}: {path} has {lines} lines; line {start} is past the end")
    return path, start, end


def _stdin_text() -> str | None:
    from coda_cli.asker import stdin_is_terminal

    if sys.stdin is None or stdin_is_terminal():
        return None
    data = sys.stdin.read()
    return data if data.strip() else None


def run_request(
    state: AppState,
    request: AskRequest,
    *,
    as_json: bool,
    show_answer: bool = True,
) -> Answer:
    """Run one request through the workspace, streaming to the terminal."""
    return _run(state, request, as_json=as_json, show_answer=show_answer).answer


def _run(
    state: AppState, request: AskRequest, *, as_json: bool, show_answer: bool = True
) -> RefactorOutcome:
    from coda_cli.asker import ConsoleAsker
    from coda_cli.render import StreamPrinter
    from coda_cli.runtime import open_workspace, run
    from coda_ls.workspace import RefactorOutcome, Started

    printer = StreamPrinter(state.console, quiet=as_json or not show_answer)
    asker = ConsoleAsker(state.err_console, suspend=printer.suspend)
    overrides = {"provider": request.provider}
    workspace = open_workspace(state, overrides, asker=asker if request.use_tools else None)

    def started(event: Started) -> None:
        from coda_cli.asker import stdin_is_terminal
        from coda_cli.preview import confirm_cost, status

        def ask_user(question: str) -> bool:
            with printer.suspend():
                return click.confirm(question, default=False, err=True)

        confirm_cost(
            event.estimated_cost,
            workspace.settings.preview.confirm_above,
            event.context_tokens,
            interactive=stdin_is_terminal(),
            ask=ask_user,
        )
        printer.set_status(
            status(event.provider, event.model, event.context_tokens, event.estimated_cost)
        )
        if event.reason and not as_json:
            with printer.suspend():
                state.err_console.print(
                    f"[dim]using {event.provider}/{event.model} ({event.reason})[/]"
                )
        if event.knowledge and not as_json:
            from rich.markup import escape

            with printer.suspend():
                shown = escape(", ".join(event.knowledge))
                state.err_console.print(f"[dim]knowledge: {shown}[/]", highlight=False)

    def notice(text: str) -> None:
        from rich.markup import escape

        with printer.suspend():
            state.err_console.print(f"[yellow]{escape(text)}[/]")

    async def go() -> RefactorOutcome:
        try:
            with printer:
                if request.mode == "refactor":
                    return await workspace.refactor(
                        request, printer.write, on_start=started, on_notice=notice
                    )
                answer = await workspace.ask(
                    request, printer.write, on_start=started, on_notice=notice
                )
                return RefactorOutcome(answer, None)
        finally:
            await workspace.aclose()

    outcome = run(go())
    if as_json:
        click.echo(json.dumps(answer_json(outcome.answer), indent=2))
    return outcome


def answer_json(answer: Answer) -> dict[str, Any]:
    data: dict[str, Any] = {
        "answer": answer.text,
        "mode": answer.mode,
        "provider": answer.provider,
        "model": answer.model,
        "session_id": answer.session_id,
        "usage": answer.usage.model_dump(),
        "finish_reason": answer.finish_reason,
        "ttft": answer.ttft,
        "latency": answer.latency,
    }
    if answer.fallbacks:
        data["fallbacks"] = answer.fallbacks
    if answer.knowledge:
        data["knowledge"] = answer.knowledge
    if answer.review is not None:
        data["review"] = answer.review.model_dump()
    if answer.refactor is not None:
        data["refactor"] = answer.refactor.model_dump()
    return data


def _selection(path: Path, start: int, end: int | None) -> CodeSelection:
    from coda_ls.workspace import CodeSelection

    return CodeSelection(path=path.resolve(), start_line=start, end_line=end)


@click.command()
@click.argument("question", nargs=-1)
@click.option(
    "-f",
    "--file",
    "files",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Add a file to the context (repeatable).",
)
@click.option(
    "--mode", type=click.Choice(ASK_MODE_NAMES), help="Mode (default: config, then chat)."
)
@click.option("--no-tools", is_flag=True, help="Do not let the model use tools.")
@click.option(
    "--prompt",
    "prompt_name",
    metavar="NAME",
    help="Ask with a prompt of the library (`coda prompts`); QUESTION words are its arguments.",
)
@attach_options
@_common
@pass_state
def ask(
    state: AppState,
    question: tuple[str, ...],
    files: tuple[Path, ...],
    mode: str | None,
    no_tools: bool,
    prompt_name: str | None,
    images: tuple[Path, ...],
    attach: tuple[Path, ...],
    model: str | None,
    provider: str | None,
    session_id: str | None,
    new_session: bool,
    as_json: bool,
) -> None:
    """Ask a question about this project; the answer streams as it arrives.

    \b
    Examples:
      coda ask "where is the config loaded?"
      coda ask -f app.py "why does this fail on empty input?"
      git diff | coda ask --mode review -
      coda ask --mode debug --image error.png "why does this crash?"
      coda ask --attach spec.pdf "does the parser follow section 3?"
    """
    from coda_ls.workspace import AskRequest

    if prompt_name is not None:
        from coda_cli.commands.prompts import prompt_request

        request = prompt_request(
            prompt_name,
            question,
            None,
            mode=mode,
            files=[f.resolve() for f in files],
            session_id=session_id,
            new_session=new_session,
            provider=provider,
            model=model,
            use_tools=not no_tools,
        )
        request.attached = load_attachments(images, attach)
        run_request(state, request, as_json=as_json)
        return
    text = " ".join(question).strip()
    attachments = []
    if text in ("", "-"):
        piped = _stdin_text()
        if piped is None:
            raise click.UsageError('give a question: coda ask "what does this project do?"')
        if text == "-" or not text:
            text = "Here is the input; answer about it." if mode != "review" else "Review this."
        attachments.append(("Input from stdin", piped))
    else:
        piped = _stdin_text()
        if piped is not None:
            attachments.append(("Input from stdin", piped))
    request = AskRequest(
        question=text,
        mode=mode,
        files=[f.resolve() for f in files],
        attachments=attachments,
        attached=load_attachments(images, attach),
        session_id=session_id,
        new_session=new_session,
        provider=provider,
        model=model,
        use_tools=not no_tools,
    )
    answer = run_request(state, request, as_json=as_json)
    if answer.review is not None and not as_json:
        print_review(state, answer)


class _OptionalDiagramKind(click.Command):
    """`--diagram` takes an optional kind: `--diagram app.py` means `--diagram call app.py`.
    (click's own optional values would swallow the FILE argument as the kind.)"""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        fixed: list[str] = []
        for i, arg in enumerate(args):
            fixed.append(arg)
            following = args[i + 1] if i + 1 < len(args) else None
            if arg == "--diagram" and following not in ("call", "class"):
                fixed.append("call")
            if arg == "--":
                fixed.extend(args[i + 1 :])
                break
        return super().parse_args(ctx, fixed)


@click.command(cls=_OptionalDiagramKind)
@click.argument("spec", metavar="FILE[:LINE[-LINE]]")
@click.argument("question", nargs=-1)
@click.option(
    "--diagram",
    type=click.Choice(["call", "class"]),
    default=None,
    help="Ask for a Mermaid diagram: a call graph (the default) or `class`, starting from "
    "one computed from the repo map's tags.",
)
@attach_options
@_common
@pass_state
def explain(
    state: AppState,
    spec: str,
    question: tuple[str, ...],
    diagram: str | None,
    images: tuple[Path, ...],
    attach: tuple[Path, ...],
    model: str | None,
    provider: str | None,
    session_id: str | None,
    new_session: bool,
    as_json: bool,
) -> None:
    """Explain a file or a range of lines: coda explain app.py:10-40

    \b
      coda explain --diagram app.py          call graph of the module
      coda explain --diagram class app.py    its classes and their methods
    """
    from coda_ls.workspace import AskRequest

    path, start, end = parse_spec(spec)
    text = " ".join(question) or "Explain this code."
    attachments: list[tuple[str, str]] = []
    computed = None
    if diagram is not None:
        computed = _diagram(path, spec, start, end, diagram)
        from coda_ls.workspace import diagram_request_parts

        attachment, instruction = diagram_request_parts(computed)
        attachments.append(attachment)
        text = f"{text}\n\n{instruction}"
    request = AskRequest(
        question=text,
        mode="explain",
        selection=_selection(path, start, end),
        attachments=attachments,
        attached=load_attachments(images, attach),
        session_id=session_id,
        new_session=new_session,
        provider=provider,
        model=model,
    )
    answer = run_request(state, request, as_json=as_json)
    from coda_ls.workspace import has_diagram

    if computed is not None and not as_json and not has_diagram(answer.text):
        # The model gave no diagram: the computed one is still worth showing.
        state.console.print(f"\n{computed.title}:", markup=False)
        state.console.print(computed.block(), markup=False)


def _diagram(path: Path, spec: str, start: int, end: int | None, kind: str) -> Diagram:
    from coda_ls.workspace import file_diagram, project_root

    ranged = ":" in spec and spec.rpartition(":")[2][:1].isdigit()
    span = (start, end) if ranged else (None, None)
    chosen: DiagramKind = "class" if kind == "class" else "call"
    return file_diagram(path, chosen, *span, root=project_root())  # the workspace's root


def print_review(state: AppState, answer: Answer) -> None:
    from rich.table import Table

    review = answer.review
    assert review is not None
    console = state.console
    if review.summary:
        console.print(review.summary)
    if not review.findings:
        console.print("[green]No findings.[/]")
        return
    table = Table(title="Findings", show_lines=False)
    for column in ("severity", "where", "message", "suggestion"):
        table.add_column(column)
    colours = {"error": "red", "warning": "yellow", "info": "cyan", "hint": "dim"}
    for finding in review.findings:
        table.add_row(
            f"[{colours[finding.severity]}]{finding.severity}[/]",
            f"{finding.file}:{finding.start_line}-{finding.end_line}",
            finding.message,
            finding.suggestion or "",
        )
    console.print(table)


@click.command()
@click.argument("files", nargs=-1, type=click.Path(allow_dash=True, path_type=Path))
@click.option("--changed", is_flag=True, help="Review the uncommitted VCS changes.")
@_common
@pass_state
def review(
    state: AppState,
    files: tuple[Path, ...],
    changed: bool,
    model: str | None,
    provider: str | None,
    session_id: str | None,
    new_session: bool,
    as_json: bool,
) -> None:
    """Review files, the VCS changes (--changed), or a diff on stdin (-).

    \b
      coda review app.py
      coda review --changed
      git diff | coda review -
    """
    from coda_ls.workspace import AskRequest

    attachments: list[tuple[str, str]] = []
    paths = [f for f in files if str(f) != "-"]
    for path in paths:
        if not path.is_file():
            raise click.BadParameter(f"{path}: no such file", param_hint="FILE")
    if any(str(f) == "-" for f in files):
        piped = _stdin_text()
        if piped is None:
            raise click.UsageError("`-` reads a diff from stdin, but stdin is empty")
        attachments.append(("Diff to review", piped))
    if changed:
        attachments.append(("Uncommitted changes", _vcs_diff()))
    if not paths and not attachments:
        raise click.UsageError("give files to review, --changed, or - to read a diff")
    request = AskRequest(
        question="Review this code.",
        mode="review",
        files=[p.resolve() for p in paths],
        attachments=attachments,
        session_id=session_id,
        new_session=new_session,
        provider=provider,
        model=model,
    )
    answer = run_request(state, request, as_json=as_json, show_answer=False)
    if not as_json:
        print_review(state, answer)


def _vcs_diff() -> str:
    from coda_cli.runtime import run
    from coda_ls.workspace import Workspace

    backend = Workspace.open().vcs()
    diff: str = run(backend.diff())
    if not diff.strip():
        raise click.UsageError(f"no uncommitted changes in {backend.root} ({backend.name})")
    return diff


@click.command()
@click.argument("spec", metavar="FILE:LINES")
@click.argument("instruction", nargs=-1, required=True)
@click.option("--apply", "apply_", is_flag=True, help="Write the change without asking.")
@_common
@pass_state
def refactor(
    state: AppState,
    spec: str,
    instruction: tuple[str, ...],
    apply_: bool,
    model: str | None,
    provider: str | None,
    session_id: str | None,
    new_session: bool,
    as_json: bool,
) -> None:
    """Rewrite lines as instructed; shows a coloured diff and applies it on request.

    \b
      coda refactor app.py:10-30 "extract the parsing into a function"
    """
    from coda_ls.workspace import AskRequest

    path, start, end = parse_spec(spec)
    request = AskRequest(
        question=" ".join(instruction),
        mode="refactor",
        selection=_selection(path, start, end),
        session_id=session_id,
        new_session=new_session,
        provider=provider,
        model=model,
    )
    outcome = _run(state, request, as_json=as_json, show_answer=False)
    result, change = outcome.answer.refactor, outcome.change
    if as_json:
        return
    if result is None or change is None:
        state.console.print(outcome.answer.text or "The model proposed no change.")
        return
    diff = change.diff(str(path))
    if result.summary:
        state.console.print(result.summary)
    from rich.syntax import Syntax

    state.console.print(Syntax(diff or "(no change)", "diff", theme="ansi_dark"))
    if not diff:
        return
    if apply_ or (
        sys.stdin is not None
        and sys.stdin.isatty()
        and click.confirm(f"Apply to {path}?", default=False)
    ):
        path.write_text(change.after, encoding="utf-8")
        state.console.print(f"[green]applied to {path}[/]")
    else:
        state.console.print("not applied (use --apply to write it)")
