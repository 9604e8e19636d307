"""Project rules files: the instructions a project writes for AI assistants, read into the
system prompt.

Sources, in this order (the order is also their priority: when the token cap is reached,
what comes later is cut first, and the prompt tells the model that earlier sections win
when two disagree):

1. `.coda/rules/*.md`, sorted by name: written for Coda itself.
2. `AGENTS.md` nearest to the file in question, looking up the tree from its folder to
   the workspace root (only when it is below the root: the root's is next).
3. `AGENTS.md` at the workspace root.
4. `CLAUDE.md`, 5. `GEMINI.md`, 6. `.cursorrules`, 7. `.github/copilot-instructions.md`
   (other assistants' files, at the workspace root, when present).

Settings: `rules = true` (the default: the list above), `rules = false` (none), or a
list of root-relative names or globs read in the given order (`["AGENTS.md",
"docs/STYLE.md"]`; `AGENTS.md` keeps its nearest-up-the-tree behaviour). The whole block
is capped at `rules_max_tokens` (default 2000).

A file is read at most once: the same file reached twice (a `CLAUDE.md` symlinked to
`AGENTS.md`) or a byte-identical copy is listed as a duplicate. Files outside the
workspace (a symlink pointing out), binary files and empty files are skipped; a file that
is not UTF-8 is read with its undecodable bytes replaced; only the first
`MAX_RULES_BYTES` of a huge file are read. Every decision is in `Rules.files`, which
`coda context` shows (tokens per file, and what was cut).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from coda_ls.tokens import count_tokens

log = logging.getLogger(__name__)

NEAREST_AGENTS = "AGENTS.md"  # the one name looked up the tree from the file in question
DEFAULT_SOURCES: tuple[str, ...] = (
    ".coda/rules/*.md",
    NEAREST_AGENTS,
    "CLAUDE.md",
    "GEMINI.md",
    ".cursorrules",
    ".github/copilot-instructions.md",
)
DEFAULT_MAX_TOKENS = 2000
CHARS_PER_TOKEN_MAX = 16
SEPARATOR_TOKENS = 2  # the blank line between sections, counted generously
MAX_RULES_BYTES = 256_000  # a rules file bigger than this is surely not all rules
HEADER = (
    "Project rules (from the project's instruction files, most specific first; follow "
    "them, and when two disagree the earlier one wins):"
)

Status = Literal[
    "included", "truncated", "omitted", "duplicate", "empty", "binary", "outside", "unreadable"
]


@dataclass(frozen=True)
class RuleFile:
    """One candidate file and what became of it. `tokens` is what the prompt holds of it,
    `full_tokens` what the whole file would have cost."""

    path: str  # relative to the workspace root
    status: Status
    tokens: int = 0
    full_tokens: int = 0
    note: str = ""

    def line(self) -> str:
        """One line for `coda context`."""
        if self.status == "included":
            text = f"{self.path}: {self.tokens} tokens"
        elif self.status == "truncated":
            text = f"{self.path}: {self.tokens} of {self.full_tokens} tokens (truncated at the cap)"
        elif self.status == "omitted":
            text = f"{self.path}: left out ({self.full_tokens} tokens; the cap was reached)"
        else:
            text = f"{self.path}: skipped ({self.status})"
        return f"{text}; {self.note}" if self.note else text


@dataclass(frozen=True)
class Rules:
    """The rules block for the system prompt, and the account of every file considered."""

    text: str = ""
    files: tuple[RuleFile, ...] = ()
    max_tokens: int = DEFAULT_MAX_TOKENS
    enabled: bool = True
    tokens: int = 0  # of `text`, the header included

    @property
    def included(self) -> list[RuleFile]:
        return [f for f in self.files if f.status in ("included", "truncated")]

    def lines(self) -> list[str]:
        """What `coda context` prints: one line per file, then the total."""
        if not self.enabled:
            return ["rules files are off (rules = false)"]
        if not self.files:
            return ["no rules files found (AGENTS.md, CLAUDE.md, .coda/rules/*.md …)"]
        out = [f.line() for f in self.files]
        out.append(f"total: {self.tokens} of {self.max_tokens} tokens (rules_max_tokens)")
        return out


@dataclass
class _Candidate:
    path: Path
    shown: str


@dataclass
class _Reader:
    root: Path
    seen_paths: dict[Path, str] = field(default_factory=dict)
    seen_hashes: dict[str, str] = field(default_factory=dict)


def load_rules(
    root: Path,
    near: Path | None = None,
    *,
    sources: bool | Sequence[str] = True,
    max_tokens: int = DEFAULT_MAX_TOKENS,
) -> Rules:
    """The rules for a request about `near` (a file or folder; None: the root) in the
    workspace `root`, capped at `max_tokens`. Never raises for a bad file: it is skipped
    and said so in `Rules.files`."""
    if sources is False:
        return Rules(max_tokens=max_tokens, enabled=False)
    names = DEFAULT_SOURCES if sources is True else tuple(sources)
    root = root.resolve()
    reader = _Reader(root)
    files: list[RuleFile] = []
    sections: list[str] = []
    budget = max(0, max_tokens - count_tokens(HEADER) - 1)
    for candidate in _candidates(root, near, names):
        record, text = _read(reader, candidate)
        if text is None:
            files.append(record)
            continue
        section = f"## {candidate.shown}\n{text.strip()}"
        cost = count_tokens(section) + SEPARATOR_TOKENS
        if cost <= budget:
            sections.append(section)
            files.append(_with(record, "included", cost, cost))
            budget -= cost
            continue
        room = budget - SEPARATOR_TOKENS
        kept = _truncate(section, room, max_tokens) if room > 32 else ""
        if kept:
            sections.append(kept)
            used = count_tokens(kept) + SEPARATOR_TOKENS
            files.append(_with(record, "truncated", used, cost))
            budget = 0
        else:
            files.append(_with(record, "omitted", 0, cost))
    text = f"{HEADER}\n\n" + "\n\n".join(sections) if sections else ""
    tokens = count_tokens(text) if text else 0
    return Rules(text=text, files=tuple(files), max_tokens=max_tokens, tokens=tokens)


def _with(record: RuleFile, status: Status, tokens: int, full: int) -> RuleFile:
    return RuleFile(record.path, status, tokens, full, record.note)


def _candidates(root: Path, near: Path | None, names: Sequence[str]) -> list[_Candidate]:
    """Every existing file the sources name, in order (duplicates are caught later)."""
    out: list[_Candidate] = []
    for name in names:
        if name == NEAREST_AGENTS:
            nearest = _nearest(root, near, NEAREST_AGENTS)
            if nearest is not None:
                out.append(nearest)  # then the root's, below
        if any(ch in name for ch in "*?["):
            matches = sorted(p for p in root.glob(name) if p.is_file())
            out.extend(_Candidate(p, p.relative_to(root).as_posix()) for p in matches)
            continue
        path = root / name
        if path.is_file():
            out.append(_Candidate(path, name))
    return out


def _nearest(root: Path, near: Path | None, name: str) -> _Candidate | None:
    """`name` in the folder of `near` or the closest folder above it, below `root`."""
    if near is None:
        return None
    try:
        here = near.resolve()
    except OSError:
        return None
    folder = here if here.is_dir() else here.parent
    if not folder.is_relative_to(root):
        return None
    while folder != root:
        found = folder / name
        if found.is_file():
            return _Candidate(found, found.relative_to(root).as_posix())
        folder = folder.parent
    return None


def _read(reader: _Reader, candidate: _Candidate) -> tuple[RuleFile, str | None]:
    """(the file's record so far, its text); text None when the file is skipped."""
    shown = candidate.shown
    try:
        real = candidate.path.resolve()
    except OSError as exc:
        return RuleFile(shown, "unreadable", note=str(exc)), None
    if not real.is_relative_to(reader.root):
        return RuleFile(shown, "outside", note=f"points to {real}, outside the workspace"), None
    if real in reader.seen_paths:
        same = reader.seen_paths[real]
        return RuleFile(shown, "duplicate", note=f"the same file as {same}"), None
    reader.seen_paths[real] = shown
    try:
        with real.open("rb") as handle:
            data = handle.read(MAX_RULES_BYTES + 1)
    except OSError as exc:
        return RuleFile(shown, "unreadable", note=exc.strerror or str(exc)), None
    notes: list[str] = []
    if len(data) > MAX_RULES_BYTES:
        data = data[:MAX_RULES_BYTES]
        notes.append(f"only its first {MAX_RULES_BYTES:,} bytes read")
    if b"\0" in data[:8192] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return RuleFile(shown, "binary"), None
    digest = hashlib.sha256(data.strip()).hexdigest()
    if digest in reader.seen_hashes:
        same = reader.seen_hashes[digest]
        return RuleFile(shown, "duplicate", note=f"same text as {same}"), None
    reader.seen_hashes[digest] = shown
    text, note = _decode(data)
    if note:
        notes.append(note)
    if not text.strip():
        return RuleFile(shown, "empty"), None
    return RuleFile(shown, "included", note="; ".join(notes)), text


def _decode(data: bytes) -> tuple[str, str]:
    """The text of a rules file, and a note when it was not plain UTF-8."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace"), "UTF-16"
    try:
        return data.decode("utf-8-sig"), ""
    except UnicodeDecodeError:
        return data.decode("utf-8", errors="replace"), "not UTF-8: undecodable bytes replaced"


def _truncate(section: str, budget: int, cap: int) -> str:
    """The longest prefix of `section` that fits `budget` with the marker, cut at a line
    end when there is one past the heading (a one-line minified file is cut mid-line)."""
    marker = f"\n[… truncated: rules_max_tokens = {cap} reached]"
    room = budget - count_tokens(marker)
    heading_end = section.find("\n") + 1
    if room <= 0 or heading_end <= 0:
        return ""
    # No token of prose is longer than ~16 characters: searching further is wasted work
    # (a 10 MB file would otherwise be tokenized at 17 prefix lengths up to 256 KB).
    low, high = 0, min(len(section), room * CHARS_PER_TOKEN_MAX)
    while low < high:  # the most characters that fit
        middle = (low + high + 1) // 2
        if count_tokens(section[:middle]) <= room:
            low = middle
        else:
            high = middle - 1
    line_end = section.rfind("\n", heading_end, low)
    kept = section[:line_end] if line_end > heading_end else section[:low]
    if len(kept) <= heading_end:  # nothing past the heading would fit
        return ""
    return kept.rstrip() + marker
