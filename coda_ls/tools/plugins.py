"""Third-party tools from the `coda.tools` entry-point group, checked and wrapped so the
Toolbox treats them exactly like built-ins (same validation, permission prompt, policy).

`load_plugins(settings)` finds every entry point, skips the disabled ones
(`[plugins] enabled = false`, or `disabled = [...]` naming an entry point, a
distribution or a tool), imports the rest and checks each tool's spec. A plugin that
fails to import, gives a bad spec, or takes a name already used (a built-in tool or an
earlier plugin) becomes one `PluginProblem` line; the others still load.
"""

from __future__ import annotations

import functools
import inspect
import logging
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib.metadata import EntryPoint, entry_points
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, ValidationError

from coda_ls.errors import ToolError
from coda_ls.tools.base import Category, Tool, ToolContext, ToolResult
from coda_ls.tools.permissions import PermissionRequest, shell_verdict
from coda_ls.tools.sdk import PluginContext, PluginTool
from coda_ls.wire import ToolSpec

if TYPE_CHECKING:
    from coda_ls.config import Settings

log = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "coda.tools"
# What OpenAI-style function calling accepts; "__" is left to MCP tools (server__tool).
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,63}$")
_CATEGORIES: dict[str, Category] = {
    "read": "read",
    "write": "write",
    "shell": "shell",
    "web": "web",
    "network": "web",
}
DISABLE_HINT = "fix or uninstall the package, or add it to [plugins] disabled in the config"


class _AnyArgs(BaseModel):
    """Arguments of a tool described by a JSON schema: checked by `jsonschema` instead."""

    model_config = ConfigDict(extra="allow")


class PluginAdapter(Tool[BaseModel]):
    """A plugin's tool as a Toolbox `Tool`. Name, category and schema are copied and
    checked once at load time; the Toolbox asks permission on this object's category."""

    def __init__(self, plugin: PluginTool, category: Category, dist: str, entry: str) -> None:
        self.plugin = plugin
        self.name = plugin.name
        self.description = plugin.description
        self.category = category
        self.dist = dist
        self.entry = entry
        params = plugin.parameters
        self._schema: dict[str, Any]
        if isinstance(params, dict):
            self.Args = _AnyArgs
            self._schema = dict(params)
        else:
            self.Args = params
            self._schema = params.model_json_schema()
            self._schema.pop("title", None)

    @property
    def source(self) -> str:
        return f"plugin {self.dist}"

    def spec(self) -> ToolSpec:
        return ToolSpec(name=self.name, description=self.description, parameters=self._schema)

    def parse(self, arguments: dict[str, Any]) -> BaseModel:
        if self.Args is not _AnyArgs:
            return self.Args.model_validate(arguments)
        import jsonschema

        try:
            jsonschema.validate(arguments, self._schema)
        except jsonschema.ValidationError as exc:
            where = ".".join(str(p) for p in exc.absolute_path) or "arguments"
            raise ToolError(f"invalid arguments for {self.name}: {where}: {exc.message}") from None
        return _AnyArgs.model_validate(arguments)

    def _plugin_args(self, args: BaseModel) -> Any:
        return args.model_dump() if isinstance(args, _AnyArgs) else args

    async def describe(self, args: BaseModel, ctx: ToolContext) -> PermissionRequest:
        plugin_args = self._plugin_args(args)
        summary = f"{self.plugin.summary(plugin_args)}  [plugin {self.dist}]"
        details: dict[str, Any] = {"arguments": args.model_dump(), "plugin": self.dist}
        if self.category == "shell":
            command = self.plugin.command(plugin_args)
            if not command:
                raise ToolError(f"{self.name}: the plugin gave no command line to run")
            details["command"] = command  # the Toolbox judges it with the shell policy
            summary += f"\nRun: {command}"
            verdict = shell_verdict(command, ctx.settings.permissions)
            if verdict.kind == "ask":
                summary += f"\n(cannot be checked before it runs: {verdict.reason})"
        return PermissionRequest(self.name, self.category, summary, details=details)

    async def run(self, args: BaseModel, ctx: ToolContext) -> ToolResult:
        plugin_args = self._plugin_args(args)
        command = self.plugin.command(plugin_args) if self.category == "shell" else None
        context = PluginContext(ctx.workspace, self.category, ctx, command)
        result = await self.plugin.run(plugin_args, context)
        if isinstance(result, ToolResult):
            return result
        if not isinstance(result, str):
            raise ToolError(
                f"{self.name} returned {type(result).__name__}, not text",
                f"the plugin {self.dist} must return a str or a ToolResult",
            )
        return ToolResult(result)


@dataclass(frozen=True)
class PluginProblem:
    """A plugin that could not be used, and why (one line for a notice or `coda doctor`)."""

    entry: str
    dist: str
    message: str

    def __str__(self) -> str:
        return f"tool plugin {self.entry!r} ({self.dist}): {self.message}"


@dataclass
class LoadedPlugins:
    tools: list[PluginAdapter] = field(default_factory=list)
    problems: list[PluginProblem] = field(default_factory=list)
    disabled: list[tuple[str, str]] = field(default_factory=list)  # (entry, dist)


def _dist_name(ep: EntryPoint) -> str:
    dist = ep.dist
    if dist is None:
        return "unknown distribution"
    return f"{dist.name} {dist.version}"


def _is_disabled(ep: EntryPoint, disabled: set[str]) -> bool:
    names = {ep.name, ep.value.split(":")[0]}
    if ep.dist is not None:
        names.add(ep.dist.name)
        names.add(ep.dist.name.replace("_", "-").lower())
    return bool(names & disabled)


def _instances(obj: Any) -> list[PluginTool]:
    items = obj if isinstance(obj, list | tuple) else [obj]
    found: list[PluginTool] = []
    for item in items:
        if inspect.isclass(item) and issubclass(item, PluginTool):
            found.append(item())
        elif isinstance(item, PluginTool):
            found.append(item)
        else:
            raise TypeError(
                f"{type(item).__name__} {item!r} is not a coda_ls.tools.sdk.PluginTool "
                "(subclass or instance)"
            )
    return found


def check_spec(plugin: PluginTool, *, thorough: bool = False) -> Category:
    """The tool's permission category, once its spec is known to be sound (ValueError
    naming the first fault otherwise). A JSON schema is checked for its shape here and,
    with `thorough` (`coda doctor`), against the JSON Schema meta-schema: importing
    jsonschema costs ~0.2 s, too much for every `coda ask` (calls validate with it)."""
    name = getattr(plugin, "name", None)
    if not isinstance(name, str) or not _NAME.match(name) or "__" in name:
        raise ValueError(
            f"bad tool name {name!r}: letters, digits, '_' or '-', starting with a letter, "
            "at most 64 characters, no '__'"
        )
    description = getattr(plugin, "description", None)
    if not isinstance(description, str) or not description.strip():
        raise ValueError(f"tool {name!r} has no description")
    category = _CATEGORIES.get(str(getattr(plugin, "category", None)))
    if category is None:
        raise ValueError(
            f"tool {name!r}: category {getattr(plugin, 'category', None)!r} is not one of "
            + ", ".join(_CATEGORIES)
        )
    params = plugin.parameters
    if isinstance(params, dict):
        if params.get("type") != "object":
            raise ValueError(f'tool {name!r}: the parameters schema must have "type": "object"')
        properties = params.get("properties", {})
        if not isinstance(properties, dict) or not all(
            isinstance(v, dict) for v in properties.values()
        ):
            raise ValueError(f'tool {name!r}: "properties" must map names to schemas')
        if thorough:
            import jsonschema

            try:
                jsonschema.Draft202012Validator.check_schema(params)
            except jsonschema.SchemaError as exc:
                raise ValueError(f"tool {name!r}: invalid JSON schema: {exc.message}") from None
    elif not (inspect.isclass(params) and issubclass(params, BaseModel)):
        raise ValueError(f"tool {name!r}: parameters must be a pydantic model or a JSON schema")
    if not inspect.iscoroutinefunction(plugin.run):
        raise ValueError(f"tool {name!r}: run must be an async function")
    if category == "shell" and type(plugin).command is PluginTool.command:
        raise ValueError(
            f"tool {name!r}: a shell tool must say which command it runs (define command(args))"
        )
    return category


def builtin_names() -> set[str]:
    from coda_ls.tools.toolbox import builtin_tools

    return {tool.name for tool in builtin_tools()}


def load_plugins(
    settings: Settings,
    *,
    taken: Iterable[str] | None = None,
    group: str = ENTRY_POINT_GROUP,
    thorough: bool = False,
) -> LoadedPlugins:
    """Every enabled plugin's tools, checked (`thorough`: see `check_spec`); problems and
    disabled plugins listed."""
    loaded = LoadedPlugins()
    config = settings.plugins
    disabled = {name.lower() for name in config.disabled} | set(config.disabled)
    used = set(builtin_names() if taken is None else taken)
    found = _entry_points(group, tuple(sys.path))
    for ep in found:
        dist = _dist_name(ep)
        if not config.enabled or _is_disabled(ep, disabled):
            loaded.disabled.append((ep.name, dist))
            continue
        try:
            plugins = _instances(ep.load())
        except Exception as exc:  # boundary: any import-time failure of third-party code
            log.debug("tool plugin %s failed to load", ep.name, exc_info=True)
            loaded.problems.append(
                PluginProblem(ep.name, dist, f"failed to load: {type(exc).__name__}: {exc}")
            )
            continue
        for plugin in plugins:
            try:
                category = check_spec(plugin, thorough=thorough)
            except (ValueError, ValidationError) as exc:
                loaded.problems.append(PluginProblem(ep.name, dist, f"bad spec: {exc}"))
                continue
            if _is_disabled_tool(plugin.name, disabled):
                loaded.disabled.append((ep.name, dist))
                continue
            if plugin.name in used:
                loaded.problems.append(
                    PluginProblem(
                        ep.name, dist, f"tool name {plugin.name!r} is already taken; not loaded"
                    )
                )
                continue
            used.add(plugin.name)
            loaded.tools.append(PluginAdapter(plugin, category, dist, ep.name))
    return loaded


@functools.cache
def _entry_points(group: str, path: tuple[str, ...]) -> list[EntryPoint]:
    """The group's entry points, sorted. Scanning every installed distribution's metadata
    takes 10-30 ms in a large environment, so it is done once per process and `sys.path`
    (a new Toolbox after a settings reload reuses it; a newly installed plugin needs a
    restart, as with any installed package)."""
    del path  # only part of the cache key
    return sorted(entry_points(group=group), key=lambda ep: (ep.name, _dist_name(ep)))


def _is_disabled_tool(name: str, disabled: set[str]) -> bool:
    return name in disabled or name.lower() in disabled


def tool_source(tool: Tool[Any]) -> str:
    """Where a tool comes from, for listings: built-in, a plugin's distribution, or MCP."""
    if isinstance(tool, PluginAdapter):
        return tool.source
    if tool.category == "mcp":
        return f"MCP server {tool.name.split('__')[0]}"
    return "built-in"
