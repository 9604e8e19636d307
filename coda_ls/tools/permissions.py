"""The permission policy: per category `allow` / `ask` / `deny`, the `Asker` that answers
"ask", and the shell deny list.

Order of checks for one call (see `Toolbox.execute`): a shell command that
`shell_policy.judge` denies (a `permissions.shell_deny` pattern or a built-in rule) is
refused whatever the policy; then `deny` refuses; a shell command that cannot be judged
before it runs (`eval`, `$x id`, `… | sh`) is asked about even under `allow`; a shell
command whose every part matches a `permissions.shell_allow` prefix runs; `allow` runs,
and `ask` runs only if the asker says yes (or said "always" earlier this session).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    from coda_ls.config import Permission, PermissionsSettings
    from coda_ls.tools.base import Category
    from coda_ls.tools.shell_policy import ShellVerdict


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


def shell_verdict(command: str, permissions: PermissionsSettings) -> ShellVerdict:
    """deny / ask / ok for a shell command line under the settings (see shell_policy)."""
    from coda_ls.tools.shell_policy import judge

    return judge(command, permissions.shell_deny, permissions.shell_allow)
