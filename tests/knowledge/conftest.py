from __future__ import annotations

from pathlib import Path

import pytest

DEPLOY = """# Deploy

How the payments service reaches production.

## Rollback

To roll back a failed deploy, run `make rollback ENV=prod` from the release branch.
The rollback job restores the previous release and reverts its database migrations.

## Release cadence

Releases go out every Tuesday after the change review; hotfixes any day.
"""

COFFEE = """# Office

The coffee machine on floor 3 needs descaling every month; the kettle is in the kitchen.
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project with two notes in .coda/knowledge/."""
    root = tmp_path / "project"
    notes = root / ".coda" / "knowledge"
    notes.mkdir(parents=True)
    (notes / "deploy.md").write_text(DEPLOY, encoding="utf-8")
    (notes / "office.md").write_text(COFFEE, encoding="utf-8")
    return root
