"""What kind of project Coda is in: languages, build, packages, tests, dependencies.

from coda_ls.project import analyze_sync, summary
print(summary("."))          # a few lines for the system prompt
"""

from __future__ import annotations

from coda_ls.project.analyze import ProjectInfo, analyze, analyze_files, analyze_sync, summary
from coda_ls.project.manifests import Dependency, parse_manifest

__all__ = [
    "Dependency",
    "ProjectInfo",
    "analyze",
    "analyze_files",
    "analyze_sync",
    "parse_manifest",
    "summary",
]
