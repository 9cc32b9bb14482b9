"""The hub's Prometheus metrics: counters and histograms kept in memory on the hot path.

Every recording is a dictionary lookup and an addition, never SQL. Backlogs and ledger totals
are read from the database when /metrics is scraped (see `hub/observability.py`), not here.

`serve --workers N` runs N processes; each keeps its own values in files under one directory
(prometheus-client's multi-process mode) and a scrape of any process sums them all. That mode
writes the file on every increment: recording one request (a counter and a histogram, three
values) took 3.1–3.4 µs against 1.1–1.4 µs in memory (bench/metrics_recording.py), beside some
35 µs for a getState answered from memory (bench/app_cpu.py). So files are used only with more
than one process, where a scrape must sum them; one process keeps its values in memory.
Writing them out in batches would save those 2 µs but let a scrape miss another process's
latest requests, which the multi-process test counts exactly.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram, values
from prometheus_client.multiprocess import MultiProcessCollector

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"

# Buckets from a cached answer (a millisecond) to an agent's full deadline.
SECONDS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class HubMetrics:
    """The metric objects of one process, registered in their own registry."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.requests = Counter(
            "simgate_requests_total",
            "Requests by dialect, method (or action) and answer word.",
            ["dialect", "method", "word"],
            registry=r,
        )
        self.request_seconds = Histogram(
            "simgate_request_seconds",
            "Time to answer a request, by dialect and method.",
            ["dialect", "method"],
            buckets=SECONDS,
            registry=r,
        )
        self.rentals = Counter(
            "simgate_rentals_total",
            "Rentals that reached a final state, by outcome (the final state).",
            ["outcome"],
            registry=r,
        )
        self.pushed_sms = Counter(
            "simgate_pushed_sms_total", "PUSH_SMS requests by outcome.", ["outcome"], registry=r
        )
        self.push_to_visible_seconds = Histogram(
            "simgate_push_to_visible_seconds",
            "From a PUSH_SMS arriving to its SMS (and code) committed and visible to buyers.",
            buckets=SECONDS,
            registry=r,
        )
        self.agent_calls = Counter(
            "simgate_agent_calls_total",
            "Calls to agents by supplier URL host, action and outcome.",
            ["supplier", "action", "outcome"],
            registry=r,
        )
        self.agent_call_seconds = Histogram(
            "simgate_agent_call_seconds",
            "Time an agent took to answer, by action.",
            ["action"],
            buckets=SECONDS,
            registry=r,
        )
        # The labelled children of the request metrics, found once: `labels()` checks and locks
        # on every call, a third of what recording a request costs. Label values come from the
        # dialects' fixed names and words, so this stays small.
        self._request_children: dict[tuple[str, str, str], tuple[Any, Any]] = {}

    def request_done(self, dialect: str, method: str, word: str, seconds: float) -> None:
        """Count one answered request and time it."""
        children = self._request_children.get((dialect, method, word))
        if children is None:
            children = (
                self.requests.labels(dialect, method, word),
                self.request_seconds.labels(dialect, method),
            )
            self._request_children[dialect, method, word] = children
        children[0].inc()
        children[1].observe(seconds)


class _Process:
    metrics = HubMetrics()
    directory: str | None = None  # set in multi-process mode


def current() -> HubMetrics:
    """This process's metrics."""
    return _Process.metrics


def use_multiprocess(directory: Path) -> None:
    """Before forking hub processes: keep values in files under `directory` from now on.

    prometheus-client picks its value store when a metric is created and finds the directory
    through the environment (it reads nothing else), so both are set before the metrics are
    made again; each forked process then writes its own files, named by its pid.
    """
    directory.mkdir(parents=True, exist_ok=True)
    for stale in directory.glob("*.db"):
        stale.unlink()  # values of an earlier run would be summed into this one
    os.environ[MULTIPROC_ENV] = str(directory)
    values.ValueClass = values.MultiProcessValue()  # type: ignore[no-untyped-call]
    _Process.metrics = HubMetrics()
    _Process.directory = str(directory)


def scrape_registry() -> CollectorRegistry:
    """The registry a scrape reads: this process's, or the sum over every process's files."""
    if _Process.directory is None:
        return _Process.metrics.registry
    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=_Process.directory)  # type: ignore[no-untyped-call]
    return registry
