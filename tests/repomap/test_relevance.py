"""What the map shows first (issue 15): a question's words, evidence over bare names,
tests and examples below the code, methods under their class, the core of a project."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pytest

from coda_ls.config import RepoMapSettings
from coda_ls.context import ContextBuilder
from coda_ls.modes import get_mode
from coda_ls.repomap.evidence import COMMON_NAMES, path_role
from coda_ls.repomap.lexical import LexicalIndex, question_terms, split_name
from coda_ls.repomap.model import Tag
from coda_ls.repomap.rank import rank_tags
from coda_ls.repomap.relevance import classify, overview, usage
from coda_ls.repomap.render import Entry, outline
from coda_ls.repomap.repomap import RepoMap
from coda_ls.repomap.tags import shorten
from coda_ls.repomap.worker import tag_bytes


def write(root: Path, files: Mapping[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def built(root: Path, tmp_path: Path) -> RepoMap:
    repo_map = RepoMap(root, RepoMapSettings(), cache_dir=tmp_path / "cache")
    repo_map.build()
    return repo_map


# A small web framework: `app.py` is what everything uses; `cookies.py` is referenced by
# nobody, so the graph alone ranks it last.
WEB = {
    "web/app.py": "class Application:\n    def handle(self, request):\n"
    "        return dispatch(request)\n\ndef dispatch(request):\n    return request\n",
    "web/views.py": "from web.app import Application, dispatch\n\ndef index(request):\n"
    "    return dispatch(request)\n\ndef about(request):\n"
    "    return Application().handle(request)\n",
    "web/routing.py": "def dispatch_route(request):\n    return dispatch(request)\n",
    "web/cookies.py": "def expire_session_cookie(response, max_age):\n"
    '    """Expire the session cookie after max_age seconds."""\n    return response\n',
    "web/forms.py": "def parse_form(request):\n    return dispatch(request)\n",
}


def test_a_questions_words_find_the_file_the_graph_ranks_last(tmp_path: Path) -> None:
    repo_map = built(write(tmp_path / "p", WEB), tmp_path)
    question = "Session cookies do not expire when max age is zero"
    without = repo_map.render(400, mentioned_idents=["Session", "cookies", "expire", "max"])
    assert without.files[0] != "web/cookies.py"
    asked = repo_map.render(
        400, mentioned_idents=["Session", "cookies", "expire", "max"], question=question
    )
    assert asked.files[0] == "web/cookies.py"


def test_the_engines_context_builder_hands_the_question_to_the_map(tmp_path: Path) -> None:
    root = write(tmp_path / "p", WEB)
    repo_map = built(root, tmp_path)
    context = ContextBuilder(root, repo_map=repo_map, map_tokens=120).build(
        get_mode("chat"), "Fix: the session cookie never expires", window=8192
    )
    system = context.messages[0].content
    assert "web/cookies.py" in system.split("Repository map", 1)[1].splitlines()[1]


def test_plain_words_are_not_boosted_as_identifiers_but_code_is() -> None:
    text = "Fix get_app when `list` of Blueprint items is empty; call render() and cfg.load"
    idents = ["Fix", "get_app", "list", "Blueprint", "items", "empty", "render", "load", "cfg"]
    asked = classify(text, idents)
    assert asked is not None
    assert asked.code_idents == {"get_app", "list", "Blueprint", "render", "load", "cfg"}
    assert {"blueprint", "item", "empty", "render"} <= asked.terms
    assert "fix" not in asked.terms and "when" not in asked.terms
    assert classify(None, idents) is None


def test_names_split_into_words() -> None:
    assert split_name("add_url_rule") == ("add", "url", "rule")
    assert split_name("getHTTPResponse") == ("get", "http", "response")
    assert split_name("redirects") == ("redirect",)
    assert question_terms("The redirecting of URLs") == {"redirect", "url"}


def test_the_words_index_updated_in_place_scores_as_a_fresh_one() -> None:
    files = {rel: tag_bytes(rel, text.encode(), "python") for rel, text in WEB.items()}
    index = LexicalIndex(files)
    files["web/cookies.py"] = tag_bytes(
        "web/cookies.py", b"def set_header(r):\n    pass\n", "python"
    )
    index.update("web/cookies.py", files["web/cookies.py"])
    files.pop("web/forms.py")
    index.update("web/forms.py", None)
    terms = question_terms("cookie header form dispatch request")
    assert index.scores(terms) == pytest.approx(LexicalIndex(files).scores(terms))
    assert "web/forms.py" not in index.scores(terms)


def test_builtin_named_definitions_collect_no_votes(tmp_path: Path) -> None:
    """Issue 15: `def append` / `def super` / `def list` topped Django's map."""
    files = {f"pkg/user{i}.py": f"def use{i}(xs):\n    xs.append(1)\n    ', '.join(xs)\n"
             f"    return Registry().lookup(list(xs))\n" for i in range(8)}  # fmt: skip
    files["pkg/mutable.py"] = (
        "class MutableList:\n    def append(self, x):\n        pass\n\n"
        "    def join(self, sep):\n        pass\n\ndef list(x):\n    return x\n"
    )
    files["pkg/registry.py"] = "class Registry:\n    def lookup(self, key):\n        return key\n"
    repo_map = built(write(tmp_path / "p", files), tmp_path)
    ranked = repo_map.ranked()
    assert [tag.name for _, tag in ranked[:2]] == ["Registry", "lookup"]
    score = {tag.name: value for value, tag in ranked}
    # Eight files call `append`, `join` and `list`, and one calls `lookup`... eight times.
    assert max(score["append"], score["join"], score["list"]) < 0.05 * score["lookup"]


def test_a_files_own_definition_shadows_the_others() -> None:
    def score_of_b(a_calls_its_own: bool) -> float:
        call = "\n\ndef run_a():\n    return helper_value(1)\n" if a_calls_its_own else ""
        texts = {
            "a.py": "def helper_value(x):\n    return x\n" + call,
            "b.py": "def helper_value(x):\n    return x + 1\n",
            "c.py": "def run_c():\n    return helper_value(2)\n",
            "d.py": "def run_d():\n    return run_c()\n",
        }
        files = {rel: tag_bytes(rel, text.encode(), "python") for rel, text in texts.items()}
        return {(t.path, t.name): v for v, t in rank_tags(files)}[("b.py", "helper_value")]

    # a.py calling helper_value means its own: b.py's copy gains (almost) nothing from it.
    assert score_of_b(True) < 1.1 * score_of_b(False)


def test_tests_and_examples_rank_below_the_code_unless_asked_about(tmp_path: Path) -> None:
    files = dict(WEB)
    files["tests/test_app.py"] = (
        "def test_cookie_expiry():\n    expire_session_cookie(None, 0)\n    dispatch(None)\n"
        "\ndef test_dispatch():\n    dispatch(None)\n"
    )
    files["examples/cookie_demo.py"] = "def cookie_demo_app():\n    expire_session_cookie(1, 2)\n"
    repo_map = built(write(tmp_path / "p", files), tmp_path)
    overview = repo_map.render(400).files
    assert overview[-2:] == ("tests/test_app.py", "examples/cookie_demo.py") or overview[-2:] == (
        "examples/cookie_demo.py",
        "tests/test_app.py",
    )
    asked = repo_map.render(400, question="cookie expiry is wrong").files
    assert asked[0] == "web/cookies.py"
    about_tests = repo_map.render(400, question="the cookie expiry test fails").files
    assert about_tests[0] == "tests/test_app.py"
    assert path_role("examples/cookie_demo.py") == "example"
    assert path_role("src/pkg/app_test.go") == "test" and path_role("src/app.py") is None


def tag(name: str, line: int, kind: str = "method", parent: str | None = "Blueprint",
        signature: str = "") -> Tag:  # fmt: skip
    qualname = f"{parent}.{name}" if parent else name
    return Tag(kind, name, qualname, "bp.py", line, line, signature=signature, parent=parent)


def test_a_method_is_shown_under_its_class_line() -> None:
    blueprint = tag("Blueprint", 1, "class", None, "class Blueprint(Scaffold)")
    route = tag("route", 5, signature="def route(self, rule)")
    add = tag("add_url_rule", 9, signature="def add_url_rule(self, rule)")
    text = outline(
        [Entry("bp.py", route), Entry("bp.py", add)],
        lambda path, qualname: blueprint if qualname == "Blueprint" else None,
    )
    assert text == (
        "bp.py:\n  class Blueprint(Scaffold)\n    def route(self, rule)\n"
        "    def add_url_rule(self, rule)\n"
    )


def test_overloads_are_shown_once_with_a_count() -> None:
    first = tag("get", 3, signature="def get(self, key: str) -> str")
    second = tag("get", 6, signature="def get(self, key: int) -> int")
    third = tag("get", 9, signature="def get(self, key)")
    text = outline([Entry("bp.py", t) for t in (first, second, third)])
    assert text == "bp.py:\n  def get(self, key: str) -> str  (×3)\n"


def test_long_signatures_are_cut_between_parameters() -> None:
    long = (
        "def add_url_rule(self, rule: str, endpoint: str | None = None, view_func: "
        "ft.RouteCallable | None = None, provide_automatic_options: bool | None = None, "
        "**options: t.Any) -> None"
    )
    short = shorten(long, 100)
    assert short == "def add_url_rule(self, rule: str, endpoint: str | None = None, …) -> None"
    go = "func (c *Command) SetUsageFunc(first func(*Command) error, second string, third int)"
    assert shorten(go, 70) == "func (c *Command) SetUsageFunc(first func(*Command) error, …)"
    assert shorten("short(a, b)", 100) == "short(a, b)"


CODA = Path(__file__).resolve().parents[2] / "coda_ls"


@pytest.fixture(scope="module")
def coda_map(tmp_path_factory: pytest.TempPathFactory) -> RepoMap:
    """Coda's own package, as a real project whose ranking must not regress."""
    cache = tmp_path_factory.mktemp("coda-map")
    repo_map = RepoMap(CODA, RepoMapSettings(), cache_dir=cache)
    repo_map.build()
    return repo_map


def test_coda_overview_shows_its_core_types_and_no_builtin_names(coda_map: RepoMap) -> None:
    rendered = coda_map.render(1024)
    first = rendered.tags[:20]
    assert not [t.name for t in first if t.name in COMMON_NAMES]
    kinds = [t.kind for t in first[:10]]
    assert kinds.count("class") >= 6, [t.qualname for t in first]
    assert not [t.path for t in first if path_role(t.path) is not None]


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Token counting falls back to an estimate offline", "tokens.py"),
        ("the repo map cache keeps stale tags after a file is touched", "repomap/cache.py"),
        ("PageRank personalization of focused files", "repomap/rank.py"),
        ("split camelCase names into words for BM25", "repomap/lexical.py"),
    ],
)
def test_coda_questions_find_their_files(coda_map: RepoMap, question: str, expected: str) -> None:
    files = coda_map.render(1024, question=question).files
    assert expected in files[:3], files[:5]


def test_imports_say_where_a_name_comes_from() -> None:
    from coda_ls.repomap.imports import imports_of, module_matches

    python = (
        b"from django.db.models import Field, Model as Base\n"
        b"from .fields import (\n    CharField,\n    IntegerField as Int,\n)\n"
        b"from .. import checks\nfrom typing import List\nimport os\n"
    )
    found = imports_of("django/forms/models.py", python, "python")
    assert found == {"Field": "django/db/models", "Base": "django/db/models",
                     "CharField": "django/forms/fields", "Int": "django/forms/fields",
                     "checks": "django", "List": ""}  # fmt: skip
    js = (
        b"import Router, { Route as R, layer } from './router/index.js'\n"
        b"const { send } = require('send')\nconst View = require('../view')\n"
    )
    assert imports_of("lib/app/main.js", js, "javascript") == {
        "Router": "lib/app/router/index", "R": "lib/app/router/index",
        "layer": "lib/app/router/index", "send": "", "View": "lib/view",
    }  # fmt: skip
    assert module_matches("src/flask/app.py", "flask/app")
    assert module_matches("django/db/models/fields/__init__.py", "django/db/models")
    assert not module_matches("django/forms/fields.py", "django/db/models")


def test_an_imported_name_votes_for_the_definition_it_imports() -> None:
    texts = {
        "pkg/db/fields.py": "class Field:\n    pass\n",
        "pkg/forms/fields.py": "class Field:\n    pass\n",
        "pkg/views.py": "from pkg.db.fields import Field\n\ndef show():\n    return Field()\n",
    }
    files = {rel: tag_bytes(rel, text.encode(), "python") for rel, text in texts.items()}
    scores = {t.path: v for v, t in rank_tags(files) if t.name == "Field"}
    assert scores["pkg/db/fields.py"] > 5 * scores["pkg/forms/fields.py"]


@pytest.mark.parametrize(
    ("path", "role"),
    [
        # the conventions of each language's test tools
        ("tests/test_app.py", "test"),
        ("shop/tests.py", "test"),  # Django
        ("src/pkg/app_test.go", "test"),
        ("internal/testutil/fake.go", "test"),
        ("lib/user_spec.rb", "test"),
        ("src/a.test.ts", "test"),
        ("src/a.spec.js", "test"),
        ("src/a.test-d.ts", "test"),  # vitest/tsd type tests
        ("packages-private/dts-test/setupHelpers.ts", "test"),
        ("e2e-tests/login.ts", "test"),
        ("src/__tests__/a.js", "test"),
        ("Tests/AppTests/AppTests.swift", "test"),  # SwiftPM
        ("src/App.Tests/Parsing.cs", "test"),  # a .NET test project
        ("src/ParserTests.cs", "test"),
        ("base/strings/string_util_unittest.cc", "test"),  # Chromium
        ("app/src/main/java/ParserTest.java", "test"),
        ("app/src/main/java/ParserIT.java", "test"),
        ("src/ParserSpec.scala", "test"),
        ("okio/src/commonTest/kotlin/okio/ByteStringFactory.kt", "test"),  # Kotlin source sets
        ("app/src/androidUnitTest/java/A.kt", "test"),
        ("lib/src/testFixtures/java/Fake.java", "test"),
        # code whose name only looks like it
        ("src/app.py", None),
        ("src/latest/release.py", None),
        ("src/contest.py", None),
        ("src/attest.rs", None),
        ("src/ABTest.java", None),
        ("src/testing_helpers.py", None),
        ("src/specification.ts", None),
        ("src/speculative/exec.rs", None),
        ("src/testify.go", None),
        ("okio/src/jvmMain/kotlin/okio/Buffer.kt", None),
        ("src/Latest/Release.cs", None),
    ],
)
def test_test_files_by_each_languages_conventions(path: str, role: str | None) -> None:
    assert path_role(path) == role


RUST_CRATE = {
    "src/lib.rs": """pub struct Parser {
    depth: usize,
}

impl Parser {
    pub fn with_depth() -> Parser {
        Parser { depth: 0 }
    }

    pub fn parse_text(&self, text: &str) -> usize {
        text.len() + self.depth
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample_parser() -> Parser {
        Parser::with_depth()
    }

    #[test]
    fn parses_empty() {
        assert_eq!(sample_parser().parse_text(""), 0);
    }
}
""",
    "src/main.rs": "fn main() {\n    cli::render_report(&Parser::with_depth());\n}\n",
    "src/cli.rs": """pub fn render_report(p: &Parser) -> usize {
    p.parse_text("y") + tests::sample_parser()
}
""",
}


def test_a_rust_files_own_test_module_ranks_below_the_code() -> None:
    files = {rel: tag_bytes(rel, text.encode(), "rust") for rel, text in RUST_CRATE.items()}
    scores = {t.qualname: v for v, t in overview(rank_tags(files), usage(files), frozenset(), None)}
    # `tests::sample_parser()` is used from another file, yet the test module and what is
    # in it stay below all the code (but `main`, which nobody calls).
    code = min(scores[q] for q in ("Parser", "Parser.with_depth", "render_report"))
    assert max(scores["tests"], scores["tests.sample_parser"]) < code / 4
    # ...unless the question is about tests
    about_tests = dict(
        (t.qualname, v)
        for v, t in overview(rank_tags(files), usage(files), frozenset({"test"}), None)
    )
    assert about_tests["tests.sample_parser"] > 5 * scores["tests.sample_parser"]
