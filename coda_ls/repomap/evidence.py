"""What a name or a path says before any reference is counted.

A bare reference to `append`, `join`, `get` or `super` is almost always a call of the
language's own builtin or of a standard-library method on some object: it must not vote
for every project definition that happens to share the name. And a project's tests,
examples, benchmarks, docs and fixtures are part of it, but not what a reader asks about
unless the question, the focused file or a mention points there.
"""

from __future__ import annotations

import re
from functools import lru_cache

# Builtins and the methods of the standard containers, strings, promises, iterators and
# errors of the languages Coda maps (Python, JS/TS, Go, Rust, Java, C#, Ruby, ...): names a
# call site uses without meaning the project's definition of the same name.
COMMON_NAMES = frozenset(
    [
        "abs",
        "all",
        "any",
        "ascii",
        "bin",
        "bool",
        "breakpoint",
        "bytearray",
        "bytes",
        "callable",
        "chr",
        "classmethod",
        "compile",
        "complex",
        "delattr",
        "dict",
        "dir",
        "divmod",
        "enumerate",
        "eval",
        "exec",
        "filter",
        "float",
        "format",
        "frozenset",
        "getattr",
        "globals",
        "hasattr",
        "hash",
        "help",
        "hex",
        "id",
        "input",
        "int",
        "isinstance",
        "issubclass",
        "iter",
        "len",
        "list",
        "locals",
        "map",
        "max",
        "memoryview",
        "min",
        "next",
        "object",
        "oct",
        "open",
        "ord",
        "pow",
        "print",
        "property",
        "range",
        "repr",
        "reversed",
        "round",
        "set",
        "setattr",
        "slice",
        "sorted",
        "staticmethod",
        "str",
        "sum",
        "super",
        "tuple",
        "type",
        "vars",
        "zip",
        "__init__",
        "__new__",
        "__call__",
        "__enter__",
        "__exit__",
        "__iter__",
        "__next__",
        "__len__",
        "__getitem__",
        "__setitem__",
        "__delitem__",
        "__contains__",
        "__repr__",
        "__str__",
        "__eq__",
        "__hash__",
        "__getattr__",
        "__setattr__",
        "__get__",
        "__set__",
        "__bool__",
        "__init_subclass__",
        "__class_getitem__",
        "__post_init__",
        "append",
        "extend",
        "insert",
        "remove",
        "pop",
        "clear",
        "index",
        "count",
        "sort",
        "reverse",
        "copy",
        "keys",
        "values",
        "items",
        "get",
        "setdefault",
        "update",
        "popitem",
        "fromkeys",
        "add",
        "discard",
        "union",
        "intersection",
        "difference",
        "join",
        "split",
        "rsplit",
        "strip",
        "lstrip",
        "rstrip",
        "lower",
        "upper",
        "title",
        "replace",
        "startswith",
        "endswith",
        "find",
        "rfind",
        "encode",
        "decode",
        "splitlines",
        "partition",
        "rpartition",
        "isdigit",
        "isalpha",
        "zfill",
        "ljust",
        "rjust",
        "center",
        "casefold",
        "read",
        "write",
        "readline",
        "readlines",
        "close",
        "flush",
        "seek",
        "tell",
        "send",
        "recv",
        "push",
        "shift",
        "unshift",
        "splice",
        "slice",
        "concat",
        "indexOf",
        "includes",
        "forEach",
        "some",
        "every",
        "reduce",
        "toString",
        "valueOf",
        "hasOwnProperty",
        "call",
        "apply",
        "bind",
        "then",
        "catch",
        "finally",
        "resolve",
        "reject",
        "toLowerCase",
        "toUpperCase",
        "trim",
        "charAt",
        "substring",
        "substr",
        "parse",
        "stringify",
        "assign",
        "create",
        "freeze",
        "log",
        "warn",
        "error",
        "info",
        "debug",
        "trace",
        "emit",
        "on",
        "off",
        "once",
        "listen",
        "make",
        "new",
        "panic",
        "recover",
        "cap",
        "delete",
        "Error",
        "String",
        "Printf",
        "Sprintf",
        "Errorf",
        "Println",
        "Fatal",
        "clone",
        "unwrap",
        "expect",
        "into",
        "from",
        "iter",
        "map_err",
        "ok_or",
        "is_some",
        "is_none",
        "is_ok",
        "is_err",
        "len",
        "to_string",
        "to_owned",
        "as_ref",
        "as_str",
        "borrow",
        "default",
        "eq",
        "cmp",
        "fmt",
        "hash",
        "drop",
        "collect",
        "equals",
        "hashCode",
        "getClass",
        "compareTo",
        "size",
        "isEmpty",
        "contains",
        "put",
        "run",
        "start",
        "stop",
        "main",
        "each",
        "to_s",
        "to_a",
        "to_h",
        "nil?",
        "empty?",
        "respond_to?",
        "inspect",
        "test",
        "setUp",
        "tearDown",
        "setup",
        "teardown",
        "it",
        "describe",
        "beforeEach",
        "afterEach",
    ]
)

# Path parts that mark a file as no part of what the project ships. Tests by the
# conventions of the mapped languages' tools: folders (`tests/`, Swift's `Tests/`, C#'s
# `App.Tests/`, `integration-tests/`, `dts-test/`, Kotlin's `commonTest/`) and file names
# (`test_x.py`, `x_test.go`, `x_spec.rb`, `x.test.ts`, `x.spec.js`, vitest/tsd type tests
# `x.test-d.ts`, Chromium's `x_unittest.cc`, JUnit/xUnit/ScalaTest/PHPUnit/XCTest
# `XTest.java`, `XTests.cs`, `XSpec.scala`).
_TEST_DIR = (
    r"([\w.-]*[._-])?(?i:tests?|specs?|unit-?tests?|testing|testdata"
    r"|test[_-]?(utils?|helpers?|support)|e2e)"
    r"|[a-z][A-Za-z0-9]*Test|testFixtures"  # Gradle/Kotlin source sets: commonTest, androidTest
)
_TEST_NAME = (
    r"test_[^/]*|conftest\.py|tests\.py"
    r"|[^/]*[._-](test|tests|spec|specs|unittest)(-d)?\.\w+"
    r"|[^/]*[a-z0-9](Tests?|Spec|IT)\.(java|kt|kts|scala|groovy|cs|fs|vb|swift|php|m|mm)"
)
_ROLES = (
    ("test", re.compile(rf"(^|/)({_TEST_DIR}|__tests__)(/|$)|(^|/)({_TEST_NAME})$")),
    ("example", re.compile(r"(^|/)(examples?|samples?|demos?|tutorials?|playground)(/|$)")),
    ("benchmark", re.compile(r"(^|/)(bench|benches|benchmarks?)(/|$)")),
    ("docs", re.compile(r"(^|/)(docs?|documentation|site|website)(/|$)")),
    ("fixture", re.compile(r"(^|/)(fixtures?|__fixtures__|mocks?|stubs?)(/|$)")),
    ("script", re.compile(r"(^|/)(scripts?|tools?|hack|ci|\.github)(/|$)")),
)  # fmt: skip
ROLE_WORDS = {
    "test": ("test", "tests", "testing", "spec", "pytest", "unittest", "fixture"),
    "example": ("example", "examples", "sample", "demo", "tutorial"),
    "benchmark": ("benchmark", "benchmarks", "bench", "perf"),
    "docs": ("doc", "docs", "documentation", "sphinx", "readme"),
    "fixture": ("fixture", "fixtures", "mock", "mocks", "stub"),
    "script": ("script", "scripts", "tool", "tools", "ci"),
}
# Score factor of a definition in a file of each role, unless pointed at.
ROLE_FACTOR = {"test": 0.1, "example": 0.1, "benchmark": 0.1, "docs": 0.1, "fixture": 0.1,
               "script": 0.3}  # fmt: skip
# Personalization (restart weight) of such a file in an unfocused ranking: tests call
# everything they test, which says what is used, but a test suite larger than the code
# must not outvote the code.
ROLE_SOURCE_FACTOR = {"test": 0.3, "example": 0.3, "benchmark": 0.3, "docs": 0.3,
                      "fixture": 0.3, "script": 0.5}  # fmt: skip


def is_common(name: str) -> bool:
    return name in COMMON_NAMES


@lru_cache(maxsize=65536)
def path_role(path: str) -> str | None:
    """ "test", "example", "benchmark", "docs", "fixture", "script" or None (the code)."""
    for role, pattern in _ROLES:
        if pattern.search(path):
            return role
    return None


# Rust keeps unit tests in the file they test, in `#[cfg(test)] mod tests { ... }`.
_IN_FILE_TEST_MODULES = frozenset({"tests", "test"})


def definition_role(path: str, qualname: str) -> str | None:
    """`path_role`, and "test" for a definition inside a source file's own test module."""
    role = path_role(path)
    if role is not None or not path.endswith(".rs"):
        return role
    return "test" if qualname.split(".", 1)[0] in _IN_FILE_TEST_MODULES else None


def roles_pointed_at(words: frozenset[str], paths: frozenset[str]) -> frozenset[str]:
    """The roles a question's words or the focused/mentioned files point at."""
    out = {role for role, names in ROLE_WORDS.items() if not words.isdisjoint(names)}
    out.update(r for r in map(path_role, paths) if r is not None)
    return frozenset(out)
