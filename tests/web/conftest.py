"""Browser fixtures: the hub (cabinet included) on loopback with a local SMTP server, and
Debian's Chromium driven by Playwright. No browser is ever downloaded: the tests use
/usr/bin/chromium, which CI installs from Debian's packages."""

from __future__ import annotations

import os
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser, BrowserContext, Page, async_playwright

from simgate.accounts import service as accounts
from simgate.accounts import web_login
from simgate.core.clock import FrozenClock
from simgate.core.db import Database
from simgate.core.settings import Settings
from simgate.hub.app import create_app
from simgate.hub.context import HubContext
from simgate.hub.server import running_server
from simgate.ledger import service as ledger
from simgate.suppliers import service as suppliers
from simgate.worker import jobs
from tests.auth.conftest import CHEAP_ARGON2, Mailbox, smtp  # noqa: F401 (smtp: a fixture)
from tests.hub.conftest import Hub
from tests.hub.standin_agent import StandinAgent

CHROMIUM = Path("/usr/bin/chromium")
# Where the tests leave a picture of each page, desktop and phone width (unset: nowhere).
SCREENSHOTS = os.environ.get("SIMGATE_SCREENSHOTS", "")
WIDTHS = {"desktop": (1280, 800), "phone": (390, 844)}
PASSWORD = "correct horse battery"


class WebHub(Hub):
    mailbox: Mailbox

    async def confirm_link(self, index: int = 0) -> str:
        messages = await self.mailbox.wait(index + 1)
        body = messages[index].get_payload(decode=True)
        assert isinstance(body, bytes)
        found = re.search(r"https?://\S+/confirm-email/\S+", body.decode("utf-8"))
        assert found, body
        return found.group(0)

    async def fund(self, account_id: int, amount: int) -> None:
        """What an operator's credit does: a deposit entry."""
        async with self.ctx.db.transaction() as session:
            await ledger.deposit(session, account_id, amount, self.clock.now(), reference="test")

    async def give_password(self, name: str, password: str = PASSWORD) -> None:
        await web_login.set_password(self.ctx.deps, name, password)


@pytest.fixture
async def web_hub(
    db: Database,
    settings: Settings,
    clock: FrozenClock,
    smtp: tuple[Mailbox, int],  # noqa: F811
) -> AsyncIterator[WebHub]:
    settings = settings.model_copy(
        update={
            "agent_timeout_seconds": 3.0,
            "auth_cache_seconds": 0,
            "smtp_host": "127.0.0.1",
            "smtp_port": smtp[1],
            "smtp_timeout_seconds": 5.0,
            **CHEAP_ARGON2,
        }
    )
    ctx = HubContext(settings=settings, db=db, clock=clock)
    await db.start_feed()
    async with (
        running_server(create_app(ctx)) as url,
        httpx.AsyncClient(trust_env=False, timeout=30) as client,
    ):
        # Links in emails must point at this very server, whose port is known only now.
        ctx.settings = settings.model_copy(update={"public_url": url})
        hub = WebHub(url, ctx, client, clock)
        hub.mailbox = smtp[0]
        yield hub
    await ctx.close_http()


@pytest.fixture(scope="session")
def chromium() -> Path:
    if not CHROMIUM.exists():
        pytest.fail("/usr/bin/chromium is missing: apt-get install -y chromium (see .ci/run)")
    return CHROMIUM


@pytest.fixture
async def browser(chromium: Path) -> AsyncIterator[Browser]:
    async with async_playwright() as driver:
        launched = await driver.chromium.launch(executable_path=str(chromium))
        yield launched
        await launched.close()


@pytest.fixture
async def new_page(browser: Browser) -> AsyncIterator[Any]:
    """Opens pages in fresh browser contexts (separate cookie jars: separate people)."""
    contexts: list[BrowserContext] = []

    async def open_page(**options: Any) -> Page:
        context = await browser.new_context(**options)
        contexts.append(context)
        return await context.new_page()

    yield open_page
    for context in contexts:
        await context.close()


async def log_in(page: Page, url: str, username: str, password: str = PASSWORD) -> None:
    await page.goto(f"{url}/login")
    await page.get_by_label("Username", exact=True).fill(username)
    await page.get_by_label("Password", exact=True).fill(password)
    await page.get_by_role("button", name="Log in").click()
    await page.wait_for_url(f"{url}/")


@pytest.fixture
def make_web_buyer(web_hub: WebHub) -> Any:
    async def make(name: str, balance: int = 100_000) -> str:
        async with web_hub.ctx.db.transaction() as session:
            created = await accounts.create(
                session, web_hub.ctx.settings, name, web_hub.clock.now(), balance=balance
            )
        return created.api_key

    return make


@pytest.fixture
async def connect_web_agent(web_hub: WebHub) -> AsyncIterator[Any]:
    """A stand-in agent on loopback, registered with the hub, its stock loaded."""
    servers: list[Any] = []

    async def connect(name: str = "agent1") -> StandinAgent:
        agent = StandinAgent(key=f"{name}-key")
        server = running_server(agent.app())
        url = await server.__aenter__()
        servers.append(server)
        async with web_hub.ctx.db.transaction() as session:
            await suppliers.add(
                session, name, url + "/", agent.key, web_hub.clock.now(), timeout_seconds=1.0
            )
        await jobs.poll_stock(web_hub.ctx)
        return agent

    yield connect
    for server in reversed(servers):
        await server.__aexit__(None, None, None)


async def snap(page: Page, name: str) -> None:
    """Screenshots of the page as it is now, at each width, when SIMGATE_SCREENSHOTS is set."""
    if not SCREENSHOTS:
        return
    before = page.viewport_size
    for label, (width, height) in WIDTHS.items():
        await page.set_viewport_size({"width": width, "height": height})
        await page.screenshot(path=f"{SCREENSHOTS}/{name}-{label}.png", full_page=True)
    if before is not None:
        await page.set_viewport_size(before)
