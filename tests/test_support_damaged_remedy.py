"""A damaged or wrong item is handled with the remedy the customer names, as policy allows (issue #38, SUP-005): a
refund of an item of a delivered order holding several is a return of that item (SUP-004), a replacement is
arranged by a person; a remedy not named, left to us, denied or hedged stays a person's decision.

Every message here was written for these tests; none comes from an evaluation set."""

from __future__ import annotations

from typing import Any

import pytest

from ai_missions.graphs.support.evals.recorded import decide
from ai_missions.graphs.support.folding import fold
from ai_missions.graphs.support.remedy import named_remedy
from ai_missions.graphs.support.understanding import read_message


def _case(message: str, *, lines: int = 2) -> dict[str, Any]:
    """SO-410002, delivered four days ago: a toaster (line 1) and, with ``lines=2``, a fan (line 2)."""
    order_lines = [
        {"line_no": 1, "sku": "TST-1", "description": "Toaster", "quantity": 1, "unit_price": 80.0, "line_total": 80.0},
        {"line_no": 2, "sku": "FAN-1", "description": "Fan", "quantity": 1, "unit_price": 45.0, "line_total": 45.0},
    ][:lines]  # fmt: skip
    total = sum(x["line_total"] for x in order_lines)
    return {
        "case_id": "remedy",
        "ticket": {"ticket_id": "TKT-41", "customer_id": "C-4", "requester": {"customer_id": "C-4", "name": "Ines Roy"},
                   "channel": "email", "order_id": None, "status": "new", "updated_at": "2026-04-10T09:00:00Z",
                   "messages": [{"direction": "inbound", "body": message, "sent_at": "2026-04-10T09:00:00Z"}]},
        "customer": {"customer_id": "C-4", "tier": "standard"},
        "orders": {"SO-410002": {
            "order": {"order_id": "SO-410002", "customer_id": "C-4", "status": "delivered", "total": total,
                      "lines": order_lines},
            "payment": {"authorizations": [{"authorization_id": "AUTH-41", "status": "captured", "card_last4": "9911"}],
                        "captures": [{"capture_id": "CAP-41", "amount": total, "refundable_amount": total}],
                        "captured_amount": total, "refunded_amount": 0.0},
            "shipments": [{"status": "delivered", "carrier": "DHL", "tracking_number": "DH41",
                           "shipped_at": "2026-04-03T10:00:00Z", "delivered_at": "2026-04-06T10:00:00Z"}],
            "returns": [], "variants": [
                {"sku": "TST-1", "product_id": "P-T", "option": "Steel", "unit_price": 80.0, "available": 4},
                {"sku": "FAN-1", "product_id": "P-F", "option": "White", "unit_price": 45.0, "available": 4}]}},
        "recent_orders": ["SO-410002"],
    }  # fmt: skip


#: The toaster arrived damaged or faulty and the customer names a refund (or sending it back).
REFUND_NAMED = [
    "Order SO-410002: the toaster showed up with a cracked housing. I'd like a refund for the toaster please.",
    "The toaster from SO-410002 is faulty, it trips the fuse every time. Please just give me my money back for it.",
    "SO-410002 - the toaster is defective and I want to send it back for a refund.",
    "Der Toaster aus SO-410002 ist defekt angekommen. Ich möchte für den Toaster eine Erstattung.",
    "Le grille-pain (toaster) de la commande SO-410002 est arrivé cassé, je veux un remboursement pour le toaster.",
    "El toaster del pedido SO-410002 llegó roto; quiero un reembolso del toaster, por favor.",
]
#: The twins: the same damage, with the remedy left to us, not named, denied or hedged.
REMEDY_NOT_NAMED = [
    "Order SO-410002: the toaster showed up with a cracked housing, a refund or a replacement, whatever is quicker.",
    "The toaster from SO-410002 is faulty, it trips the fuse every time. What can you do?",
    "SO-410002 - the toaster is defective. I don't want a refund, I need a toaster that works.",
    "The toaster from SO-410002 arrived broken, maybe a refund? Not sure yet.",
    "Der Toaster aus SO-410002 ist defekt angekommen. Vielleicht eine Erstattung?",
    "Le toaster de la commande SO-410002 est arrivé cassé, je ne veux pas de remboursement.",
    "El toaster del pedido SO-410002 llegó roto, reembolso o reemplazo, me da igual.",
]


@pytest.mark.parametrize(
    ("text", "remedy"),
    [
        ("The blender came cracked, I want my money back.", "refund"),
        ("The blender came cracked, please send me a new one.", "replacement"),
        ("Der Mixer kam kaputt an, bitte schicken Sie mir Ersatz.", "replacement"),
        ("Le mixeur est arrivé abîmé, je voudrais un remplacement.", "replacement"),
        ("La licuadora llegó dañada, quiero que me devuelvan el dinero.", "refund"),
        ("The blender came cracked; refund or replacement, either is fine.", None),
        ("The blender came cracked, a refund or a replacement please.", None),
        ("The blender came cracked, I do not want a refund.", None),
        ("The blender came cracked, perhaps a replacement?", None),
        ("Der Mixer kam kaputt an, ich will keinen Ersatz.", None),
        ("La licuadora llegó dañada, tal vez un reembolso.", None),
    ],
)
def test_the_remedy_named_is_read_and_one_left_denied_or_hedged_is_not(text: str, remedy: str | None) -> None:
    assert named_remedy(fold(text)) == remedy
    assert read_message(text).remedy == remedy


@pytest.mark.parametrize("message", REFUND_NAMED)
def test_a_damaged_item_the_customer_wants_refunded_is_a_return_of_that_item(message: str) -> None:
    facts, verdict = decide(_case(message))
    assert verdict["outcome"] == "return", (facts["ticket.case_types"], facts["claim.remedy"])
    opened = next(a for a in verdict["actions"] if a["tool"] == "open_return")
    assert opened["args"]["line_nos"] == [1]  # the toaster only, never the fan
    assert "refund_payment" not in [a["tool"] for a in verdict["actions"]]  # refunded once received


@pytest.mark.parametrize("message", REMEDY_NOT_NAMED)
def test_a_remedy_not_named_left_to_us_denied_or_hedged_is_still_a_persons_decision(message: str) -> None:
    facts, verdict = decide(_case(message))
    assert facts["claim.remedy"] is None
    assert verdict["outcome"] == "escalate"
    assert not [a for a in verdict["actions"] if a["tool"] in ("open_return", "refund_payment")]


def test_a_refund_named_without_the_item_leaves_which_item_is_damaged_to_a_person() -> None:
    facts, verdict = decide(_case("Something in SO-410002 arrived broken and I want a refund."))
    assert facts["claim.remedy"] == "refund"
    assert verdict["outcome"] == "escalate"
    assert not [a for a in verdict["actions"] if a["tool"] in ("open_return", "refund_payment")]


@pytest.mark.parametrize(
    "message",
    [
        "The toaster from SO-410002 arrived with a dented side, please send me a new one.",
        "Le toaster de la commande SO-410002 est arrivé endommagé, je voudrais un remplacement.",
        "Der Toaster aus SO-410002 kam beschädigt an, bitte schicken Sie einen neuen als Ersatz.",
    ],
)
def test_a_replacement_named_is_arranged_by_a_person_never_refunded(message: str) -> None:
    for lines in (1, 2):
        facts, verdict = decide(_case(message, lines=lines))
        assert facts["claim.remedy"] == "replacement"
        assert verdict["outcome"] == "escalate"
        assert "refund_payment" not in [a["tool"] for a in verdict["actions"]]


def test_a_single_damaged_item_is_still_refunded_without_a_return_when_a_refund_is_named() -> None:
    _, verdict = decide(_case("The toaster from SO-410002 is faulty, I want a refund.", lines=1))
    assert verdict["outcome"] == "refund"
    assert next(a for a in verdict["actions"] if a["tool"] == "refund_payment")["args"]["amount"] == 80.0


@pytest.mark.parametrize(
    "message",
    [
        "The toaster from SO-410002 arrived broken. I don't want my money back, I want to know what to do.",
        "Der Toaster aus SO-410002 kam kaputt an. Ich möchte keine Erstattung.",
        "El toaster del pedido SO-410002 llegó roto y no quiero un reembolso.",
    ],
)
def test_a_refund_the_customer_refuses_is_never_made_a_person_decides(message: str) -> None:
    facts, verdict = decide(_case(message, lines=1))
    assert facts["claim.refund_refused"] is True
    assert verdict["outcome"] == "escalate"
    assert "refund_payment" not in [a["tool"] for a in verdict["actions"]]
    # the twin that refuses nothing is still refunded without a return
    _, refunded = decide(_case("The toaster from SO-410002 arrived broken.", lines=1))
    assert refunded["outcome"] == "refund"
