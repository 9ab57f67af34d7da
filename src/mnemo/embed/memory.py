"""Keep a transformer's memory from growing with the number of batches (glibc only)."""

from __future__ import annotations

import ctypes
import sys


def _glibc():
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL("libc.so.6")
        return libc if hasattr(libc, "mallopt") and hasattr(libc, "malloc_trim") else None
    except OSError:
        return None


_libc = _glibc()
_M_MMAP_THRESHOLD, _M_ARENA_MAX = -3, -8


def tune_allocator() -> None:
    """Each batch has other tensor shapes; with glibc's defaults the freed buffers stay in
    per-thread arenas and the dynamic mmap threshold moves up, so RSS creeps up batch after batch
    (measured: +270 MB over 20 batches of 256 texts). A fixed mmap threshold returns big buffers
    to the OS on free, two arenas bound fragmentation across torch's threads, and
    `release_free_memory` trims what is left after each batch. Must run before torch starts its
    threads.
    """
    if _libc is not None:
        _libc.mallopt(_M_MMAP_THRESHOLD, 256 * 1024)
        _libc.mallopt(_M_ARENA_MAX, 2)


def release_free_memory() -> None:
    """Give freed heap memory back to the OS (a few milliseconds; glibc only)."""
    if _libc is not None:
        _libc.malloc_trim(0)
