"""How many threads an embedding backend should use.

torch and ONNX Runtime default to one busy-waiting thread per core. When another process keeps a
core busy, one of those threads is descheduled and every parallel op waits for it: measured on 2
cores with `python -c 'while 1: pass'` beside it, torch MiniLM went from 23 s to 120-139 s.
So the pool is sized to the cores that are idle now (cores minus the busy ones, at least one).
MNEMO_THREADS overrides it.

"Now" is a 0.2 s sample of the system's CPU counters (/proc/stat on Linux), less this process's
own CPU time in that window. The 1-minute load average, used before, remembers the last minute:
in a loop of `mnemo index` runs each run's own load made the next one take one thread on two
idle cores (the semble split on torch ran at ~15 chunks/s instead of ~50). Where there is no
/proc/stat, the load average is still the measure.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable

SAMPLE_SECONDS = 0.2


def _cpu_counters() -> tuple[float, float] | None:
    """(busy, total) jiffies of all CPUs from /proc/stat, or None where there is none."""
    try:
        with open("/proc/stat", "rb") as f:
            fields = f.readline().split()
    except OSError:
        return None
    if not fields or fields[0] != b"cpu":
        return None
    values = [float(v) for v in fields[1:9]]  # user nice system idle iowait irq softirq steal
    idle = values[3] + values[4]
    total = sum(values)
    return total - idle, total


def busy_cores(
    counters: Callable[[], tuple[float, float] | None] = _cpu_counters,
    sleep: Callable[[float], None] = time.sleep,
    own_cpu: Callable[[], float] = time.process_time,
    clock: Callable[[], float] = time.monotonic,
    cpus: int | None = None,
) -> float:
    """Cores kept busy by other processes over the last SAMPLE_SECONDS (load average if the
    counters cannot be read)."""
    first, own0, t0 = counters(), own_cpu(), clock()
    if first is None:
        try:
            return os.getloadavg()[0]
        except OSError:  # pragma: no cover - no load average on this platform
            return 0.0
    sleep(SAMPLE_SECONDS)
    second, own1, t1 = counters(), own_cpu(), clock()
    if second is None or second[1] <= first[1]:
        return 0.0
    cpus = cpus or os.cpu_count() or 1
    share = (second[0] - first[0]) / (second[1] - first[1])  # of all CPUs
    mine = (own1 - own0) / max(t1 - t0, 1e-6)  # cores this process used meanwhile
    return max(0.0, share * cpus - mine)


def thread_count() -> int:
    explicit = os.environ.get("MNEMO_THREADS")
    if explicit and explicit.isdigit() and int(explicit) > 0:
        return int(explicit)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    busy = busy_cores()
    return max(1, min(cores, int(cores - busy + 0.5)))  # one core busy out of two: one thread
