"""Several project roots in one workspace: the current project plus others (LSP workspace
folders, `--project PATH`, the `projects` setting, `coda projects add PATH`).

Each project keeps its own Workspace (repo map, VCS state, caches); this module holds
what joins them:

- `ProjectMaps`, the map a question sees: the current project's first, then each other
  project's under a `[name]` label. The budget is split so the current project keeps most
  (`OTHERS_SHARE` goes to the others, evenly; what they leave unused flows back).
- the persisted list (`projects = [...]` in `.coda/config.toml`): paths relative to the
  project root when they can be, so the file can be checked in.
- `[name] path` addresses for files of another project: the read tools accept them; the
  write tools refuse them (other projects are read-only: a question about your code must
  not edit a library's checkout or a sibling service behind your back).
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from coda_ls.errors import ConfigError, WorkspaceError

if TYPE_CHECKING:
    from coda_ls.repomap.model import RenderedMap, Tag
    from coda_ls.repomap.repomap import RepoMap

OTHERS_SHARE = 0.4
"""The part of the map budget the other projects share (the current project gets the
rest, plus whatever they leave unused)."""

PROJECT_CONFIG = Path(".coda") / "config.toml"
_ADDRESS = re.compile(r"^\[(?P<name>[^\]\s/\\]+)\]\s*(?P<rel>.*)$")
_LINE = re.compile(r"^projects\s*=.*$", re.M)


@dataclass(frozen=True)
class ProjectRef:
    """One project of a workspace. `current` is the one questions are asked in."""

    name: str
    root: Path
    current: bool = False

    def to_dict(self) -> dict[str, object]:
        return {"name": self.name, "root": str(self.root), "current": self.current}


def unique_name(root: Path, taken: Iterable[str]) -> str:
    """The directory's name, with -2, -3… when another project already has it."""
    used = set(taken)
    name = root.name or "root"
    candidate, n = name, 1
    while candidate in used:
        n += 1
        candidate = f"{name}-{n}"
    return candidate


def resolve_paths(entries: Sequence[str | Path], base: Path) -> list[Path]:
    """The `projects` entries as directories (relative ones from `base`), checked to exist."""
    roots: list[Path] = []
    for entry in entries:
        path = Path(os.path.expanduser(str(entry)))
        root = (path if path.is_absolute() else base / path).resolve()
        if not root.is_dir():
            raise ConfigError(
                f"project {str(entry)!r} is not a directory (looked at {root})",
                "fix the `projects` setting or run `coda projects remove` for it",
            )
        if root != base.resolve() and root not in roots:
            roots.append(root)
    return roots


def parse_address(raw: str, projects: Mapping[str, Path]) -> tuple[str, Path, str] | None:
    """(name, root, relative path) when `raw` names a file of another project, either as
    `[name] rel/path` or as an absolute path inside one; None otherwise."""
    match = _ADDRESS.match(raw.strip())
    if match:
        name = match.group("name")
        if name not in projects:
            known = ", ".join(sorted(projects)) or "none"
            raise WorkspaceError(f"{raw}: no project named {name!r}", f"projects: {known}")
        return name, projects[name], match.group("rel").strip() or "."
    path = Path(raw).expanduser()
    if path.is_absolute():
        resolved = path.resolve()
        for name, root in projects.items():
            if resolved.is_relative_to(root):
                return name, root, resolved.relative_to(root).as_posix() or "."
    return None


def label(name: str, text: str) -> str:
    """A rendered map's file lines (the unindented ones) prefixed with `[name] `."""
    return "".join(
        f"[{name}] {line}" if line.strip() and not line[0].isspace() else line
        for line in text.splitlines(keepends=True)
    )


class ProjectMaps:
    """The current project's map and the others', rendered as one (`RepoMapLike`).

    The others' maps are fetched at each use: an editor's other folders may still be
    mapping when the first question comes, and join as soon as they are built."""

    def __init__(
        self,
        current: RepoMap,
        others: Sequence[tuple[str, Path, Callable[[], RepoMap | None]]],
        default_tokens: int,
    ) -> None:
        self.current = current
        self.others = others
        self.default_tokens = default_tokens

    def render(
        self,
        tokens: int | None = None,
        focus_files: Sequence[Path | str] = (),
        mentioned_files: Sequence[Path | str] = (),
        mentioned_idents: Sequence[str] = (),
        question: str | None = None,
    ) -> RenderedMap:
        from coda_ls.repomap.model import RenderedMap

        budget = tokens or self.default_tokens
        ready = [(name, root, m) for name, root, get in self.others if (m := get()) is not None]
        parts: list[tuple[str, RenderedMap]] = []
        used = 0
        if ready:
            each = int(budget * OTHERS_SHARE) // len(ready)
            for name, _, other in ready:
                if each < 16:
                    break
                rendered = other.render(each, mentioned_idents=mentioned_idents, question=question)
                if rendered.text:
                    parts.append((name, rendered))
                    used += rendered.tokens
        mine = self.current.render(
            max(16, budget - used),
            focus_files=focus_files,
            mentioned_files=mentioned_files,
            mentioned_idents=mentioned_idents,
            question=question,
        )
        texts = [mine.text] if mine.text else []
        tags = list(mine.tags)
        files = list(mine.files)
        for name, rendered in parts:
            root = next(r for n, r, _ in ready if n == name)
            texts.append(label(name, rendered.text))
            files.extend(f"[{name}] {f}" for f in rendered.files)
            # Absolute paths: whoever reads a tag's file finds the other project's copy.
            tags.extend(replace(t, path=str(root / t.path)) for t in rendered.tags)
        if parts:
            names = ", ".join(f"[{name}]" for name, _ in parts)
            texts.append(
                f"(Files marked {names} belong to other projects, read-only; "
                "the rest are in the current project.)\n"
            )
        return RenderedMap(
            "".join(texts),
            mine.tokens + used,
            tuple(tags),
            tuple(files),
            budget,
            mine.exact_tokens and all(r.exact_tokens for _, r in parts),
        )

    def find_symbol(self, name: str) -> list[Tag]:
        found = list(self.current.find_symbol(name))
        for _, root, get in self.others:
            other = get()
            if other is not None:
                found.extend(replace(t, path=str(root / t.path)) for t in other.find_symbol(name))
        return found


# -- the persisted list -----------------------------------------------------------------


def config_file(root: Path) -> Path:
    return root / PROJECT_CONFIG


def persisted(root: Path) -> list[str]:
    """The `projects` entries of the project's own config file (not the other layers)."""
    path = config_file(root)
    if not path.is_file():
        return []
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML ({exc})", "fix the file first") from None
    value = data.get("projects", [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"`projects` in {path} must be a list of paths", 'e.g. ["../lib"]')
    return list(value)


def _spelled(root: Path, target: Path) -> str:
    """`target` relative to `root` when it is near (shareable), else absolute."""
    try:
        rel = Path(os.path.relpath(target, root))
    except ValueError:  # another drive (Windows)
        return str(target)
    return rel.as_posix() if len(rel.parts) <= 4 else str(target)


def _write(root: Path, entries: Sequence[str]) -> Path:
    path = config_file(root)
    text = path.read_text(encoding="utf-8") if path.is_file() else ""
    line = "projects = [" + ", ".join(_toml_string(e) for e in entries) + "]"
    if _LINE.search(text):
        new = _LINE.sub(line.replace("\\", "\\\\"), text, count=1)
    else:
        # A top-level key must come before the first [table].
        first = re.search(r"^\s*\[", text, re.M)
        at = first.start() if first else len(text)
        head = text[:at]
        if head and not head.endswith("\n"):
            head += "\n"
        new = f"{head}{line}\n{text[at:]}"
    try:
        if tomllib.loads(new).get("projects") != list(entries):
            raise ValueError("projects not as written")
    except (tomllib.TOMLDecodeError, ValueError):
        raise ConfigError(
            f"cannot update `projects` in {path} automatically (is it spread over lines?)",
            'edit the file by hand: projects = ["../lib"]',
        ) from None
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(new, encoding="utf-8")
    return path


def _toml_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def add(root: Path, target: Path) -> tuple[str, Path]:
    """Persist `target` as a project of `root`; returns (the entry written, config file)."""
    root = root.resolve()
    target = target.expanduser().resolve()
    if not target.is_dir():
        raise WorkspaceError(f"{target} is not a directory", "give a project's checkout")
    if target == root:
        raise WorkspaceError(f"{target} is the current project", "add another project")
    entries = persisted(root)
    if target in resolve_existing(entries, root):
        return _spelled(root, target), config_file(root)
    entry = _spelled(root, target)
    return entry, _write(root, [*entries, entry])


def remove(root: Path, which: str) -> tuple[str, Path]:
    """Forget a persisted project, named by its name or path; returns (entry, file)."""
    root = root.resolve()
    entries = persisted(root)
    for entry in entries:
        target = (root / Path(entry).expanduser()).resolve()
        spelled = (root / which).resolve() if not _ADDRESS.match(which) else None
        if which in (entry, target.name) or spelled == target:
            return entry, _write(root, [e for e in entries if e != entry])
    listed = ", ".join(entries) or "none"
    raise WorkspaceError(f"no project {which!r} in {config_file(root)}", f"projects: {listed}")


def resolve_existing(entries: Sequence[str], root: Path) -> list[Path]:
    """The entries' directories, leaving out ones that no longer exist."""
    out = []
    for entry in entries:
        path = (root / Path(entry).expanduser()).resolve()
        if path.is_dir():
            out.append(path)
    return out
