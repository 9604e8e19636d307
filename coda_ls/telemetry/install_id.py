"""The anonymous install id sent with metrics so active installs can be counted: a random
UUID in the data directory, not derived from anything about the user or machine. The user
can read it (`coda doctor`) and reset it (delete the file, or `reset()`)."""

from __future__ import annotations

import uuid
from pathlib import Path

FILE_NAME = "install-id"


def path() -> Path:
    from coda_ls import paths

    return paths.data_dir() / FILE_NAME


def get(create: bool = True) -> str | None:
    target = path()
    try:
        value = target.read_text(encoding="utf-8").strip()
        if value:
            return value
    except OSError:
        pass
    if not create:
        return None
    return reset()


def reset() -> str:
    """A new random id, replacing the old one."""
    value = str(uuid.uuid4())
    target = path()
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(value + "\n", encoding="utf-8")
    return value
