"""Fill-in-the-middle prompt formats, one per model family.

Base code models are trained with sentinel tokens around the prefix and the suffix; the
model writes the middle after the last sentinel and stops at its end-of-text token. Sent
with Ollama's `raw: true` (or as a plain `/v1/completions` prompt) the format must be the
family's own; a model of unknown family gets the server's `suffix` parameter instead (the
server applies the model's template) or, for a chat model, the chat fallback.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class FimFormat:
    """One family's sentinels. `template` has {prefix} and {suffix} placeholders."""

    family: str
    template: str
    stop: tuple[str, ...]

    def render(self, prefix: str, suffix: str) -> str:
        # str.format would choke on braces in code: replace the two placeholders only.
        head, _, rest = self.template.partition("{prefix}")
        if "{suffix}" in head:  # suffix-first formats (Codestral)
            before, _, after = head.partition("{suffix}")
            return before + suffix + after + prefix + rest
        middle, _, tail = rest.partition("{suffix}")
        return head + prefix + middle + suffix + tail


FORMATS: dict[str, FimFormat] = {
    "qwen": FimFormat(
        "qwen",
        "<|fim_prefix|>{prefix}<|fim_suffix|>{suffix}<|fim_middle|>",
        ("<|endoftext|>", "<|fim_pad|>", "<|repo_name|>", "<|file_sep|>", "<|im_start|>"),
    ),
    "starcoder": FimFormat(
        "starcoder",
        "<fim_prefix>{prefix}<fim_suffix>{suffix}<fim_middle>",
        ("<|endoftext|>", "<file_sep>", "<fim_prefix>", "<fim_suffix>", "<fim_middle>"),
    ),
    "codellama": FimFormat("codellama", "<PRE> {prefix} <SUF>{suffix} <MID>", ("<EOT>", "<END>")),
    "deepseek": FimFormat(
        "deepseek",
        "<｜fim▁begin｜>{prefix}<｜fim▁hole｜>{suffix}<｜fim▁end｜>",
        ("<｜end▁of▁sentence｜>", "<｜fim▁begin｜>", "<｜fim▁hole｜>", "<｜fim▁end｜>", "<|EOT|>"),
    ),
    "codestral": FimFormat("codestral", "[SUFFIX]{suffix}[PREFIX]{prefix}", ("</s>", "[PREFIX]")),
}

# Model name patterns, most specific first (`deepseek-coder` before a generic `coder`).
_FAMILIES: tuple[tuple[str, str], ...] = (
    (r"qwen2?\.?5?-?coder|qwen3-coder|codeqwen", "qwen"),
    (r"starcoder|stable-?code", "starcoder"),
    (r"code-?llama", "codellama"),
    (r"deepseek-coder", "deepseek"),
    (r"codestral|mistral.*fim", "codestral"),
)


def family_of(model: str) -> str | None:
    """The FIM family of a model name (`qwen2.5-coder:1.5b-base` -> "qwen"), or None."""
    name = model.lower().rsplit("/", 1)[-1]
    for pattern, family in _FAMILIES:
        if re.search(pattern, name):
            return family
    return None


def format_for(model: str, override: str | None = None) -> FimFormat | None:
    """The format to send `model` raw, or None (use the server's `suffix` parameter)."""
    if override and override in FORMATS:
        return FORMATS[override]
    family = family_of(model)
    return FORMATS[family] if family else None


def all_stop_tokens() -> set[str]:
    """Every family's sentinels: none of them may ever reach the buffer."""
    return {token for fmt in FORMATS.values() for token in fmt.stop} | {
        "<|fim_prefix|>", "<|fim_suffix|>", "<|fim_middle|>", "<PRE>", "<SUF>", "<MID>",
        "[SUFFIX]", "[MIDDLE]",
    }  # fmt: skip
