"""read_file, list_files, write_file and edit_file."""

from __future__ import annotations

from pathlib import Path

from tests.tools.conftest import MakeToolbox, call


async def test_read_file_numbers_lines_and_reads_ranges(
    toolbox: MakeToolbox, workspace: Path
) -> None:
    (workspace / "n.txt").write_text("".join(f"line {i}\n" for i in range(1, 31)))
    box = toolbox()
    whole = await call(box, "read_file", path="n.txt")
    assert whole.text.splitlines()[0] == "n.txt (lines 1-30 of 30)"
    assert whole.text.splitlines()[1] == " 1│line 1"
    part = await call(box, "read_file", path="n.txt", start_line=10, end_line=12)
    assert part.text.splitlines() == [
        "n.txt (lines 10-12 of 30)",
        "10│line 10",
        "11│line 11",
        "12│line 12",
    ]
    past = await call(box, "read_file", path="n.txt", start_line=31)
    assert past.is_error and "30 lines" in past.text
    backwards = await call(box, "read_file", path="n.txt", start_line=5, end_line=2)
    assert backwards.is_error


async def test_read_file_pages_long_files(toolbox: MakeToolbox, workspace: Path) -> None:
    (workspace / "big.txt").write_text("x\n" * 2500)
    result = await call(toolbox(), "read_file", path="big.txt")
    assert "(lines 1-2000 of 2500)" in result.text
    assert result.text.rstrip().endswith("read on with start_line=2001")


async def test_read_file_refuses_binary_missing_and_directories(
    toolbox: MakeToolbox, workspace: Path
) -> None:
    (workspace / "blob.bin").write_bytes(b"\x00\x01\x02" * 10)
    box = toolbox()
    binary = await call(box, "read_file", path="blob.bin")
    assert binary.is_error and "binary" in binary.text
    missing = await call(box, "read_file", path="nope.py")
    assert missing.is_error and "does not exist" in missing.text
    directory = await call(box, "read_file", path="src")
    assert directory.is_error and "directory" in directory.text


async def test_list_files_globs_and_skips_ignored(toolbox: MakeToolbox, workspace: Path) -> None:
    (workspace / "src" / "pkg").mkdir()
    (workspace / "src" / "pkg" / "mod.py").write_text("x = 1\n")
    (workspace / "build.log").write_text("noise\n")
    (workspace / ".gitignore").write_text("*.log\n")
    box = toolbox()
    py = await call(box, "list_files", pattern="*.py")
    assert py.text.splitlines() == ["src/app.py", "src/pkg/mod.py"]
    nested = await call(box, "list_files", pattern="src/**/*.py")
    assert nested.text.splitlines() == ["src/app.py", "src/pkg/mod.py"]
    top = await call(box, "list_files", pattern="src/*.py")
    assert top.text.splitlines() == ["src/app.py"]
    inside = await call(box, "list_files", path="src/pkg")
    assert inside.text.splitlines() == ["src/pkg/mod.py"]
    everything = await call(box, "list_files")
    assert "build.log" not in everything.text
    none = await call(box, "list_files", pattern="*.rs")
    assert "no files match" in none.text


async def test_write_file_creates_and_overwrites(toolbox: MakeToolbox, workspace: Path) -> None:
    box = toolbox()
    created = await call(box, "write_file", path="new/dir/a.txt", content="one\ntwo\n")
    assert not created.is_error and created.text == "created new/dir/a.txt (2 lines)"
    assert (workspace / "new" / "dir" / "a.txt").read_text() == "one\ntwo\n"
    (workspace / "run.sh").write_text("#!/bin/sh\n")
    (workspace / "run.sh").chmod(0o755)
    await call(box, "write_file", path="run.sh", content="#!/bin/sh\necho hi\n")
    assert (workspace / "run.sh").stat().st_mode & 0o777 == 0o755
    assert not list(workspace.glob(".*.coda-tmp"))


async def test_edit_file_applies_blocks_in_order(toolbox: MakeToolbox, workspace: Path) -> None:
    result = await call(
        toolbox(),
        "edit_file",
        path="src/app.py",
        edits=[
            {"search": "def main():", "replace": "def run():"},
            {"search": "main()\n", "replace": "run()\n"},
        ],
    )
    assert not result.is_error, result.text
    assert (workspace / "src" / "app.py").read_text() == "def run():\n    print('hello')\n\nrun()\n"
    assert "-def main():" in result.text and "+def run():" in result.text


async def test_edit_file_ambiguous_match_changes_nothing(
    toolbox: MakeToolbox, workspace: Path
) -> None:
    path = workspace / "dup.py"
    path.write_text("x = 1\ny = 2\nx = 1\n")
    box = toolbox()
    result = await call(
        box, "edit_file", path="dup.py", edits=[{"search": "x = 1", "replace": "x = 3"}]
    )
    assert result.is_error
    assert "ambiguous" in result.text and "2 times" in result.text and "lines 1, 3" in result.text
    assert path.read_text() == "x = 1\ny = 2\nx = 1\n"
    every = await call(
        box,
        "edit_file",
        path="dup.py",
        edits=[{"search": "x = 1", "replace": "x = 3", "replace_all": True}],
    )
    assert not every.is_error
    assert path.read_text() == "x = 3\ny = 2\nx = 3\n"


async def test_edit_file_not_found_points_at_the_closest_line(
    toolbox: MakeToolbox, workspace: Path
) -> None:
    result = await call(
        toolbox(),
        "edit_file",
        path="src/app.py",
        edits=[{"search": "    print('hello') ", "replace": "pass"}],
    )
    assert result.is_error
    assert "not found" in result.text and "closest line is 2" in result.text


async def test_edit_file_is_all_or_nothing(toolbox: MakeToolbox, workspace: Path) -> None:
    before = (workspace / "src" / "app.py").read_text()
    result = await call(
        toolbox(),
        "edit_file",
        path="src/app.py",
        edits=[
            {"search": "def main():", "replace": "def run():"},
            {"search": "does not exist", "replace": "x"},
        ],
    )
    assert result.is_error and "edit 2" in result.text
    assert (workspace / "src" / "app.py").read_text() == before


async def test_invalid_arguments_reach_the_model(toolbox: MakeToolbox) -> None:
    result = await call(toolbox(), "edit_file", path="src/app.py", edits=[])
    assert result.is_error and result.text.startswith("invalid arguments for edit_file: edits")
    unknown = await call(toolbox(), "read_file", path="a", colour="red")
    assert unknown.is_error and "colour" in unknown.text


async def test_edit_file_keeps_crlf_line_ends(toolbox: MakeToolbox, workspace: Path) -> None:
    path = workspace / "win.txt"
    path.write_bytes(b"one\r\ntwo\r\nthree\r\n")
    result = await call(
        toolbox(),
        "edit_file",
        path="win.txt",
        edits=[{"search": "one\ntwo\n", "replace": "1\n2\n"}],
    )
    assert not result.is_error, result.text
    assert path.read_bytes() == b"1\r\n2\r\nthree\r\n"


async def test_vcs_is_detected_after_git_init(toolbox: MakeToolbox, workspace: Path) -> None:
    box = toolbox()
    assert "not under version control" in (await call(box, "vcs_status")).text
    await call(box, "shell", command="git init -q")
    assert "Git repository" in (await call(box, "vcs_status")).text
