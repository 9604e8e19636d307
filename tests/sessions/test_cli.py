from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner, Result

from coda_cli.main import cli
from coda_ls.providers.base import Usage
from coda_ls.sessions import SessionStore


def run(*args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(cli, ["--no-color", "sessions", *args], input=input)


def _populate() -> tuple[str, str, int]:
    with SessionStore() as store:
        main = store.create_session(project_root="/tmp", vcs_revision="abc")
        first = store.add_message(main.id, "user", "How should the repo map rank files?")
        with store.start_reply(main.id, provider="ollama", model="qwen") as reply:
            reply.append("Use personalized PageRank.")
            reply.finish(usage=Usage(input_tokens=900, output_tokens=40, cached_tokens=300))
        branch = store.fork(main.id, first.id, title="alternative")
        store.add_message(branch.id, "user", "What about a hypergraph ranking instead?")
        return main.id, branch.id, first.id


def test_fresh_machine_says_no_sessions_yet() -> None:
    for args in ([], ["list"], ["search", "anything"]):
        result = run(*args)
        assert result.exit_code == 0, result.output
        assert "No sessions yet" in result.output
    assert json.loads(run("list", "--json").output) == []


def test_list_show_tree_and_search() -> None:
    main, branch, first = _populate()
    listed = run("list")
    assert main[:8] in listed.output and "alternative" in listed.output
    assert {s["id"] for s in json.loads(run("list", "--json").output)} == {main, branch}

    shown = run("show", branch[:6])
    assert shown.exit_code == 0, shown.output
    assert "repo map rank files" in shown.output and "hypergraph" in shown.output
    assert "PageRank" not in shown.output  # after the fork point in the parent only
    assert f"branch of {main[:8]} at message #{first}" in shown.output
    assert main[:8] in run("tree", branch).output

    found = run("search", "hypergraph")
    assert found.exit_code == 0 and branch[:8] in found.output
    assert "What about a hypergraph ranking" in found.output
    hits = json.loads(run("search", "hypergraph", "--json").output)
    assert hits[0]["session_id"] == branch and "**hypergraph**" in hits[0]["snippet"]
    assert "No messages match" in run("search", 'zzz"').output


def test_export_import_branch_delete_and_prune(tmp_path: Path) -> None:
    main, branch, first = _populate()
    markdown = run("export", branch)
    assert markdown.output.startswith("# alternative")
    target = tmp_path / "b.json"
    assert run("export", branch, "-f", "json", "-o", str(target)).exit_code == 0
    imported = run("import", str(target))
    assert imported.exit_code == 0 and "2 messages" in imported.output

    forked = run("branch", main, "--at", str(first), "--title", "third")
    assert forked.exit_code == 0 and "created" in forked.output
    bad = run("branch", main, "--at", "999999")
    assert bad.exit_code == 1 and "not in session" in bad.output

    aborted = run("delete", main, input="n\n")
    assert aborted.exit_code == 1 and "2 branch(es)" in aborted.output
    assert run("delete", main, "--yes").output.strip() == "deleted 3 session(s)"
    assert "would be deleted" not in run("prune", "--days", "1", "--dry-run").output
    assert "1 session(s) would be deleted" in run("prune", "--days", "0", "--dry-run").output
    assert "deleted 1" in run("prune", "--days", "0", "--yes").output
    assert "No sessions yet" in run("list").output


def test_stats_panel_and_json() -> None:
    main, _, _ = _populate()
    panel = run("stats", main)
    assert panel.exit_code == 0, panel.output
    for text in ("Interaction summary", "Performance", "ollama/qwen", "900", "Savings"):
        assert text in panel.output
    data = json.loads(run("stats", main, "--json").output)
    assert data["requests"] == 1 and data["by_model"][0]["input_tokens"] == 900


def test_unknown_id_is_a_friendly_error() -> None:
    result = run("show", "abcdef")
    assert result.exit_code == 1
    assert "no session 'abcdef'" in result.output and "Traceback" not in result.output
