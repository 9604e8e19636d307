"""Declared dependencies (name + version constraint) from each ecosystem's manifest.

TOML with `tomllib`, PEP 508 strings with `packaging`, JSON and XML with the stdlib;
Gradle and Gemfile are code, so only their common literal forms are read (regex).
A manifest that cannot be parsed yields no dependencies and a logged warning.
"""

from __future__ import annotations

import configparser
import json
import logging
import re
import tomllib
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Dependency:
    """One declared dependency. `constraint` is "" when the manifest pins nothing."""

    name: str
    constraint: str
    group: str  # "runtime", "dev", "build", "test", "optional:<extra>", "indirect", ...
    manifest: str  # root-relative path of the manifest that declares it

    def __str__(self) -> str:
        return (
            f"{self.name}{self.constraint}"
            if self.constraint[:1] in "<>=!~^"
            else (f"{self.name} {self.constraint}".strip())
        )


Parser = Callable[[str, str], list[Dependency]]


def _pep508(spec: str, group: str, manifest: str) -> Dependency | None:
    from packaging.requirements import InvalidRequirement, Requirement

    spec = spec.strip()
    if not spec or spec.startswith(("#", "-")):
        return None
    try:
        req = Requirement(spec.split(" #", 1)[0])
    except InvalidRequirement:
        return None
    constraint = str(req.specifier) or (f"@ {req.url}" if req.url else "")
    return Dependency(req.name, constraint, group, manifest)


def _pep508_all(specs: Iterable[Any], group: str, manifest: str) -> list[Dependency]:
    out = []
    for spec in specs:
        if isinstance(spec, str) and (dep := _pep508(spec, group, manifest)) is not None:
            out.append(dep)
    return out


def _table_deps(
    table: Any, group: str, manifest: str, skip: Iterable[str] = ()
) -> list[Dependency]:
    """`name = "1.0"` or `name = { version = "1.0", ... }` (Cargo, Poetry)."""
    out: list[Dependency] = []
    if not isinstance(table, Mapping):
        return out
    for name, value in table.items():
        if name in skip:
            continue
        if isinstance(value, str):
            constraint = value
        elif isinstance(value, Mapping):
            constraint = str(value.get("version", ""))
            if not constraint and "path" in value:
                constraint = f"path {value['path']}"
            elif not constraint and "git" in value:
                constraint = f"git {value['git']}"
        else:
            constraint = ""
        out.append(Dependency(str(name), constraint, group, manifest))
    return out


def parse_pyproject(text: str, manifest: str) -> list[Dependency]:
    data = tomllib.loads(text)
    project = data.get("project", {})
    deps = _pep508_all(project.get("dependencies", []), "runtime", manifest)
    for extra, specs in project.get("optional-dependencies", {}).items():
        deps += _pep508_all(specs, f"optional:{extra}", manifest)
    for group, specs in data.get("dependency-groups", {}).items():
        deps += _pep508_all(specs, group, manifest)
    deps += _pep508_all(data.get("build-system", {}).get("requires", []), "build", manifest)
    poetry = data.get("tool", {}).get("poetry", {})
    deps += _table_deps(poetry.get("dependencies"), "runtime", manifest, skip=("python",))
    deps += _table_deps(poetry.get("dev-dependencies"), "dev", manifest)
    for group, table in poetry.get("group", {}).items():
        deps += _table_deps(table.get("dependencies"), group, manifest)
    return deps


def parse_setup_cfg(text: str, manifest: str) -> list[Dependency]:
    config = configparser.ConfigParser(interpolation=None)
    config.read_string(text)
    deps = []
    if config.has_option("options", "install_requires"):
        lines = config.get("options", "install_requires").splitlines()
        deps += _pep508_all(lines, "runtime", manifest)
    if config.has_section("options.extras_require"):
        for extra, value in config.items("options.extras_require"):
            deps += _pep508_all(value.splitlines(), f"optional:{extra}", manifest)
    return deps


def parse_requirements(text: str, manifest: str) -> list[Dependency]:
    group = "dev" if re.search(r"dev|test|lint|doc", manifest.rsplit("/", 1)[-1]) else "runtime"
    return _pep508_all(text.splitlines(), group, manifest)


def parse_package_json(text: str, manifest: str) -> list[Dependency]:
    data = json.loads(text)
    deps = []
    for key, group in (
        ("dependencies", "runtime"),
        ("devDependencies", "dev"),
        ("peerDependencies", "peer"),
        ("optionalDependencies", "optional"),
    ):
        for name, version in (data.get(key) or {}).items():
            deps.append(Dependency(name, str(version), group, manifest))
    return deps


def parse_cargo(text: str, manifest: str) -> list[Dependency]:
    data = tomllib.loads(text)
    deps = []
    for key, group in (
        ("dependencies", "runtime"),
        ("dev-dependencies", "dev"),
        ("build-dependencies", "build"),
    ):
        deps += _table_deps(data.get(key), group, manifest)
        deps += _table_deps(data.get("workspace", {}).get(key), group, manifest)
    return deps


def parse_go_mod(text: str, manifest: str) -> list[Dependency]:
    deps = []
    in_block = False
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("require ("):
            in_block = True
            continue
        if in_block and line == ")":
            in_block = False
            continue
        if line.startswith("require "):
            line = line[len("require ") :]
        elif not in_block:
            continue
        indirect = "// indirect" in line
        parts = line.split("//", 1)[0].split()
        if len(parts) >= 2:
            deps.append(
                Dependency(parts[0], parts[1], "indirect" if indirect else "runtime", manifest)
            )
    return deps


def parse_pom(text: str, manifest: str) -> list[Dependency]:
    root = ET.fromstring(text)
    ns = root.tag[: root.tag.index("}") + 1] if root.tag.startswith("{") else ""
    deps = []
    for dep in root.iter(f"{ns}dependency"):
        group_id = dep.findtext(f"{ns}groupId") or ""
        artifact = dep.findtext(f"{ns}artifactId") or ""
        scope = dep.findtext(f"{ns}scope") or "runtime"
        if scope == "compile":
            scope = "runtime"
        name = f"{group_id}:{artifact}" if group_id else artifact
        deps.append(Dependency(name, dep.findtext(f"{ns}version") or "", scope, manifest))
    return deps


_GRADLE = re.compile(
    r"""\b(\w*(?:[Ii]mplementation|[Aa]pi|[Cc]ompileOnly|[Rr]untimeOnly|kapt|ksp|classpath))"""
    r"""\s*\(?\s*["']([\w.\-]+):([\w.\-]+)(?::([^"'@]+))?[^"']*["']"""
)


def parse_gradle(text: str, manifest: str) -> list[Dependency]:
    deps = []
    for config, group_id, artifact, version in _GRADLE.findall(text):
        group = "test" if config.lower().startswith("test") else "runtime"
        deps.append(Dependency(f"{group_id}:{artifact}", version or "", group, manifest))
    return deps


_GEM = re.compile(r"""^\s*gem\s+["']([^"']+)["']((?:\s*,\s*["'][^"']*["'])*)""", re.M)


def parse_gemfile(text: str, manifest: str) -> list[Dependency]:
    deps = []
    for name, rest in _GEM.findall(text):
        constraints = ", ".join(re.findall(r"""["']([^"']*)["']""", rest))
        deps.append(Dependency(name, constraints, "runtime", manifest))
    return deps


def parse_composer(text: str, manifest: str) -> list[Dependency]:
    data = json.loads(text)
    deps = []
    for key, group in (("require", "runtime"), ("require-dev", "dev")):
        for name, version in (data.get(key) or {}).items():
            if name != "php" and not name.startswith("ext-"):
                deps.append(Dependency(name, str(version), group, manifest))
    return deps


def parse_csproj(text: str, manifest: str) -> list[Dependency]:
    root = ET.fromstring(text)
    deps = []
    for ref in root.iter():
        if ref.tag.rsplit("}", 1)[-1] == "PackageReference" and ref.get("Include"):
            version = ref.get("Version") or ref.findtext("Version") or ""
            deps.append(Dependency(ref.get("Include", ""), version, "runtime", manifest))
    return deps


def parser_for(filename: str) -> Parser | None:
    """The parser for a manifest's file name, or None if it is not a known manifest."""
    if filename in _BY_NAME:
        return _BY_NAME[filename]
    if re.fullmatch(r"requirements([-_.]\w+)*\.txt", filename):
        return parse_requirements
    if filename.endswith((".csproj", ".fsproj", ".vbproj")):
        return parse_csproj
    return None


_BY_NAME: dict[str, Parser] = {
    "pyproject.toml": parse_pyproject,
    "setup.cfg": parse_setup_cfg,
    "package.json": parse_package_json,
    "Cargo.toml": parse_cargo,
    "go.mod": parse_go_mod,
    "pom.xml": parse_pom,
    "build.gradle": parse_gradle,
    "build.gradle.kts": parse_gradle,
    "Gemfile": parse_gemfile,
    "composer.json": parse_composer,
}


def parse_manifest(root: Path, rel: str) -> list[Dependency]:
    """Dependencies declared in the manifest at `rel`; [] (and a warning) if unreadable."""
    parser = parser_for(rel.rsplit("/", 1)[-1])
    if parser is None:
        return []
    try:
        text = (root / rel).read_text(encoding="utf-8", errors="replace")
        return parser(text, rel)
    except (OSError, ValueError, ET.ParseError, configparser.Error) as exc:
        # tomllib.TOMLDecodeError and json.JSONDecodeError are ValueErrors
        log.warning("project: cannot read dependencies from %s: %s", rel, exc)
        return []
