"""Ignore files without a VCS: `.gitignore` and `.codaignore` (gitignore syntax, one per
directory) and a root `.hgignore` (regexp or glob syntax).

One module because the plain-directory backend and the repo map both use it. No
dependency: gitignore patterns are translated to regular expressions here, following
gitignore(5) — last match wins, deeper files override shallower ones, `!` re-includes,
a trailing `/` matches directories only, a pattern with an inner `/` is anchored to its
file's directory, `**` crosses directories, and nothing under an ignored directory can be
re-included. Tests compare the results with `git check-ignore`.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

GITIGNORE_FILES = (".gitignore", ".codaignore")
# Directories holding a VCS's own data: never part of a project's files.
VCS_METADATA = frozenset({".git", ".hg", ".svn", ".bzr", "_darcs", ".jj", ".pijul", "_FOSSIL_"})
VCS_METADATA_FILES = frozenset({".fslckout", "_FOSSIL_"})


@dataclass(frozen=True)
class Rule:
    """One pattern of an ignore file, compiled."""

    regex: re.Pattern[str]
    negate: bool = False
    dir_only: bool = False
    base: str = ""  # directory of the ignore file, root-relative ("" = root)
    search: bool = False  # hg regexp: re.search on the root-relative path

    def matches(self, rel: str, is_dir: bool) -> bool:
        if self.dir_only and not is_dir:
            return False
        if self.search:
            return self.regex.search(rel) is not None
        if self.base:
            if not rel.startswith(self.base + "/"):
                return False
            rel = rel[len(self.base) + 1 :]
        return self.regex.fullmatch(rel) is not None


def _glob_to_regex(glob: str) -> str:
    """Translate a gitignore glob body (no leading `!`, no trailing `/`) to a regex."""
    out: list[str] = []
    i, n = 0, len(glob)
    while i < n:
        c = glob[i]
        if c == "*":
            if glob.startswith("**", i):
                at_start = i == 0 or glob[i - 1] == "/"
                at_end = i + 2 == n or glob[i + 2] == "/"
                if at_start and at_end:
                    if i + 2 == n:  # trailing `/**` or a lone `**`: everything inside
                        out.append(".*")
                        i += 2
                    else:  # `**/`: zero or more directories
                        out.append("(?:.*/)?")
                        i += 3
                    continue
                out.append("[^/]*")  # `**` inside a name acts like `*`
                i += 2
                continue
            out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        elif c == "[":
            j = i + 1
            if j < n and glob[j] in "!^":
                j += 1
            if j < n and glob[j] == "]":
                j += 1
            while j < n and glob[j] != "]":
                j += 1
            if j >= n:  # no closing bracket: a literal `[`
                out.append(re.escape(c))
            else:
                body = glob[i + 1 : j]
                if body[:1] in ("!", "^"):
                    body = "^" + body[1:]
                out.append("(?!/)[" + body.replace("\\", "\\\\") + "]")
                i = j
        elif c == "\\" and i + 1 < n:
            i += 1
            out.append(re.escape(glob[i]))
        else:
            out.append(re.escape(c))
        i += 1
    return "".join(out)


def parse_gitignore_line(line: str, base: str = "") -> Rule | None:
    """One line of a `.gitignore`/`.codaignore` in directory `base`; None for blanks/comments."""
    line = line.rstrip("\n").rstrip("\r")
    # Trailing spaces are dropped unless escaped with a backslash.
    stripped = line.rstrip(" ")
    if stripped.endswith("\\") and len(stripped) < len(line):
        stripped += " "
    line = stripped
    if not line or line.startswith("#"):
        return None
    negate = line.startswith("!")
    if negate or line.startswith(("\\!", "\\#")):
        line = line[1:]
    dir_only = line.endswith("/")
    line = line.rstrip("/")
    if not line:
        return None
    anchored = "/" in line
    line = line.lstrip("/")
    body = _glob_to_regex(line)
    if not anchored:
        body = "(?:.*/)?" + body
    try:
        regex = re.compile(body, re.DOTALL)
    except re.error:
        log.debug("ignore: skipping unparsable pattern %r", line)
        return None
    return Rule(regex, negate=negate, dir_only=dir_only, base=base)


def parse_gitignore(text: str, base: str = "") -> list[Rule]:
    rules = (parse_gitignore_line(line, base) for line in text.splitlines())
    return [rule for rule in rules if rule is not None]


def _hg_glob_to_regex(glob: str) -> str:
    """hg `glob:` (rooted anywhere, like relglob): `*` stays in a name, `**` crosses `/`."""
    body = _glob_to_regex(glob)
    return r"(?:^|.*/)" + body + r"(?:/.*)?$"


def parse_hgignore(text: str) -> list[Rule]:
    """A root `.hgignore`: `syntax: regexp` (the default) or `syntax: glob` sections."""
    rules: list[Rule] = []
    syntax = "regexp"
    for raw in text.splitlines():
        # `#` starts a comment unless escaped as `\#`.
        line = re.split(r"(?<!\\)#", raw, maxsplit=1)[0].replace("\\#", "#").strip()
        if not line:
            continue
        if line.startswith("syntax:"):
            syntax = line.split(":", 1)[1].strip()
            continue
        kind = syntax
        for prefix in ("re:", "regexp:", "glob:", "relglob:", "path:", "relre:"):
            if line.startswith(prefix):
                kind, line = prefix[:-1], line[len(prefix) :]
                break
        try:
            if kind in ("regexp", "re", "relre"):
                regex = re.compile(line)
            elif kind in ("glob", "relglob"):
                regex = re.compile(_hg_glob_to_regex(line))
            elif kind == "path":
                regex = re.compile("^" + re.escape(line.strip("/")) + r"(?:/.*)?$")
            else:
                continue
        except re.error:
            log.debug("hgignore: skipping unparsable pattern %r", line)
            continue
        rules.append(Rule(regex, search=True))
    return rules


class IgnoreMatcher:
    """Decides whether root-relative paths are ignored, reading ignore files on demand.

    `filenames` are the gitignore-syntax files honoured in every directory; `hgignore`
    adds the root `.hgignore`; `patterns` are extra gitignore lines applied at the root.
    """

    def __init__(
        self,
        root: str | Path,
        filenames: Sequence[str] = GITIGNORE_FILES,
        *,
        hgignore: bool = True,
        patterns: Iterable[str] = (),
    ) -> None:
        self.root = Path(root)
        self.filenames = tuple(filenames)
        self._dir_rules: dict[str, list[Rule]] = {}
        self._dir_ignored: dict[str, bool] = {"": False}
        self._root_rules: list[Rule] = parse_gitignore("\n".join(patterns))
        if hgignore:
            self._root_rules = self._read_hgignore() + self._root_rules

    def _read_hgignore(self) -> list[Rule]:
        try:
            text = (self.root / ".hgignore").read_text(encoding="utf-8", errors="replace")
        except OSError:
            return []
        return parse_hgignore(text)

    def _rules_in(self, directory: str) -> list[Rule]:
        """The rules of the ignore files that live in `directory` (root-relative)."""
        cached = self._dir_rules.get(directory)
        if cached is not None:
            return cached
        rules: list[Rule] = []
        folder = self.root / directory if directory else self.root
        for name in self.filenames:
            try:
                text = (folder / name).read_text(encoding="utf-8", errors="replace")
            except OSError:
                continue
            rules.extend(parse_gitignore(text, directory))
        if not directory:
            rules = self._root_rules + rules
        self._dir_rules[directory] = rules
        return rules

    def _match(self, rel: str, is_dir: bool) -> bool:
        """Whether `rel` itself matches (ancestors not considered): last matching rule wins,
        rules of deeper directories after shallower ones."""
        parts = rel.split("/")
        ignored = False
        for depth in range(len(parts)):
            directory = "/".join(parts[:depth])
            for rule in self._rules_in(directory):
                if rule.matches(rel, is_dir):
                    ignored = not rule.negate
        return ignored

    def _ancestor_ignored(self, directory: str) -> bool:
        known = self._dir_ignored.get(directory)
        if known is not None:
            return known
        parent = directory.rpartition("/")[0]
        result = self._ancestor_ignored(parent) or self._match(directory, True)
        self._dir_ignored[directory] = result
        return result

    def is_ignored(self, path: str | Path, is_dir: bool | None = None) -> bool:
        """Whether `path` (root-relative, or absolute under the root) is ignored."""
        p = Path(path)
        if p.is_absolute():
            p = p.relative_to(self.root)
        rel = p.as_posix().strip("/")
        if rel in ("", "."):
            return False
        if is_dir is None:
            is_dir = (self.root / rel).is_dir()
        parent = rel.rpartition("/")[0]
        if self._ancestor_ignored(parent):
            return True
        return self._match(rel, is_dir)

    def walk(self, start: str = "") -> Iterator[str]:
        """Every file under `start` that is not ignored, skipping VCS metadata; sorted."""
        base = self.root / start if start else self.root
        try:
            entries = sorted(os.scandir(base), key=lambda e: e.name)
        except OSError:
            return
        for entry in entries:
            rel = f"{start}/{entry.name}" if start else entry.name
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
            except OSError:
                continue
            if is_dir:
                if entry.name in VCS_METADATA or self.is_ignored(rel, True):
                    continue
                yield from self.walk(rel)
            elif entry.name not in VCS_METADATA_FILES and not self.is_ignored(rel, False):
                yield rel
