"""The cold build's per-file shortcuts (issue 16) give what the general code gave: a
file read through one descriptor decides as stat-then-open did, and a file's language
is found from its name without a Path."""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath

import pytest

from coda_ls.repomap.languages import _name, detect_language
from coda_ls.repomap.worker import Parsed, Skipped, parse_path

NAMES = [
    "a.py", "dir/a.py", "a/b/c.tar.gz", ".bashrc", "dir/.hidden", "x.", "dir/x.", "a..b",
    "..", "dir/..", "a/./b.rs", "a//b.go", "Makefile", "dir/Dockerfile", "a/b/", "a/.",
    ".", "", "./x.ts", "ünï/cödé.rb", "back\\slash.py", "/abs/path.c", "a.PY", "dir.d/x",
]  # fmt: skip


@pytest.mark.parametrize("name", NAMES)
def test_name_is_paths_name(name: str) -> None:
    assert _name(name) == Path(name).name == PurePosixPath(name).name
    assert _name(Path(name)) == Path(name).name


@pytest.mark.parametrize("name", NAMES)
def test_detect_language_by_string_is_by_path(name: str) -> None:
    for head in (None, b"#!/usr/bin/env python3\n", b"@interface X\n"):
        assert detect_language(name, head) == detect_language(Path(name), head)


def test_one_part_path_is_interned_as_path_did() -> None:
    # marshal marks interned strings: the cache's rows stay byte for byte the same
    import sys
    import uuid

    # A name no other test can have interned first (a fixed one was, in the full suite).
    stem = uuid.uuid4().hex
    rel = "".join([stem, ".py"])
    detect_language(rel, None)
    assert sys.intern("".join([stem, ".py"])) is rel


def test_read_decides_as_stat_then_open(tmp_path: Path) -> None:
    (tmp_path / "ok.py").write_text("def f():\n    return 1\n")
    (tmp_path / "big.py").write_bytes(b"x = 1\n" * 100)
    (tmp_path / "adir.py").mkdir()
    got = parse_path(str(tmp_path), "ok.py", 1000)
    assert isinstance(got, Parsed)
    st = os.stat(tmp_path / "ok.py")
    assert (got.mtime_ns, got.size) == (st.st_mtime_ns, st.st_size)
    big = parse_path(str(tmp_path), "big.py", 100)
    st = os.stat(tmp_path / "big.py")
    assert big == Skipped("big.py", "larger than 100 bytes", st.st_mtime_ns, st.st_size)
    assert parse_path(str(tmp_path), "gone.py", 1000) == Skipped(
        "gone.py", "unreadable (No such file or directory)"
    )
    assert parse_path(str(tmp_path), "adir.py", 100_000) == Skipped(
        "adir.py", "unreadable (Is a directory)"
    )
    # a directory bigger than the limit was skipped as too large, before any open()
    st = os.stat(tmp_path / "adir.py")
    assert parse_path(str(tmp_path), "adir.py", 1) == Skipped(
        "adir.py", "larger than 1 bytes", st.st_mtime_ns, st.st_size
    )


def test_read_takes_a_file_of_exactly_the_limit(tmp_path: Path) -> None:
    body = b"def f():\n    return 1\n" * 20_000
    (tmp_path / "long.py").write_bytes(body)
    got = parse_path(str(tmp_path), "long.py", len(body))
    assert isinstance(got, Parsed) and got.size == len(body)
