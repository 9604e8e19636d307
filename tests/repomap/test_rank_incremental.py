"""The reference graph updated in place ranks exactly as one built from scratch, and both
rank as the straightforward algorithm (kept below as the reference)."""

from __future__ import annotations

import math
import random
from collections import defaultdict
from collections.abc import Collection, Mapping
from pathlib import Path

import pytest

from coda_ls.config import RepoMapSettings
from coda_ls.repomap import pagerank, rank, weighted
from coda_ls.repomap.evidence import ROLE_SOURCE_FACTOR, path_role
from coda_ls.repomap.imports import module_matches
from coda_ls.repomap.model import FileTags, Tag
from coda_ls.repomap.rank import ReferenceGraph, rank_tags
from coda_ls.repomap.repomap import RepoMap
from coda_ls.repomap.worker import tag_bytes

Query = tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]


def reference_rank(
    files: Mapping[str, FileTags],
    focus: Collection[str],
    mentioned: Collection[str],
    idents: Collection[str],
) -> list[tuple[float, Tag]]:
    """The ranking computed the plain way: whole graph, networkx-style PageRank."""
    defines: dict[str, set[str]] = defaultdict(set)
    for path, ft in files.items():
        for tag in ft.definitions:
            defines[tag.name].add(path)
    edges: dict[tuple[str, str], float] = defaultdict(float)
    reaches: list[tuple[str, str, float, list[str]]] = []
    for src, ft in files.items():
        own = {tag.name for tag in ft.definitions}
        for name, count in ft.references.items():
            # Code definers shadow test/example ones; a file's own definition shadows others.
            targets = rank._reached(tuple(sorted(defines.get(name, ()))))
            if not targets or (len(targets) > rank.MAX_DEFINERS and name not in idents):
                continue
            weight = rank._ident_weight(name, len(targets), name in idents) * math.sqrt(count)
            others = [dst for dst in targets if dst != src]
            module = ft.imports.get(name)
            if others and module is not None:  # an import says which definer it means
                inside = [dst for dst in others if module and module_matches(dst, module)]
                if inside:
                    others = inside
                else:
                    weight *= rank.IMPORT_MISMATCH
            if others and name in own:  # the file's own definition keeps the vote
                edges[(src, src)] += weight
                weight *= rank.LOCAL_FACTOR
            for dst in others:
                edges[(src, dst)] += weight
                reaches.append((src, dst, weight, [name]))
    personalization = {
        p: (rank.FOCUS_WEIGHT if p in focus else 0.0)
        + (rank.MENTION_WEIGHT if p in mentioned else 0)
        for p in files
        if p in focus or p in mentioned
    }
    if not personalization:  # tests and examples restart walks less often than code
        personalization = {
            p: ROLE_SOURCE_FACTOR[path_role(p)] if path_role(p) else 1.0 for p in files
        }
    ranks = weighted.pagerank_of(files.keys(), edges, personalization)
    out: dict[str, float] = defaultdict(float)
    for (src, _), weight in edges.items():
        out[src] += weight
    def_rank: dict[tuple[str, str], float] = defaultdict(float)
    for src, dst, weight, (name,) in reaches:
        def_rank[(dst, name)] += ranks[src] * weight / out[src]
    scored = []
    for path, ft in files.items():
        for tag in ft.definitions:
            score = def_rank.get((path, tag.name), 0.0) + ranks[path] * 0.01
            if tag.name in idents:
                score = score * rank.IDENT_BOOST + 1.0
            if path in focus:
                score *= 0.5
            scored.append((score, tag))
    scored.sort(key=lambda item: (-item[0], item[1].path, item[1].line))
    return scored


def module(i: int, rng: random.Random, calls: int = 6, extra: str = "") -> str:
    """A module defining its own names plus widely shared ones, calling others'."""
    names = [f"helper_{j}" for j in range(30)] + [f"Model{j}" for j in range(30)]
    names += ["get", "save", "_private_thing", "shared_helper", "render_output"]
    called = "\n".join(f"    {rng.choice(names)}(value)" for _ in range(calls))
    # Some modules import what they call: from the module defining it, or from outside.
    imported = f"from m{(i + 1) % 30} import helper_{(i + 1) % 30}\n" if i % 3 == 0 else ""
    imported += "from outside.pkg import shared_helper\n" if i % 4 == 0 else ""
    shared = "    def get(self):\n        return 1\n\n" if i % 2 else ""
    return (
        imported + f"def helper_{i}(value):\n{called}\n    return value\n\n\n"
        f"class Model{i}:\n{shared}    def save(self):\n        helper_{(i + 1) % 30}(self)\n\n\n"
        + ("def render_output(x):\n    return x\n\n\n" if i % 5 == 0 else "")
        + extra
    )


def tags_of(rel: str, text: str) -> FileTags:
    return tag_bytes(rel, text.encode(), "python")


QUERIES: list[Query] = [
    ((), (), ()),
    (("m3.py",), (), ()),
    (("m1.py", "m7.py"), ("m2.py",), ("shared_helper", "get", "nowhere_defined")),
    ((), (), ("render_output",)),
]


def assert_same_ranking(graph: ReferenceGraph, files: dict[str, FileTags]) -> None:
    fresh = ReferenceGraph(files)
    for focus, mentioned, idents in QUERIES:
        got = graph.rank(focus, mentioned, idents)
        assert got == fresh.rank(focus, mentioned, idents)  # exactly: same floats, same order
        for limit in (1, 7, 40, 10_000):  # the top-k path gives the full ranking's head
            assert graph.rank(focus, mentioned, idents, limit=limit) == got[:limit]
        expected = dict(
            (tag, score)
            for score, tag in reference_rank(files, *map(set, (focus, mentioned, idents)))
        )
        assert {tag: score for score, tag in got} == pytest.approx(expected, rel=1e-9, abs=1e-15)


@pytest.mark.parametrize("merge_at", [weighted.MERGE_AT, 0, 10**9])
@pytest.mark.parametrize("vector", [False, True])
def test_updated_graph_ranks_as_a_fresh_one(
    merge_at: int, vector: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Changed definition keys kept apart (0: never merged) or merged at every change.
    monkeypatch.setattr(weighted, "MERGE_AT", merge_at)
    # PageRank and the sharing step in the loop, or with numpy (pagerank.py).
    monkeypatch.setattr(pagerank, "VECTOR_MIN_EDGES", 0 if vector else 10**9)
    rng = random.Random(7)
    files = {f"m{i}.py": tags_of(f"m{i}.py", module(i, rng)) for i in range(30)}
    graph = ReferenceGraph(files)
    assert_same_ranking(graph, files)  # also fills the graph's caches

    def change(rel: str, text: str | None) -> None:
        if text is None:
            files.pop(rel)
            graph.update(rel, None)
        else:
            files[rel] = tags_of(rel, text)
            graph.update(rel, files[rel])
        assert_same_ranking(graph, files)

    # A name everybody calls gets its first definition; then loses it again.
    change("m3.py", module(3, rng, extra="def shared_helper(v):\n    return v\n"))
    change("m3.py", module(3, rng))
    # `get` is defined in 15 files (more than MAX_DEFINERS): cross the threshold both ways.
    for i in (1, 3, 5):
        change(f"m{i}.py", "def unrelated_here():\n    return 0\n")
    change("m7.py", "x = 1\n")
    change("m9.py", "")
    change("m1.py", module(1, rng, calls=12))
    change("new_module.py", module(31, rng, extra="def shared_helper(v):\n    return v\n"))
    change("m4.py", None)
    # A test and an example defining names the code defines too: the code's copies win.
    change("tests/test_m.py", module(12, rng, extra="def helper_3(v):\n    return v\n"))
    change("examples/demo.py", module(13, rng, extra="def shared_helper(v):\n    return v\n"))
    change("m3.py", module(3, rng, extra="def shared_helper(v):\n    return v\n"))
    change("examples/demo.py", None)
    change("m11.py", module(11, rng, calls=3))  # references only, after the file set changed


def test_repo_map_after_updates_ranks_as_a_fresh_build(tmp_path: Path) -> None:
    rng = random.Random(3)
    root = tmp_path / "project"
    root.mkdir()
    for i in range(20):
        (root / f"m{i}.py").write_text(module(i, rng))
    settings = RepoMapSettings()
    live = RepoMap(root, settings, cache_dir=tmp_path / "cache-live")
    live.build()
    before = live.render(600, focus_files=[root / "m2.py"]).text
    assert before

    edited = module(2, rng, extra="def shared_helper(v):\n    return v\n")
    (root / "m2.py").write_text(edited)
    live.update(root / "m2.py", edited)  # as an unsaved buffer
    (root / "m5.py").unlink()
    live.remove(root / "m5.py")
    (root / "added.py").write_text(module(40, rng, calls=10))
    live.update(root / "added.py")  # from disk

    fresh = RepoMap(root, settings, cache_dir=tmp_path / "cache-fresh")
    fresh.build()
    for focus, mentioned, idents in QUERIES:
        focus_paths = [root / p for p in focus if p != "m5.py"]
        got = live.ranked(focus_paths, [root / p for p in mentioned], idents)
        want = fresh.ranked(focus_paths, [root / p for p in mentioned], idents)
        assert {t: s for s, t in got} == pytest.approx({t: s for s, t in want}, rel=1e-9)
        top = live.ranked(focus_paths, [root / p for p in mentioned], idents, limit=5)
        if focus or mentioned or idents:
            assert top == got[:5]
        else:  # the overview re-scores the graph's best few (relevance.overview)
            want_top = fresh.ranked(limit=5)
            assert [t for _, t in top] == [t for _, t in want_top]
            assert [s for s, _ in top] == pytest.approx([s for s, _ in want_top], rel=1e-12)
    after = live.render(600, focus_files=[root / "m2.py"])
    assert after.text == fresh.render(600, focus_files=[root / "m2.py"]).text
    assert "m5.py" not in after.files
    live.close()
    fresh.close()


def test_rank_tags_matches_the_reference_on_a_real_project() -> None:
    root = Path(__file__).resolve().parents[2] / "coda_ls"
    files = {
        p.relative_to(root).as_posix(): tags_of(p.relative_to(root).as_posix(), p.read_text())
        for p in sorted(root.rglob("*.py"))
    }
    some = sorted(files)[::7]
    for focus, mentioned, idents in [((), (), ()), (some[:2], some[2:3], ("RepoMap", "get"))]:
        got = rank_tags(files, focus, mentioned, idents)
        want = reference_rank(files, set(focus), set(mentioned), set(idents))
        assert [t for _, t in got][:200] == [t for _, t in want][:200]
        assert [s for s, _ in got] == pytest.approx([s for s, _ in want], rel=1e-9, abs=1e-15)


def test_updates_racing_renders_end_in_the_fresh_ranking(tmp_path: Path) -> None:
    import threading

    rng = random.Random(5)
    root = tmp_path / "project"
    root.mkdir()
    for i in range(15):
        (root / f"m{i}.py").write_text(module(i, rng))
    live = RepoMap(root, RepoMapSettings(), cache_dir=tmp_path / "cache-live")
    live.build()
    texts = [module(1, rng, extra=f"def shared_helper(v{j}):\n    return v{j}\n") for j in range(3)]
    texts.append(module(1, rng))
    stop = threading.Event()
    errors: list[BaseException] = []

    def render_loop() -> None:
        while not stop.is_set():
            try:
                live.render(300, focus_files=[root / "m3.py"], mentioned_idents=["get"])
            except BaseException as exc:  # reported by the test thread below
                errors.append(exc)
                return

    worker = threading.Thread(target=render_loop)
    worker.start()
    for step in range(40):
        live.update(root / "m1.py", texts[step % len(texts)])
    stop.set()
    worker.join()
    assert not errors
    (root / "m1.py").write_text(texts[39 % len(texts)])
    fresh = RepoMap(root, RepoMapSettings(), cache_dir=tmp_path / "cache-fresh")
    fresh.build()
    got = live.ranked([root / "m3.py"], (), ["get"])
    want = fresh.ranked([root / "m3.py"], (), ["get"])
    assert {t: s for s, t in got} == pytest.approx({t: s for s, t in want}, rel=1e-9)
    live.close()
    fresh.close()


def test_a_project_without_definitions_renders_without_error(tmp_path: Path) -> None:
    """Regression: ranking with no definitions at all crashed in the top-k cut."""
    from coda_ls.config import RepoMapSettings
    from coda_ls.repomap.repomap import RepoMap

    (tmp_path / "settings.py").write_text("x = 1\nprint(x)\n")
    repo_map = RepoMap(tmp_path, RepoMapSettings(), cache_dir=tmp_path / "cache")
    repo_map.build()
    rendered = repo_map.render(mentioned_idents=["x", "anything"])
    assert rendered.tokens <= 1024
    assert rendered.tags == [] or all(t.path == "settings.py" for t in rendered.tags)
