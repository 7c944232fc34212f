"""Run one benchmark stage in a child process and read its wall time and peak memory."""

from __future__ import annotations

import multiprocessing as mp
import resource
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class StageResult:
    name: str
    seconds: float
    peak_rss_mib: float
    ok: bool
    figures: dict[str, Any] = field(default_factory=dict)
    error: str | None = None


def _peak_rss_mib() -> float:
    # ru_maxrss is in KiB on Linux; a stage's own subprocesses (dbt threads are in-process)
    # are counted through RUSAGE_CHILDREN.
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / 1024


def _child(fn: Callable[..., dict[str, Any]], args: tuple, conn: Any) -> None:
    started = time.perf_counter()
    try:
        figures = fn(*args) or {}
        conn.send((True, time.perf_counter() - started, _peak_rss_mib(), figures, None))
    except BaseException as exc:  # reported as a failed stage, never swallowed
        conn.send((False, time.perf_counter() - started, _peak_rss_mib(), {},
                   f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=5)}"))
    finally:
        conn.close()


def run_stage(name: str, fn: Callable[..., dict[str, Any]], *args: Any) -> StageResult:
    """Run `fn(*args)` in a fresh process (so its peak RSS is its own) and collect figures."""
    ctx = mp.get_context("spawn")
    parent, child = ctx.Pipe(duplex=False)
    process = ctx.Process(target=_child, args=(fn, args, child), name=f"bench-{name}")
    process.start()
    child.close()
    try:
        ok, seconds, rss, figures, error = parent.recv()
    except EOFError:
        process.join()
        return StageResult(name, 0.0, 0.0, False, {}, f"stage process died (exit {process.exitcode})")
    process.join()
    return StageResult(name, seconds, rss, ok, figures, error)
