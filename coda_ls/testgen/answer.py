"""The model's answer in the `test` mode, and the text it makes of the test file.

The format (see `coda_ls.modes.TEST_FORMAT`) is JSON with `file` and one of `content`
(the whole file), `append` (added at the end) or `edits` (search/replace blocks). Small
models often answer with a bare code block instead: that block is taken as the content
of a new file, or appended to an existing one, rather than failing the request.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from coda_ls.edits import Replacement, apply_replacements
from coda_ls.structured import _load_object as load_object

_FENCE = re.compile(r"```[\w+-]*\n(.*?)```", re.DOTALL)


@dataclass(frozen=True)
class TestPlan:
    """What the model wants written. Exactly one of content/append/edits is used."""

    __test__ = False  # not a pytest test class

    summary: str = ""
    file: str = ""
    content: str | None = None
    append: str | None = None
    edits: list[Replacement] = field(default_factory=list)
    loose: bool = False  # from a bare code block, not the JSON shape

    @property
    def empty(self) -> bool:
        return self.content is None and self.append is None and not self.edits

    def new_text(self, current: str | None) -> str:
        """The test file after the plan, from its `current` text (None: no file yet).
        Raises EditError when an edit does not match."""
        if self.content is not None and (current is None or not self.loose):
            return _ending(self.content)
        addition = self.append if self.append is not None else self.content
        if addition is not None:
            if not current:
                return _ending(addition)
            return _ending(current) + "\n\n" + _ending(addition.strip("\n"))
        if current is None:
            current = ""
        return apply_replacements(
            current, self.edits, shown=self.file or "the test file", tolerant=True
        )


def _ending(text: str) -> str:
    return text if text.endswith("\n") else text + "\n"


def parse_plan(text: str) -> TestPlan:
    """The plan in an answer; an empty plan when there is none."""
    data = load_object(text)
    if data is not None:
        edits = []
        for raw in data.get("edits") or []:
            if isinstance(raw, dict) and isinstance(raw.get("search"), str):
                edits.append(Replacement(raw["search"], str(raw.get("replace", ""))))
        content = data.get("content")
        append = data.get("append")
        return TestPlan(
            summary=str(data.get("summary") or ""),
            file=str(data.get("file") or data.get("path") or ""),
            content=content if isinstance(content, str) and content.strip() else None,
            append=append if isinstance(append, str) and append.strip() else None,
            edits=edits,
        )
    blocks = _FENCE.findall(text)
    if blocks:
        return TestPlan(summary="", content=max(blocks, key=len), loose=True)
    return TestPlan(summary=text.strip()[:500])
