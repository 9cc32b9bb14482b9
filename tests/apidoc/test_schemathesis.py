"""schemathesis against /openapi.json of a real hub over loopback: every operation, a bounded
number of examples each, no server error and every answer in its documented shape."""

from __future__ import annotations

import asyncio
import os
import re
import sys
from pathlib import Path

import pytest

from tests.hub.conftest import Hub

SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")
# Enough to reach every branch the document names, few enough for CI (about a minute).
MAX_EXAMPLES = os.environ.get("SIMGATE_FUZZ_EXAMPLES", "5")
SEED = os.environ.get("SIMGATE_FUZZ_SEED", "1")
CHECKS = "not_a_server_error,response_schema_conformance,status_code_conformance"


def _config(path: Path, key: str) -> Path:
    """The buyer's key for each scheme the document declares."""
    path.write_text(
        "\n".join(
            [
                "[auth.openapi.OnlinesimKey]",
                f'api_key = "{key}"',
                "[auth.openapi.OnlinesimBearer]",
                f'bearer = "{key}"',
                "[auth.openapi.SmsActivateKey]",
                f'api_key = "{key}"',
                "",
            ]
        )
    )
    return path


# About a minute on an idle machine; the bound leaves room for a loaded one.
@pytest.mark.timeout(900)
async def test_every_operation_answers_as_documented(
    stocked_hub: Hub, stocked_buyer: str, tmp_path: Path
) -> None:
    config = _config(tmp_path / "schemathesis.toml", stocked_buyer)
    process = await asyncio.create_subprocess_exec(
        str(SCHEMATHESIS),
        "--no-color",
        "--config-file",
        str(config),
        "run",
        f"{stocked_hub.url}/openapi.json",
        "--checks",
        CHECKS,
        "--max-examples",
        MAX_EXAMPLES,
        "--seed",
        SEED,
        "--workers",
        "1",
        "--request-timeout",
        "30",
        "--suppress-health-check",
        "all",
        "--report-dir",
        str(tmp_path / "report"),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        cwd=tmp_path,
        env={**os.environ, "SCHEMATHESIS_HOOKS": ""},
    )
    output, _ = await process.communicate()
    text = output.decode(errors="replace")
    assert process.returncode == 0, text[-20000:]
    # Every generated case passed (a warning, such as the confirmation link answering 404 to
    # every made-up token, is not a failure).
    counts = re.search(r"(\d+) generated, (\d+) passed", text)
    assert counts and counts.group(1) == counts.group(2), text[-5000:]
    # The key opened real paths: numbers were rented and answered as documented.
    operations = await stocked_hub.api("getOperations", stocked_buyer)
    assert operations, text[-5000:]
