"""Periodic housekeeping of outbound SMS, called by the hub's worker loop every tick."""

from __future__ import annotations

import datetime as dt
import logging

from simgate.core.deps import Deps
from simgate.delivery import outcomes, queue
from simgate.delivery import repository as repo

log = logging.getLogger(__name__)

BATCH = 200


async def run_once(deps: Deps) -> int:
    """Forget expired signatures, fail (and refund) messages no SMSC accepted in time, and
    apply receipts that arrived before their part's acknowledgement was recorded under the
    same id form. Returns the number of rows handled; one transaction."""
    async with deps.db.transaction() as session:
        now = deps.clock.now()
        done = await repo.purge_requests(session, now)
        cutoff = now - dt.timedelta(seconds=deps.settings.delivery_message_ttl_seconds)
        for message_id in await queue.expired_ids(session, cutoff, now, BATCH):
            if await outcomes.fail(session, message_id, now, "not accepted by the SMSC in time"):
                log.warning("outbound SMS %s expired unsent; refunded", message_id)
                done += 1
        done += await outcomes.apply_receipts(session, now, None)
        done += await queue.purge_stale_receipts(session, now - dt.timedelta(days=2))
    return done
