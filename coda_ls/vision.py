"""Whether a model reads images, known before anything is sent.

The answer comes from, in order:

1. the user's `[vision]` settings table: model name (or glob) -> true/false, for models
   that Coda judges wrongly (`"my-finetune-*" = true`);
2. the provider's own metadata (`ModelInfo.supports_vision`): Ollama's `/api/show`
   capabilities (`vision`), an OpenAI-compatible server's model listing where it gives
   input modalities (OpenRouter's `architecture.input_modalities`), LiteLLM's
   `supports_vision`, OCI's `IMAGE_TEXT_TO_TEXT` capability (Cohere's chat API on OCI
   takes no images);
3. `KNOWN_VISION`: name patterns of well-known vision models, for servers that say
   nothing (plain OpenAI-compatible servers, older Ollama).

A model none of these vouch for is refused with `ImagesNotSupported` before the request
is sent: the user learns which model, and what to do, instead of a model that silently
ignores the picture and guesses.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping

from coda_ls.errors import ImagesNotSupported
from coda_ls.wire import ModelInfo

# Lowercase glob patterns matched against the model name without its provider prefix
# (`openai/gpt-4o` -> `gpt-4o`; Ollama tags such as `:7b` are kept, hence the `*`).
KNOWN_VISION: tuple[str, ...] = (
    # Ollama library / open models
    "llava*",
    "bakllava*",
    "llama3.2-vision*",
    "llama4*",
    "llama-4*",
    "llama-3.2-*vision*",
    "*llama-3.2-*-vision*",
    "qwen2.5vl*",
    "qwen2.5-vl*",
    "qwen2-vl*",
    "qwen-vl*",
    "qwen3-vl*",
    "minicpm-v*",
    "moondream*",
    "granite3.2-vision*",
    "gemma3:*b*",
    "gemma3",
    "mistral-small3.1*",
    "mistral-small3.2*",
    "pixtral*",
    # Hosted APIs
    "gpt-4o*",
    "gpt-4.1*",
    "gpt-4-turbo*",
    "gpt-5*",
    "o1",
    "o3*",
    "o4-mini*",
    "claude-3*",
    "claude-*-4*",
    "claude-sonnet-4*",
    "claude-opus-4*",
    "gemini*",
    "grok-2-vision*",
    "grok-4*",
    "xai.grok-4*",
    "meta.llama-3.2-*-vision*",
    "meta.llama-4*",
    "google.gemini*",
    "openai.gpt-4o*",
    "openai.gpt-4.1*",
    "openai.gpt-5*",
)

SUGGESTED = "llava, llama3.2-vision or qwen2.5vl on Ollama; gpt-4o or a Gemini model hosted"


def _bare(model: str) -> str:
    name = model.lower()
    # Provider prefixes (`openai/gpt-4o`, `openrouter/google/gemini-2.5`): the last part.
    return name.rsplit("/", 1)[-1]


def _matches(model: str, patterns: Mapping[str, bool] | tuple[str, ...]) -> bool | None:
    full, bare = model.lower(), _bare(model)
    if isinstance(patterns, Mapping):
        for pattern, value in patterns.items():
            if fnmatch.fnmatchcase(full, pattern.lower()) or fnmatch.fnmatchcase(
                bare, pattern.lower()
            ):
                return value
        return None
    return True if any(fnmatch.fnmatchcase(bare, p) for p in patterns) else None


def supports_images(
    model: str, info: ModelInfo | None, overrides: Mapping[str, bool] | None = None
) -> tuple[bool, str]:
    """(reads images?, how Coda knows) for `model`."""
    override = _matches(model, overrides or {})
    if override is not None:
        return override, "your [vision] setting"
    if info is not None and info.supports_vision is not None:
        return info.supports_vision, f"{info.provider}'s model metadata"
    if _matches(model, KNOWN_VISION):
        return True, "Coda's table of known vision models"
    return False, "neither the provider's metadata nor Coda's table of vision models"


def check_images(
    provider: str,
    model: str,
    info: ModelInfo | None,
    image_names: list[str],
    overrides: Mapping[str, bool] | None = None,
) -> None:
    """Raise `ImagesNotSupported` when images are attached for a text-only model."""
    if not image_names:
        return
    ok, source = supports_images(model, info, overrides)
    if ok:
        return
    files = ", ".join(image_names)
    raise ImagesNotSupported(
        f"{provider}/{model} does not accept images (per {source}), so the question with "
        f"{files} was not sent",
        f"use a vision model (--model {SUGGESTED}); if {model} does read images, say so "
        f'in the config: [vision] "{model}" = true; or describe the image in text',
    )


# The code-screenshot instructions: added to the system prompt of these modes when the
# question carries an image (a picture of an error, a stack trace or some code).
SCREENSHOT_PROMPTS: dict[str, str] = {
    "explain": (
        "The user attached an image, probably a screenshot of code, a diagram or a "
        "terminal. First transcribe the code or text you can read in it (say where it is "
        "illegible rather than guessing), then explain it as you would the selected code, "
        "tying it to this repository's files where they match."
    ),
    "debug": (
        "The user attached an image, probably a screenshot of an error: a stack trace, a "
        "failing test, a terminal or a broken UI. Read the exact error message, exception "
        "type, file names and line numbers from it (quote them), say where the image is "
        "illegible, then find the likely cause in this repository's code and propose a "
        "fix."
    ),
}
DEFAULT_IMAGE_PROMPT = (
    "The user attached image(s); read any text or code in them exactly before answering, "
    "and say where they are illegible."
)


def image_instructions(mode: str) -> str:
    """What the system prompt gains when the question carries images."""
    return SCREENSHOT_PROMPTS.get(mode, DEFAULT_IMAGE_PROMPT)
