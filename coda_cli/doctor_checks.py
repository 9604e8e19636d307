"""Checks of local components for `coda doctor` (grammars, database, VCS tools)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from coda_cli.commands.doctor import Check
    from coda_cli.state import AppState


def local_checks(state: AppState, cwd: Path) -> list[Check]:
    return []
