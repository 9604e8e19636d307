"""Context assembly: what the model sees for one request, fitted into its window.

Order: system prompt (mode) + project rules files (`coda_ls.rules`) + project summary
+ repo map (budgeted) + files and @mentions + the selection with surrounding code + history
+ the question. Everything is counted with `coda_ls.tokens`; history that does not fit is
reported so the engine can compact it into a summary (never silently dropped).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from coda_ls.attachments import is_attachable_file
from coda_ls.modes import Mode
from coda_ls.rules import DEFAULT_MAX_TOKENS, Rules, load_rules
from coda_ls.tokens import count_tokens
from coda_ls.wire import Message

log = logging.getLogger(__name__)

MENTION = re.compile(r"(?<![\w.])@([\w./\\-]+[\w])")
IDENT = re.compile(r"\b[A-Za-z_][A-Za-z0-9_]{2,}\b")
SURROUNDING_LINES = 15
MAX_FILE_CHARS = 60_000
MAX_SYMBOL_LINES = 120  # an @symbol brings its definition, up to this many lines
# What one attached image costs, roughly: llava's 576 patches, OpenAI's 765 for a 512px
# high-detail tile; providers differ, so this is an estimate for budgeting and previews.
IMAGE_TOKENS = 768


class RenderedMapLike(Protocol):
    @property
    def text(self) -> str: ...


class SymbolLike(Protocol):
    """A definition found by the repo map (`coda_ls.repomap.Tag`)."""

    @property
    def path(self) -> str: ...

    @property
    def qualname(self) -> str: ...

    @property
    def line(self) -> int: ...

    @property
    def end_line(self) -> int: ...

    @property
    def is_definition(self) -> bool: ...


class RepoMapLike(Protocol):
    """The part of `coda_ls.repomap.RepoMap` that context assembly uses."""

    def render(
        self,
        tokens: int | None = None,
        focus_files: Sequence[Path] = (),
        mentioned_files: Sequence[Path] = (),
        mentioned_idents: Sequence[str] = (),
        question: str | None = None,
    ) -> RenderedMapLike: ...

    def find_symbol(self, name: str) -> Sequence[SymbolLike]: ...


class KnowledgeLike(Protocol):
    """What context assembly uses of `coda_ls.knowledge.KnowledgeBase`."""

    def relevant(self, question: str, max_tokens: int) -> KnowledgeChoice: ...


class KnowledgeChoice(Protocol):
    @property
    def text(self) -> str: ...

    @property
    def sources(self) -> list[str]: ...


@dataclass
class CodeSelection:
    """A range of a file (1-based, inclusive); `buffer` is the unsaved text if any."""

    path: Path
    start_line: int = 1
    end_line: int | None = None
    buffer: str | None = None

    def file_text(self) -> str:
        return self.buffer if self.buffer is not None else read_text(self.path)

    def selected_text(self) -> str:
        lines = self.file_text().splitlines(keepends=True)
        end = self.end_line or len(lines)
        return "".join(lines[self.start_line - 1 : end])


@dataclass
class ContextStats:
    window: int
    reserved_output: int
    system_tokens: int = 0
    rules_tokens: int = 0  # part of system_tokens: the project rules files
    map_tokens: int = 0
    files_tokens: int = 0
    history_tokens: int = 0
    question_tokens: int = 0
    history_dropped: int = 0  # messages that did not fit (the engine compacts them)
    knowledge_tokens: int = 0
    knowledge_sources: list[str] = field(default_factory=list)  # "note.md § Heading"

    @property
    def total(self) -> int:
        return (
            self.system_tokens
            + self.map_tokens
            + self.knowledge_tokens
            + self.files_tokens
            + self.history_tokens
            + self.question_tokens
        )


@dataclass
class BuiltContext:
    messages: list[Message]
    stats: ContextStats
    mentioned_files: list[Path] = field(default_factory=list)
    rules: Rules | None = None  # which rules files went in, and what was cut


def read_text(path: Path) -> str:
    """A file as text; undecodable bytes are replaced rather than failing the request."""
    data = path.read_bytes()
    if b"\0" in data[:8192]:
        return f"[binary file, {len(data)} bytes, not shown]"
    return data.decode("utf-8", errors="replace")


def numbered(text: str, first_line: int = 1) -> str:
    lines = text.splitlines()
    width = len(str(first_line + len(lines)))
    return "\n".join(f"{n:>{width}} | {line}" for n, line in enumerate(lines, first_line))


def find_mentions(question: str, workspace: Path) -> tuple[list[Path], list[str]]:
    """`@path` mentions that name files inside the workspace, and the other @words."""
    files: list[Path] = []
    symbols: list[str] = []
    root = workspace.resolve()
    for raw in MENTION.findall(question):
        candidate = (root / raw).resolve()
        if candidate.is_file() and candidate.is_relative_to(root):
            files.append(candidate)
        else:
            symbols.append(raw)
    return files, symbols


def _fence(label: str, text: str, language: str = "") -> str:
    if len(text) > MAX_FILE_CHARS:
        text = text[:MAX_FILE_CHARS] + f"\n… [truncated, {len(text) - MAX_FILE_CHARS} chars]"
    return f"{label}\n```{language}\n{text}\n```"


def _language(path: Path) -> str:
    return {
        ".py": "python",
        ".js": "javascript",
        ".ts": "typescript",
        ".rs": "rust",
        ".go": "go",
        ".java": "java",
        ".c": "c",
        ".cpp": "cpp",
        ".rb": "ruby",
        ".sh": "bash",
        ".md": "markdown",
    }.get(path.suffix, "")


def relative(path: Path, workspace: Path) -> str:
    try:
        return path.resolve().relative_to(workspace.resolve()).as_posix()
    except ValueError:
        return str(path)


def selection_block(selection: CodeSelection, workspace: Path, with_numbers: bool) -> str:
    """The selection plus surrounding lines, numbered so answers can cite lines."""
    text = selection.file_text()
    lines = text.splitlines()
    end = min(selection.end_line or len(lines), len(lines)) or 1
    start = max(1, min(selection.start_line, end))
    before = max(1, start - SURROUNDING_LINES)
    after = min(len(lines), end + SURROUNDING_LINES)
    rel = relative(selection.path, workspace)
    body = "\n".join(lines[before - 1 : after])
    shown = numbered(body, before) if with_numbers else body
    label = f"File `{rel}`, selected lines {start}-{end} (with {SURROUNDING_LINES} lines around):"
    return _fence(label, shown, _language(selection.path))


class ContextBuilder:
    """Builds the messages for one request (pure: no I/O beyond reading files)."""

    def __init__(
        self,
        workspace: Path,
        *,
        repo_map: RepoMapLike | None = None,
        project_summary: str | None = None,
        map_tokens: int = 1024,
        rules: bool | Sequence[str] = False,
        rules_max_tokens: int = DEFAULT_MAX_TOKENS,
        knowledge: KnowledgeLike | None = None,
        knowledge_tokens: int = 0,
    ) -> None:
        self.workspace = workspace
        self.repo_map = repo_map
        self.project_summary = project_summary
        self.map_tokens = map_tokens
        self.rules = rules  # the `rules` setting: sources of the project rules block
        self.rules_max_tokens = rules_max_tokens
        self.knowledge = knowledge
        self.knowledge_tokens = knowledge_tokens

    def build(
        self,
        mode: Mode,
        question: str,
        *,
        history: Sequence[Message] = (),
        selection: CodeSelection | None = None,
        files: Sequence[Path] = (),
        attachments: Sequence[tuple[str, str]] = (),
        open_files: Sequence[Path] = (),
        window: int = 8192,
        reserved_output: int = 1024,
        images: int = 0,
    ) -> BuiltContext:
        stats = ContextStats(window=window, reserved_output=reserved_output)
        mentioned, symbols = find_mentions(question, self.workspace)
        with_numbers = mode.output in ("findings", "edits")

        system = mode.system_prompt
        # The file in question decides which nested AGENTS.md applies.
        named = [selection.path] if selection is not None else [*files, *mentioned]
        near = named[0] if named else None
        rules = load_rules(
            self.workspace, near, sources=self.rules, max_tokens=self.rules_max_tokens
        )
        if rules.text:
            system += f"\n\n{rules.text}"
            stats.rules_tokens = rules.tokens
        if self.project_summary:
            system += f"\n\nProject:\n{self.project_summary}"
        stats.system_tokens = count_tokens(system)

        parts: list[str] = []
        for path in [*files, *mentioned]:
            if is_attachable_file(path):  # images and PDFs: the engine attaches them
                continue
            try:
                text = read_text(path)
            except OSError as exc:
                parts.append(f"(could not read `{relative(path, self.workspace)}`: {exc.strerror})")
                continue
            shown = numbered(text) if with_numbers else text
            parts.append(
                _fence(f"File `{relative(path, self.workspace)}`:", shown, _language(path))
            )
        for symbol in symbols:
            parts.extend(self._symbol_blocks(symbol))
        for label, text in attachments:
            parts.append(_fence(f"{label}:", text))
        if selection is not None:
            parts.append(selection_block(selection, self.workspace, with_numbers))
        files_text = "\n\n".join(parts)
        stats.files_tokens = count_tokens(files_text) if files_text else 0
        # Images ride on the question; an estimate keeps room for them in the window.
        stats.files_tokens += images * IMAGE_TOKENS

        question_text = f"{files_text}\n\n{question}".strip() if files_text else question
        stats.question_tokens = count_tokens(question) + 8

        # What is left after the fixed parts goes to the map first, then history.
        budget = window - reserved_output - stats.system_tokens - stats.files_tokens
        budget -= stats.question_tokens
        if self.knowledge is not None and self.knowledge_tokens > 0 and budget > 256:
            knowledge_text = self._knowledge(question, min(self.knowledge_tokens, budget // 4))
            if knowledge_text:
                system += "\n\n" + knowledge_text[0]
                stats.knowledge_tokens = count_tokens(knowledge_text[0])
                stats.knowledge_sources = knowledge_text[1]
                budget -= stats.knowledge_tokens
        map_text = ""
        if self.repo_map is not None and budget > 256:
            map_budget = min(self.map_tokens, budget // 3)
            focus = [selection.path] if selection else []
            idents = IDENT.findall(question) + symbols
            try:
                rendered = self.repo_map.render(
                    tokens=map_budget,
                    focus_files=[*focus, *open_files],
                    mentioned_files=[*files, *mentioned],
                    mentioned_idents=idents,
                    question=question,  # its words, matched against the files
                )
                map_text = rendered.text
            except Exception:  # the map is an aid: a bug in it must not lose the question
                log.exception("repo map rendering failed; answering without the map")
                map_text = ""
            if map_text:
                stats.map_tokens = count_tokens(map_text)
                budget -= stats.map_tokens
        if map_text:
            system += (
                "\n\nRepository map (the most relevant files and symbols, ranked):\n" + map_text
            )

        kept: list[Message] = []
        for message in reversed(history):
            cost = count_tokens(message.content) + 4
            if cost > budget:
                break
            kept.append(message)
            budget -= cost
            stats.history_tokens += cost
        kept.reverse()
        # A leading summary message (compaction) must survive even when turns are dropped.
        stats.history_dropped = len(history) - len(kept)

        messages = [
            Message(role="system", content=system),
            *kept,
            Message(role="user", content=question_text),
        ]
        return BuiltContext(messages, stats, mentioned, rules)

    def _knowledge(self, question: str, tokens: int) -> tuple[str, list[str]] | None:
        """The knowledge passages for `question` within `tokens`, and their labels."""
        assert self.knowledge is not None
        try:
            chosen = self.knowledge.relevant(question, tokens)
        except Exception:  # notes are an aid: a broken index must not lose the question
            log.exception("knowledge search failed; answering without notes")
            return None
        return (chosen.text, chosen.sources) if chosen.text else None

    def _symbol_blocks(self, name: str) -> list[str]:
        """The source of each definition of `name` (an @symbol mention)."""
        if self.repo_map is None:
            return []
        blocks = []
        for tag in [t for t in self.repo_map.find_symbol(name) if t.is_definition][:3]:
            path = self.workspace / tag.path
            try:
                lines = read_text(path).splitlines()
            except OSError:
                continue
            end = min(tag.end_line, tag.line + MAX_SYMBOL_LINES - 1)
            body = "\n".join(lines[tag.line - 1 : end])
            label = f"Definition of `{tag.qualname}` in `{tag.path}` (lines {tag.line}-{end}):"
            blocks.append(_fence(label, numbered(body, tag.line), _language(path)))
        return blocks
