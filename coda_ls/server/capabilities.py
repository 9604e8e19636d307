"""What the connected client can do or asked for, read from its `initialize` capabilities.

Coda's own streaming notification (`coda/stream`) is opt-in: a client that renders it sets
the experimental capability ``{"codaStream": true}`` (the bundled VS Code and Neovim clients
do). Generic clients (eglot, Helix, Kate, ...) never asked for it, and sending hundreds of
unknown notifications only fills their logs (issue #18).
"""

from __future__ import annotations

from typing import Any

from lsprotocol import types

STREAM_CAPABILITY = "codaStream"


def _experimental(capabilities: types.ClientCapabilities) -> dict[str, Any]:
    value = capabilities.experimental
    return value if isinstance(value, dict) else {}


def wants_stream(capabilities: types.ClientCapabilities) -> bool:
    """True if the client opted in to `coda/stream` notifications."""
    return _experimental(capabilities).get(STREAM_CAPABILITY) is True


def shows_documents(capabilities: types.ClientCapabilities) -> bool:
    """True if the client handles `window/showDocument`."""
    window = capabilities.window
    return bool(window and window.show_document and window.show_document.support)
