"""`coda docs check`: documentation that mentions symbols changed since a revision.

The changed source files come from the VCS (`changed_since`), their old text from the
VCS too (`file_at`), and both versions are compared definition by definition
(`coda_ls.checks.symbols`). Documentation files (README*, docs/ and doc/, *.md, *.rst,
*.adoc, plus any wiki checkouts given by path) are then searched for mentions.

A mention is a changed symbol's name written as code: inside `backticks` (also MyST and
Sphinx roles, {class}`Name`), called `name(`, or qualified (`Class.method`); inside a
code block, a call, an attribute `.name` or an import. Plain prose words are not
mentions: a function named `run` must not flag every sentence with "run" in it, nor a
keyword argument `prompt=` in an example every change of a function `prompt`. Test
files and local functions are not compared: documentation does not name them.
Changelogs (CHANGELOG, NEWS, HISTORY) are records of the past and are never stale.
A doc line that was itself edited since the revision counts as already updated.
"""

from __future__ import annotations

import asyncio
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from coda_ls.checks.symbols import SymbolChange, compare
from coda_ls.errors import CodaError, WorkspaceError
from coda_ls.repomap.languages import detect_language
from coda_ls.vcs import VCSBackend, detect, run_sync

if TYPE_CHECKING:
    from coda_ls.engine import Engine

DOC_SUFFIXES = (".md", ".markdown", ".rst", ".adoc", ".txt", ".wiki", ".mediawiki")
_DOC_DIRS = ("docs", "doc", "documentation", "wiki")
_RECORDS = ("changelog", "changes", "news", "history", "releases", "release-notes")
_SKIP_DIRS = {".git", ".hg", "node_modules", ".venv", "venv", "__pycache__", "_build"}


@dataclass(frozen=True)
class StaleMention:
    """A documentation line that mentions a changed symbol."""

    doc: str  # root-relative, or the wiki's path as given + relative
    line: int
    text: str
    change: SymbolChange
    file: Path  # where it is on disk (to read or patch it)

    def to_dict(self) -> dict[str, object]:
        return {
            "doc": self.doc,
            "line": self.line,
            "text": self.text,
            "symbol": self.change.qualname,
            "source": self.change.path,
            "change": self.change.kind,
            "old_signature": self.change.old_signature,
            "new_signature": self.change.new_signature,
        }


@dataclass
class DocsReport:
    """What `docs check` found: the changed definitions and their stale mentions."""

    since: str
    revision: str
    changes: list[SymbolChange] = field(default_factory=list)
    mentions: list[StaleMention] = field(default_factory=list)
    docs_scanned: int = 0

    def to_dict(self) -> dict[str, object]:
        return {
            "since": self.since,
            "revision": self.revision,
            "docs_scanned": self.docs_scanned,
            "changed_symbols": [
                {"symbol": c.qualname, "path": c.path, "change": c.kind, "describe": c.describe()}
                for c in self.changes
            ],
            "stale": [m.to_dict() for m in self.mentions],
        }


def is_record(rel: str) -> bool:
    """Whether a file is a changelog-like record (never checked for staleness)."""
    stem = PurePosixPath(rel).stem.lower().replace("_", "-")
    parts = PurePosixPath(rel).parts
    return stem in _RECORDS or any(p in ("changelog.d", "newsfragments") for p in parts)


def is_doc(rel: str) -> bool:
    """Whether a root-relative path is documentation this check reads."""
    path = PurePosixPath(rel)
    if is_record(rel):
        return False
    if path.name.lower().startswith("readme"):
        return True
    suffix = path.suffix.lower()
    if path.parts and path.parts[0].lower() in _DOC_DIRS:
        return suffix in DOC_SUFFIXES
    return suffix in DOC_SUFFIXES and suffix != ".txt"


def is_test(rel: str) -> bool:
    """Test code: documentation does not name its functions."""
    path = PurePosixPath(rel)
    if any(part in ("tests", "test", "testing", "__tests__", "spec") for part in path.parts[:-1]):
        return True
    stem = path.name.split(".", 1)[0]
    return stem.startswith("test_") or stem.endswith(("_test", "_spec")) or ".test." in path.name


def _walk_docs(base: Path) -> list[str]:
    found = []
    for dirpath, dirnames, filenames in os.walk(base):
        dirnames[:] = sorted(d for d in dirnames if d not in _SKIP_DIRS)
        for name in sorted(filenames):
            rel = (Path(dirpath) / name).relative_to(base).as_posix()
            if PurePosixPath(name).suffix.lower() in DOC_SUFFIXES and not is_record(rel):
                found.append(rel)
    return found


def resolve_since(backend: VCSBackend, since: str | None) -> str:
    """`since`, or the last release tag, or the checked-out revision (then only
    uncommitted changes count)."""
    if since:
        return since
    tagged = backend.sync.last_tag()
    if tagged is not None:
        return tagged[0]
    current = backend.sync.revision()
    if current is None:
        raise WorkspaceError(
            f"{backend.root} has no commits yet", "commit once, or give --since REV"
        )
    return current


def changed_symbols(
    backend: VCSBackend, since: str, changed: Sequence[str] | None = None
) -> list[SymbolChange]:
    """Every definition changed since `since` in the source files that changed."""
    files = backend.sync.changed_since(since) if changed is None else changed
    sources = [
        rel
        for rel in files
        if not (is_doc(rel) or is_record(rel) or is_test(rel)) and detect_language(rel)
    ]
    old_texts = run_sync(_old_texts(backend, sources, since))
    changes: list[SymbolChange] = []
    for rel in sources:
        path = backend.root / rel
        try:
            new = path.read_text(encoding="utf-8", errors="replace") if path.is_file() else None
        except OSError:
            new = None
        changes.extend(compare(rel, old_texts[rel], new))
    return changes


async def _old_texts(backend: VCSBackend, rels: Sequence[str], rev: str) -> dict[str, str | None]:
    """The files at `rev`, fetched a few at a time (one VCS process each; hg starts slowly)."""
    gate = asyncio.Semaphore(_PARALLEL)

    async def one(rel: str) -> str | None:
        async with gate:
            return await backend.file_at(rel, rev)

    texts = await asyncio.gather(*(one(rel) for rel in rels))
    return dict(zip(rels, texts, strict=True))


_PARALLEL = 6


_FENCE = re.compile(r"^\s*(```|~~~)")
_INLINE = re.compile(r"``(.+?)``|`([^`]+)`")


def _code_lines(lines: Sequence[str], rst: bool) -> set[int]:
    """0-based indexes of lines inside fenced blocks (Markdown) or literal blocks (rst)."""
    inside: set[int] = set()
    fenced = False
    literal = False
    for i, line in enumerate(lines):
        if _FENCE.match(line):
            fenced = not fenced
            continue
        if fenced:
            inside.add(i)
            continue
        if rst:
            if literal and line.strip() and not line[:1].isspace():
                literal = False
            if literal and line.strip():
                inside.add(i)
            if line.rstrip().endswith("::"):
                literal = True
    return inside


@dataclass(frozen=True)
class _Patterns:
    change: SymbolChange
    word: re.Pattern[str]  # the bare name (in a `code span`)
    call: re.Pattern[str]  # `name(` anywhere
    in_code: re.Pattern[str]  # a call, `.name` or an import, in a code block
    qualified: re.Pattern[str] | None
    defines: re.Pattern[str]  # `def name(` and the like: a definition, not a use


# Changes whose mentions are not searched: only annotations changed (a call written in a
# document is still right).
QUIET_CHANGES = frozenset({"annotations"})


def _patterns(changes: Iterable[SymbolChange]) -> list[_Patterns]:
    out = []
    for change in changes:
        if change.kind in QUIET_CHANGES:
            continue
        name = re.escape(change.name)
        qualified = None
        if change.qualname != change.name:
            qualified = re.compile(rf"(?<!\w){re.escape(change.qualname)}(?!\w)")
        call = re.compile(rf"(?<![\w.]){name}\s*\(")
        word = re.compile(rf"(?<![\w.]){name}(?!\w)")
        in_code = re.compile(
            rf"(?<![\w.]){name}\s*\(|\.{name}(?!\w)|\bimport\b.*(?<![\w.]){name}(?!\w)"
        )
        never = re.compile(r"(?!)")
        if qualified is not None and change.name != "__init__":
            # A method: `Client.send` or `send` in a code span; `send(` alone or `x.send(`
            # in an example may be any object's method (or a builtin: `open(`).
            call = never
            in_code = qualified
        if change.name == "__init__" and qualified is not None:
            # A constructor is used by calling its class, `Context(…)`; the class's name
            # alone (`Context.invoke`) is about the class, not its constructor.
            cls = re.escape(change.qualname.rsplit(".", 2)[-2])
            call = word = in_code = re.compile(rf"(?<![\w.]){cls}\s*\(")
            name = cls
        defines = re.compile(rf"\b(def|function|fn|func|fun|sub|class)\s+{name}\b")
        out.append(_Patterns(change, word, call, in_code, qualified, defines))
    return out


def find_mentions(
    doc: str,
    file: Path,
    text: str,
    changes: Sequence[SymbolChange],
    edited: set[int] | None = None,
) -> list[StaleMention]:
    """The lines of one document that mention a changed symbol as code. `edited` holds
    line numbers changed since the revision (those are taken as already updated)."""
    lines = text.splitlines()
    code = _code_lines(lines, rst=doc.lower().endswith(".rst"))
    found: list[StaleMention] = []
    patterns = _patterns(changes)
    for i, line in enumerate(lines):
        if edited and i + 1 in edited:
            continue
        spans = " ".join(a or b for a, b in _INLINE.findall(line))
        for p in patterns:
            if p.defines.search(line):
                continue  # an example defining its own `def name(`: not a use of ours
            if i in code:
                hit = p.in_code.search(line) is not None
            else:
                hit = p.word.search(spans) is not None or p.call.search(line) is not None
            if hit or (p.qualified is not None and p.qualified.search(line) is not None):
                found.append(StaleMention(doc, i + 1, line.strip(), p.change, file))
    return found


def _edited_lines(old: str | None, new: str) -> set[int]:
    """Line numbers of `new` that are not in `old` unchanged (difflib's view)."""
    import difflib

    if old is None:
        return set(range(1, new.count("\n") + 2))
    matcher = difflib.SequenceMatcher(None, old.splitlines(), new.splitlines(), autojunk=False)
    kept: set[int] = set()
    for block in matcher.get_matching_blocks():
        kept.update(range(block.b + 1, block.b + block.size + 1))
    return set(range(1, len(new.splitlines()) + 1)) - kept


def check_docs(root: Path, since: str | None = None, wikis: Sequence[Path] = ()) -> DocsReport:
    """Stale documentation mentions in the repository at `root` (and the `wikis`)."""
    backend = detect(root)
    since = resolve_since(backend, since)
    # Resolved once: every later query gets the full id (no lookup per file).
    revision = backend.sync.resolve(since)
    changed_files = backend.sync.changed_since(revision)
    report = DocsReport(since, revision, changed_symbols(backend, revision, changed_files))
    if not report.changes:
        return report
    docs = [rel for rel in backend.sync.tracked_files() if is_doc(rel)]
    for rel in docs:
        path = backend.root / rel
        if not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        edited = None
        if rel in changed_files:
            edited = _edited_lines(backend.sync.file_at(rel, revision), text)
        report.mentions.extend(find_mentions(rel, path, text, report.changes, edited))
    report.docs_scanned = len(docs)
    for wiki in wikis:
        if not wiki.is_dir():
            raise WorkspaceError(f"wiki checkout {wiki} is not a directory", "give the wiki's path")
        for rel in _walk_docs(wiki):
            text = (wiki / rel).read_text(encoding="utf-8", errors="replace")
            shown = f"{wiki.name}/{rel}"
            report.mentions.extend(find_mentions(shown, wiki / rel, text, report.changes))
            report.docs_scanned += 1
    return report


DOCS_SYSTEM = (
    "You keep a project's documentation in step with its code. You get one documentation "
    "file and the code symbols it mentions whose signatures or behaviour changed. Update "
    "only what the changes make wrong; keep everything else byte for byte. Reply with a "
    "unified diff of that one file (--- a/PATH, +++ b/PATH, @@ hunks with 3 lines of "
    "context) in a ```diff block, and nothing else."
)


@dataclass(frozen=True)
class Proposal:
    """A model-proposed update of one document: the diff, and whether it applies."""

    doc: str
    diff: str
    error: str | None = None  # why it does not apply (None: it does)

    def to_dict(self) -> dict[str, object]:
        return {
            "doc": self.doc,
            "diff": self.diff,
            "applies": self.error is None,
            "error": self.error,
        }


def docs_prompt(doc: str, text: str, mentions: Sequence[StaleMention]) -> str:
    """The request for one document: its text and each change it is stale about."""
    seen: dict[str, SymbolChange] = {}
    for mention in mentions:
        seen.setdefault(mention.change.qualname, mention.change)
    changes = "\n".join(f"- {c.qualname} ({c.path}): {c.describe()}" for c in seen.values())
    lines = ", ".join(str(m.line) for m in mentions)
    return (
        f"File: {doc}\nStale lines: {lines}\n\nChanged symbols:\n{changes}\n\n"
        f"Current contents of {doc}:\n```\n{text}```\n"
    )


async def propose_fixes(
    engine: Engine, report: DocsReport, model: str | None = None
) -> list[Proposal]:
    """Ask the model for one diff per stale document, each checked against the file."""
    from coda_ls.checks.propose import apply_unified, ask_model, extract_diff

    by_doc: dict[str, list[StaleMention]] = {}
    for mention in report.mentions:
        by_doc.setdefault(mention.doc, []).append(mention)
    proposals = []
    for doc, mentions in by_doc.items():
        text = mentions[0].file.read_text(encoding="utf-8", errors="replace")
        reply = await ask_model(engine, DOCS_SYSTEM, docs_prompt(doc, text, mentions), model)
        diff = extract_diff(reply)
        error = None
        if not diff:
            error = "the model's reply has no unified diff"
        else:
            try:
                apply_unified(text, diff)
            except CodaError as exc:
                error = exc.message
        proposals.append(Proposal(doc, diff, error))
    return proposals
