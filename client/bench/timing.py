"""Timing for the benchmarks: the median of repeated runs, so one noisy sample on a shared machine
does not decide the figure."""

from __future__ import annotations

import statistics
import time


def median_ms(run, repeats: int) -> float:
    """Milliseconds of ``run()``, the median of ``repeats`` calls, to two decimals."""
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        run()
        samples.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(samples), 2)
