"""Give freed heap memory back to the operating system between steps (no Dagster here)."""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import sys


@functools.cache
def _libc():
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return libc if hasattr(libc, "malloc_trim") else None  # glibc only (not musl)
    except OSError:
        return None


def return_freed_memory() -> bool:
    """glibc keeps the pages of freed objects for reuse; a step that built millions of short-lived
    Python objects (parsing, scrubbing) would leave its high-water mark behind for every later
    step of the run. ``malloc_trim(0)`` hands them back (milliseconds). True if it released any."""
    libc = _libc()
    return bool(libc.malloc_trim(0)) if libc is not None else False
