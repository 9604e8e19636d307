"""Where a running `coda web` can be reached, so `coda sessions share` prints a whole link.

`coda web` writes its base URL (without the access token) and its pid beside the session
database it serves; the file is removed when it stops, and ignored if its process is gone
(a killed server cannot clean up).
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator
from pathlib import Path

FILE_NAME = "web-server.json"


def _file(db_path: Path) -> Path:
    return db_path.with_name(FILE_NAME)


@contextlib.contextmanager
def advertised(db_path: Path, base_url: str) -> Iterator[None]:
    """While the block runs, `running_base_url(db_path)` answers `base_url`."""
    target = _file(db_path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps({"base": base_url, "pid": os.getpid()}))
    except OSError:  # only a convenience: the link path is printed anyway
        yield
        return
    try:
        yield
    finally:
        with contextlib.suppress(OSError):
            if json.loads(target.read_text()).get("pid") == os.getpid():
                target.unlink()


def running_base_url(db_path: Path) -> str | None:
    """The base URL of the `coda web` serving this session database, if one runs."""
    try:
        data = json.loads(_file(db_path).read_text())
        pid, base = int(data["pid"]), str(data["base"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:  # alive, another user's: not ours to advertise
        return None
    return base
