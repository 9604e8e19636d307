"""Which shell commands are refused, which must be asked about, which an allow rule lets
run unattended.

Every simple command of the parsed line (`shell_syntax`) is judged, then judged again
with each wrapper taken off (`env`, `command`, `exec`, `nice`, `nohup`, `timeout`,
`sudo`, `xargs`, … and the binary's directory): `env /usr/bin/sudo id` is seen as
`env /usr/bin/sudo id`, `sudo id` and `id`. `sh|bash|zsh … -c 'string'` is parsed and
judged in turn. Three verdicts:

- **deny**: a `permissions.shell_deny` pattern or a built-in rule (recursive `rm`/`chmod`
  of `/`, `~` or a system directory, `dd`/redirection onto a disk, a fork bomb, `kill -1`)
  matches. Refused whatever the permission says.
- **ask**: what cannot be judged before it runs: `eval`, `source`/`.`, `alias`, `trap`,
  a variable, substitution or glob in command position, a shell or interpreter reading
  its program from a pipe or here-document (`base64 -d | sh`), `sh -c "$x"`, a line
  the grammar cannot parse. Asked even when `permissions.shell` is `allow`.
- **ok**: the policy decides; with `allowed_by` set when every simple command starts
  with one of `permissions.shell_allow`'s prefixes (whole words, no output redirection
  to a file), so it runs without asking.

This is a seatbelt against a model's mistakes and against being talked into the usual
tricks, not a sandbox: an allowed interpreter (`python -c`, a test script) can still do
anything the user can.
"""

from __future__ import annotations

import fnmatch
import posixpath
import re
import shlex
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Literal

from coda_ls.tools.shell_syntax import Redirect, Script, Word, parse

MAX_DEPTH = 6  # nested `sh -c` levels judged; deeper is asked about

Kind = Literal["deny", "ask", "ok"]


@dataclass(frozen=True)
class ShellVerdict:
    """The judgement of one command line. `reason` says why for deny and ask;
    `allowed_by` names the allow rules that matched every part (kind "ok" only)."""

    kind: Kind
    reason: str = ""
    allowed_by: tuple[str, ...] = ()


@dataclass
class _Findings:
    deny: list[str] = field(default_factory=list)
    ask: list[str] = field(default_factory=list)


UNJUDGEABLE = {
    "eval": "eval runs a string built at run time",
    "source": "source runs a file's commands in this shell",
    ".": "`.` runs a file's commands in this shell",
    "alias": "an alias renames commands",
    "trap": "trap runs a string as a command later",
    "let": "let evaluates expressions that may run commands",
    "enable": "enable loads shell builtins",
    "coproc": "coproc starts a command in the background",
    "fc": "fc re-runs commands from the history",
    "parallel": "parallel runs its input as shell commands",
}
# Variables whose value is a command line something will run (git's pager, an editor).
COMMAND_VARIABLES = frozenset(
    {"PAGER", "GIT_PAGER", "MANPAGER", "EDITOR", "VISUAL", "GIT_EDITOR",
     "GIT_SEQUENCE_EDITOR", "GIT_SSH_COMMAND", "GIT_SSH", "GIT_EXTERNAL_DIFF",
     "GIT_ASKPASS", "SSH_ASKPASS", "SUDO_ASKPASS", "PROMPT_COMMAND"}
)  # fmt: skip
# Variables that make a program load or run code that is not on the command line.
CODE_VARIABLES = frozenset(
    {"BASH_ENV", "ENV", "LD_PRELOAD", "LD_AUDIT", "PS4", "IFS", "PERL5OPT", "NODE_OPTIONS",
     "RUBYOPT", "SHELLOPTS", "BASHOPTS"}
)  # fmt: skip
# `git -c key=value` settings whose value git runs as a command
GIT_COMMAND_KEYS = frozenset(
    {"core.pager", "core.editor", "core.sshcommand", "core.fsmonitor", "core.hookspath",
     "credential.helper", "diff.external", "sequence.editor", "gpg.program", "pager.log",
     "pager.diff", "pager.show", "uploadpack.packobjectshook"}
)  # fmt: skip
SHELLS = frozenset(
    {"sh", "bash", "zsh", "dash", "ksh", "mksh", "ash", "yash", "posh", "rbash", "fish",
     "csh", "tcsh"}
)  # fmt: skip
# interpreter -> (options that carry the program, options that take a value)
INTERPRETERS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "python": (frozenset({"-c", "-m"}), frozenset({"-W", "-X", "-Q"})),
    "perl": (frozenset({"-e", "-E"}), frozenset({"-I", "-M", "-m"})),
    "ruby": (frozenset({"-e"}), frozenset({"-I", "-r"})),
    "node": (frozenset({"-e", "--eval", "-p", "--print"}), frozenset({"-r", "--require"})),
    "php": (frozenset({"-r", "-f"}), frozenset({"-d", "-c", "-z"})),
    "lua": (frozenset({"-e"}), frozenset({"-l"})),
    "Rscript": (frozenset({"-e"}), frozenset()),
    "tclsh": (frozenset(), frozenset()),
}
_INTERPRETER_ALIASES = {"nodejs": "node", "pypy": "python", "luajit": "lua", "irb": "ruby"}
SYSTEM_DIRS = frozenset(
    {"bin", "boot", "dev", "etc", "home", "lib", "lib32", "lib64", "libx32", "media", "mnt",
     "opt", "proc", "root", "run", "sbin", "snap", "srv", "sys", "usr", "var"}
)  # fmt: skip
_HOME = {"~", "$HOME", "${HOME}"}
_DISK = re.compile(r"^/dev/(?:[sh]d[a-z]|vd[a-z]|xvd[a-z]|nvme\d|mmcblk\d|md\d|dm-\d|loop\d"
                   r"|disk/|mapper/|sr\d|mem$|kmem$|port$)")  # fmt: skip
_HARMLESS_OUTPUT = {"/dev/null", "/dev/stdout", "/dev/stderr"}
_OUTPUT_OPS = {">", ">>", ">|", "&>", "&>>", ">&"}


def judge(
    command: str, deny_patterns: Sequence[str], allow_prefixes: Sequence[str] = ()
) -> ShellVerdict:
    """The verdict on one command line (see the module docstring)."""
    findings = _Findings()
    whole = " ".join(command.split())
    for pattern in deny_patterns:  # the whole line too: `:(){*` is not a simple command
        if _matches(whole, pattern):
            findings.deny.append(_pattern_reason(pattern))
    script = _judge_line(command, deny_patterns, findings, depth=0)
    if findings.deny:
        reason = findings.deny[0]
        if "permissions.shell_deny" not in reason:
            reason += " (a built-in rule: Coda never runs this)"
        return ShellVerdict("deny", reason)
    if findings.ask:
        return ShellVerdict("ask", findings.ask[0])
    rules = _allowed_by(script.commands, script.redirects, allow_prefixes)
    return ShellVerdict("ok", allowed_by=rules)


def _pattern_reason(pattern: str) -> str:
    return f"the command matches the deny pattern {pattern!r} (permissions.shell_deny)"


def _matches(text: str, pattern: str) -> bool:
    return fnmatch.fnmatchcase(text, pattern) or fnmatch.fnmatchcase(text, pattern + " *")


def _judge_line(
    command: str, deny_patterns: Sequence[str], findings: _Findings, depth: int
) -> Script:
    script = parse(command)
    findings.ask.extend(script.errors)
    for name, called in script.functions.items():
        if name in called:
            findings.deny.append(f"the function {name!r} calls itself (a fork bomb)")
    for redirect in script.redirects:
        target = redirect.target.text
        if redirect.op in _OUTPUT_OPS and _DISK.match(target):
            findings.deny.append(f"it writes onto the device {target}")
    for name, value in script.assignments:
        _judge_assignment(name, value, deny_patterns, findings, depth)
    for redirect in script.redirects:
        if redirect.op in _OUTPUT_OPS and _into_vcs_metadata(redirect.target.text):
            findings.ask.append(f"it writes into version-control metadata ({redirect.target.text})")
    for words in script.commands:
        _judge_command(words, deny_patterns, findings, depth)
    return script


def _judge_assignment(
    name: str, value: Word, deny_patterns: Sequence[str], findings: _Findings, depth: int
) -> None:
    """`GIT_PAGER='sudo id' git log` runs `sudo id`; `BASH_ENV=x.sh bash …` sources x.sh."""
    base = name.split("[", 1)[0]
    if base in CODE_VARIABLES or base.startswith("BASH_FUNC_"):
        findings.ask.append(f"{base}= makes programs load or run code from elsewhere")
    elif base in COMMAND_VARIABLES:
        if value.dynamic:
            findings.ask.append(f"{base} holds a command only known at run time")
        elif value.text.strip():
            _judge_nested(value.text, deny_patterns, findings, depth)


def _into_vcs_metadata(target: str) -> bool:
    from pathlib import PurePosixPath

    from coda_ls.tools.workspace import vcs_metadata_part

    return vcs_metadata_part(PurePosixPath(target)) is not None


def _judge_command(
    words: list[Word], deny_patterns: Sequence[str], findings: _Findings, depth: int
) -> None:
    """Judge a simple command, then what it runs once each wrapper is taken off."""
    current: list[Word] | None = words
    while current:
        first = current[0]
        if first.dynamic:
            findings.ask.append(
                f"`{first.text}` in command position is only known when the command runs"
            )
            return
        name = posixpath.basename(first.text) if "/" in first.text else first.text
        args = current[1:]
        view = " ".join([name, *(w.text for w in args)])
        for pattern in deny_patterns:
            if _matches(view, pattern):
                findings.deny.append(_pattern_reason(pattern))
        _builtin_rules(name, args, findings)
        if name in UNJUDGEABLE:
            findings.ask.append(UNJUDGEABLE[name])
        if name in SHELLS:
            _judge_shell(name, args, deny_patterns, findings, depth)
        interpreter = _interpreter(name)
        if interpreter is not None and not _has_program(interpreter, args):
            findings.ask.append(f"{name} would read its program from its input")
        for inner in _inner_command_lines(name, args):
            if inner is None:
                findings.ask.append(f"{name} runs a command built at run time")
            else:
                _judge_nested(inner, deny_patterns, findings, depth)
        for inner_words in _exec_segments(name, args):
            _judge_command(inner_words, deny_patterns, findings, depth)
        if name == "git":
            _judge_git(args, deny_patterns, findings, depth)
        strip = WRAPPERS.get(name)
        current = strip(args) if strip is not None else None
        if name in ("env", "sudo", "doas"):  # `env GIT_PAGER='sudo id' git log`
            skipped = args[: len(args) - len(current or [])]
            for arg in skipped:
                variable, equals, value = arg.text.partition("=")
                if equals and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", variable):
                    assigned = Word(value, arg.dynamic)
                    _judge_assignment(variable, assigned, deny_patterns, findings, depth)
        if name == "xargs" and current:
            inner = posixpath.basename(current[0].text)
            if inner in SHELLS or _interpreter(inner) is not None or inner in UNJUDGEABLE:
                findings.ask.append(f"xargs hands its input to {inner}")


def _judge_git(
    args: list[Word], deny_patterns: Sequence[str], findings: _Findings, depth: int
) -> None:
    """`git -c core.pager='sudo id' log`, `git -c alias.x='!sudo id' x`."""
    settings = [args[index + 1] for index, arg in enumerate(args[:-1]) if arg.text == "-c"] + [
        Word(arg.text[2:], arg.dynamic)
        for arg in args
        if arg.text.startswith("-c") and len(arg.text) > 2
    ]
    for setting in settings:
        key, _, value = setting.text.partition("=")
        key = key.lower()
        runs = key in GIT_COMMAND_KEYS or (key.startswith("alias.") and value.startswith("!"))
        if not runs:
            continue
        if setting.dynamic:
            findings.ask.append(f"git -c {key} holds a command only known at run time")
        elif value.lstrip("!").strip():
            _judge_nested(value.lstrip("!"), deny_patterns, findings, depth)


def _judge_nested(line: str, deny_patterns: Sequence[str], findings: _Findings, depth: int) -> None:
    if depth + 1 > MAX_DEPTH:
        findings.ask.append(f"commands nested more than {MAX_DEPTH} shells deep")
        return
    _judge_line(line, deny_patterns, findings, depth + 1)


# -- shells and interpreters -----------------------------------------------------------


def _judge_shell(
    name: str, args: list[Word], deny_patterns: Sequence[str], findings: _Findings, depth: int
) -> None:
    command_mode = stdin_mode = False
    index = 0
    while index < len(args):
        text = args[index].text
        if text == "--" or text == "-":
            index += 1
            break
        if args[index].dynamic and text.startswith(("-", "+")):
            findings.ask.append(f"{name} gets options only known at run time")
            return
        if len(text) > 1 and text[0] in "-+":
            if text.startswith("--"):
                index += 2 if text in ("--rcfile", "--init-file") else 1
                continue
            letters = text[1:]
            command_mode |= "c" in letters
            stdin_mode |= "s" in letters
            index += 1 + sum(1 for letter in letters if letter in "oO")
            continue
        break
    operands = args[index:]
    if command_mode:
        if not operands:
            findings.ask.append(f"{name} -c without a command")
        elif operands[0].dynamic:
            findings.ask.append(f"{name} -c runs a command built at run time")
        else:
            _judge_nested(operands[0].text, deny_patterns, findings, depth)
    elif stdin_mode or not operands:
        findings.ask.append(f"{name} would read commands from its input")


def _interpreter(name: str) -> str | None:
    base = _INTERPRETER_ALIASES.get(name, name)
    if re.fullmatch(r"python[0-9.]*|pypy[0-9.]*", base):
        return "python"
    if re.fullmatch(r"(perl|ruby|php|lua)[0-9.]*", base):
        return re.sub(r"[0-9.]+$", "", base)
    return base if base in INTERPRETERS else None


def _has_program(interpreter: str, args: list[Word]) -> bool:
    """True when the interpreter gets its program from an option or a file argument,
    not from its input."""
    program_options, value_options = INTERPRETERS[interpreter]
    index = 0
    while index < len(args):
        text = args[index].text
        if text == "-":
            return False
        if text == "--":
            return index + 1 < len(args)
        if text.startswith("-") and len(text) > 1:
            option = text.split("=", 1)[0]
            short = text[:2]
            if option in program_options or short in program_options:
                return True
            if (option in value_options or short in value_options) and text in value_options:
                index += 2  # the value is the next word
            else:
                index += 1
            continue
        return True  # a script file
    return False


# -- commands that run other command lines --------------------------------------------


def _inner_command_lines(name: str, args: list[Word]) -> Iterator[str | None]:
    """Command lines a command hands to a shell (`watch cmd`, `su -c cmd`, `env -S`),
    None for one only known at run time."""
    if name == "watch":
        index = _skip_options(args, short_values="ndgq", long_values={"--interval"})
        if any(w.text in ("-x", "--exec") for w in args[:index]):
            return  # -x runs the words directly: a wrapper, see WRAPPERS
        rest = args[index:]
        if rest:
            yield None if any(w.dynamic for w in rest) else " ".join(w.text for w in rest)
        return
    options = {
        "su": ("-c", "--command"),
        "runuser": ("-c", "--command"),
        "script": ("-c", "--command"),
        "flock": ("-c", "--command"),
        "env": ("-S", "--split-string"),
    }.get(name)
    if not options:
        return
    for index, arg in enumerate(args):
        text = arg.text
        value: Word | None = None
        for option in options:
            if text == option and index + 1 < len(args):
                value = args[index + 1]
            elif text.startswith(option) and len(text) > len(option):
                value = Word(text[len(option) :].lstrip("="), arg.dynamic)
        if value is not None:
            yield None if value.dynamic else value.text


def _exec_segments(name: str, args: list[Word]) -> Iterator[list[Word]]:
    """`find … -exec cmd {} ;` and friends: the commands find runs."""
    if name != "find":
        return
    index = 0
    while index < len(args):
        if args[index].text in ("-exec", "-execdir", "-ok", "-okdir"):
            end = index + 1
            while end < len(args) and args[end].text not in (";", "+"):
                end += 1
            if end > index + 1:
                yield args[index + 1 : end]
            index = end
        index += 1


# -- wrappers: options off, the wrapped command left ----------------------------------


def _skip_options(
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
        index = _skip_options(
            args, short_values=short_values, long_values=long_values, assignments=assignments
        )
        index += operands
        return args[index:] if index < len(args) else None

    return strip


def _command_builtin(args: list[Word]) -> list[Word] | None:
    index = _skip_options(args)
    if any(w.text.startswith("-") and ("v" in w.text or "V" in w.text) for w in args[:index]):
        return None  # `command -v sudo` only says where sudo is
    return args[index:] or None


def _chrt(args: list[Word]) -> list[Word] | None:
    index = _skip_options(args, long_values={"--sched-runtime", "--sched-period"})
    if index < len(args) and args[index].text.isdigit():
        index += 1  # the priority
    return args[index:] or None


def _taskset(args: list[Word]) -> list[Word] | None:
    index = _skip_options(args)
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


# -- built-in rules ---------------------------------------------------------------------


def _root_like(text: str) -> bool:
    """`/`, `//`, `/.`, `/*`, `~`, `$HOME`, a system directory or its contents."""
    text = text.strip()
    for home in _HOME:
        if text == home or text in (home + "/", home + "/*", home + "/.*"):
            return True
    if not text.startswith("/"):
        return False
    normal = posixpath.normpath("/" + text.lstrip("/"))
    parts = [part for part in normal.split("/") if part]
    if not parts or parts in (["*"], [".*"]):
        return True
    return parts[0] in SYSTEM_DIRS and (len(parts) == 1 or parts[1:] in (["*"], [".*"]))


def _flags(args: list[Word]) -> tuple[set[str], list[str]]:
    """(short option letters and long options, operands)."""
    flags: set[str] = set()
    operands: list[str] = []
    ended = False
    for arg in args:
        text = arg.text
        if ended or not text.startswith("-") or text == "-":
            operands.append(text)
        elif text == "--":
            ended = True
        elif text.startswith("--"):
            flags.add(text)
        else:
            flags.update(text[1:])
    return flags, operands


def _builtin_rules(name: str, args: list[Word], findings: _Findings) -> None:
    flags, operands = _flags(args)
    if name == "rm":
        if "--no-preserve-root" in flags:
            findings.deny.append("rm --no-preserve-root")
        recursive = bool({"r", "R", "--recursive"} & flags)
        for target in operands:
            if recursive and _root_like(target):
                findings.deny.append(f"rm -r of {target}")
    elif name in ("chmod", "chown", "chgrp"):
        for target in operands:
            if _root_like(target):
                findings.deny.append(f"{name} of {target}")
    elif name == "dd":
        for operand in operands:
            if operand.startswith("of=") and _DISK.match(operand[3:]):
                findings.deny.append(f"dd onto the device {operand[3:]}")
    elif name in ("tee", "cp", "mv", "shred", "wipefs", "install", "ln"):
        for target in operands:
            if _DISK.match(target):
                findings.deny.append(f"{name} onto the device {target}")
            elif name == "mv" and _root_like(target):
                findings.deny.append(f"mv of {target}")
            elif _into_vcs_metadata(target) and name != "shred":
                findings.ask.append(f"{name} writes into version-control metadata ({target})")
    elif name == "find" and any(arg.text == "-delete" for arg in args):
        starts = [arg.text for arg in args if not arg.text.startswith(("-", "(", "!"))]
        for start in starts[:1]:
            if _root_like(start):
                findings.deny.append(f"find {start} -delete")
    elif name == "kill":
        # `kill -9 -1` signals every process the user owns
        signal_given = False
        for arg in args:
            text = arg.text
            if text == "-1" and signal_given:
                findings.deny.append("kill -1 (every process)")
            if text.startswith("-"):
                signal_given = True


# -- allow rules --------------------------------------------------------------------------


def _allowed_by(
    commands: list[list[Word]], redirects: Sequence[Redirect], prefixes: Sequence[str]
) -> tuple[str, ...]:
    """The allow rules that together cover every simple command, or () if one is not
    covered (or output goes to a file: `pytest > ~/.bashrc` is not "pytest")."""
    if not prefixes or not commands:
        return ()
    for redirect in redirects:
        target = redirect.target.text
        duplicate = redirect.op == ">&" and (target.isdigit() or target == "-")  # 2>&1
        if redirect.op in _OUTPUT_OPS and target not in _HARMLESS_OUTPUT and not duplicate:
            return ()
    rules = [(prefix, shlex.split(prefix)) for prefix in prefixes if prefix.strip()]
    used: list[str] = []
    for words in commands:
        if words[0].dynamic:
            return ()
        texts = [w.text for w in words]
        match = next((p for p, split in rules if texts[: len(split)] == split), None)
        if match is None:
            return ()
        if match not in used:
            used.append(match)
    return tuple(used)
