"""Coda as an MCP server (`coda mcp`): a front over the Workspace, like the language
server and the CLI, for other agents."""
