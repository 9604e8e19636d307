"""The completion use case through `Workspace.complete`, against the scripted server."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from coda_ls.completion import CompletionRequest
from coda_ls.config import load_settings
from coda_ls.workspace import Workspace
from tests.support.model_server import Reply, ScriptedModel, ScriptedModelServer

MODEL = "qwen2.5-coder:1.5b-base"
TEXT = "def area(w, h):\n    return \n"
AT = TEXT.index("return ") + len("return ")


def _workspace(root: Path, server: ScriptedModelServer, **completion: Any) -> Workspace:
    overrides = {
        "providers": {"ollama": {"host": server.url}},
        "completion": {"model": MODEL, **completion},
    }
    return Workspace(root, load_settings(cwd=root, overrides=overrides))


async def test_debounce_turns_a_burst_into_one_model_call(tmp_path: Path) -> None:
    with ScriptedModelServer(models=[ScriptedModel(MODEL)]) as server:
        server.script(Reply(text="w * h"))
        workspace = _workspace(tmp_path, server, debounce_ms=300)
        path = tmp_path / "a.py"
        typed = TEXT[: AT - 1] + TEXT[AT:]  # one keystroke earlier: "return" without space
        first = asyncio.ensure_future(
            workspace.complete(CompletionRequest("a", path, typed, AT - 1))
        )
        await asyncio.sleep(0.05)
        second = await workspace.complete(CompletionRequest("a", path, TEXT, AT))
        assert (await first).source == "superseded" and not (await first).items
        assert second.source == "model" and second.items == ["w * h"]
        assert len(server.generate_requests()) == 1  # the first never reached the model
        invoked = await workspace.complete(CompletionRequest("b", path, TEXT, AT - 1, invoked=True))
        assert invoked.timings["model_ms"] >= 0  # asked at once: no debounce when invoked
        await workspace.aclose()


async def test_a_model_error_is_a_coda_error(tmp_path: Path) -> None:
    with ScriptedModelServer(models=[ScriptedModel(MODEL)]) as server:
        workspace = _workspace(tmp_path, server, debounce_ms=0, model="missing:1b")
        from coda_ls.errors import ModelNotFoundError

        try:
            await workspace.complete(CompletionRequest("a", tmp_path / "a.py", TEXT, AT))
        except ModelNotFoundError as exc:
            assert "missing:1b" in exc.message
        else:
            raise AssertionError("no error")
        await workspace.aclose()


def test_reload_outside_an_event_loop(tmp_path: Path) -> None:
    """The CLI reloads settings without a loop: the completion provider is dropped quietly."""
    with ScriptedModelServer(models=[ScriptedModel(MODEL)]) as server:
        workspace = _workspace(tmp_path, server, debounce_ms=0)

        async def once() -> None:
            result = await workspace.complete(CompletionRequest("a", tmp_path / "a.py", TEXT, AT))
            assert result.source == "model"

        asyncio.run(once())
        workspace.reload(workspace.loaded)  # no running loop here
        assert workspace.completer._provider is None
