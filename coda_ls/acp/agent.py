"""The ACP agent: each protocol method checks the state it needs and hands the work to a
session (`AcpSession`) or the session store.

State a method needs and does not have is a JSON-RPC error naming what to do: anything
before `initialize` (-32600), an unknown session id (-32602), a prompt while one runs.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from acp import PROTOCOL_VERSION, RequestError
from acp.schema import (
    AgentCapabilities,
    ClientCapabilities,
    Implementation,
    InitializeResponse,
    ListSessionsResponse,
    LoadSessionResponse,
    McpCapabilities,
    NewSessionResponse,
    PromptCapabilities,
    PromptResponse,
    SessionCapabilities,
    SessionInfo,
    SessionListCapabilities,
    SetSessionModeResponse,
)

from coda_ls import __version__
from coda_ls.acp.convert import PromptBlock, mode_state
from coda_ls.acp.session import AcpSession, coda_error, mcp_overrides
from coda_ls.config import load_settings
from coda_ls.errors import CodaError, SessionNotFound
from coda_ls.sessions import SessionStore, default_db_path
from coda_ls.workspace import project_root

if TYPE_CHECKING:
    from acp.interfaces import Client

    from coda_ls.config import LoadedSettings

log = logging.getLogger(__name__)

LIST_PAGE = 50


def _not_initialized() -> RequestError:
    return RequestError.invalid_request(
        {"message": "the agent is not initialized: send `initialize` first"}
    )


def _unknown_session(session_id: str) -> RequestError:
    return RequestError.invalid_params(
        {
            "sessionId": session_id,
            "message": f"no session {session_id!r} in this connection: "
            "create one with session/new or open it with session/load",
        }
    )


class CodaAgent:
    """Coda over the Agent Client Protocol (one instance per connection)."""

    def __init__(self, cwd: Path) -> None:
        self.cwd = cwd.resolve()
        self.client: Client | None = None
        self.capabilities: ClientCapabilities | None = None
        self.sessions: dict[str, AcpSession] = {}
        self._stores: dict[Path, SessionStore] = {}
        self._created: set[str] = set()

    def on_connect(self, conn: Client) -> None:
        self.client = conn

    # -- state ----------------------------------------------------------------------------

    def _ready(self) -> Client:
        if self.capabilities is None or self.client is None:
            raise _not_initialized()
        return self.client

    def _session(self, session_id: str) -> AcpSession:
        self._ready()
        session = self.sessions.get(session_id)
        if session is None:
            raise _unknown_session(session_id)
        return session

    def _store(self, loaded: LoadedSettings) -> SessionStore:
        path = default_db_path(loaded.settings).resolve()
        if path not in self._stores:
            # One store per database, shared by the sessions (opening it recovers replies
            # a killed process left streaming).
            self._stores[path] = SessionStore(path)
        return self._stores[path]

    def _settings(
        self, cwd: str, servers: list[Any] | None
    ) -> tuple[Path, LoadedSettings, list[str]]:
        folder = Path(cwd)
        if not folder.is_absolute() or not folder.is_dir():
            raise RequestError.invalid_params(
                {"cwd": cwd, "message": "cwd must be an absolute path to an existing directory"}
            )
        overrides, problems = mcp_overrides(servers)
        try:
            loaded = load_settings(cwd=folder, overrides=overrides, override_label="ACP client")
        except CodaError as exc:
            raise coda_error(exc) from None
        return project_root(folder), loaded, problems

    async def _open(
        self,
        session_id: str,
        root: Path,
        loaded: LoadedSettings,
        store: SessionStore,
        *,
        new: bool,
    ) -> AcpSession:
        client = self._ready()
        assert self.capabilities is not None
        old = self.sessions.pop(session_id, None)
        if old is not None:
            await old.aclose()
        session = AcpSession(client, session_id, root, loaded, store, self.capabilities)
        self.sessions[session_id] = session
        session.start(announce=new)
        return session

    # -- ACP methods ----------------------------------------------------------------------

    async def initialize(
        self,
        protocol_version: int,
        client_capabilities: ClientCapabilities | None = None,
        client_info: Implementation | None = None,
        **_: Any,
    ) -> InitializeResponse:
        self.capabilities = client_capabilities or ClientCapabilities()
        if client_info is not None:
            log.info("ACP client: %s %s", client_info.name, client_info.version)
        return InitializeResponse(
            protocol_version=min(protocol_version, PROTOCOL_VERSION),
            agent_capabilities=AgentCapabilities(
                load_session=True,
                prompt_capabilities=PromptCapabilities(
                    image=True, audio=False, embedded_context=True
                ),
                mcp_capabilities=McpCapabilities(http=True, sse=False),
                session_capabilities=SessionCapabilities(list=SessionListCapabilities()),
            ),
            agent_info=Implementation(name="coda", title="Coda", version=__version__),
            auth_methods=[],
        )

    async def authenticate(self, method_id: str, **_: Any) -> None:
        self._ready()
        raise RequestError.invalid_params(
            {"message": "Coda needs no authentication here: providers are set up in its config"}
        )

    async def new_session(
        self,
        cwd: str,
        additional_directories: list[str] | None = None,
        mcp_servers: list[Any] | None = None,
        **_: Any,
    ) -> NewSessionResponse:
        self._ready()
        root, loaded, problems = self._settings(cwd, mcp_servers)
        store = self._store(loaded)
        stored = store.create_session(title=None, project_root=str(root))
        self._created.add(stored.id)
        session = await self._open(stored.id, root, loaded, store, new=True)
        for line in problems:
            log.warning("%s", line)
        return NewSessionResponse(session_id=stored.id, modes=mode_state(session.mode))

    async def load_session(
        self,
        cwd: str,
        session_id: str,
        mcp_servers: list[Any] | None = None,
        additional_directories: list[str] | None = None,
        **_: Any,
    ) -> LoadSessionResponse:
        self._ready()
        root, loaded, _problems = self._settings(cwd, mcp_servers)
        store = self._store(loaded)
        try:
            full_id = store.get_session(session_id).id
        except SessionNotFound as exc:
            raise RequestError.invalid_params(
                {"sessionId": session_id, "message": exc.message, "hint": exc.hint}
            ) from None
        session = await self._open(full_id, root, loaded, store, new=False)
        # The client knows this id already: history and commands come before the answer.
        await session.replay()
        await session.announce()
        return LoadSessionResponse(modes=mode_state(session.mode))

    async def list_sessions(
        self, cwd: str | None = None, cursor: str | None = None, **_: Any
    ) -> ListSessionsResponse:
        self._ready()
        _root, loaded, _problems = self._settings(cwd or str(self.cwd), None)
        store = self._store(loaded)
        root = project_root(Path(cwd)) if cwd else None
        offset = int(cursor) if cursor and cursor.isdigit() else 0
        listed = store.list_sessions(limit=None, project_root=root)
        page = [s for s in listed if s.message_count > 0 or s.id in self.sessions]
        chunk = page[offset : offset + LIST_PAGE]
        more = offset + LIST_PAGE < len(page)
        return ListSessionsResponse(
            sessions=[
                SessionInfo(
                    session_id=s.id,
                    cwd=s.project_root or str(self.cwd),
                    title=s.title,
                    updated_at=datetime.fromtimestamp(s.updated_at, UTC).isoformat(),
                )
                for s in chunk
            ],
            next_cursor=str(offset + LIST_PAGE) if more else None,
        )

    async def set_session_mode(
        self, session_id: str, mode_id: str, **_: Any
    ) -> SetSessionModeResponse:
        await self._session(session_id).set_mode(mode_id)
        return SetSessionModeResponse()

    async def prompt(self, session_id: str, prompt: list[PromptBlock], **_: Any) -> PromptResponse:
        return await self._session(session_id).prompt(prompt)

    async def cancel(self, session_id: str, **_: Any) -> None:
        session = self.sessions.get(session_id)
        if session is not None:
            session.cancel()

    # -- end --------------------------------------------------------------------------------

    async def aclose(self) -> None:
        """Close every session; sessions created here that never got a message are
        deleted, so `coda sessions` does not list empty conversations."""
        for session in list(self.sessions.values()):
            try:
                await session.aclose()
            except (CodaError, OSError) as exc:
                log.warning("closing session %s: %r", session.id, exc)
        self.sessions.clear()
        for store in self._stores.values():
            for session_id in self._created:
                try:
                    if store.get_session(session_id).message_count == 0:
                        store.delete_session(session_id)
                except SessionNotFound:
                    continue
            store.close()
        self._stores.clear()
