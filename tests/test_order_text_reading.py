"""Issue 40 in the order mission: what people wrote decides, read through the reading layer from every note and
message on the order. A new customer's address confirmed on a call (only in a staff note) releases the payment hold
PAY-001 keeps until the customer confirms (CUS-005); an upcharge the customer agreed in their own message (only
there) is what they owe, not a double charge (PAY-003). Wordings written for this test, in en/de/fr/es; other words
(a call planned, a confirmation on no call, a neighbour's word, a denial, a confirmation taken back, a question, an
agreement withdrawn) leave the usual decision, or leave it to a person."""

from __future__ import annotations

from typing import Any

import pytest

from tests.test_every_clause_fires import MOVED, _location, captured, customer, order, run, stock

RELEASE = "CUS-005/new-address-confirmed-on-call-release"


def said(body: str, created_at: str = "2026-03-16T08:00Z", order_id: str | None = "SO-2") -> Any:
    return lambda g: g["crm.list_notes"].update(
        notes=[{"note_id": "N-5", "order_id": order_id, "author": "care.desk", "body": body, "created_at": created_at}]
    )


NEW_CUSTOMER = customer(tenure_years=0.5)


def test_a_new_customer_with_no_note_is_held_and_asked_to_confirm() -> None:
    facts, verdict, cited = run([MOVED, NEW_CUSTOMER])
    assert facts["customer.address_confirmed_on_call"] is False
    assert cited == ["PAY-001/hold-new-customer-address-change"]
    assert verdict["outcome"] == "hold"


@pytest.mark.parametrize(
    "body",
    [
        "Spoke to the customer on the phone, passed security questions, she confirmed the new delivery address.",
        "Kundin angerufen, Identität geprüft: Lieferadresse bestätigt.",
        "Appel reçu, client vérifié : il a confirmé l'adresse de livraison.",
    ],
)
def test_an_address_confirmed_on_a_call_releases_the_hold(body: str) -> None:
    facts, verdict, cited = run([MOVED, NEW_CUSTOMER, said(body)])
    assert facts["customer.address_confirmed_on_call"] is True
    assert cited == [RELEASE]
    assert verdict["outcome"] == "proceed"
    assert [a["tool"] for a in verdict["actions"]] == [
        "release_payment_hold",
        "confirm_reservation",
        "release_to_fulfillment",
    ]


@pytest.mark.parametrize(
    ("body", "outcome"),
    [
        # a denial, nothing said, someone else's word, a confirmation taken back: held and asked, as usual
        ("Called the customer but she did not confirm the address; no answer on the second try.", "hold"),
        ("Llamamos al cliente: no confirmó la dirección, pide tiempo.", "hold"),
        ("Her neighbour rang and confirmed the address.", "hold"),
        (
            "Confirmed the address on the phone, then she called back to say it is wrong and will update it herself.",
            "hold",
        ),
        # a call still planned, or "confirmed" on no call: unsure, a person decides; nothing is released
        ("Will call the customer tomorrow to confirm the address.", "hold"),
        ("Address confirmed.", "escalate"),
    ],
)
def test_other_words_about_the_address_release_nothing(body: str, outcome: str) -> None:
    facts, verdict, cited = run([MOVED, NEW_CUSTOMER, said(body)])
    assert facts["customer.address_confirmed_on_call"] is not True
    assert RELEASE not in cited
    assert verdict["outcome"] == outcome, (verdict["summary"], cited)
    assert "release_payment_hold" not in [a["tool"] for a in verdict["actions"]]


def test_a_confirmation_noted_before_the_order_was_placed_is_not_this_order_s() -> None:
    placed = lambda g: g["erp.get_order"].update(placed_at="2026-03-15T10:00:00Z")  # noqa: E731
    old = said("Customer rang, confirmed her address on the call.", created_at="2025-10-02T10:00Z", order_id=None)
    facts, _verdict, cited = run([MOVED, NEW_CUSTOMER, placed, old])
    assert facts["customer.address_confirmed_on_call"] is False
    assert cited == ["PAY-001/hold-new-customer-address-change"]


def test_an_established_customer_is_released_whatever_the_notes_say() -> None:
    _facts, verdict, cited = run([MOVED, said("Will call the customer tomorrow to confirm the address.")])
    assert cited == ["PAY-001/release-benign-address-change"]
    assert verdict["outcome"] == "proceed"


def message(body: str, order_id: str | None = "SO-2") -> Any:
    """The customer's own message in the CRM (no staff note says anything)."""
    return lambda g: g.update(
        {
            "crm.list_messages": {
                "messages": [
                    {"message_id": "M-1", "direction": "inbound", "order_id": order_id, "subject": "Re: your order",
                     "body": body, "at": "2026-03-15T10:00Z"}
                ]
            }
        }
    )  # fmt: skip


@pytest.mark.parametrize(
    "body",
    [
        "Yes, happy to pay fourteen dollars more for the express upgrade.",
        "Ja, die 14 Euro Aufpreis für den Expressversand zahle ich gern.",
        "Sí, acepto pagar 14 dólares más por el envío exprés.",  # "sí," is a yes, not the "si" of a condition
    ],
)
def test_an_upcharge_agreed_in_the_customer_s_own_message_is_owed_not_refunded(body: str) -> None:
    facts, verdict, cited = run([captured(120.0, 14.0), message(body)])
    assert facts["payment.upcharge_agreed"] is True
    assert cited == ["PAY-003/agreed-upcharge-no-refund"]
    assert "refund_payment" not in [a["tool"] for a in verdict["actions"]]


@pytest.mark.parametrize(
    ("body", "order_id"),
    [
        ("I said yes to the $14 express upgrade, then changed my mind - please drop it.", "SO-2"),
        ("Would the express upgrade cost 14 dollars more?", "SO-2"),
        ("My husband agreed to pay the extra $14, I did not.", "SO-2"),
        ("Sí, acepto pagar 14 dólares más por el envío exprés.", "SO-9"),  # another order's message
    ],
)
def test_an_upcharge_not_agreed_is_refunded_as_the_double_charge_it_is(body: str, order_id: str) -> None:
    facts, verdict, cited = run([captured(120.0, 14.0), message(body, order_id)])
    assert facts["payment.upcharge_agreed"] is False
    assert cited == ["PAY-003/refund-duplicate-capture"]
    assert "refund_payment" in [a["tool"] for a in verdict["actions"]]


PICKUP_SHORT = [
    stock(_location("LYON", 1), _location("MADRID", 12)),
    order(fulfillment_method="pickup", pickup_location_id="LYON"),
]
WAITS = "INV-002/pickup-short-customer-waits-for-store"


@pytest.mark.parametrize(
    ("body", "by"),
    [
        ("I don't want it delivered; I will wait for the store.", "message"),
        ("Ich verweigere die Lieferung nach Hause, ich warte auf die Filiale.", "message"),
        ("Je ne veux pas de livraison, j'attendrai le magasin.", "message"),
        ("Rang the customer: she refused the delivery, will wait for the store to get stock.", "note"),
    ],
)
def test_a_customer_who_waits_for_the_store_is_not_asked_again(body: str, by: str) -> None:
    said_it = message(body) if by == "message" else said(body)
    facts, verdict, cited = run([*PICKUP_SHORT, said_it])
    assert facts["customer.refused_alternative"] is True
    assert cited == [WAITS]
    assert verdict["outcome"] == "hold"
    tools = [a["tool"] for a in verdict["actions"]]
    assert "send_customer_message" not in tools
    assert "reallocate_reservation" not in tools


@pytest.mark.parametrize(
    "body",
    [
        "Could you deliver it instead if the store takes too long?",  # a question on a condition
        "I was going to wait for the store, but actually please ship it.",  # taken back
        "My sister refused the delivery of her parcel.",  # someone else
        "Ich warte nicht auf die Filiale, bitte liefern Sie nach Hause.",  # denied
        "Will I have to wait for the store?",  # a question
    ],
)
def test_other_words_about_waiting_leave_the_customer_asked(body: str) -> None:
    facts, verdict, cited = run([*PICKUP_SHORT, message(body)])
    assert facts["customer.refused_alternative"] is not True
    assert WAITS not in cited
    assert cited == ["INV-002/pickup-short-ask-customer"], (verdict["summary"], cited)
    assert "send_customer_message" in [a["tool"] for a in verdict["actions"]]
