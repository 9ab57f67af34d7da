"""Thread sizing: never more threads than idle cores, at least one, MNEMO_THREADS overrides; busy
means busy now (a short sample of the CPU counters, this process's own time left out), not the
last minute's load average."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from mnemo.embed import threads


@pytest.mark.parametrize(("busy", "expected"), [(0.0, 2), (0.4, 2), (1.0, 1), (1.7, 1), (9.0, 1)])
def test_threads_follow_the_idle_cores(monkeypatch: pytest.MonkeyPatch, busy: float, expected: int) -> None:
    monkeypatch.delenv("MNEMO_THREADS", raising=False)
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    monkeypatch.setattr(threads, "busy_cores", lambda: busy)
    assert threads.thread_count() == expected


def test_an_explicit_count_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MNEMO_THREADS", "3")
    monkeypatch.setattr(threads, "busy_cores", lambda: 50.0)
    assert threads.thread_count() == 3


def _counters(*samples: tuple[float, float]):
    it = iter(samples)
    return lambda: next(it)


def test_busy_cores_come_from_the_counters_not_the_load_average(monkeypatch: pytest.MonkeyPatch) -> None:
    # a minute of heavy load just ended: the load average still says 2, the CPUs are idle now
    monkeypatch.setattr(os, "getloadavg", lambda: (2.0, 2.0, 2.0))
    idle_now = threads.busy_cores(_counters((100, 1000), (100, 1040)), sleep=lambda s: None,
                                  own_cpu=iter([0.0, 0.0]).__next__, cpus=2)
    assert idle_now == 0.0
    half = threads.busy_cores(_counters((100, 1000), (120, 1040)), sleep=lambda s: None,
                              own_cpu=iter([0.0, 0.0]).__next__, cpus=2)
    assert half == pytest.approx(1.0)  # half of 2 CPUs busy: one core


def test_this_process_own_work_is_not_contention() -> None:
    # both CPUs busy in the window, but all of it was this process: nobody else wants a core
    busy = threads.busy_cores(_counters((0, 1000), (40, 1040)), sleep=lambda s: None,
                              own_cpu=iter([5.0, 5.4]).__next__,  # 0.4 s of CPU in 0.2 s: two cores
                              clock=iter([0.0, 0.2]).__next__, cpus=2)
    assert busy == pytest.approx(0.0)


def test_without_counters_the_load_average_decides(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "getloadavg", lambda: (1.5, 1.0, 1.0))
    assert threads.busy_cores(lambda: None, sleep=lambda s: pytest.fail("no sample without counters")) == 1.5


def test_only_the_cpus_this_process_may_use_count(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    stat = tmp_path / "stat"
    stat.write_text("cpu  300 0 0 100 0 0 0 0 0 0\n"
                    "cpu0 10 0 0 90 0 0 0 0 0 0\n"
                    "cpu1 90 0 0 10 0 0 0 0 0 0\n"  # another tenant's CPU, busy
                    "cpu2 200 0 0 0 0 0 0 0 0 0\n"
                    "intr 12345\n")
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0}, raising=False)
    assert threads._cpu_counters(str(stat)) == (10.0, 100.0)
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    assert threads._cpu_counters(str(stat)) == (100.0, 200.0)


@pytest.mark.skipif(not os.path.exists("/proc/stat"), reason="needs /proc/stat")
def test_a_cpu_bound_neighbour_is_seen() -> None:
    hog = subprocess.Popen([sys.executable, "-c", "while 1: pass"])
    try:
        import time

        time.sleep(0.5)
        busy = max(threads.busy_cores() for _ in range(3))
    finally:
        hog.kill()
        hog.wait()
    assert busy >= 0.5  # one spinning process is about one core
