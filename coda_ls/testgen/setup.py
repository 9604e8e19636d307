"""Which test framework, which test file and which command, for code in one source file.

The framework comes from the project analysis (`coda_ls.project`): its test dependencies
and config files. When the analysis finds none, Python uses `unittest` (it needs nothing
installed), JavaScript/TypeScript node's own runner (`node --test`), Go `go test` and
Rust `cargo test`.

The test file is, in order: the `--test-file` given; an existing test file named for the
source file (`test_<module>.py` or `<module>_test.py`; `<name>.test.ts`, `.spec.ts` or
`__tests__/<name>.test.ts`; `<name>_test.go`; `tests/<name>.rs`), the one nearest the
source first; else a new file where the project keeps its tests (`tests/test_<module>.py`,
or `test/` when that is the project's folder; `<name>.test.<ext>` beside a JS/TS source;
`<name>_test.go` beside a Go source; `tests/<name>.rs` for Rust, run as an integration test).

The command runs the one test file from the workspace root with the project's own
interpreter (`.venv/bin/python`, `venv/bin/python`, else `python3` on the PATH) or tool
(`npx jest`, `npx vitest run`, `go test`, `cargo test`); `testgen.command` replaces it
(`{file}` stands for the test file, `{folder}` and `{name}` for its folder and name).
"""

from __future__ import annotations

import shlex
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from coda_ls.errors import ConfigError

if TYPE_CHECKING:
    from coda_ls.project import ProjectInfo

PYTHON = (".py",)
SCRIPT = (".js", ".jsx", ".mjs", ".cjs", ".ts", ".tsx", ".mts", ".cts")
TEST_FOLDERS = ("tests", "test")
_VENVS = (".venv/bin/python", "venv/bin/python", ".venv/Scripts/python.exe")


@dataclass(frozen=True)
class TestSetup:
    """How tests for one source file are written and run."""

    __test__ = False  # not a pytest test class, whatever its name says

    framework: str  # "pytest", "unittest", "Jest", "Vitest", "node:test", "go test", "cargo test"
    language: str  # "Python", "JavaScript", "TypeScript", "Go", "Rust"
    source: str  # the file under test, root-relative (posix)
    test_file: str  # root-relative (posix)
    command: str  # run from the workspace root
    exists: bool  # the test file was there before Coda wrote anything

    def describe(self) -> str:
        state = "existing file" if self.exists else "new file"
        return f"{self.framework} · {self.test_file} ({state}) · `{self.command}`"


def detect_setup(
    root: Path,
    source: Path,
    info: ProjectInfo,
    files: Sequence[str],
    *,
    command: str | None = None,
    test_file: str | None = None,
) -> TestSetup:
    """The setup for tests of `source` in the project at `root`, whose files (root-relative,
    posix) are `files`. Raises ConfigError for a language without test support."""
    root = root.resolve()
    try:
        rel = PurePosixPath(source.resolve().relative_to(root).as_posix())
    except ValueError:
        raise ConfigError(
            f"{source} is outside the workspace {root}", "run Coda from the project holding it"
        ) from None
    suffix = rel.suffix.lower()
    frameworks = set(info.test_frameworks)
    if suffix in PYTHON:
        language = "Python"
        framework = "pytest" if "pytest" in frameworks else "unittest"
        chosen = test_file or _python_test_file(rel, files)
        run = _python_command(root, framework)
    elif suffix in SCRIPT:
        language = "TypeScript" if "ts" in suffix else "JavaScript"
        framework = next((f for f in ("Vitest", "Jest") if f in frameworks), "node:test")
        chosen = test_file or _script_test_file(rel, files)
        run = {"Vitest": "npx vitest run {file}", "Jest": "npx jest {file}"}.get(
            framework, "node --test {file}"
        )
    elif suffix == ".go":
        language, framework = "Go", "go test"
        chosen = test_file or str(rel.with_name(f"{rel.stem}_test.go"))
        folder = str(rel.parent)
        run = "go test " + shlex.quote("./" + folder if folder != "." else ".")
    elif suffix == ".rs":
        language, framework = "Rust", "cargo test"
        chosen = test_file or f"tests/{rel.stem}.rs"
        run = "cargo test --test " + shlex.quote(PurePosixPath(chosen).stem)
    else:
        raise ConfigError(
            f"Coda cannot write tests for {rel.suffix or 'extension-less'} files yet",
            "supported: Python (pytest, unittest), JavaScript/TypeScript (Jest, Vitest, "
            "node --test), Go (go test), Rust (cargo test)",
        )
    template = command or run
    test_path = PurePosixPath(chosen)
    final = (
        template.replace("{file}", shlex.quote(chosen))
        .replace("{folder}", shlex.quote(str(test_path.parent)))
        .replace("{name}", shlex.quote(test_path.name))
    )
    return TestSetup(
        framework=framework,
        language=language,
        source=str(rel),
        test_file=chosen,
        command=final,
        exists=(root / chosen).is_file(),
    )


def _nearest(rel: PurePosixPath, candidates: list[str]) -> str | None:
    """The candidate sharing the longest folder prefix with `rel` (ties: shortest path)."""
    if not candidates:
        return None

    def shared(path: str) -> int:
        count = 0
        for a, b in zip(PurePosixPath(path).parts[:-1], rel.parts[:-1], strict=False):
            if a != b:
                break
            count += 1
        return count

    return sorted(candidates, key=lambda p: (-shared(p), len(p), p))[0]


def _python_test_file(rel: PurePosixPath, files: Sequence[str]) -> str:
    names = {f"test_{rel.stem}.py", f"{rel.stem}_test.py"}
    found = _nearest(rel, [f for f in files if PurePosixPath(f).name in names])
    if found is not None:
        return found
    folders = {PurePosixPath(f).parts[0] for f in files if len(PurePosixPath(f).parts) > 1}
    folder = next((name for name in TEST_FOLDERS if name in folders), "tests")
    return f"{folder}/test_{rel.stem}.py"


def _script_test_file(rel: PurePosixPath, files: Sequence[str]) -> str:
    stem = rel.name[: -len(rel.suffix)]
    names = {f"{stem}.test{rel.suffix}", f"{stem}.spec{rel.suffix}"}
    found = _nearest(rel, [f for f in files if PurePosixPath(f).name in names])
    if found is not None:
        return found
    return str(rel.with_name(f"{stem}.test{rel.suffix}"))


def _python_command(root: Path, framework: str) -> str:
    python = next((venv for venv in _VENVS if (root / venv).is_file()), None)
    if python is None:
        python = "python3" if shutil.which("python3") else "python"
    if framework == "pytest":
        return f"{shlex.quote(python)} -m pytest -q {{file}}"
    # By discovery in the test file's folder, imported as a top-level module: `-m unittest
    # tests/test_x.py` imports `tests.test_x`, which another `tests` package on the path
    # (an installed one, PYTHONPATH) shadows. `-m` puts the root on the path for the code.
    return f"{shlex.quote(python)} -m unittest discover -v -s {{folder}} -p {{name}}"
