"""The OpenAPI document covers every method the dialects serve, and nothing they do not."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest

from simgate.dialects import onlinesim as onlinesim_package
from simgate.dialects.common.registry import Call
from simgate.dialects.onlinesim.registry import TABLE as ONLINESIM
from simgate.dialects.smsactivate.registry import TABLE as SMSACTIVATE
from simgate.hub.apidoc import document, onlinesim
from tests.hub.conftest import Hub


async def _handler(call: Call) -> Any:
    return {}


def test_every_served_method_is_declared() -> None:
    assert document.undeclared() == []
    paths = document.build()["paths"]
    for name in [*ONLINESIM.methods, *ONLINESIM.public]:
        assert set(paths[f"/api/{name}.php"]) == {"get", "post"}
    action = paths["/stubs/handler_api.php"]["get"]["parameters"][0]
    assert action["schema"]["enum"] == list(SMSACTIVATE.methods)


@pytest.mark.parametrize("table", [ONLINESIM.methods, SMSACTIVATE.methods])
def test_a_method_without_a_declaration_fails_the_build(
    table: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(table, "brandNewMethod", _handler)
    with pytest.raises(document.UndocumentedMethod, match="brandNewMethod"):
        document.build()


def test_every_word_the_onlinesim_dialect_replies_is_in_the_enum() -> None:
    """Words raised as Reply("...") in the dialect's code are part of the documented enum."""
    folder = Path(onlinesim_package.__file__).parent
    raised = set()
    for path in folder.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "Reply"
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                raised.add(node.args[0].value)
    assert raised and raised <= set(onlinesim.WORDS), raised - set(onlinesim.WORDS)


async def test_the_document_is_served(hub: Hub) -> None:
    response = await hub.client.get(f"{hub.url}/openapi.json")
    assert response.status_code == 200
    served = response.json()
    assert served["openapi"] == "3.1.0"
    assert served == document.build()
    page = await hub.client.get(f"{hub.url}/docs")
    assert page.status_code == 200
    assert "/docs/assets/swagger-ui-bundle.js" in page.text
    assert "<script>" not in page.text  # the CSP allows no inline script
    bundle = await hub.client.get(f"{hub.url}/docs/assets/swagger-ui-bundle.js")
    assert bundle.status_code == 200 and "SwaggerUIBundle" in bundle.text
