"""What the editor shows from what the model wrote."""

from __future__ import annotations

import pytest

from coda_ls.completion.postprocess import clean


@pytest.mark.parametrize(
    ("raw", "prefix", "suffix", "expected"),
    [
        # Mid-line: one line only, even if the model went on.
        ("b)\nprint(x)\n", "x = f(a, ", ")\n", "b"),
        # The `)` already after the cursor is not written twice...
        ("width, height)", "area(", ")\n", "width, height"),
        # ...but a call the model opened and closed itself stays whole.
        ("foo()", "print(", ")\n", "foo()"),
        # A colon already after the cursor.
        ("x > 0:", "if ", ":\n", "x > 0"),
        # An empty indented line: a block, cut where it dedents.
        ("a = 1\n    b = 2\nc = 3\n", "def f():\n    ", "\n", "a = 1\n    b = 2"),
        # The lines already after the cursor are not repeated.
        ("a = 1\n    return a\n", "def f():\n    ", "\n    return a\n", "a = 1"),
        # A new top-level unit after a blank line is another suggestion.
        ("def g():\n    pass\n\n\ndef h():\n", "\n", "", "def g():\n    pass"),
        # Sentinels a server did not strip never reach the buffer.
        ("x + 1<|endoftext|>junk", "return ", "\n", "x + 1"),
        ("x + 1<EOT>", "return ", "\n", "x + 1"),
        # A statement being typed is finished on its line, even inside a block.
        ("1\n    y = 2\n", "def f():\n    x = ", "\n", "1"),
        ("urn x\n    y = 2\n", "def f():\n    ret", "\n", "urn x"),
        # A block opener at the end of the line: its body may follow.
        ("\n        return x", "    if x:", "\n", "\n        return x"),
        # Nothing worth showing.
        ("   \n", "x = ", "\n", ""),
        (")", "f(", ")\n", ""),
    ],
)
def test_clean(raw: str, prefix: str, suffix: str, expected: str) -> None:
    assert clean(raw, prefix, suffix) == expected


def test_block_after_an_opener_keeps_indentation() -> None:
    raw = "\n    return self.width * self.height\n\ndef other():\n"
    assert clean(raw, "class R:\n  def area(self):", "\n") == (
        "\n    return self.width * self.height"
    )


@pytest.mark.parametrize(
    ("raw", "prefix", "expected"),
    [
        ("```python\n    return a + b\n```", "def f(a, b):\n    ", "return a + b"),
        ("    total = area(w, h)", "    total = ar", "ea(w, h)"),
        ("return a + b", "def f(a, b):\n    ", "return a + b"),
    ],
)
def test_chat_answers_lose_fences_and_echoed_text(raw: str, prefix: str, expected: str) -> None:
    assert clean(raw, prefix, "\n", from_chat=True) == expected
