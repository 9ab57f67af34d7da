"""The repository picker with hundreds of repositories: one page in the dropdown, saying how
many there are, and a filter box that asks the server for the matching names."""

from __future__ import annotations

from typing import Any, Iterator

import pytest

from api_support import copy_fixture, index_fixture
from e2e_support import LiveServer, new_database, screenshot
from mnemo.store import writes

pytestmark = pytest.mark.e2e

WAIT_MS = 30_000


@pytest.fixture(scope="module")
def crowded_server(pg_server_uri: str, template_db: str, tmp_path_factory) -> Iterator[LiveServer]:
    database = new_database(pg_server_uri, template_db)
    index_fixture(database, copy_fixture(tmp_path_factory.mktemp("picker") / "fixture"), name="zz-fixture")
    with database.connect() as conn:
        for i in range(300):
            writes.create_repository(conn, f"org/svc_{i:03d}", f"/srv/org/svc_{i:03d}", "all-MiniLM-L6-v2", 384)
    with LiveServer(database) as server:
        yield server


def _options(page: Any) -> list[str]:
    return page.eval_on_selector_all("#repo-select option", "els => els.map(e => e.value)")


def test_filter_box_finds_a_repository_among_hundreds(page: Any, crowded_server: LiveServer) -> None:
    page.goto(f"{crowded_server.url}/#graph")
    page.wait_for_selector("body[data-ready='1']", timeout=WAIT_MS)
    options = _options(page)
    assert len(options) == 1 + 200 and options[0] == ""  # one page, not all 301
    assert "200 of 301" in page.inner_text("#repo-select option[value='']")
    assert "zz-fixture" not in options  # sorted by name: "org/…" fills the first page

    page.fill("#repo-filter", "SVC_29")
    page.wait_for_function("() => document.querySelectorAll('#repo-select option').length === 11", timeout=WAIT_MS)
    assert _options(page)[1:] == [f"org/svc_{i}" for i in range(290, 300)]
    assert page.evaluate("() => window.__mnemo.state.repo") is None  # filtering never picks by itself

    page.fill("#repo-filter", "fixt")
    page.wait_for_function("() => [...document.querySelectorAll('#repo-select option')].some(o => o.value === 'zz-fixture')",
                           timeout=WAIT_MS)
    page.select_option("#repo-select", "zz-fixture")
    page.wait_for_function("() => Number(document.querySelector('#graph-status').dataset.nodes) > 0", timeout=WAIT_MS)
    assert "files" in page.inner_text("#repo-summary")

    page.fill("#repo-filter", "no-such-repository")
    page.wait_for_function("() => document.querySelector('#repo-select option').textContent.includes('no repository matches')",
                           timeout=WAIT_MS)
    screenshot(page, "repo-picker-filter.png")
    assert not page.js_errors
