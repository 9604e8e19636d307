"""Shell command wrappers: where the command they run starts.

`env FOO=1 nice -n 5 timeout 10 sudo -u root id` runs `nice …`, which runs `timeout …`,
which runs `sudo …`, which runs `id`. Each entry of `WRAPPERS` takes a wrapper's
arguments and returns the wrapped command's words (None when it runs none, like
`command -v sudo`), so the shell policy can judge every layer.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from coda_ls.tools.shell_syntax import Word


def skip_options(
    args: list[Word],
    *,
    short_values: str = "",
    long_values: Iterable[str] = (),
    assignments: bool = False,
) -> int:
    """Index of the first word after the options (and `NAME=value` words if asked)."""
    long_values = set(long_values)
    index = 0
    while index < len(args):
        text = args[index].text
        if text == "--":
            index += 1
            break
        if text.startswith("--"):
            index += 2 if text in long_values else 1
            continue
        if text.startswith("-") and len(text) > 1:
            letters = text[1:]
            takes = next((i for i, letter in enumerate(letters) if letter in short_values), None)
            # `-u root`: the value is the next word; `-uroot`: attached
            index += 2 if takes is not None and takes == len(letters) - 1 else 1
            continue
        if assignments and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*=.*", text, re.DOTALL):
            index += 1
            continue
        break
    return index


def _after(
    short_values: str = "",
    long_values: Iterable[str] = (),
    *,
    operands: int = 0,
    assignments: bool = False,
) -> Callable[[list[Word]], list[Word] | None]:
    """A wrapper stripper: skip options, then `operands` more words (a duration, a mask)."""

    def strip(args: list[Word]) -> list[Word] | None:
        index = skip_options(
            args, short_values=short_values, long_values=long_values, assignments=assignments
        )
        index += operands
        return args[index:] if index < len(args) else None

    return strip


def _command_builtin(args: list[Word]) -> list[Word] | None:
    index = skip_options(args)
    if any(w.text.startswith("-") and ("v" in w.text or "V" in w.text) for w in args[:index]):
        return None  # `command -v sudo` only says where sudo is
    return args[index:] or None


def _chrt(args: list[Word]) -> list[Word] | None:
    index = skip_options(args, long_values={"--sched-runtime", "--sched-period"})
    if index < len(args) and args[index].text.isdigit():
        index += 1  # the priority
    return args[index:] or None


def _taskset(args: list[Word]) -> list[Word] | None:
    index = skip_options(args)
    if any(w.text in ("-p", "--pid") for w in args[:index]):
        return None
    return args[index + 1 :] or None  # after the CPU mask


WRAPPERS: dict[str, Callable[[list[Word]], list[Word] | None]] = {
    "env": _after("uCSP", {"--unset", "--chdir", "--split-string"}, assignments=True),
    "command": _command_builtin,
    "builtin": _after(),
    "exec": _after("a"),
    "nice": _after("n", {"--adjustment"}),
    "nohup": _after(),
    "setsid": _after(),
    "timeout": _after("sk", {"--signal", "--kill-after"}, operands=1),
    "sudo": _after(
        "ughpCDrtUTR", {"--user", "--group", "--host", "--prompt", "--chdir"}, assignments=True
    ),
    "doas": _after("uC"),
    "time": _after("fo", {"--format", "--output"}),
    "stdbuf": _after("ioe", {"--input", "--output", "--error"}),
    "ionice": _after("cnp", {"--class", "--classdata", "--pid"}),
    "chrt": _chrt,
    "taskset": _taskset,
    "xargs": _after(
        "adEeIiLlnPs",
        {
            "--arg-file",
            "--delimiter",
            "--eof",
            "--replace",
            "--max-lines",
            "--max-args",
            "--max-procs",
            "--max-chars",
            "--process-slot-var",
        },
    ),
    "busybox": _after(),
    "unbuffer": _after(),
    "strace": _after("eopsuEabIOSXP"),
    "ltrace": _after("eopsuEabIOSXPn"),
    "watch": _after("ndgq", {"--interval"}),  # only reached with -x (see above)
    "flock": _after("wEc", {"--timeout", "--conflict-exit-code"}, operands=1),
    "caffeinate": _after("tw"),
}
