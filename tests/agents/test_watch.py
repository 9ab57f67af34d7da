"""`mnemo watch` end to end: a real watcher process on the fixture repository; the test edits,
adds and deletes files and sees search and the graph follow."""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

import mnemo
from agents_support import edit, make_repo
from mnemo.graph import query
from mnemo.search import search


class _Watcher:
    def __init__(self, database_url: str, root: Path) -> None:
        src = str(Path(mnemo.__file__).resolve().parent.parent)
        env = {**os.environ, "PYTHONPATH": src}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "mnemo", "watch", str(root), "-r", "greet", "--json", "--debounce", "100",
             "--database-url", database_url],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env,
        )
        self.events: queue.Queue = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stdout:
            if line.startswith("{"):
                self.events.put(json.loads(line))

    def next(self, timeout: float = 120) -> dict:
        return self.events.get(timeout=timeout)

    def until(self, predicate, timeout: float = 60) -> dict:
        """The first run after which `predicate()` holds (runs may be split across bursts)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            event = self.next(timeout=max(deadline - time.monotonic(), 0.1))
            assert event["event"] == "indexed", event
            if predicate():
                return event
        raise AssertionError("the index did not follow the change")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()


def _lexical(database, text: str) -> list[str]:
    return [r.qualified_name for r in search(database, text, repositories=["greet"], mode="lexical", limit=5)]


@pytest.mark.slow
def test_watch_follows_edits_additions_and_deletions(database, database_url, tmp_path):
    root = make_repo(tmp_path / "greet")
    watcher = _Watcher(database_url, root)
    try:
        ready = watcher.next()
        assert ready["event"] == "ready" and ready["files_indexed"] == 6

        # edit: a helper gets a new caller
        edit(root / "pkg/helpers.py", "return text.upper()", "return normalise(text).upper()")
        watcher.until(lambda: "shout" in {l.node.qualified_name for l in
                                          query.callers(database, "greet", "pkg/helpers.py:normalise")})

        # add: a new file is searchable and in the graph
        (root / "pkg/farewell.py").write_text(
            "from pkg.service import greet\n\n\ndef farewell(name):\n"
            '    """Say goodbye politely."""\n    return greet(name) + " and goodbye"\n'
        )
        watcher.until(lambda: "farewell" in _lexical(database, "farewell goodbye"))
        assert "farewell" in {l.node.qualified_name for l in query.callers(database, "greet", "greet")}

        # delete: gone from search and from the graph (no "search finds deleted code")
        (root / "pkg/farewell.py").unlink()
        watcher.until(lambda: "farewell" not in _lexical(database, "farewell goodbye"))
        assert query.find_nodes(database, "greet", "farewell") == []
        assert "farewell" not in {l.node.qualified_name for l in query.callers(database, "greet", "greet")}

        # a burst (many files at once, as a branch switch does) is applied, whole
        for i in range(20):
            (root / f"pkg/gen_{i}.py").write_text(f"def generated_{i}():\n    return {i}\n")
        watcher.until(lambda: len(query.find_nodes(database, "greet", "pkg/gen_19.py:generated_19")) == 1)
        assert all(query.find_nodes(database, "greet", f"generated_{i}") for i in range(20))
    finally:
        watcher.stop()
