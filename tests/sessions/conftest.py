from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from coda_ls.sessions import SessionStore


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SessionStore]:
    with SessionStore(tmp_path / "sessions.db") as opened:
        yield opened
