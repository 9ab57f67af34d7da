"""`mnemo mcp` as an agent meets it: a real server process over stdio, driven by the MCP SDK's
own client, on a real database with the fixture repository indexed by the real pipeline."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import anyio
import pytest
from mcp import ClientSession, StdioServerParameters, stdio_client

import mnemo
from agents_support import edit
from mnemo.store import writes

TOOLS = {"search", "symbol", "callers", "callees", "impact", "changes", "repo_map", "index_status", "reindex"}


def _params(database_url: str, *args: str) -> StdioServerParameters:
    src = str(Path(mnemo.__file__).resolve().parent.parent)
    return StdioServerParameters(
        command=sys.executable,
        args=["-m", "mnemo", "mcp", "--database-url", database_url, *args],
        env={"PYTHONPATH": src, "MNEMO_HOME": os.environ.get("MNEMO_HOME", str(Path.home() / ".mnemo-test"))},
    )


async def _call(session: ClientSession, tool: str, **arguments):
    result = await session.call_tool(tool, arguments)
    text = "".join(getattr(c, "text", "") for c in result.content)
    return result.is_error, (result.structured_content if not result.is_error else text)


async def _ok(session, tool, **arguments):
    is_error, data = await _call(session, tool, **arguments)
    assert not is_error, f"{tool}({arguments}) failed: {data}"
    assert isinstance(data, dict)
    return data


async def _refused(session, tool, fragment: str, **arguments) -> str:
    is_error, text = await _call(session, tool, **arguments)
    assert is_error, f"{tool}({arguments}) should have been refused"
    assert fragment.lower() in text.lower(), text
    return text


async def _session_checks(database, database_url: str, root: Path) -> None:
    async with stdio_client(_params(database_url, "-r", "greet")) as (read, write):
        async with ClientSession(read, write, read_timeout_seconds=120) as session:
            init = await session.initialize()
            assert init.server_info.name == "mnemo"
            listed = (await session.list_tools()).tools
            assert {t.name for t in listed} == TOOLS
            schemas = {t.name: t.input_schema for t in listed}
            assert schemas["search"]["properties"]["limit"]["maximum"] == 50
            assert schemas["search"]["required"] == ["query"]
            assert set(schemas["search"]["properties"]["mode"]["enum"]) == {"hybrid", "lexical", "vector"}
            assert schemas["repo_map"]["properties"]["tokens"]["maximum"] == 32000
            assert all(t.description for t in listed)

            # -- every tool, results checked --------------------------------------------------
            found = await _ok(session, "search", query="lower-case a name and trim the blanks", limit=3)
            assert found["results"][0]["qualified_name"] == "normalise"
            assert found["results"][0]["path"] == "pkg/helpers.py"
            assert found["freshness"]["state"] in ("refreshed", "current")
            lexical = await _ok(session, "search", query="greet", mode="lexical", kind="function")
            assert lexical["results"][0]["qualified_name"] == "greet" and lexical["mode"] == "lexical"

            sym = await _ok(session, "symbol", name="normalise")
            assert (sym["path"], sym["start_line"], sym["kind"]) == ("pkg/helpers.py", 1, "function")
            assert "Lower-case a name" in sym["docstring"] and "strip().lower()" in sym["source"]
            assert sym["callers"] == 1 and sym["metrics"]["pagerank"] > 0
            ambiguous = await _ok(session, "symbol", name="shout")
            assert ambiguous["ambiguous"] is True
            assert {c["path"] for c in ambiguous["candidates"]} == {"pkg/helpers.py", "pkg/legacy.py"}
            by_ref = await _ok(session, "symbol", name=ambiguous["candidates"][0]["ref"])
            assert by_ref["ambiguous"] is False

            callers = await _ok(session, "callers", name="normalise")
            assert [c["qualified_name"] for c in callers["callers"]] == ["greet"]
            callees = await _ok(session, "callees", name="handle")
            assert "greet" in [c.get("qualified_name") for c in callees["callees"]]
            impact = await _ok(session, "impact", name="normalise", depth=3)
            assert {(i["qualified_name"], i["depth"]) for i in impact["impact"]} >= {
                ("greet", 1), ("handle", 2), ("test_handle", 3)}
            assert impact["tests"] == ["tests/test_api.py"]

            outline = await _ok(session, "repo_map", tokens=200)
            assert outline["tokens_used"] <= 200 and "pkg/helpers.py:" in outline["text"]
            assert outline["definitions_shown"] >= 3
            focused = await _ok(session, "repo_map", tokens=200, focus=["pkg/api.py"])
            assert focused["files"][0]["path"] == "pkg/api.py"
            assert focused["focus"][0]["as"] == "file"

            status = await _ok(session, "index_status")
            (repo,) = status["repositories"]
            assert repo["name"] == "greet" and repo["files"] == 6 and repo["pending_changes"] is False
            again = await _ok(session, "reindex")
            assert again["status"] == "succeeded" and again["files_indexed"] == 0

            # -- live: an uncommitted edit is seen by the next answer --------------------------
            edit(root / "pkg/helpers.py", "return text.strip().lower()", "return text.strip().casefold()")
            blast = await _ok(session, "changes", depth=4)
            assert blast["freshness"]["state"] == "refreshed", blast["freshness"]
            assert blast["freshness"]["files_indexed"] == 1
            assert [(c["change"], c["qualified_name"]) for c in blast["changed"]] == [("modified", "normalise")]
            assert {i["node"]["qualified_name"] for i in blast["impacted"]} >= {"greet", "handle", "test_handle"}
            assert blast["tests"] == ["tests/test_api.py"]
            src = await _ok(session, "symbol", name="normalise")
            assert "casefold" in src["source"] and src["freshness"]["state"] == "current"

            # -- refusals: each tool, bad input, a message that says what is wrong --------------
            await _refused(session, "search", "less than or equal to 50", query="x", limit=500)
            await _refused(session, "search", "at least 1", query="")
            await _refused(session, "search", "unknown repository 'nope'", query="x", repository="nope")
            await _refused(session, "symbol", "no definition matches 'no_such_thing'", name="no_such_thing")
            await _refused(session, "callers", "matches 2 definitions", name="shout")
            await _refused(session, "callees", "unknown repository", name="greet", repository="nope")
            await _refused(session, "impact", "less than or equal to 10", name="greet", depth=99)
            await _refused(session, "changes", "unknown revision 'no-such-rev'", base="no-such-rev")
            await _refused(session, "changes", "not a revision", base="--output=/tmp/x")
            await _refused(session, "repo_map", "greater than or equal to 100", tokens=5)
            await _refused(session, "repo_map", "matches no file or definition", focus=["nowhere.py"])
            await _refused(session, "index_status", "unknown repository", repository="nope")
            await _refused(session, "reindex", "is not a directory", path=str(root / "missing"))

            # -- a call while another process holds the repository's index lock ----------------
            with database.connect(autocommit=True) as lock:
                assert writes.try_lock_repository(lock, "greet")
                (root / "pkg/probe.py").write_text("def lockprobe_function():\n    return 1\n")
                busy = await _ok(session, "search", query="lockprobe_function", mode="lexical")
                assert busy["freshness"]["state"] == "busy"
                assert all(r["qualified_name"] != "lockprobe_function" for r in busy["results"])
                sym = await _ok(session, "symbol", name="normalise")  # the last committed state
                assert "casefold" in sym["source"] and sym["freshness"]["state"] == "busy"
            after = await _ok(session, "search", query="lockprobe_function", mode="lexical")
            assert after["freshness"]["state"] == "refreshed"
            assert after["results"][0]["qualified_name"] == "lockprobe_function"


@pytest.mark.slow
def test_mcp_server_over_stdio(agent_repo, database_url):
    database, root, _ = agent_repo
    anyio.run(_session_checks, database, database_url, root)
