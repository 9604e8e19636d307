"""The shared prompt library: Markdown prompts with YAML front matter, read from the
project's `.coda/prompts/` (checked in, shared by the team) and the user's config dir.

library = load_prompts(root)                  # project prompts win on a name clash
prompt = library.get("explain-sql")
text = prompt.fill(["postgres"], selection=code)   # {{dialect}}, {{selection}} filled
"""

from __future__ import annotations

from coda_ls.prompts.library import (
    PROJECT_PROMPTS,
    Prompt,
    PromptArgument,
    PromptError,
    PromptLibrary,
    PromptProblem,
    load_prompts,
    parse_prompt,
    prompt_file,
    split_arguments,
    team_prompts_dir,
    user_prompts_dir,
)

__all__ = [
    "PROJECT_PROMPTS",
    "Prompt",
    "PromptArgument",
    "PromptError",
    "PromptLibrary",
    "PromptProblem",
    "load_prompts",
    "parse_prompt",
    "prompt_file",
    "split_arguments",
    "team_prompts_dir",
    "user_prompts_dir",
]
