"""A prompt-library command in an ACP prompt: `/NAME args` becomes the prompt's text."""

from __future__ import annotations

import shlex
from typing import TYPE_CHECKING

from coda_ls.prompts import split_arguments

if TYPE_CHECKING:
    from coda_ls.acp.convert import Prompt as AcpPrompt
    from coda_ls.prompts import Prompt


def fill_library_prompt(parsed: AcpPrompt, prompt: Prompt) -> str | None:
    """Fill `prompt` from the words after `/NAME` (in `parsed.question`); the code the
    client attached (embedded resources) is `{{selection}}`. Changes `parsed` in place
    and returns the mode to answer in (None: the session's)."""
    try:
        words = shlex.split(parsed.question)
    except ValueError:  # an unbalanced quote: the words as typed
        words = parsed.question.split()
    selection = None
    if prompt.takes_selection and parsed.attachments:
        selection = "\n\n".join(text for _, text in parsed.attachments)
        parsed.attachments = []  # it is in the prompt now, not sent twice
    positional, named = split_arguments(prompt, words)
    parsed.question = prompt.fill(positional, named, selection)
    parsed.command = None
    return prompt.mode
