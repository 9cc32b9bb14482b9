"""The end-of-run checks: what the hub stored, what the agents hold, what buyers saw."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from chaos.buyers import ONLINESIM, SMSACTIVATE, BuyerRecord, SeenRental
from chaos.pushes import InjectedSms, read_only

FINISH_FOR = {"sold": 3, "refunded": 4}
BAN_STATUS = 1
# How a closed rental reads in each buyer dialect. A failed rental (its number request lost)
# is shown to no buyer: onlinesim's buyer last saw it open, sms-activate's is told
# NO_ACTIVATION when it closes one it adopted from the listing while it waited for a number.
FINAL_WORDS = {
    ONLINESIM: {"sold": "TZ_OVER_OK", "refunded": "TZ_OVER_EMPTY"},
    SMSACTIVATE: {
        "sold": "ACCESS_ACTIVATION",
        "refunded": "ACCESS_CANCEL",
        "failed": "NO_ACTIVATION",
    },
}
OUTCOME = {
    "TZ_OVER_OK": "sold",
    "TZ_OVER_EMPTY": "refunded",
    "ACCESS_ACTIVATION": "sold",
    "ACCESS_CANCEL": "refunded",
    "NO_ACTIVATION": "refunded",  # failed: never charged
}


def outcome(seen: SeenRental) -> str:
    """sold / refunded as the buyer saw it close, or "" (open, or a word that agrees with
    neither)."""
    return OUTCOME.get(seen.final_word, "")


@dataclass
class Check:
    name: str
    checked: int = 0
    problems: list[str] = field(default_factory=list)
    informational: bool = False  # its findings are listed, and do not fail the run

    def fail(self, message: str) -> None:
        self.problems.append(message)


@dataclass
class HubFacts:
    suppliers: dict[str, int]  # name → id
    accounts: dict[str, int]  # name → id
    activations: list[dict[str, Any]]
    sms: list[dict[str, Any]]
    finishes: list[dict[str, Any]]
    negative_balances: list[dict[str, Any]]


@dataclass
class AgentFacts:
    sms: list[dict[str, Any]]
    activations: dict[int, dict[str, Any]]


async def read_hub(database_url: str) -> HubFacts:
    engine = create_async_engine(database_url)
    try:
        async with engine.connect() as conn:

            async def rows(sql: str) -> list[dict[str, Any]]:
                return [dict(r._mapping) for r in await conn.execute(text(sql))]

            suppliers = {r["name"]: r["id"] for r in await rows("SELECT id, name FROM suppliers")}
            accounts = {r["name"]: r["id"] for r in await rows("SELECT id, name FROM accounts")}
            return HubFacts(
                suppliers=suppliers,
                accounts=accounts,
                activations=await rows(
                    "SELECT a.id, a.account_id, a.state, a.supplier_id, a.agent_activation_id,"
                    " a.banned, h.state AS hold_state FROM activations a"
                    " LEFT JOIN holds h ON h.id = a.hold_id"
                ),
                sms=await rows(
                    "SELECT supplier_id, agent_sms_id, activation_id, code, text FROM sms"
                ),
                finishes=await rows(
                    "SELECT supplier_id, payload, done_at FROM outbox"
                    " WHERE kind = 'finish_activation'"
                ),
                negative_balances=await rows(
                    "SELECT account_id, available, held FROM balances"
                    " WHERE available < 0 OR held < 0 OR captured < 0"
                ),
            )
    finally:
        await engine.dispose()


def read_agent(path: Path) -> AgentFacts:
    with read_only(path) as db:
        db.row_factory = lambda cur, row: {
            c[0]: v for c, v in zip(cur.description, row, strict=True)
        }
        sms = db.execute("SELECT id, phone, state FROM sms").fetchall()
        acts = db.execute("SELECT id, open, status, closed_by FROM activations").fetchall()
    return AgentFacts(sms=sms, activations={a["id"]: a for a in acts})


def check_sms(
    hub: HubFacts, agents: list[AgentFacts], supplier_ids: list[int], injected: list[InjectedSms]
) -> Check:
    check = Check("every SMS committed is stored exactly once")
    stored = Counter((r["supplier_id"], r["agent_sms_id"]) for r in hub.sms)
    expected: set[tuple[int, int]] = set()
    for index, agent in enumerate(agents):
        for sms in agent.sms:
            key = (supplier_ids[index], sms["id"])
            expected.add(key)
            if sms["state"] == "pending":
                check.fail(f"agent {index} SMS {sms['id']} still waits to be pushed")
    for pushed in injected:
        if pushed.acknowledged:
            expected.add((supplier_ids[pushed.agent], pushed.sms_id))
    check.checked = len(expected)
    for key in sorted(expected):
        if stored[key] != 1:
            check.fail(f"SMS {key} stored {stored[key]} times")
    for key in sorted(set(stored) - expected):
        if not any(i.sms_id == key[1] for i in injected):
            check.fail(f"SMS {key} stored but no agent sent it")
    return check


def check_rentals(hub: HubFacts, agents: list[AgentFacts], supplier_ids: list[int]) -> Check:
    check = Check("every rental ended once, FINISH delivered with its status")
    finishes: dict[tuple[int, int], list[int]] = {}
    for message in hub.finishes:
        payload = json.loads(message["payload"])
        key = (message["supplier_id"], payload["activationId"])
        finishes.setdefault(key, []).append(payload["status"])
        if message["done_at"] is None:
            check.fail(f"FINISH_ACTIVATION {payload} to supplier {key[0]} is undelivered")
    agent_of = {sid: i for i, sid in enumerate(supplier_ids)}
    owners = Counter(
        (a["supplier_id"], a["agent_activation_id"])
        for a in hub.activations
        if a["agent_activation_id"] is not None
    )
    for key, count in owners.items():
        if count > 1:
            check.fail(f"agent activation {key} belongs to {count} rentals")
    for act in hub.activations:
        if act["state"] == "failed":
            continue
        check.checked += 1
        if act["state"] not in FINISH_FOR:
            check.fail(f"rental {act['id']} is still {act['state']}")
            continue
        if act["agent_activation_id"] is None:
            # Cancelled while still waiting for a number: no agent ever held it.
            if act["state"] != "refunded":
                check.fail(f"rental {act['id']} {act['state']} without an agent's number")
            continue
        key = (act["supplier_id"], act["agent_activation_id"])
        want = BAN_STATUS if act["banned"] else FINISH_FOR[act["state"]]
        sent = finishes.get(key, [])
        if sent != [want]:
            check.fail(f"rental {act['id']} ({act['state']}): FINISH {sent}, want [{want}]")
        agent = agents[agent_of[act["supplier_id"]]]
        seen = agent.activations.get(act["agent_activation_id"])
        if seen is None:
            check.fail(f"rental {act['id']}: agent has no activation {key[1]}")
        elif seen["open"] or seen["status"] != want or seen["closed_by"] != "hub":
            check.fail(f"rental {act['id']}: agent closed it as {seen}, want status {want}")
    return check


def check_money(hub: HubFacts, buyers: list[BuyerRecord], codes: dict[int, set[str]]) -> Check:
    check = Check("charged only with a code shown; no code on a refund")
    for act in hub.activations:
        check.checked += 1
        hold, state = act["hold_state"], act["state"]
        if state == "sold" and (hold != "captured" or not codes.get(act["id"])):
            check.fail(f"rental {act['id']} sold with hold {hold}, codes {codes.get(act['id'])}")
        if state in ("refunded", "failed") and hold != "released":
            check.fail(f"rental {act['id']} {state} with hold {hold}")
    for buyer in buyers:
        for seen in buyer.rentals.values():
            if seen.codes and outcome(seen) == "refunded":
                check.fail(f"{buyer.name}: refunded rental {seen.tzid} showed {seen.codes}")
            if outcome(seen) == "sold" and not seen.codes:
                check.fail(f"{buyer.name}: charged for rental {seen.tzid} that showed no code")
    return check


def check_buyers(hub: HubFacts, buyers: list[BuyerRecord], codes: dict[int, set[str]]) -> Check:
    check = Check("buyers' records agree with the hub")
    by_id = {a["id"]: a for a in hub.activations}
    for buyer in buyers:
        account = hub.accounts[buyer.name]
        unknown = [
            a for a in hub.activations
            if a["account_id"] == account and a["state"] != "failed"
            and a["id"] not in buyer.rentals
        ]  # fmt: skip
        if len(unknown) > buyer.lost_getnum:
            check.fail(f"{buyer.name}: {len(unknown)} rentals never shown to the buyer")
        for act in unknown:
            if act["state"] == "sold":
                check.fail(f"{buyer.name}: charged for rental {act['id']} it never saw")
        for seen in buyer.rentals.values():
            check.checked += 1
            rental = by_id.get(seen.tzid)
            if rental is None or rental["account_id"] != account:
                check.fail(f"{buyer.name}: rental {seen.tzid} is not the buyer's at the hub")
                continue
            # A rental whose number request was lost (a killed hub) fails without a charge;
            # onlinesim shows no failed rental, so its buyer last saw it open, with no code.
            failed_unseen = rental["state"] == "failed" and not seen.final_word and not seen.codes
            words = FINAL_WORDS[seen.dialect]
            if seen.final_word != words.get(rental["state"]) and not failed_unseen:
                check.fail(
                    f"{buyer.name}: rental {seen.tzid} last seen {seen.final_word or 'open'},"
                    f" hub says {rental['state']}"
                )
            if not seen.codes <= codes.get(seen.tzid, set()):
                check.fail(f"{buyer.name}: rental {seen.tzid} showed codes the hub never had")
    return check


def check_sims(
    hub: HubFacts, agents: list[AgentFacts], supplier_ids: list[int]
) -> tuple[Check, Check]:
    """Open agent activations: one behind a closed rental is a violation; one the hub never
    recorded (its GET_NUMBER answer was lost to a cut or a kill) is counted apart — the
    protocol gives the hub no id to free it with, and the agent frees it at its lifetime."""
    check = Check("no agent SIM left allocated to a closed rental")
    orphans = Check("agent activations the hub never learnt of (informational)", informational=True)
    owned = {
        (a["supplier_id"], a["agent_activation_id"]): a
        for a in hub.activations
        if a["agent_activation_id"] is not None
    }
    for index, agent in enumerate(agents):
        for act in agent.activations.values():
            check.checked += 1
            rental = owned.get((supplier_ids[index], act["id"]))
            if rental is None:
                orphans.checked += 1
                if act["open"]:
                    orphans.fail(f"agent {index} activation {act['id']} open, no rental at the hub")
                continue
            if act["open"]:
                check.fail(f"agent {index} activation {act['id']} open; rental {rental['state']}")
    return check, orphans


def check_http(buyers: list[BuyerRecord], push_errors: int) -> Check:
    check = Check("no HTTP 5xx from a hub (faults get the dialect's error word)")
    check.checked = len(buyers) + 1
    for buyer in buyers:
        if buyer.server_errors:
            check.fail(f"{buyer.name} got {buyer.server_errors} HTTP 5xx answers")
    if push_errors:
        check.fail(f"PUSH_SMS got {push_errors} HTTP 5xx answers")
    return check


def check_balances(hub: HubFacts) -> Check:
    check = Check("no negative balance", checked=len(hub.accounts))
    for row in hub.negative_balances:
        check.fail(f"account {row['account_id']}: {row}")
    return check


def check_ledger(database_url: str) -> Check:
    check = Check("simgate ledger check", checked=1)
    command = [sys.executable, "-m", "simgate.cli.main", "ledger", "check"]
    done = subprocess.run(  # noqa: S603 - our own CLI, arguments from this run
        [*command, "--database-url", database_url], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        check.fail((done.stdout + done.stderr).strip()[-2000:])
    return check


def codes_by_rental(hub: HubFacts) -> dict[int, set[str]]:
    """What each rental may have shown as a code: the code the hub found in an SMS, else its
    text (onlinesim's message_to_code), and that on one line without ':' (sms-activate's
    status lines, which clients split on ':')."""
    codes: dict[int, set[str]] = {}
    for row in hub.sms:
        shown = row["code"] or row.get("text")
        if row["activation_id"] is not None and shown:
            one_line = " ".join(shown.replace(":", " ").split())
            codes.setdefault(row["activation_id"], set()).update({shown, one_line})
    return codes


def render(checks: list[Check], seed: int) -> str:
    width = max(len(c.name) for c in checks)
    lines = [f"{'check'.ljust(width)}  {'checked':>8}  {'violations':>10}  result"]
    for c in checks:
        result = "ok" if not c.problems else ("note" if c.informational else "FAIL")
        lines.append(f"{c.name.ljust(width)}  {c.checked:>8}  {len(c.problems):>10}  {result}")
    for c in checks:
        for problem in c.problems[:20]:
            lines.append(f"  {c.name}: {problem}")
        if len(c.problems) > 20:
            lines.append(f"  {c.name}: … {len(c.problems) - 20} more")
    if failed(checks):
        lines.append(f"VIOLATIONS — replay with: python -m chaos run --seed {seed}")
    return "\n".join(lines)


def failed(checks: list[Check]) -> bool:
    return any(c.problems and not c.informational for c in checks)
