"""The knowledge base of a project: where its notes live, what a question gets from them.

Notes come from the project's `.coda/knowledge/` (checked in, shared through the VCS), the
user's `<config dir>/knowledge/`, any `[knowledge] dirs`, and the team store when one is
configured. For a question, the passages sharing its content words are ranked (BM25
locally, ts_rank in PostgreSQL), taken alternately from the local and team results, and
added best first while they fit the token budget.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from coda_ls import paths
from coda_ls.errors import CodaError
from coda_ls.knowledge.index import IndexHit, KnowledgeIndex, index_path, note_files
from coda_ls.knowledge.notes import write_note
from coda_ls.knowledge.query import fts_query, question_terms
from coda_ls.tokens import count_tokens

if TYPE_CHECKING:
    from coda_ls.config import Settings

log = logging.getLogger(__name__)

PROJECT_DIR = Path(".coda") / "knowledge"
CANDIDATES = 24  # passages ranked per source before the budget picks
MIN_USEFUL_TOKENS = 24  # below this, what is left of the budget holds no passage
HEADER = "Knowledge base (notes the team wrote; rely on them where they apply, and say so):"


@dataclass(frozen=True)
class Passage:
    """One passage of a note: where it is from, under which heading, its text."""

    source: str  # `.coda/knowledge/deploy.md`, `user:deploy.md` or `team:deploy`
    heading: str
    text: str
    rank: int = 0  # position in its source's ranking (0 = best)

    @property
    def label(self) -> str:
        return f"{self.source} § {self.heading}" if self.heading else self.source

    def render(self) -> str:
        return f"From {self.label}:\n{self.text}"


@dataclass
class KnowledgeSelection:
    """The passages chosen for one question, and their cost."""

    passages: list[Passage] = field(default_factory=list)
    tokens: int = 0

    @property
    def text(self) -> str:
        if not self.passages:
            return ""
        return HEADER + "\n\n" + "\n\n".join(p.render() for p in self.passages)

    @property
    def sources(self) -> list[str]:
        return [p.label for p in self.passages]


TeamSearch = Callable[[Sequence[str], int], list[Passage]]
"""(question terms, limit) -> the team store's best passages (coda_ls.team)."""


class KnowledgeBase:
    """Notes of one project root. Opens its index on first use; thread-safe."""

    def __init__(self, root: Path, settings: Settings) -> None:
        self.root = root.resolve()
        self.settings = settings
        self._team_search: TeamSearch | None = None  # the team store's, opened on first use
        self._team_opened = False
        self._index: KnowledgeIndex | None = None
        self._lock = threading.Lock()
        self._closers: list[Callable[[], None]] = []  # the team store, once opened

    def update_settings(self, settings: Settings) -> None:
        self.settings = settings
        self.close()  # the team store may have changed: opened again when next needed

    # -- where notes live -------------------------------------------------------------

    @property
    def project_dir(self) -> Path:
        return self.root / PROJECT_DIR

    @staticmethod
    def user_dir() -> Path:
        return paths.config_dir() / "knowledge"

    def dirs(self) -> list[Path]:
        extra = [(self.root / d).expanduser() for d in self.settings.knowledge.dirs]
        return [self.project_dir, self.user_dir(), *extra]

    def note_paths(self, *, user: bool = True) -> list[Path]:
        """The local notes' files (the project's only, without `user`)."""
        dirs = self.dirs() if user else [self.project_dir]
        return [Path(path) for path in note_files(dirs)]

    def source_of(self, path: str | Path) -> str:
        """How a note is named to the user and the model (never an absolute path)."""
        resolved = Path(path)
        user = self.user_dir().resolve()
        if resolved.is_relative_to(user):
            return "user:" + resolved.relative_to(user).as_posix()
        if resolved.is_relative_to(self.root):
            return resolved.relative_to(self.root).as_posix()
        return resolved.name

    # -- the index --------------------------------------------------------------------

    def refresh(self) -> KnowledgeIndex | None:
        """The index brought up to date with the notes on disk; None when there are no
        notes at all (then no index file is created)."""
        files = note_files(self.dirs())
        with self._lock:
            if self._index is None:
                if not files:
                    return None
                self._index = KnowledgeIndex(index_path(paths.cache_dir(), self.root))
            index = self._index
        index.refresh(files)
        return index

    def notes(self) -> list[tuple[str, int]]:
        """(source, passages) of every local note."""
        index = self.refresh()
        if index is None:
            return []
        return [(self.source_of(path), count) for path, count in index.counts().items()]

    # -- questions --------------------------------------------------------------------

    def search(self, question: str, limit: int = CANDIDATES) -> list[Passage]:
        """Passages for `question`, best first: local and team results alternately."""
        terms = question_terms(question)
        if not terms:
            return []
        local = self._local(question, limit)
        team = self._team(terms, limit)
        merged: list[Passage] = []
        seen: set[tuple[str, str]] = set()
        for index in range(max(len(local), len(team))):
            for ranked in (local, team):
                if index < len(ranked):
                    passage = ranked[index]
                    key = (passage.heading, passage.text)  # a note both local and pushed
                    if key not in seen:
                        seen.add(key)
                        merged.append(passage)
        return merged[:limit]

    def relevant(self, question: str, max_tokens: int) -> KnowledgeSelection:
        """The best passages for `question` that fit `max_tokens` together (the header
        counted); a passage too big for what is left is skipped for a smaller one."""
        selection = KnowledgeSelection()
        if max_tokens <= MIN_USEFUL_TOKENS:
            return selection
        left = max_tokens - count_tokens(HEADER) - 2
        for passage in self.search(question):
            cost = count_tokens(passage.render()) + 2
            if cost <= left:
                selection.passages.append(passage)
                left -= cost
            if left < MIN_USEFUL_TOKENS:
                break
        if selection.passages:
            selection.tokens = count_tokens(selection.text)
        return selection

    def add(self, title: str, body: str, *, user: bool = False, origin: str | None = None) -> Path:
        """Save a note in the project's (or the user's) knowledge directory."""
        directory = self.user_dir() if user else self.project_dir
        return write_note(directory, title, body, origin)

    def close(self) -> None:
        with self._lock:
            if self._index is not None:
                self._index.close()
                self._index = None
            for close in self._closers:
                close()
            self._closers.clear()
            self._team_opened = False
            self._team_search = None

    def _local(self, question: str, limit: int) -> list[Passage]:
        match = fts_query(question)
        index = self.refresh()
        if index is None or match is None:
            return []
        return [self._passage(hit, rank) for rank, hit in enumerate(index.search(match, limit))]

    def _passage(self, hit: IndexHit, rank: int) -> Passage:
        return Passage(self.source_of(hit.path), hit.heading, hit.text, rank)

    def _team(self, terms: Sequence[str], limit: int) -> list[Passage]:
        search = self._team_searcher()
        if search is None:
            return []
        try:
            return search(terms, limit)
        except CodaError as exc:  # the team store is an aid: local notes still count
            log.warning("team knowledge search failed: %s", exc.message)
            return []

    def _team_searcher(self) -> TeamSearch | None:
        if not self._team_opened:
            self._team_opened = True
            if self.settings.team.database_url is not None:
                from coda_ls.team import open_team

                try:
                    team = open_team(self.settings)
                except CodaError as exc:
                    log.warning("team store unavailable: %s", exc.message)
                else:
                    self._team_search = team.knowledge_passages
                    self._closers.append(team.close)
        return self._team_search
