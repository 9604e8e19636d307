"""The Workspace: Coda's core composed once for one project root, opened by every front.

The language server, the one-shot `coda` commands, the `coda chat` shell and the MCP
server all open a `Workspace` and call its use-case methods; none of them wires the core
together itself, so a feature lives here once and every front reaches it the same way.

It owns, for its root: the settings (and their reload), the session store (with the
recovery of replies interrupted by a crash), the repo map (built on demand or in the
background, updated one file at a time), the project summary, the toolbox with the
configured MCP servers (connected lazily, once), and the engine.

A front passes in only what it alone has: how to ask the user for permission (`asker`),
how to read the open buffers (`buffers`), and how to show progress (`progress` callbacks).
"""

from __future__ import annotations

import importlib
import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from coda_ls import telemetry
from coda_ls.config_layers import LoadedSettings, read_layers
from coda_ls.errors import CodaError, ConfigError
from coda_ls.modes import ASK_MODE_NAMES, MODE_NAMES, MODES, Mode, get_mode

if TYPE_CHECKING:
    import asyncio

    from coda_ls.attachments import Attachment
    from coda_ls.attachments import from_path as attachment_from_path
    from coda_ls.checks.changelog import ChangelogReport
    from coda_ls.checks.docs import DocsReport, Proposal
    from coda_ls.completion import Completer, CompletionRequest, CompletionResult
    from coda_ls.config import Settings
    from coda_ls.context import CodeSelection
    from coda_ls.diagrams import (
        DIAGRAM_KINDS,
        Diagram,
        DiagramKind,
        file_diagram,
        has_diagram,
        text_diagram,
    )
    from coda_ls.diagrams import request_parts as diagram_request_parts
    from coda_ls.doctor import Check
    from coda_ls.engine import (
        Answer,
        AskRequest,
        DeltaCallback,
        Engine,
        NoticeCallback,
        StartCallback,
        Started,
        ToolResultLike,
    )
    from coda_ls.knowledge import KnowledgeBase, KnowledgeSelection, Passage
    from coda_ls.knowledge.save import SavedNote
    from coda_ls.preview import describe as describe_cost
    from coda_ls.preview import needs_confirmation
    from coda_ls.profiling import start as start_profile
    from coda_ls.profiling import start_pyroscope
    from coda_ls.project import ProjectInfo
    from coda_ls.projects import ProjectRef
    from coda_ls.prompts import (
        PROJECT_PROMPTS,
        Prompt,
        PromptError,
        PromptLibrary,
        load_prompts,
        prompt_file,
        split_arguments,
        team_prompts_dir,
    )
    from coda_ls.providers.base import Provider
    from coda_ls.providers.registry import provider_names
    from coda_ls.providers.select import NO_PROVIDER_HINT, Selection
    from coda_ls.redact import redact
    from coda_ls.repomap.model import RenderedMap, Tag
    from coda_ls.repomap.options import MapSettings
    from coda_ls.repomap.repomap import RepoMap
    from coda_ls.rules import Rules
    from coda_ls.sessions import MessageRecord, SearchHit, Session, SessionStats, SessionStore
    from coda_ls.share import (
        SharedSession,
        ShareStore,
        open_share_store,
        read_shared,
        render_page,
        running_base_url,
        share_session,
    )
    from coda_ls.structured import Finding, RefactorChange, Review
    from coda_ls.team.store import TeamStore
    from coda_ls.team.sync import CopyResult
    from coda_ls.testgen import TestGenReport, TestGenRequest
    from coda_ls.tools import (
        Asker,
        Buffers,
        Decision,
        PermissionRequest,
        Toolbox,
        ToolObserver,
        ToolResult,
    )
    from coda_ls.tools.catalog import ToolRow
    from coda_ls.vcs import VCSInfo
    from coda_ls.wire import Health, ModelInfo

# What the fronts import from here, loaded on first access (PEP 562) rather than with
# this module: a warm `coda map` uses none of it, and the engine, sessions, providers,
# tools and the rest cost more to import than the map takes to load (issue 16). Code in
# this module imports what it uses where it uses it (a global lookup does not reach
# __getattr__).
_LAZY: dict[str, tuple[str, str]] = {
    # Types the fronts annotate with (under TYPE_CHECKING above, importable too).
    "ChangelogReport": ("coda_ls.checks.changelog", "ChangelogReport"),
    "DocsReport": ("coda_ls.checks.docs", "DocsReport"),
    "Proposal": ("coda_ls.checks.docs", "Proposal"),
    "ProjectInfo": ("coda_ls.project", "ProjectInfo"),
    "ProjectRef": ("coda_ls.projects", "ProjectRef"),
    "Rules": ("coda_ls.rules", "Rules"),
    "VCSInfo": ("coda_ls.vcs", "VCSInfo"),
    "Attachment": ("coda_ls.attachments", "Attachment"),
    "attachment_from_path": ("coda_ls.attachments", "from_path"),
    "CodeSelection": ("coda_ls.context", "CodeSelection"),
    "DIAGRAM_KINDS": ("coda_ls.diagrams", "DIAGRAM_KINDS"),
    "Diagram": ("coda_ls.diagrams", "Diagram"),
    "DiagramKind": ("coda_ls.diagrams", "DiagramKind"),
    "file_diagram": ("coda_ls.diagrams", "file_diagram"),
    "has_diagram": ("coda_ls.diagrams", "has_diagram"),
    "text_diagram": ("coda_ls.diagrams", "text_diagram"),
    "diagram_request_parts": ("coda_ls.diagrams", "request_parts"),
    "Answer": ("coda_ls.engine", "Answer"),
    "AskRequest": ("coda_ls.engine", "AskRequest"),
    "DeltaCallback": ("coda_ls.engine", "DeltaCallback"),
    "Engine": ("coda_ls.engine", "Engine"),
    "NoticeCallback": ("coda_ls.engine", "NoticeCallback"),
    "StartCallback": ("coda_ls.engine", "StartCallback"),
    "Started": ("coda_ls.engine", "Started"),
    "ToolResultLike": ("coda_ls.engine", "ToolResultLike"),
    "emit_text": ("coda_ls.engine", "emit_text"),
    "project_summary": ("coda_ls.engine", "project_summary"),
    "KnowledgeBase": ("coda_ls.knowledge", "KnowledgeBase"),
    "KnowledgeSelection": ("coda_ls.knowledge", "KnowledgeSelection"),
    "Passage": ("coda_ls.knowledge", "Passage"),
    "describe_cost": ("coda_ls.preview", "describe"),
    "needs_confirmation": ("coda_ls.preview", "needs_confirmation"),
    "start_profile": ("coda_ls.profiling", "start"),
    "start_pyroscope": ("coda_ls.profiling", "start_pyroscope"),
    "PROJECT_PROMPTS": ("coda_ls.prompts", "PROJECT_PROMPTS"),
    "Prompt": ("coda_ls.prompts", "Prompt"),
    "PromptError": ("coda_ls.prompts", "PromptError"),
    "PromptLibrary": ("coda_ls.prompts", "PromptLibrary"),
    "load_prompts": ("coda_ls.prompts", "load_prompts"),
    "prompt_file": ("coda_ls.prompts", "prompt_file"),
    "split_arguments": ("coda_ls.prompts", "split_arguments"),
    "team_prompts_dir": ("coda_ls.prompts", "team_prompts_dir"),
    "provider_names": ("coda_ls.providers.registry", "provider_names"),
    "NO_PROVIDER_HINT": ("coda_ls.providers.select", "NO_PROVIDER_HINT"),
    "redact": ("coda_ls.redact", "redact"),
    "RenderedMap": ("coda_ls.repomap.model", "RenderedMap"),
    "MessageRecord": ("coda_ls.sessions", "MessageRecord"),
    "SearchHit": ("coda_ls.sessions", "SearchHit"),
    "Session": ("coda_ls.sessions", "Session"),
    "SessionStats": ("coda_ls.sessions", "SessionStats"),
    "SessionStore": ("coda_ls.sessions", "SessionStore"),
    "SharedSession": ("coda_ls.share", "SharedSession"),
    "ShareStore": ("coda_ls.share", "ShareStore"),
    "open_share_store": ("coda_ls.share", "open_share_store"),
    "read_shared": ("coda_ls.share", "read_shared"),
    "render_page": ("coda_ls.share", "render_page"),
    "running_base_url": ("coda_ls.share", "running_base_url"),
    "share_session": ("coda_ls.share", "share_session"),
    "Finding": ("coda_ls.structured", "Finding"),
    "RefactorChange": ("coda_ls.structured", "RefactorChange"),
    "Review": ("coda_ls.structured", "Review"),
    "apply_refactor": ("coda_ls.structured", "apply_refactor"),
    "TestGenReport": ("coda_ls.testgen", "TestGenReport"),
    "TestGenRequest": ("coda_ls.testgen", "TestGenRequest"),
    "Asker": ("coda_ls.tools", "Asker"),
    "Buffers": ("coda_ls.tools", "Buffers"),
    "Decision": ("coda_ls.tools", "Decision"),
    "PermissionRequest": ("coda_ls.tools", "PermissionRequest"),
    "Toolbox": ("coda_ls.tools", "Toolbox"),
    "ToolObserver": ("coda_ls.tools", "ToolObserver"),
    "ToolResult": ("coda_ls.tools", "ToolResult"),
    "ToolRow": ("coda_ls.tools.catalog", "ToolRow"),
    "add_plugins": ("coda_ls.tools.catalog", "add_plugins"),
    "tool_rows": ("coda_ls.tools.catalog", "tool_rows"),
}

if not TYPE_CHECKING:  # mypy reads the imports above; at run time names load on first use

    def __getattr__(name: str) -> Any:
        try:
            module, attr = _LAZY[name]
        except KeyError:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
        value = getattr(importlib.import_module(module), attr)
        globals()[name] = value
        return value


__all__ = [
    "ASK_MODE_NAMES",
    "DIAGRAM_KINDS",
    "MODES",
    "MODE_NAMES",
    "NO_PROVIDER_HINT",
    "PROJECT_PROMPTS",
    "Answer",
    "AskRequest",
    "Asker",
    "Attachment",
    "Buffers",
    "ChangelogReport",
    "CodeSelection",
    "Decision",
    "Diagram",
    "DiagramKind",
    "DocsReport",
    "Engine",
    "Finding",
    "KnowledgeBase",
    "KnowledgeSelection",
    "MessageRecord",
    "Mode",
    "Passage",
    "PermissionRequest",
    "Progress",
    "ProjectInfo",
    "ProjectRef",
    "Prompt",
    "PromptError",
    "PromptLibrary",
    "Proposal",
    "RefactorChange",
    "RefactorOutcome",
    "RenderedMap",
    "Review",
    "Rules",
    "SearchHit",
    "Session",
    "SessionStats",
    "SessionStore",
    "ShareStore",
    "SharedSession",
    "Started",
    "TestGenReport",
    "TestGenRequest",
    "ToolObserver",
    "ToolResult",
    "ToolResultLike",
    "ToolRow",
    "Toolbox",
    "VCSInfo",
    "Workspace",
    "add_project",
    "analyze_project",
    "attachment_from_path",
    "check_changelog",
    "check_docs",
    "check_model_choice",
    "describe_cost",
    "describe_vcs",
    "diagnose",
    "diagram_request_parts",
    "doctor_verdict",
    "file_diagram",
    "get_mode",
    "has_diagram",
    "install_id",
    "load_prompts",
    "needs_confirmation",
    "open_share_store",
    "open_team",
    "project_root",
    "prompt_file",
    "provider_names",
    "pull_session",
    "push_session",
    "read_shared",
    "redact",
    "remove_project",
    "render_page",
    "reset_install_id",
    "running_base_url",
    "share_session",
    "split_arguments",
    "start_profile",
    "start_pyroscope",
    "team_configured",
    "team_prompts_dir",
    "telemetry_wanted",
    "text_diagram",
]

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
"""Map-build progress: (files done, files in all). Called from the building thread."""


def project_root(start: Path | None = None) -> Path:
    """The repository root holding `start` (any VCS), else `start` itself."""
    from coda_ls.vcs import find_root

    here = (start or Path.cwd()).resolve()
    found = find_root(here)
    return found[0] if found else here


def check_model_choice(model: str, provider: str | None = None) -> None:
    """Refuse, with a ConfigError, a provider no registry knows or a model name that is
    blank or has control characters (before it reaches a settings file or a request)."""
    from coda_ls.providers.registry import provider_names

    known = provider_names()
    if provider is not None and provider not in known:
        raise ConfigError(f"unknown provider {provider!r}", f"choose one of: {', '.join(known)}")
    if not model.strip() or any(ord(ch) < 32 or ord(ch) == 127 for ch in model):
        raise ConfigError(
            f"invalid model name {model!r}", "`coda models` lists the available models"
        )


def telemetry_wanted(settings: Settings) -> bool:
    """Whether traces and metrics are exported with these settings (or OTEL_* variables)."""
    from coda_ls import telemetry

    return telemetry.wanted(settings)


def install_id(create: bool = False) -> str | None:
    """The anonymous install id telemetry sends (None before it first runs)."""
    from coda_ls.telemetry import install_id as ids

    return ids.get(create=create)


def reset_install_id() -> str:
    """Replace the anonymous install id with a new random one; returns it."""
    from coda_ls.telemetry import install_id as ids

    return ids.reset()


def describe_vcs(path: Path) -> VCSInfo:
    """The version-control system, root, branch, revision and changes at `path`."""
    from coda_ls.vcs import describe_sync

    return describe_sync(path)


def analyze_project(path: Path) -> ProjectInfo:
    """Languages, build systems, test frameworks and dependencies of the project at `path`."""
    from coda_ls.project import analyze_sync

    return analyze_sync(path)


def doctor_verdict(checks: list[Check], *, require_provider: bool = False) -> int:
    """`coda doctor`'s exit status for `checks` (see `coda_ls.doctor.verdict`)."""
    from coda_ls.doctor import verdict

    return verdict(checks, require_provider=require_provider)


async def diagnose(cwd: Path, overrides: Mapping[str, Any] | None = None) -> list[Check]:
    """`coda doctor`'s checks: config, providers, grammars, sessions, cache, VCS tools.
    Works with a broken configuration (that is the first failed check)."""
    from coda_ls.doctor import run_checks

    return await run_checks(cwd, overrides)


def check_docs(root: Path, since: str | None = None, wikis: Sequence[Path] = ()) -> DocsReport:
    """Documentation mentions of symbols changed since `since` (see coda_ls.checks.docs)."""
    from coda_ls.checks.docs import check_docs as check

    return check(root, since, wikis)


def add_project(root: Path, path: Path) -> tuple[str, Path]:
    """Persist `path` as another project of `root` (`projects` in .coda/config.toml);
    returns the entry written and the file."""
    from coda_ls.projects import add

    return add(root, path)


def remove_project(root: Path, which: str) -> tuple[str, Path]:
    """Forget a persisted project (by name or path); returns the entry and the file."""
    from coda_ls.projects import remove

    return remove(root, which)


def check_changelog(root: Path, since: str | None = None) -> ChangelogReport:
    """Changes since the last release with no changelog entry (coda_ls.checks.changelog)."""
    from coda_ls.checks.changelog import check_changelog as check

    return check(root, since)


def _map_of(workspace: Workspace) -> Callable[[], RepoMap | None]:
    return lambda: workspace.repo_map


def team_configured(settings: Settings) -> bool:
    """Whether a team store (`[team] database_url`) is configured."""
    return settings.team.database_url is not None


def push_session(settings: Settings, store: SessionStore, session_id: str) -> CopyResult:
    """Copy a local session (with the sessions it branched from) to the team store."""
    from coda_ls.team.sync import push

    return push(settings, store, session_id)


def pull_session(settings: Settings, store: SessionStore, session_id: str) -> CopyResult:
    """Copy a team-store session (with its ancestors) into the local store."""
    from coda_ls.team.sync import pull

    return pull(settings, store, session_id)


def open_team(settings: Settings) -> TeamStore:
    """The team store (raises TeamStoreError when unset, unreachable or not installed)."""
    from coda_ls.team import open_team as opener

    return opener(settings)


@dataclass
class RefactorOutcome:
    """A refactor answer and the change it makes to the selection's file (None when the
    model proposed no edit for that file)."""

    answer: Answer
    change: RefactorChange | None


class Workspace:
    """One project root with everything Coda knows and does there."""

    def __init__(
        self,
        root: Path,
        loaded: LoadedSettings,
        *,
        asker: Asker | None = None,
        buffers: Buffers | None = None,
        store: SessionStore | None = None,
        tool_observer: ToolObserver | None = None,
    ) -> None:
        self.root = root.resolve()
        self._loaded = loaded
        self._asker = asker
        self._buffers = buffers
        self._tool_observer = tool_observer
        self._store = store
        self._repo_map: RepoMap | None = None
        self._map_lock = threading.Lock()
        self._map_built_at: float | None = None
        self.map_error: str | None = None
        self._map_ready: asyncio.Event | None = None
        self._summary: str | None = None
        self._summary_read = False
        # Other projects whose maps join this one's (coda_ls.projects): name -> Workspace.
        # `_owned` are the ones this workspace opened (and closes); linked ones (the
        # server's other workspace folders) belong to their front.
        self._others: dict[str, Workspace] = {}
        self._owned: set[str] = set()
        self._configured_added = False
        self.plugin_problems: list[str] = []  # tool plugins that could not be used
        self._plugins_reported = False
        if loaded.checked_values() is None:
            # Not checked before: check now, so a broken configuration is reported when
            # the workspace opens. One that passed before is checked when first used
            # (`coda map` never uses more than config_memo's plain values: issue 16).
            loaded.settings  # noqa: B018
        self._toolbox = self._make_toolbox(loaded)
        self._mcp_connected = False
        self._mcp_problems: list[str] = []
        self._mcp_lock: asyncio.Lock | None = None
        self._closing: set[asyncio.Future[None]] = set()
        self._configure_telemetry()
        self._engine: Engine | None = None
        self._knowledge: KnowledgeBase | None = None
        self._completer: Completer | None = None

    def _configure_telemetry(self) -> None:
        """Once per process; a no-op when off (told without the settings models when
        neither the settings nor OTEL_* variables mention telemetry)."""
        values = self._loaded.checked_values()
        if values is not None and "telemetry" not in values and not telemetry.env_wants():
            return
        telemetry.configure(self.settings)

    def _map_settings(self) -> tuple[MapSettings, list[str]]:
        """The map's settings and the `projects` setting, as plain values when this
        configuration passed the full check before (no settings models: issue 16)."""
        from coda_ls.repomap.options import plain_map_options

        values = self._loaded.checked_values()
        if values is not None:
            options = plain_map_options(values.get("repomap"))
            projects = values.get("projects", [])
            if (
                options is not None
                and isinstance(projects, list)
                and all(isinstance(p, str) for p in projects)
            ):
                return options, projects
        settings = self.settings
        return settings.repomap, list(settings.projects)

    @property
    def engine(self) -> Engine:
        """The engine that answers questions, made on first use (a `coda map` needs none,
        and importing it costs more than loading a warm map: issue 16)."""
        if self._engine is None:
            from coda_ls.engine import Engine

            engine = Engine(self.settings, self.root, store=self._store, toolbox=self._toolbox)
            engine.knowledge = self.knowledge
            if self._repo_map is not None:
                engine.repo_map = self._joined_map(self._repo_map)
            if self._summary_read:
                engine.project_summary = self._summary
            self._engine = engine
        return self._engine

    @property
    def knowledge(self) -> KnowledgeBase:
        """Notes of .coda/knowledge/ and the team store (made on first use; nothing is read
        before a question)."""
        if self._knowledge is None:
            from coda_ls.knowledge import KnowledgeBase

            self._knowledge = KnowledgeBase(self.root, self.settings)
        return self._knowledge

    @property
    def map_ready(self) -> asyncio.Event:
        """Set once a background build (`prepare`) has finished, whether it worked or not."""
        if self._map_ready is None:
            import asyncio  # lazily: its import pulls in ssl, which a `coda map` never needs

            self._map_ready = asyncio.Event()
        return self._map_ready

    @classmethod
    def open(
        cls,
        start: Path | None = None,
        overrides: Mapping[str, Any] | None = None,
        *,
        asker: Asker | None = None,
        buffers: Buffers | None = None,
        override_label: str = "command line",
        tools_only_mcp: bool = False,
        as_root: bool = False,
        tool_observer: ToolObserver | None = None,
    ) -> Workspace:
        """The workspace of the project holding `start` (default: the current directory),
        with settings from every layer and `overrides` on top (raises ConfigError).
        `tools_only_mcp` opens it to inspect the MCP servers' tools, refusing every call;
        `as_root` takes `start` itself as the root (`coda map src/`), not its repository;
        `tool_observer` hears about every tool call (a front that shows them live)."""
        root = (start or Path.cwd()).resolve() if as_root else project_root(start)
        clean = {key: value for key, value in (overrides or {}).items() if value is not None}
        # Read now; checked in __init__ unless this configuration passed before.
        loaded = read_layers(cwd=start, overrides=clean, override_label=override_label)
        if tools_only_mcp:
            from coda_ls.tools import PolicyOnlyAsker

            asker = PolicyOnlyAsker()
        return cls(root, loaded, asker=asker, buffers=buffers, tool_observer=tool_observer)

    # -- settings -----------------------------------------------------------------------

    @property
    def loaded(self) -> LoadedSettings:
        """The settings with the layer each value came from."""
        return self._loaded

    @property
    def settings(self) -> Settings:
        return self._loaded.settings

    def reload(self, loaded: LoadedSettings) -> None:
        """Use new settings from now on: providers are rebuilt, the tools' permissions
        change, and the MCP servers are connected again (lazily) from the new list."""
        self._loaded = loaded
        if self._engine is not None:
            self._engine.update_settings(loaded.settings)
        if self._knowledge is not None:
            self._knowledge.update_settings(loaded.settings)
        if self._completer is not None:
            self._completer.update_settings(loaded.settings)
        old = self._toolbox
        self._toolbox = self._make_toolbox(loaded)
        if self._engine is not None:
            self._engine.toolbox = self._toolbox
        self._mcp_connected = False
        if old is not None:
            self._close_later(old.aclose())

    def set_model(self, model: str, provider: str | None = None) -> None:
        """Switch the model (and provider) for later requests (see check_model_choice)."""
        check_model_choice(model, provider)
        self.engine.set_model(model, provider)

    # -- the parts ----------------------------------------------------------------------

    @property
    def store(self) -> SessionStore:
        """The session store, opened on first use (replies left streaming by a crash are
        marked interrupted then)."""
        if self._store is None:
            from coda_ls.sessions import SessionStore

            self._store = SessionStore.from_settings(self.settings)
            self._store.recover_interrupted()
            if self._engine is not None:
                self._engine.store = self._store
        return self._store

    @property
    def toolbox(self) -> Toolbox | None:
        """The tools offered to the model; None when the front gave no way to ask the
        user (then the model gets no tools)."""
        return self._toolbox

    def _make_toolbox(self, loaded: LoadedSettings) -> Toolbox | None:
        if self._asker is None:
            return None
        settings = loaded.settings
        from coda_ls.tools import Toolbox
        from coda_ls.tools.catalog import add_plugins

        toolbox = Toolbox(
            self.root,
            settings,
            self._asker,
            buffers=self._buffers,
            observer=self._tool_observer,
        )
        toolbox.ctx.extra["projects"] = {n: w.root for n, w in self._others.items()}
        self.plugin_problems = add_plugins(toolbox, settings)
        self._plugins_reported = False
        return toolbox

    def tool_rows(self) -> list[ToolRow]:
        """Every tool on offer (built-in, plugin, connected MCP) with its source and the
        permission it runs under, for `coda tools`."""
        from coda_ls.tools.catalog import tool_rows

        return [] if self._toolbox is None else tool_rows(self._toolbox)

    async def connect_tools(self) -> list[str]:
        """Connect the configured MCP servers (once per workspace and settings) and offer
        their tools; returns one line per server that could not be used."""
        if self._toolbox is None or not self.settings.mcp_servers or self._mcp_connected:
            return []
        if self._mcp_lock is None:
            import asyncio

            self._mcp_lock = asyncio.Lock()
        async with self._mcp_lock:
            if not self._mcp_connected:
                self._mcp_problems = await self._toolbox.connect_mcp()
                self._mcp_connected = True
                for line in self._mcp_problems:
                    log.warning("MCP: %s", line)
                return list(self._mcp_problems)
        return []

    def save_note(
        self,
        body: str | None = None,
        *,
        session_id: str | None = None,
        title: str | None = None,
        user: bool = False,
        team: bool = False,
    ) -> SavedNote:
        """Save `body`, or the last answer of `session_id` (titled by its question), as a
        knowledge note in .coda/knowledge/ (or the user's dir; also the team store)."""
        from coda_ls.knowledge.save import last_answer, save_note
        from coda_ls.sessions.store import session_title

        origin = None
        if body is None:
            if session_id is None:
                raise CodaError("nothing to save", "give a session id or the note's text")
            question, body = last_answer(self.store, session_id)
            title = title or session_title(question)
            origin = f"saved from session {self.store.resolve_id(session_id)[:8]}"
        return save_note(
            self.knowledge, body, title=title, origin=origin, user=user, team=team,
            settings=self.settings,
        )  # fmt: skip

    def budget_lines(self) -> list[str]:
        """Spending so far against the configured budgets, one line each."""
        from coda_ls import budget

        return list(budget.usage(self.engine.settings, self.store, self.root).lines())

    def mcp_tools(self) -> list[tuple[str, str]]:
        """(name, description) of every tool the connected MCP servers offer."""
        if self._toolbox is None:
            return []
        return [(t.name, t.description) for t in self._toolbox.tools() if t.category == "mcp"]

    def summary(self) -> str | None:
        """The project's few-line summary for prompts (read once; None if unreadable)."""
        if not self._summary_read:
            from coda_ls.engine import project_summary

            self._summary = project_summary(self.root)
            self._summary_read = True
            if self._engine is not None:
                self._engine.project_summary = self._summary
        return self._summary

    def prompts(self) -> PromptLibrary:
        """The shared prompt library: the project's `.coda/prompts/` over the user's.
        Read on each call (a few small files), so an edited prompt is used at once."""
        from coda_ls.prompts import load_prompts

        return load_prompts(self.root)

    def project_info(self) -> ProjectInfo:
        """Languages, build systems, test frameworks and dependencies of the root."""
        return analyze_project(self.root)

    def rules(self, near: Path | None = None) -> Rules:
        """The project rules files a request about `near` gets in its system prompt (see
        `coda_ls.rules`), with the tokens of each and what the cap cut."""
        from coda_ls.rules import load_rules

        settings = self.settings
        return load_rules(
            self.root, near, sources=settings.rules, max_tokens=settings.rules_max_tokens
        )

    def vcs(self) -> Any:
        """The version-control backend of the root (git, hg, svn, … or a plain folder)."""
        from coda_ls.vcs import detect

        return detect(self.root)

    # -- several projects ---------------------------------------------------------------

    @property
    def projects(self) -> list[ProjectRef]:
        """This project first, then the others (configured, added, or linked)."""
        from coda_ls.projects import ProjectRef

        self._add_configured()
        current = ProjectRef(self.root.name, self.root, current=True)
        return [current, *(ProjectRef(n, w.root) for n, w in self._others.items())]

    def add_projects(self, roots: Sequence[Path]) -> list[str]:
        """Open other project roots beside this one (each its own Workspace with its own
        map and VCS state); returns their names. Already present roots are skipped."""
        from coda_ls.projects import resolve_paths, unique_name

        names = []
        for root in resolve_paths(list(roots), self.root):
            if any(w.root == root for w in self._others.values()):
                continue
            name = unique_name(root, [self.root.name, *self._others])
            self._others[name] = Workspace(root, self._loaded)
            self._owned.add(name)
            names.append(name)
            if self._repo_map is not None:  # joining a workspace whose map is built
                self._others[name].build_map()
        self._projects_changed()
        return names

    def link_project(self, other: Workspace) -> None:
        """Use another front-owned Workspace (an LSP workspace folder) as a project."""
        from coda_ls.projects import unique_name

        if other is self or any(w is other for w in self._others.values()):
            return
        self._others[unique_name(other.root, [self.root.name, *self._others])] = other
        self._projects_changed()

    def _add_configured(self) -> None:
        """The `projects` setting, opened once (relative paths from the project root)."""
        if not self._configured_added:
            self._configured_added = True
            projects = self._map_settings()[1]
            if projects:
                self.add_projects([Path(p) for p in projects])

    def _projects_changed(self) -> None:
        if self._toolbox is not None:
            self._toolbox.ctx.extra["projects"] = {n: w.root for n, w in self._others.items()}
        if self._repo_map is not None and self._engine is not None:
            self._engine.repo_map = self._joined_map(self._repo_map)

    def _joined_map(self, mine: RepoMap) -> Any:
        """The map questions see: this project's alone, or joined with the others'."""
        if not self._others:
            return mine
        from coda_ls.projects import ProjectMaps

        others = [(n, w.root, _map_of(w)) for n, w in self._others.items()]
        return ProjectMaps(mine, others, self._map_settings()[0].tokens)

    # -- the repo map -------------------------------------------------------------------

    @property
    def repo_map(self) -> RepoMap | None:
        """The map once built (None before, or when building failed: see map_error)."""
        return self._repo_map

    def build_map(self, progress: Progress | None = None, *, isolated: bool = False) -> RepoMap:
        """Build the map (cached files load from disk, changed ones are parsed again) and
        give it to the engine. Blocking: fronts with an event loop use `prepare`, which
        parses in a worker process (`isolated`) so their event loop keeps the GIL."""
        from coda_ls.repomap.repomap import RepoMap

        self._add_configured()
        with self._map_lock:
            if self._repo_map is None:
                self._repo_map = RepoMap(self.root, self._map_settings()[0])
            self._repo_map.build(progress, isolated=isolated)
            self._map_built_at = time.monotonic()
        # The projects this workspace opened are built with it (linked ones by their front).
        for name in sorted(self._owned):
            self._others[name].build_map(isolated=isolated)
        if self._engine is not None:  # else the engine gets the map when it is made
            self._engine.repo_map = self._joined_map(self._repo_map)
        return self._repo_map

    def refresh_map(self, max_age: float) -> RepoMap:
        """The map, rebuilt when its last build is older than `max_age` seconds (for
        fronts that cannot hear about file changes, like the MCP server)."""
        built = self._map_built_at
        if self._repo_map is None or built is None or time.monotonic() - built > max_age:
            return self.build_map()
        return self._repo_map

    async def prepare(self, progress: Progress | None = None, *, with_map: bool = True) -> None:
        """Read the project summary, build the map and rank it off the event loop;
        `map_ready` is set when done, whether it worked or not (see `map_error`): the
        first map asked for after that is ready, not ranked then (issue 16)."""
        import asyncio

        from coda_ls.heap import settle

        settle()  # what the front imported to serve (see heap.py)
        try:
            await asyncio.to_thread(self.summary)
            if with_map:
                await asyncio.to_thread(self.build_map, progress, isolated=True)
                settle()  # the map's modules and file set
                await asyncio.to_thread(self._rank_ahead)
        except CodaError as exc:
            self.map_error = exc.message
            raise
        except Exception as exc:  # a broken map must not take a front down
            log.exception("repo map of %s failed", self.root)
            self.map_error = repr(exc)
        finally:
            self.map_ready.set()

    async def questions_ready(self, timeout: float = 600) -> None:
        """After `prepare`: until the first question would be ranked at once (the worker
        holding the map has built its graph and words index). A front reports "ready"
        then; the map itself is served as soon as `map_ready` is set (issue 16)."""
        import asyncio

        repo_map = self._repo_map
        if repo_map is not None:
            await asyncio.to_thread(repo_map.wait_warm, timeout)

    def _rank_ahead(self) -> None:
        """Rank and fit the default map now, in a worker process when it can, so the
        first map asked for is loaded, not ranked (nor the tokenizer loaded for it)."""
        repo_map = self._repo_map
        if repo_map is None:
            return
        # The worker stays, with the graph, for the personalized maps questions need.
        repo_map.rank_ahead(hold=True)
        repo_map.render()  # loads the persisted map (or ranks and fits here if none)

    def update_file(self, path: Path, text: str | None = None) -> None:
        """Re-tag one file (its open buffer's `text`, or the file on disk)."""
        if self._repo_map is not None:
            self._repo_map.update(path, text)

    def remove_file(self, path: Path) -> None:
        if self._repo_map is not None:
            self._repo_map.remove(path)

    def render_map(
        self,
        tokens: int | None = None,
        focus: Sequence[Path | str] = (),
        mentioned_idents: Sequence[str] = (),
    ) -> RenderedMap:
        """The map fitted to `tokens` (default from the settings), `focus` files and the
        `mentioned_idents` ranked first; with other projects, theirs follow under `[name]`
        labels (see coda_ls.projects)."""
        joined = self._joined_map(self._built_map())
        rendered: RenderedMap = joined.render(
            tokens, focus_files=focus, mentioned_idents=mentioned_idents
        )
        return rendered

    def map_json(
        self,
        tokens: int | None = None,
        focus: Sequence[Path | str] = (),
        mentioned_idents: Sequence[str] = (),
    ) -> str:
        """The fitted map as JSON (files, symbols, lines, signatures)."""
        return self._built_map().to_json(
            tokens, focus_files=focus, mentioned_idents=mentioned_idents
        )

    def find_symbol(self, name: str) -> list[Tag]:
        """Where a class/function/method named `name` (or `Class.method`) is defined."""
        return self._built_map().find_symbol(name)

    def diagram(
        self, path: Path, kind: DiagramKind, start: int | None = None, end: int | None = None
    ) -> Diagram:
        """The call graph or class diagram of a file (or lines start-end of it) as Mermaid."""
        from coda_ls.diagrams import file_diagram

        return file_diagram(path, kind, start, end, root=self.root)

    def _built_map(self) -> RepoMap:
        """The map, built first if no front has built it yet."""
        return self._repo_map or self.build_map()

    # -- questions ----------------------------------------------------------------------

    async def ask(
        self,
        request: AskRequest,
        on_delta: DeltaCallback | None = None,
        *,
        on_start: StartCallback | None = None,
        on_notice: NoticeCallback | None = None,
    ) -> Answer:
        """Answer a question in any mode, streaming; see `Engine.ask`. The first use of
        tools connects the configured MCP servers; a server that fails is reported
        through `on_notice` and skipped."""
        import asyncio

        from coda_ls.engine import emit_text

        if self.engine.store is None:
            self.engine.store = self.store
        if request.use_tools and self._toolbox is not None:
            if not self._plugins_reported:  # once per toolbox: a notice, not a failure
                self._plugins_reported = True
                for line in self.plugin_problems:
                    await emit_text(on_notice, line)
            for problem in await self.connect_tools():
                await emit_text(on_notice, f"MCP: {problem}")
        answer = await self.engine.ask(request, on_delta, on_start=on_start, on_notice=on_notice)
        if self.settings.team.auto_push and answer.session_id is not None:
            from coda_ls.team.sync import push_quietly

            await asyncio.to_thread(push_quietly, self.settings, self.store, answer.session_id)
        return answer

    async def refactor(
        self,
        request: AskRequest,
        on_delta: DeltaCallback | None = None,
        *,
        on_start: StartCallback | None = None,
        on_notice: NoticeCallback | None = None,
    ) -> RefactorOutcome:
        """Ask for a refactor of `request.selection` and compute the change by the one
        refactor rule (edits for the selection's file, applied tolerantly). The text the
        edits apply to is the selection's buffer as it was when asked."""
        if request.selection is None:
            raise CodaError("a refactor needs a selection", "give FILE:LINES or select code")
        before = request.selection.file_text()
        request.mode = "refactor"
        request.use_tools = False
        answer = await self.ask(request, on_delta, on_start=on_start, on_notice=on_notice)
        if answer.refactor is None or not answer.refactor.edits:
            return RefactorOutcome(answer, None)
        from coda_ls.structured import apply_refactor

        change = apply_refactor(answer.refactor, request.selection.path, before, self.root)
        return RefactorOutcome(answer, change if change.edits else None)

    async def review(
        self,
        request: AskRequest,
        on_delta: DeltaCallback | None = None,
        *,
        on_start: StartCallback | None = None,
        on_notice: NoticeCallback | None = None,
    ) -> Answer:
        """Review the selection or files; `answer.review` holds the findings."""
        request.mode = "review"
        request.use_tools = False
        return await self.ask(request, on_delta, on_start=on_start, on_notice=on_notice)

    async def propose_doc_fixes(
        self, report: DocsReport, model: str | None = None
    ) -> list[Proposal]:
        """One model-proposed diff per stale document of `report`, each checked to apply."""
        from coda_ls.checks.docs import propose_fixes

        return await propose_fixes(self.engine, report, model)

    async def propose_changelog(self, report: ChangelogReport, model: str | None = None) -> str:
        """The model's wording of `report`'s missing changelog entries (optional)."""
        from coda_ls.checks.changelog import propose_entries

        return await propose_entries(self.engine, report, model)

    async def generate_tests(
        self,
        request: TestGenRequest,
        on_delta: DeltaCallback | None = None,
        *,
        on_start: StartCallback | None = None,
        on_notice: NoticeCallback | None = None,
    ) -> TestGenReport:
        """The `test` mode: write tests for the selection into the project's test file,
        run them with its runner (both with permission), and let the model fix failures
        for `testgen.rounds` rounds (see `coda_ls.testgen`)."""
        from coda_ls.testgen import generate_tests

        return await generate_tests(self, request, on_delta, on_start=on_start, on_notice=on_notice)

    # -- inline completion --------------------------------------------------------------

    @property
    def completer(self) -> Completer:
        """Inline completion for this root (created on first use)."""
        if self._completer is None:
            from coda_ls.completion import Completer

            self._completer = Completer(self.settings, self.root, lambda: self._repo_map)
        return self._completer

    async def complete(self, request: CompletionRequest) -> CompletionResult:
        """Ghost-text suggestions at a cursor: fill-in-the-middle from the buffer with the
        repo map's definitions of what the code near the cursor uses (see
        `coda_ls.completion`). A newer request for the same document supersedes this one."""
        return await self.completer.complete(request)

    # -- models -------------------------------------------------------------------------

    async def models(self) -> tuple[list[ModelInfo], list[Health]]:
        """Every reachable provider's models, and the providers that are not reachable."""
        from coda_ls.providers.catalog import gather_models

        return await gather_models(self.settings)

    async def models_of(self, provider: str | None = None) -> tuple[list[ModelInfo], list[Health]]:
        """`models`, optionally of one provider only."""
        from coda_ls.providers.catalog import gather_models

        return await gather_models(self.settings, provider)

    async def default_choice(self, provider: str | None = None) -> tuple[str, str] | None:
        """(provider, model) a question would use with no model named, or None when no
        provider answers (the same rule as the questions themselves)."""
        try:
            chosen = await self.selection(None, provider, None)
        except CodaError:
            return None
        return chosen.provider_name, chosen.model

    async def model_details(self, model: str, provider: str | None = None) -> ModelInfo:
        """A model's context window, family and capabilities."""
        chosen = self._provider(provider or self.settings.provider or "ollama")
        try:
            return await chosen.model_info(model)
        finally:
            await chosen.aclose()

    async def pull_model(
        self, model: str, progress: Callable[[str, int | None, int | None], None]
    ) -> None:
        """Download a model into Ollama; `progress(status, completed, total)`."""
        from coda_ls.providers.ollama import OllamaProvider

        ollama = OllamaProvider(self.settings.providers.ollama)
        try:
            await ollama.pull(model, progress)
        finally:
            await ollama.aclose()

    async def delete_model(self, model: str) -> None:
        """Delete a model from Ollama."""
        from coda_ls.providers.ollama import OllamaProvider

        ollama = OllamaProvider(self.settings.providers.ollama)
        try:
            await ollama.delete(model)
        finally:
            await ollama.aclose()

    def _provider(self, name: str) -> Provider:
        from coda_ls.providers.registry import create_provider

        return create_provider(name, self.settings)

    async def selection(
        self, mode: str | None = None, provider: str | None = None, model: str | None = None
    ) -> Selection:
        """The provider and model a request would use (checked to exist)."""
        return await self.engine.selection(mode, provider, model)

    @property
    def current(self) -> Selection | None:
        return self._engine.current if self._engine is not None else None

    # -- closing ------------------------------------------------------------------------

    def _close_later(self, closing: Any) -> None:
        import asyncio

        try:
            asyncio.get_running_loop()
        except RuntimeError:
            closing.close()  # no loop: nothing was connected
            return
        task = asyncio.ensure_future(closing)
        self._closing.add(task)
        task.add_done_callback(self._closing.discard)

    async def aclose(self) -> None:
        """Close the providers, MCP connections and the map's cache."""
        if self._completer is not None:
            await self._completer.aclose()
        if self._engine is not None:
            await self._engine.aclose()
        self.close()

    def close(self) -> None:
        """Close what needs no event loop: the map's cache and the session store."""
        if self._knowledge is not None:
            self._knowledge.close()
        with self._map_lock:
            if self._repo_map is not None:
                self._repo_map.close()
        for name in self._owned:
            self._others[name].close()
