"""vendored_path by set and suffix tests says what the vendored-path regex says."""

from __future__ import annotations

import random
import re

import pytest

from coda_ls.repomap.files import vendored_path

# The rule as a regex (what vendored_path implemented before issue 16): the reference.
REFERENCE = re.compile(
    r"(^|/)(node_modules|vendor|vendors|third_party|thirdparty|bower_components|dist|"
    r"static|assets|site-packages)(/|$)"
    r"|\.min\.(js|css)$|[.-]bundle\.js$|\.pb\.go$|_pb2(_grpc)?\.py$|\.generated\.\w+$"
    r"|\.g\.dart$|(^|/)package-lock\.json$"
)


@pytest.mark.parametrize(
    ("path", "vendored"),
    [
        ("web/node_modules/react/index.js", True),
        ("dist", True),
        ("distutils/core.py", False),
        ("a/static/app.css", True),
        ("static.py", False),
        ("lib/jquery.min.js", True),
        ("app.bundle.js", True),
        ("abundle.js", False),
        ("api/v1/service.pb.go", True),
        ("proto/x_pb2_grpc.py", True),
        ("proto/x_pb2_grpcs.py", False),
        ("Models.generated.cs", True),
        ("a.generated.", False),
        ("lib/main.g.dart", True),
        ("sub/package-lock.json", True),
        ("mypackage-lock.json", False),
        ("src/vendor.py", False),
        ("src/django/db/models/query.py", False),
    ],
)
def test_vendored_paths(path: str, vendored: bool) -> None:
    assert vendored_path(path) is vendored
    assert (REFERENCE.search(path) is not None) is vendored


def test_same_as_the_regex_on_random_paths() -> None:
    rng = random.Random(16)
    parts = [*"abc/._-", "dist", "static", "min", "js", "css", "pb", "go", "py", "generated",
             "bundle", "_pb2", "_grpc", "g", "dart", "package-lock", "json", "node_modules",
             "vendor", "assets", "site-packages", "é"]  # fmt: skip
    for _ in range(50_000):
        path = "".join(rng.choice(parts) for _ in range(rng.randrange(1, 12)))
        assert vendored_path(path) == (REFERENCE.search(path) is not None), path
