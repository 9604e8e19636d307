"""Between ACP's schema and Coda's core: prompts in, modes, commands, history and usage out."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlparse

from acp.schema import (
    AgentMessageChunk,
    AudioContentBlock,
    AvailableCommand,
    AvailableCommandInput,
    BlobResourceContents,
    ContentToolCallContent,
    EmbeddedResourceContentBlock,
    ImageContentBlock,
    ResourceContentBlock,
    SessionMode,
    SessionModeState,
    TextContentBlock,
    TextResourceContents,
    ToolCallStart,
    UnstructuredCommandInput,
    Usage,
    UserMessageChunk,
)

from coda_ls import attachments as attach
from coda_ls.acp.tools import tool_kind
from coda_ls.errors import AttachmentError
from coda_ls.modes import ASK_MODE_NAMES as MODE_NAMES
from coda_ls.modes import MODES

if TYPE_CHECKING:
    from coda_ls.prompts import Prompt as LibraryPrompt
    from coda_ls.sessions import MessageRecord
    from coda_ls.wire import Usage as CodaUsage

PromptBlock = (
    TextContentBlock
    | ImageContentBlock
    | AudioContentBlock
    | ResourceContentBlock
    | EmbeddedResourceContentBlock
)
Replayed = UserMessageChunk | AgentMessageChunk | ToolCallStart
INTERRUPTED_MARK = "\n\n[interrupted]"

# Slash commands beyond the modes: what the shell's /compact and /cost do.
COMMANDS: dict[str, str] = {
    "compact": "Summarize the older turns of this session to free the context window",
    "cost": "Tokens and cost of this session so far",
}


def mode_state(current: str) -> SessionModeState:
    """Coda's modes as ACP session modes."""
    return SessionModeState(
        current_mode_id=current,
        available_modes=[
            SessionMode(id=name, name=name.capitalize(), description=MODES[name].description)
            for name in MODE_NAMES
        ],
    )


def available_commands(prompts: Iterable[LibraryPrompt] = ()) -> list[AvailableCommand]:
    """One command per mode (this turn only, in that mode), /compact and /cost, then the
    prompt library's prompts (a name the built-ins use is left out)."""
    commands = [
        AvailableCommand(
            name=name,
            description=f"Ask in {name} mode: {MODES[name].description}",
            input=AvailableCommandInput(root=UnstructuredCommandInput(hint="what to ask")),
        )
        for name in MODE_NAMES
    ]
    commands += [AvailableCommand(name=name, description=text) for name, text in COMMANDS.items()]
    for prompt in prompts:
        if prompt.name in MODES or prompt.name in COMMANDS:
            continue
        hint = prompt.usage.removeprefix(f"/{prompt.name}").strip()
        if prompt.takes_selection:
            hint = (hint + " (with the code selected or attached)").strip()
        commands.append(
            AvailableCommand(
                name=prompt.name,
                description=prompt.summary,
                input=AvailableCommandInput(
                    root=UnstructuredCommandInput(hint=hint or "optional extra text")
                ),
            )
        )
    return commands


@dataclass
class Prompt:
    """A `session/prompt` as the engine takes it: the question, the files the client
    linked (inside the root), text it embedded, and a slash command if it starts one."""

    question: str
    files: list[Path] = field(default_factory=list)
    attachments: list[tuple[str, str]] = field(default_factory=list)
    attached: list[attach.Attachment] = field(default_factory=list)  # images, PDFs
    command: str | None = None
    ignored: list[str] = field(default_factory=list)


def _uri_path(uri: str) -> Path | None:
    parsed = urlparse(uri)
    if parsed.scheme not in ("file", ""):
        return None
    return Path(unquote(parsed.path)).resolve()


def _inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def read_prompt(
    blocks: list[PromptBlock], root: Path, prompt_names: Collection[str] = ()
) -> Prompt:
    """The prompt's text joined, resource links inside `root` as files, embedded text
    resources as attachments, images and embedded blobs (PDFs, images) as attached files
    (the engine checks the model reads images); audio, and blobs that cannot be attached,
    are named in `ignored`. A leading `/NAME` of a mode, a command or a library prompt
    (`prompt_names`) is the command."""
    texts: list[str] = []
    prompt = Prompt(question="")
    for block in blocks:
        if isinstance(block, TextContentBlock):
            texts.append(block.text)
        elif isinstance(block, ResourceContentBlock):
            path = _uri_path(block.uri)
            if path is not None and _inside(path, root) and path.is_file():
                prompt.files.append(path)
            else:
                texts.append(f"[{block.name}]({block.uri})")
        elif isinstance(block, EmbeddedResourceContentBlock):
            resource = block.resource
            if isinstance(resource, TextResourceContents):
                path = _uri_path(resource.uri)
                label = str(path.relative_to(root)) if path and _inside(path, root) else None
                prompt.attachments.append((label or resource.uri, resource.text))
            elif isinstance(resource, BlobResourceContents):
                path = _uri_path(resource.uri)
                _attach(prompt, path.name if path else resource.uri, resource.blob)
            else:
                prompt.ignored.append("a binary resource")
        elif isinstance(block, ImageContentBlock):
            path = _uri_path(block.uri) if block.uri else None
            name = path.name if path else f"image {len(prompt.attached) + 1}"
            _attach(prompt, name, block.data, image=True)
        else:
            prompt.ignored.append(block.type)
    question = "\n".join(texts).strip()
    if question.startswith("/"):
        name, _, rest = question[1:].partition(" ")
        if name in MODE_NAMES or name in COMMANDS or name in prompt_names:
            prompt.command = name
            question = rest.strip()
    prompt.question = question
    return prompt


def _attach(prompt: Prompt, name: str, data: str, *, image: bool = False) -> None:
    """Base64 data as an attached file; what cannot be attached is named in `ignored`
    with the reason (the turn goes on, and the notice tells the user)."""
    try:
        data_bytes = attach.decode_base64(name, data)
        kind: attach.Kind | None = "image" if image else None
        prompt.attached.append(attach.from_bytes(name, data_bytes, expect=kind))
    except AttachmentError as exc:
        prompt.ignored.append(f"{name} ({exc.message})")


def turn_usage(usage: CodaUsage) -> Usage:
    return Usage(
        total_tokens=usage.input_tokens + usage.output_tokens,
        input_tokens=usage.input_tokens,
        output_tokens=usage.output_tokens,
        cached_read_tokens=usage.cached_tokens or None,
    )


def replay(records: list[MessageRecord]) -> list[Replayed]:
    """A stored conversation as `session/update`s: the user's turns, the answers (an
    interrupted one marked so), and the tool calls with their results."""
    out: list[Replayed] = []
    for record in records:
        if record.role == "user" and record.content:
            out.append(
                UserMessageChunk(
                    session_update="user_message_chunk",
                    content=TextContentBlock(type="text", text=record.content),
                )
            )
        elif record.role == "assistant" and (record.content or record.status == "interrupted"):
            text = record.content + (INTERRUPTED_MARK if record.status == "interrupted" else "")
            out.append(
                AgentMessageChunk(
                    session_update="agent_message_chunk",
                    content=TextContentBlock(type="text", text=text),
                )
            )
        elif record.role == "tool":
            call = record.tool_calls[0] if record.tool_calls else {}
            name = str(call.get("name", "tool"))
            out.append(
                ToolCallStart(
                    session_update="tool_call",
                    tool_call_id=record.tool_call_id or f"replayed-{record.id}",
                    title=name,
                    kind=tool_kind(name),
                    status="failed" if record.error else "completed",
                    raw_input=call.get("arguments"),
                    content=[
                        ContentToolCallContent(
                            type="content",
                            content=TextContentBlock(type="text", text=record.content[:4000]),
                        )
                    ],
                )
            )
    return out
