"""search: a regex over the workspace's listed files."""

from __future__ import annotations

from pathlib import Path

from tests.tools.conftest import MakeToolbox, call


async def test_search_reports_path_line_text(toolbox: MakeToolbox, workspace: Path) -> None:
    (workspace / "src" / "util.py").write_text("import os\n\ndef helper():\n    return os.sep\n")
    (workspace / "notes.md").write_text("call helper() twice\n")
    (workspace / "image.png").write_bytes(b"\x89PNG\x00\x00helper")
    box = toolbox()
    result = await call(box, "search", pattern=r"def \w+\(")
    assert result.text.splitlines()[:2] == [
        "src/app.py:1:def main():",
        "src/util.py:3:def helper():",
    ]
    assert "(2 matches in 2 files)" in result.text
    only_md = await call(box, "search", pattern="helper", glob="*.md")
    assert only_md.text.splitlines()[0] == "notes.md:1:call helper() twice"
    assert "image.png" not in (await call(box, "search", pattern="helper")).text


async def test_search_options_and_errors(toolbox: MakeToolbox, workspace: Path) -> None:
    (workspace / "many.txt").write_text("hit\n" * 50)
    (workspace / ".gitignore").write_text("ignored.txt\n")
    (workspace / "ignored.txt").write_text("HELLO\n")
    box = toolbox()
    assert "no match" in (await call(box, "search", pattern="HELLO")).text
    insensitive = await call(box, "search", pattern="HELLO", ignore_case=True)
    assert insensitive.text.startswith("src/app.py:2:")
    capped = await call(box, "search", pattern="hit", max_results=5)
    assert capped.text.count("many.txt:") == 5 and "stopped at 5" in capped.text
    bad = await call(box, "search", pattern="(unclosed")
    assert bad.is_error and "invalid regular expression" in bad.text


async def test_anchors_match_per_line(toolbox: MakeToolbox, workspace: Path) -> None:
    (workspace / "crlf.txt").write_bytes(b"alpha\r\nbeta\r\n")
    (workspace / "lf.txt").write_text("gamma beta\nbeta\n")
    box = toolbox()
    ends = await call(box, "search", pattern=r"beta$")
    assert ends.text.splitlines()[:3] == ["crlf.txt:2:beta", "lf.txt:1:gamma beta", "lf.txt:2:beta"]
    starts = await call(box, "search", pattern=r"\Abeta")
    assert starts.text.splitlines()[:2] == ["crlf.txt:2:beta", "lf.txt:2:beta"]
