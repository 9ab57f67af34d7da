"""Mnemo for coding agents: an MCP server (stdio) beside the CLI and the REST API, a thin layer
over the same Python API.

tools.py    what each tool does (plain Python, JSON-ready dicts, bounded, fresh before answering)
server.py   the protocol: tool schemas and errors with the official `mcp` SDK
"""
