"""What kind of project a directory is: languages, build systems, package managers, test
frameworks and declared dependencies, from the files its version control tracks."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from coda_ls.project.languages import count_languages
from coda_ls.project.manifests import Dependency, parse_manifest, parser_for
from coda_ls.repomap.evidence import path_role
from coda_ls.vcs import VCSBackend, detect, run_sync

# Manifests deeper than this (relative to the root) are not read: monorepo packages at
# `packages/x/package.json` count, vendored copies deep in the tree do not.
MAX_MANIFEST_DEPTH = 2
_VENDORED = re.compile(r"(^|/)(node_modules|vendor|third_party|\.venv|venv|site-packages)/")

# file name -> build system
BUILD_FILES: dict[str, str] = {
    "setup.py": "setuptools", "Cargo.toml": "Cargo", "go.mod": "Go modules",
    "pom.xml": "Maven", "build.gradle": "Gradle", "build.gradle.kts": "Gradle",
    "settings.gradle": "Gradle", "CMakeLists.txt": "CMake", "Makefile": "Make",
    "GNUmakefile": "Make", "meson.build": "Meson", "BUILD.bazel": "Bazel",
    "MODULE.bazel": "Bazel", "WORKSPACE": "Bazel", "build.xml": "Ant",
    "Rakefile": "Rake", "mix.exs": "Mix", "Package.swift": "SwiftPM", "build.zig": "Zig",
    "stack.yaml": "Stack", "dune-project": "Dune", "build.sbt": "sbt",
    "justfile": "just", "Taskfile.yml": "Task", "package.json": "npm scripts",
    "deno.json": "Deno",
}  # fmt: skip

# file name -> package manager
PACKAGE_FILES: dict[str, str] = {
    "uv.lock": "uv", "poetry.lock": "Poetry", "Pipfile": "Pipenv", "pdm.lock": "PDM",
    "requirements.txt": "pip", "environment.yml": "conda", "package-lock.json": "npm",
    "yarn.lock": "Yarn", "pnpm-lock.yaml": "pnpm", "bun.lockb": "Bun", "bun.lock": "Bun",
    "Cargo.toml": "Cargo", "go.mod": "Go modules", "pom.xml": "Maven",
    "build.gradle": "Gradle", "build.gradle.kts": "Gradle", "Gemfile": "Bundler",
    "composer.json": "Composer", "packages.config": "NuGet", "pubspec.yaml": "pub",
    "mix.exs": "Hex", "Package.swift": "SwiftPM", "conanfile.txt": "Conan",
    "conanfile.py": "Conan", "vcpkg.json": "vcpkg", "Podfile": "CocoaPods",
}  # fmt: skip

PYTHON_BACKENDS = {
    "hatchling": "Hatch", "setuptools": "setuptools", "poetry": "Poetry", "flit": "Flit",
    "pdm": "PDM", "maturin": "maturin", "scikit_build": "scikit-build", "mesonpy": "meson-python",
}  # fmt: skip

# dependency name (lower case, last ":" part for Java) -> test framework
TEST_DEPENDENCIES: dict[str, str] = {
    "pytest": "pytest", "nose2": "nose2", "hypothesis": "Hypothesis", "tox": "tox",
    "nox": "nox", "jest": "Jest", "vitest": "Vitest", "mocha": "Mocha", "ava": "AVA",
    "jasmine": "Jasmine", "@playwright/test": "Playwright", "cypress": "Cypress",
    "karma": "Karma", "tap": "node-tap", "junit": "JUnit", "junit-jupiter": "JUnit",
    "junit-jupiter-api": "JUnit", "testng": "TestNG", "kotest-runner-junit5": "Kotest",
    "scalatest": "ScalaTest", "rspec": "RSpec", "minitest": "Minitest",
    "phpunit/phpunit": "PHPUnit", "pestphp/pest": "Pest", "xunit": "xUnit",
    "nunit": "NUnit", "mstest.testframework": "MSTest", "criterion": "Criterion",
    "proptest": "proptest", "rstest": "rstest", "github.com/stretchr/testify": "testify",
    "github.com/onsi/ginkgo/v2": "Ginkgo",
}  # fmt: skip


@dataclass
class ProjectInfo:
    """Everything `coda project` prints and the engine summarises."""

    root: Path
    vcs: str
    languages: list[tuple[str, int]] = field(default_factory=list)
    build_systems: list[str] = field(default_factory=list)
    package_managers: list[str] = field(default_factory=list)
    test_frameworks: list[str] = field(default_factory=list)
    manifests: list[str] = field(default_factory=list)
    dependencies: list[Dependency] = field(default_factory=list)
    file_count: int = 0

    def language_shares(self) -> list[tuple[str, float]]:
        total = sum(size for _, size in self.languages) or 1
        return [(name, size / total) for name, size in self.languages]

    def summary(self, max_dependencies: int = 12) -> str:
        """A few lines for the system prompt: what the project is and how it is built."""
        lines = []
        shares = [f"{n} {s:.0%}" for n, s in self.language_shares() if s >= 0.01][:5]
        lines.append(f"Languages: {', '.join(shares) if shares else 'unknown'}")
        if self.build_systems or self.package_managers:
            lines.append(
                "Build: "
                + ", ".join(self.build_systems or ["-"])
                + (
                    f"; packages: {', '.join(self.package_managers)}"
                    if self.package_managers
                    else ""
                )
            )
        if self.test_frameworks:
            lines.append(f"Tests: {', '.join(self.test_frameworks)}")
        runtime = [d for d in self.dependencies if d.group == "runtime"]
        if runtime:
            shown = ", ".join(str(d) for d in runtime[:max_dependencies])
            more = (
                f" (+{len(runtime) - max_dependencies} more)"
                if len(runtime) > max_dependencies
                else ""
            )
            lines.append(f"Dependencies: {shown}{more}")
        lines.append(f"Version control: {self.vcs}; {self.file_count} files")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        return {
            "root": str(self.root),
            "vcs": self.vcs,
            "files": self.file_count,
            "languages": [
                {"name": n, "bytes": b, "share": round(s, 4)}
                for (n, b), (_, s) in zip(self.languages, self.language_shares(), strict=True)
            ],
            "build_systems": self.build_systems,
            "package_managers": self.package_managers,
            "test_frameworks": self.test_frameworks,
            "manifests": self.manifests,
            "dependencies": [
                {
                    "name": d.name,
                    "constraint": d.constraint,
                    "group": d.group,
                    "manifest": d.manifest,
                }
                for d in self.dependencies
            ],
        }


def _add(items: list[str], value: str) -> None:
    if value not in items:
        items.append(value)


def _python_backend(root: Path) -> str | None:
    import tomllib

    try:
        data = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    backend = str(data.get("build-system", {}).get("build-backend", ""))
    for key, name in PYTHON_BACKENDS.items():
        if backend.startswith(key) or backend.startswith(key.replace("_", "")):
            return name
    return "setuptools" if backend or data.get("project") else None


def analyze_files(root: Path, files: list[str], vcs: str = "plain") -> ProjectInfo:
    """The analysis of `files` (root-relative), without asking any VCS."""
    info = ProjectInfo(root=root, vcs=vcs, file_count=len(files))
    info.languages = count_languages(root, files)
    names = set()
    for rel in files:
        if _VENDORED.search(rel):
            continue
        depth = rel.count("/")
        name = rel.rsplit("/", 1)[-1]
        if depth == 0:
            names.add(name)
        if depth <= MAX_MANIFEST_DEPTH and parser_for(name) is not None:
            info.manifests.append(rel)
    info.manifests.sort(key=lambda rel: (rel.count("/"), rel))  # the root's first
    for rel in info.manifests:
        info.dependencies += _declared(root, rel)

    if "pyproject.toml" in names:
        _add(info.build_systems, _python_backend(root) or "pyproject")
    elif "setup.cfg" in names:
        _add(info.build_systems, "setuptools")
    for name in sorted(names):
        if name in BUILD_FILES:
            _add(info.build_systems, BUILD_FILES[name])
        if name in PACKAGE_FILES:
            _add(info.package_managers, PACKAGE_FILES[name])
        if name.endswith((".csproj", ".fsproj", ".sln")):
            _add(info.build_systems, ".NET (MSBuild)")
            _add(info.package_managers, "NuGet")
        if name.endswith(".cabal"):
            _add(info.build_systems, "Cabal")
    if "pyproject.toml" in names and not {"uv", "Poetry", "PDM", "Pipenv"} & set(
        info.package_managers
    ):
        _add(info.package_managers, "pip")
    if "package.json" in names and not {"Yarn", "pnpm", "Bun"} & set(info.package_managers):
        _add(info.package_managers, "npm")
    info.test_frameworks = _test_frameworks(root, files, names, info.dependencies)
    return info


def _declared(root: Path, rel: str) -> list[Dependency]:
    """A manifest's dependencies; those of an example's, a test fixture's or the docs'
    manifest (`examples/celery/requirements.txt`) are that role's, never the project's
    runtime dependencies (issue 15: Flask does not depend on Celery)."""
    deps = parse_manifest(root, rel)
    role = path_role(rel)
    if role is None:
        return deps
    return [replace(d, group=role) for d in deps]


def _test_frameworks(
    root: Path, files: list[str], names: set[str], deps: list[Dependency]
) -> list[str]:
    found: list[str] = []
    for dep in deps:
        key = dep.name.lower()
        framework = TEST_DEPENDENCIES.get(key) or TEST_DEPENDENCIES.get(key.rsplit(":", 1)[-1])
        if framework:
            _add(found, framework)
    basenames = {rel.rsplit("/", 1)[-1] for rel in files}
    if "pytest" not in found and (basenames & {"conftest.py", "pytest.ini"}):
        _add(found, "pytest")
    if "pytest" not in found and "pyproject.toml" in names:
        try:
            if "[tool.pytest" in (root / "pyproject.toml").read_text(encoding="utf-8"):
                _add(found, "pytest")
        except OSError:
            pass
    python_tests = any(re.search(r"(^|/)test_\w+\.py$", rel) for rel in files)
    if python_tests and not {"pytest", "nose2"} & set(found):
        _add(found, "unittest")
    if any(rel.endswith("_test.go") for rel in files):
        _add(found, "go test")
    if "Cargo.toml" in names and any(rel.endswith(".rs") for rel in files):
        _add(found, "cargo test")
    if ".rspec" in names:
        _add(found, "RSpec")
    if basenames & {"phpunit.xml", "phpunit.xml.dist"}:
        _add(found, "PHPUnit")
    if "CMakeLists.txt" in names:
        try:
            text = (root / "CMakeLists.txt").read_text(encoding="utf-8", errors="replace")
        except OSError:
            text = ""
        if re.search(r"\b(enable_testing|add_test)\s*\(", text):
            _add(found, "CTest")
    return found


async def analyze(path: str | Path = ".", backend: VCSBackend | None = None) -> ProjectInfo:
    """Analyse the project holding `path`, from the files its VCS tracks."""
    backend = backend or detect(path)
    files = await backend.tracked_files()
    return analyze_files(backend.root, files, backend.name)


def analyze_sync(path: str | Path = ".") -> ProjectInfo:
    return run_sync(analyze(path))


def summary(path: str | Path = ".") -> str:
    """A few lines about the project at `path`, for the engine's system prompt."""
    return analyze_sync(path).summary()
