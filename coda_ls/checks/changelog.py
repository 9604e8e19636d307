"""`coda changelog check`: changes since the last release that have no changelog entry.

Conventions recognised (`detect_convention`), first match wins:
  towncrier       newsfragments/ or changelog.d/ (or [tool.towncrier] directory): one
                  fragment file per change, named `<issue>.<type>` or `+<slug>.<type>`
  keepachangelog  CHANGELOG.md with an `## [Unreleased]` section
  headings        CHANGELOG*, CHANGES*, NEWS*, HISTORY*, RELEASE_NOTES* with one heading
                  per version (GitHub-release-notes style): pending entries sit under a
                  heading that says "unreleased"/"next"/"upcoming" or names a version
                  that has no tag yet

The last release is the newest tag among the ancestors; without tags, the newest commit
whose subject names one of the changelog's versions ("Release 1.2.0"); without either,
every commit counts. A change needs an entry unless it only touches docs, tests, CI or
the changelog itself, or says `[skip changelog]`/`no changelog` in its message. A commit
has an entry when it added a fragment or edited the changelog, when one of its issue
numbers (#123) appears in the pending entries/fragment names, or when the pending
entries contain most of its subject's words.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from coda_ls.errors import WorkspaceError
from coda_ls.vcs import Commit, VCSBackend, detect

if TYPE_CHECKING:
    from coda_ls.engine import Engine

WORKING_COPY = "working copy"
_RECORD_NAMES = ("changelog", "changes", "news", "history", "release_notes", "release-notes")
_FRAGMENT_DIRS = ("newsfragments", "changelog.d", "changes", "news")
_PENDING = re.compile(r"unreleased|upcoming|\bnext\b|in development|not yet released", re.I)
_VERSION = re.compile(r"\bv?(\d+\.\d+(?:\.\d+)?(?:[-.]?\w+)?)")
_HEADING = re.compile(r"^(#{1,3})\s+(.*)$|^(.+)\n[=\-~^]{3,}\s*$", re.M)
_ISSUE = re.compile(r"(?:#|\bGH-|\bissue\s+)(\d+)", re.I)
_SKIP = re.compile(r"\[(skip|no) (changelog|news)\]|\bno changelog\b", re.I)
_NEUTRAL_DIRS = ("docs", "doc", "tests", "test", ".github", ".ci", ".gitlab", "benchmarks")
_NEUTRAL_FILES = (".hgtags", ".gitignore", ".hgignore", ".pre-commit-config.yaml")
_NOT_FRAGMENTS = frozenset({"readme.md", "readme.rst", ".gitignore", "template.rst", "template.md"})
_STOP = frozenset(
    ("a", "an", "the", "and", "or", "of", "to", "in", "for", "on", "with", "from", "by", "is")
)


@dataclass(frozen=True)
class Convention:
    """How the project records changes: `kind` and where (`path` relative to the root)."""

    kind: str  # "towncrier", "keepachangelog", "headings" or "none"
    path: str | None


@dataclass(frozen=True)
class Missing:
    """A change with no changelog entry, and the entry Coda proposes for it."""

    revision: str  # "working copy" for uncommitted changes
    subject: str
    files: tuple[str, ...]
    proposal: str
    section: str  # Added, Changed, Fixed, Removed, Deprecated, Security

    def to_dict(self) -> dict[str, object]:
        return {
            "revision": self.revision,
            "subject": self.subject,
            "files": list(self.files),
            "section": self.section,
            "proposal": self.proposal,
        }


@dataclass
class ChangelogReport:
    convention: Convention
    release: str | None  # the tag or version taken as the last release
    since: str | None  # its revision (None: whole history)
    checked: int = 0
    missing: list[Missing] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        return {
            "convention": self.convention.kind,
            "path": self.convention.path,
            "release": self.release,
            "since": self.since,
            "checked": self.checked,
            "missing": [m.to_dict() for m in self.missing],
        }


def detect_convention(root: Path) -> Convention:
    """The changelog convention of the project at `root` (kind "none" when it has none)."""
    directory = _towncrier_dir(root)
    if directory is not None:
        return Convention("towncrier", directory)
    records = sorted(
        p.name
        for p in root.iterdir()
        if p.is_file() and p.stem.lower().replace(" ", "_") in _RECORD_NAMES
    )
    records.sort(key=lambda name: (not name.lower().startswith("changelog"), name))
    for name in records:
        text = (root / name).read_text(encoding="utf-8", errors="replace")
        if re.search(r"^#{1,3}\s*\[?unreleased\]?", text, re.I | re.M):
            return Convention("keepachangelog", name)
    if records:
        return Convention("headings", records[0])
    return Convention("none", None)


def _towncrier_dir(root: Path) -> str | None:
    pyproject = root / "pyproject.toml"
    if pyproject.is_file():
        try:
            config = tomllib.loads(pyproject.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, OSError):
            config = {}
        towncrier = config.get("tool", {}).get("towncrier")
        if isinstance(towncrier, dict):
            directory = towncrier.get("directory")
            if isinstance(directory, str):
                return directory.strip("/")
            package = towncrier.get("package_dir", "")
            return str(PurePosixPath(package or ".") / "newsfragments").removeprefix("./")
    for name in ("newsfragments", "changelog.d"):
        if (root / name).is_dir():
            return name
    return None


def _sections(text: str) -> list[tuple[str, str]]:
    """(heading, body) of each top-level section of a Markdown or rst changelog."""
    marks = [
        (m.start(), m.end(), (m.group(2) or m.group(3) or "").strip())
        for m in _HEADING.finditer(text)
    ]
    out = []
    for i, (_, end, title) in enumerate(marks):
        stop = marks[i + 1][0] if i + 1 < len(marks) else len(text)
        out.append((title, text[end:stop]))
    return out


def _is_version(title: str) -> str | None:
    found = _VERSION.search(title)
    return found.group(1) if found else None


def pending_entries(text: str, kind: str, tags: set[str]) -> str:
    """The text of the entries not yet released, per convention: from a pending heading
    (with its sub-headings: `### Added`) to the first released version's heading."""
    pending: list[str] = []
    collecting = False
    for title, body in _sections(text):
        version = _is_version(title)
        untagged = kind == "headings" and version and not ({version, f"v{version}"} & tags)
        if _PENDING.search(title) or untagged:
            collecting = True  # a version written down before it is tagged is pending too
        elif version:
            if collecting or kind == "keepachangelog":
                break  # released sections follow
            continue
        if collecting:
            pending.append(f"{title}\n{body}")
    return "\n".join(pending)


def versions(text: str) -> list[str]:
    """The versions the changelog's headings name, newest (first written) first."""
    found = []
    for title, _ in _sections(text):
        version = _is_version(title)
        if version and not _PENDING.search(title):
            found.append(version)
    return found


def _neutral(rel: str, convention: Convention) -> bool:
    """Files whose change never needs an entry: docs, tests, CI, the changelog itself."""
    path = PurePosixPath(rel)
    if convention.path and (rel == convention.path or rel.startswith(convention.path + "/")):
        return True
    if path.name in _NEUTRAL_FILES or path.stem.lower() in _RECORD_NAMES:
        return True
    if path.parts[0] in _NEUTRAL_DIRS or path.name.lower().startswith("readme"):
        return True
    return path.name.startswith("test_") or path.stem.endswith("_test")


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9]+", text.lower()) if len(w) > 2 and w not in _STOP}


_SECTIONS = (
    (re.compile(r"^(fix|bug|hotfix)\b|\bfix(es|ed)?\b", re.I), "Fixed", "bugfix"),
    (re.compile(r"^(feat|add)\b|\badd(s|ed)?\b|\bnew\b", re.I), "Added", "feature"),
    (re.compile(r"\b(remove[sd]?|delete[sd]?|drop(s|ped)?)\b", re.I), "Removed", "removal"),
    (re.compile(r"\bdeprecat", re.I), "Deprecated", "deprecation"),
    (re.compile(r"\bsecurity\b|\bCVE-", re.I), "Security", "security"),
)
_PREFIX = re.compile(r"^\s*(\w+)(\([^)]*\))?!?:\s*")


def classify(subject: str) -> tuple[str, str]:
    """(Keep a Changelog section, towncrier type) for a commit subject."""
    for pattern, section, fragment in _SECTIONS:
        if pattern.search(subject):
            return section, fragment
    return "Changed", "misc"


def proposed_entry(commit: Commit, convention: Convention) -> tuple[str, str]:
    """(section, entry text) written from the commit message, in the convention's form."""
    section, fragment = classify(commit.subject)
    text = _PREFIX.sub("", commit.subject).strip().rstrip(".")
    text = text[:1].upper() + text[1:] + "."
    issues = _ISSUE.findall(commit.message)
    if convention.kind == "towncrier":
        name = f"{issues[0]}.{fragment}" if issues else f"+{commit.revision[:8]}.{fragment}"
        return section, f"{convention.path}/{name}: {text}"
    if issues and f"#{issues[0]}" not in text:
        text = f"{text[:-1]} (#{issues[0]})."
    return (
        section,
        f"### {section}\n- {text}" if convention.kind == "keepachangelog" else f"- {text}",
    )


def _covered(commit: Commit, convention: Convention, pending: str, fragments: set[str]) -> bool:
    if convention.path and any(
        f == convention.path or f.startswith(convention.path + "/") for f in commit.files
    ):
        return True  # the commit wrote its own entry or fragment
    if commit.revision == WORKING_COPY:
        return False  # no message to match: only an edited changelog covers it
    issues = set(_ISSUE.findall(commit.message))
    # "#12", or `12` as in MyST roles ({issue}`12`, {pr}`12`).
    if issues & fragments or any(re.search(rf"(#|`){n}\b", pending) for n in issues):
        return True
    words = _words(_PREFIX.sub("", commit.subject))
    return bool(words) and len(words & _words(pending)) >= max(2, (len(words) * 2 + 2) // 3)


def last_release(backend: VCSBackend, changelog: str | None) -> tuple[str | None, str | None]:
    """(name, revision) of the last release: a tag, or the commit that named the
    changelog's newest version; (None, None) when there is neither."""
    tagged = backend.sync.last_tag()
    if tagged is not None:
        return tagged
    named = versions(changelog) if changelog else []
    if not named:
        return None, None
    # The newest commit that says it released one of the changelog's versions (a version
    # written down for the next release has no such commit yet).
    patterns = [(v, re.compile(rf"(?<![\d.]){re.escape(v)}(?!\d)")) for v in named]
    for commit in backend.sync.commits_since(None):
        if not re.search(r"releas|bump|version", commit.subject, re.I):
            continue
        for version, pattern in patterns:
            if pattern.search(commit.subject):
                return version, commit.revision
    return None, None


def check_changelog(root: Path, since: str | None = None) -> ChangelogReport:
    """The changes since the last release (or `since`) that have no entry."""
    backend = detect(root)
    if backend.name == "plain":
        raise WorkspaceError(f"{root} is not under version control", "the check reads history")
    root = backend.root
    convention = detect_convention(root)
    text = None
    if convention.kind in ("keepachangelog", "headings") and convention.path:
        text = (root / convention.path).read_text(encoding="utf-8", errors="replace")
    release: str | None
    revision: str | None
    if since:
        release, revision = since, backend.sync.resolve(since)
    else:
        release, revision = last_release(backend, text)
    report = ChangelogReport(convention, release, revision)
    commits = backend.sync.commits_since(revision)
    tags = set()
    if release:
        tags.add(release)
    pending = pending_entries(text, convention.kind, tags) if text else ""
    fragments: set[str] = set()
    if convention.kind == "towncrier" and convention.path and (root / convention.path).is_dir():
        for fragment in (root / convention.path).iterdir():
            fragments.add(fragment.name.split(".", 1)[0])
            if fragment.is_file() and fragment.name.lower() not in _NOT_FRAGMENTS:
                pending += "\n" + fragment.read_text(encoding="utf-8", errors="replace")
    # Uncommitted changes count as one more change (a pre-commit or CI run sees them).
    status = backend.sync.status()
    dirty = tuple(sorted({*status.changed, *status.added, *status.removed}))
    if dirty:
        commits = [Commit(WORKING_COPY, "uncommitted changes", dirty), *commits]
    for commit in commits:
        relevant = [f for f in commit.files if not _neutral(f, convention)]
        if not relevant or _SKIP.search(commit.message):
            continue
        report.checked += 1
        if _covered(commit, convention, pending, fragments):
            continue
        section, entry = proposed_entry(commit, convention)
        report.missing.append(
            Missing(commit.revision, commit.subject, tuple(relevant), entry, section)
        )
    return report


_STYLES = {
    "keepachangelog": "Keep a Changelog: `### Added`/`Changed`/`Fixed`/… headings with `- ` items",
    "towncrier": "towncrier fragments: one line `<dir>/<issue or +slug>.<type>: <text>` each",
    "headings": "a `- ` item per change under the pending version's heading",
    "none": "Keep a Changelog: `### Added`/`Changed`/`Fixed`/… headings with `- ` items",
}

CHANGELOG_SYSTEM = (
    "You write changelog entries for users of a project: what changed for them, in one "
    "short sentence each, past-tense-free and without commit jargon. Reply with the entries "
    "only, in the format asked, nothing else."
)


async def propose_entries(engine: Engine, report: ChangelogReport, model: str | None = None) -> str:
    """The model's wording of the missing entries, in the project's convention (the
    deterministic proposals stay in `report`; this is an optional second opinion)."""
    from coda_ls.checks.propose import ask_model

    lines = [
        f"- {m.subject} (files: {', '.join(m.files[:8])}); draft: {m.proposal!r}"
        for m in report.missing
    ]
    where = f" in {report.convention.path}" if report.convention.path else ""
    prompt = (
        f"Format: {_STYLES[report.convention.kind]}{where}.\n"
        f"Changes since {report.release or 'the start'} with no entry:\n" + "\n".join(lines)
    )
    reply = await ask_model(engine, CHANGELOG_SYSTEM, prompt, model)
    fenced = re.search(r"```\w*\n(.*?)```", reply, re.S)
    return (fenced.group(1) if fenced else reply).strip()
