"""Thread sizing: never more threads than idle cores, at least one, MNEMO_THREADS overrides."""

from __future__ import annotations

import os

import pytest

from mnemo.embed import threads


@pytest.mark.parametrize(("load", "expected"), [(0.0, 2), (0.4, 2), (1.0, 1), (1.7, 1), (9.0, 1)])
def test_threads_follow_the_idle_cores(monkeypatch: pytest.MonkeyPatch, load: float, expected: int) -> None:
    monkeypatch.delenv("MNEMO_THREADS", raising=False)
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    monkeypatch.setattr(os, "getloadavg", lambda: (load, load, load))
    assert threads.thread_count() == expected


def test_an_explicit_count_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MNEMO_THREADS", "3")
    monkeypatch.setattr(os, "getloadavg", lambda: (50.0, 50.0, 50.0))
    assert threads.thread_count() == 3
