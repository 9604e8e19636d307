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
from pygls.lsp.server import LanguageServer

from coda_ls import __version__
from coda_ls.config import LoadedSettings, load_settings
from coda_ls.engine import Engine, project_summary
from coda_ls.errors import CodaError, ConfigError
from coda_ls.server.arguments import first_argument
from coda_ls.server.asker import LspAsker
from coda_ls.server.convert import uri_to_path
from coda_ls.server.errors import CommandError, InvalidArguments
from coda_ls.server.protocol import CodaProtocol
from coda_ls.server.state import RunningRequest, WorkspaceState
from coda_ls.structured import Finding

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
            state.apply_settings(loaded.settings)
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
            # Imported here: buffers needs commands, which imports this module.
            from coda_ls.server.buffers import ServerBuffers

            engine = Engine(self.settings.settings, root, store=self.store)
            state = WorkspaceState(
                root=root, engine=engine, asker=LspAsker(self), buffers=ServerBuffers(self)
            )
            state.apply_settings(self.settings.settings)
            self.workspaces[root] = state
            state.map_task = asyncio.ensure_future(self._prepare_workspace(state))
        return self.workspaces[root]

    async def _prepare_workspace(self, state: WorkspaceState) -> None:
        """Detect the project and build the repo map off the event loop, with progress."""
        from coda_ls.repomap.repomap import RepoMap

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

        try:
            if self.supports_progress():
                token = f"coda-map-{uuid.uuid4().hex[:8]}"
                try:
                    await asyncio.wait_for(self.work_done_progress.create_async(token), 5)
                    self.work_done_progress.begin(
                        token,
                        types.WorkDoneProgressBegin(
                            title=f"Coda: mapping {state.root.name}", percentage=0
                        ),
                    )
                except (TimeoutError, Exception):  # the client may refuse progress
                    token = None
            summary = await asyncio.to_thread(project_summary, state.root)
            state.engine.project_summary = summary
            repo_map = RepoMap(state.root, self.settings.settings.repomap)
            await asyncio.to_thread(repo_map.build, progress)
            state.repo_map = repo_map
            state.engine.repo_map = repo_map
            files = repo_map.last_build.get("files", 0)
            self.log(
                f"[coda] repo map of {state.root}: {files} files "
                f"in {repo_map.last_build.get('seconds', 0):.2f}s"
            )
        except CodaError as exc:
            self.show_error(exc)
        except Exception as exc:  # a broken map must not take the server down
            log.exception("repo map of %s failed", state.root)
            self.log(f"[coda] repo map failed: {exc!r}", types.MessageType.Warning)
        finally:
            state.map_ready.set()
            if token is not None:
                self.work_done_progress.end(token, types.WorkDoneProgressEnd(message="mapped"))

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
        try:
            return self.protocol._ctx_msg_id.get()
        except LookupError:
            return None

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
        except (TimeoutError, Exception) as exc:  # the client may not answer
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
        await state.map_ready.wait()
        if state.repo_map is None:
            return
        try:
            await asyncio.to_thread(state.repo_map.update, path, text)
        except CodaError as exc:
            log.warning("map update of %s failed: %s", path, exc)

    def document_removed(self, uri: str) -> None:
        if not uri.startswith("file:"):
            return
        path = uri_to_path(uri)
        state = self.workspace_for(path)
        if state.repo_map is not None:
            state.repo_map.remove(path)

    async def shutdown_state(self) -> None:
        for running in list(self.running.values()):
            running.task.cancel()
        for state in self.workspaces.values():
            if state.map_task is not None:
                state.map_task.cancel()
            await state.engine.aclose()


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
