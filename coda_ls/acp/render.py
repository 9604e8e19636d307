"""Review and refactor answers (JSON from the model) as Markdown for the agent panel.

In those modes the model answers in a fixed JSON shape; streaming it raw would show the
user JSON, so the session streams nothing and sends this rendering at the end instead.
Nothing is applied: a refactor's edits are shown as search/replace diffs.
"""

from __future__ import annotations

import difflib

from coda_ls.workspace import Answer


def render_structured(answer: Answer) -> str:
    if answer.review is not None:
        review = answer.review
        lines = [review.summary or "Review done.", ""]
        if not review.findings:
            lines.append("No findings.")
        for finding in review.findings:
            where = (
                f"{finding.file}:{finding.start_line}"
                if finding.file
                else f"line {finding.start_line}"
            )
            if finding.end_line != finding.start_line:
                where += f"-{finding.end_line}"
            lines.append(f"- **{finding.severity}** `{where}`: {finding.message}")
            if finding.suggestion:
                lines.append(f"  ```\n  {finding.suggestion.rstrip()}\n  ```")
        return "\n".join(lines)
    if answer.refactor is not None:
        refactor = answer.refactor
        parts = [refactor.summary or "Proposed change.", ""]
        if not refactor.edits:
            parts.append("The model proposed no change.")
        for edit in refactor.edits:
            diff = "".join(
                difflib.unified_diff(
                    edit.search.splitlines(keepends=True),
                    edit.replace.splitlines(keepends=True),
                    f"a/{edit.file}",
                    f"b/{edit.file}",
                )
            )
            parts.append(f"```diff\n{diff.rstrip()}\n```")
        parts.append("\nNot applied: ask in code mode to have Coda make the edit.")
        return "\n".join(parts)
    return answer.text
