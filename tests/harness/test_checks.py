"""The chaos harness's end checks catch what they are meant to catch.

The harness itself runs in .ci/run; here each check is fed facts with one planted fault, so
a check that silently passes everything cannot hide behind a green run.
"""

from __future__ import annotations

from typing import Any

from chaos import checks
from chaos.buyers import SMSACTIVATE, BuyerRecord, SeenRental
from chaos.pushes import InjectedSms

SUPPLIERS = [11, 12]


def rental(tzid: int, state: str, agent_activation: int, **extra: Any) -> dict[str, Any]:
    hold = {"sold": "captured"}.get(state, "released")
    return {
        "id": tzid, "account_id": 1, "state": state, "supplier_id": 11,
        "agent_activation_id": agent_activation, "banned": False, "hold_state": hold, **extra,
    }  # fmt: skip


def hub_facts(**changes: Any) -> checks.HubFacts:
    facts = checks.HubFacts(
        suppliers={"agent0": 11, "agent1": 12},
        accounts={"buyer0": 1},
        activations=[rental(1, "sold", 100), rental(2, "refunded", 101)],
        sms=[
            {"supplier_id": 11, "agent_sms_id": 5, "activation_id": 1, "code": "12345"},
            {"supplier_id": 11, "agent_sms_id": 1_000_000_001, "activation_id": None, "code": "1"},
        ],
        finishes=[
            {"supplier_id": 11, "payload": '{"activationId": 100, "status": 3}', "done_at": 1},
            {"supplier_id": 11, "payload": '{"activationId": 101, "status": 4}', "done_at": 1},
        ],
        negative_balances=[],
    )
    for name, value in changes.items():
        setattr(facts, name, value)
    return facts


def agent_facts(open_100: int = 0) -> list[checks.AgentFacts]:
    closed = {"open": 0, "closed_by": "hub"}
    return [
        checks.AgentFacts(
            sms=[{"id": 5, "phone": 79000000000, "state": "delivered"}],
            activations={
                100: {"id": 100, **closed, "status": 3, "open": open_100},
                101: {"id": 101, **closed, "status": 4},
            },
        ),
        checks.AgentFacts(sms=[], activations={}),
    ]


def buyer(codes_on_2: set[str] | None = None) -> BuyerRecord:
    record = BuyerRecord("buyer0")
    record.rentals[1] = SeenRental(1, codes={"12345"}, confirmed=True, final_word="TZ_OVER_OK")
    record.rentals[2] = SeenRental(2, codes=codes_on_2 or set(), final_word="TZ_OVER_EMPTY")
    return record


INJECTED = [InjectedSms(0, 1_000_000_001, "79000000001", "code 1", acknowledged=True)]


def test_a_consistent_run_passes_every_check() -> None:
    hub, agents, records = hub_facts(), agent_facts(), [buyer()]
    codes = checks.codes_by_rental(hub)
    results = [
        checks.check_sms(hub, agents, SUPPLIERS, INJECTED),
        checks.check_rentals(hub, agents, SUPPLIERS),
        checks.check_balances(hub),
        checks.check_money(hub, records, codes),
        *checks.check_sims(hub, agents, SUPPLIERS),
        checks.check_buyers(hub, records, codes),
    ]
    assert [c.problems for c in results] == [[]] * len(results)
    assert not checks.failed(results)


def test_an_acknowledged_sms_the_hub_lost_is_a_violation() -> None:
    hub = hub_facts(sms=hub_facts().sms[:1])
    check = checks.check_sms(hub, agent_facts(), SUPPLIERS, INJECTED)
    assert check.problems == ["SMS (11, 1000000001) stored 0 times"]


def test_a_finish_with_the_wrong_status_is_a_violation() -> None:
    wrong = [
        {"supplier_id": 11, "payload": '{"activationId": 100, "status": 4}', "done_at": 1},
        hub_facts().finishes[1],
    ]
    check = checks.check_rentals(hub_facts(finishes=wrong), agent_facts(), SUPPLIERS)
    assert any("FINISH [4], want [3]" in p for p in check.problems)


def test_a_code_shown_on_a_refunded_rental_is_a_violation() -> None:
    hub = hub_facts()
    check = checks.check_money(hub, [buyer({"999"})], checks.codes_by_rental(hub))
    assert check.problems == ["buyer0: refunded rental 2 showed {'999'}"]


def test_a_sale_without_a_code_is_a_violation() -> None:
    hub = hub_facts(activations=[rental(1, "sold", 100), rental(2, "sold", 101)])
    check = checks.check_money(hub, [], checks.codes_by_rental(hub))
    assert check.problems == ["rental 2 sold with hold captured, codes None"]


def test_a_sim_left_open_behind_a_closed_rental_fails_the_run() -> None:
    found, orphans = checks.check_sims(hub_facts(), agent_facts(open_100=1), SUPPLIERS)
    assert found.problems == ["agent 0 activation 100 open; rental sold"]
    assert not orphans.problems
    assert checks.failed([found, orphans])


def test_an_activation_the_hub_never_recorded_is_noted_without_failing() -> None:
    agents = agent_facts()
    agents[1].activations[7] = {"id": 7, "open": 1, "status": None, "closed_by": None}
    found, orphans = checks.check_sims(hub_facts(), agents, SUPPLIERS)
    assert not found.problems
    assert orphans.problems == ["agent 1 activation 7 open, no rental at the hub"]
    assert not checks.failed([found, orphans])


def test_a_buyer_who_saw_another_state_disagrees_with_the_hub() -> None:
    record = buyer()
    record.rentals[1].final_word = "TZ_OVER_EMPTY"
    hub = hub_facts()
    check = checks.check_buyers(hub, [record], checks.codes_by_rental(hub))
    assert check.problems == ["buyer0: rental 1 last seen TZ_OVER_EMPTY, hub says sold"]


def test_a_server_error_seen_by_a_buyer_or_a_push_is_a_violation() -> None:
    record = buyer()
    assert not checks.check_http([record], 0).problems
    record.server_errors = 2
    assert checks.check_http([record], 1).problems == [
        "buyer0 got 2 HTTP 5xx answers",
        "PUSH_SMS got 1 HTTP 5xx answers",
    ]


def test_a_rental_cancelled_before_it_got_a_number_owes_no_finish() -> None:
    pool = rental(3, "refunded", 0, supplier_id=None, agent_activation_id=None)
    hub = hub_facts(activations=[*hub_facts().activations, pool])
    assert not checks.check_rentals(hub, agent_facts(), SUPPLIERS).problems
    pool["state"] = "sold"
    assert checks.check_rentals(hub, agent_facts(), SUPPLIERS).problems == [
        "rental 3 sold without an agent's number"
    ]


def test_a_failed_rental_its_buyer_last_saw_open_agrees_only_without_a_code() -> None:
    # A killed hub loses the number request: the rental fails uncharged, and onlinesim shows
    # no failed rental, so the buyer's last sight of it was open.
    failed = rental(3, "failed", 0, supplier_id=None, agent_activation_id=None)
    hub = hub_facts(activations=[*hub_facts().activations, failed])
    record = buyer()
    record.rentals[3] = SeenRental(3)
    assert not checks.check_buyers(hub, [record], checks.codes_by_rental(hub)).problems
    record.rentals[3].codes = {"777"}
    assert checks.check_buyers(hub, [record], checks.codes_by_rental(hub)).problems == [
        "buyer0: rental 3 last seen open, hub says failed",
        "buyer0: rental 3 showed codes the hub never had",
    ]


def smsactivate_buyer() -> BuyerRecord:
    record = BuyerRecord("buyer0", dialect=SMSACTIVATE)
    record.rentals[1] = SeenRental(
        1, codes={"12345"}, confirmed=True, final_word="ACCESS_ACTIVATION", dialect=SMSACTIVATE
    )
    record.rentals[2] = SeenRental(2, final_word="ACCESS_CANCEL", dialect=SMSACTIVATE)
    return record


def test_an_smsactivate_buyer_agrees_in_its_own_words() -> None:
    failed = rental(3, "failed", 0, supplier_id=None, agent_activation_id=None)
    hub = hub_facts(activations=[*hub_facts().activations, failed])
    codes = checks.codes_by_rental(hub)
    record = smsactivate_buyer()
    record.rentals[3] = SeenRental(3, final_word="NO_ACTIVATION", dialect=SMSACTIVATE)
    assert not checks.check_buyers(hub, [record], codes).problems
    assert not checks.check_money(hub, [record], codes).problems
    # onlinesim's word from an sms-activate buyer, or a refund read as a sale, disagree
    record.rentals[1].final_word = "TZ_OVER_OK"
    record.rentals[2].final_word = "ACCESS_ACTIVATION"
    record.rentals[3].final_word = "ACCESS_CANCEL"
    assert checks.check_buyers(hub, [record], codes).problems == [
        "buyer0: rental 1 last seen TZ_OVER_OK, hub says sold",
        "buyer0: rental 2 last seen ACCESS_ACTIVATION, hub says refunded",
        "buyer0: rental 3 last seen ACCESS_CANCEL, hub says failed",
    ]


def test_a_status_that_contradicts_the_closing_answer_is_a_violation() -> None:
    record = smsactivate_buyer()
    record.rentals[1].final_word = "ACCESS_ACTIVATION yet STATUS_WAIT_RETRY"
    hub = hub_facts()
    assert checks.check_buyers(hub, [record], checks.codes_by_rental(hub)).problems == [
        "buyer0: rental 1 last seen ACCESS_ACTIVATION yet STATUS_WAIT_RETRY, hub says sold"
    ]


def test_smsactivate_money_words_hold_the_hub_to_codes_shown() -> None:
    record = smsactivate_buyer()
    record.rentals[1].codes = set()
    record.rentals[2].codes = {"999"}
    hub = hub_facts()
    assert checks.check_money(hub, [record], checks.codes_by_rental(hub)).problems == [
        "buyer0: charged for rental 1 that showed no code",
        "buyer0: refunded rental 2 showed {'999'}",
    ]


def test_a_text_without_a_code_is_shown_on_one_line_without_colons() -> None:
    sms = {"supplier_id": 11, "agent_sms_id": 5, "activation_id": 1, "code": None}
    hub = hub_facts(sms=[{**sms, "text": "Login:\n  ab cd"}])
    codes = checks.codes_by_rental(hub)
    assert codes == {1: {"Login:\n  ab cd", "Login ab cd"}}
    record = smsactivate_buyer()
    record.rentals[1].codes = {"Login ab cd"}
    assert not checks.check_buyers(hub, [record], codes).problems
    record.rentals[1].codes = {"Login ab"}
    assert checks.check_buyers(hub, [record], codes).problems == [
        "buyer0: rental 1 showed codes the hub never had"
    ]
