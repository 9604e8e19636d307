"""Reading prompt files: both directories, the project winning, clear errors per file."""

from __future__ import annotations

from pathlib import Path

import pytest

from coda_ls.prompts import PromptError, load_prompts, parse_prompt, split_arguments
from tests.prompts.helpers import write_prompts


def test_both_dirs_load_and_the_project_wins(tmp_path: Path, isolated_env: Path) -> None:
    root = tmp_path / "proj"
    write_prompts(root, isolated_env)
    library = load_prompts(root)
    assert [p.name for p in library] == ["commit", "explain-sql", "style"]
    assert library.get("commit").scope == "user"
    assert library.get("style").scope == "project"
    assert "OUR project style" in library.get("style").body
    assert [p.description for p in library.shadowed] == ["My personal style check"]
    # The broken file is reported with its path, the others load anyway.
    assert len(library.problems) == 1
    problem = str(library.problems[0])
    assert "broken.md" in problem and "unknown key 'descripton'" in problem
    with pytest.raises(PromptError, match=r"broken\.md"):
        library.get("broken")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("---\nname: x\nHello", "not closed"),
        ("---\nname: [x\n---\nHello", "not valid YAML at line"),
        ("---\n- a\n- b\n---\nHello", "must be a mapping"),
        ("---\nmode: shout\n---\nHello", "mode 'shout' is not one of"),
        ("---\nname: 'two words'\n---\nHello", "must start with a letter"),
        ("---\narguments: [{name: a}]\n---\nHello {{b}}", "uses {{b}} but no argument"),
        ("---\narguments: [{name: selection}]\n---\n{{selection}}", "do not declare it"),
        ("---\narguments: [{name: a, dflt: 1}]\n---\n{{a}}", "unknown key 'arguments.0.dflt'"),
        ("---\nname: x\n---\n   \n", "no text after the front matter"),
    ],
)
def test_bad_front_matter_names_the_file_and_the_problem(text: str, message: str) -> None:
    path = Path("/somewhere/.coda/prompts/bad.md")
    with pytest.raises(PromptError) as raised:
        parse_prompt(path, text)
    assert str(path) in raised.value.message
    assert message in raised.value.message


def test_fill_positional_named_defaults_and_selection(tmp_path: Path, isolated_env: Path) -> None:
    root = tmp_path / "proj"
    write_prompts(root, isolated_env)
    library = load_prompts(root)
    sql = library.get("explain-sql")
    assert sql.takes_selection and sql.mode == "explain"
    assert sql.usage == "/explain-sql [dialect=postgres]"
    text = sql.fill([], {}, "SELECT 1;")
    assert text == "Explain this postgres query step by step:\n\nSELECT 1;"
    assert "mysql" in sql.fill(*split_arguments(sql, ["dialect=mysql"]), selection="SELECT 1;")
    with pytest.raises(PromptError, match="works on a selection"):
        sql.fill([], {})
    commit = library.get("commit")
    # Words beyond the last argument join it: `/commit fix the parser`.
    assert commit.fill(["fix", "the", "parser"]).endswith("about fix the parser.")
    with pytest.raises(PromptError, match="needs the argument 'topic'"):
        commit.fill([])
    with pytest.raises(PromptError, match="has no argument 'nope'"):
        commit.fill([], {"nope": "x"})
    with pytest.raises(PromptError, match="takes no more arguments"):
        library.get("style").fill(["extra"])


def test_no_front_matter_takes_the_file_name(tmp_path: Path) -> None:
    prompt = parse_prompt(tmp_path / "tidy.md", "Tidy this up.")
    assert prompt.name == "tidy" and prompt.arguments == () and prompt.fill() == "Tidy this up."


def test_an_edited_file_is_read_again_and_a_fixed_one_loads(tmp_path: Path) -> None:
    folder = tmp_path / ".coda" / "prompts"
    folder.mkdir(parents=True)
    target = folder / "greet.md"
    target.write_text("---\ndescripton: typo\n---\nHello.")
    first = load_prompts(tmp_path, user_dir=tmp_path / "none")
    assert first.find("greet") is None and len(first.problems) == 1
    target.write_text("---\ndescription: Say hello nicely\n---\nHello there.")
    second = load_prompts(tmp_path, user_dir=tmp_path / "none")
    assert second.get("greet").description == "Say hello nicely" and not second.problems
