"""The session summary shown by `/cost` and on exit (the `coda sessions stats` panel)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import RenderableType

    from coda_cli.shell.state import ShellState


def summary(shell: ShellState) -> list[RenderableType]:
    """One panel per session this shell used (usually one); a line when there were none."""
    from rich.text import Text

    from coda_cli.commands.sessions import stats_panel

    if shell.engine.store is None or not shell.sessions_used:
        return [Text("No requests in this shell yet.", style="coda.dim")]
    panels: list[RenderableType] = []
    for session_id in shell.sessions_used:
        session = shell.store.get_session(session_id)
        panels.append(stats_panel(session, shell.store.stats(session.id)))
    return panels
