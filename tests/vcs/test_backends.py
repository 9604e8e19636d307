"""Every backend against a real repository made with its real tool (skipped if missing)."""

from __future__ import annotations

from pathlib import Path

import pytest

from coda_ls.vcs import detect
from tests.vcs.repos import RECIPES, Recipe, make_scenario

SYSTEMS = list(RECIPES)


def _recipe(system: str) -> Recipe:
    recipe = RECIPES[system]
    if not recipe.available():
        where = (
            "no Debian, PyPI or npm package provides it; install it by hand to run this"
            if system in ("jj", "pijul")
            else "CI installs it with apt-get"
        )
        pytest.skip(f"{recipe.binary} is not installed ({where})")
    return recipe


@pytest.mark.parametrize("system", SYSTEMS)
async def test_backend_on_a_real_repository(system: str, tmp_path: Path) -> None:
    recipe = _recipe(system)
    root = make_scenario(recipe, tmp_path)

    repo = detect(root / "sub")
    assert repo.name == system
    assert repo.root == root.resolve()
    assert repo.warning is None

    tracked = set(await repo.tracked_files())
    assert {"a.txt", "sub/c.py"} <= tracked
    assert not {"untracked.txt", "debug.log"} & tracked
    assert all(not (root / name).is_dir() for name in tracked)

    status = await repo.status()
    assert status.changed == ("a.txt",)
    assert status.removed == ("b.txt",)
    if system == "jj":  # jj has no untracked files: new files are simply added
        assert set(status.added) == {"new.txt", "untracked.txt"}
    else:
        assert "new.txt" in tracked
        assert status.added == ("new.txt",)
        assert status.untracked == ("untracked.txt",)

    diff = await repo.diff()
    assert "+changed line" in diff
    assert "a.txt" in diff
    only_a = await repo.diff(["a.txt"])
    assert "+changed line" in only_a
    assert "new.txt" not in only_a

    assert await repo.ignored("debug.log")
    assert not await repo.ignored("untracked.txt")
    assert not await repo.ignored(root / "a.txt")

    first = await repo.revision()
    assert first
    assert await repo.branch() == recipe.branch

    blame = await repo.blame("a.txt", 1)
    assert blame.text == "one"
    assert blame.revision is not None

    recipe.commit(root, "second")
    repo = detect(root)
    second = await repo.revision()
    assert second and second != first
    log = await repo.log(5)
    assert [entry.message for entry in log][:2] == ["second", "first"]
    assert all(entry.revision and entry.date for entry in log)
    assert (await repo.status()).changed == ()
    assert "changed line" not in await repo.diff()


def test_sync_view_gives_the_same_answers(tmp_path: Path) -> None:
    # The wrapper is the same for every backend; hg exercises a non-git parser.
    recipe = _recipe("hg")
    root = make_scenario(recipe, tmp_path)
    repo = detect(root)
    assert repo.sync.status().changed == ("a.txt",)
    assert "a.txt" in repo.sync.tracked_files()
