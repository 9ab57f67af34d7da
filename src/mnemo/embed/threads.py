"""How many threads an embedding backend should use.

torch and ONNX Runtime default to one busy-waiting thread per core. When another process keeps a
core busy, one of those threads is descheduled and every parallel op waits for it: measured on 2
cores with `python -c 'while 1: pass'` beside it, torch MiniLM went from 23 s to 120-139 s.
Sizing the pool to the cores that are idle now (cores minus the 1-minute load average, at least
one) keeps every thread on a core. MNEMO_THREADS overrides it.
"""

from __future__ import annotations

import os


def thread_count() -> int:
    explicit = os.environ.get("MNEMO_THREADS")
    if explicit and explicit.isdigit() and int(explicit) > 0:
        return int(explicit)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    try:
        busy = os.getloadavg()[0]
    except OSError:  # pragma: no cover - no load average on this platform
        busy = 0.0
    return max(1, min(cores, int(cores - busy + 0.5)))  # one core busy out of two: one thread
