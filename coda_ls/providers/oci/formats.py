"""The two OCI chat formats: building requests and reading replies.

Cohere models take `CohereChatRequest`: the last user turn as `message`, earlier turns as
`chat_history`, system prompts as `preamble_override`, tools as `CohereTool` (parameter
definitions) and tool results as `tool_results`. Every other vendor (Meta Llama, xAI
Grok, OpenAI, Google …) takes `GenericChatRequest`: OpenAI-like `messages` with content
parts, function tools and tool calls with JSON-string arguments.

Requests are built from the SDK's model classes (imported lazily, at call time); replies
are read from the SDK's objects (`chat`) or from the SSE events' JSON (`stream`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from coda_ls.errors import ProviderError
from coda_ls.providers.base import (
    ChatRequest,
    Chunk,
    Message,
    ToolCall,
    ToolSpec,
    Usage,
    parse_tool_arguments,
)
from coda_ls.providers.oci.models import friendly_name, is_cohere, vendor_of

NAME = "oci"
Range = tuple[float, float]

# -- parameters per model family ------------------------------------------------------


@dataclass(frozen=True)
class Family:
    """What a family of OCI models accepts: parameter -> allowed range (None: any)."""

    label: str
    accepts: dict[str, Range | None]


_PENALTY: Range = (-2.0, 2.0)
FAMILIES: dict[str, Family] = {
    "cohere": Family(
        "Cohere",
        {
            "temperature": (0.0, 1.0),
            "max_tokens": None,
            "top_p": (0.0, 1.0),
            "top_k": (0, 500),
            "frequency_penalty": (0.0, 1.0),
            "presence_penalty": (0.0, 1.0),
            "stop": None,
        },
    ),
    "meta": Family(
        "Meta Llama",
        {
            "temperature": (0.0, 2.0),
            "max_tokens": None,
            "top_p": (0.0, 1.0),
            "top_k": (-1, 10_000),
            "frequency_penalty": _PENALTY,
            "presence_penalty": _PENALTY,
            "stop": None,
        },
    ),
    "xai": Family(
        "xAI Grok",
        {
            "temperature": (0.0, 2.0),
            "max_tokens": None,
            "top_p": (0.0, 1.0),
            "frequency_penalty": _PENALTY,
            "presence_penalty": _PENALTY,
            "stop": None,
        },
    ),
    # Grok reasoning models reject penalties and stop sequences (xAI API reference).
    "xai-reasoning": Family(
        "xAI Grok reasoning",
        {"temperature": (0.0, 2.0), "max_tokens": None, "top_p": (0.0, 1.0)},
    ),
    "openai": Family(
        "OpenAI",
        {
            "temperature": (0.0, 2.0),
            "max_tokens": None,
            "top_p": (0.0, 1.0),
            "frequency_penalty": _PENALTY,
            "presence_penalty": _PENALTY,
            "stop": None,
        },
    ),
    "generic": Family(
        "generic",
        {
            "temperature": (0.0, 2.0),
            "max_tokens": None,
            "top_p": (0.0, 1.0),
            "top_k": (-1, 10_000),
            "frequency_penalty": _PENALTY,
            "presence_penalty": _PENALTY,
            "stop": None,
        },
    ),
}
PARAMETERS = (
    "temperature",
    "max_tokens",
    "top_p",
    "top_k",
    "frequency_penalty",
    "presence_penalty",
    "stop",
)


def family_of(model_id: str) -> Family:
    if is_cohere(model_id):
        return FAMILIES["cohere"]
    vendor = vendor_of(model_id)
    short = friendly_name(model_id)
    if vendor == "xai" or short.startswith("grok"):
        reasoning = short.startswith(("grok-3-mini", "grok-4", "grok-code"))
        return FAMILIES["xai-reasoning" if reasoning else "xai"]
    if vendor == "meta" or short.startswith("llama"):
        return FAMILIES["meta"]
    return FAMILIES.get(vendor, FAMILIES["generic"])


def check_parameters(request: ChatRequest, model_id: str) -> dict[str, Any]:
    """The request's set parameters, after checking the model family accepts them."""
    family = family_of(model_id)
    values: dict[str, Any] = {}
    for name in PARAMETERS:
        value = getattr(request, name)
        if value is None:
            continue
        if name not in family.accepts:
            raise ProviderError(
                f"{name} is not accepted by {family.label} models on OCI ({model_id})",
                f"remove it; {family.label} models accept: {', '.join(family.accepts)}",
                provider=NAME,
            )
        bounds = family.accepts[name]
        if bounds is not None and not bounds[0] <= value <= bounds[1]:
            raise ProviderError(
                f"{name}={value} is out of range for {family.label} models on OCI",
                f"use a value from {bounds[0]:g} to {bounds[1]:g}",
                provider=NAME,
            )
        values[name] = value
    return values


# -- requests -------------------------------------------------------------------------


def build_chat_details(
    request: ChatRequest, model_id: str, compartment_id: str, *, stream: bool
) -> Any:
    """An `oci.generative_ai_inference.models.ChatDetails` for the model's format."""
    from oci.generative_ai_inference import models as m

    params = check_parameters(request, model_id)
    if is_cohere(model_id):
        chat_request = _cohere_request(m, request, params, stream)
    else:
        chat_request = _generic_request(m, request, params, stream)
    serving = (
        m.DedicatedServingMode(endpoint_id=model_id)
        if model_id.startswith("ocid1.generativeaiendpoint")
        else m.OnDemandServingMode(model_id=model_id)
    )
    return m.ChatDetails(
        compartment_id=compartment_id, serving_mode=serving, chat_request=chat_request
    )


def _generic_request(m: Any, request: ChatRequest, params: dict[str, Any], stream: bool) -> Any:
    messages = [_generic_message(m, message) for message in request.messages]
    chat = m.GenericChatRequest(api_format="GENERIC", messages=messages, is_stream=stream, **params)
    if stream:
        chat.stream_options = m.StreamOptions(is_include_usage=True)
    if request.tools:
        chat.tools = [
            m.FunctionDefinition(
                type="FUNCTION",
                name=tool.name,
                description=tool.description,
                parameters=tool.parameters,
            )
            for tool in request.tools
        ]
    return chat


def _generic_message(m: Any, message: Message) -> Any:
    content = [m.TextContent(type="TEXT", text=message.content)] if message.content else None
    if message.role == "system":
        return m.SystemMessage(role="SYSTEM", content=content)
    if message.role == "user":
        parts = content or [m.TextContent(type="TEXT", text="")]
        # Images follow the text as IMAGE parts with a data URL (GenericChatRequest).
        parts += [
            m.ImageContent(type="IMAGE", image_url=m.ImageUrl(url=url)) for url in message.images
        ]
        return m.UserMessage(role="USER", content=parts)
    if message.role == "tool":
        return m.ToolMessage(role="TOOL", content=content, tool_call_id=message.tool_call_id)
    calls = [
        m.FunctionCall(
            type="FUNCTION", id=call.id, name=call.name, arguments=json.dumps(call.arguments)
        )
        for call in message.tool_calls
    ]
    return m.AssistantMessage(role="ASSISTANT", content=content, tool_calls=calls or None)


_COHERE_TYPES = {
    "string": "str",
    "integer": "int",
    "number": "float",
    "boolean": "bool",
    "array": "list",
    "object": "dict",
}


def cohere_tool(m: Any, tool: ToolSpec) -> Any:
    """A JSON-schema function as a Cohere tool (Cohere's v1 API has no nested schemas)."""
    properties = tool.parameters.get("properties") or {}
    required = set(tool.parameters.get("required") or [])
    definitions = {
        name: m.CohereParameterDefinition(
            type=_COHERE_TYPES.get(str(schema.get("type", "string")), "str"),
            description=str(schema.get("description", "")),
            is_required=name in required,
        )
        for name, schema in properties.items()
    }
    return m.CohereTool(
        name=tool.name,
        description=tool.description or tool.name,
        parameter_definitions=definitions or None,
    )


def _cohere_request(m: Any, request: ChatRequest, params: dict[str, Any], stream: bool) -> Any:
    if any(message.images for message in request.messages):
        # The engine refuses this first (OCI's Cohere models report no vision); a caller
        # that skipped the check must not have the images dropped silently.
        raise ProviderError(
            "Cohere models on OCI take no images in Coda's chat format",
            provider=NAME,
        )
    calls_by_id = {call.id: call for message in request.messages for call in message.tool_calls}
    preamble = "\n\n".join(msg.content for msg in request.messages if msg.role == "system")
    turns = [msg for msg in request.messages if msg.role != "system"]
    # The trailing tool results answer the last assistant turn: Cohere wants them as
    # `tool_results` of this request, with an empty message.
    trailing: list[Message] = []
    while turns and turns[-1].role == "tool":
        trailing.insert(0, turns.pop())
    message = ""
    if not trailing and turns and turns[-1].role == "user":
        message = turns.pop().content
    history = [_cohere_history(m, turn, calls_by_id) for turn in turns]
    chat = m.CohereChatRequest(
        api_format="COHERE",
        message=message,
        chat_history=history or None,
        preamble_override=preamble or None,
        is_stream=stream,
        max_tokens=params.get("max_tokens"),
        temperature=params.get("temperature"),
        top_p=params.get("top_p"),
        top_k=params.get("top_k"),
        frequency_penalty=params.get("frequency_penalty"),
        presence_penalty=params.get("presence_penalty"),
        stop_sequences=params.get("stop"),
    )
    if request.tools:
        chat.tools = [cohere_tool(m, tool) for tool in request.tools]
    if trailing:
        chat.tool_results = [_cohere_result(m, turn, calls_by_id) for turn in trailing]
    return chat


def _cohere_call(m: Any, call: ToolCall) -> Any:
    return m.CohereToolCall(name=call.name, parameters=call.arguments)


def _cohere_result(m: Any, message: Message, calls_by_id: dict[str, ToolCall]) -> Any:
    call = calls_by_id.get(message.tool_call_id or "") or ToolCall(name=message.name or "tool")
    try:
        output = json.loads(message.content)
    except json.JSONDecodeError:
        output = None
    outputs = [output if isinstance(output, dict) else {"result": message.content}]
    return m.CohereToolResult(call=_cohere_call(m, call), outputs=outputs)


def _cohere_history(m: Any, message: Message, calls_by_id: dict[str, ToolCall]) -> Any:
    if message.role == "user":
        return m.CohereUserMessage(role="USER", message=message.content)
    if message.role == "tool":
        return m.CohereToolMessage(
            role="TOOL", tool_results=[_cohere_result(m, message, calls_by_id)]
        )
    calls = [_cohere_call(m, call) for call in message.tool_calls]
    return m.CohereChatBotMessage(
        role="CHATBOT", message=message.content or None, tool_calls=calls or None
    )


# -- replies ---------------------------------------------------------------------------


def usage_from(raw: Any) -> Usage | None:
    """Usage from an SSE event dict (camelCase) or an SDK `Usage` object."""
    if raw is None:
        return None
    if isinstance(raw, dict):
        details = raw.get("promptTokensDetails") or {}
        return Usage(
            input_tokens=int(raw.get("promptTokens") or 0),
            output_tokens=int(raw.get("completionTokens") or 0),
            cached_tokens=int(details.get("cachedTokens") or 0),
        )
    details = getattr(raw, "prompt_tokens_details", None)
    return Usage(
        input_tokens=int(getattr(raw, "prompt_tokens", 0) or 0),
        output_tokens=int(getattr(raw, "completion_tokens", 0) or 0),
        cached_tokens=int(getattr(details, "cached_tokens", 0) or 0) if details else 0,
    )


def chunk_from_result(data: Any) -> Chunk:
    """The whole non-streamed reply (an SDK `ChatResult`) as one final chunk."""
    response = data.chat_response
    if str(getattr(response, "api_format", "")) == "COHERE":
        calls = [
            ToolCall(
                id=f"call_{i}", name=call.name, arguments=parse_tool_arguments(call.parameters)
            )
            for i, call in enumerate(getattr(response, "tool_calls", None) or [])
        ]
        return Chunk(
            delta=response.text or "",
            tool_calls=calls,
            finish_reason=_finish(response.finish_reason, bool(calls)),
            usage=usage_from(getattr(response, "usage", None)) or Usage(),
        )
    choice = (response.choices or [None])[0]
    text: list[str] = []
    calls = []
    finish = None
    if choice is not None:
        message = choice.message
        for part in getattr(message, "content", None) or []:
            if str(getattr(part, "type", "")) == "TEXT":
                text.append(part.text or "")
        for i, call in enumerate(getattr(message, "tool_calls", None) or []):
            calls.append(
                ToolCall(
                    id=str(getattr(call, "id", None) or f"call_{i}"),
                    name=str(getattr(call, "name", "")),
                    arguments=parse_tool_arguments(getattr(call, "arguments", None)),
                )
            )
        finish = choice.finish_reason
    return Chunk(
        delta="".join(text),
        tool_calls=calls,
        finish_reason=_finish(finish, bool(calls)),
        usage=usage_from(getattr(response, "usage", None)) or Usage(),
    )


_FINISH = {
    "COMPLETE": "stop",
    "MAX_TOKENS": "length",
    "stop": "stop",
    "length": "length",
    "tool_calls": "tool_calls",
}


def _finish(raw: Any, has_calls: bool) -> str:
    if has_calls:
        return "tool_calls"
    if raw is None:
        return "stop"
    return _FINISH.get(str(raw), str(raw).lower())


@dataclass
class StreamParser:
    """Turns SSE event payloads (JSON text) into chunks, for either format.

    Text comes as it arrives; the finish reason, tool calls (whose arguments may arrive
    in pieces) and usage (which may follow the finish event) are gathered, and `final()`
    gives them once the stream has ended."""

    calls: list[dict[str, Any]] = field(default_factory=list)
    usage: Usage | None = None
    finished: str | None = None
    text: list[str] = field(default_factory=list)

    def feed(self, data: str) -> Chunk | None:
        if not data.strip() or data.strip() == "[DONE]":
            return None
        try:
            event = json.loads(data)
        except json.JSONDecodeError as exc:
            raise ProviderError(
                f"OCI sent a stream event that is not JSON: {data[:200]!r}", provider=NAME
            ) from exc
        if not isinstance(event, dict):
            return None
        if event.get("usage") is not None:
            self.usage = usage_from(event["usage"])
        if event.get("apiFormat") == "COHERE":
            return self._cohere(event)
        return self._generic(event)

    def _cohere(self, event: dict[str, Any]) -> Chunk | None:
        for i, call in enumerate(event.get("toolCalls") or []):
            self.calls.append(
                {
                    "id": f"call_{i}",
                    "name": call.get("name", ""),
                    "arguments": call.get("parameters"),
                }
            )
        if event.get("finishReason") is not None:
            # The last Cohere event repeats the whole text: it is not a delta.
            self.finished = str(event["finishReason"])
            return None
        return self._text(str(event.get("text") or ""))

    def _generic(self, event: dict[str, Any]) -> Chunk | None:
        message = event.get("message") or {}
        pieces = [
            str(part.get("text") or "")
            for part in message.get("content") or []
            if str(part.get("type", "TEXT")) == "TEXT"
        ]
        for call in message.get("toolCalls") or []:
            self._merge_call(call)
        if event.get("finishReason") is not None:
            self.finished = str(event["finishReason"])
        return self._text("".join(pieces))

    def _merge_call(self, call: dict[str, Any]) -> None:
        call_id = call.get("id")
        same = next((c for c in self.calls if call_id and c["id"] == call_id), None)
        if same is None and not call_id and self.calls:
            same = self.calls[-1]  # a continuation piece carries no id
        if same is None:
            self.calls.append(
                {
                    "id": call_id or f"call_{len(self.calls)}",
                    "name": call.get("name") or "",
                    "arguments": call.get("arguments") or "",
                }
            )
            return
        same["name"] = same["name"] or call.get("name") or ""
        piece = call.get("arguments") or ""
        if isinstance(piece, str) and isinstance(same["arguments"], str):
            same["arguments"] += piece

    def _text(self, text: str) -> Chunk | None:
        if not text:
            return None
        self.text.append(text)
        return Chunk(delta=text)

    def final(self) -> Chunk:
        calls = [
            ToolCall(
                id=str(c["id"]), name=str(c["name"]), arguments=parse_tool_arguments(c["arguments"])
            )
            for c in self.calls
        ]
        return Chunk(
            tool_calls=calls,
            finish_reason=_finish(self.finished, bool(calls)),
            usage=self.usage or Usage(),
        )
