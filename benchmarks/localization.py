"""Fix-commit localization: does the map of a question show the files its fix changed?

    python benchmarks/localization.py [--commits 30] [--budgets 1024 2048 4096]
        [--baseline /work/wt-baseline] [--mirrors /work/.mirror] [--no-aider]
    python benchmarks/localization.py --overview      # Django 5.2.8 / Flask 3.1.0, no question

Corpus (the selection rule): for each repository below, its non-merge commits, newest
first, whose subject starts with "Fix" and whose diff against its one parent modifies
1-3 non-test source files (the repository's language extensions; test files are
`tests?/`, `__tests__/`, `spec/`, `test_*`, `*_test.*`, `*.test.*`, `*.spec.*`,
`conftest.py`) and adds, deletes or renames none; the first `--commits` of them.
Each commit: the tree at its parent is checked out, its message (without trailers) is the
question, the modified source files are the answer.

Systems, side by side in one run:
  today  Coda at `--baseline` (a worktree of main), the map rendered through its engine path
  new    Coda of this tree, the same way (`benchmarks/localize_driver.py` under each tree)
  aider  aider-chat's RepoMap.get_repo_map in its own venv (created by this script), with
         its own identifier rule (words of the text, file-name mentions) and the budget as
         given (map_mul_no_files=1: no 8x inflation when no file is in the chat)
  bm25   plain BM25 over the files' text (identifiers split into words), paths listed in
         rank order until the budget is spent
Metrics per budget: hit@map (a changed file is in the map), hit@5 (in its first five
files), MRR (1 / position of the first changed file in the map's file order, 0 if
absent), recall (share of changed files in the map).

The repositories come from the search tool's `fetch` (git directories under --mirrors,
named `owner+name/repo`); each is cloned (shared, no copy of objects) under /tmp.
Nothing fetched is committed; aider is pip-installed at run time into --aider-venv.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import subprocess
import sys
import tarfile
import tempfile
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
TREE = HERE.parent
REPOSITORIES = (  # (owner/name, language, source extensions)
    ("pallets/flask", "python", (".py",)),
    ("psf/requests", "python", (".py",)),
    ("pytest-dev/pytest", "python", (".py",)),
    ("spf13/cobra", "go", (".go",)),
    ("gin-gonic/gin", "go", (".go",)),
    ("expressjs/express", "javascript", (".js", ".mjs", ".cjs")),
    ("mochajs/mocha", "javascript", (".js", ".mjs", ".cjs")),
    ("BurntSushi/ripgrep", "rust", (".rs",)),
)
TEST_PATH = re.compile(
    r"(^|/)(tests?|__tests__|spec|testdata)/|(^|/)test_[^/]*$|_test\.\w+$|\.test\.\w+$"
    r"|\.spec\.\w+$|(^|/)conftest\.py$"
)
TRAILER = re.compile(r"^(Signed-off-by|Co-authored-by|Reviewed-by|Change-Id):", re.I | re.M)
AIDER_VERSION = "aider-chat==0.86.2"
WORK = Path(tempfile.gettempdir()) / "coda-loc"


# -- the corpus ------------------------------------------------------------------------


@dataclass(frozen=True)
class Task:
    repo: str
    commit: str
    parent: str
    question: str
    answer: tuple[str, ...]


def git(gitdir: Path | str, *args: str, cwd: Path | None = None) -> str:
    cmd = ["git", *(["--git-dir", str(gitdir)] if gitdir else []), *args]
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=cwd, check=True)
    return done.stdout


def select_commits(gitdir: Path, repo: str, exts: Sequence[str], limit: int) -> list[Task]:
    """The selection rule of the module docstring."""
    log = git(gitdir, "log", "--no-merges", "--format=%x00%H %P%x01%B%x01", "--name-status")
    tasks: list[Task] = []
    for record in log.split("\0")[1:]:
        head, message, changes = record.split("\x01")
        commit, *parents = head.split()
        subject = message.strip().splitlines()[0] if message.strip() else ""
        if len(parents) != 1 or not subject.startswith("Fix"):
            continue
        source: list[str] = []
        ok = True
        for row in changes.strip().splitlines():
            status, *paths = row.split("\t")
            if not any(p.endswith(tuple(exts)) and not TEST_PATH.search(p) for p in paths):
                continue
            if status != "M":
                ok = False
                break
            source.append(paths[0])
        if not ok or not 1 <= len(source) <= 3:
            continue
        question = TRAILER.sub("", message).strip()
        question = "\n".join(line for line in question.splitlines() if line.strip())
        tasks.append(Task(repo, commit, parents[0], question, tuple(source)))
        if len(tasks) >= limit:
            break
    return tasks


def checkout(gitdir: Path, name: str, commit: str) -> Path:
    """A work tree of the repository at `commit` (one per repository, reused)."""
    dest = WORK / name
    if not (dest / ".git").exists():
        dest.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["git", "clone", "-q", "--shared", "--no-checkout", str(gitdir), str(dest)],
            check=True,
        )
    git("", "checkout", "-q", "-f", "--detach", commit, cwd=dest)
    git("", "clean", "-q", "-fd", "-e", ".aider.tags.cache.v*", cwd=dest)
    return dest


# -- the systems -----------------------------------------------------------------------


class Worker:
    """A long-lived subprocess answering one JSON line per request."""

    def __init__(self, cmd: list[str], env: dict[str, str] | None = None) -> None:
        WORK.mkdir(parents=True, exist_ok=True)
        self.log = open(WORK / f"{Path(cmd[-1]).stem}-{len(cmd)}-{os.getpid()}.log", "w")  # noqa: SIM115
        self.proc = subprocess.Popen(
            cmd,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.log,
            text=True,
            env={**os.environ, **(env or {})},
        )

    def ask(self, request: dict[str, Any]) -> dict[str, Any]:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(json.dumps(request) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"worker {self.proc.args} died")
        answer: dict[str, Any] = json.loads(line)
        return answer

    def close(self) -> None:
        if self.proc.stdin:
            self.proc.stdin.close()
        self.proc.wait(timeout=60)


def coda_worker(tree: Path) -> Worker:
    return Worker(
        [sys.executable, str(HERE / "localize_driver.py")],
        {"PYTHONPATH": str(tree), "CODA_LOG_LEVEL": "ERROR"},
    )


_AIDER_DRIVER = r"""
import json, os, re, sys, time
from collections import defaultdict
from pathlib import Path
from aider.io import InputOutput
from aider.models import Model
from aider.repomap import RepoMap

answers, sys.stdout = sys.stdout, sys.stderr  # aider prints warnings to stdout
io = InputOutput(pretty=False, yes=True)
model = Model("gpt-4o")
maps = {}

def file_mentions(text, rel_files):
    # aider's Coder.get_file_mentions: whole paths, or unique basenames that are no plain word
    words = {w.rstrip(",.!;:?").strip("\"'`*_") for w in text.split()}
    found, by_name = set(), defaultdict(list)
    for rel in rel_files:
        if rel in words:
            found.add(rel)
        name = os.path.basename(rel)
        if any(c in name for c in "/\\._-"):
            by_name[name].append(rel)
    for name, rels in by_name.items():
        if len(rels) == 1 and name in words:
            found.add(rels[0])
    return found

def ident_file_matches(idents, rel_files):
    # aider's Coder.get_ident_filename_matches
    stems = defaultdict(set)
    for rel in rel_files:
        base = Path(rel).with_suffix("").name.lower()
        if len(base) >= 5:
            stems[base].add(rel)
    out = set()
    for ident in idents:
        if len(ident) >= 5:
            out.update(stems[ident.lower()])
    return out

for line in sys.stdin:
    req = json.loads(line)
    root, text, files = req["root"], req["question"], req["files"]
    started = time.perf_counter()
    idents = set(re.split(r"\W+", text))  # aider's Coder.get_ident_mentions
    fnames = file_mentions(text, files) | ident_file_matches(idents, files)
    out = {}
    for budget in req["budgets"]:
        rm = RepoMap(map_tokens=budget, root=root, main_model=model, io=io,
                     map_mul_no_files=1, refresh="always")
        text_map = rm.get_repo_map([], [os.path.join(root, f) for f in files],
                                   mentioned_fnames=fnames, mentioned_idents=idents) or ""
        order = []
        for row in text_map.splitlines():
            if not row or row[0] in " \t\u22ee\u2502":
                continue
            name = row.rstrip(":")
            if name in files and name not in order:
                order.append(name)
        out[str(budget)] = order
    print(json.dumps({"files": out, "seconds": time.perf_counter() - started}),
          file=answers, flush=True)
"""


def aider_worker(venv: Path) -> Worker | str:
    python = venv / "bin" / "python"
    if not python.exists():
        print(f"installing {AIDER_VERSION} into {venv} ...", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        done = subprocess.run(
            [str(python), "-m", "pip", "install", "-q", AIDER_VERSION], capture_output=True
        )
        if done.returncode != 0:
            return f"aider not installed: {done.stderr.decode()[-300:]}"
    script = WORK / "aider_driver.py"
    script.parent.mkdir(parents=True, exist_ok=True)
    script.write_text(_AIDER_DRIVER)
    home = Path(tempfile.mkdtemp(prefix="aider-home-"))
    env = {"HOME": str(home), "AIDER_ANALYTICS": "false", "LITELLM_LOCAL_MODEL_COST_MAP": "True"}
    return Worker([str(python), str(script)], env)


WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*")
CAMEL = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+")
STOP = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "for",
        "from",
        "has",
        "have",
        "in",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "that",
        "the",
        "this",
        "to",
        "was",
        "were",
        "will",
        "with",
        "not",
        "no",
        "when",
        "if",
    ]
)


def words(text: str) -> list[str]:
    out = []
    for token in WORD.findall(text):
        parts = CAMEL.findall(token)
        for part in parts if len(parts) > 1 else [token]:
            low = part.lower()
            if len(low) > 1 and low not in STOP:
                out.append(low)
    return out


def bm25_rank(root: Path, files: Sequence[str], question: str) -> list[str]:
    """Plain BM25 (k1 1.2, b 0.75) of the files' text and path against the question."""
    docs: dict[str, Counter[str]] = {}
    for rel in files:
        try:
            text = (root / rel).read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        docs[rel] = Counter(words(rel + " " + text))
    n = len(docs) or 1
    avg = sum(sum(c.values()) for c in docs.values()) / n or 1.0
    df: Counter[str] = Counter()
    for counts in docs.values():
        df.update(counts.keys())
    terms = set(words(question))
    scores = []
    for rel, counts in docs.items():
        length = sum(counts.values())
        score = 0.0
        for term in terms:
            tf = counts.get(term, 0)
            if tf:
                idf = math.log(1 + (n - df[term] + 0.5) / (df[term] + 0.5))
                score += idf * tf * 2.2 / (tf + 1.2 * (0.25 + 0.75 * length / avg))
        scores.append((-score, rel))
    scores.sort()
    return [rel for _, rel in scores]


def bm25_map(ranked: Sequence[str], budget: int) -> list[str]:
    from coda_ls.tokens import count_tokens

    shown, used = [], 0
    for rel in ranked:
        used += count_tokens(rel + "\n")
        if used > budget:
            break
        shown.append(rel)
    return shown


# -- metrics ---------------------------------------------------------------------------


@dataclass
class Score:
    n: int = 0
    hit_map: float = 0.0
    hit5: float = 0.0
    mrr: float = 0.0
    recall: float = 0.0
    seconds: float = 0.0
    per_repo: dict[str, list[float]] = field(default_factory=dict)

    def add(self, repo: str, shown: Sequence[str], answer: Iterable[str]) -> None:
        wanted = set(answer)
        positions = [i for i, rel in enumerate(shown) if rel in wanted]
        values = [
            1.0 if positions else 0.0,
            1.0 if positions and positions[0] < 5 else 0.0,
            1.0 / (positions[0] + 1) if positions else 0.0,
            len(positions) / len(wanted),
        ]
        self.n += 1
        self.hit_map += values[0]
        self.hit5 += values[1]
        self.mrr += values[2]
        self.recall += values[3]
        acc = self.per_repo.setdefault(repo, [0.0] * 5)
        for i, v in enumerate(values):
            acc[i] += v
        acc[4] += 1

    def row(self) -> str:
        n = self.n or 1
        return (
            f"{self.hit_map / n:>8.0%}{self.hit5 / n:>8.0%}{self.mrr / n:>8.3f}"
            f"{self.recall / n:>8.0%}{self.seconds / n:>8.2f}s"
        )


def source_files(root: Path, exts: Sequence[str]) -> list[str]:
    listed = git("", "ls-files", cwd=root).splitlines()
    return [f for f in listed if f.endswith(tuple(exts))]


def run(args: argparse.Namespace) -> None:
    budgets: list[int] = args.budgets
    workers: dict[str, Worker] = {"today": coda_worker(args.baseline), "new": coda_worker(TREE)}
    notes: list[str] = []
    if not args.no_aider:
        aider = aider_worker(args.aider_venv)
        if isinstance(aider, str):
            notes.append(aider)
        else:
            workers["aider"] = aider
    systems = [*workers, "bm25"]
    scores = {(s, b): Score() for s in systems for b in budgets}
    corpus: list[tuple[Task, Path, Sequence[str]]] = []
    for repo, _language, exts in REPOSITORIES:
        if args.repos and repo not in args.repos:
            continue
        gitdir = args.mirrors / repo.replace("/", "+") / "repo"
        if not gitdir.is_dir():
            notes.append(f"{repo}: no git directory at {gitdir} (bring it with `fetch`)")
            continue
        tasks = select_commits(gitdir, repo, exts, args.commits)
        print(f"{repo}: {len(tasks)} commits", file=sys.stderr)
        corpus.extend((t, gitdir, exts) for t in tasks)
    for done, (task, gitdir, exts) in enumerate(corpus, 1):
        root = checkout(gitdir, task.repo.replace("/", "+"), task.parent)
        request = {"root": str(root), "question": task.question, "budgets": budgets}
        for name, worker in workers.items():
            extra = {"files": git("", "ls-files", cwd=root).splitlines()} if name == "aider" else {}
            try:
                answer = worker.ask({**request, **extra})
            except RuntimeError as exc:
                notes.append(f"{name} failed on {task.repo}@{task.commit[:9]}: {exc}")
                answer = {"files": {}, "seconds": 0.0}
            for budget in budgets:
                score = scores[(name, budget)]
                score.add(task.repo, answer["files"].get(str(budget), []), task.answer)
                score.seconds += answer["seconds"] / len(budgets)
        started = time.perf_counter()
        ranked = bm25_rank(root, source_files(root, exts), task.question)
        for budget in budgets:
            scores[("bm25", budget)].add(task.repo, bm25_map(ranked, budget), task.answer)
            scores[("bm25", budget)].seconds += (time.perf_counter() - started) / len(budgets)
        if args.verbose:
            print(f"[{done}/{len(corpus)}] {task.repo} {task.commit[:9]} {task.answer}",
                  file=sys.stderr)  # fmt: skip
    for worker in workers.values():
        worker.close()
    report(scores, systems, budgets, corpus, notes)


def report(
    scores: dict[tuple[str, int], Score],
    systems: list[str],
    budgets: list[int],
    corpus: Sequence[tuple[Task, Path, Sequence[str]]],
    notes: list[str],
) -> None:
    repos = Counter(t.repo for t, _, _ in corpus)
    print(f"corpus: {len(corpus)} fix commits: " + ", ".join(f"{r} {n}" for r, n in repos.items()))
    print(f"{'system':<8}{'tokens':>7}{'hit@map':>8}{'hit@5':>8}{'MRR':>8}{'recall':>8}{'time':>9}")
    for budget in budgets:
        for system in systems:
            print(f"{system:<8}{budget:>7}{scores[(system, budget)].row()}")
        print()
    print("per repository at", budgets[0], "tokens (hit@map / hit@5 / MRR):")
    for repo in repos:
        cells = []
        for system in systems:
            acc = scores[(system, budgets[0])].per_repo.get(repo, [0.0] * 5)
            n = acc[4] or 1
            cells.append(f"{system} {acc[0] / n:.0%}/{acc[1] / n:.0%}/{acc[2] / n:.2f}")
        print(f"  {repo:<20} " + "  ".join(cells))
    for note in notes:
        print("note:", note)


# -- overview --------------------------------------------------------------------------

SDISTS = (("django", "5.2.8", "django"), ("flask", "3.1.0", "flask"))
# What issue 15 asks each overview to show (anywhere in the 1024-token map).
EXPECTED = {
    "django": ("QuerySet", "Model", "Field", "HttpRequest", "Template"),
    "flask": ("Flask", "Blueprint", "route"),
}


def fetch_sdist(name: str, version: str) -> Path:
    work = Path(tempfile.gettempdir()) / "coda-bench"
    work.mkdir(exist_ok=True)
    target = work / f"{name}-{version}"
    if target.is_dir():
        return target
    archive = work / f"{name}-{version}.tar.gz"
    if not archive.exists():
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:",
             f"{name}=={version}", "-d", str(work)],
            check=True, capture_output=True,
        )  # fmt: skip
    # `tar --no-same-owner` semantics: the files belong to whoever unpacks them.
    with tarfile.open(archive) as tar:
        tar.extractall(work, filter="data")
    return target


def overview(args: argparse.Namespace) -> None:
    from coda_ls.repomap.evidence import COMMON_NAMES

    workers = {"today": coda_worker(args.baseline), "new": coda_worker(TREE)}
    for name, version, _ in SDISTS:
        root = fetch_sdist(name, version)
        for system, worker in workers.items():
            answer = worker.ask({"root": str(root), "overview": 1024})
            print(f"== {name} {version}, {system}: first 20 entries of the 1024-token map")
            entries: list[str] = answer["entries"]
            for i, entry in enumerate(entries[:20], 1):
                print(f"{i:>3}. {entry}")
            names = [entry.rsplit(" ", 1)[-1].rsplit(".", 1)[-1] for entry in entries]
            where = {n: names.index(n) + 1 if n in names else None for n in EXPECTED[name]}
            common = [n for n in names[:20] if n in COMMON_NAMES]
            print(f"  in the map (entry #): {where}; of {len(entries)} entries")
            print(f"  builtin-colliding names in the first 20: {common or 'none'}")
            if args.verbose:
                print(answer["text"])
            print()
    for worker in workers.values():
        worker.close()


def main() -> None:
    global WORK
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commits", type=int, default=30, help="commits per repository")
    parser.add_argument("--budgets", type=int, nargs="+", default=[1024, 2048, 4096])
    parser.add_argument("--baseline", type=Path, default=Path("/work/wt-baseline"))
    parser.add_argument("--mirrors", type=Path, default=Path("/work/.mirror"))
    parser.add_argument("--aider-venv", type=Path, default=Path("/tmp/aider-venv"))
    parser.add_argument("--repos", nargs="*", help="only these owner/name repositories")
    parser.add_argument("--no-aider", action="store_true")
    parser.add_argument("--overview", action="store_true")
    parser.add_argument("-v", "--verbose", action="store_true")
    parser.add_argument("--work", type=Path, help="where checkouts go (default: /tmp)")
    args = parser.parse_args()
    WORK = args.work or WORK
    if args.overview:
        overview(args)
    else:
        run(args)


if __name__ == "__main__":
    main()
