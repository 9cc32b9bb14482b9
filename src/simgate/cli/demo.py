"""`simgate demo`: a hub on SQLite, the reference agent with a simulated SIM pool reached
over real HTTP on loopback, and a funded demo account — ready for copy-paste curl lines."""

from __future__ import annotations

import asyncio
import secrets
from pathlib import Path

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from simgate.accounts import service as accounts
from simgate.agent.config import AgentConfig
from simgate.agent.runtime import AgentRuntime
from simgate.core.settings import Settings, get_settings
from simgate.hub.bootstrap import prepare_database
from simgate.hub.context import HubContext
from simgate.hub.runtime import running_hub, wait_for_signal
from simgate.ledger import service as ledger
from simgate.suppliers import service as suppliers
from simgate.worker import jobs

DEMO_ACCOUNT = "demo"
DEMO_SUPPLIER = "demo-agent"
DEMO_BALANCE = 100_000  # 1,000.00


async def _demo_account(session: AsyncSession, settings: Settings, ctx: HubContext) -> str:
    """Create the funded demo account, or give the existing one a fresh key and top it up."""
    now = ctx.clock.now()
    account = await accounts.find(session, DEMO_ACCOUNT)
    if account is None:
        return (
            await accounts.create(session, settings, DEMO_ACCOUNT, now, balance=DEMO_BALANCE)
        ).api_key
    view = await ledger.balance(session, account.id)
    if view.available < DEMO_BALANCE:
        await ledger.deposit(session, account.id, DEMO_BALANCE - view.available, now, "demo top-up")
    return await accounts.rotate_key(session, settings, account.id, now)


async def _demo_supplier(session: AsyncSession, ctx: HubContext, url: str, key: str) -> None:
    """Register the demo agent, or re-point the one a previous run registered: its rentals
    and SMS refer to it, so it is updated in place rather than replaced."""
    supplier = await suppliers.find(session, DEMO_SUPPLIER)
    if supplier is None:
        await suppliers.add(session, DEMO_SUPPLIER, url, key, ctx.clock.now(), priority=10)
    else:
        await suppliers.change(session, supplier, url=url, key=key, priority=10, enabled=True)


def _print_intro(hub: str, key: str, admin_env: str) -> None:
    # Plain echo: curl lines must stay on one line to be copied, whatever the terminal width.
    lines = [
        "",
        f"simgate demo: hub at {hub}",
        f"API key: {key}",
        "",
        "Rent a number for VK (a simulated SMS with a code arrives a few seconds later):",
        f"  curl '{hub}/api/getNum.php?apikey={key}&service=vk&number=1'",
        "Read the code (use the tzid printed by getNum):",
        f"  curl '{hub}/api/getState.php?apikey={key}&message_to_code=1&tzid=TZID'",
        "Confirm it (you pay once), and look at your balance:",
        f"  curl '{hub}/api/setOperationOk.php?apikey={key}&tzid=TZID'",
        f"  curl '{hub}/api/getBalance.php?apikey={key}'",
        "",
        "The admin commands see the same database, e.g. from another terminal:",
        f"  {admin_env}simgate account show {DEMO_ACCOUNT}",
        "",
        "Stop with Ctrl-C.",
    ]
    typer.echo("\n".join(lines))


def demo(
    port: int = typer.Option(8080, help="Hub port on 127.0.0.1."),
    agent_port: int = typer.Option(0, help="Agent port (0 picks a free one)."),
    sims: int = typer.Option(20, help="Simulated SIM cards."),
    sms_delay: float = typer.Option(3.0, help="Seconds before the simulated SMS arrives."),
    data_dir: Path | None = typer.Option(
        None, help="Where the demo keeps its files (default SIMGATE_DATA_DIR)."
    ),
) -> None:
    """Run a self-contained hub with a simulated agent and a funded demo account.

    It uses the database the admin commands use (SIMGATE_DATABASE_URL, else simgate.db in
    the data folder), so `simgate account show demo` works beside it."""
    base = get_settings()
    folder = data_dir or base.data_dir
    settings = base.model_copy(update={"data_dir": folder, "stock_poll_seconds": 5.0})
    # With another folder than the admin commands' default, they need to be told it.
    admin_env = "" if folder == base.data_dir else f"SIMGATE_DATA_DIR={folder} "

    async def run() -> None:
        ctx = HubContext.create(settings)
        key = secrets.token_hex(16)
        try:
            await prepare_database(ctx.db)
            # Confirmation links of accounts registered in the demo point at the demo itself.
            async with running_hub(ctx, host="127.0.0.1", port=port, own_public_url=True) as hub:
                agent_config = AgentConfig(
                    host="127.0.0.1",
                    port=agent_port,
                    key=key,
                    hub_url=f"{hub}/push_sms_webhook",
                    data_dir=folder / "agent",
                    simulate=sims,
                    sim_sms_delay_seconds=sms_delay,
                )
                async with AgentRuntime(agent_config) as agent:
                    async with ctx.db.transaction() as session:
                        await _demo_supplier(session, ctx, agent.url, key)
                        api_key = await _demo_account(session, settings, ctx)
                    await jobs.poll_stock(ctx)  # numbers are for sale before the key is shown
                    _print_intro(hub, api_key, admin_env)
                    await wait_for_signal()
        finally:
            await ctx.close()

    asyncio.run(run())
