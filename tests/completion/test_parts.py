"""FIM formats, the buffer window, the suggestion cache, the context block, discovery."""

from __future__ import annotations

import pytest

from coda_ls.completion import pick_fim_model
from coda_ls.completion.cache import SuggestionCache
from coda_ls.completion.context import DefinitionIndex, gather, nearby_identifiers
from coda_ls.completion.formats import FORMATS, family_of
from coda_ls.completion.prompt import window
from coda_ls.repomap.model import FileTags, Tag


@pytest.mark.parametrize(
    ("model", "family"),
    [
        ("qwen2.5-coder:1.5b-base", "qwen"),
        ("Qwen/Qwen2.5-Coder-7B", "qwen"),
        ("starcoder2:3b", "starcoder"),
        ("codellama:7b-code", "codellama"),
        ("deepseek-coder:1.3b-base", "deepseek"),
        ("codestral:22b", "codestral"),
        ("llama3.2:latest", None),
    ],
)
def test_family_of(model: str, family: str | None) -> None:
    assert family_of(model) == family


@pytest.mark.parametrize(
    ("family", "expected"),
    [
        ("qwen", "<|fim_prefix|>P{x}<|fim_suffix|>S<|fim_middle|>"),
        ("starcoder", "<fim_prefix>P{x}<fim_suffix>S<fim_middle>"),
        ("codellama", "<PRE> P{x} <SUF>S <MID>"),
        ("deepseek", "<｜fim▁begin｜>P{x}<｜fim▁hole｜>S<｜fim▁end｜>"),
        ("codestral", "[SUFFIX]S[PREFIX]P{x}"),
    ],
)
def test_formats_render_code_with_braces(family: str, expected: str) -> None:
    assert FORMATS[family].render("P{x}", "S") == expected


def test_window_cuts_whole_lines() -> None:
    text = "".join(f"line {i}\n" for i in range(100))
    offset = text.index("line 50") + 4
    prefix, suffix, first = window(text, offset, 30, 20)
    assert prefix.startswith("line 4") and prefix.endswith("line")
    assert text.splitlines()[first - 1] == prefix.split("\n")[0]
    assert suffix == " 50\nline 51\nline 52"  # 20 characters: whole lines


def test_cache_answers_the_rest_of_a_suggestion_being_typed() -> None:
    cache = SuggestionCache()
    cache.put("doc", "x = are", "\n", "a(w, h)")
    assert cache.get("doc", "x = are", "\n") == "a(w, h)"
    assert cache.get("doc", "x = area(", "\n") == "w, h)"
    assert cache.get("doc", "x = area(q", "\n") is None  # typed something else
    assert cache.get("doc", "x = area(w, h)", "\n") is None  # all typed
    assert cache.get("doc", "x = area(", ")\n") is None  # the suffix changed
    assert cache.get("other", "x = are", "\n") is None


def _tag(name: str, path: str, line: int, **extra: object) -> Tag:
    kind = str(extra.pop("kind", "function"))
    return Tag(kind, name, name, path, line, line + 2, signature=f"def {name}()", **extra)  # type: ignore[arg-type]


def test_nearby_identifiers_put_the_cursor_line_first() -> None:
    names = nearby_identifiers("aa = far()\nbb = near()\ncc = here(", ")\nafter\n")
    assert names[:2] == ["here", "cc"]
    assert names.index("near") < names.index("far") < names.index("after")


def _index(tags: list[Tag], key: tuple[int, int] = (1, 1)) -> DefinitionIndex:
    index = DefinitionIndex()
    by_path: dict[str, list[Tag]] = {}
    for tag in tags:
        by_path.setdefault(tag.path, []).append(tag)
    files = {path: FileTags(path, "python", tuple(found)) for path, found in by_path.items()}
    index.refresh(key, lambda: files)
    return index


def test_index_follows_the_map_one_file_at_a_time() -> None:
    lib = FileTags("lib.py", "python", (_tag("old", "lib.py", 1), _tag("shared", "lib.py", 5)))
    app = FileTags("app.py", "python", (_tag("shared", "app.py", 2),))
    files = {"lib.py": lib, "app.py": app}
    index = DefinitionIndex()
    index.refresh((1, 1), lambda: files)
    assert {t.path for t in index.named("shared")} == {"lib.py", "app.py"}
    calls: list[int] = []
    index.refresh((1, 1), lambda: calls.append(1) or files)  # same generation: not read
    assert calls == []
    files = {"lib.py": FileTags("lib.py", "python", (_tag("new", "lib.py", 1),)), "app.py": app}
    index.refresh((1, 2), lambda: files)
    assert index.named("old") == [] and [t.name for t in index.in_file("lib.py")] == ["new"]
    assert [t.path for t in index.named("shared")] == ["app.py"]
    index.refresh((1, 3), lambda: {"lib.py": files["lib.py"]})  # app.py removed
    assert index.named("shared") == [] and index.in_file("app.py") == []


def test_context_within_budget_and_without_what_the_prompt_shows() -> None:
    tags = [
        _tag("helper", "lib.py", 10, doc="Does the thing.\nMore."),
        _tag("local", "main.py", 2),  # shown in the prompt's window already
        *[_tag(f"name{i}", "lib.py", 20 + i) for i in range(50)],
    ]
    index = _index(tags)
    calls = " ".join(f"name{i}()" for i in range(50))
    context = gather(
        index, "main.py", f"{calls}\nx = helper(local(", ")\n",
        cursor_line=5, shown_lines=(1, 6), budget=120,
    )  # fmt: skip
    assert context.text.splitlines()[1] == "# def helper()  (lib.py:10) — Does the thing."
    assert "local" not in context.text
    assert context.tokens <= 120 and len(context.tags) < 50


def test_pick_fim_model_prefers_small_base_code_models() -> None:
    names = ["llama3.2:latest", "qwen2.5-coder:7b-instruct", "qwen2.5-coder:1.5b-base"]
    assert pick_fim_model(names) == "qwen2.5-coder:1.5b-base"
    assert pick_fim_model(["llama3.2:latest", "mistral:7b"]) is None


def test_imported_names_and_tiers() -> None:
    from coda_ls.completion.context import imported_names

    text = "from .core import (Command,\n  Group as G)\nimport {foo, bar} from './x'\n"
    assert imported_names(text) == ["Command", "Group", "foo", "bar"]
    index = _index(
        [
            _tag("near", "lib.py", 5),
            _tag("Imported", "lib.py", 30, kind="class"),
            _tag("Box", "main.py", 40, kind="class"),
            Tag("method", "fill", "Box.fill", "main.py", 45, 47, signature="def fill(self)",
                parent="Box"),
            Tag("method", "__repr__", "Box.__repr__", "main.py", 48, 49,
                signature="def __repr__(self)", parent="Box"),
        ]
    )  # fmt: skip
    context = gather(
        index, "main.py", "class Box:\n    def go(self):\n        x = near(", ")\n",
        cursor_line=46, shown_lines=(50, 60), budget=500, imported=["Imported"],
    )  # fmt: skip
    names = [tag.name for tag in context.tags]
    # Named near the cursor, then the enclosing class and its methods (no dunders), then
    # what the file imports.
    assert names == ["near", "Box", "fill", "Imported"]
