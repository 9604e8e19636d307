"""The FTS5 index: incremental by (path, mtime, size), removals, ranking, budget."""

from __future__ import annotations

import os
from pathlib import Path

from coda_ls.config import Settings
from coda_ls.knowledge import KnowledgeBase
from coda_ls.knowledge.base import HEADER
from coda_ls.knowledge.index import note_files
from coda_ls.tokens import count_tokens


def test_a_question_finds_the_matching_section_first(project: Path) -> None:
    kb = KnowledgeBase(project, Settings())
    passages = kb.search("How do we roll back a failed deploy?")
    assert passages[0].source == ".coda/knowledge/deploy.md"
    assert passages[0].heading == "Deploy > Rollback"
    assert all("coffee" not in p.text for p in passages)
    kb.close()


def test_refresh_reindexes_only_changed_notes_and_drops_deleted_ones(project: Path) -> None:
    kb = KnowledgeBase(project, Settings())
    index = kb.refresh()
    assert index is not None
    again = index.refresh(note_files(kb.dirs()))
    assert (again.indexed, again.removed, again.unchanged) == (0, 0, 2)

    office = project / ".coda" / "knowledge" / "office.md"
    office.write_text("# Office\n\nThe espresso grinder lives in room 4.\n", encoding="utf-8")
    stamp = office.stat().st_mtime_ns + 5_000_000_000
    os.utime(office, ns=(stamp, stamp))  # same-second edits must count too
    changed = index.refresh(note_files(kb.dirs()))
    assert (changed.indexed, changed.unchanged) == (1, 1)
    assert kb.search("espresso grinder")[0].source == ".coda/knowledge/office.md"
    assert kb.search("coffee descaling") == []

    office.unlink()
    assert kb.search("espresso") == []
    assert [source for source, _ in kb.notes()] == [".coda/knowledge/deploy.md"]
    kb.close()


def test_user_notes_and_extra_dirs_are_indexed_with_their_own_names(project: Path) -> None:
    user_dir = KnowledgeBase.user_dir()
    user_dir.mkdir(parents=True)
    (user_dir / "mine.md").write_text("# Mine\n\nMy zsh prompt setup.\n", encoding="utf-8")
    (project / "docs").mkdir()
    (project / "docs" / "adr.md").write_text("# ADR 7\n\nWe chose zsh.\n", encoding="utf-8")
    kb = KnowledgeBase(project, Settings.model_validate({"knowledge": {"dirs": ["docs"]}}))
    assert {p.source for p in kb.search("zsh")} == {"user:mine.md", "docs/adr.md"}
    kb.close()


def test_passages_fit_the_budget(project: Path) -> None:
    notes = project / ".coda" / "knowledge"
    for n in range(12):
        (notes / f"deploy-{n}.md").write_text(
            f"# Deploy step {n}\n\n" + f"Deploy detail {n}: " + "rollback " * 40, encoding="utf-8"
        )
    kb = KnowledgeBase(project, Settings())
    for budget in (60, 150, 400, 1200):
        chosen = kb.relevant("how do I deploy and roll back?", budget)
        assert chosen.passages, budget
        assert chosen.tokens <= budget
        assert chosen.text.startswith(HEADER)
        assert count_tokens(chosen.text) == chosen.tokens
    assert len(kb.relevant("deploy rollback", 1200).passages) > len(
        kb.relevant("deploy rollback", 150).passages
    )
    assert kb.relevant("deploy", 10).passages == []  # nothing fits a tiny budget
    kb.close()


def test_no_notes_means_no_index_file(tmp_path: Path) -> None:
    kb = KnowledgeBase(tmp_path, Settings())
    assert kb.relevant("anything at all", 800).passages == []
    assert kb.refresh() is None
