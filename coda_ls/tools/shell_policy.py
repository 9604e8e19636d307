"""Which shell commands are refused, which must be asked about, which an allow rule lets
run unattended.

Every simple command of the parsed line (`shell_syntax`) is judged, then judged again
with each wrapper taken off (`env`, `command`, `exec`, `nice`, `nohup`, `timeout`,
`sudo`, `xargs`, … and the binary's directory): `env /usr/bin/sudo id` is seen as
`env /usr/bin/sudo id`, `sudo id` and `id`. Command lines handed to something else are
parsed and judged in turn: `sh|bash|zsh … -c 'string'`, `env -S`, `watch`, `su -c`,
`find -exec`, a command-valued variable (`GIT_PAGER='…' git log`) and `git -c
core.pager=…` / `alias.x='!…'`. Three verdicts:

- **deny**: a `permissions.shell_deny` pattern or a built-in rule (recursive `rm`/`chmod`
  of `/`, `~` or a system directory, `dd`/redirection onto a disk, a fork bomb, `kill -1`)
  matches. Refused whatever the permission says.
- **ask**: what cannot be judged before it runs: `eval`, `source`/`.`, `alias`, `trap`,
  a variable, substitution or glob in command position, a shell or interpreter reading
  its program from a pipe or here-document (`base64 -d | sh`), `sh -c "$x"`, xargs
  feeding a shell, `BASH_ENV=`/`LD_PRELOAD=` and the like, a write into `.git/`, a line
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
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Literal

from coda_ls.tools.shell_danger import DISK, builtin_rules, into_vcs_metadata
from coda_ls.tools.shell_syntax import Redirect, Script, Word, parse
from coda_ls.tools.shell_wrappers import WRAPPERS, skip_options

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
        if redirect.op in _OUTPUT_OPS and DISK.match(target):
            findings.deny.append(f"it writes onto the device {target}")
        elif redirect.op in _OUTPUT_OPS and into_vcs_metadata(target):
            findings.ask.append(f"it writes into version-control metadata ({target})")
    for name, value in script.assignments:
        _judge_assignment(name, value, deny_patterns, findings, depth)
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
        builtin_rules(name, args, findings.deny, findings.ask)
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
        index = skip_options(args, short_values="ndgq", long_values={"--interval"})
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
