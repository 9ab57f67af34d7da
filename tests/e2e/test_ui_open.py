"""Which repository the UI opens on: the only one when there is one; a message saying what to do
(and the Indexing tab) when there is none."""

from __future__ import annotations

from typing import Any

import pytest

from e2e_support import LiveServer, new_database, screenshot

pytestmark = pytest.mark.e2e

WAIT_MS = 30_000


def _open(page: Any, server: LiveServer) -> None:
    page.goto(f"{server.url}/#graph")
    page.wait_for_selector("body[data-ready='1']", timeout=WAIT_MS)


def test_opens_on_the_only_repository(page: Any, live_server: LiveServer) -> None:
    _open(page, live_server)  # a fresh browser context: nothing remembered in localStorage
    assert page.input_value("#repo-select") == "fixture"
    page.wait_for_function("() => Number(document.querySelector('#graph-status').dataset.nodes) > 0",
                           timeout=WAIT_MS)
    assert "files" in page.inner_text("#repo-summary")
    assert not page.js_errors


def test_empty_database_says_what_to_do(page: Any, pg_server_uri: str, template_db: str) -> None:
    database = new_database(pg_server_uri, template_db)
    with LiveServer(database) as server:
        _open(page, server)
        page.wait_for_selector("#message:not([hidden])", timeout=WAIT_MS)
        assert "mnemo index PATH" in page.inner_text("#message")
        assert page.get_attribute(".tabs button[data-tab='indexing']", "aria-selected") == "true"
        assert page.is_visible("#index-path")
        screenshot(page, "empty.png")
        assert not page.js_errors
