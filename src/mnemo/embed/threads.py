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


def _usable_cpus() -> set[int] | None:
    return os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else None


def _cpu_counters(stat: str = "/proc/stat") -> tuple[float, float] | None:
    """(busy, total) jiffies, summed over the CPUs this process may run on (/proc/stat's cpuN
    lines; other tenants' CPUs are not our contention), or None where there is no /proc/stat."""
    usable = _usable_cpus()
    try:
        with open(stat, "rb") as f:
            lines = [line.split() for line in f if line.startswith(b"cpu")]
    except OSError:
        return None
    busy = total = 0.0
    for fields in lines:
        name = fields[0]
        if name == b"cpu" or (usable is not None and int(name[3:]) not in usable):
            continue
        values = [float(v) for v in fields[1:9]]  # user nice system idle iowait irq softirq steal
        idle = values[3] + values[4]
        busy += sum(values) - idle
        total += sum(values)
    return (busy, total) if total else None


def busy_cores(
    counters: Callable[[], tuple[float, float] | None] = _cpu_counters,
    sleep: Callable[[float], None] = time.sleep,
    own_cpu: Callable[[], float] = time.process_time,
    clock: Callable[[], float] = time.monotonic,
    cpus: int | None = None,
) -> float:
    """Cores kept busy by other processes over the last SAMPLE_SECONDS, among the CPUs this
    process may use (load average if the counters cannot be read). Costs SAMPLE_SECONDS of
    waiting, once per model load."""
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
    usable = _usable_cpus()
    cpus = cpus or (len(usable) if usable else os.cpu_count() or 1)
    share = (second[0] - first[0]) / (second[1] - first[1])  # of the usable CPUs
    mine = (own1 - own0) / max(t1 - t0, 1e-6)  # cores this process used meanwhile
    return max(0.0, share * cpus - mine)


def thread_count() -> int:
    explicit = os.environ.get("MNEMO_THREADS")
    if explicit and explicit.isdigit() and int(explicit) > 0:
        return int(explicit)
    usable = _usable_cpus()
    cores = len(usable) if usable else (os.cpu_count() or 1)
    busy = busy_cores()
    return max(1, min(cores, int(cores - busy + 0.5)))  # one core busy out of two: one thread
