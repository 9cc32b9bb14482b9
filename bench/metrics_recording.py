"""CPU time to record one answered request in the hub's metrics: in memory (one process) and
in prometheus-client's multi-process files (`serve --workers N`, N > 1).

    python bench/metrics_recording.py [--requests 200000]

The figure behind the choice in src/simgate/core/metrics.py.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from simgate.core import metrics


def per_request_us(requests: int) -> float:
    recorded = metrics.current()
    recorded.request_done("onlinesim", "getState", "OK", 0.0012)  # labelled children made
    started = time.process_time()
    for _ in range(requests):
        recorded.request_done("onlinesim", "getState", "OK", 0.0012)
    return (time.process_time() - started) / requests * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--requests", type=int, default=200_000)
    args = parser.parse_args()
    memory = per_request_us(args.requests)
    with tempfile.TemporaryDirectory() as directory:
        metrics.use_multiprocess(Path(directory))
        files = per_request_us(args.requests)
    print(f"in memory: {memory:.2f} µs per request; multi-process files: {files:.2f} µs")


if __name__ == "__main__":
    main()
