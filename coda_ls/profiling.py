"""`--profile FILE`: a cProfile of a CLI run or of the language server, written as a
pstats file (`python -m pstats FILE`, snakeviz, …) when the run ends. For people without a
continuous profiler; cProfile slows Python code down, so use it to find where time goes,
not to measure how much."""

from __future__ import annotations

import cProfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path


def start(path: str | Path) -> Callable[[], None]:
    """Start profiling; the returned function stops and writes `path` (once)."""
    target = Path(path).expanduser()
    profiler = cProfile.Profile()
    profiler.enable()
    done = False

    def stop() -> None:
        nonlocal done
        if done:
            return
        done = True
        profiler.disable()
        target.parent.mkdir(parents=True, exist_ok=True)
        profiler.dump_stats(str(target))

    return stop


@contextmanager
def profiled(path: str | Path | None) -> Iterator[None]:
    if not path:
        yield
        return
    stop = start(path)
    try:
        yield
    finally:
        stop()


def start_pyroscope(server: str, application: str) -> Callable[[], None]:
    """Start the Pyroscope agent (the `pyroscope` extra) sending to `server`; the returned
    function flushes and stops it."""
    try:
        import pyroscope  # type: ignore[import-untyped, import-not-found, unused-ignore]
    except ImportError:
        from coda_ls.errors import ConfigError

        raise ConfigError(
            "the Pyroscope agent is not installed",
            "`pip install 'coda-assistant[pyroscope]'`, or use --profile FILE instead",
        ) from None
    pyroscope.configure(application_name=application, server_address=server, upload_interval=5)
    done = False

    def stop() -> None:
        nonlocal done
        if not done:
            done = True
            pyroscope.shutdown()

    return stop
