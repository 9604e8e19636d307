"""Install a tool plugin into a throw-away site directory as a real distribution: its
modules plus a `<name>-<version>.dist-info` (METADATA, entry_points.txt, RECORD,
INSTALLER), which `importlib.metadata` finds once the directory is on `sys.path` or
`PYTHONPATH`, as it finds anything pip installed. (No wheel is built: the machine has
no `wheel` package, and the layout on disk is what discovery reads.)"""

from __future__ import annotations

import base64
import hashlib
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "coda-wordcount"


def install_dist(
    site: Path,
    name: str,
    version: str,
    entry_points: dict[str, str],
    modules: dict[str, str],
    group: str = "coda.tools",
) -> Path:
    """Write `modules` (relative path -> source) and a dist-info declaring
    `entry_points` (name -> "module:attr") under `group`; returns the dist-info dir."""
    site.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for relative, source in modules.items():
        path = site / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source)
        written.append(path)
    dist_info = site / f"{name.replace('-', '_')}-{version}.dist-info"
    dist_info.mkdir()
    (dist_info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
    )
    lines = [f"[{group}]", *(f"{key} = {value}" for key, value in entry_points.items())]
    (dist_info / "entry_points.txt").write_text("\n".join(lines) + "\n")
    (dist_info / "INSTALLER").write_text("coda-tests\n")
    written += [dist_info / "METADATA", dist_info / "entry_points.txt", dist_info / "INSTALLER"]
    record = [f"{p.relative_to(site).as_posix()},{_hash(p)},{p.stat().st_size}" for p in written]
    record.append(f"{(dist_info / 'RECORD').relative_to(site).as_posix()},,")
    (dist_info / "RECORD").write_text("\n".join(record) + "\n")
    return dist_info


def install_example(site: Path) -> Path:
    """The README's example plugin (examples/coda-wordcount), installed into `site`."""
    project = tomllib.loads((EXAMPLE / "pyproject.toml").read_text())["project"]
    modules = {
        path.relative_to(EXAMPLE).as_posix(): path.read_text()
        for path in sorted((EXAMPLE / "coda_wordcount").rglob("*.py"))
    }
    entry_points = project["entry-points"]["coda.tools"]
    return install_dist(site, project["name"], project["version"], entry_points, modules)


def _hash(path: Path) -> str:
    digest = hashlib.sha256(path.read_bytes()).digest()
    return "sha256=" + base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
