"""Project analysis on small real trees: manifests, build systems, tests, languages."""

from __future__ import annotations

import json
from pathlib import Path

from coda_ls.project import analyze_files, analyze_sync, parse_manifest, summary

PYPROJECT = """\
[build-system]
requires = ["hatchling>=1.25"]
build-backend = "hatchling.build"

[project]
name = "demo"
dependencies = ["httpx>=0.28,<0.29", "click", "rich[jupyter]>=13; python_version>'3.10'"]

[project.optional-dependencies]
dev = ["pytest>=8"]

[tool.poetry.dependencies]
python = "^3.11"
requests = { version = "^2.31", optional = true }
"""


def _write(root: Path, files: dict[str, str]) -> list[str]:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    return sorted(files)


def _deps(root: Path, rel: str) -> dict[str, tuple[str, str]]:
    return {d.name: (d.constraint, d.group) for d in parse_manifest(root, rel)}


def test_pyproject_dependencies_with_constraints(tmp_path: Path) -> None:
    _write(tmp_path, {"pyproject.toml": PYPROJECT})
    deps = _deps(tmp_path, "pyproject.toml")
    assert deps["httpx"] == ("<0.29,>=0.28", "runtime")
    assert deps["click"] == ("", "runtime")
    assert deps["rich"] == (">=13", "runtime")
    assert deps["pytest"] == (">=8", "optional:dev")
    assert deps["hatchling"] == (">=1.25", "build")
    assert deps["requests"] == ("^2.31", "runtime")
    assert "python" not in deps


def test_other_ecosystems_manifests(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "package.json": json.dumps(
                {"dependencies": {"react": "^18.2.0"}, "devDependencies": {"vitest": "~1.0"}}
            ),
            "Cargo.toml": '[dependencies]\nserde = { version = "1", features = ["derive"] }\n'
            'anyhow = "1.0"\n[dev-dependencies]\nproptest = "1"\n',
            "go.mod": "module x\n\ngo 1.22\n\nrequire github.com/spf13/cobra v1.8.0\n"
            "require (\n\tgolang.org/x/sys v0.20.0 // indirect\n)\n",
            "pom.xml": '<project xmlns="http://maven.apache.org/POM/4.0.0"><dependencies>'
            "<dependency><groupId>junit</groupId><artifactId>junit</artifactId>"
            "<version>4.13.2</version><scope>test</scope></dependency></dependencies></project>",
            "build.gradle": "dependencies {\n  implementation 'com.google.guava:guava:33.0.0-jre'\n"
            '  testImplementation("org.junit.jupiter:junit-jupiter:5.10.0")\n}\n',
            "Gemfile": "source 'https://rubygems.org'\n"
            "gem 'rails', '~> 7.1', '>= 7.1.2'\ngem 'rspec'\n",
            "composer.json": json.dumps(
                {"require": {"php": ">=8.1", "monolog/monolog": "^3.0"}, "require-dev": {}}
            ),
            "app/App.csproj": '<Project Sdk="Microsoft.NET.Sdk"><ItemGroup>'
            '<PackageReference Include="Newtonsoft.Json" Version="13.0.3" />'
            "</ItemGroup></Project>",
            "setup.cfg": "[options]\ninstall_requires =\n    attrs>=23\n    six\n",
            "requirements-dev.txt": "-r requirements.txt\nblack==24.1.0  # formatter\n",
        },
    )
    assert _deps(tmp_path, "package.json") == {
        "react": ("^18.2.0", "runtime"),
        "vitest": ("~1.0", "dev"),
    }
    assert _deps(tmp_path, "Cargo.toml")["serde"] == ("1", "runtime")
    assert _deps(tmp_path, "Cargo.toml")["proptest"] == ("1", "dev")
    assert _deps(tmp_path, "go.mod") == {
        "github.com/spf13/cobra": ("v1.8.0", "runtime"),
        "golang.org/x/sys": ("v0.20.0", "indirect"),
    }
    assert _deps(tmp_path, "pom.xml") == {"junit:junit": ("4.13.2", "test")}
    assert _deps(tmp_path, "build.gradle") == {
        "com.google.guava:guava": ("33.0.0-jre", "runtime"),
        "org.junit.jupiter:junit-jupiter": ("5.10.0", "test"),
    }
    assert _deps(tmp_path, "Gemfile")["rails"] == ("~> 7.1, >= 7.1.2", "runtime")
    assert _deps(tmp_path, "composer.json") == {"monolog/monolog": ("^3.0", "runtime")}
    assert _deps(tmp_path, "app/App.csproj") == {"Newtonsoft.Json": ("13.0.3", "runtime")}
    assert _deps(tmp_path, "setup.cfg") == {"attrs": (">=23", "runtime"), "six": ("", "runtime")}
    assert _deps(tmp_path, "requirements-dev.txt") == {"black": ("==24.1.0", "dev")}


def test_broken_manifest_gives_no_dependencies_not_an_error(tmp_path: Path) -> None:
    _write(tmp_path, {"package.json": "{not json", "Cargo.toml": "[dependencies\n"})
    assert parse_manifest(tmp_path, "package.json") == []
    assert parse_manifest(tmp_path, "Cargo.toml") == []


def test_python_project_summary(tmp_path: Path) -> None:
    files = _write(
        tmp_path,
        {
            "pyproject.toml": PYPROJECT,
            "uv.lock": "",
            "src/demo/__init__.py": "x = 1\n" * 200,
            "tests/conftest.py": "",
            "web/app.ts": "let a = 1;\n" * 10,
            "node_modules/left-pad/package.json": "{}",  # vendored: not a manifest
        },
    )
    info = analyze_files(tmp_path, files)
    assert [name for name, _ in info.languages] == ["Python", "TypeScript"]
    assert info.build_systems == ["Hatch"]
    assert info.package_managers == ["uv"]
    assert info.test_frameworks == ["pytest"]
    assert info.manifests == ["pyproject.toml"]
    text = info.summary()
    assert 2 <= len(text.splitlines()) <= 6
    assert "Python" in text and "Hatch" in text and "pytest" in text and "httpx" in text


def test_other_build_systems_and_test_frameworks(tmp_path: Path) -> None:
    files = _write(
        tmp_path,
        {
            "go.mod": "module x\n",
            "main_test.go": "package main\n",
            "CMakeLists.txt": "project(x)\nenable_testing()\nadd_test(NAME t COMMAND t)\n",
            "Makefile": "all:\n",
            "package.json": json.dumps({"devDependencies": {"jest": "^29"}}),
            "yarn.lock": "",
        },
    )
    info = analyze_files(tmp_path, files)
    assert {"Go modules", "CMake", "Make", "npm scripts"} <= set(info.build_systems)
    assert {"Go modules", "Yarn"} <= set(info.package_managers)
    assert "npm" not in info.package_managers
    assert {"Jest", "go test", "CTest"} <= set(info.test_frameworks)


def test_analyze_uses_the_detected_vcs(tmp_path: Path) -> None:
    _write(tmp_path, {"a.py": "print()\n", "skip.py": "x\n", ".gitignore": "skip.py\n"})
    info = analyze_sync(tmp_path)
    assert info.vcs == "plain"
    assert info.file_count == 2  # .gitignore and a.py
    assert "Python" in summary(tmp_path)


def test_manifests_of_examples_and_docs_are_not_the_projects_dependencies(
    tmp_path: Path,
) -> None:
    """Issue 15: Flask's summary listed examples/celery/requirements.txt pins as its own."""
    files = _write(
        tmp_path,
        {
            "pyproject.toml": '[project]\nname = "web"\ndependencies = ["Werkzeug>=3.1"]\n',
            "examples/celery/requirements.txt": "celery\namqp==5.1.1\n",
            "docs/requirements.txt": "sphinx\n",
            "src/web/__init__.py": "x = 1\n",
        },
    )
    info = analyze_files(tmp_path, files)
    assert "examples/celery/requirements.txt" in info.manifests
    groups = {d.name: d.group for d in info.dependencies}
    assert groups == {"Werkzeug": "runtime", "celery": "example", "amqp": "example",
                      "sphinx": "docs"}  # fmt: skip
    text = info.summary()
    assert "Werkzeug>=3.1" in text
    assert "celery" not in text and "amqp" not in text and "sphinx" not in text
