"""`coda docs check` on real git and Mercurial repositories, and `--propose` through the
scripted model server."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from coda_cli.main import cli
from coda_ls.checks.docs import check_docs, find_mentions, is_doc
from coda_ls.checks.propose import apply_unified, extract_diff
from coda_ls.checks.symbols import SymbolChange
from coda_ls.errors import EditError
from tests.checks.history import SYSTEMS, Repo
from tests.support.model_server import Reply, ScriptedModelServer

LIB_V1 = """\
def connect(host, port):
    return (host, port)


class Client:
    def send(self, data):
        return data


def helper():
    return 1


def untouched(x):
    return x
"""

LIB_V2 = """\
def connect(host, port, timeout=5.0):
    return (host, port, timeout)


class Client:
    def send(self, data):
        return data.encode()


def untouched(x):
    return x
"""

README = """\
# libdemo

Call `connect(host, port)` to open a connection.
We connect to the server when asked.
Then use Client.send to send bytes.
The untouched(x) function is stable.

```python
value = helper()
```
"""

GUIDE_V1 = """\
Guide
=====

Use ``connect`` first.
Old line about connect(host, port).
"""

GUIDE_V2 = """\
Guide
=====

Use ``connect`` first.
New line: connect(host, port, timeout=5.0) after the change.
"""


def make_history(repo: Repo) -> None:
    repo.commit(
        "first release",
        {
            "src/lib.py": LIB_V1,
            "README.md": README,
            "docs/guide.rst": GUIDE_V1,
            "CHANGELOG.md": "## 1.0\n- `connect(host, port)` added\n",
        },
    )
    repo.tag("v1.0")
    repo.commit("timeouts and bytes", {"src/lib.py": LIB_V2, "docs/guide.rst": GUIDE_V2})


def found(report_mentions: list[dict[str, object]]) -> set[tuple[object, ...]]:
    return {(m["doc"], m["line"], m["symbol"], m["change"]) for m in report_mentions}


EXPECTED = {
    ("README.md", 3, "connect", "signature"),
    ("README.md", 5, "Client.send", "body"),
    ("README.md", 9, "helper", "removed"),
    ("docs/guide.rst", 4, "connect", "signature"),  # not edited since v1.0
}


@pytest.mark.parametrize("system", SYSTEMS)
def test_stale_mentions_since_the_last_tag(system: str, tmp_path: Path) -> None:
    repo = Repo(system, tmp_path / system)
    make_history(repo)
    report = check_docs(repo.root)  # default: since the last tag
    assert report.since == "v1.0"
    kinds = {(c.qualname, c.kind) for c in report.changes}
    assert kinds == {("connect", "signature"), ("Client.send", "body"), ("helper", "removed")}
    assert found([m.to_dict() for m in report.mentions]) == EXPECTED
    connect = next(c for c in report.changes if c.name == "connect")
    assert connect.describe() == "def connect(host, port) → def connect(host, port, timeout=5.0)"


@pytest.mark.parametrize("system", SYSTEMS)
def test_uncommitted_changes_count_and_wiki_is_read(system: str, tmp_path: Path) -> None:
    repo = Repo(system, tmp_path / system)
    make_history(repo)
    repo.write({"src/lib.py": LIB_V2.replace("def untouched(x)", "def untouched(x, y)")})
    wiki = tmp_path / "libdemo.wiki"
    wiki.mkdir()
    (wiki / "Home.md").write_text("See `untouched` and `send`.\n")
    result = CliRunner().invoke(
        cli, ["docs", "check", str(repo.root), "--since", "v1.0", "--wiki", str(wiki), "--json"]
    )
    assert result.exit_code == 0, result.output  # no --check: reporting only
    data = json.loads(result.stdout)
    got = found(data["stale"])
    assert ("README.md", 6, "untouched", "signature") in got
    assert ("libdemo.wiki/Home.md", 1, "untouched", "signature") in got
    assert ("libdemo.wiki/Home.md", 1, "Client.send", "body") in got


@pytest.mark.parametrize("system", SYSTEMS)
def test_check_exit_status(system: str, tmp_path: Path) -> None:
    repo = Repo(system, tmp_path / system)
    make_history(repo)
    stale = CliRunner().invoke(cli, ["docs", "check", str(repo.root), "--check"])
    assert stale.exit_code == 1
    assert "README.md:3" in stale.output and "timeout=5.0" in stale.output
    # Since the newest commit nothing changed: clean, exit 0 even with --check.
    head = "HEAD" if system == "git" else "."
    clean = CliRunner().invoke(cli, ["docs", "check", str(repo.root), "--since", head, "--check"])
    assert clean.exit_code == 0, clean.output
    assert "no stale documentation" in clean.output


def test_unknown_revision_is_a_clear_error(tmp_path: Path) -> None:
    repo = Repo("git", tmp_path / "git")
    make_history(repo)
    result = CliRunner().invoke(cli, ["docs", "check", str(repo.root), "--since", "nope"])
    assert result.exit_code != 0
    assert "unknown revision 'nope'" in result.output
    assert "Traceback" not in result.output


def test_prose_is_not_a_mention() -> None:
    change = SymbolChange("a.py", "run", "run", "signature", "def run()", "def run(x)", 1)
    text = "We run the tests.\nCall `run` now.\nOr run() directly.\n"
    lines = [m.line for m in find_mentions("README.md", Path("README.md"), text, [change])]
    assert lines == [2, 3]


def test_changelogs_are_not_documentation() -> None:
    assert is_doc("README.rst") and is_doc("docs/api.txt") and is_doc("guide.md")
    assert not is_doc("CHANGELOG.md") and not is_doc("NEWS.rst") and not is_doc("notes.txt")
    assert not is_doc("changelog.d/12.feature.md")


def test_unified_diff_is_placed_by_context_and_refused_when_it_does_not_fit() -> None:
    text = "a\nb\nc\nd\n"
    diff = "--- a/x\n+++ b/x\n@@ -9,3 +9,3 @@\n b\n-c\n+C\n d\n"  # wrong line numbers
    assert apply_unified(text, diff) == "a\nb\nC\nd\n"
    with pytest.raises(EditError, match="does not apply"):
        apply_unified(text, diff.replace(" b\n", " zz\n"))
    assert extract_diff("Here:\n```diff\n--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n```\n").startswith(
        "--- a/x"
    )


README_FIX = """\
Sure:
```diff
--- a/README.md
+++ b/README.md
@@ -2,3 +2,3 @@

-Call `connect(host, port)` to open a connection.
+Call `connect(host, port, timeout=5.0)` to open a connection.
 We connect to the server when asked.
```
"""


@pytest.mark.parametrize("system", SYSTEMS)
def test_propose_asks_the_model_for_a_diff_that_applies(
    system: str, tmp_path: Path, model_server: ScriptedModelServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OLLAMA_HOST", model_server.url)
    repo = Repo(system, tmp_path / system)
    make_history(repo)
    # README first (tracked files are sorted), then the guide: a reply that does not fit.
    model_server.script(
        Reply(text=README_FIX), Reply(text="```diff\n@@ -1 +1 @@\n-Nope\n+Yes\n```")
    )
    result = CliRunner().invoke(
        cli, ["docs", "check", str(repo.root), "--propose", "--json", "--check"]
    )
    assert result.exit_code == 1, result.output
    data = json.loads(result.stdout)
    proposals = {p["doc"]: p for p in data["proposals"]}
    assert proposals["README.md"]["applies"] is True
    assert "+Call `connect(host, port, timeout=5.0)`" in proposals["README.md"]["diff"]
    assert proposals["docs/guide.rst"]["applies"] is False
    assert "does not apply" in proposals["docs/guide.rst"]["error"]
    asked = model_server.chat_requests()
    assert len(asked) == 2
    prompt = asked[0].body["messages"][-1]["content"]
    assert "def connect(host, port) → def connect(host, port, timeout=5.0)" in prompt
    assert "Stale lines: 3, 5, 9" in prompt
    assert "unified diff" in asked[0].body["messages"][0]["content"]
