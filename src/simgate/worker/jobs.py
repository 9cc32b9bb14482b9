"""What the worker runs each tick: every domain's background jobs, fed with the hub's parts.

The jobs themselves live with their domain (`activations.tasks`, `suppliers.tasks`,
`delivery.tasks`, `forwarding.tasks`, the account mailer and throttle); this table only says
which run, in which order, and hands each the few parts it takes.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from simgate.accounts import mailer, throttle
from simgate.activations import tasks as activation_tasks
from simgate.delivery import tasks as delivery_tasks
from simgate.forwarding import tasks as forwarding_tasks
from simgate.hub.context import HubContext
from simgate.suppliers import tasks as supplier_tasks

log = logging.getLogger(__name__)


async def poll_stock(ctx: HubContext) -> int:
    return await supplier_tasks.poll_stock(ctx.db, ctx.agents, ctx.settings, ctx.clock)


async def expire_activations(ctx: HubContext) -> int:
    return await activation_tasks.expire_activations(ctx.db, ctx.clock)


async def serve_deferred(ctx: HubContext) -> int:
    return await activation_tasks.serve_deferred(ctx.db, ctx.agents, ctx.settings, ctx.clock)


async def drain_outbox(ctx: HubContext) -> int:
    return await activation_tasks.drain_outbox(ctx.db, ctx.agents, ctx.settings, ctx.clock)


JOBS: tuple[tuple[str, Callable[[HubContext], Awaitable[int]]], ...] = (
    ("stock", poll_stock),
    ("expired", expire_activations),
    ("deferred", serve_deferred),
    ("outbox", drain_outbox),
    ("delivery", lambda ctx: delivery_tasks.run_once(ctx.deps)),
    ("forwarding", lambda ctx: forwarding_tasks.run_once(ctx.forwarding)),
    ("emails", lambda ctx: mailer.run_once(ctx.deps)),
    ("throttle", lambda ctx: throttle.purge_expired(ctx.deps)),
)


async def run_once(ctx: HubContext) -> dict[str, int]:
    """One pass of every job (tests call this directly with a frozen clock).

    Each job runs on its own: one that fails (a database error, a bug) is logged and counts 0,
    and the jobs after it still run in this tick; the next tick tries it again.
    """
    done: dict[str, int] = {}
    for name, job in JOBS:
        try:
            done[name] = await job(ctx)
        except Exception:
            log.exception("worker job %s failed", name)
            done[name] = 0
    return done
