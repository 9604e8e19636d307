"""The permission policy: per category `allow` / `ask` / `deny`, the `Asker` that answers
"ask", and the shell deny list.

Order of checks for one call (see `Toolbox.execute`): a shell command matching
`permissions.shell_deny` is refused whatever the policy; then `deny` refuses, `allow`
runs, and `ask` runs only if the asker says yes (or said "always" earlier this session).
"""

from __future__ import annotations

import enum
import fnmatch
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    from coda_ls.config import Permission, PermissionsSettings
    from coda_ls.tools.base import Category


class Decision(enum.Enum):
    """The user's answer to a permission request."""

    YES = "yes"
    NO = "no"
    ALWAYS = "always"  # yes, and do not ask again for this tool in this session


@dataclass(frozen=True)
class PermissionRequest:
    """What a front end shows before a tool runs.

    `summary` is one human line ("Write src/a.py (12 lines, new file)"); `diff` is a
    unified diff for writes and edits (None for other tools); `details` carries the raw
    arguments for front ends that want them. Writes and edits also give the whole text
    before (`old_text`, None for a new file) and after (`new_text`), for front ends that
    show a diff themselves (ACP's diff content).
    """

    tool: str
    category: Category
    summary: str
    diff: str | None = None
    details: dict[str, Any] = field(default_factory=dict)
    old_text: str | None = None
    new_text: str | None = None


@runtime_checkable
class Asker(Protocol):
    """Asks the user. The CLI prompts; the LSP server sends window/showMessageRequest."""

    async def ask(self, request: PermissionRequest) -> Decision: ...


class PolicyOnlyAsker:
    """For non-interactive use: nobody can be asked, so "ask" means no."""

    async def ask(self, request: PermissionRequest) -> Decision:
        return Decision.NO


def policy_for(permissions: PermissionsSettings, category: Category) -> Permission:
    """The configured permission of a category."""
    value: Permission = getattr(permissions, category)
    return value


# A command line is split on these so `ls && sudo rm x` matches "sudo *".
_SEPARATORS = re.compile(r"\|\||&&|[;|&\n]|\$\(|`")


def denied_pattern(command: str, patterns: list[str]) -> str | None:
    """The first deny pattern matching the command or one of its sub-commands, if any."""
    whole = " ".join(command.split())
    parts = [whole] + [" ".join(p.split()) for p in _SEPARATORS.split(command)]
    for part in parts:
        if not part:
            continue
        for pattern in patterns:
            if fnmatch.fnmatchcase(part, pattern) or fnmatch.fnmatchcase(part, pattern + " *"):
                return pattern
    return None
