"""Framework, test file and command detection from the project analysis; runner output."""

from __future__ import annotations

from pathlib import Path

import pytest

from coda_ls.errors import ConfigError
from coda_ls.project import analyze_files
from coda_ls.testgen import detect_setup, parse_plan, read_result
from coda_ls.testgen.results import counts


def setup_for(root: Path, files: dict[str, str], source: str, **kw: str):  # type: ignore[no-untyped-def]
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    names = sorted(files)
    return detect_setup(root, root / source, analyze_files(root, names), names, **kw)


@pytest.mark.parametrize(
    ("files", "source", "framework", "test_file", "command"),
    [
        (  # pytest from the config; a tests/ folder exists
            {"pyproject.toml": "[tool.pytest.ini_options]\n", "src/pkg/calc.py": "",
             "tests/test_other.py": ""},
            "src/pkg/calc.py", "pytest", "tests/test_calc.py", "-m pytest -q tests/test_calc.py",
        ),
        (  # an existing test file for the module wins, the nearest one first
            {"conftest.py": "", "a/calc.py": "", "a/tests/test_calc.py": "",
             "b/tests/test_calc.py": ""},
            "a/calc.py", "pytest", "a/tests/test_calc.py", "-m pytest -q a/tests/test_calc.py",
        ),
        (  # no pytest anywhere: unittest, in the project's test/ folder
            {"lib.py": "", "test/test_other.py": ""},
            "lib.py", "unittest", "test/test_lib.py",
            "-m unittest discover -v -s test -p test_lib.py",
        ),
        (
            {"package.json": '{"devDependencies": {"vitest": "^2"}}', "src/sum.ts": ""},
            "src/sum.ts", "Vitest", "src/sum.test.ts", "npx vitest run src/sum.test.ts",
        ),
        (
            {"package.json": '{"devDependencies": {"jest": "^29"}}', "lib/sum.js": "",
             "lib/__tests__/sum.test.js": ""},
            "lib/sum.js", "Jest", "lib/__tests__/sum.test.js", "npx jest lib/__tests__/sum.test.js",
        ),
        (
            {"go.mod": "module x\n", "pkg/calc/calc.go": ""},
            "pkg/calc/calc.go", "go test", "pkg/calc/calc_test.go", "go test ./pkg/calc",
        ),
        (
            {"Cargo.toml": '[package]\nname = "x"\n', "src/calc.rs": ""},
            "src/calc.rs", "cargo test", "tests/calc.rs", "cargo test --test calc",
        ),
    ],
)  # fmt: skip
def test_detects_framework_file_and_command(
    tmp_path: Path, files: dict[str, str], source: str, framework: str, test_file: str,
    command: str,
) -> None:  # fmt: skip
    setup = setup_for(tmp_path, files, source)
    assert (setup.framework, setup.test_file) == (framework, test_file)
    assert setup.command.endswith(command)
    assert setup.exists == (test_file in files)


def test_the_projects_interpreter_and_a_configured_command(tmp_path: Path) -> None:
    (tmp_path / ".venv" / "bin").mkdir(parents=True)
    (tmp_path / ".venv" / "bin" / "python").write_text("")
    files = {"conftest.py": "", "my mod.py": ""}
    setup = setup_for(tmp_path, files, "my mod.py")
    assert setup.command == ".venv/bin/python -m pytest -q 'tests/test_my mod.py'"
    custom = setup_for(tmp_path, files, "my mod.py", command="tox -e py -- {file}")
    assert custom.command == "tox -e py -- 'tests/test_my mod.py'"


def test_unsupported_language_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"cannot write tests for \.c files"):
        setup_for(tmp_path, {"main.c": ""}, "main.c")


@pytest.mark.parametrize(
    ("framework", "output", "expected"),
    [
        ("pytest", "F.\n=== 1 failed, 1 passed in 0.02s ===\n", (1, 1)),
        ("pytest", "E\n==== 1 passed, 2 errors in 0.1s ====", (1, 2)),
        ("unittest", "Ran 3 tests in 0.001s\n\nFAILED (failures=1, errors=1)\n", (1, 2)),
        ("unittest", "Ran 2 tests in 0.001s\n\nOK\n", (2, 0)),
        ("Jest", "Test Suites: 1 failed, 1 total\nTests:       1 failed, 3 passed, 4 total\n",
         (3, 1)),
        ("cargo test", "test result: ok. 3 passed; 0 failed;\ntest result: FAILED. 1 passed; "
         "2 failed;", (4, 2)),
        ("go test", "=== RUN   TestA\n--- PASS: TestA\n--- FAIL: TestB\nFAIL\n", (1, 1)),
        ("pytest", "no summary", (None, None)),
    ],
)  # fmt: skip
def test_counts_from_runner_output(
    framework: str, output: str, expected: tuple[int | None, int | None]
) -> None:
    assert counts(output, framework) == expected


def test_a_refused_run_is_not_a_failure_of_the_tests() -> None:
    refused = read_result("refused: permissions.shell is 'deny'", True, "pytest")
    assert not refused.ran and not refused.ok and refused.exit_code is None
    ran = read_result("exit code 0\n== 2 passed in 0.1s ==", False, "pytest")
    assert ran.ok and ran.passed == 2


def test_plans_in_json_or_a_bare_code_block() -> None:
    plan = parse_plan('Here:\n```json\n{"file": "t.py", "content": "x = 1"}\n```')
    assert plan.file == "t.py" and plan.new_text(None) == "x = 1\n"
    loose = parse_plan("```python\ndef test_x():\n    pass\n```")
    assert loose.loose and loose.new_text("old\n") == "old\n\n\ndef test_x():\n    pass\n"
    edits = parse_plan('{"edits": [{"search": "a = 1", "replace": "a = 2"}]}')
    assert edits.new_text("a = 1\n") == "a = 2\n"
    assert parse_plan("I cannot.").empty
