"""Built-in colour themes: rich styles for the shell's messages, a pygments style for code
blocks, and prompt-toolkit styles for the prompt and the completion menu."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class ShellTheme:
    name: str
    description: str
    code_theme: str  # pygments style for fenced code blocks
    styles: dict[str, str] = field(default_factory=dict)  # rich: coda.* names
    prompt: dict[str, str] = field(default_factory=dict)  # prompt-toolkit classes


_BASE = {
    "coda.prompt": "bold cyan",
    "coda.info": "cyan",
    "coda.ok": "green",
    "coda.warn": "yellow",
    "coda.error": "bold red",
    "coda.dim": "dim",
    "coda.accent": "bold magenta",
}
_BASE_PROMPT = {"prompt": "ansicyan bold", "mode": "ansimagenta", "model": "ansibrightblack"}

THEMES: dict[str, ShellTheme] = {
    theme.name: theme
    for theme in (
        ShellTheme("default", "cyan accents, monokai code", "monokai", _BASE, _BASE_PROMPT),
        ShellTheme(
            "light",
            "for light terminal backgrounds",
            "friendly",
            {**_BASE, "coda.prompt": "bold blue", "coda.info": "blue", "coda.accent": "magenta"},
            {"prompt": "ansiblue bold", "mode": "ansimagenta", "model": "ansigray"},
        ),
        ShellTheme(
            "solarized",
            "solarized dark",
            "solarized-dark",
            {**_BASE, "coda.prompt": "bold #268bd2", "coda.info": "#2aa198", "coda.dim": "#586e75"},
            {"prompt": "#268bd2 bold", "mode": "#d33682", "model": "#586e75"},
        ),
        ShellTheme(
            "dracula",
            "dracula purple and pink",
            "dracula",
            {
                **_BASE,
                "coda.prompt": "bold #bd93f9",
                "coda.info": "#8be9fd",
                "coda.accent": "#ff79c6",
            },
            {"prompt": "#bd93f9 bold", "mode": "#ff79c6", "model": "#6272a4"},
        ),
        ShellTheme(
            "mono",
            "no colours (bold and dim only)",
            "bw",
            {name: "bold" if "error" in name or "prompt" in name else "none" for name in _BASE}
            | {"coda.dim": "dim"},
            {"prompt": "bold", "mode": "", "model": ""},
        ),
    )
}
DEFAULT_THEME = "default"


def get_theme(name: str | None) -> ShellTheme:
    """The named theme; an unknown name (a stale config value) falls back to the default."""
    return THEMES.get(name or DEFAULT_THEME, THEMES[DEFAULT_THEME])


def rich_theme(theme: ShellTheme) -> object:
    """A `rich.theme.Theme` (typed loosely so this module imports without rich)."""
    from rich.theme import Theme

    return Theme(theme.styles)


def prompt_style(theme: ShellTheme) -> object:
    """A prompt-toolkit `Style` for the prompt line."""
    from prompt_toolkit.styles import Style

    return Style.from_dict(theme.prompt)
