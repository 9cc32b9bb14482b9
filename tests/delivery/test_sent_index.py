"""The cabinet's pages of sent SMS stay index-served however many messages others sent since:
a page is read from (account_id, id) in id order, neither by walking every newer message of
the table nor by sorting the account's messages."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from simgate.accounts import service as accounts
from simgate.core.clock import FrozenClock
from simgate.core.db import Database
from simgate.core.settings import Settings
from simgate.delivery import queue
from simgate.ledger import service as ledger
from tests.activations.test_history_indexes import captured, plan_of

MESSAGES = 500  # the reader's, all older than
OTHERS = 20_000  # another account's
INDEX = "ix_delivery_messages_account_id_desc"

SQLITE_FILL = """
INSERT INTO delivery_messages (public_id, account_id, sender, phone, text, encoding, parts,
    cost, hold_id, state, attempts, next_attempt_at, created_at)
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < :count)
SELECT :prefix || i, :account, 'Shop', '7900' || (1000000 + i), 'hi', 'gsm7', 1,
    50, :hold, 'delivered', 1, :now, :now
FROM n
"""

POSTGRES_FILL = """
INSERT INTO delivery_messages (public_id, account_id, sender, phone, text, encoding, parts,
    cost, hold_id, state, attempts, next_attempt_at, created_at)
SELECT :prefix || i, :account, 'Shop', '7900' || (1000000 + i), 'hi', 'gsm7', 1,
    50, :hold, 'delivered', 1, CAST(:now AS timestamp), CAST(:now AS timestamp)
FROM generate_series(1, :count) AS i
"""


async def seed_messages(
    db: Database, settings: Settings, clock: FrozenClock, name: str, count: int
) -> int:
    """`count` sent messages of a new account (all on one hold: only the rows matter)."""
    async with db.transaction() as session:
        account_id = (await accounts.create(session, settings, name, clock.now())).account.id
        await ledger.deposit(session, account_id, 100, clock.now(), reference="test")
        hold = await ledger.hold(session, account_id, 50, clock.now(), reference="test")
        now = clock.now().isoformat(sep=" ") if db.is_sqlite else clock.now()
        values = {
            "account": account_id,
            "prefix": f"p{account_id}-",
            "hold": hold,
            "count": count,
            "now": now,
        }
        await session.execute(text(SQLITE_FILL if db.is_sqlite else POSTGRES_FILL), values)
    return account_id


@pytest.mark.parametrize("deep", [False, True])
async def test_a_page_of_sent_sms_is_read_from_its_index(
    db: Database, settings: Settings, clock: FrozenClock, deep: bool
):
    reader = await seed_messages(db, settings, clock, "reader", MESSAGES)
    await seed_messages(db, settings, clock, "other", OTHERS)
    async with db.write_engine.connect() as conn:
        await conn.exec_driver_sql("ANALYZE")
        await conn.commit()
    async with db.read() as session:
        newest = (await queue.sent_page(session, reader, None, 1))[0].id
    before = newest - MESSAGES // 2 if deep else None
    with captured(db) as sent:  # on the write engine, which a transaction uses
        async with db.transaction() as session:
            page = await queue.sent_page(session, reader, before, 51)
    assert len(page) == 51 and all(m.account_id == reader for m in page)
    selects = [(s, p) for s, p in sent if "FROM delivery_messages" in s]
    assert len(selects) == 1, sent
    shown = "\n".join(await plan_of(db, *selects[0]))
    assert INDEX in shown, shown
    # Neither the whole table nor a sort of the account's messages.
    assert "Seq Scan" not in shown and "SCAN delivery_messages\n" not in shown + "\n", shown
    assert "Sort" not in shown and "TEMP B-TREE" not in shown, shown
