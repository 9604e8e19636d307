"""The assistant's modes: each has its own system prompt and output shape."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Output = Literal["markdown", "findings", "edits", "tests"]

_BASE = (
    "You are Coda, an expert software engineer working inside the user's project. "
    "Be precise and concise; ground every statement in the code you are shown; say so "
    "when you are unsure. Use Markdown with fenced code blocks tagged with the language."
)


@dataclass(frozen=True)
class Mode:
    name: str
    description: str
    instructions: str
    output: Output = "markdown"
    temperature: float | None = None

    @property
    def system_prompt(self) -> str:
        return f"{_BASE}\n\n{self.instructions}"


REVIEW_FORMAT = """Answer with JSON only, no prose around it, in this shape:
{"summary": "one paragraph",
 "findings": [{"file": "path/as/given", "start_line": 12, "end_line": 14,
               "severity": "error" | "warning" | "info" | "hint",
               "message": "what is wrong and why it matters",
               "suggestion": "the replacement text for those lines, or null"}]}
Line numbers are 1-based and refer to the numbered code you were shown. Report real
problems only (bugs, security, races, error handling, clarity); an empty list is fine."""

REFACTOR_FORMAT = """Answer with JSON only, no prose around it, in this shape:
{"summary": "what you changed and why",
 "edits": [{"file": "path/as/given", "search": "exact text to replace, copied verbatim",
            "replace": "the new text"}]}
Each `search` must occur exactly once in the file; include enough surrounding lines to make
it unique. Keep behaviour unless the instruction asks otherwise."""

TEST_FORMAT = """Write tests for the selected code with the project's test framework, named in
the request, so that they pass against the code as it is. Test behaviour through the code's
public interface: typical cases, edge cases and errors; import it the way the project does.
Answer with JSON only, no prose around it, in this shape:
{"summary": "what the tests cover",
 "file": "the test file path as given",
 "content": "the complete test file"}
When the request says the test file already exists, keep what is there: instead of
"content", give "append": "the new tests, added at the end of the file" or
"edits": [{"search": "exact text to replace, copied verbatim", "replace": "the new text"}].
When you are shown failing test output, fix your tests and answer again in the same shape.
If the code under test is wrong rather than the test, keep the test and say so in "summary"."""

MODES: dict[str, Mode] = {
    mode.name: mode
    for mode in (
        Mode("chat", "talk about the project", "Answer the user's questions about their code."),
        Mode(
            "code",
            "write or change code",
            "Write complete, working code that fits the project's style. Show whole "
            "functions, not fragments, and name the file each block belongs to.",
        ),
        Mode(
            "explain",
            "explain code",
            "Explain what the selected code does, how it fits into the project, and anything "
            "surprising: inputs, outputs, side effects, edge cases. Start with one sentence "
            "that sums it up.",
        ),
        Mode("review", "review code for problems", REVIEW_FORMAT, "findings", 0.1),
        Mode("refactor", "rewrite code as instructed", REFACTOR_FORMAT, "edits", 0.1),
        Mode(
            "debug",
            "find the cause of a bug",
            "Find the root cause of the problem described. Reason from the code and the "
            "error shown, name the most likely cause first, and give a minimal fix and a way "
            "to verify it.",
        ),
        Mode("test", "write and run tests for code", TEST_FORMAT, "tests", 0.2),
    )
}

MODE_NAMES: tuple[str, ...] = tuple(MODES)
"""Every mode's name, in the order users see them (flags, config, slash commands)."""

ASK_MODE_NAMES: tuple[str, ...] = tuple(n for n, m in MODES.items() if m.output != "tests")
"""The modes one model reply answers. The `test` mode writes and runs files
(`coda_ls.testgen`): fronts reach it through `coda test`, the shell's /mode test and the
"Coda: Generate tests" code action, not as a plain question."""


def get_mode(name: str) -> Mode:
    from coda_ls.errors import ConfigError

    try:
        return MODES[name]
    except KeyError:
        raise ConfigError(f"unknown mode {name!r}", f"choose one of: {', '.join(MODES)}") from None
