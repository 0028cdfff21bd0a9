"""The systems' services, called directly: validation, invariants, idempotent replay, key conflicts, event feed."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from ai_missions.integrations import crm, erp, inventory, payments, shipping
from ai_missions.integrations.loader import write_book
from ai_missions.integrations.scan import OrderException, scan_exceptions
from ai_missions.integrations.seed import generate, story_order_id
from ai_missions.integrations.systems import connect
from ai_missions.kernel.errors import ConflictError, NotFoundError, ValidationError


@cache
def small_book() -> dict[str, Any]:
    return generate(orders=300, seed=11)


@pytest.fixture
def book(missions_home: Path) -> Path:
    write_book(small_book(), missions_home)
    return missions_home


@pytest.fixture
def db(book: Path) -> Iterator[dict[str, sqlite3.Connection]]:
    conns = {s: connect(s, book) for s in ("erp", "crm", "inventory", "payments", "shipping")}
    yield conns
    for conn in conns.values():
        conn.close()


def first(rows: list[OrderException], kind: str, alone: bool = True) -> OrderException:
    return next(r for r in rows if kind in r.types and (not alone or r.types == [kind]))


def snapshot_tables(conn: sqlite3.Connection) -> dict[str, list[tuple[Any, ...]]]:
    tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
    return {t: [tuple(r) for r in conn.execute(f"SELECT * FROM {t} ORDER BY rowid")] for t in tables}


# --- ERP --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("system", "call", "args"),
    [
        ("erp", erp.get_order, ("SO-999999",)),
        ("crm", crm.get_customer, ("C-0",)),
        ("inventory", inventory.get_stock, ("SKU-0",)),
        ("inventory", inventory.get_reservations, ("SO-999999",)),
        ("payments", payments.get_payment, ("SO-999999",)),
        ("shipping", shipping.get_address_validation, ("SO-999999",)),
        ("payments", payments.capture_payment, ("AUTH-999999", 10.0, "k1")),
    ],
    ids=lambda value: getattr(value, "__name__", None),
)
def test_unknown_ids_are_not_found(
    db: dict[str, sqlite3.Connection], system: str, call: Callable[..., object], args: tuple[object, ...]
) -> None:
    with pytest.raises(NotFoundError, match="unknown"):
        call(db[system], *args)


def test_an_unknown_order_is_named_in_the_error(db: dict[str, sqlite3.Connection]) -> None:
    with pytest.raises(NotFoundError, match="unknown order 'SO-999999'"):
        erp.get_order(db["erp"], "SO-999999")


def test_order_read_is_complete(db: dict[str, sqlite3.Connection], book: Path) -> None:
    story = story_order_id(book)
    assert story is not None
    order = erp.get_order(db["erp"], story)
    assert order.status == "payment_review"
    assert order.is_open
    assert order.total == pytest.approx(order.subtotal + order.shipping + order.tax)
    assert order.ship_to.fingerprint
    assert order.age_hours > 0
    history = erp.get_order_history(db["erp"], story)
    assert [e.to_status for e in history.events] == ["pending", "payment_review"]


def test_story_order_is_the_flagship(db: dict[str, sqlite3.Connection], book: Path) -> None:
    story = story_order_id(book)
    assert story is not None
    order = erp.get_order(db["erp"], story)
    customer = crm.get_customer(db["crm"], order.customer_id)
    assert 5.0 <= customer.tenure_years < 5.1
    assert customer.days_since_address_change == pytest.approx(14.0)
    history = crm.get_address_history(db["crm"], order.customer_id)
    assert order.ship_to.fingerprint == history.addresses[0].address.fingerprint
    fraud = payments.get_fraud_assessment(db["payments"], story)
    assert fraud.elevated
    assert fraud.reason_codes == ["new_shipping_address"]
    assert payments.get_payment(db["payments"], story).hold_active
    (reservation,) = inventory.get_reservations(db["inventory"], story).reservations
    assert reservation.status == "pending"
    assert reservation.quantity == 1
    stock = inventory.get_stock(db["inventory"], reservation.sku)
    here = next(s for s in stock.locations if s.location_id == reservation.location_id)
    assert (here.on_hand, here.available, here.last_counted_qty, stock.total_on_hand) == (1, 1, 1, 1)


def test_context_reads_return_every_part_or_say_why_not(db: dict[str, sqlite3.Connection], book: Path) -> None:
    story = story_order_id(book)
    assert story is not None
    order = erp.get_order(db["erp"], story)
    context = erp.get_order_context(db["erp"], story, 60)
    assert (context.order, context.similar_orders) == (order, erp.find_similar_orders(db["erp"], story, 60))
    customer = crm.get_customer_context(db["crm"], order.customer_id)
    assert customer.customer == crm.get_customer(db["crm"], order.customer_id)
    assert customer.messages == crm.list_messages(db["crm"], order.customer_id)
    assert customer.missing == {}
    sku = order.lines[0].sku
    stock = inventory.get_inventory_context(db["inventory"], story, [sku, "SKU-0", sku])
    assert stock.reservations == inventory.get_reservations(db["inventory"], story)
    assert stock.stock == {sku: inventory.get_stock(db["inventory"], sku), "SKU-0": None}
    assert list(stock.missing) == ["stock:SKU-0"]
    assert "NotFoundError" in stock.missing["stock:SKU-0"]
    pay = payments.get_payment_context(db["payments"], story)
    assert pay.fraud_assessment == payments.get_fraud_assessment(db["payments"], story)
    ship = shipping.get_shipping_context(db["shipping"], "SO-999999")  # nothing to read: every part says why
    assert (ship.address_validation, ship.shipments) == (None, None)
    assert set(ship.missing) == {"address_validation", "shipments"}
    with pytest.raises(NotFoundError, match="unknown order"):  # without the order there is no context
        erp.get_order_context(db["erp"], "SO-999999")


def test_hold_release_cancel_and_event_feed(db: dict[str, sqlite3.Connection]) -> None:
    conn = db["erp"]
    last = erp.read_events(conn, 0, 1000)
    while last.has_more:
        last = erp.read_events(conn, last.next_after_id, 1000)
    cursor = last.next_after_id
    order_id = erp.list_orders(conn, status="pending", limit=1).orders[0].order_id

    held = erp.place_order_hold(conn, order_id, "customer asked to wait", "hold-1")
    assert (held.status, held.previous_status, held.replayed) == ("on_hold", "pending", False)
    with pytest.raises(ConflictError, match="active hold"):
        erp.release_to_fulfillment(conn, order_id, "rel-0")
    released = erp.release_order_hold(conn, order_id, "unhold-1")
    assert released.status == "pending"
    with pytest.raises(ConflictError, match="no active hold"):
        erp.release_order_hold(conn, order_id, "unhold-2")
    assert erp.release_to_fulfillment(conn, order_id, "rel-1").status == "ready_to_fulfill"
    assert erp.cancel_order(conn, order_id, "customer changed their mind", "cancel-1").status == "cancelled"
    with pytest.raises(ConflictError, match="already cancelled"):
        erp.cancel_order(conn, order_id, "again", "cancel-2")

    page = erp.read_events(conn, cursor)
    assert [(e.from_status, e.to_status) for e in page.events] == [
        ("pending", "on_hold"),
        ("on_hold", "pending"),
        ("pending", "ready_to_fulfill"),
        ("ready_to_fulfill", "cancelled"),
    ]
    ids = [e.event_id for e in page.events]
    assert ids == sorted(ids)
    assert ids[0] > cursor
    assert not page.has_more
    assert erp.read_events(conn, page.next_after_id).events == []


def test_no_cancel_after_shipment(db: dict[str, sqlite3.Connection]) -> None:
    shipped = erp.list_orders(db["erp"], status="shipped", limit=1).orders[0].order_id
    before = snapshot_tables(db["erp"])
    with pytest.raises(ConflictError, match="after shipment"):
        erp.cancel_order(db["erp"], shipped, "too late", "cancel-shipped")
    assert snapshot_tables(db["erp"]) == before


def test_idempotent_replay_and_conflicting_key(db: dict[str, sqlite3.Connection]) -> None:
    conn = db["erp"]
    order_id = erp.list_orders(conn, status="pending", limit=1).orders[0].order_id
    first_result = erp.place_order_hold(conn, order_id, "check stock", "same-key")
    after_first = snapshot_tables(conn)
    replay = erp.place_order_hold(conn, order_id, "check stock", "same-key")
    assert replay.replayed
    assert replay.model_copy(update={"replayed": False}) == first_result
    assert snapshot_tables(conn) == after_first
    with pytest.raises(ConflictError, match="already used"):
        erp.place_order_hold(conn, order_id, "another reason", "same-key")
    with pytest.raises(ConflictError, match="already used"):
        erp.cancel_order(conn, order_id, "check stock", "same-key")
    assert snapshot_tables(conn) == after_first


def test_validation_errors(db: dict[str, sqlite3.Connection]) -> None:
    order_id = erp.list_orders(db["erp"], status="pending", limit=1).orders[0].order_id
    with pytest.raises(ValidationError):
        erp.place_order_hold(db["erp"], order_id, "  ", "k")
    with pytest.raises(ValidationError):
        erp.place_order_hold(db["erp"], order_id, "ok", "")
    with pytest.raises(ValidationError):
        erp.list_orders(db["erp"], status="lost")
    with pytest.raises(ValidationError):
        erp.read_events(db["erp"], -1)
    auth = payments.get_payment(db["payments"], order_id).authorizations[0].authorization_id
    for bad in (-5.0, 0.0, 1.234, float("nan")):
        with pytest.raises(ValidationError):
            payments.capture_payment(db["payments"], auth, bad, f"cap-{bad}")
    with pytest.raises(ValidationError):
        crm.send_customer_message(db["crm"], "C-10001", "pigeon", "hi", "hello", "m1")
    with pytest.raises(ValidationError):
        inventory.adjust_stock(db["inventory"], "SKU-1001", "DC-EAST", -1, "count", "adj")


# --- payments ---------------------------------------------------------------------------------------------------


def test_capture_and_refund_invariants(db: dict[str, sqlite3.Connection], book: Path) -> None:
    conn = db["payments"]
    rows = scan_exceptions(book)
    expiring = first(rows, "auth_expiring")
    payment = payments.get_payment(conn, expiring.order_id)
    auth = payment.authorizations[0]
    assert auth.status == "authorized"
    assert 0 <= auth.expires_in_hours <= 24
    with pytest.raises(ConflictError, match="exceeds"):
        payments.capture_payment(conn, auth.authorization_id, auth.amount + 0.01, "cap-over")
    captured = payments.capture_payment(conn, auth.authorization_id, auth.amount, "cap-1")
    assert captured.authorization.status == "captured"
    assert captured.authorization.capturable_amount == 0
    with pytest.raises(ConflictError, match="exceeds"):
        payments.capture_payment(conn, auth.authorization_id, 1.0, "cap-2")
    with pytest.raises(ConflictError, match="only uncaptured"):
        payments.void_authorization(conn, auth.authorization_id, "void-1")
    capture_id = captured.capture.capture_id
    payments.refund_payment(conn, capture_id, 10.0, "goodwill", "rf-1")
    with pytest.raises(ConflictError, match="exceeds"):
        payments.refund_payment(conn, capture_id, auth.amount, "too much", "rf-2")
    rest = round(auth.amount - 10.0, 2)
    assert payments.refund_payment(conn, capture_id, rest, "rest", "rf-3").capture.refundable_amount == 0
    assert expiring.order_id not in {r.order_id for r in scan_exceptions(book) if "auth_expiring" in r.types}


def test_no_capture_under_hold_or_on_voided_or_expired(db: dict[str, sqlite3.Connection], book: Path) -> None:
    conn = db["payments"]
    review = first(scan_exceptions(book), "payment_review")
    auth = payments.get_payment(conn, review.order_id).authorizations[0]
    with pytest.raises(ConflictError, match="payment hold"):
        payments.capture_payment(conn, auth.authorization_id, auth.amount, "cap-held")
    with pytest.raises(ConflictError, match="already has an active payment hold"):
        payments.place_payment_hold(conn, review.order_id, "again", "ph-2")
    payments.release_payment_hold(conn, review.order_id, "ph-release")
    with pytest.raises(ConflictError, match="no active payment hold"):
        payments.release_payment_hold(conn, review.order_id, "ph-release-2")
    payments.void_authorization(conn, auth.authorization_id, "void")
    with pytest.raises(ConflictError, match="voided"):
        payments.capture_payment(conn, auth.authorization_id, 1.0, "cap-void")
    expired = conn.execute(
        "SELECT authorization_id FROM authorizations WHERE status = 'authorized' AND expires_at < "
        "(SELECT value FROM meta WHERE key = 'book_now') LIMIT 1"
    ).fetchone()
    if expired is None:  # make one: an uncaptured authorization past its expiry
        pending = erp.list_orders(db["erp"], status="pending", limit=1).orders[0].order_id
        auth_id = payments.get_payment(conn, pending).authorizations[0].authorization_id
        conn.execute(
            "UPDATE authorizations SET expires_at = '2026-01-01T00:00:00Z' WHERE authorization_id = ?", (auth_id,)
        )
    else:
        auth_id = expired[0]
    with pytest.raises(ConflictError, match="expired"):
        payments.capture_payment(conn, auth_id, 1.0, "cap-expired")


def test_double_charge_refund_clears_the_exception(db: dict[str, sqlite3.Connection], book: Path) -> None:
    charged = first(scan_exceptions(book), "double_charge")
    payment = payments.get_payment(db["payments"], charged.order_id)
    assert payment.capture_count == 2
    assert payment.net_captured > payment.authorized_amount
    extra = payment.captures[-1]
    payments.refund_payment(db["payments"], extra.capture_id, extra.amount, "duplicate capture", "rf-dup")
    assert "double_charge" not in next((r.types for r in scan_exceptions(book) if r.order_id == charged.order_id), [])


# --- inventory --------------------------------------------------------------------------------------------------


def test_oversell_confirm_refused_then_reallocated(db: dict[str, sqlite3.Connection], book: Path) -> None:
    conn = db["inventory"]
    oversold = first(scan_exceptions(book), "oversell")
    (res,) = inventory.get_reservations(conn, oversold.order_id).reservations
    before = snapshot_tables(conn)
    with pytest.raises(ConflictError, match="available"):
        inventory.confirm_reservation(conn, res.reservation_id, "confirm-short")
    assert snapshot_tables(conn) == before
    stock = inventory.get_stock(conn, res.sku)
    target = next(
        s.location_id for s in stock.locations if s.available >= res.quantity and s.location_id != res.location_id
    )
    moved = inventory.reallocate_reservation(conn, res.reservation_id, target, "move-1")
    assert moved.previous_location_id == res.location_id
    assert moved.reservation.location_id == target
    confirmed = inventory.confirm_reservation(conn, res.reservation_id, "confirm-1")
    assert confirmed.reservation.status == "confirmed"
    after = next(s for s in inventory.get_stock(conn, res.sku).locations if s.location_id == target)
    assert after.reserved >= res.quantity
    assert oversold.order_id not in {r.order_id for r in scan_exceptions(book) if "oversell" in r.types}
    with pytest.raises(ConflictError, match="confirmed reservations"):
        inventory.adjust_stock(conn, res.sku, target, 0, "recount", "adj-too-low")


def test_phantom_adjust_stock(db: dict[str, sqlite3.Connection], book: Path) -> None:
    conn = db["inventory"]
    phantom = first(scan_exceptions(book), "phantom_inventory")
    (res,) = inventory.get_reservations(conn, phantom.order_id).reservations
    latest = inventory.get_cycle_counts(conn, res.sku, res.location_id).counts[0]
    here = next(s for s in inventory.get_stock(conn, res.sku).locations if s.location_id == res.location_id)
    assert latest.counted_qty < here.on_hand
    result = inventory.adjust_stock(conn, res.sku, res.location_id, latest.counted_qty, "cycle count", "adj-1")
    assert (result.from_qty, result.to_qty) == (here.on_hand, latest.counted_qty)
    assert "phantom_inventory" not in next(
        (r.types for r in scan_exceptions(book) if r.order_id == phantom.order_id), []
    )


# --- shipping and CRM -------------------------------------------------------------------------------------------


def test_address_correction(db: dict[str, sqlite3.Connection], book: Path) -> None:
    conn = db["shipping"]
    rows = scan_exceptions(book)
    fixable = next(
        r for r in rows if "address_invalid" in r.types and r.details["address_invalid"].startswith("corrected")
    )
    broken = next(
        r for r in rows if "address_invalid" in r.types and r.details["address_invalid"].startswith("undeliverable")
    )
    validation = shipping.get_address_validation(conn, fixable.order_id)
    assert validation.has_suggestion
    assert validation.suggestion is not None
    applied = shipping.apply_address_correction(conn, fixable.order_id, "fix-1")
    assert applied.validation.status == "valid"
    assert applied.validation.corrected_from == validation.address
    with pytest.raises(ConflictError, match="no correction"):
        shipping.apply_address_correction(conn, fixable.order_id, "fix-2")
    with pytest.raises(ConflictError, match="undeliverable"):
        shipping.apply_address_correction(conn, broken.order_id, "fix-3")
    assert fixable.order_id not in {r.order_id for r in scan_exceptions(book) if "address_invalid" in r.types}


def test_validate_address_rules() -> None:
    good = shipping.validate_address("A", "12 Pine Street", "Seattle", "WA", "98101")
    assert good.status == "valid"
    fixed = shipping.validate_address("A", "12 Pine Stret", "Seattle", "wa", "10001")
    assert fixed.status == "corrected"
    assert fixed.suggestion is not None
    assert (fixed.suggestion.line1, fixed.suggestion.region, fixed.suggestion.postal_code) == (
        "12 Pine Street",
        "WA",
        "98101",
    )
    assert shipping.validate_address("A", "Pine Street", "Seattle", "WA", "98101").status == "undeliverable"
    assert shipping.validate_address("A", "1 Main St", "Atlantis", "WA", "98101").issues == ["unknown_city"]


def test_crm_note_and_message(db: dict[str, sqlite3.Connection]) -> None:
    conn = db["crm"]
    customer_id = conn.execute("SELECT customer_id FROM customers WHERE allowed_channels = '[\"email\"]'").fetchone()[0]
    note = crm.add_note(conn, customer_id, "Verified the new address by phone.", "note-1")
    assert crm.list_notes(conn, customer_id).notes[0].note_id == note.note.note_id
    sent = crm.send_customer_message(conn, customer_id, "email", "Your order", "It ships today.", "msg-1")
    assert sent.delivered
    assert crm.list_messages(conn, customer_id).messages[0].message_id == sent.message.message_id
    with pytest.raises(ConflictError, match="does not accept sms"):
        crm.send_customer_message(conn, customer_id, "sms", "Your order", "It ships today.", "msg-2")
    assert crm.send_customer_message(conn, customer_id, "email", "Your order", "It ships today.", "msg-1").replayed
    assert len([m for m in crm.list_messages(conn, customer_id).messages if m.subject == "Your order"]) == 1
