"""Every clause of the order mission's policies can fire.

The corpus is parsed (nothing here lists its clauses): for each clause, a small case meets its condition through
what the systems would answer, the mission derives its facts and detects its exception types as it does in a run,
the offline reasoner decides over the policies that apply, and the verdict must rest on that clause and pass the
guard. A clause whose exception type is detected only when its own condition is false fails here; a clause added to
the corpus without a case fails here too, until someone shows how it fires.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest

from ai_missions.graphs.order_exception.facts import OWN_NOTES, derive_facts
from ai_missions.graphs.order_exception.spec import SPEC
from ai_missions.knowledge_index.policies import Policy, default_source, load_corpus
from ai_missions.nodes.guard import check_actions, guard
from ai_missions.nodes.offline_reasoner import decide

Gathered = dict[str, Any]
TODAY = date(2026, 3, 16)  # a Monday
Edit = Callable[[Gathered], None]


def _location(
    location_id: str,
    on_hand: int,
    reserved: int = 0,
    counted: int | None = None,
    restocks: list[tuple[int, float]] | None = None,
) -> dict[str, Any]:
    """A location's stock; ``restocks`` (units, days until due) known, or None when the system does not say."""
    return {
        "location_id": location_id,
        "on_hand": on_hand,
        "reserved": reserved,
        "available": on_hand - reserved,
        "last_counted_qty": counted,
        "restocks": None
        if restocks is None
        else [
            {"quantity": q, "due_in_days": d, "expected_at": f"{TODAY + timedelta(days=d):%Y-%m-%d}T09:00:00Z"}
            for q, d in restocks
        ],
    }


def base() -> Gathered:
    """A healthy order as the systems' context reads return it: no exception at all."""
    return {
        "erp.get_order": {
            "order_id": "SO-2",
            "status": "pending",
            "total": 120.0,
            "currency": "EUR",
            "channel": "web",
            "age_hours": 5.0,
            "holds": [],
            "lines": [{"sku": "SKU-A", "quantity": 2}],
            "ship_to": {"fingerprint": "home", "city": "Lyon", "region": "ARA", "country": "FR"},
            "customer_id": "C-1",
        },
        "erp.find_similar_orders": {"order_id": "SO-2", "matches": []},
        "shipping.list_shipments": {"shipped": False},
        "crm.get_customer": {
            "customer_id": "C-1",
            "tier": "standard",
            "is_vip": False,
            "tenure_years": 5.0,
            "lifetime_value": 900.0,
            "days_since_address_change": 400.0,
            "fraud_flags": 0,
            "open_cases": 0,
        },
        "crm.get_address_history": {"addresses": [{"address": {"fingerprint": "home"}}]},
        "crm.list_notes": {"notes": []},
        "payments.get_payment": {
            "authorizations": [
                {"authorization_id": "AUTH-2", "status": "authorized", "amount": 120.0, "expires_in_hours": 120.0}
            ],
            "captures": [],
            "captured_amount": 0.0,
            "refunded_amount": 0.0,
            "hold_active": False,
        },
        "payments.get_fraud_assessment": {"score": 12, "reason_codes": []},
        "inventory.get_reservations": {
            "reservations": [
                {"reservation_id": "RES-2", "status": "pending", "sku": "SKU-A", "location_id": "LYON", "quantity": 2}
            ]
        },
        "inventory.get_stock:SKU-A": {"locations": [_location("LYON", 9), _location("MADRID", 0)]},
        "shipping.get_address_validation": {
            "status": "valid",
            "has_suggestion": False,
            "address": {"city": "Lyon", "region": "ARA", "country": "FR"},
            "suggestion": None,
        },
    }


# -- edits, each one thing a system could answer -----------------------------------------------------------------
def order(**changes: Any) -> Edit:
    return lambda g: g["erp.get_order"].update(changes)


def customer(**changes: Any) -> Edit:
    return lambda g: g["crm.get_customer"].update(changes)


def auth(**changes: Any) -> Edit:
    return lambda g: g["payments.get_payment"]["authorizations"][0].update(changes)


def review(score: int, *reasons: str) -> Edit:
    """In payment review under a payment hold, scored for these reasons."""

    def edit(g: Gathered) -> None:
        g["erp.get_order"]["status"] = "payment_review"
        g["payments.get_payment"]["hold_active"] = True
        g["payments.get_fraud_assessment"].update(score=score, reason_codes=list(reasons))

    return edit


MOVED = review(62, "new_shipping_address")
VIP = customer(tier="vip", is_vip=True, tenure_years=6.0)


def stock(*locations: dict[str, Any], status: str = "pending") -> Edit:
    def edit(g: Gathered) -> None:
        g["inventory.get_stock:SKU-A"]["locations"] = list(locations)
        g["inventory.get_reservations"]["reservations"][0]["status"] = status

    return edit


SHORT = stock(_location("LYON", 1), _location("MADRID", 12))
SHORT_NOWHERE = stock(_location("LYON", 1), _location("MADRID", 0))
NO_RESTOCK = stock(_location("LYON", 1, restocks=[]), _location("MADRID", 0, restocks=[]))
RESTOCK_SOON = stock(_location("LYON", 0, restocks=[(1, 2.0), (6, 9.0)]), _location("MADRID", 0, restocks=[]))
RESTOCK_LATE = stock(_location("LYON", 1, restocks=[(6, 45.0)]), _location("MADRID", 0, restocks=[]))
PHANTOM = stock(_location("LYON", 9, counted=1), _location("MADRID", 12))
PHANTOM_NOWHERE = stock(_location("LYON", 9, counted=1), _location("MADRID", 0))
CONFIRMED_ON_PHANTOM = stock(_location("LYON", 9, reserved=2, counted=1), _location("MADRID", 0), status="confirmed")
CONFIRMED = stock(_location("LYON", 9, reserved=2), _location("MADRID", 0), status="confirmed")


def address(status: str, **suggestion: str) -> Edit:
    def edit(g: Gathered) -> None:
        validation = g["shipping.get_address_validation"]
        place = {"city": "Lyon", "region": "ARA", "country": "FR", "fingerprint": "home-fixed"}
        validation.update(status=status, has_suggestion=bool(suggestion), suggestion=None)
        if suggestion:
            validation["suggestion"] = {**place, **suggestion}

    return edit


def copies(*matches: tuple[str, str, float, bool]) -> Edit:
    """Other orders of the customer with the same items: (id, status, minutes apart, placed before this one)."""

    def edit(g: Gathered) -> None:
        g["erp.find_similar_orders"]["matches"] = [
            {"order_id": o, "status": s, "minutes_apart": m, "placed_before": b} for o, s, m, b in matches
        ]

    return edit


DUPLICATE = copies(("SO-1", "pending", 4.0, True))


def captured(*amounts: float, refunded: float = 0.0, note: str | None = None) -> Edit:
    """Captures of these amounts (the refund taken from the last one), and a staff note on the order."""

    def edit(g: Gathered) -> None:
        caps = [{"capture_id": f"CAP-{i}", "amount": a, "refundable_amount": a} for i, a in enumerate(amounts, 1)]
        caps[-1]["refundable_amount"] = round(amounts[-1] - refunded, 2)
        g["payments.get_payment"].update(
            captures=caps, captured_amount=sum(amounts), refunded_amount=refunded, capture_count=len(caps)
        )
        g["payments.get_payment"]["authorizations"][0]["status"] = "captured"
        if note:
            g["crm.list_notes"]["notes"] = [{"order_id": "SO-2", "author": "care.desk", "body": note}]

    return edit


DOUBLE = captured(120.0, 120.0)
SHIPPED = lambda g: g["shipping.list_shipments"].update(shipped=True)  # noqa: E731
HOLD = order(holds=[{"hold_id": "HOLD-1", "status": "active", "reason": "address review"}], status="on_hold")

CALLED = lambda g: g["crm.list_notes"].update(  # noqa: E731
    notes=[{"note_id": "N-6", "order_id": "SO-2", "author": "care.desk", "body": "Rang the customer: new address "
            "confirmed on the call.", "created_at": "2026-03-16T08:00Z"}]
)  # fmt: skip


def crm_messages(body: str) -> dict[str, Any]:
    """The customer's inbound message on the order, as the CRM lists it."""
    message = {"message_id": "M-3", "direction": "inbound", "order_id": "SO-2", "body": body, "at": "2026-03-16T08:00Z"}
    return {"crm.list_messages": {"messages": [message]}}


#: clause -> how a case meets its condition (the clause's own exception, through what the systems answer).
CASES: dict[str, list[Edit]] = {
    "CUS-002/vip-release-fraud-hold": [VIP, review(84, "velocity")],
    "CUS-002/vip-very-high-score": [VIP, review(93, "velocity")],
    "FUL-001/apply-suggested-correction": [address("corrected", postal_code="69002")],
    "FUL-001/correction-moves-place-ask-customer": [address("corrected", city="Villeurbanne")],
    "FUL-001/undeliverable-hold-contact": [address("undeliverable")],
    "GOV-002/escalate-many-exceptions": [MOVED, SHORT, address("undeliverable")],
    "INV-001/escalate-confirmed-on-phantom": [CONFIRMED_ON_PHANTOM],
    "INV-002/reallocate-and-release": [SHORT],
    "INV-002/reallocate-only": [MOVED, SHORT],
    "INV-002/pickup-short-ask-customer": [SHORT, order(fulfillment_method="pickup", pickup_location_id="LYON")],
    "INV-002/pickup-short-customer-waits-for-store": [
        SHORT,
        order(fulfillment_method="pickup", pickup_location_id="LYON"),
        lambda g: g.update(crm_messages("No delivery please, I will wait for the store.")),
    ],
    "INV-002/no-alternate-hold": [SHORT_NOWHERE],
    "INV-005/backorder-restock-due": [RESTOCK_SOON],
    "INV-005/no-restock-cancel-void": [RESTOCK_LATE],
    "INV-005/no-restock-cancel-refund": [NO_RESTOCK, captured(120.0)],
    "INV-003/adjust-and-reallocate": [PHANTOM],
    "INV-003/adjust-and-hold": [PHANTOM_NOWHERE],
    "ORD-001/cancel-newer-duplicate-authorized": [DUPLICATE],
    "ORD-001/captured-duplicate-to-finance": [DUPLICATE, captured(120.0)],
    "ORD-001/confirm-intent-far-apart": [copies(("SO-1", "pending", 190.0, True))],
    "ORD-001/original-cancelled-proceed": [copies(("SO-1", "cancelled", 4.0, True))],
    "ORD-001/original-shipped-confirm-intent": [copies(("SO-1", "shipped", 4.0, True))],
    "ORD-001/shipped-duplicate-escalate": [DUPLICATE, SHIPPED],
    "ORD-001/customer-wants-both-copies": [
        DUPLICATE,
        lambda g: g["crm.list_notes"].update(
            notes=[{"note_id": "N-9", "order_id": None, "author": "care.desk", "body": "Cust: keep both orders."}]
        ),
    ],
    "ORD-002/never-cancel-shipped": [auth(expires_in_hours=-3.0), order(age_hours=200.0), SHIPPED],
    "PAY-003/refund-capture-on-cancelled": [order(status="cancelled"), captured(120.0)],
    "PAY-003/cancelled-capture-flagged-to-finance": [
        order(status="cancelled"),
        captured(120.0),
        customer(fraud_flags=2),
    ],
    "ORD-004/marketplace-address-via-partner": [address("undeliverable"), order(channel="marketplace")],
    "ORD-005/escalate-very-high-value": [auth(expires_in_hours=6.0, amount=12400.0), order(total=12400.0)],
    "ORD-006/open-order-hold-stays": [auth(expires_in_hours=6.0), HOLD],
    "PAY-001/release-benign-address-change": [MOVED],
    "PAY-001/release-benign-address-change-confirmed": [MOVED, CONFIRMED],
    "PAY-001/release-benign-hold-only": [MOVED, SHORT],
    "PAY-001/hold-new-customer-address-change": [MOVED, customer(tenure_years=0.5)],
    "PAY-001/hold-address-not-on-record": [
        MOVED,
        lambda g: g["crm.get_address_history"].update(addresses=[{"address": {"fingerprint": "elsewhere"}}]),
    ],
    "PAY-001/hold-large-order-recent-move": [MOVED, order(total=1450.0), customer(days_since_address_change=4.0)],
    "CUS-005/new-address-confirmed-on-call-release": [MOVED, customer(tenure_years=0.5), CALLED],
    "CUS-005/new-address-confirmed-on-call-release-reserved": [MOVED, customer(tenure_years=0.5), CALLED, CONFIRMED],
    "PAY-001/hold-high-risk": [review(88, "velocity", "risky_ip")],
    "PAY-001/manual-review-mixed-signals": [review(70, "velocity")],
    "PAY-002/capture-before-expiry": [auth(expires_in_hours=6.0)],
    "PAY-002/reauthorize-when-not-ready": [auth(expires_in_hours=6.0), address("undeliverable")],
    "PAY-002/no-capture-under-fraud-hold": [auth(expires_in_hours=6.0), review(88, "velocity", "risky_ip")],
    "PAY-002/expired-request-new-payment": [auth(expires_in_hours=-3.0)],
    "PAY-002/expired-cancel-stale": [auth(expires_in_hours=-30.0), order(age_hours=200.0)],
    "PAY-003/refund-duplicate-capture": [DOUBLE],
    "PAY-003/agreed-upcharge-no-refund": [
        captured(120.0, 25.0, note="Customer agreed to an upcharge of 25.00 for express assembly.")
    ],
    "PAY-003/escalate-partly-refunded": [captured(120.0, 30.0, 120.0, refunded=100.0)],
    "PAY-003/escalate-unidentified-capture": [captured(150.0, 20.0)],
    "PAY-004/finance-handles-flagged-refunds": [DOUBLE, customer(fraud_flags=1)],
}

CORPUS = load_corpus(default_source())
CLAUSES = {f"{p.id}/{c.id}": p for p in CORPUS.policies for c in p.clauses}


def applicable(types: list[str]) -> list[Policy]:
    """The policies retrieval may bring for these exception types."""
    return [p for p in CORPUS.policies if any(p.applies(t) for t in types)]


def run(edits: list[Edit]) -> tuple[dict[str, Any], Any, list[str]]:
    gathered = copy.deepcopy(base())
    for edit in edits:
        edit(gathered)
    facts = derive_facts(gathered)
    verdict, cited = decide(SPEC, applicable(facts["exception.types"]), facts)
    return facts, verdict, cited


def test_the_corpus_loads_and_the_healthy_order_has_no_exception() -> None:
    assert not CORPUS.problems
    assert len(CLAUSES) >= 40
    facts, _verdict, cited = run([])
    assert facts["exception.types"] == []
    assert cited == []


def test_every_case_names_a_clause_of_the_corpus() -> None:
    assert not set(CASES) - set(CLAUSES), "cases for clauses the corpus no longer has"


@pytest.mark.parametrize("key", sorted(CLAUSES))
def test_clause_fires(key: str) -> None:
    assert key in CASES, f"{key}: no case shows that this clause can fire; write one (or remove the clause)"
    facts, verdict, cited = run(CASES[key])
    assert key in cited, (
        f"{key} did not fire: types {facts['exception.types']}, verdict {verdict['outcome']} resting on {cited}: "
        f"{verdict['summary']}"
    )
    policy = CLAUSES[key]
    assert policy.citation.replace(" v", "@") in verdict["policy_ids"]
    _checked, problems = guard(SPEC, verdict, facts)
    assert problems == [], problems


def test_a_capture_on_a_cancelled_order_is_refunded_capture_by_capture_exactly() -> None:
    facts, verdict, cited = run([order(status="cancelled"), captured(100.0, 20.0, refunded=5.0)])
    assert facts["exception.types"] == ["capture_on_cancelled"]
    assert cited == ["PAY-003/refund-capture-on-cancelled"]
    refunds = [
        (a["args"]["capture_id"], a["args"]["amount"]) for a in verdict["actions"] if a["tool"] == "refund_payment"
    ]
    assert refunds == [("CAP-1", 100.0), ("CAP-2", 15.0)]
    assert guard(SPEC, verdict, facts)[1] == []
    # once refunded, nothing is left: no exception
    assert run([order(status="cancelled"), captured(100.0, refunded=100.0)])[0]["exception.types"] == []


def test_the_mission_knows_every_type_the_monitor_reports() -> None:
    from ai_missions.graphs.order_exception.vocabulary import EXCEPTION_TYPES
    from ai_missions.integrations.scan import EXCEPTION_TYPES as MONITORED

    assert set(MONITORED) <= set(EXCEPTION_TYPES)


def test_an_order_short_everywhere_waits_for_a_restock_with_its_date_or_is_cancelled() -> None:
    facts, verdict, cited = run([RESTOCK_SOON, review(62, "new_shipping_address")])
    # the second restock is the one that covers the two units: due in 9 days, shipped 3 business days later
    assert (facts["inventory.restock_in_days"], facts["inventory.restock_date"]) == (9.0, "2026-03-25")
    assert facts["inventory.backorder_ship_date"] == "2026-03-30"  # Wednesday + 3 business days, over a weekend
    assert verdict["outcome"] == "hold"
    assert "INV-005/backorder-restock-due" in cited
    tools = [a["tool"] for a in verdict["actions"]]
    assert "release_payment_hold" not in tools  # an unshippable order keeps its payment hold
    message = next(a for a in verdict["actions"] if a["tool"] == "send_customer_message")
    assert "2026-03-30" in message["args"]["body"]
    for late in (RESTOCK_LATE, NO_RESTOCK):
        facts, verdict, cited = run([late])
        assert verdict["outcome"] == "cancel"
        assert "void_authorization" in [a["tool"] for a in verdict["actions"]]
    # restocks the system does not report leave the decision to a person and the customer: hold and ask
    assert run([SHORT_NOWHERE])[1]["outcome"] == "hold"


def test_units_only_spread_over_several_locations_are_held_and_asked_for_never_cancelled() -> None:
    # two units: one at Lyon, one at Madrid, no restock: no one location serves the order, a split could (FUL-002)
    spread = stock(_location("LYON", 1, restocks=[]), _location("MADRID", 1, restocks=[]))
    facts, verdict, cited = run([spread])
    assert facts["inventory.alternate_location"] is None
    assert facts["inventory.split_can_serve"] is True
    assert verdict["outcome"] == "hold"
    assert cited == ["INV-002/no-alternate-hold"]
    tools = [a["tool"] for a in verdict["actions"]]
    assert "place_order_hold" in tools
    assert "send_customer_message" in tools
    assert not {"cancel_order", "void_authorization", "release_reservation"} & set(tools)
    assert guard(SPEC, verdict, facts)[1] == []
    # Madrid's unit is not there by its count: nothing to split with, cancelled as before
    counted_away = stock(_location("LYON", 1, restocks=[]), _location("MADRID", 1, counted=0, restocks=[]))
    facts, verdict, _ = run([counted_away])
    assert facts["inventory.split_can_serve"] is False
    assert verdict["outcome"] == "cancel"


def second_line(status: str) -> Edit:
    """A second order line, SKU-B, reserved at Madrid (``status``), with the units there."""

    def edit(g: Gathered) -> None:
        g["erp.get_order"]["lines"].append({"sku": "SKU-B", "quantity": 1})
        reservation = {"reservation_id": "RES-3", "status": status, "sku": "SKU-B", "location_id": "MADRID"}
        g["inventory.get_reservations"]["reservations"].append({**reservation, "quantity": 1})
        reserved = 1 if status == "confirmed" else 0
        g["inventory.get_stock:SKU-B"] = {"locations": [_location("MADRID", 5, reserved=reserved)]}

    return edit


@pytest.mark.parametrize("release", [[MOVED], [VIP, review(84, "velocity")]])
def test_a_released_order_has_every_pending_reservation_confirmed_not_only_one(release: list[Edit]) -> None:
    facts, verdict, _ = run([*release, second_line("pending")])
    assert verdict["outcome"] == "proceed"
    confirmed = [a["args"]["reservation_id"] for a in verdict["actions"] if a["tool"] == "confirm_reservation"]
    assert sorted(confirmed) == ["RES-2", "RES-3"]
    assert guard(SPEC, verdict, facts)[1] == []
    # a reservation confirmed already is not confirmed again
    _facts, verdict, _ = run([*release, second_line("confirmed")])
    assert [a["args"]["reservation_id"] for a in verdict["actions"] if a["tool"] == "confirm_reservation"] == ["RES-2"]


def test_the_guard_never_lets_a_payment_hold_go_on_an_order_that_cannot_ship() -> None:
    facts, _, _ = run([SHORT_NOWHERE, review(62, "new_shipping_address")])
    release = {"tool": "release_payment_hold", "args": {"order_id": "SO-2"}, "policy_ids": ["PAY-001@4"]}
    assert any("[unshippable-release]" in p for p in check_actions(SPEC, [release], facts))
    moved = {"tool": "reallocate_reservation", "args": {"reservation_id": "RES-2", "to_location_id": "MADRID"}}
    facts_with_stock, _, _ = run([SHORT, review(62, "new_shipping_address")])
    assert not [p for p in check_actions(SPEC, [release], facts_with_stock) if "unshippable" in p]
    assert not [
        p for p in check_actions(SPEC, [{**moved, "policy_ids": ["INV-002@4"]}, release], facts) if "unshippable" in p
    ]


def note(body: str, author: str = "purchasing.kim") -> Edit:
    """A staff note on the order, written three days before TODAY."""
    return lambda g: g["crm.list_notes"].update(
        notes=[
            {"note_id": "N-7", "order_id": "SO-2", "author": author, "body": body, "created_at": "2026-03-13T09:00Z"}
        ]
    )


def test_issue_28_an_upcharge_agreed_in_staff_shorthand_is_not_refunded_as_a_double_charge() -> None:
    """The agreed 12.50, in none of the words "upcharge" or "agree", is what the customer owes; denied, it is
    refunded as the duplicate it then is."""
    agreed = captured(120.0, 12.5, note="cust OK'd gift wrap + express upgrade ... +$12.50 billed sep.")
    facts, verdict, cited = run([agreed])
    assert facts["payment.upcharge_agreed"] is True
    assert cited == ["PAY-003/agreed-upcharge-no-refund"]
    assert "refund_payment" not in [a["tool"] for a in verdict["actions"]]
    denied = captured(120.0, 12.5, note="cust did NOT agree to the $12.50 express upgrade")
    facts, verdict, cited = run([denied])
    assert cited == ["PAY-003/refund-duplicate-capture"]
    assert [
        (a["args"]["capture_id"], a["args"]["amount"]) for a in verdict["actions"] if a["tool"] == "refund_payment"
    ] == [("CAP-2", 12.5)]


def test_issue_28_a_restock_eta_in_a_purchasing_note_holds_the_order_instead_of_cancelling_it() -> None:
    """The stock system reports no restock; a purchasing note says 21 days: within 30, so the order waits."""
    facts, verdict, cited = run([NO_RESTOCK, note("vendor confirmed, restock ETA 21 days")])
    assert (facts["inventory.restock_in_days"], facts["inventory.restock_date"]) == (21.0, "2026-04-03")
    assert verdict["outcome"] == "hold"
    assert "INV-005/backorder-restock-due" in cited
    tools = [a["tool"] for a in verdict["actions"]]
    assert "cancel_order" not in tools
    assert "void_authorization" not in tools
    # the same note from the mission itself is no evidence: nothing is scheduled, the 30-day rule cancels
    assert run([NO_RESTOCK, note("vendor confirmed, restock ETA 21 days", author=OWN_NOTES)])[1]["outcome"] == "cancel"


def test_a_restock_a_note_speaks_of_unsurely_leaves_the_order_to_a_person_never_cancelled() -> None:
    """A hedged or questioning note is no restock date, and no proof of none either: the restock is unknown, so the
    order is held as when the stock system does not say (a denial is read as one and the 30-day rule applies)."""
    for unsure in ("supplier thinks stock could be back in a few weeks", "ETA on restock?? vendor not sure yet"):
        facts, verdict, _cited = run([NO_RESTOCK, note(unsure)])
        assert facts["inventory.restock_scheduled"] is None, unsure
        assert verdict["outcome"] == "hold", unsure
        assert "cancel_order" not in [a["tool"] for a in verdict["actions"]]
    assert run([NO_RESTOCK, note("vendor says no restock planned for this item")])[1]["outcome"] == "cancel"
    assert run([NO_RESTOCK, note("called customer about the delivery window")])[1]["outcome"] == "cancel"


def test_issue_28_a_store_pickup_written_only_in_the_address_is_decided_as_a_pickup() -> None:
    """Short at the store: a pickup order is held and the customer asked (INV-002), not moved to another location
    as a shipped order would be."""
    ship_to = {"fingerprint": "home", "city": "Lyon", "region": "ARA", "country": "FR"}
    pickup = order(ship_to={**ship_to, "line1": "PICKUP @ STORE 112", "line2": "hold for customer"})
    facts, _verdict, cited = run([SHORT, pickup])
    assert facts["order.fulfillment_method"] == "pickup"
    assert cited == ["INV-002/pickup-short-ask-customer"]
    shipped = order(ship_to={**ship_to, "line1": "12 Pickup Lane"})
    facts, _verdict, cited = run([SHORT, shipped])
    assert facts["order.fulfillment_method"] == "ship"
    assert cited == ["INV-002/reallocate-and-release"]


@pytest.mark.parametrize(
    ("body", "author", "wanted"),
    [
        # wordings written for this test; the deciding fact is only in the note
        ("Customer rang: the second order is not a duplicate, it is a present for her dad.", "care.desk", True),
        ("Kundin bittet: bitte keine der Bestellungen stornieren, beide sind gewollt.", "care.desk", True),
        # a question, someone else's wish, or a request to cancel one: the duplicate rule applies as usual
        ("Customer asked whether keeping both orders would cost more shipping.", "care.desk", False),
        ("Her sister wants to keep both orders; the customer herself has not answered.", "care.desk", False),
        ("Ordered twice by mistake, please cancel one of them.", "care.desk", False),
    ],
)
def test_issue_40_a_customer_who_wants_both_orders_keeps_both(body: str, author: str, wanted: bool) -> None:
    """ORD-001: the customer said both near-identical orders are wanted (only in a note): nothing is cancelled. Other
    words (a question, a third party, a request to cancel one) leave the duplicate rule to decide."""
    said = lambda g: g["crm.list_notes"].update(  # noqa: E731
        notes=[{"note_id": "N-8", "order_id": None, "author": author, "body": body, "created_at": "2026-03-15T10:00Z"}]
    )
    facts, verdict, cited = run([DUPLICATE, said])
    tools = [a["tool"] for a in verdict["actions"]]
    if wanted:
        assert facts["customer.wants_both_orders"] is True
        assert cited == ["ORD-001/customer-wants-both-copies"]
        assert "cancel_order" not in tools
        assert "void_authorization" not in tools
    else:
        assert facts["customer.wants_both_orders"] is not True
        assert "ORD-001/customer-wants-both-copies" not in cited


def test_issue_40_a_restock_date_in_a_customer_level_crm_note_is_read() -> None:
    """A restock stated plainly in a CRM note on the customer (no order named) is still read, counted from the day
    the note was written: the order waits for it rather than being cancelled (INV-005)."""
    plain = lambda g: g["crm.list_notes"].update(  # noqa: E731
        notes=[
            {"note_id": "N-5", "order_id": None, "author": "buyer.lee", "body": "supplier ETA: restock in three weeks",
             "created_at": "2026-03-13T09:00Z"}
        ]
    )  # fmt: skip
    facts, verdict, cited = run([NO_RESTOCK, plain])
    assert (facts["inventory.restock_in_days"], facts["inventory.restock_date"]) == (21.0, "2026-04-03")
    assert "INV-005/backorder-restock-due" in cited
    assert "cancel_order" not in [a["tool"] for a in verdict["actions"]]
