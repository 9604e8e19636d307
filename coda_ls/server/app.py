"""CodaServer: the pygls LanguageServer with Coda's state. Handlers live in `features`
(LSP notifications/requests) and `commands` (workspace/executeCommand)."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

from lsprotocol import types
from pydantic import BaseModel, ValidationError
from pygls.exceptions import JsonRpcException
from pygls.lsp.server import LanguageServer

from coda_ls import __version__
from coda_ls.config import LoadedSettings, load_settings
from coda_ls.errors import CodaError, ConfigError
from coda_ls.server.arguments import first_argument
from coda_ls.server.asker import LspAsker
from coda_ls.server.buffers import ServerBuffers
from coda_ls.server.convert import uri_to_path
from coda_ls.server.errors import CommandError, InvalidArguments
from coda_ls.server.protocol import CodaProtocol
from coda_ls.server.state import RunningRequest, WorkspaceState
from coda_ls.workspace import Finding, Workspace

log = logging.getLogger(__name__)
A = TypeVar("A", bound=BaseModel)


class CodaServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("coda-ls", __version__, protocol_cls=CodaProtocol)
        self.init_options: dict[str, Any] = {}
        self.loaded: LoadedSettings | None = None
        self.workspaces: dict[Path, WorkspaceState] = {}
        self.running: dict[str, RunningRequest] = {}
        # uri -> finding id -> (finding, document version it was made against)
        self.findings: dict[str, dict[str, tuple[Finding, int | None]]] = {}
        self.session_id: str | None = None
        self.store: Any = None
        self.pending_messages: list[CodaError] = []

    # -- settings -------------------------------------------------------------------------

    def load(self, options: Mapping[str, Any] | None, cwd: Path | None = None) -> LoadedSettings:
        """Settings = user/project config < env < initializationOptions (or didChange)."""
        options = dict(options or {})
        nested = options.get("coda")
        if isinstance(nested, dict):  # {"coda": {...}} as VS Code sends it
            options = dict(nested)
        loaded = load_settings(
            cwd=cwd or self.default_root(),
            overrides=options,
            override_label="initializationOptions",
        )
        self.init_options = options
        self.loaded = loaded
        if self.store is None:
            from coda_ls.sessions import SessionStore

            self.store = SessionStore.from_settings(loaded.settings)
            self.store.recover_interrupted()
        for state in self.workspaces.values():
            state.core.reload(loaded)
        return loaded

    def load_defaults(self) -> LoadedSettings:
        """Defaults and environment, without the config files: they are broken, but the
        server must run (the error is shown; fixing the file and sending
        didChangeConfiguration recovers). If even the environment is bad: defaults."""
        try:
            self.loaded = load_settings(cwd=self.default_root(), read_files=False)
        except CodaError:
            from coda_ls import paths
            from coda_ls.config import Layer, Settings

            self.loaded = LoadedSettings(
                Settings(), [Layer("default", {})], paths.user_config_file(), None
            )
        if self.store is None:
            from coda_ls.sessions import SessionStore

            self.store = SessionStore()
        return self.loaded

    @property
    def settings(self) -> LoadedSettings:
        if self.loaded is None:
            raise CommandError(
                "the server has not been initialized", data={"hint": "send `initialize` first"}
            )
        return self.loaded

    def default_root(self) -> Path:
        folders = list(self.workspace.folders.values()) if self.protocol.workspace else []
        if folders:
            return uri_to_path(folders[0].uri)
        root = self.protocol.workspace.root_path if self.protocol.workspace else None
        return Path(root) if root else Path.cwd()

    # -- workspaces -----------------------------------------------------------------------

    def roots(self) -> list[Path]:
        folders = [uri_to_path(f.uri) for f in self.workspace.folders.values()]
        return folders or [self.default_root()]

    def workspace_for(self, path: Path | None = None) -> WorkspaceState:
        """The state of the innermost workspace folder holding `path` (created lazily)."""
        roots = sorted(self.roots(), key=lambda p: len(p.parts), reverse=True)
        root = roots[-1]
        if path is not None:
            resolved = path.resolve()
            root = next((r for r in roots if resolved.is_relative_to(r.resolve())), root)
        root = root.resolve()
        if root not in self.workspaces:
            self._open_folder(root)
            # Every folder is a project of every other one: a question in one sees the
            # others' maps after its own (coda_ls.projects), each built once, by its state.
            folders = [self._open_folder(r.resolve()) for r in roots]
            for state in folders:
                for other in folders:
                    state.core.link_project(other.core)
        return self.workspaces[root]

    def _open_folder(self, root: Path) -> WorkspaceState:
        if root not in self.workspaces:
            core = Workspace(
                root,
                self.settings,
                asker=LspAsker(self),
                buffers=ServerBuffers(self),
                store=self.store,
            )
            state = WorkspaceState(core=core)
            self.workspaces[root] = state
            state.map_task = asyncio.ensure_future(self._prepare_workspace(state))
        return self.workspaces[root]

    async def _prepare_workspace(self, state: WorkspaceState) -> None:
        """Read the project and build the repo map off the event loop, with progress."""
        token: str | None = None
        loop = asyncio.get_running_loop()
        last = [0.0]

        def progress(done: int, total: int) -> None:
            now = loop.time()
            if token is None or (now - last[0] < 0.2 and done < total):
                return
            last[0] = now
            percentage = int(done * 100 / total) if total else 0
            report = types.WorkDoneProgressReport(
                message=f"{done}/{total} files", percentage=percentage
            )
            loop.call_soon_threadsafe(self.work_done_progress.report, token, report)

        core = state.core
        try:
            token = await self.begin_progress(
                f"coda-map-{uuid.uuid4().hex[:8]}",
                types.WorkDoneProgressBegin(title=f"Coda: mapping {core.root.name}", percentage=0),
            )
            await core.prepare(progress)
            if token is not None and core.repo_map is not None:
                # Two stages: the map is served from here on; "mapped" comes once a
                # question would not wait for the graph and words index either.
                self.work_done_progress.report(
                    token, types.WorkDoneProgressReport(message="indexing for questions")
                )
            await core.questions_ready()
            if core.repo_map is not None:
                stats = core.repo_map.last_build
                self.log(
                    f"[coda] repo map of {core.root}: {stats.get('files', 0)} files "
                    f"in {stats.get('seconds', 0):.2f}s"
                )
            elif core.map_error:
                self.log(f"[coda] repo map failed: {core.map_error}", types.MessageType.Warning)
        except CodaError as exc:
            self.show_error(exc)
        finally:
            if token is not None:
                self.work_done_progress.end(token, types.WorkDoneProgressEnd(message="mapped"))

    async def begin_progress(self, token: str, begin: types.WorkDoneProgressBegin) -> str | None:
        """Create and begin a $/progress token; None when the client has no progress
        support or refuses it (the work goes on without)."""
        if not self.supports_progress():
            return None
        try:
            await asyncio.wait_for(self.work_done_progress.create_async(token), 5)
        except (TimeoutError, JsonRpcException, OSError) as exc:
            log.debug("no progress token: %r", exc)
            return None
        self.work_done_progress.begin(token, begin)
        return token

    def document_text(self, uri: str) -> tuple[str, int | None]:
        """The text the user sees (unsaved buffer wins over disk) and its version."""
        path = uri_to_path(uri)
        document = self.workspace.text_documents.get(uri)
        if document is not None:
            return document.source, document.version
        if not path.is_file():
            raise InvalidArguments(f"no such document: {uri}")
        data = path.read_bytes()
        return data.decode("utf-8", errors="replace"), None

    # -- messages to the user -------------------------------------------------------------

    def show_error(self, exc: CodaError) -> None:
        text = exc.message + (f"\nHint: {exc.hint}" if exc.hint else "")
        self.window_show_message(
            types.ShowMessageParams(type=types.MessageType.Error, message=f"Coda: {text}")
        )
        self.window_log_message(
            types.LogMessageParams(
                type=types.MessageType.Error, message=f"[coda] {type(exc).__name__}: {text}"
            )
        )

    def log(self, message: str, kind: types.MessageType = types.MessageType.Log) -> None:
        self.window_log_message(types.LogMessageParams(type=kind, message=message))

    def supports_progress(self) -> bool:
        window = self.client_capabilities.window
        return bool(window and window.work_done_progress)

    # -- running LLM requests -------------------------------------------------------------

    def new_request_id(self, given: str | None) -> str:
        request_id = given or uuid.uuid4().hex[:12]
        if request_id in self.running:
            raise InvalidArguments(f"request id {request_id!r} is already running")
        return request_id

    def track(self, running: RunningRequest) -> None:
        self.running[running.request_id] = running
        running.task.add_done_callback(lambda _: self.running.pop(running.request_id, None))

    def cancel(self, request_id: str) -> bool:
        running = self.running.get(request_id)
        if running is None or running.task.done():
            return False
        running.task.cancel()
        return True

    def on_request_cancelled(self, msg_id: Any) -> None:
        """$/cancelRequest for an executeCommand: stop the provider stream behind it."""
        for running in list(self.running.values()):
            if running.msg_id == msg_id:
                running.task.cancel()

    def on_progress_cancelled(self, token: Any) -> None:
        for running in list(self.running.values()):
            if running.token == token:
                running.task.cancel()

    def current_msg_id(self) -> Any:
        return self.protocol.msg_id

    # -- background work and documents ---------------------------------------------------

    def start_background_work(self) -> None:
        """After `initialized`: set up each workspace folder (the map builds in the
        background; nothing here blocks a request)."""
        from coda_ls.providers.warmup import warm_up

        warm_up(self.settings.settings)  # LiteLLM's import, if configured (#19)
        for root in self.roots():
            self.workspace_for(root)

    async def pull_configuration(self) -> dict[str, Any] | None:
        """workspace/configuration for section "coda", when the client supports it."""
        workspace = self.client_capabilities.workspace
        if not (workspace and workspace.configuration):
            return None
        try:
            result = await asyncio.wait_for(
                self.workspace_configuration_async(
                    types.ConfigurationParams(items=[types.ConfigurationItem(section="coda")])
                ),
                timeout=5,
            )
        except (TimeoutError, JsonRpcException, OSError) as exc:  # the client may not answer
            log.warning("workspace/configuration failed: %r", exc)
            return None
        first = result[0] if result else None
        return first if isinstance(first, dict) else None

    UPDATE_DELAY = 0.3  # seconds: re-tag after typing pauses, not on every keystroke

    def document_changed(self, uri: str, text: str | None) -> None:
        """Re-tag one file in the map (debounced); `text` None means read it from disk."""
        if not uri.startswith("file:"):
            return
        path = uri_to_path(uri)
        state = self.workspace_for(path)
        if not path.resolve().is_relative_to(state.root):
            return
        if text is not None and len(text) > self.settings.settings.repomap.max_file_bytes:
            return  # a huge buffer is not mapped, as a huge file is not
        pending = state.pending_updates.pop(path, None)
        if pending is not None:
            pending.cancel()
        loop = asyncio.get_running_loop()
        state.pending_updates[path] = loop.call_later(
            self.UPDATE_DELAY, lambda: asyncio.ensure_future(self._update_map(state, path, text))
        )

    async def _update_map(self, state: WorkspaceState, path: Path, text: str | None) -> None:
        state.pending_updates.pop(path, None)
        await state.core.map_ready.wait()
        try:
            await asyncio.to_thread(state.core.update_file, path, text)
        except CodaError as exc:
            log.warning("map update of %s failed: %s", path, exc)

    def document_removed(self, uri: str) -> None:
        if not uri.startswith("file:"):
            return
        path = uri_to_path(uri)
        self.workspace_for(path).core.remove_file(path)

    async def shutdown_state(self) -> None:
        for running in list(self.running.values()):
            running.task.cancel()
        for state in self.workspaces.values():
            if state.map_task is not None:
                state.map_task.cancel()
            await state.core.aclose()


def parse_args(model: type[A], args: tuple[Any, ...]) -> A:
    """Validate a command's argument object; errors become InvalidParams responses."""
    raw = first_argument(args)
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'argument'}: {e['msg']}" for e in exc.errors()
        )
        raise InvalidArguments(f"invalid arguments: {problems}") from None


def guarded(
    server: CodaServer, func: Callable[..., Awaitable[Any]]
) -> Callable[..., Awaitable[Any]]:
    """Wrap a command: Coda errors become LSP errors (+ showMessage); nothing escapes raw."""

    async def handler(ls: CodaServer, *args: Any) -> Any:
        try:
            return await func(ls, *args)
        except (CommandError, InvalidArguments):
            raise
        except ConfigError as exc:
            server.show_error(exc)
            raise CommandError.from_coda(exc) from None
        except CodaError as exc:
            server.show_error(exc)
            raise CommandError.from_coda(exc) from None
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # the server must survive any bug in one command
            log.exception("command failed")
            server.log(f"[coda] internal error: {exc!r}", types.MessageType.Error)
            raise CommandError(f"internal error: {exc}") from exc

    handler.__name__ = getattr(func, "__name__", "handler")
    return handler
