"""Spread a list's items over this process and forked worker processes (no Dagster here).

Used by the classified stage (language ID, the embedded toxicity backend) to use both cores
of the machine on a day's distinct texts. The workers are forked from this process, so the
models it has loaded are shared with them and nothing is loaded or pickled again but the
chunks and their results.
"""

from __future__ import annotations

import ctypes
import logging
import multiprocessing
import os
import signal
import sys
import threading
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

log = logging.getLogger(__name__)

# Fewer items than this: all in this process (a pool would cost more than it saves).
DEFAULT_PARALLEL_MIN_TEXTS = 3000


_WORKER: tuple[Any, str] | None = None  # (object, method name) in a pool process
_PR_SET_PDEATHSIG = 1  # linux/prctl.h


def die_with_parent(parent: int) -> None:
    """Make this (pool worker) process die with ``parent``, the step's process: killed outright
    (SIGKILL, the OOM killer), the parent cannot shut its pool down, and a worker would wait
    forever on a queue whose other end it holds itself. Call first thing in the worker."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # no prctl: only that case is not covered
        pass
    if os.getppid() != parent:  # it died before prctl took effect
        os._exit(1)


def init_dying_with_parent(parent: int, initializer: Any, *args: Any) -> None:
    """A pool ``initializer`` (any start method, spawn included): ``die_with_parent(parent)``,
    then ``initializer(*args)``. Use ``initargs=(os.getpid(), initializer, *args)``."""
    die_with_parent(parent)
    initializer(*args)


def _worker_init(obj: Any, method: str, parent: int) -> None:
    global _WORKER
    die_with_parent(parent)
    _WORKER = (obj, method)


def _worker_run(chunk: list) -> list:
    assert _WORKER is not None
    obj, method = _WORKER
    return getattr(obj, method)(chunk)


def map_in_processes(obj: Any, method: str, items: list, workers: int, *,
                     min_items: int = DEFAULT_PARALLEL_MIN_TEXTS, chunk_size: int = 256) -> tuple[list, int]:
    """``getattr(obj, method)(items)`` with the chunks of ``items`` shared between this process
    and ``workers - 1`` forked processes. Returns the results in item order and the number of
    processes that took part.

    ``method`` must map a list to a list of the same length item by item, so the result does
    not depend on the chunking; ``chunk_size`` is the most items a chunk holds. A forked worker
    starts in milliseconds and shares ``obj``'s loaded models (nothing is pickled but the chunks
    and their results). ``workers`` 1, fewer than ``min_items`` items, or not Linux (fork is
    unsafe on macOS, absent on Windows): all in this process. The pool lives for this call
    only and is shut down on every exit, errors included; if no worker can start (no memory
    to fork), this process does all the chunks.
    """
    run = getattr(obj, method)
    workers = max(1, int(workers))
    if workers == 1 or len(items) < max(min_items, 2) or not sys.platform.startswith("linux"):
        return run(items), 1
    # One item here before the fork, so what ``method`` loads lazily (a model, an import) is
    # loaded once, in this process, and shared with the workers; its result is kept.
    parts: dict[int, list] = {0: run(items[:1])}
    # At least 4 chunks a process, so that a slow one holds up the end by little.
    chunk_size = max(1, min(chunk_size, -(-len(items) // (workers * 4))))
    starts = deque(range(1, len(items), chunk_size))
    stop = threading.Event()
    errors: list[BaseException] = []
    in_pool = [0]  # chunks the pool processes returned

    def take() -> int | None:
        if stop.is_set():
            return None
        try:
            return starts.popleft()
        except IndexError:
            return None

    def feed(pool: ProcessPoolExecutor) -> None:
        # Two chunks in flight per worker, so it never waits for this thread between chunks.
        flight: deque = deque()
        try:
            while True:
                while len(flight) < 2 and (start := take()) is not None:
                    flight.append((start, pool.submit(_worker_run, items[start:start + chunk_size])))
                if not flight:
                    return
                start, future = flight.popleft()
                parts[start] = future.result()
                in_pool[0] += 1
        except BaseException as exc:  # re-raised in the calling thread
            errors.append(exc)
            stop.set()

    pool = ProcessPoolExecutor(workers - 1, mp_context=multiprocessing.get_context("fork"),
                               initializer=_worker_init, initargs=(obj, method, os.getpid()))
    feeders: list[threading.Thread] = []
    try:
        try:
            # Start (fork) the workers now, from this thread, while no other thread of ours runs.
            pool.submit(int).result()
        except (OSError, BrokenProcessPool) as exc:  # e.g. no memory to fork: slower, same result
            log.warning("no worker process could start (%s: %s); all texts in this process",
                        type(exc).__name__, exc)
        else:
            feeders = [threading.Thread(target=feed, args=(pool,), daemon=True) for _ in range(workers - 1)]
            for thread in feeders:
                thread.start()
        while (start := take()) is not None:
            parts[start] = run(items[start:start + chunk_size])
        for thread in feeders:
            thread.join()
    finally:
        stop.set()
        pool.shutdown(wait=True, cancel_futures=True)
        for thread in feeders:
            thread.join()
    if errors:
        raise errors[0]
    out: list = []
    for start in (0, *range(1, len(items), chunk_size)):
        out += parts[start]
    return out, (workers if in_pool[0] else 1)
