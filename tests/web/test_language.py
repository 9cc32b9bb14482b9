"""The cabinet speaks the browser's language (English or Russian) until the buyer picks one,
and every page carries a policy that runs only the package's own scripts."""

from __future__ import annotations

from playwright.async_api import expect


async def test_accept_language_then_the_switch_decides(web_hub, new_page):
    page = await new_page(locale="ru-RU")
    response = await page.goto(f"{web_hub.url}/login")
    assert response is not None
    assert "script-src 'self'" in response.headers["content-security-policy"]
    await expect(page.get_by_role("button", name="Войти")).to_be_visible()
    await expect(page.get_by_label("Имя пользователя")).to_be_visible()

    await page.get_by_role("link", name="EN").click()
    await expect(page.get_by_role("button", name="Log in")).to_be_visible()
    await page.goto(f"{web_hub.url}/signup")
    await expect(page.get_by_role("button", name="Create account")).to_be_visible()


async def test_the_language_switch_never_leaves_the_site(web_hub, new_page):
    page = await new_page()
    for target in ("https://example.org/", "//example.org/", "/\\example.org/"):
        await page.goto(f"{web_hub.url}/lang/ru?next={target}")
        assert page.url == f"{web_hub.url}/login"
