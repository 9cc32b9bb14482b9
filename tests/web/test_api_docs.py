"""/docs renders the hub's OpenAPI document in Chromium from files the package ships."""

from __future__ import annotations

from typing import Any

from simgate.dialects.onlinesim.registry import TABLE as ONLINESIM
from tests.web.conftest import SCREENSHOTS, WebHub


async def test_docs_page_shows_every_method(web_hub: WebHub, new_page: Any) -> None:
    page = await new_page(viewport={"width": 1280, "height": 800})
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("response", lambda r: problems.append(r.url) if r.status >= 400 else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    # Nothing may come from elsewhere: every request stays on the hub.
    page.on(
        "request",
        lambda r: None if r.url.startswith(web_hub.url) else problems.append(f"fetched {r.url}"),
    )
    response = await page.goto(f"{web_hub.url}/docs")
    assert response is not None and response.status == 200
    assert "script-src 'self'" in (await response.all_headers())["content-security-policy"]
    await page.locator(".opblock-summary-path").first.wait_for()
    shown = set(await page.locator(".opblock-summary-path").all_inner_texts())
    shown = {text.replace("\u200b", "").strip() for text in shown}
    wanted = {f"/api/{name}.php" for name in [*ONLINESIM.methods, *ONLINESIM.public]}
    wanted |= {"/stubs/handler_api.php", "/push_sms_webhook", "/delivery-api/get/send.php"}
    assert wanted <= shown, sorted(wanted - shown)
    if SCREENSHOTS:
        await page.screenshot(path=f"{SCREENSHOTS}/api-docs.png", full_page=False)
    assert problems == []
