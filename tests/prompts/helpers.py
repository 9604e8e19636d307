"""Prompt files for the tests: one project prompt on a selection, one user prompt, one
that both define (the project's must win) and a broken one."""

from __future__ import annotations

from pathlib import Path

EXPLAIN_SQL = """---
name: explain-sql
description: Explain a SQL query
mode: explain
arguments:
  - name: dialect
    description: SQL dialect
    default: postgres
---
Explain this {{dialect}} query step by step:

{{ selection }}
"""

COMMIT = """---
description: Write a commit message
arguments:
  topic: {description: what changed}
---
Write a one-line commit message about {{topic}}.
"""

SHARED_PROJECT = """---
name: style
description: Project style check
---
Check this against OUR project style guide.
"""

SHARED_USER = """---
name: style
description: My personal style check
---
Check this against my personal habits.
"""

BROKEN = """---
name: broken
descripton: a typo in the key
---
Hello {{who}}
"""


def user_prompts(home: Path) -> Path:
    return home / ".config" / "coda" / "prompts"


def write_prompts(root: Path, home: Path) -> None:
    project = root / ".coda" / "prompts"
    project.mkdir(parents=True, exist_ok=True)
    (project / "explain-sql.md").write_text(EXPLAIN_SQL)
    (project / "style.md").write_text(SHARED_PROJECT)
    (project / "broken.md").write_text(BROKEN)
    user = user_prompts(home)
    user.mkdir(parents=True, exist_ok=True)
    (user / "commit.md").write_text(COMMIT)
    (user / "style.md").write_text(SHARED_USER)
