"""Browser tests: a real `mnemo` server (uvicorn, real PostgreSQL, the fixture repository
indexed with the real pipeline) driven by headless Chromium from Debian's `chromium` package
through Playwright. Screenshots go to test-artifacts/ at the repository root.

They skip, saying why, when /usr/bin/chromium or the playwright package is missing.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Iterator

import pytest

from e2e_support import CHROMIUM, CHROMIUM_ARGS, LiveServer, _skip_reason, new_database
from api_support import copy_fixture, index_fixture


def _browser_required() -> bool:
    """CI sets MNEMO_REQUIRE_BROWSER=1: there a missing browser fails the run instead of skipping."""
    return os.environ.get("MNEMO_REQUIRE_BROWSER") == "1"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    reason = _skip_reason()
    here = Path(__file__).parent
    for item in items:
        if Path(str(item.fspath)).is_relative_to(here):
            item.add_marker(pytest.mark.e2e)
            if reason and not _browser_required():
                item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="module")
def e2e_repo(pg_server_uri: str, template_db: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A database with the fixture repository indexed (and its graph built), once per module."""
    if _skip_reason():
        (pytest.fail if _browser_required() else pytest.skip)(_skip_reason())
    database = new_database(pg_server_uri, template_db)
    root = copy_fixture(tmp_path_factory.mktemp("e2e") / "fixture")
    summary = index_fixture(database, root)
    return {"database": database, "root": root, "summary": summary, "tmp": tmp_path_factory}


@pytest.fixture(scope="module")
def live_server(e2e_repo: dict[str, Any]) -> Iterator[LiveServer]:
    with LiveServer(e2e_repo["database"]) as server:
        yield server


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    reason = _skip_reason()
    if reason:
        (pytest.fail if _browser_required() else pytest.skip)(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.js_errors = errors  # type: ignore[attr-defined]
    yield page
    context.close()


@pytest.fixture
def fixture_copy(tmp_path: Path) -> Path:
    return copy_fixture(tmp_path / "fixture-ui")
