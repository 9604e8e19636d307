"""Reading prompt files and filling them in.

A prompt is a Markdown file whose YAML front matter names it and declares its arguments::

    ---
    name: explain-sql
    description: Explain a SQL query and its cost
    mode: explain
    arguments:
      - name: dialect
        description: SQL dialect
        default: postgres
    ---
    Explain this {{dialect}} query:

    {{selection}}

`{{selection}}` is the code the user selected (editor) or gave (`--selection`); every other
placeholder must be a declared argument, so a typo is reported when the file is read rather
than sent to the model. A file that cannot be read becomes a `PromptProblem` naming it; the
other prompts still load.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from coda_ls.errors import CodaError

PROJECT_PROMPTS = Path(".coda") / "prompts"
SELECTION = "selection"
Scope = Literal["project", "user", "team"]

_KEYS = "name, description, mode, arguments"
_NAME = re.compile(r"^[A-Za-z][\w-]*$")
_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][\w-]*)\s*\}\}")
_FENCE = re.compile(r"^---[ \t]*\r?\n(.*?)^(?:---|\.\.\.)[ \t]*(?:\r?\n|$)", re.DOTALL | re.M)


class PromptError(CodaError):
    """A prompt file is malformed, or a prompt was run without what it needs."""


class _Argument(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    description: str = ""
    default: str | int | float | bool | None = None


class _FrontMatter(BaseModel):
    # extra="forbid": a misspelt key ("descripton") is reported, not silently ignored.
    model_config = ConfigDict(extra="forbid")
    name: str | None = None
    description: str = ""
    mode: str | None = None
    arguments: list[_Argument] = []

    @field_validator("arguments", mode="before")
    @classmethod
    def _mapping_form(cls, value: Any) -> Any:
        """`arguments: {dialect: postgres}` or `{dialect: {default: …}}` is accepted too."""
        if isinstance(value, dict):
            return [
                {"name": key, **spec} if isinstance(spec, dict) else {"name": key, "default": spec}
                for key, spec in value.items()
            ]
        return value if value is not None else []


@dataclass(frozen=True)
class PromptArgument:
    name: str
    description: str = ""
    default: str | None = None

    @property
    def required(self) -> bool:
        return self.default is None


@dataclass(frozen=True)
class Prompt:
    """One prompt of the library. `body` holds the `{{…}}` placeholders unfilled."""

    name: str
    body: str
    path: Path
    scope: Scope
    description: str = ""
    mode: str | None = None
    arguments: tuple[PromptArgument, ...] = ()

    @property
    def takes_selection(self) -> bool:
        return SELECTION in placeholders(self.body)

    @property
    def usage(self) -> str:
        """`/name <required> [optional=default]` for help texts and completion."""
        parts = [f"/{self.name}"]
        for arg in self.arguments:
            parts.append(f"<{arg.name}>" if arg.required else f"[{arg.name}={arg.default}]")
        return " ".join(parts)

    @property
    def summary(self) -> str:
        return self.description or f"prompt from {self.path.name}"

    def fill(
        self,
        positional: Sequence[str] = (),
        named: Mapping[str, str] | None = None,
        selection: str | None = None,
    ) -> str:
        """The body with every placeholder replaced. Positional values go to the arguments
        in declared order; words beyond the last argument join it (so `/commit fix the
        parser` gives a one-argument prompt the whole phrase)."""
        values = self.bind(positional, named)
        if self.takes_selection:
            if selection is None or not selection.strip():
                raise PromptError(
                    f"prompt {self.name!r} works on a selection and none was given",
                    "select code in the editor, or pass --selection FILE[:LINES]",
                )
            values[SELECTION] = selection
        return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), self.body).strip()

    def bind(
        self, positional: Sequence[str] = (), named: Mapping[str, str] | None = None
    ) -> dict[str, str]:
        """Argument values by name (defaults filled); a missing or unknown one is an error."""
        named = dict(named or {})
        declared = {arg.name for arg in self.arguments}
        unknown = sorted(set(named) - declared)
        if unknown:
            raise PromptError(
                f"prompt {self.name!r} has no argument {unknown[0]!r}",
                f"usage: {self.usage}",
            )
        free = [arg for arg in self.arguments if arg.name not in named]
        words = list(positional)
        if free and len(words) > len(free):
            words[len(free) - 1 :] = [" ".join(words[len(free) - 1 :])]
        elif not free and words:
            raise PromptError(
                f"prompt {self.name!r} takes no more arguments (got {' '.join(words)!r})",
                f"usage: {self.usage}",
            )
        values = dict(named)
        for arg, word in zip(free, words, strict=False):
            values[arg.name] = word
        for arg in self.arguments:
            if arg.name not in values:
                if arg.default is None:
                    raise PromptError(
                        f"prompt {self.name!r} needs the argument {arg.name!r}"
                        + (f" ({arg.description})" if arg.description else ""),
                        f"usage: {self.usage}",
                    )
                values[arg.name] = arg.default
        return values

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "description": self.description,
            "mode": self.mode,
            "scope": self.scope,
            "path": str(self.path),
            "selection": self.takes_selection,
            "arguments": [
                {"name": a.name, "description": a.description, "default": a.default}
                for a in self.arguments
            ],
        }


@dataclass(frozen=True)
class PromptProblem:
    """A prompt file that could not be used, and why."""

    path: Path
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


@dataclass
class PromptLibrary:
    """The prompts by name (project over user) and the files that failed to load."""

    prompts: dict[str, Prompt] = field(default_factory=dict)
    problems: list[PromptProblem] = field(default_factory=list)
    shadowed: list[Prompt] = field(default_factory=list)  # user prompts a project one hides

    def __iter__(self) -> Any:
        return iter(sorted(self.prompts.values(), key=lambda p: p.name))

    def __len__(self) -> int:
        return len(self.prompts)

    def find(self, name: str) -> Prompt | None:
        return self.prompts.get(name)

    def get(self, name: str) -> Prompt:
        found = self.prompts.get(name)
        if found is not None:
            return found
        broken = [p for p in self.problems if p.path.stem == name]
        if broken:
            raise PromptError(f"prompt {name!r} cannot be used: {broken[0]}", "fix the file")
        known = ", ".join(sorted(self.prompts)) or "none"
        raise PromptError(
            f"no prompt named {name!r} (known: {known})",
            f"add {PROJECT_PROMPTS}/{name}.md or {user_prompts_dir()}/{name}.md; "
            "see `coda prompts`",
        )


def placeholders(body: str) -> set[str]:
    return {match.group(1) for match in _PLACEHOLDER.finditer(body)}


def user_prompts_dir() -> Path:
    from coda_ls import paths

    return paths.config_dir() / "prompts"


def parse_prompt(path: Path, text: str, scope: Scope = "project") -> Prompt:
    """One prompt from a file's text; any problem is a PromptError naming the file."""
    import yaml

    def fail(problem: str) -> PromptError:
        return PromptError(
            f"{path}: {problem}",
            "front matter is YAML between two `---` lines: name, description, mode, arguments",
        )

    text = text.lstrip("\ufeff")
    meta: Any = {}
    body = text
    if text.startswith("---"):
        match = _FENCE.match(text)
        if match is None:
            raise fail("the front matter is not closed by a `---` line")
        try:
            # libyaml's loader when present: several times faster than the pure one.
            loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
            meta = yaml.load(match.group(1), Loader=loader) or {}
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f" at line {mark.line + 2}" if mark is not None else ""
            problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
            raise fail(f"front matter is not valid YAML{where}: {problem}") from None
        body = text[match.end() :]
    if not isinstance(meta, dict):
        raise fail(f"front matter must be a mapping of keys, not {type(meta).__name__}")
    try:
        front = _FrontMatter.model_validate(meta)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "front matter"
        if first["type"] == "extra_forbidden":
            known = "name, description, default" if "arguments" in where else _KEYS
            raise fail(f"unknown key {where!r} (known: {known})") from None
        raise fail(f"{where}: {first['msg']}") from None
    name = front.name if front.name is not None else path.stem
    if not _NAME.match(name):
        raise fail(f"name {name!r} must start with a letter and hold only letters, digits, - or _")
    if front.mode is not None:
        from coda_ls.modes import MODE_NAMES

        if front.mode not in MODE_NAMES:
            raise fail(f"mode {front.mode!r} is not one of {', '.join(MODE_NAMES)}")
    arguments = tuple(
        PromptArgument(
            arg.name,
            arg.description,
            None
            if arg.default is None
            else str(arg.default).lower()
            if isinstance(arg.default, bool)
            else str(arg.default),
        )
        for arg in front.arguments
    )
    names = [arg.name for arg in arguments]
    if len(set(names)) != len(names):
        raise fail("an argument is declared twice")
    if SELECTION in names:
        raise fail("`selection` is filled by Coda with the selected code; do not declare it")
    undeclared = sorted(placeholders(body) - set(names) - {SELECTION})
    if undeclared:
        raise fail(f"the body uses {{{{{undeclared[0]}}}}} but no argument of that name")
    if not body.strip():
        raise fail("the prompt has no text after the front matter")
    return Prompt(
        name=name,
        body=body,
        path=path,
        scope=scope,
        description=front.description,
        mode=front.mode,
        arguments=arguments,
    )


def _read_dir(directory: Path, scope: Scope, library: PromptLibrary) -> dict[str, Prompt]:
    found: dict[str, Prompt] = {}
    try:
        files = sorted(p for p in directory.glob("*.md") if p.is_file())
    except OSError:
        return found
    for path in files:
        prompt = _parsed(path, scope)
        if isinstance(prompt, PromptProblem):
            library.problems.append(prompt)
            continue
        if prompt.name in found:
            library.problems.append(
                PromptProblem(path, f"name {prompt.name!r} is also used by {found[prompt.name]}")
            )
            continue
        found[prompt.name] = prompt
    return found


# Parsed files by path, reused while the file's mtime and size are unchanged: the library
# is read on every code-action request, and YAML plus validation cost milliseconds a file.
_PARSED: dict[tuple[Path, Scope], tuple[tuple[int, int], Prompt | PromptProblem]] = {}
_PARSED_LOCK = threading.Lock()


def _parsed(path: Path, scope: Scope) -> Prompt | PromptProblem:
    try:
        info = path.stat()
    except OSError as exc:
        return PromptProblem(path, f"cannot read: {exc}")
    key = (info.st_mtime_ns, info.st_size)
    with _PARSED_LOCK:
        cached = _PARSED.get((path, scope))
    if cached is not None and cached[0] == key:
        return cached[1]
    result: Prompt | PromptProblem
    try:
        result = parse_prompt(path, path.read_text(encoding="utf-8"), scope)
    except PromptError as exc:
        result = PromptProblem(path, exc.message.removeprefix(f"{path}: "))
    except (OSError, UnicodeDecodeError) as exc:
        result = PromptProblem(path, f"cannot read: {exc}")
    with _PARSED_LOCK:
        _PARSED[(path, scope)] = (key, result)
    return result


def team_prompts_dir() -> Path:
    """Where `coda prompts pull` writes the team store's prompts (files, so that reading
    the library never waits on the network)."""
    from coda_ls import paths

    return paths.data_dir() / "team-prompts"


def load_prompts(root: Path | None, user_dir: Path | None = None) -> PromptLibrary:
    """Every prompt of the project at `root`, of the user and pulled from the team store;
    on a name clash the project's wins, then the user's."""
    library = PromptLibrary()
    team = _read_dir(team_prompts_dir(), "team", library)
    user = _read_dir(user_dir or user_prompts_dir(), "user", library)
    project = _read_dir(root / PROJECT_PROMPTS, "project", library) if root is not None else {}
    library.shadowed = [p for n, p in user.items() if n in project]
    library.shadowed += [p for n, p in team.items() if n in project or n in user]
    library.prompts = {**team, **user, **project}
    return library


def prompt_file(data: Mapping[str, Any]) -> str:
    """A prompt (as the team store keeps it: name, description, mode, arguments, body) as
    the Markdown file the library reads."""
    import yaml

    meta: dict[str, Any] = {"name": data["name"]}
    for key in ("description", "mode"):
        if data.get(key):
            meta[key] = data[key]
    if data.get("arguments"):
        meta["arguments"] = [
            {k: v for k, v in arg.items() if v not in (None, "")} for arg in data["arguments"]
        ]
    front = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True)
    return f"---\n{front}---\n{str(data['body']).lstrip()}"


def split_arguments(prompt: Prompt, words: Sequence[str]) -> tuple[list[str], dict[str, str]]:
    """Command-line words as (positional, named): `key=value` names a declared argument;
    any other word (even one holding `=`) is positional."""
    declared = {arg.name for arg in prompt.arguments}
    positional: list[str] = []
    named: dict[str, str] = {}
    for word in words:
        key, sep, value = word.partition("=")
        if sep and key in declared:
            named[key] = value
        else:
            positional.append(word)
    return positional, named
