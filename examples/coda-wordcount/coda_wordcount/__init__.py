"""An example Coda tool plugin: two tools, one per style of the SDK."""

from __future__ import annotations

from pydantic import BaseModel, Field

from coda_ls.tools.sdk import PluginContext, PluginTool, ToolError, tool


class CountArgs(BaseModel):
    path: str = Field(description="Text file to count, relative to the workspace root")


class WordCount(PluginTool):
    """A class-based tool with pydantic parameters, in the `read` category."""

    name = "word_count"
    description = "Count the lines, words and characters of a text file in the workspace."
    category = "read"
    parameters = CountArgs

    def summary(self, args: CountArgs) -> str:
        return f"Count words in {args.path}"

    async def run(self, args: CountArgs, context: PluginContext) -> str:
        text = await context.read_text(args.path)  # refuses paths outside the workspace
        lines, words = len(text.splitlines()), len(text.split())
        return f"{args.path}: {lines} lines, {words} words, {len(text)} characters"


# A function tool with a JSON-schema description of its parameters, in the `write`
# category: the user is asked (permissions.write) before it runs.
@tool(
    name="add_todo",
    description="Append one line to TODO.md at the workspace root.",
    category="write",
    parameters={
        "type": "object",
        "properties": {"item": {"type": "string", "minLength": 1}},
        "required": ["item"],
        "additionalProperties": False,
    },
)
async def add_todo(args: dict[str, str], context: PluginContext) -> str:
    try:
        current = await context.read_text("TODO.md")
    except ToolError:  # no TODO.md yet
        current = ""
    if current and not current.endswith("\n"):
        current += "\n"
    await context.write_text("TODO.md", f"{current}- {args['item']}\n")
    return f"added to TODO.md: {args['item']}"
