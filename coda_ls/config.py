"""Settings: one pydantic model, merged from layers with the provenance of every value.

The layers (defaults < user file < project file < environment < overrides) are read by
coda_ls.config_layers without these models; here they are checked and merged.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator

from coda_ls.config_layers import ENV_ALIASES as ENV_ALIASES
from coda_ls.config_layers import MAX_DEPTH as MAX_DEPTH
from coda_ls.config_layers import SETTING_NAMES as SETTING_NAMES
from coda_ls.config_layers import Layer as Layer
from coda_ls.config_layers import LoadedSettings as LoadedSettings
from coda_ls.config_layers import depth, flatten, merge_layers, read_layers, too_deep
from coda_ls.config_layers import read_toml_layer as read_toml_layer
from coda_ls.errors import ConfigError
from coda_ls.modes import MODE_NAMES

# Where settings live, for the fronts (`coda config path`, `/theme` saving).
from coda_ls.paths import PROJECT_CONFIG as PROJECT_CONFIG
from coda_ls.paths import cache_dir as cache_dir
from coda_ls.paths import data_dir as data_dir
from coda_ls.paths import find_project_config as find_project_config
from coda_ls.paths import user_config_file as user_config_file
from coda_ls.repomap import options as map_options

Permission = Literal["allow", "ask", "deny"]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class ModelPrice(_Section):
    """Price in US dollars per million tokens, for providers without a price map (OCI)."""

    input: float = 0.0
    output: float = 0.0
    cached_input: float | None = None


class OllamaSettings(_Section):
    """Ollama's native HTTP API."""

    host: str = Field("http://127.0.0.1:11434", description="Base URL; OLLAMA_HOST also sets it")
    timeout: float = Field(300.0, gt=0, description="Seconds to wait for a reply to start")
    connect_timeout: float = Field(2.0, gt=0, description="Seconds to wait for a connection")
    keep_alive: str | None = Field(None, description="How long Ollama keeps the model loaded")
    max_retries: int = Field(3, ge=0, description="Retries of a 429/502/503/504 reply")


class OCISettings(_Section):
    """Oracle OCI Generative AI through the `oci` SDK."""

    config_file: str = Field("~/.oci/config", description="OCI SDK config file")
    profile: str = Field("DEFAULT", description="Profile in the OCI config file")
    auth: Literal["API_KEY", "SECURITY_TOKEN", "INSTANCE_PRINCIPAL", "RESOURCE_PRINCIPAL"] = (
        "API_KEY"
    )
    compartment_id: str | None = Field(
        None, description="Compartment OCID; CODA_OCI_COMPARTMENT_ID or OCI_COMPARTMENT_ID"
    )
    region: str | None = Field(None, description="Region; default from the profile")
    endpoint: str | None = Field(None, description="Inference endpoint override")
    timeout: float = Field(120.0, gt=0)
    max_retries: int = Field(3, ge=0)
    prices: dict[str, ModelPrice] = Field(default_factory=dict)


class LiteLLMSettings(_Section):
    """Every other provider through LiteLLM (`openai/gpt-4o`, `anthropic/...`)."""

    api_base: str | None = Field(None, description="OpenAI-compatible base URL")
    api_key: SecretStr | None = Field(None, description="Key for api_base (never logged)")
    models: list[str] = Field(default_factory=list, description="Models to offer")
    timeout: float = Field(300.0, gt=0)
    max_retries: int = Field(3, ge=0)


class OpenAICompatSettings(_Section):
    """An OpenAI-compatible chat-completions API over httpx: OpenAI itself, a named
    service (`openrouter`, `groq`, …) or your own server (vLLM, LM Studio, llama.cpp)."""

    base_url: str | None = Field(
        None,
        description="Base URL, usually ending in /v1; default: the service's. "
        "OPENAI_BASE_URL / OPENAI_API_BASE set it for `openai`",
    )
    api_key: SecretStr | None = Field(None, description="API key (never logged)")
    api_key_env: str | None = Field(
        None, description="Variable holding the key; default: the service's (OPENAI_API_KEY…)"
    )
    models: list[str] = Field(default_factory=list, description="Models to offer; first = default")
    headers: dict[str, str] = Field(default_factory=dict, description="Extra request headers")
    timeout: float = Field(300.0, gt=0, description="Seconds for the reply to start / to stall")
    connect_timeout: float = Field(5.0, gt=0, description="Seconds to wait for a connection")
    max_retries: int = Field(3, ge=0, description="Retries of a 429/5xx reply")
    prices: dict[str, ModelPrice] = Field(
        default_factory=dict, description="Per-model prices; else bundled / LiteLLM's map"
    )


class ProvidersSettings(_Section):
    ollama: OllamaSettings = Field(default_factory=OllamaSettings)
    oci: OCISettings = Field(default_factory=OCISettings)
    litellm: LiteLLMSettings = Field(default_factory=LiteLLMSettings)
    # OpenAI-compatible services, one section each (coda_ls.providers.presets).
    openai: OpenAICompatSettings = Field(default_factory=OpenAICompatSettings)
    openrouter: OpenAICompatSettings = Field(default_factory=OpenAICompatSettings)
    groq: OpenAICompatSettings = Field(default_factory=OpenAICompatSettings)
    together: OpenAICompatSettings = Field(default_factory=OpenAICompatSettings)
    deepseek: OpenAICompatSettings = Field(default_factory=OpenAICompatSettings)
    mistral: OpenAICompatSettings = Field(default_factory=OpenAICompatSettings)
    lmstudio: OpenAICompatSettings = Field(default_factory=OpenAICompatSettings)
    vllm: OpenAICompatSettings = Field(default_factory=OpenAICompatSettings)
    llamacpp: OpenAICompatSettings = Field(default_factory=OpenAICompatSettings)

    def openai_compatible(self, name: str) -> OpenAICompatSettings:
        """The section of the OpenAI-compatible service `name`."""
        section = getattr(self, name)
        assert isinstance(section, OpenAICompatSettings), name
        return section


class ModeSettings(_Section):
    """Per-mode overrides."""

    provider: str | None = None
    model: str | None = None
    temperature: float | None = Field(None, ge=0, le=2)
    fallback: list[str] | None = Field(
        None, description='Ordered "provider/model" list tried when this mode\'s model fails'
    )


class BudgetSettings(_Section):
    """Spending limits, checked against the session store's recorded cost before a request."""

    workspace: float | None = Field(None, ge=0, description="Most to spend in this workspace")
    daily: float | None = Field(None, ge=0, description="Most to spend per day (UTC), overall")


class PreviewSettings(_Section):
    """The cost preview shown before a request."""

    confirm_above: float | None = Field(
        None, ge=0, description="Ask before sending a prompt estimated above this many dollars"
    )


class RepoMapSettings(_Section):
    # The defaults and bounds are MapOptions's too (the map's settings without pydantic).
    tokens: int = Field(
        map_options.DEFAULT_TOKENS,
        ge=map_options.MIN_TOKENS,
        description="Token budget of the rendered map",
    )
    max_file_bytes: int = Field(
        map_options.DEFAULT_MAX_FILE_BYTES, ge=1, description="Skip files larger than this"
    )
    include_vendored: bool = Field(False, description="Map vendored/minified/generated files")


class CompletionSettings(_Section):
    """Inline (ghost-text) completion: a small fill-in-the-middle model, asked as you type.

    Off until a model is set here or one is discovered (an Ollama code model such as
    `qwen2.5-coder:1.5b-base`); `enabled = false` turns it off even then."""

    enabled: bool = Field(True, description="Offer inline completions once a model is known")
    provider: str | None = Field(None, description="Provider; default: the main provider")
    model: str | None = Field(
        None, description="FIM model, e.g. qwen2.5-coder:1.5b-base; none = discover one"
    )
    discover: bool = Field(True, description="Without a model, pick an Ollama code model")
    format: Literal[
        "auto", "qwen", "starcoder", "codellama", "deepseek", "codestral", "suffix", "chat"
    ] = Field(
        "auto",
        description="Prompt format: the model family's FIM tokens (auto from the name), "
        "the server's `suffix` parameter, or the chat fallback",
    )
    max_tokens: int = Field(96, gt=0, le=2048, description="Longest suggestion, in tokens")
    debounce_ms: int = Field(
        60, ge=0, le=2000, description="Wait this long after a keystroke before asking"
    )
    context_tokens: int = Field(
        256, ge=0, le=4096, description="Budget of repo-map definitions in the prompt (0: none)"
    )
    prefix_chars: int = Field(6000, ge=200, description="Buffer text before the cursor sent")
    suffix_chars: int = Field(2000, ge=0, description="Buffer text after the cursor sent")
    timeout: float = Field(10.0, gt=0, description="Seconds to wait for one suggestion")
    temperature: float = Field(0.2, ge=0, le=2)
    languages: dict[str, bool] = Field(
        default_factory=dict,
        description="Per-language switch by LSP language id, e.g. {markdown = false}",
    )

    def enabled_for(self, language: str | None) -> bool:
        """Whether completion is on for a document of `language` (an LSP language id)."""
        if not self.enabled:
            return False
        return self.languages.get(language or "", True)


class PermissionsSettings(_Section):
    """What tools may do without asking."""

    read: Permission = "allow"
    write: Permission = "ask"
    shell: Permission = "ask"
    web: Permission = "ask"
    mcp: Permission = "ask"
    shell_deny: list[str] = Field(
        default_factory=lambda: [
            "rm -rf /", "sudo", "sudoedit", "su", "doas", "pkexec", "run0", "mkfs*",
            "mke2fs*", "mkswap*", "wipefs*", "dd if=*", ":(){*", "shutdown*", "reboot*",
            "halt*", "poweroff*",
        ],
        description="Glob patterns refused whatever `shell` says; matched against every "
        "simple command, also with its wrappers (env, sudo, nice…) taken off",
    )  # fmt: skip
    shell_allow: list[str] = Field(
        default_factory=list,
        description='Command prefixes that run without asking (whole words: "pytest", '
        '"npm test", "git status"); a line with ;, &&, | runs only if every part matches',
    )


class WebSettings(_Section):
    """What web_fetch may reach."""

    allow_hosts: list[str] = Field(
        default_factory=list,
        description="Hosts web_fetch may fetch although they are loopback or private "
        "(`localhost:8080`, `wiki.internal`, `*.corp`, `[::1]:3000`); others: public only",
    )


class SessionSettings(_Section):
    db_path: str | None = Field(None, description="SQLite file; default in the XDG data dir")
    compact_at: float = Field(0.8, gt=0, le=1, description="Compact history past this share")


class KnowledgeSettings(_Section):
    """The knowledge base: Markdown notes in `.coda/knowledge/` (checked in) and the user's
    `<config dir>/knowledge/`, whose passages relevant to a question join the context."""

    enabled: bool = Field(True, description="Add relevant note passages to each question")
    max_tokens: int = Field(
        800, ge=0, description="Token budget of the passages added to one question (0: none)"
    )
    dirs: list[str] = Field(
        default_factory=list, description="More note directories (relative to the project)"
    )


class TeamSettings(_Section):
    """A team store in PostgreSQL (the `team` extra): shared sessions, knowledge notes,
    prompts and share links. Unset: everything stays in the local SQLite files."""

    database_url: SecretStr | None = Field(
        None, description="postgresql://user:password@host:port/db (never logged)"
    )
    auto_push: bool = Field(
        False, description="Push each session to the team store after every answer"
    )


class TelemetrySettings(_Section):
    """OpenTelemetry traces and metrics (the `telemetry` extra). Off unless enabled here or
    by the standard OTEL_* variables (OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_TRACES_EXPORTER)."""

    enabled: bool = Field(False, description="Export traces and metrics")
    exporter: Literal["otlp", "console"] = Field("otlp", description="OTLP over HTTP, or stdout")
    endpoint: str | None = Field(
        None, description="OTLP/HTTP base URL; default OTEL_EXPORTER_OTLP_ENDPOINT or :4318"
    )
    include_content: bool = Field(
        False, description="Also export questions (never code, answers or keys otherwise)"
    )


class UISettings(_Section):
    theme: str = "default"
    multiline_key: str = "escape-enter"


class TestGenSettings(_Section):
    """`[testgen]`: the `test` mode (`coda test`)."""

    rounds: int = Field(2, ge=0, le=10, description="Fix-up rounds after failing tests")
    command: str | None = Field(
        None, description="Test command; {file} is the test file (default: detected)"
    )
    timeout: float = Field(300.0, gt=0, le=600, description="Seconds one test run may take")


class DiagramsSettings(_Section):
    """Drawing the Mermaid diagrams answers contain (`coda explain --diagram`)."""

    mermaid_js: str | None = Field(
        None,
        description="A local mermaid.min.js for `coda web` to draw diagrams with (never "
        "fetched from a CDN); e.g. from `npm pack mermaid`: package/dist/mermaid.min.js",
    )


class PluginsSettings(_Section):
    """Third-party tools from installed packages (entry-point group `coda.tools`)."""

    enabled: bool = Field(True, description="Load tool plugins at all")
    disabled: list[str] = Field(
        default_factory=list,
        description="Plugins not to load: an entry-point name, a distribution or a tool name",
    )


class MCPServerSettings(_Section):
    command: list[str] | None = None
    url: str | None = None
    env: dict[str, str] = Field(default_factory=dict)
    enabled: bool = True


class Settings(_Section):
    """Every Coda setting, with its default."""

    provider: str | None = Field(None, description="Provider; none = first reachable")
    model: str | None = Field(None, description="Model; none = the provider's default")
    mode: str = Field("chat", description="Default mode")
    temperature: float | None = Field(None, ge=0, le=2)
    max_tokens: int | None = Field(None, gt=0)
    modes: dict[str, ModeSettings] = Field(default_factory=dict)
    fallback: list[str] = Field(
        default_factory=list,
        description='Ordered "provider/model" list tried on quota, auth or unreachable errors',
    )
    vision: dict[str, bool] = Field(
        default_factory=dict,
        description="Whether a model reads images, overriding what Coda detects: model name "
        'or glob -> true/false (e.g. "my-vl-*" = true)',
    )
    budget: BudgetSettings = Field(default_factory=BudgetSettings)
    preview: PreviewSettings = Field(default_factory=PreviewSettings)
    telemetry: TelemetrySettings = Field(default_factory=TelemetrySettings)
    providers: ProvidersSettings = Field(default_factory=ProvidersSettings)
    repomap: RepoMapSettings = Field(default_factory=RepoMapSettings)
    completion: CompletionSettings = Field(default_factory=CompletionSettings)
    permissions: PermissionsSettings = Field(default_factory=PermissionsSettings)
    web: WebSettings = Field(default_factory=WebSettings)
    sessions: SessionSettings = Field(default_factory=SessionSettings)
    knowledge: KnowledgeSettings = Field(default_factory=KnowledgeSettings)
    team: TeamSettings = Field(default_factory=TeamSettings)
    ui: UISettings = Field(default_factory=UISettings)
    mcp_servers: dict[str, MCPServerSettings] = Field(default_factory=dict)
    projects: list[str] = Field(
        default_factory=list,
        description="Other project roots (paths; relative ones from the project root) whose "
        "maps join this project's; the tools may read them, never write",
    )
    rules: bool | list[str] = Field(
        True, description="Project rules files in the prompt: true, false, or names/globs"
    )
    rules_max_tokens: int = Field(2000, ge=0, description="Token cap of the rules block")
    testgen: TestGenSettings = Field(default_factory=TestGenSettings)
    plugins: PluginsSettings = Field(default_factory=PluginsSettings)
    diagrams: DiagramsSettings = Field(default_factory=DiagramsSettings)

    @field_validator("mode")
    @classmethod
    def _known_mode(cls, value: str) -> str:
        if value not in MODE_NAMES:
            raise ValueError(f"unknown mode {value!r}; choose one of: {', '.join(MODE_NAMES)}")
        return value

    @field_validator("modes")
    @classmethod
    def _known_modes(cls, value: dict[str, ModeSettings]) -> dict[str, ModeSettings]:
        unknown = sorted(set(value) - set(MODE_NAMES))
        if unknown:
            raise ValueError(f"unknown mode {unknown[0]!r}; choose one of: {', '.join(MODE_NAMES)}")
        return value

    def for_mode(self, mode: str) -> tuple[str | None, str | None]:
        """(provider, model) to use in `mode`: the mode's override, else the defaults."""
        override = self.modes.get(mode)
        provider = override.provider if override and override.provider else self.provider
        model = override.model if override and override.model else self.model
        return provider, model

    def fallback_for(self, mode: str) -> list[str]:
        """The ordered "provider/model" fallbacks of `mode`: its own list, else the top one."""
        override = self.modes.get(mode)
        if override is not None and override.fallback is not None:
            return list(override.fallback)
        return list(self.fallback)


def _line_of(text: str, loc: tuple[str | int, ...]) -> int | None:
    """Best-effort line number of key `loc` in a TOML text (1-based)."""
    keys = [str(part) for part in loc if not isinstance(part, int)]
    if not keys:
        return None
    table: list[str] = []
    header = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
    assign = re.compile(r"^\s*([A-Za-z0-9_.\"' -]+?)\s*=")
    fallback: int | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        if match := header.match(line):
            table = [part.strip().strip("\"'") for part in match.group(1).split(".")]
            if table == keys:
                fallback = number
            continue
        if match := assign.match(line):
            dotted = [part.strip().strip("\"'") for part in match.group(1).split(".")]
            full = table + dotted
            if full == keys:
                return number
            if full == keys[: len(full)] and fallback is None:
                fallback = number
    return fallback


def _describe_error(error: Mapping[str, Any]) -> str:
    kind = str(error.get("type", ""))
    if kind == "extra_forbidden":
        return "unknown key"
    expected = str(error.get("msg", "invalid value"))
    return f"{expected} (got {error.get('input')!r})"


def _known_keys(loc: tuple[str | int, ...]) -> list[str]:
    model: type[BaseModel] = Settings
    for part in loc[:-1]:
        if isinstance(part, int):
            return []
        field_info = model.model_fields.get(part)
        annotation = getattr(field_info, "annotation", None)
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            model = annotation
        else:
            return []
    return sorted(model.model_fields)


def check_layer(layer: Layer) -> None:
    """Validate one layer alone, so an error names the file or variable at fault."""
    if depth(layer.values) > MAX_DEPTH:
        raise too_deep(str(layer.path or layer.label))
    try:
        Settings.model_validate(layer.values)
    except ValidationError as exc:
        problems: list[str] = []
        for error in exc.errors():
            loc = tuple(error["loc"])
            key = ".".join(str(part) for part in loc)
            where = layer.label
            if layer.path is not None and layer.text is not None:
                line = _line_of(layer.text, loc)
                where = f"{layer.path}:{line}" if line else str(layer.path)
            elif layer.env_names:
                str_loc = tuple(str(part) for part in loc)
                where = next(
                    (n for lc, n in layer.env_names.items() if str_loc[: len(lc)] == lc),
                    "environment",
                )
            problem = f"{where}: {key}: {_describe_error(error)}"
            if error.get("type") == "extra_forbidden":
                known = _known_keys(loc)
                if known:
                    problem += f"; known keys here: {', '.join(known)}"
            problems.append(problem)
        raise ConfigError(
            "invalid configuration:\n  " + "\n  ".join(problems),
            "fix the value shown, or remove it to use the default (`coda config show`)",
        ) from None


def validate_layers(layers: list[Layer]) -> Settings:
    """Check each layer alone (so an error names its file or variable), then the mix."""
    for layer in layers[1:]:
        check_layer(layer)
    try:
        return Settings.model_validate(merge_layers(layers))
    except ValidationError as exc:  # a layer alone is fine but the mix is not
        first = exc.errors()[0]
        key = ".".join(str(part) for part in first["loc"])
        raise ConfigError(f"invalid configuration: {key}: {_describe_error(first)}") from None


def load_settings(
    cwd: Path | None = None,
    overrides: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
    override_label: str = "flag",
    *,
    read_files: bool = True,
) -> LoadedSettings:
    """Read every layer, check each, and merge them. Raises ConfigError, never a traceback.

    `read_files=False` skips the user and project files (a server whose config file is
    broken still runs on defaults + environment while the user fixes it)."""
    loaded = read_layers(cwd, overrides, environ, override_label, read_files=read_files)
    loaded.settings  # noqa: B018 - the check, now
    return loaded


SECRET_MASK = "********"


def effective_items(loaded: LoadedSettings) -> list[tuple[str, str, str]]:
    """(dotted key, value with secrets masked, source) for every setting."""
    origin = loaded.provenance()
    data = loaded.settings.model_dump(mode="python")
    rows: list[tuple[str, str, str]] = []
    for key, value in flatten(data):
        if isinstance(value, SecretStr):
            shown = SECRET_MASK if value.get_secret_value() else "''"
        elif isinstance(value, Mapping):
            shown = "{}"
        else:
            shown = json.dumps(value) if not isinstance(value, str) else value
        rows.append((key, shown, origin.get(key, _origin_prefix(origin, key))))
    return rows


def _origin_prefix(origin: Mapping[str, str], key: str) -> str:
    """A value inside a table set as a whole (e.g. a dict) gets the table's source."""
    parts = key.split(".")
    for end in range(len(parts) - 1, 0, -1):
        if (prefix := ".".join(parts[:end])) in origin:
            return origin[prefix]
    return "default"
