"""vcs_status, vcs_diff, vcs_log: the working copy through the VCS layer (any system)."""

from __future__ import annotations

from pydantic import Field

from coda_ls.errors import ToolError
from coda_ls.tools import listing
from coda_ls.tools.base import Tool, ToolArgs, ToolContext, ToolResult
from coda_ls.tools.permissions import PermissionRequest
from coda_ls.tools.workspace import resolve

DIFF_CAP = 60_000


class VCSStatusArgs(ToolArgs):
    pass


class VCSStatus(Tool[VCSStatusArgs]):
    name = "vcs_status"
    description = "The version-control status: branch, revision, changed/added/removed/untracked."
    category = "read"
    Args = VCSStatusArgs

    async def describe(self, args: VCSStatusArgs, ctx: ToolContext) -> PermissionRequest:
        return PermissionRequest(self.name, self.category, "Show the VCS status")

    async def run(self, args: VCSStatusArgs, ctx: ToolContext) -> ToolResult:
        from coda_ls.vcs import VCSCommandError, VCSTimeout

        repo = listing.backend(ctx)
        if repo.name == "plain":
            return ToolResult(f"{ctx.workspace} is not under version control")
        try:
            status = await repo.status()
            branch = await repo.branch()
            revision = await repo.revision()
        except (VCSCommandError, VCSTimeout) as exc:
            raise ToolError(str(exc)) from None
        lines = [f"{repo.label} repository at {repo.root}"]
        lines.append(f"branch: {branch or '(none)'}  revision: {revision or '(no commits)'}")
        if status.clean:
            lines.append("working copy clean")
        for kind, names in status.to_dict().items():
            for name in names:
                lines.append(f"{kind}: {name}")
        return ToolResult("\n".join(lines))


class VCSDiffArgs(ToolArgs):
    paths: list[str] | None = Field(None, description="Limit to these paths (default: all)")
    staged: bool = Field(False, description="git only: just what is staged in the index")


class VCSDiff(Tool[VCSDiffArgs]):
    name = "vcs_diff"
    description = "Unified diff of uncommitted changes against the last commit."
    category = "read"
    Args = VCSDiffArgs

    async def describe(self, args: VCSDiffArgs, ctx: ToolContext) -> PermissionRequest:
        return PermissionRequest(self.name, self.category, "Show the uncommitted diff")

    async def run(self, args: VCSDiffArgs, ctx: ToolContext) -> ToolResult:
        from coda_ls.vcs import VCSCommandError, VCSTimeout

        repo = listing.backend(ctx)
        paths = [resolve(ctx.workspace, p) for p in args.paths] if args.paths else None
        if paths is None and ctx.workspace.resolve() != repo.root.resolve():
            paths = [ctx.workspace.resolve()]  # only the workspace's part of a bigger repo
        try:
            diff = await repo.diff(paths, staged=args.staged)
        except (VCSCommandError, VCSTimeout) as exc:
            raise ToolError(str(exc)) from None
        if not diff.strip():
            return ToolResult("no uncommitted changes")
        if len(diff) > DIFF_CAP:
            cut = len(diff) - DIFF_CAP
            diff = diff[:DIFF_CAP] + f"\n[… {cut:,} more characters; pass paths to narrow …]"
        return ToolResult(diff)


class VCSLogArgs(ToolArgs):
    n: int = Field(10, ge=1, le=200, description="How many commits, newest first")


class VCSLog(Tool[VCSLogArgs]):
    name = "vcs_log"
    description = "The last commits of the current branch: revision, date, author, message."
    category = "read"
    Args = VCSLogArgs

    async def describe(self, args: VCSLogArgs, ctx: ToolContext) -> PermissionRequest:
        return PermissionRequest(self.name, self.category, f"Show the last {args.n} commits")

    async def run(self, args: VCSLogArgs, ctx: ToolContext) -> ToolResult:
        from coda_ls.vcs import VCSCommandError, VCSTimeout

        repo = listing.backend(ctx)
        try:
            entries = await repo.log(args.n)
        except (VCSCommandError, VCSTimeout) as exc:
            raise ToolError(str(exc)) from None
        if not entries:
            return ToolResult("no commits")
        return ToolResult(
            "\n".join(f"{e.revision[:12]} {e.date} {e.author}: {e.message}" for e in entries)
        )
