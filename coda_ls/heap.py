"""Keep a long-running front's long-lived objects out of the cyclic GC's full passes.

A full collection walks every container object the process tracks: a language server
holds ~75k after its imports (pygls, lsprotocol, pydantic, Coda), and walking them held
the GIL for 120-390 ms on a loaded 2-core machine (a code action waiting as long; issue 16).
Objects that live as long as the process (modules, classes, settings, the map's file set)
never become cyclic garbage, so they are moved out of the collector's sight. Freezing is
O(1); refcounting still frees whatever a frozen object stops referencing; only cycles
among frozen objects would stay (none are made on purpose; a rebuild's file set is
acyclic).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


def settle() -> None:
    """Move every object tracked now out of future collections."""
    gc.freeze()


@contextmanager
def paused_gc() -> Iterator[None]:
    """No cyclic garbage collection while tagging or loading a stored graph: they allocate
    millions of acyclic objects (nodes, strings, tuples, arrays), whose count keeps
    triggering collections that walk the process's heap and find nothing. Cycles made
    meanwhile wait until after. (The whole process's: keep it short where other threads
    serve requests.)"""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
