"""The MCP server: Mnemo's tools over the Model Context Protocol (the official `mcp` SDK).

Each tool is a typed function: the SDK derives its JSON schema from the annotations (ranges,
enums, descriptions), refuses arguments outside it before the tool runs, and returns the
dict as structured content (and as JSON text for clients that read only text). A ConfigError
(unknown repository or name, ambiguous name, bad revision, out-of-range budget) becomes a tool
error whose message says what to change; the model is loaded once, in the background, when the
server starts.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field

from mnemo import __version__
from mnemo.config import ConfigError
from mnemo.graph import query
from mnemo.mcp.tools import IMPACT_LIMIT, LINK_LIMIT, SEARCH_LIMIT, SOURCE_LINES, Tools
from mnemo.store.db import Database

INSTRUCTIONS = """Mnemo is a code memory of the repositories it indexed: hybrid code search, a resolved
call/import/inheritance graph with PageRank, the blast radius of the working tree's diff, and a
ranked repository map. Every answer is brought up to date with the files on disk first (see
'freshness'). Start with repo_map for an outline, search to find code by what it does, symbol
for one definition, callers/callees/impact to follow the graph, and changes before committing
to see what an edit may break and which tests reach it. Names may be a plain name,
Class.method, PATH:NAME, PATH:LINE or a node id; an ambiguous name lists its candidates."""

Repository = Annotated[str | None, Field(description="repository name; default: the server's, or the only one")]
Name = Annotated[str, Field(min_length=1, max_length=500,
                            description="a name, Class.method, PATH:NAME, PATH:LINE or a node id")]


def _call(fn, *args, **kwargs) -> dict[str, Any]:
    from mcp.server.mcpserver.exceptions import ToolError

    try:
        return fn(*args, **kwargs)
    except query.AmbiguousName as exc:
        raise ToolError(str(exc)) from None
    except ConfigError as exc:
        raise ToolError(str(exc)) from None


def build_server(database: Database, *, repository: str | None = None, refresh: bool = True,
                 load_model: bool = True):
    """The MCPServer with every tool registered on one `Tools` instance."""
    from mcp.server.mcpserver import MCPServer
    from mcp.types import ToolAnnotations

    tools = Tools(database, repository=repository, refresh=refresh, load_model=load_model)
    server = MCPServer("mnemo", version=__version__, instructions=INSTRUCTIONS)
    read = ToolAnnotations(read_only_hint=True, open_world_hint=False)

    @server.tool(annotations=read, description=(
        "Find code by what it does or by name: hybrid full-text + vector search. Returns locations "
        "(path, lines, qualified name, kind) with a snippet, best first."))
    def search(
        query: Annotated[str, Field(min_length=1, max_length=2000, description="what the code does, or a name")],
        repository: Repository = None,
        mode: Annotated[Literal["hybrid", "lexical", "vector"], Field(description="ranking")] = "hybrid",
        limit: Annotated[int, Field(ge=1, le=SEARCH_LIMIT, description="results")] = 10,
        language: Annotated[str | None, Field(description="only this language, e.g. typescript")] = None,
        kind: Annotated[str | None, Field(description="only this kind: function, method, class, interface")] = None,
        path: Annotated[str | None, Field(description="only paths matching this glob, e.g. src/**/*.ts")] = None,
    ) -> dict[str, Any]:
        return _call(tools.search, query, repository, mode, limit, language, kind, path)

    @server.tool(annotations=read, description=(
        "One definition: where it is, signature, docstring, source (first lines), PageRank and degrees, "
        "counts of callers and callees. An ambiguous name returns its candidates instead."))
    def symbol(
        name: Name,
        repository: Repository = None,
        source_lines: Annotated[int, Field(ge=0, le=SOURCE_LINES, description="source lines to return")] = 80,
    ) -> dict[str, Any]:
        return _call(tools.symbol, name, repository, source_lines)

    @server.tool(annotations=read, description=(
        "Who calls a definition (incoming call edges), the most certain first, with the call line."))
    def callers(name: Name, repository: Repository = None,
                limit: Annotated[int, Field(ge=1, le=LINK_LIMIT)] = 50) -> dict[str, Any]:
        return _call(tools.links, "callers", name, repository, limit)

    @server.tool(annotations=read, description=(
        "What a definition calls: definitions in the repository, and external/builtin/unresolved names."))
    def callees(name: Name, repository: Repository = None,
                limit: Annotated[int, Field(ge=1, le=LINK_LIMIT)] = 50) -> dict[str, Any]:
        return _call(tools.links, "callees", name, repository, limit)

    @server.tool(annotations=read, description=(
        "What may break if a definition changes: transitive callers, subclasses, implementors and "
        "importers up to a depth, the affected files and the test files among them."))
    def impact(name: Name, repository: Repository = None,
               depth: Annotated[int, Field(ge=1, le=query.MAX_DEPTH)] = 3,
               limit: Annotated[int, Field(ge=1, le=IMPACT_LIMIT)] = 100) -> dict[str, Any]:
        return _call(tools.impact, name, repository, depth, limit)

    @server.tool(annotations=read, description=(
        "The blast radius of a diff: by default the working tree (uncommitted and untracked files "
        "included) against HEAD; or base..head. Returns the changed definitions (modified, added, "
        "removed, renamed with both names), their transitive callers to a depth, the affected files, "
        "the tests that reach them, and a risk summary (fan-in, PageRank, modules crossed)."))
    def changes(
        repository: Repository = None,
        base: Annotated[str | None, Field(max_length=200, description="revision to compare with (default HEAD)")] = None,
        head: Annotated[str | None, Field(max_length=200, description="second revision (default: the working tree)")] = None,
        depth: Annotated[int, Field(ge=1, le=query.MAX_DEPTH)] = 3,
        limit: Annotated[int, Field(ge=1, le=IMPACT_LIMIT)] = 200,
    ) -> dict[str, Any]:
        return _call(tools.changes, repository, base, head, depth, limit)

    @server.tool(annotations=read, description=(
        "An outline of the repository within a token budget: the most important files and their "
        "definitions (one signature line each, with line numbers), ranked by PageRank; with 'focus' "
        "(files or symbols you work on) ranked by a PageRank personalised to them."))
    def repo_map(
        repository: Repository = None,
        tokens: Annotated[int, Field(ge=100, le=32000, description="budget, estimated as characters/4")] = 1000,
        focus: Annotated[list[str] | None, Field(max_length=50, description="files or symbols in focus")] = None,
    ) -> dict[str, Any]:
        return _call(tools.repo_map, repository, tokens, focus)

    @server.tool(annotations=read, description=(
        "What is indexed: each repository's root, files, chunks, graph size, last run, and whether "
        "files changed on disk since the last refresh."))
    def index_status(repository: Repository = None) -> dict[str, Any]:
        return _call(tools.index_status, repository)

    @server.tool(annotations=ToolAnnotations(read_only_hint=False, destructive_hint=False, idempotent_hint=True),
                 description=(
        "Bring a repository's index up to date now (incremental: changed files only), or index a new "
        "directory with 'path'. full=true re-indexes everything."))
    def reindex(
        repository: Repository = None,
        path: Annotated[str | None, Field(max_length=4096, description="a directory to index")] = None,
        full: bool = False,
    ) -> dict[str, Any]:
        return _call(tools.reindex, repository, path, full)

    server.mnemo_tools = tools  # type: ignore[attr-defined]  # for tests and benchmarks in-process
    return server


def serve_stdio(database: Database, *, repository: str | None = None, refresh: bool = True) -> None:
    """Run the server on stdin/stdout until the client closes them."""
    build_server(database, repository=repository, refresh=refresh).run("stdio")
