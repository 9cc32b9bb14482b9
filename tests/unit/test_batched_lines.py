"""The request log's batched lines: the same text the installed handler writes, written in
batches while that handler is the only listener, and ordinary records otherwise."""

from __future__ import annotations

import asyncio
import contextlib
import io
import logging
from collections.abc import Iterator

import pytest

from simgate.core.logs import FORMAT, BatchedLines, JsonFormatter, TextFormatter

CREATED = 1_764_578_458.101_234  # a fixed moment: the handler's line and ours must agree
FIELDS = {"http_method": "GET", "path": "/api/getState.php", "status": 200, "account_id": 7}
MESSAGE = "GET /api/getState.php OK status=200 0.3ms account=7 id=abc"


@pytest.fixture
def root_stream() -> Iterator[tuple[logging.StreamHandler[io.StringIO], io.StringIO]]:
    """A handler writing to a string, installed as `logs.configure` installs its own."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    saved_target = BatchedLines.target
    BatchedLines.target = handler
    try:
        yield handler, stream
    finally:
        BatchedLines.target = saved_target


@contextlib.contextmanager
def only_handler(handler: logging.Handler) -> Iterator[None]:
    """The root's only handler for the block: pytest adds its own to the root around each
    test's call, so this is entered inside the test, not in a fixture."""
    saved = logging.root.handlers[:]
    logging.root.handlers = [handler]
    try:
        yield
    finally:
        logging.root.handlers = saved


def _standard_line(handler: logging.Handler, logger: logging.Logger) -> str:
    record = logger.makeRecord(logger.name, logging.INFO, "", 0, "%s", (MESSAGE,), None, None)
    record.__dict__.update(FIELDS)
    record.created, record.msecs = CREATED, int((CREATED - int(CREATED)) * 1000) + 0.0
    return handler.format(record) + "\n"


@pytest.mark.parametrize("formatter", [TextFormatter(FORMAT), JsonFormatter()])
def test_a_line_reads_as_the_handler_writes_it(root_stream, formatter) -> None:
    handler, stream = root_stream
    handler.setFormatter(formatter)
    logger = logging.getLogger("simgate.test.batched")
    lines = BatchedLines(logger, clock=lambda: CREATED)
    with only_handler(handler):
        lines.info(MESSAGE, FIELDS)  # no running loop: written at once
    assert stream.getvalue() == _standard_line(handler, logger)


async def test_lines_are_written_together_after_the_flush_delay(root_stream) -> None:
    handler, stream = root_stream
    handler.setFormatter(TextFormatter(FORMAT))
    lines = BatchedLines(logging.getLogger("simgate.test.batched"))
    with only_handler(handler):
        lines.info("first", {})
        lines.info("second", {})
        assert stream.getvalue() == ""  # held for the batch
        for _ in range(200):  # the flush timer: FLUSH_SECONDS, waited for here up to 2 s
            if stream.getvalue():
                break
            await asyncio.sleep(BatchedLines.FLUSH_SECONDS)
    written = stream.getvalue().splitlines()
    assert [line.rsplit(": ", 1)[1] for line in written] == ["first", "second"]


def test_a_full_batch_is_written_without_waiting(root_stream) -> None:
    handler, stream = root_stream
    handler.setFormatter(TextFormatter(FORMAT))
    lines = BatchedLines(logging.getLogger("simgate.test.batched"))

    async def fill() -> str:
        for n in range(BatchedLines.MAX_PENDING):
            lines.info(f"line {n}", {})
        written: str = stream.getvalue()  # read before the loop could run the flush timer
        return written

    with only_handler(handler):
        written = asyncio.run(fill())
    assert len(written.splitlines()) == BatchedLines.MAX_PENDING


def test_another_listener_gets_ordinary_records(root_stream, caplog) -> None:
    """With a second handler on the root (caplog's here), lines go through `logging`, fields
    and all, and the installed handler still writes them."""
    handler, stream = root_stream
    logger = logging.getLogger("simgate.test.batched")
    caplog.set_level(logging.INFO, logger=logger.name)
    with only_handler(handler):
        logging.root.addHandler(caplog.handler)
        BatchedLines(logger).info(MESSAGE, FIELDS)
    (record,) = [r for r in caplog.records if r.name == logger.name]
    assert record.getMessage() == MESSAGE
    assert record.__dict__["account_id"] == 7
    assert MESSAGE in stream.getvalue()
