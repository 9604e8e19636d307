"""LSP error responses for Coda's failures."""

from __future__ import annotations

from pygls.exceptions import JsonRpcException

from coda_ls.errors import CodaError

INVALID_PARAMS = -32602
REQUEST_FAILED = -32803  # LSP's RequestFailed: valid request, the work failed


class CommandError(JsonRpcException):
    """A command failed; the message carries Coda's hint."""

    CODE = REQUEST_FAILED

    @classmethod
    def from_coda(cls, exc: CodaError) -> CommandError:
        message = exc.message + (f" — {exc.hint}" if exc.hint else "")
        return cls(message, data={"kind": type(exc).__name__, "hint": exc.hint})


class InvalidArguments(JsonRpcException):
    CODE = INVALID_PARAMS
