"""Every error Coda shows to a user, with what happened and what to do about it.

The hierarchy::

    CodaError
    ├── ConfigError                 a config file, env variable or flag is wrong
    ├── WorkspaceError              a path or file outside what Coda may touch
    ├── ToolError                   a tool call that could not run
    │   ├── PermissionDenied        the user or the policy said no
    │   └── VCSCommandError         a version-control command failed
    │       └── VCSTimeout          … or did not finish in time
    ├── EditError                   a search/replace edit does not match the file
    ├── SessionStoreError           the session database cannot be used
    ├── SessionNotFound             no session or message with that id
    ├── CostNotConfirmed            a request estimated above the confirmation threshold
    ├── KnowledgeError              a knowledge note cannot be read or written
    ├── TeamStoreError              the team store (PostgreSQL) cannot be used
    ├── AttachmentError             an attached file is too big, unreadable or unsupported
    ├── ImagesNotSupported          images attached for a model that does not read them
    └── ProviderError               talking to a model failed
        ├── AuthError               credentials missing or refused
        │   └── NotAuthorizedOrNotFound   OCI's 404: compartment or IAM policy
        ├── RateLimitError          429 after the retries ran out
        ├── ModelNotFoundError      the model is not known to the provider
        ├── ProviderUnavailableError    not running / unreachable / none configured
        ├── ProviderTimeout         no answer in time
        └── StreamInterrupted       the connection dropped mid-answer

Lower libraries' exceptions (httpx, oci, litellm) are translated at each provider's
boundary, so nothing above the providers catches a foreign type.
"""

from __future__ import annotations


class CodaError(Exception):
    """Base of every Coda error: a message for the user plus an actionable hint."""

    exit_code = 1

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message}\n  hint: {self.hint}" if self.hint else self.message


class ConfigError(CodaError):
    """A configuration file, environment variable or flag is invalid."""

    exit_code = 2


class WorkspaceError(CodaError):
    """A path lies outside the workspace, or a file cannot be read as text."""


class ToolError(CodaError):
    """A tool call failed (bad arguments, not found, ambiguous edit, timeout)."""


class PermissionDenied(ToolError):
    """The permission policy or the user refused a tool call."""


class ProviderError(CodaError):
    """A model provider failed to answer."""

    def __init__(
        self, message: str, hint: str | None = None, *, provider: str | None = None
    ) -> None:
        super().__init__(message, hint)
        self.provider = provider


class AuthError(ProviderError):
    """Credentials are missing, malformed or refused by the provider."""


class RateLimitError(ProviderError):
    """The provider kept answering 429 after Coda's retries."""

    def __init__(
        self,
        message: str,
        hint: str | None = None,
        *,
        provider: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message, hint, provider=provider)
        self.retry_after = retry_after


class ModelNotFoundError(ProviderError):
    """The requested model does not exist at the provider."""

    def __init__(
        self,
        message: str,
        hint: str | None = None,
        *,
        provider: str | None = None,
        suggestions: list[str] | None = None,
    ) -> None:
        super().__init__(message, hint, provider=provider)
        self.suggestions = suggestions or []


class ProviderUnavailableError(ProviderError):
    """The provider is not running, not reachable, or none is configured."""

    exit_code = 2


class ProviderTimeout(ProviderError):
    """The provider did not answer within the configured timeout."""


class StreamInterrupted(ProviderError):
    """The stream broke mid-answer; `partial` holds the text received so far."""

    def __init__(
        self,
        message: str,
        hint: str | None = None,
        *,
        provider: str | None = None,
        partial: str = "",
    ) -> None:
        super().__init__(message, hint, provider=provider)
        self.partial = partial


class NotAuthorizedOrNotFound(AuthError):
    """OCI's 404: a wrong compartment or a missing IAM policy (or both; it won't say)."""


class VCSCommandError(ToolError):
    """A version-control command failed or timed out."""

    def __init__(self, message: str, hint: str | None = None, *, returncode: int | None = None):
        super().__init__(message, hint)
        self.returncode = returncode


class VCSTimeout(VCSCommandError):
    """A version-control command did not finish within its timeout."""


class EditError(CodaError):
    """An edit's search text is missing or ambiguous in the current file."""


class SessionStoreError(CodaError):
    """The session database cannot be opened or is not a Coda session database."""


class SessionNotFound(CodaError):
    """No session (or message) with that id, or an ambiguous id prefix."""


class CostNotConfirmed(CodaError):
    """The estimated cost is above the confirmation threshold and was not confirmed."""

    exit_code = 2


class KnowledgeError(CodaError):
    """A knowledge note cannot be written, or the knowledge index cannot be used."""


class TeamStoreError(CodaError):
    """The team store (`[team] database_url`) is unreachable, misconfigured or lacks the
    `team` extra."""


class AttachmentError(CodaError):
    """A file that cannot be attached: too big, unreadable, or of a kind Coda cannot send."""

    exit_code = 2


class ImagesNotSupported(CodaError):
    """Images were attached for a model that does not read them; nothing was sent."""

    exit_code = 2
