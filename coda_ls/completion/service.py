"""The completion use case: a buffer and a cursor in, suggestions out.

One `Completer` per workspace. A request for a document supersedes the one still running
for it (its model call is cancelled: the HTTP connection closes, so the server stops
generating); a short debounce lets a burst of keystrokes cost one model call; a
suggestion the user is typing along is answered from the cache. The model is the
`[completion]` one, else a code model discovered in Ollama; none means no suggestions.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from coda_ls.completion import context as ctx
from coda_ls.completion.backends import Backend, ChatBackend, FimBackend
from coda_ls.completion.cache import SuggestionCache
from coda_ls.completion.formats import FORMATS, family_of, format_for
from coda_ls.completion.postprocess import clean
from coda_ls.completion.prompt import FimPrompt, window
from coda_ls.config import Settings
from coda_ls.errors import CodaError
from coda_ls.providers.textgen import TextGenerator

if TYPE_CHECKING:
    from coda_ls.providers.base import Provider
    from coda_ls.repomap.repomap import RepoMap

log = logging.getLogger(__name__)

IMPORTS_SCAN = 20_000  # characters at the top of a file searched for imports
DISCOVERY_TTL = 60.0  # seconds a discovery result (even "none") is reused


@dataclass(frozen=True, slots=True)
class CompletionRequest:
    """`text` is the buffer as the user sees it (unsaved), `offset` the cursor's index
    in it; `key` names the document (its URI) for superseding and the cache."""

    key: str
    path: Path
    text: str
    offset: int
    language: str | None = None
    invoked: bool = False  # asked for explicitly (a key): no debounce


@dataclass
class CompletionResult:
    """Suggestions to insert at the cursor, best first (empty: nothing to show)."""

    items: list[str]
    source: str  # "model", "cache", "off" (disabled / no model), "superseded"
    model: str | None = None
    backend: str | None = None
    prompt: FimPrompt | None = None
    timings: dict[str, float] = field(default_factory=dict)


class Completer:
    """Inline completion for one workspace root."""

    def __init__(
        self, settings: Settings, root: Path, repo_map: Callable[[], RepoMap | None]
    ) -> None:
        self.settings = settings
        self.root = root
        self._repo_map = repo_map
        self.cache = SuggestionCache()
        self.index = ctx.DefinitionIndex()
        self._inflight: dict[str, asyncio.Task[CompletionResult]] = {}
        self._backend: Backend | None = None
        self._provider: Provider | None = None
        self._discovered: tuple[float, str | None] | None = None
        self._closing: set[asyncio.Future[None]] = set()

    def update_settings(self, settings: Settings) -> None:
        self.settings = settings
        self._drop_backend()
        self._discovered = None

    def _drop_backend(self) -> None:
        provider, self._provider, self._backend = self._provider, None, None
        if provider is None:
            return
        closing = provider.aclose()
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            closing.close()  # no loop (a CLI reload): nothing was connected in one
            return
        task = asyncio.ensure_future(closing)
        self._closing.add(task)
        task.add_done_callback(self._closing.discard)

    # -- the use case -------------------------------------------------------------------

    async def complete(self, request: CompletionRequest) -> CompletionResult:
        """Suggestions for the cursor; a newer request for the same document cancels
        this one (then the result is empty, source "superseded")."""
        if not self.settings.completion.enabled_for(request.language):
            return CompletionResult([], "off")
        prefix_full = request.text[: request.offset]
        suffix_full = request.text[request.offset :]
        cached = self.cache.get(request.key, prefix_full, suffix_full)
        previous = self._inflight.pop(request.key, None)
        if previous is not None and not previous.done():
            previous.cancel()
        if cached is not None:
            return CompletionResult(_variants(cached), "cache")
        task = asyncio.ensure_future(self._run(request, prefix_full, suffix_full))
        self._inflight[request.key] = task
        try:
            return await task
        except asyncio.CancelledError:
            current = asyncio.current_task()
            if current is not None and current.cancelling():
                raise  # this request itself was cancelled ($/cancelRequest)
            return CompletionResult([], "superseded")
        finally:
            if self._inflight.get(request.key) is task:
                del self._inflight[request.key]

    async def _run(
        self, request: CompletionRequest, prefix_full: str, suffix_full: str
    ) -> CompletionResult:
        settings = self.settings.completion
        if settings.debounce_ms and not request.invoked:
            await asyncio.sleep(settings.debounce_ms / 1000)
        backend = await self.backend()
        if backend is None:
            return CompletionResult([], "off")
        started = time.perf_counter()
        prompt = self.prompt(request)
        built = time.perf_counter()
        raw = await backend.complete(prompt, settings.max_tokens, settings.temperature)
        answered = time.perf_counter()
        text = clean(
            raw.text, prompt.prefix, prompt.suffix, stops=raw.stops, from_chat=raw.from_chat
        )
        self.cache.put(request.key, prefix_full, suffix_full, text)
        timings = {
            "prompt_ms": (built - started) * 1000,
            "model_ms": (answered - built) * 1000,
            "post_ms": (time.perf_counter() - answered) * 1000,
        }
        return CompletionResult(
            _variants(text), "model", backend.model, backend.kind, prompt, timings
        )

    # -- the prompt ---------------------------------------------------------------------

    def prompt(self, request: CompletionRequest) -> FimPrompt:
        """The buffer window around the cursor and the repo-map context for it."""
        settings = self.settings.completion
        prefix, suffix, first_line = window(
            request.text, request.offset, settings.prefix_chars, settings.suffix_chars
        )
        cursor_line = first_line + prefix.count("\n")
        rel = self._relative(request.path)
        context = ctx.EMPTY
        repo_map = self._repo_map()
        if repo_map is not None and settings.context_tokens > 0:
            self.index.refresh((id(repo_map), repo_map.generation), repo_map.file_tags)
            context = ctx.gather(
                self.index,
                rel,
                prefix,
                suffix,
                cursor_line=cursor_line,
                shown_lines=(first_line, cursor_line + suffix.count("\n")),
                budget=settings.context_tokens,
                imported=ctx.imported_names(request.text[:IMPORTS_SCAN]),
            )
        return FimPrompt(
            path=rel,
            prefix=prefix,
            suffix=suffix,
            context=context.text,
            language=request.language,
            first_line=first_line,
            cursor_line=cursor_line,
        )

    def _relative(self, path: Path) -> str:
        try:
            return path.resolve().relative_to(self.root).as_posix()
        except ValueError:
            return path.name

    # -- the model ----------------------------------------------------------------------

    def provider_name(self) -> str:
        return self.settings.completion.provider or self.settings.provider or "ollama"

    async def model(self) -> str | None:
        """The completion model: configured, or discovered in Ollama (cached)."""
        settings = self.settings.completion
        if settings.model:
            return settings.model
        if not settings.discover or self.provider_name() != "ollama":
            return None
        now = time.monotonic()
        if self._discovered is not None and now - self._discovered[0] < DISCOVERY_TTL:
            return self._discovered[1]
        found: str | None = None
        provider = self._get_provider()
        try:
            names = [info.name for info in await provider.list_models()]
        except CodaError as exc:
            log.info("no completion model discovered: %s", exc.message)
            names = []
        found = pick_fim_model(names)
        if found:
            log.info("inline completion uses %s (discovered)", found)
        self._discovered = (now, found)
        return found

    def _get_provider(self) -> Provider:
        if self._provider is None:
            from coda_ls.providers.registry import create_provider

            self._provider = create_provider(self.provider_name(), self.settings)
        return self._provider

    async def backend(self) -> Backend | None:
        """The backend for the completion model (None: completion is off)."""
        model = await self.model()
        if model is None:
            return None
        if self._backend is not None and self._backend.model == model:
            return self._backend
        settings = self.settings.completion
        provider = self._get_provider()
        if settings.format == "chat" or not isinstance(provider, TextGenerator):
            self._backend = ChatBackend(provider, model, settings.timeout)
        else:
            override = settings.format if settings.format in FORMATS else None
            fmt = None if settings.format == "suffix" else format_for(model, override)
            self._backend = FimBackend(provider, model, fmt, settings.timeout)
        return self._backend

    async def aclose(self) -> None:
        for task in self._inflight.values():
            task.cancel()
        if self._provider is not None:
            await self._provider.aclose()
            self._provider = None


def pick_fim_model(names: list[str]) -> str | None:
    """A FIM-capable code model among `names`: base models first (instruct ones follow
    FIM worse), then the smallest-sounding (completion must be quick)."""
    candidates = [name for name in names if family_of(name)]
    if not candidates:
        return None

    def rank(name: str) -> tuple[bool, bool, str]:
        lower = name.lower()
        return ("instruct" in lower or "chat" in lower, "base" not in lower, lower)

    return sorted(candidates, key=rank)[0]


def _variants(text: str) -> list[str]:
    """The suggestion, and its first line alone when it has several (for "next")."""
    if not text:
        return []
    first = text.split("\n", 1)[0]
    return [text, first] if "\n" in text and first.strip() else [text]
