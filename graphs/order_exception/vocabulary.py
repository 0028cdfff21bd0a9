"""The order mission's words: exception types, outcomes, policy domains and the facts it derives.

Policies' machine-checkable clauses are written against :data:`FACTS`; the gather step derives exactly these
facts from what the systems return; the trigger reports :data:`EXCEPTION_TYPES`.
"""

from __future__ import annotations

from typing import Literal

from ai_missions.mission_api import Vocabulary

ExceptionType = Literal[
    "payment_review",
    "auth_expiring",
    "oversell",
    "phantom_inventory",
    "address_invalid",
    "duplicate_order",
    "double_charge",
    "capture_on_cancelled",
]
EXCEPTION_TYPES: tuple[str, ...] = ExceptionType.__args__  # type: ignore[attr-defined]

Outcome = Literal["proceed", "hold", "cancel", "escalate"]
OUTCOMES: tuple[str, ...] = Outcome.__args__  # type: ignore[attr-defined]

DOMAINS: tuple[str, ...] = (
    "payments",  # payment review, fraud holds, capture and expiry, refunds, double charges
    "inventory",  # reservations, oversell, reallocation, phantom stock, cycle counts
    "fulfillment",  # address validation and correction, shipping
    "orders",  # duplicates, cancellations, returns
    "customer",  # communication, VIP and tier handling
    "governance",  # approval thresholds, action tiers, escalation
)

#: Fact name -> (type, description). ``None`` is a legal value for any fact and means "not known".
FACTS: dict[str, tuple[str, str]] = {
    "exception.types": ("list", "exception types detected on the order"),
    "exception.count": ("int", "how many exception types the order has"),
    "order.id": ("str", "the order id"),
    "order.status": ("str", "ERP status: pending, payment_review, on_hold, ready_to_fulfill, shipped, ..."),
    "order.total": ("number", "order total in its currency"),
    "order.currency": ("str", "ISO currency code"),
    "order.channel": ("str", "web, mobile, marketplace, phone"),
    "order.age_hours": ("number", "hours since the order was placed"),
    "order.shipped": ("bool", "a shipment exists for the order"),
    "order.active_holds": ("int", "order holds in force in the ERP (address, stock, waiting for the customer...)"),
    "order.skus": ("list", "SKUs on the order's lines"),
    "order.ship_city": ("str", "the ship-to city"),
    "order.ship_region": ("str", "the ship-to region or state"),
    "order.ship_country": ("str", "the ship-to country"),
    "order.fulfillment_method": ("str", "ship (to the ship-to) or pickup (collected in a store)"),
    "order.pickup_location": ("str", "the store a pickup order is collected from"),
    "customer.id": ("str", "the customer id"),
    "customer.tier": ("str", "standard, silver, gold or vip"),
    "customer.is_vip": ("bool", "the customer is in the VIP tier"),
    "customer.tenure_years": ("number", "years since the customer's first order"),
    "customer.lifetime_value": ("number", "lifetime spend"),
    "customer.days_since_address_change": ("number", "days since the newest address in the history"),
    "customer.order_ship_to_in_history": ("bool", "the order's ship-to is an address in the customer's history"),
    "customer.fraud_flags": ("int", "past confirmed fraud or chargeback flags"),
    "customer.open_cases": ("int", "open support cases"),
    "payment.authorization_id": ("str", "the order's authorization id"),
    "payment.auth_status": ("str", "authorized, captured, voided or expired"),
    "payment.auth_amount": ("number", "authorized amount"),
    "payment.auth_expires_in_hours": ("number", "hours until the authorization expires (negative: expired)"),
    "payment.captured_amount": ("number", "total captured for the order"),
    "payment.capture_count": ("int", "number of captures on the order"),
    "payment.capture_ids": ("list", "ids of the order's captures"),
    "payment.capture_refundable": ("list", "what remains refundable on each capture, in capture_ids order"),
    "payment.duplicate_capture_id": ("str", "the extra capture when the order was charged twice"),
    "payment.duplicate_capture_amount": ("number", "the amount of that extra capture"),
    "payment.over_captured_amount": ("number", "net captured above the order total, with two or more captures"),
    "payment.upcharge_agreed": (
        "bool",
        "a staff note on the order records an upcharge agreed with the customer of exactly the amount over the total",
    ),
    "payment.refunded_amount": ("number", "total refunded for the order"),
    "payment.unrefunded_capture_ids": ("list", "the order's captures with something left to refund"),
    "payment.unrefunded_amounts": ("list", "what is left to refund on each, in unrefunded_capture_ids order"),
    "payment.fraud_score": ("number", "fraud score 0-100"),
    "payment.fraud_reasons": ("list", "reason codes behind the fraud score, e.g. new_shipping_address"),
    "payment.fraud_only_address_change": ("bool", "the only fraud reason is a new shipping address"),
    "payment.fraud_card_or_device": (
        "bool",
        "a fraud reason comes from the card or the device (card country, proxy or risky IP, device...)",
    ),
    "payment.hold_active": ("bool", "a payment hold is in force"),
    "inventory.reservation_id": ("str", "the order's reservation id"),
    "inventory.reservation_ids": ("list", "every active reservation of the order"),
    "inventory.pending_reservation_ids": ("list", "every reservation of the order still pending (not yet confirmed)"),
    "inventory.locations": ("list", "every location holding stock records of the order's SKUs"),
    "inventory.reservation_status": ("str", "pending, confirmed or released"),
    "inventory.reservation_location": ("str", "the location the reservation draws from"),
    "inventory.sku": ("str", "the SKU of that reservation"),
    "inventory.units_short": ("int", "units the reserved location lacks by the system's numbers (0: it can serve)"),
    "inventory.counted_short": ("int", "units the reserved location lacks by its latest cycle count (0: covered)"),
    "inventory.alternate_location": ("str", "another location that can serve the whole order"),
    "inventory.split_can_serve": (
        "bool",
        "no single location but several together have the units the order lacks (a split, with consent: FUL-002)",
    ),
    "inventory.restock_scheduled": (
        "bool",
        "for an order short everywhere: an open restock (supplier PO, transfer) lets a location serve the short units",
    ),
    "inventory.restock_in_days": ("number", "days until the last of the short units arrives by restock"),
    "inventory.restock_date": ("str", "the date that restock is expected (YYYY-MM-DD)"),
    "inventory.backorder_ship_date": (
        "str",
        "the date a backordered order can ship: the restock date plus 3 business days (INV-005)",
    ),
    "inventory.phantom": ("bool", "the latest cycle count found fewer units than the system says"),
    "inventory.counted_available": ("int", "units physically available per the latest cycle count"),
    "inventory.counted_on_hand": ("int", "units the latest cycle count found at the reserved location"),
    "address.status": ("str", "valid, corrected or undeliverable"),
    "address.has_suggestion": ("bool", "address validation offered a corrected address"),
    "address.correction_changes_locality": (
        "bool",
        "the validator's suggested correction changes the city, region or country (another place, not a typo)",
    ),
    "address.known_to_customer": (
        "bool",
        "the ship-to, or the validator's correction of it, is an address in the customer's history",
    ),
    "duplicate.original_order_id": (
        "str",
        "the order a cluster of copies keeps: its first copy (the same whichever later copy is looked at)",
    ),
    "duplicate.copies": ("int", "copies of the order (itself included) in its cluster of duplicates"),
    "duplicate.other_copy_ids": (
        "list",
        "the cluster's other open copies, neither kept nor this order: cancelled in the same decision as this one",
    ),
    "duplicate.cancelled_copies": (
        "str",
        "the copies a duplicate decision cancels (this order and the cluster's other open ones), in words",
    ),
    "duplicate.other_authorization_ids": (
        "list",
        "live authorizations of the cluster's other open copies: voided once their copy is cancelled",
    ),
    "duplicate.other_capture_ids": (
        "list",
        "captures of the cluster's other open copies with something left to refund",
    ),
    "duplicate.other_refund_amounts": (
        "list",
        "what is left to refund on each of duplicate.other_capture_ids, position by position",
    ),
    "duplicate.other_reservation_ids": (
        "list",
        "active reservations of the cluster's other open copies: released once their copy is cancelled",
    ),
    "duplicate.other_copy_records": (
        "map",
        "each record of duplicate.other_authorization_ids, _capture_ids and _reservation_ids -> the copy it belongs to",
    ),
    "duplicate.minutes_apart": (
        "number",
        "minutes since the previous copy (within the cluster), or since the earlier order it may repeat",
    ),
    "duplicate.original_status": ("str", "ERP status of the earlier order"),
    "customer.address_confirmed_on_call": (
        "bool",
        "a staff note on the order or the customer, written since the order was placed, says the customer confirmed "
        "the delivery address on a call (read with its words; False when none does, None when the notes are unread "
        "or it is said unsurely, e.g. a call still planned)",
    ),
    "customer.refused_alternative": (
        "bool",
        "a staff note or the customer's message, since the order was placed, says the customer refused a delivery or "
        "declined an offered alternative (e.g. will wait for the store rather than have it shipped); read with its "
        "words; False when none does, None when the notes are unread or it is said unsurely",
    ),
    "customer.wants_both_orders": (
        "bool",
        "a staff note or the customer's message says both near-identical orders are wanted, or that one must not be "
        "cancelled (read with its words; False when none does, None when the notes are unread or it is said unsurely)",
    ),
}

VOCABULARY = Vocabulary(case_types=EXCEPTION_TYPES, outcomes=OUTCOMES, facts=FACTS, domains=DOMAINS)
