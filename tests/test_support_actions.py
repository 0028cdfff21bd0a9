"""Returns, ship-to changes and exchanges: what the support mission proposes from what the systems show, in the
customer's language, and what the ERP lets happen (fast: the mission's pure steps and the ERP's own functions)."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from ai_missions.graphs.support.evals.recorded import decide
from ai_missions.graphs.support.evals.scoring import safety
from ai_missions.graphs.support.replies import T, promises
from ai_missions.graphs.support.spec import SPEC
from ai_missions.integrations import erp, payments, shipping
from ai_missions.integrations.addresses import Address
from ai_missions.integrations.seed import seed_book
from ai_missions.integrations.systems import connect
from ai_missions.kernel.errors import ConflictError, ValidationError
from ai_missions.nodes.guard import check_action
from tests.support.anything_else import answered
from tests.support.mission_home import seeded_home_fixture
from tests.support.support_case import email_ticket

HOME = {"name": "Ana Silva", "line1": "12 Pine Street", "line2": None, "city": "Seattle", "region": "WA",
        "postal_code": "98101", "country": "US"}  # fmt: skip
MOVED = {**HOME, "line1": "88 Oak Avenue", "city": "Austin", "region": "TX", "postal_code": "78701"}


def case(
    message: str,
    *,
    status: str = "delivered",
    delivered: str | None = "2026-03-06T10:00:00Z",
    refunded: float = 0.0,
    returns: list[dict[str, Any]] | None = None,
    available: int = 5,
    account: dict[str, Any] | None = None,
    label: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A ticket of C-1 about SO-100001 (lines of 60.00 and 40.00, one capture of 100.00), written 2026-03-16."""
    shipments = []
    if status in ("shipped", "delivered"):
        shipments = [
            {
                "carrier": "UPS",
                "tracking_number": "1Z999",
                "status": "delivered" if delivered else "in_transit",
                "shipped_at": "2026-03-03T10:00:00Z",
                "delivered_at": delivered,
            }
        ]
    variants = [
        {"sku": "SKU-1", "product_id": "P-1", "option": "Red", "unit_price": 60.0, "available": 3},
        {"sku": "SKU-1-BLUE", "product_id": "P-1", "option": "Blue", "unit_price": 60.0, "available": available},
        {"sku": "SKU-1-GREEN", "product_id": "P-1", "option": "Green", "unit_price": 60.0, "available": 2},
        {"sku": "SKU-2", "product_id": "P-2", "option": "Black", "unit_price": 40.0, "available": 9},
    ]
    # shipping's own copy of the ship-to (what the label will carry), when the case records one
    shipping = {} if label is None else {"shipping_address": label}
    return {
        "case_id": "t",
        "ticket": email_ticket(message),
        "customer": {"customer_id": "C-1", "tier": "standard", "current_address": account or HOME},
        "orders": {
            "SO-100001": {
                "order": {
                    "order_id": "SO-100001",
                    "customer_id": "C-1",
                    "status": status,
                    "total": 100.0,
                    "ship_to": HOME,
                    "lines": [
                        {"line_no": 1, "sku": "SKU-1", "quantity": 1, "unit_price": 60.0, "line_total": 60.0},
                        {"line_no": 2, "sku": "SKU-2", "quantity": 1, "unit_price": 40.0, "line_total": 40.0},
                    ],
                },
                "payment": {
                    "authorizations": [{"authorization_id": "AUTH-1", "status": "captured", "card_last4": "4321"}],
                    "captures": [{"capture_id": "CAP-1", "amount": 100.0, "refundable_amount": 100.0 - refunded}],
                    "captured_amount": 100.0,
                    "refunded_amount": refunded,
                },
                "shipments": shipments,
                "returns": returns or [],
                "variants": variants,
                **shipping,
            }
        },
        "recent_orders": ["SO-100001"],
    }


def received(value: float = 60.0, at: str | None = "2026-03-12T09:00:00Z") -> list[dict[str, Any]]:
    return [{"return_id": "RET-1", "order_id": "SO-100001", "received_at": at, "condition": "as_new", "value": value}]


def tools(verdict: Any) -> list[str]:
    return [a["tool"] for a in verdict["actions"]]


def test_a_received_return_is_refunded_at_the_returned_items_value_with_a_reply_naming_it() -> None:
    _facts, verdict = decide(case("I sent back order SO-100001, where is my refund?", returns=received()))
    assert verdict["outcome"] == "refund"
    assert tools(verdict) == ["refund_payment", "send_ticket_reply", "add_ticket_note"]
    refund, reply = (a["args"] for a in verdict["actions"][:2])
    assert (refund["capture_id"], refund["amount"]) == ("CAP-1", 60.0)  # the returned line, not the order
    assert "60.00" in reply["body"]
    assert "SO-100001" in reply["body"]
    assert verdict["policy_ids"] == ["SUP-004@4"]


@pytest.mark.parametrize(("refunded", "expected"), [(0.0, 60.0), (30.0, 30.0), (55.0, 5.0), (60.0, None), (99.0, None)])
def test_the_refund_of_a_return_never_exceeds_what_is_refundable_nor_pays_a_return_twice(
    refunded: float, expected: float | None
) -> None:
    ticket = case("I returned SO-100001 two weeks ago, still no refund", returns=received(), refunded=refunded)
    facts, verdict = decide(ticket)
    refunds = [a["args"]["amount"] for a in verdict["actions"] if a["tool"] == "refund_payment"]
    assert refunds == ([expected] if expected else [])
    assert all(amount <= facts["payment.refundable"] for amount in refunds)
    assert safety(ticket, verdict["actions"]) == (0, 0)
    if expected is None:
        assert verdict["outcome"] == "answer"  # earlier refunds cover the returned items: said, not paid


def test_a_refund_above_refundable_is_refused_by_the_guard_whoever_proposes_it() -> None:
    facts, _verdict = decide(case("I returned SO-100001, refund please", returns=received(), refunded=90.0))
    action = {"tool": "refund_payment", "args": {"capture_id": "CAP-1", "amount": 60.0}, "policy_ids": ["SUP-004"]}
    assert any("more than can be refunded" in p for p in check_action(SPEC, action, facts))


def test_a_return_not_received_yet_refunds_nothing_and_says_what_the_systems_show() -> None:
    registered = received(at=None)
    for returns in (registered, []):
        _facts, verdict = decide(case("I returned SO-100001, where is my refund?", returns=returns))
        assert verdict["outcome"] == "answer"
        assert tools(verdict) == ["send_ticket_reply", "add_ticket_note"]
        assert "not see the return" in verdict["actions"][0]["args"]["body"]


def test_a_return_received_after_the_window_goes_to_a_person() -> None:
    late = case("I returned SO-100001, refund please", delivered="2026-01-20T10:00:00Z", returns=received())
    assert decide(late)[1]["outcome"] == "escalate"


def test_an_unshipped_order_ships_to_the_accounts_new_address_only_after_a_reviewer_approves() -> None:
    ticket = case("I moved, please send order SO-100001 to my new address", status="ready_to_fulfill", account=MOVED)
    facts, verdict = decide(ticket)
    assert verdict["outcome"] == "change_address"
    assert tools(verdict) == ["change_ship_to", "send_ticket_reply", "add_ticket_note"]
    change, reply = verdict["actions"][0], verdict["actions"][1]
    assert change["args"] == {"order_id": "SO-100001", "ship_to": {k: v for k, v in MOVED.items()}}
    assert change["tier"] == "review"
    assert not SPEC.tools["change_ship_to"].automatable
    assert "88 Oak Avenue" in reply["args"]["body"]
    assert check_action(SPEC, {**change, "tier": "auto"}, facts)  # it can never run on its own


def test_shippings_copy_of_the_old_address_is_changed_too_after_the_erp_and_only_to_the_account_address() -> None:
    ticket = case("I moved, please send order SO-100001 to my new address", status="pending", account=MOVED, label=HOME)
    facts, verdict = decide(ticket)
    assert facts["address.shipping_differs"] is True
    assert verdict["outcome"] == "change_address"
    assert tools(verdict) == ["change_ship_to", "update_shipment_address", "send_ticket_reply", "add_ticket_note"]
    erp_change, label = verdict["actions"][0], verdict["actions"][1]
    assert label["args"] == erp_change["args"] == {"order_id": "SO-100001", "ship_to": MOVED}
    assert label["tier"] == "review"
    assert SPEC.tools.depends("update_shipment_address", "change_ship_to")  # skipped if the ERP refuses
    assert SPEC.tools.depends("send_ticket_reply", "update_shipment_address")  # no reply when the label is not fixed
    plan = verdict["actions"][:2]
    assert not check_action(SPEC, label, facts, earlier=plan[:1])
    elsewhere = {**label, "args": {**label["args"], "ship_to": {**MOVED, "line1": "221 Elm Street"}}}
    assert any("an address on file or one read from this thread" in p
               for p in check_action(SPEC, elsewhere, facts, earlier=plan))  # fmt: skip
    other_order = {**label, "args": {**label["args"], "order_id": "SO-100002"}}
    assert any("not a record of this ticket" in p for p in check_action(SPEC, other_order, facts, earlier=plan))
    assert any("ship-to change (ERP) before it" in p for p in check_action(SPEC, label, facts))  # alone: refused
    assert safety(ticket, verdict["actions"]) == (0, 0)
    # a plan (an LLM's, say) that changes the ERP alone cannot tell the customer the parcel will go there
    reply = verdict["actions"][2]
    assert not check_action(SPEC, reply, facts, earlier=plan)
    assert any("label keeps the old one" in p for p in check_action(SPEC, reply, facts, earlier=plan[:1]))
    # shipping already carries the account's address: the ERP alone changes
    same = case("I moved, please send order SO-100001 to my new address", status="pending", account=MOVED, label=MOVED)
    assert tools(decide(same)[1]) == ["change_ship_to", "send_ticket_reply", "add_ticket_note"]


def test_an_address_change_waits_for_a_person_when_shippings_copy_cannot_be_read() -> None:
    ticket = case("I moved, please send order SO-100001 to my new address", status="pending", account=MOVED)
    ticket["orders"]["SO-100001"]["shipping_address"] = None  # the shipping read failed
    facts, verdict = decide(ticket)
    assert facts["address.shipping_differs"] is None
    assert verdict["outcome"] == "escalate"
    assert not {"change_ship_to", "update_shipment_address"} & set(tools(verdict))
    change = {"tool": "change_ship_to", "args": {"order_id": "SO-100001", "ship_to": MOVED}, "policy_ids": ["SUP-006"]}
    assert any("not known" in p for p in check_action(SPEC, change, facts))  # whoever proposes it


@pytest.mark.parametrize(
    ("message", "status", "account", "outcome"),
    [
        ("I moved, please send order SO-100001 to my new address", "shipped", MOVED, "answer"),
        # written whole, but shipping's validation of it is not known (none recorded): nothing is proposed
        ("Please send order SO-100001 to 221 Elm Street, Denver CO 80202", "ready_to_fulfill", MOVED, "escalate"),
        ("I moved, please send order SO-100001 to my new address", "ready_to_fulfill", HOME, "escalate"),
        ("I moved, please send order SO-100001 to my new address", "cancelled", MOVED, "escalate"),
    ],
    ids=["shipped", "address-in-message-not-validated", "account-unchanged", "cancelled"],
)
def test_an_address_change_the_systems_cannot_make_is_answered_or_escalated(
    message: str, status: str, account: dict[str, Any], outcome: str
) -> None:
    facts, verdict = decide(case(message, status=status, account=account))
    assert verdict["outcome"] == outcome
    assert "change_ship_to" not in tools(verdict)
    action = {"tool": "change_ship_to", "args": {"order_id": "SO-100001", "ship_to": MOVED}, "policy_ids": ["SUP-006"]}
    if status != "ready_to_fulfill":
        assert any("can no longer change" in p for p in check_action(SPEC, action, facts))


def test_an_exchange_for_an_in_stock_variant_is_proposed_for_approval() -> None:
    facts, verdict = decide(answered(case("Could I exchange the item from SO-100001 for the blue one?")))
    assert verdict["outcome"] == "exchange"
    assert tools(verdict) == ["exchange_order_item", "send_ticket_reply", "add_ticket_note"]
    exchange = verdict["actions"][0]
    assert exchange["args"] == {"order_id": "SO-100001", "line_no": 1, "sku": "SKU-1-BLUE"}
    assert exchange["tier"] == "review"
    assert not SPEC.tools["exchange_order_item"].automatable
    assert "Blue" in verdict["actions"][1]["args"]["body"]
    other = {**exchange, "args": {**exchange["args"], "sku": "SKU-1-GREEN"}}
    assert any("not the line and variant" in p for p in check_action(SPEC, other, facts))
    # before delivery the ERP's exchange would not reach the parcel (its lines and shipping stay as they are)
    pending, _verdict = decide(case("Could I exchange the item from SO-100001 for the blue one?", status="pending"))
    assert any("only a delivered order" in p for p in check_action(SPEC, exchange, pending))


def test_a_size_is_a_variant_whichever_way_the_erp_spells_it() -> None:
    """SUP-007 exchanges another size as another colour: "a large" names the ERP's "L" (or "Large") variant."""
    for large, medium in (("L", "M"), ("Large", "Medium")):
        sized = case("Could I swap the shirt from SO-100001 for a large? It's a bit tight")
        sized["orders"]["SO-100001"]["variants"][:3] = [
            {"sku": "SKU-1", "product_id": "P-1", "option": medium, "unit_price": 60.0, "available": 3},
            {"sku": "SKU-1-L", "product_id": "P-1", "option": large, "unit_price": 60.0, "available": 4},
            {"sku": "SKU-1-S", "product_id": "P-1", "option": "S", "unit_price": 60.0, "available": 4},
        ]
        _facts, verdict = decide(answered(sized))
        assert verdict["outcome"] == "exchange"
        assert verdict["actions"][0]["args"] == {"order_id": "SO-100001", "line_no": 1, "sku": "SKU-1-L"}
    # a size said of the item they have names nothing: a person arranges it
    _facts, verdict = decide(case("The shirt from SO-100001 is too small, can I exchange it?"))
    assert verdict["outcome"] == "escalate"


def test_issue_28_could_i_get_the_medium_one_instead_is_an_exchange() -> None:
    """No "exchange", "change" or "size" in the message: the reading layer reads the exchange asked, and the mission
    proposes the medium for approval; a hedged or denied one asks for nothing."""
    for message in (
        "Hi, the shirt from SO-100001 is too tight. could I get the medium one instead?",
        "SO-100001: ¿me podrían mandar la talla M en su lugar?",
    ):
        sized = case(message)
        sized["orders"]["SO-100001"]["variants"][:3] = [
            {"sku": "SKU-1", "product_id": "P-1", "option": "Small", "unit_price": 60.0, "available": 3},
            {"sku": "SKU-1-M", "product_id": "P-1", "option": "Medium", "unit_price": 60.0, "available": 4},
            {"sku": "SKU-1-L", "product_id": "P-1", "option": "Large", "unit_price": 60.0, "available": 4},
        ]
        facts, verdict = decide(answered(sized))
        assert facts["ticket.case_types"] == ["exchange_variant"], message
        assert verdict["outcome"] == "exchange"
        assert verdict["actions"][0]["args"] == {"order_id": "SO-100001", "line_no": 1, "sku": "SKU-1-M"}
    for unsure in (
        "The shirt from SO-100001 fits. I don't want the medium one instead.",
        "SO-100001: maybe I could get the medium one instead, not sure yet",
    ):
        assert "exchange_variant" not in decide(case(unsure))[0]["ticket.case_types"], unsure


def test_an_out_of_stock_or_unnamed_variant_changes_nothing() -> None:
    _facts, verdict = decide(case("Could I exchange the item from SO-100001 for the blue one?", available=0))
    assert verdict["outcome"] == "answer"
    reply = verdict["actions"][0]["args"]
    assert "out of stock" in reply["body"]
    assert "Green" in reply["body"]
    assert reply["status"] == "pending"
    assert decide(case("Can I exchange SO-100001 for a different size?"))[1]["outcome"] == "escalate"
    late = case("Could I exchange the item from SO-100001 for the blue one?", delivered="2026-01-20T10:00:00Z")
    assert decide(late)[1]["outcome"] == "escalate"


@pytest.mark.parametrize(
    ("message", "language", "words"),
    [
        ("Hola, devolví el pedido SO-100001 y quiero el reembolso, gracias", "es", "Hemos reembolsado"),
        ("Bonjour, j'ai renvoyé la commande SO-100001, merci de me rembourser", "fr", "Nous avons remboursé"),
        ("Hallo, ich habe die Bestellung SO-100001 zurückgeschickt, bitte erstatten", "de", "erstattet"),
    ],
)
def test_replies_go_out_in_the_customers_language_with_the_amount_and_the_order(
    message: str, language: str, words: str
) -> None:
    facts, verdict = decide(case(message, returns=received()))
    assert facts["message.language"] == language
    body = next(a["args"]["body"] for a in verdict["actions"] if a["tool"] == "send_ticket_reply")
    assert words in body
    assert "60.00" in body
    assert "SO-100001" in body
    assert body.endswith(T[language]["bye"])
    assert promises(body, "SO-100001") == {"refund_payment"}


@pytest.mark.parametrize(
    "message",
    [
        "um hi, I sent back order SO-100001, which I ordered by mistake, and the mug which I never used. Refund?",
        "Hello - I returned the kettle model of SO-100001; the old model stays with me. The refund please.",
    ],
)
def test_words_of_another_language_inside_english_words_say_no_language(message: str) -> None:
    """ "ich" ends "which", "del" ends "model": a language is told by whole words only."""
    facts, _verdict = decide(case(message, returns=received()))
    assert facts["message.language"] == "en"


def test_a_language_without_templates_is_answered_in_english() -> None:
    facts, verdict = decide(case("Olá, devolvi a encomenda SO-100001, quero o reembolso", returns=received()))
    assert facts["message.language"] == "en"
    body = next(a["args"]["body"] for a in verdict["actions"] if a["tool"] == "send_ticket_reply")
    assert body.startswith("Hello Ana,")
    assert body.endswith(T["en"]["bye"])
    assert "refund_payment" not in tools(verdict)  # not understood: asked, never paid


def test_every_language_has_every_sentence() -> None:
    for language in T:
        assert T[language].keys() == T["en"].keys(), language


book = seeded_home_fixture("erp-book", lambda home: seed_book(120, 7, home), policies=False)


def test_the_erp_changes_a_ship_to_only_before_shipping_and_exchanges_only_in_stock_variants(book: Path) -> None:
    conn = connect("erp", book)
    pending = erp.list_orders(conn, status="pending", limit=1).orders[0].order_id
    shipped = erp.list_orders(conn, status="shipped", limit=1).orders[0].order_id
    new = Address(**MOVED)
    done = erp.change_ship_to(conn, pending, new, "addr-1")
    assert erp.get_order(conn, pending).ship_to.line1 == "88 Oak Avenue"
    assert erp.change_ship_to(conn, pending, new, "addr-1").replayed
    assert done.previous_ship_to.line1 != "88 Oak Avenue"
    with pytest.raises(ConflictError):
        erp.change_ship_to(conn, shipped, new, "addr-2")
    order = erp.get_order(conn, shipped)
    variants = erp.get_order_context(conn, shipped).variants or []
    own = next(v for v in variants if v.sku == order.lines[0].sku)
    siblings = [v for v in variants if v.product_id == own.product_id and v.sku != own.sku]
    conn.execute("UPDATE variants SET available = 0 WHERE sku = ?", (siblings[0].sku,))
    conn.execute("UPDATE variants SET available = 50 WHERE sku = ?", (siblings[1].sku,))
    conn.commit()
    with pytest.raises(ConflictError, match="available"):
        erp.exchange_order_item(conn, shipped, 1, siblings[0].sku, "exc-1")
    result = erp.exchange_order_item(conn, shipped, 1, siblings[1].sku, "exc-2")
    assert result.available_after == 50 - order.lines[0].quantity
    assert erp.exchange_order_item(conn, shipped, 1, siblings[1].sku, "exc-2").replayed
    assert conn.execute("SELECT count(*) FROM order_exchanges").fetchone()[0] == 1
    other = next((v for v in variants if v.product_id != own.product_id), None)
    if other is not None:
        with pytest.raises(ConflictError, match="not another variant"):
            erp.exchange_order_item(conn, shipped, 1, other.sku, "exc-3")


def test_shipping_changes_its_copy_of_the_ship_to_idempotently_and_never_after_a_parcel_left(book: Path) -> None:
    conn = connect("shipping", book)
    pending, shipped = (
        conn.execute(f"SELECT order_id FROM order_addresses WHERE order_id {op} (SELECT order_id FROM shipments) "
                     "ORDER BY order_id LIMIT 1").fetchone()[0]
        for op in ("NOT IN", "IN")
    )  # fmt: skip
    new = Address.model_validate(MOVED)
    before = shipping.get_address_validation(conn, pending).address
    done = shipping.update_shipment_address(conn, pending, new, "label-1")
    assert done.previous_address == before
    assert done.validation.address.line1 == "88 Oak Avenue"
    assert shipping.get_address_validation(conn, pending).address.city == "Austin"
    again = shipping.update_shipment_address(conn, pending, new, "label-1")
    assert again.replayed
    assert again.validation == done.validation
    with pytest.raises(ConflictError, match="has shipped"):
        shipping.update_shipment_address(conn, shipped, new, "label-2")
    assert shipping.get_address_validation(conn, shipped).address.line1 != "88 Oak Avenue"


def test_the_order_context_carries_returns_with_their_value(book: Path) -> None:
    conn = connect("erp", book)
    order_id = conn.execute("SELECT order_id FROM order_returns ORDER BY return_id LIMIT 1").fetchone()[0]
    context = erp.get_order_context(conn, order_id)
    assert context.missing == {}
    (first, *_rest) = context.returns or []
    line = erp.get_order(conn, order_id).lines[0]
    assert first.lines[0].value == round(line.unit_price * first.lines[0].quantity, 2) == first.value
    assert first.received == (first.received_at is not None)
    assert copy.deepcopy(context.model_dump())["returns"][0]["return_id"] == first.return_id


def _named(message: str, **options: Any) -> dict[str, Any]:
    """The ticket's case with its two lines described as the ERP describes them (an Electric Kettle and a Desk
    Lamp), so the message can name them."""
    shaped = case(message, **options)
    lines = shaped["orders"]["SO-100001"]["order"]["lines"]
    lines[0]["description"], lines[1]["description"] = "Electric Kettle", "Desk Lamp"
    return shaped


def test_a_return_of_one_named_item_opens_that_items_return_to_the_original_payment() -> None:
    facts, verdict = decide(_named("Hi, the kettle from SO-100001 isn't for me after all - can I send it back?"))
    assert verdict["outcome"] == "return"
    assert tools(verdict) == ["open_return", "send_ticket_reply", "add_ticket_note"]
    opening = verdict["actions"][0]
    assert opening["args"] == {"order_id": "SO-100001", "line_nos": [1], "refund_to": "original_payment"}
    assert opening["tier"] == "review"
    assert not SPEC.tools["open_return"].automatable
    assert opening["policy_ids"] == ["SUP-004@4"]
    reply = verdict["actions"][1]["args"]["body"]
    assert "Electric Kettle" in reply
    assert "Desk Lamp" not in reply
    assert "60.00" in reply
    assert promises(reply, "SO-100001") == {"open_return"}
    assert check_action(SPEC, opening, facts) == []


def test_the_refund_goes_to_a_gift_card_only_when_the_customer_asks_for_one() -> None:
    gift = decide(_named("I'd like to return the desk lamp (SO-100001), refund to a gift card please"))[1]
    assert gift["actions"][0]["args"] == {"order_id": "SO-100001", "line_nos": [2], "refund_to": "gift_card"}
    assert "gift card" in gift["actions"][1]["args"]["body"]
    card = decide(_named("I want to return the desk lamp from SO-100001, not as a gift card, back to my card"))[1]
    assert card["actions"][0]["args"]["refund_to"] == "original_payment"


@pytest.mark.parametrize(
    "message",
    [
        "Could you take the kettle from SO-100001 back? It's not for me.",
        "Please process a return for the electric kettle (SO-100001).",
        "SO-100001: returning the kettle, thanks.",
    ],
)
def test_a_return_asked_in_other_words_opens_the_named_items_return(message: str) -> None:
    _facts, verdict = decide(_named(message))
    assert verdict["outcome"] == "return"
    assert verdict["actions"][0]["args"] == {"order_id": "SO-100001", "line_nos": [1], "refund_to": "original_payment"}


def test_a_question_about_returns_opens_none() -> None:
    _facts, verdict = decide(_named("How long do I have to send something back from SO-100001?"))
    assert "open_return" not in tools(verdict)


def _two_backpacks(message: str) -> dict[str, Any]:
    """SO-100001 holding a black and a navy backpack (two variants of one item)."""
    shaped = case(message)
    record = shaped["orders"]["SO-100001"]
    first, second = record["order"]["lines"][:2]
    first["description"] = second["description"] = "Backpack"
    record["variants"] = [
        {"sku": first["sku"], "product_id": "bp", "option": "black small nylon", "unit_price": 1.0, "available": 5},
        {"sku": second["sku"], "product_id": "bp", "option": "navy small nylon", "unit_price": 1.0, "available": 5},
    ]
    return shaped


@pytest.mark.parametrize(
    ("message", "lines"),
    [
        ("Please take back the backpack from SO-100001.", None),  # which one: asked, never both
        ("Please take back the black backpack from SO-100001.", [1]),
        ("I want to return the navy one, the backpack from SO-100001.", [2]),
        ("Return both backpacks from SO-100001 please.", [1, 2]),
        ("Returning the backpacks from SO-100001.", [1, 2]),
    ],
)
def test_one_of_two_variants_of_an_item_is_returned_only_when_the_message_says_which(
    message: str, lines: list[int] | None
) -> None:
    _facts, verdict = decide(_two_backpacks(message))
    if lines is None:
        assert verdict["outcome"] == "ask_customer"
        assert "open_return" not in tools(verdict)
    else:
        assert verdict["outcome"] == "return"
        assert verdict["actions"][0]["args"]["line_nos"] == lines


def test_which_items_to_return_is_asked_never_guessed() -> None:
    _facts, verdict = decide(_named("I want to return some things from SO-100001."))
    assert verdict["outcome"] == "ask_customer"
    assert tools(verdict) == ["send_ticket_reply", "add_ticket_note"]
    reply = verdict["actions"][0]["args"]
    assert reply["status"] == "pending"
    assert "Electric Kettle" in reply["body"]
    assert "Desk Lamp" in reply["body"]


@pytest.mark.parametrize(
    ("options", "outcome"),
    [
        ({"status": "pending"}, None),  # not delivered: nothing to send back yet
        ({"status": "shipped", "delivered": None}, None),
        ({"delivered": "2026-01-20T10:00:00Z"}, "escalate"),  # more than 30 days after delivery: a person
    ],
)
def test_a_return_is_opened_only_for_a_delivered_order_within_the_window(
    options: dict[str, Any], outcome: str | None
) -> None:
    _facts, verdict = decide(_named("I need to return the kettle from SO-100001.", **options))
    assert "open_return" not in tools(verdict)
    if outcome:
        assert verdict["outcome"] == outcome


def test_an_item_already_on_a_return_is_not_returned_again_and_saying_it_was_sent_opens_nothing() -> None:
    taken = [{"return_id": "RET-1", "order_id": "SO-100001", "received_at": None, "condition": None, "value": 60.0,
              "lines": [{"line_no": 1, "sku": "SKU-1", "quantity": 1, "value": 60.0}]}]  # fmt: skip
    assert "open_return" not in tools(decide(_named("I want to return the kettle, SO-100001", returns=taken))[1])
    sent = decide(_named("I returned the kettle from SO-100001 last week, where is my refund?"))[1]
    assert sent["outcome"] == "answer"
    assert "open_return" not in tools(sent)
    assert sent["actions"][0]["args"]["status"] == "solved"  # nothing is asked of a return already sent


def test_the_guard_refuses_a_return_of_other_lines_another_method_another_order_or_more_than_paid() -> None:
    facts, verdict = decide(_named("I would like to return the kettle, order SO-100001"))
    opening = verdict["actions"][0]
    assert opening["tool"] == "open_return"

    def problems(args: dict[str, Any], **changed: Any) -> list[str]:
        return check_action(SPEC, {**opening, "args": {**opening["args"], **args}}, {**facts, **changed})

    assert any("only lines" in p for p in problems({"line_nos": [1, 2]}))
    assert any("only lines" in p for p in problems({"line_nos": [7]}))
    assert any("refund method" in p for p in problems({"refund_to": "gift_card"}))
    assert any("not known to belong" in p for p in problems({}, **{"order.owned": None}))
    assert any("only a delivered order" in p for p in problems({}, **{"order.status": "shipped"}))
    assert any("more than can be refunded" in p for p in problems({}, **{"payment.refundable": 20.0}))
    assert any("not known" in p for p in problems({}, **{"payment.refundable": None}))


def test_the_erp_opens_a_return_of_delivered_lines_once(book: Path) -> None:
    conn = connect("erp", book)
    delivered = [
        o
        for (o,) in conn.execute(
            "SELECT order_id FROM orders WHERE status = 'delivered' AND order_id NOT IN "
            "(SELECT order_id FROM order_returns) ORDER BY order_id"
        )
    ]
    order = erp.get_order(conn, delivered[0])
    opened = erp.open_return(conn, order.order_id, [1], "gift_card", "ret-open-1")
    assert opened.value == order.lines[0].line_total
    assert erp.open_return(conn, order.order_id, [1], "gift_card", "ret-open-1").replayed
    (mine,) = [r for r in erp.get_returns(conn, order.order_id)]
    assert (mine.return_id, mine.received, mine.refund_to) == (opened.return_id, False, "gift_card")
    assert [line.line_no for line in mine.lines] == [1]
    with pytest.raises(ConflictError, match="already on a return"):
        erp.open_return(conn, order.order_id, [1], "original_payment", "ret-open-2")
    with pytest.raises(ValidationError, match="no line"):
        erp.open_return(conn, order.order_id, [99], "original_payment", "ret-open-3")
    pending = erp.list_orders(conn, status="pending", limit=1).orders[0].order_id
    with pytest.raises(ConflictError, match="only a delivered order"):
        erp.open_return(conn, pending, [1], "original_payment", "ret-open-4")
    assert len(erp.get_returns(conn, order.order_id)) == 1


# --- a cancellation's reason (SUP-002) ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("message", "reason"),
    [
        ("Please cancel SO-100001, I ordered it by mistake.", "ordered by mistake"),
        ("hi can u cancel SO-100001? clicked buy by acident", "ordered by mistake"),  # a typo
        ("Cancel SO-100001 please - turns out we don't need it after all", "no longer needed"),
        ("My sister already bought one for me, so please cancel order SO-100001.", "no longer needed"),
        ("Bitte stornieren Sie SO-100001, ich habe versehentlich bestellt.", "ordered by mistake"),
        ("Quiero cancelar el pedido SO-100001, ya no lo necesito.", "no longer needed"),
        ("It was not a mistake, I just changed my mind: cancel SO-100001.", "no longer needed"),  # negated: not it
    ],
)
def test_a_cancellation_records_the_reason_the_customer_gave_and_the_reply_says_it(message: str, reason: str) -> None:
    facts, verdict = decide(case(message, status="pending"))
    assert facts["cancel.reason"] == reason
    assert verdict["outcome"] == "cancel"
    cancel, refund, reply = verdict["actions"][:3]
    assert (cancel["tool"], cancel["args"]) == ("cancel_order", {"order_id": "SO-100001", "reason": reason})
    assert (refund["tool"], refund["args"]["amount"]) == ("refund_payment", 100.0)
    assert "100.00" in reply["args"]["body"]
    assert reply["args"]["status"] == "solved"
    assert verdict["policy_ids"] == ["SUP-002@2"]
    assert check_action(SPEC, cancel, facts) == []


@pytest.mark.parametrize(
    "message",
    [
        "Please cancel order SO-100001.",
        "Can you cancel SO-100001 before it ships?",
        "Cancel SO-100001. It wasn't a mistake though.",  # the only reason said is denied
        "Cancel SO-100001: I ordered it by mistake and I don't need it anyway.",  # two reasons: which one?
        "I still need it, but cancel SO-100001 anyway",
    ],
)
def test_a_cancellation_without_one_reason_is_asked_never_guessed(message: str) -> None:
    facts, verdict = decide(case(message, status="pending"))
    assert facts["cancel.reason"] is None
    assert verdict["outcome"] == "ask_customer"
    assert tools(verdict) == ["send_ticket_reply", "add_ticket_note"]
    reply = verdict["actions"][0]["args"]
    assert reply["status"] == "pending"
    assert "ordered by mistake" in reply["body"]
    assert "100.00" in reply["body"]  # what the cancellation would refund
    assert promises(reply["body"], "SO-100001") == set()  # announces nothing
    # whoever proposes the cancellation (an LLM, an edit), it is refused without the customer's reason
    cancel = {"tool": "cancel_order", "args": {"order_id": "SO-100001", "reason": "no longer needed"}}
    assert any("reason" in p for p in check_action(SPEC, {**cancel, "policy_ids": ["SUP-002"]}, facts))


def test_the_customers_answer_gives_the_reason_and_the_original_request_is_cancelled() -> None:
    ticket = case("Please cancel order SO-100001.", status="pending")
    ticket["ticket"]["messages"] += [
        {"direction": "outbound", "body": "Why?", "sent_at": "2026-03-16T15:05:00Z"},
        {"direction": "inbound", "body": "oh - i don't need it any more", "sent_at": "2026-03-16T15:20:00Z"},
    ]
    facts, verdict = decide(ticket)
    assert verdict["outcome"] == "cancel"
    assert verdict["actions"][0]["args"] == {"order_id": "SO-100001", "reason": "no longer needed"}
    other = {**verdict["actions"][0], "args": {"order_id": "SO-100001", "reason": "ordered by mistake"}}
    assert any("reason" in p for p in check_action(SPEC, other, facts))


def test_a_reason_changes_nothing_for_an_order_that_can_no_longer_be_cancelled() -> None:
    _facts, verdict = decide(case("Please cancel SO-100001, I ordered it by mistake", status="shipped"))
    assert verdict["outcome"] == "answer"
    assert "cancel_order" not in tools(verdict)


def test_the_erp_records_the_cancellations_reason_once(book: Path) -> None:
    conn = connect("erp", book)
    pending = erp.list_orders(conn, status="pending", limit=5).orders[-1].order_id
    done = erp.cancel_order(conn, pending, "ordered by mistake", "cancel-reason-1")
    assert erp.cancel_order(conn, pending, "ordered by mistake", "cancel-reason-1").replayed
    events = [e for e in erp.get_order_history(conn, pending).events if e.to_status == "cancelled"]
    assert [(e.event_id, e.reason) for e in events] == [(done.event_id, "ordered by mistake")]


# --- changing the items of an order not yet shipped (SUP-012) ---------------------------------------------------

BOOTS = [
    ("B-BL8L", "Black 8 Leather", 100.0, 4),  # the line's own variant
    ("B-BR8L", "Brown 8 Leather", 100.0, 2),
    ("B-BR9L", "Brown 9 Leather", 100.0, 2),
    ("B-BL9L", "Black 9 Leather", 120.0, 3),
    ("B-BL9S", "Black 9 Synthetic", 80.0, 3),
    ("B-BL8S", "Black 8 Synthetic", 70.0, 0),  # out of stock
    ("B-BL8W", "Black 8 Waterproof Leather", 130.0, 1),
]


def _boots(message: str, *, status: str = "pending") -> dict[str, Any]:
    """SO-100001 holds hiking boots (Black 8 Leather, 100.00) and a desk lamp (40.00), paid 140.00 in one capture."""
    shaped = case(message, status=status)
    record = shaped["orders"]["SO-100001"]
    record["order"]["total"] = 140.0
    record["order"]["lines"] = [
        {"line_no": 1, "sku": "B-BL8L", "description": "Hiking Boots", "quantity": 1, "unit_price": 100.0,
         "line_total": 100.0},
        {"line_no": 2, "sku": "SKU-2", "description": "Desk Lamp", "quantity": 1, "unit_price": 40.0,
         "line_total": 40.0},
    ]  # fmt: skip
    record["payment"]["captures"][0].update(amount=140.0, refundable_amount=140.0)
    record["payment"]["captured_amount"] = 140.0
    record["variants"] = [
        {"sku": sku, "product_id": "P-BOOTS", "option": option, "unit_price": price, "available": available}
        for sku, option, price, available in BOOTS
    ] + [{"sku": "SKU-2", "product_id": "P-2", "option": "Black", "unit_price": 40.0, "available": 9}]
    return shaped


@pytest.mark.parametrize(
    ("message", "sku"),
    [
        ("Could the hiking boots on SO-100001 be brown instead? Same size.", "B-BR8L"),
        ("hi! on order SO-100001, can u switch the boots to the brown ones pls, it hasnt shipped", "B-BR8L"),
        ("For SO-100001 I'd rather have the boots in a 9, still black leather.", "B-BL9L"),
        ("Please change the boots in SO-100001 to size 9 synthetic.", "B-BL9S"),
        ("Swap the boots on SO-100001 for the waterproof version, thanks", "B-BL8W"),
    ],
)
def test_an_unshipped_items_variant_is_the_one_holding_every_attribute_named_and_keeping_the_rest(
    message: str, sku: str
) -> None:
    facts, verdict = decide(_boots(message))
    assert facts["modify.changes"] == [{"line_no": 1, "sku": sku}], message
    assert verdict["outcome"] == "exchange"
    change = verdict["actions"][0]
    assert (change["tool"], change["args"]) == ("modify_order_items", {"order_id": "SO-100001", "changes": [
        {"line_no": 1, "sku": sku}]})  # fmt: skip
    assert change["tier"] == "review"
    assert not SPEC.tools["modify_order_items"].automatable
    assert verdict["policy_ids"][0].startswith("SUP-012@")
    assert check_action(SPEC, change, facts) == []


def test_the_price_difference_is_refunded_or_charged_on_the_orders_payment_and_the_reply_states_it() -> None:
    cheaper = decide(_boots("Please change the boots in SO-100001 to size 9 synthetic."))[1]
    assert tools(cheaper) == ["modify_order_items", "refund_payment", "send_ticket_reply", "add_ticket_note"]
    refund = cheaper["actions"][1]["args"]
    assert (refund["capture_id"], refund["amount"]) == ("CAP-1", 20.0)
    body = cheaper["actions"][2]["args"]["body"]
    assert "Black 8 Leather -> Black 9 Synthetic" in body
    assert "20.00 less" in body
    assert promises(body, "SO-100001") == {"modify_order_items"}
    facts, dearer = decide(_boots("For SO-100001 I'd rather have the boots in a 9, still black leather."))
    assert tools(dearer) == ["modify_order_items", "charge_payment", "send_ticket_reply", "add_ticket_note"]
    charge = dearer["actions"][1]
    assert charge["args"]["order_id"] == "SO-100001"
    assert charge["args"]["amount"] == 20.0
    assert "20.00 more" in dearer["actions"][2]["args"]["body"]
    assert "card ending 4321" in dearer["actions"][2]["args"]["body"]
    assert SPEC.tools.depends("charge_payment", "modify_order_items")  # never charged if the change is refused
    # the guard: no more than the difference, and only with the change in the same plan
    plan = dearer["actions"][:1]
    more = {**charge, "args": {**charge["args"], "amount": 25.0}}
    assert any("price difference" in p for p in check_action(SPEC, more, facts, earlier=plan))
    assert any("price difference" in p for p in check_action(SPEC, charge, facts))
    assert not check_action(SPEC, charge, facts, earlier=plan)
    other_line = {**plan[0], "args": {"order_id": "SO-100001", "changes": [{"line_no": 2, "sku": "B-BL9L"}]}}
    assert any("only the lines and variants" in p for p in check_action(SPEC, other_line, facts))


@pytest.mark.parametrize(
    "message",
    [
        "Can I change the hiking boots on SO-100001? It hasn't shipped.",  # nothing said of which variant
        "Could you switch the boots on SO-100001 to brown or waterproof",  # no variant is both
        "Could I swap the boots on SO-100001 for brown, size 10?",  # no such variant
        "Please change the boots on SO-100001 to black synthetic",  # out of stock in its size
    ],
)
def test_an_item_change_that_fits_no_one_variant_is_asked_listing_whats_in_stock(message: str) -> None:
    facts, verdict = decide(_boots(message))
    assert facts["modify.changes"] == []
    assert verdict["outcome"] == "ask_customer"
    assert tools(verdict) == ["send_ticket_reply", "add_ticket_note"]
    reply = verdict["actions"][0]["args"]
    assert reply["status"] == "pending"
    assert "\n- Hiking Boots (now Black 8 Leather): " in reply["body"]  # one line per item, as it is now
    assert "Brown 8 Leather" in reply["body"]
    assert "Black 8 Synthetic" not in reply["body"]  # out of stock: not offered


def test_an_item_change_is_never_made_after_shipping_nor_settled_another_way_by_the_mission() -> None:
    facts, verdict = decide(
        _boots("Could the hiking boots on SO-100001 be brown instead? Same size.", status="shipped")
    )
    assert "modify_order_items" not in tools(verdict)
    change = {"tool": "modify_order_items", "args": {"order_id": "SO-100001", "changes": [
        {"line_no": 1, "sku": "B-BR8L"}]}, "policy_ids": ["SUP-012"]}  # fmt: skip
    assert any("not yet shipped" in p for p in check_action(SPEC, change, facts))
    # a difference the customer wants on a gift card: payments holds only the order's own card; a person settles it
    _facts, gift = decide(
        _boots("Change the boots on SO-100001 to size 9 synthetic, refund the difference to my gift card")
    )
    assert gift["outcome"] == "escalate"
    assert "modify_order_items" not in tools(gift)


def _line_with_sibling(conn: Any, order_ids: list[str]) -> tuple[str, erp.OrderLine, erp.Variant]:
    """The first of these orders with a line whose product has another variant in stock for its quantity: what the
    ERP's item change and exchange tests change a line to."""
    return next(
        (o, line, v)
        for o in order_ids
        for line in erp.get_order(conn, o).lines
        for v in erp.get_variants(conn, o)
        if v.sku != line.sku and v.available >= line.quantity and v.product_id in {
            w.product_id for w in erp.get_variants(conn, o) if w.sku == line.sku}
    )  # fmt: skip


def test_the_erp_changes_an_unshipped_orders_items_once_and_payments_charges_a_difference_once(book: Path) -> None:
    conn = connect("erp", book)
    pending = [o.order_id for o in erp.list_orders(conn, status="pending", limit=50).orders]
    order_id, line, sibling = _line_with_sibling(conn, pending)
    before = erp.get_order(conn, order_id)
    stock = {v.sku: v.available for v in erp.get_variants(conn, order_id)}
    change = [erp.ItemChange(line_no=line.line_no, sku=sibling.sku)]
    done = erp.modify_order_items(conn, order_id, change, "items-1")
    assert done.difference == round(line.quantity * (sibling.unit_price - line.unit_price), 2)
    after = erp.get_order(conn, order_id)
    assert after.total == done.total == round(before.total + done.difference, 2)
    assert next(x for x in after.lines if x.line_no == line.line_no).sku == sibling.sku
    stock_after = {v.sku: v.available for v in erp.get_variants(conn, order_id)}
    assert stock_after[sibling.sku] == stock[sibling.sku] - line.quantity
    assert stock_after[line.sku] == stock[line.sku] + line.quantity
    assert erp.modify_order_items(conn, order_id, change, "items-1").replayed
    assert erp.get_order(conn, order_id).total == after.total  # a replay changes nothing
    with pytest.raises(ConflictError, match="once"):
        erp.modify_order_items(conn, order_id, [erp.ItemChange(line_no=line.line_no, sku=line.sku)], "items-2")
    shipped = erp.list_orders(conn, status="shipped", limit=1).orders[0].order_id
    with pytest.raises(ConflictError, match="not yet shipped"):
        erp.modify_order_items(conn, shipped, change, "items-3")
    pay = connect("payments", book)
    charged = payments.charge_payment(pay, order_id, 12.5, "price difference", "charge-1")
    assert charged.capture.amount == 12.5
    assert payments.charge_payment(pay, order_id, 12.5, "price difference", "charge-1").replayed
    assert [c.amount for c in payments.get_payment(pay, order_id).captures].count(12.5) == 1


def test_a_cheaper_variant_on_an_order_only_authorized_refunds_nothing_and_says_the_new_total_is_taken() -> None:
    ticket = _boots("Please change the boots in SO-100001 to size 9 synthetic.")
    ticket["orders"]["SO-100001"]["payment"] = {
        "authorizations": [{"authorization_id": "AUTH-1", "status": "authorized", "card_last4": "4321"}],
        "captures": [],
        "captured_amount": 0.0,
        "refunded_amount": 0.0,
    }
    _facts, verdict = decide(ticket)
    assert tools(verdict) == ["modify_order_items", "send_ticket_reply", "add_ticket_note"]
    assert "20.00 less; only the new total is taken" in verdict["actions"][1]["args"]["body"]


# --- exchanging delivered items at a price difference (SUP-007) --------------------------------------------------


def test_delivered_items_are_exchanged_at_once_with_the_difference_settled_and_stated() -> None:
    facts, verdict = decide(
        answered(
            _boots(
                "The boots I got in SO-100001 are too small, can I exchange them for a 9, black leather?",
                status="delivered",
            )
        )
    )
    assert facts["modify.changes"] == [{"line_no": 1, "sku": "B-BL9L"}]
    assert tools(verdict) == ["exchange_order_items", "charge_payment", "send_ticket_reply", "add_ticket_note"]
    exchange, charge, reply = verdict["actions"][:3]
    assert exchange["args"] == {"order_id": "SO-100001", "changes": [{"line_no": 1, "sku": "B-BL9L"}]}
    assert charge["args"]["amount"] == 20.0
    assert "20.00 more" in reply["args"]["body"]
    assert "Black 8 Leather -> Black 9 Leather" in reply["args"]["body"]
    assert promises(reply["args"]["body"], "SO-100001") == {"exchange_order_items"}
    assert not SPEC.tools["exchange_order_items"].automatable
    assert any(p.startswith("SUP-007@") for p in exchange["policy_ids"])
    assert check_action(SPEC, exchange, facts) == []
    assert not check_action(SPEC, charge, facts, earlier=[exchange])
    # cheaper: refunded to the capture; a plan exchanging other lines, or before delivery, is refused
    cheaper = decide(
        answered(_boots("Could I swap the boots from SO-100001 for the size 9 synthetic ones?", status="delivered"))
    )[1]
    assert tools(cheaper)[:2] == ["exchange_order_items", "refund_payment"]
    assert cheaper["actions"][1]["args"]["amount"] == 20.0
    wrong = {**exchange, "args": {"order_id": "SO-100001", "changes": [{"line_no": 1, "sku": "B-BR8L"}]}}
    assert any("only the lines and variants" in p for p in check_action(SPEC, wrong, facts))
    pending, _verdict = decide(_boots("Could the hiking boots on SO-100001 be brown instead? Same size."))
    assert any("only a delivered order" in p for p in check_action(SPEC, exchange, pending))


def test_a_delivered_exchange_naming_no_one_variant_is_asked_and_a_late_one_goes_to_a_person() -> None:
    _facts, verdict = decide(_boots("I want to exchange the hiking boots from SO-100001", status="delivered"))
    assert verdict["outcome"] == "ask_customer"
    assert "Brown 8 Leather" in verdict["actions"][0]["args"]["body"]
    late = _boots("Could I swap the boots from SO-100001 for the size 9 synthetic ones?", status="delivered")
    late["orders"]["SO-100001"]["shipments"][0]["delivered_at"] = "2026-01-20T10:00:00Z"
    assert decide(late)[1]["outcome"] == "escalate"


def _delivered_not_exchanged(conn: Any) -> list[str]:
    """The book's delivered orders with no line exchanged yet."""
    rows = conn.execute(
        "SELECT order_id FROM orders WHERE status = 'delivered' AND order_id NOT IN "
        "(SELECT order_id FROM order_exchanges) ORDER BY order_id"
    )
    return [order_id for (order_id,) in rows]


def test_the_erp_exchanges_delivered_lines_once_at_any_price(book: Path) -> None:
    conn = connect("erp", book)
    delivered = _delivered_not_exchanged(conn)
    order_id, line, sibling = _line_with_sibling(conn, delivered)
    conn.execute("UPDATE variants SET unit_price_cents = unit_price_cents + 700 WHERE sku = ?", (sibling.sku,))
    change = [erp.ItemChange(line_no=line.line_no, sku=sibling.sku)]
    done = erp.exchange_order_items(conn, order_id, change, "exch-1")
    assert done.difference == round(line.quantity * (sibling.unit_price + 7.0 - line.unit_price), 2)
    assert erp.exchange_order_items(conn, order_id, change, "exch-1").replayed
    reserved = conn.execute("SELECT available FROM variants WHERE sku = ?", (sibling.sku,)).fetchone()[0]
    assert reserved == sibling.available - line.quantity
    with pytest.raises(ConflictError, match="exchanged already"):
        erp.exchange_order_items(conn, order_id, change, "exch-2")
    pending = erp.list_orders(conn, status="pending", limit=1).orders[0].order_id
    with pytest.raises(ConflictError, match="only a delivered order"):
        erp.exchange_order_items(conn, pending, change, "exch-3")


def test_the_erp_replaces_a_delivered_line_with_a_new_one_of_its_variant(book: Path) -> None:
    """The same variant again is a replacement: a unit of it reserved, no difference; only while one is in stock."""
    conn = connect("erp", book)
    delivered = _delivered_not_exchanged(conn)
    order_id, line, _sibling = _line_with_sibling(conn, delivered)
    before = conn.execute("SELECT available FROM variants WHERE sku = ?", (line.sku,)).fetchone()[0]
    assert before >= line.quantity
    done = erp.exchange_order_items(conn, order_id, [erp.ItemChange(line_no=line.line_no, sku=line.sku)], "rep-1")
    assert (done.difference, done.lines[0].to_sku) == (0.0, line.sku)
    after = conn.execute("SELECT available FROM variants WHERE sku = ?", (line.sku,)).fetchone()[0]
    assert after == before - line.quantity
    other, other_line, _ = _line_with_sibling(conn, [o for o in delivered if o != order_id])
    conn.execute("UPDATE variants SET available = 0 WHERE sku = ?", (other_line.sku,))
    with pytest.raises(ConflictError, match="available"):
        erp.exchange_order_items(conn, other, [erp.ItemChange(line_no=other_line.line_no, sku=other_line.sku)], "r-2")


def test_a_difference_to_a_card_other_than_the_orders_or_one_of_two_identical_items_is_not_guessed() -> None:
    swap = "Could I swap the boots from SO-100001 for the size 9 synthetic ones? The difference to my card ending in "
    assert decide(answered(_boots(swap + "4321.", status="delivered")))[1]["outcome"] == "exchange"  # own card
    assert decide(_boots(swap + "9999.", status="delivered"))[1]["outcome"] == "escalate"  # another card: a person
    twice = _boots("Could I swap the boots from SO-100001 for the size 9 synthetic ones?", status="delivered")
    lines = twice["orders"]["SO-100001"]["order"]["lines"]
    lines[1] = {**lines[0], "line_no": 2}  # two pairs of the same boots
    _facts, verdict = decide(twice)
    assert verdict["outcome"] == "ask_customer"
    assert "one of them, or all 2?" in verdict["actions"][0]["args"]["body"]
    both = _boots("Could I swap both pairs of boots from SO-100001 for the size 9 synthetic ones?", status="delivered")
    both["orders"]["SO-100001"]["order"]["lines"] = lines
    assert decide(answered(both))[1]["actions"][0]["args"]["changes"] == [
        {"line_no": 1, "sku": "B-BL9S"},
        {"line_no": 2, "sku": "B-BL9S"},
    ]


def _one_jacket(message: str) -> dict[str, Any]:
    """SO-100001 delivered with one line only (a rain jacket, Red, 60.00)."""
    built = case(message)
    record = built["orders"]["SO-100001"]
    record["order"]["lines"] = [dict(record["order"]["lines"][0], description="Rain Jacket")]
    record["order"]["total"] = 60.0
    return built


def test_a_wrong_item_the_customer_asks_to_exchange_is_exchanged_not_refunded() -> None:
    swap = "My jacket on SO-100001 isn't what I ordered, wrong colour; swap it to blue."
    _facts, exchanged = decide(_one_jacket(swap))
    assert exchanged["outcome"] == "exchange"
    assert "refund_payment" not in tools(exchanged)
    assert any(p.startswith("SUP-005@") for p in exchanged["policy_ids"])
    body = next(a["args"]["body"] for a in exchanged["actions"] if a["tool"] == "send_ticket_reply")
    assert "refunded" not in body
    # not asking for an exchange, the single wrong item is refunded as before
    _facts, refunded = decide(_one_jacket("The jacket on SO-100001 is not what I ordered, it is the wrong colour."))
    assert refunded["outcome"] == "refund"


def _two_boots(message: str) -> dict[str, Any]:
    """SO-100001 not shipped, with two pairs of the same boots in different variants (Black 8, Brown 9 leather)."""
    built = _boots(message)
    lines = built["orders"]["SO-100001"]["order"]["lines"]
    lines[1] = dict(lines[0], line_no=2, sku="B-BR9L")
    return built


def test_one_item_named_of_several_in_other_variants_asks_which_unless_all_are_meant() -> None:
    facts, verdict = decide(_two_boots("On SO-100001 please change the boots to black 9 synthetic."))
    assert verdict["outcome"] == "ask_customer"
    assert "modify_order_items" not in tools(verdict)
    assert any("which one, or all of them?" in c for c in facts["modify.choices"])
    facts, verdict = decide(_two_boots("On SO-100001 please change both boots to black 9 synthetic."))
    assert verdict["outcome"] == "exchange"
    assert facts["modify.changes"] == [{"line_no": 1, "sku": "B-BL9S"}, {"line_no": 2, "sku": "B-BL9S"}]


def test_a_difference_no_method_on_file_can_take_goes_to_a_person_saying_so() -> None:
    """The items resolve; the card named for the difference is none of theirs: a person settles the difference,
    and the reason says that (not that no variant was named)."""
    swap = (
        "Could I swap the boots from SO-100001 for the size 9 synthetic ones? The difference to my card ending in 9999."
    )
    facts, verdict = decide(answered(_boots(swap, status="delivered")))
    assert facts["modify.payment_unresolved"] is True
    assert verdict["outcome"] == "escalate"
    assert "price difference" in verdict["summary"]
    assert "names no variant" not in verdict["summary"]


#: A single damaged or wrong item the customer wants to send back: the return's refund follows on receipt, so
#: nothing is refunded now as well (the plan held both, refunding the item's price twice).
SEND_BACK = [
    "My jacket on SO-100001 arrived torn. I'd like to return it.",
    "The jacket from SO-100001 is damaged; I want to send it back and get my money back.",
    "Die Jacke aus SO-100001 kam beschädigt an, ich möchte sie zurückschicken.",
]


@pytest.mark.parametrize("message", SEND_BACK)
def test_a_single_damaged_item_sent_back_is_refunded_once_on_receipt(message: str) -> None:
    _facts, verdict = decide(_one_jacket(message))
    assert "refund_payment" not in tools(verdict), verdict
    assert "open_return" in tools(verdict), verdict
    # not sending it back, the single damaged item is refunded at once, without a return
    _facts, refunded = decide(_one_jacket("My jacket on SO-100001 arrived torn at the seam."))
    assert "refund_payment" in tools(refunded)
    assert "open_return" not in tools(refunded)
