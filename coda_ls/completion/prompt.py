"""What the model is shown: a window of the buffer around the cursor, and the context."""

from __future__ import annotations

from dataclasses import dataclass

from coda_ls.wire import Role

CHAT_SYSTEM = (
    "You are a code completion engine. Reply with only the code to insert at <CURSOR>: "
    "no explanation, no code fence, and nothing that is already before or after the cursor. "
    "Finish the current statement; write several lines only when a block is being started."
)


@dataclass(frozen=True, slots=True)
class FimPrompt:
    """The buffer before (`prefix`) and after (`suffix`) the cursor, cut to a window of
    whole lines, and the project `context` block that goes in front of the prefix."""

    path: str
    prefix: str
    suffix: str
    context: str = ""
    language: str | None = None
    first_line: int = 1  # 1-based line of the buffer where `prefix` starts
    cursor_line: int = 1

    @property
    def model_prefix(self) -> str:
        """The prefix as the model sees it: the context, then the buffer."""
        return self.context + self.prefix

    @property
    def shown_lines(self) -> tuple[int, int]:
        return self.first_line, self.cursor_line + self.suffix.count("\n")

    def chat_messages(self) -> list[tuple[Role, str]]:
        """(role, content) pairs for a chat model without FIM."""
        fence = "```" + (self.language or "")
        user = (
            (self.context + "\n" if self.context else "")
            + f"File: {self.path}\n{fence}\n{self.prefix}<CURSOR>{self.suffix}\n```\n"
            + "The code to insert at <CURSOR>:"
        )
        return [("system", CHAT_SYSTEM), ("user", user)]


def window(text: str, offset: int, prefix_chars: int, suffix_chars: int) -> tuple[str, str, int]:
    """(prefix, suffix, 1-based line where the prefix starts): at most `prefix_chars`
    before and `suffix_chars` after `offset`, cut at line boundaries when truncated."""
    start = max(0, offset - prefix_chars)
    if start > 0:
        newline = text.find("\n", start, offset)
        start = newline + 1 if newline >= 0 else start
    end = min(len(text), offset + suffix_chars)
    if end < len(text):
        newline = text.rfind("\n", offset, end)
        end = newline if newline >= 0 else end
    first_line = text.count("\n", 0, start) + 1
    return text[start:offset], text[offset:end], first_line
