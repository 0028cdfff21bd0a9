"""Hand-written fact sets for the flagship story and its variations."""

from __future__ import annotations

from typing import Any

from ai_missions.graphs.order_exception.vocabulary import FACTS


def story_facts(**changes: Any) -> dict[str, Any]:
    """Payment review on a five-year customer who moved; clean auth; one unit physically in stock."""
    facts: dict[str, Any] = dict.fromkeys(FACTS)
    facts.update(
        {
            "exception.types": ["payment_review"],
            "exception.count": 1,
            "order.id": "SO-1",
            "order.status": "payment_review",
            "order.total": 129.0,
            "order.currency": "USD",
            "order.channel": "web",
            "order.age_hours": 3.0,
            "order.shipped": False,
            "order.active_holds": 0,
            "order.skus": ["SKU-1"],
            "order.ship_city": "Springfield",
            "order.ship_region": "IL",
            "order.ship_country": "US",
            "order.fulfillment_method": "ship",
            "order.pickup_location": None,
            "customer.id": "CU-1",
            "customer.tier": "gold",
            "customer.is_vip": False,
            "customer.tenure_years": 5.2,
            "customer.lifetime_value": 4200.0,
            "customer.days_since_address_change": 12.0,
            "customer.order_ship_to_in_history": True,
            "customer.fraud_flags": 0,
            "customer.open_cases": 0,
            # the notes and messages were read and none says both near-identical orders are wanted (ORD-001)
            "customer.wants_both_orders": False,
            "payment.authorization_id": "AUTH-1",
            "payment.auth_status": "authorized",
            "payment.auth_amount": 129.0,
            "payment.auth_expires_in_hours": 140.0,
            "payment.captured_amount": 0.0,
            "payment.capture_count": 0,
            "payment.capture_ids": [],
            "payment.refunded_amount": 0.0,
            "payment.fraud_score": 72,
            "payment.fraud_reasons": ["new_shipping_address"],
            "payment.fraud_only_address_change": True,
            "payment.fraud_card_or_device": False,
            "payment.hold_active": True,
            "inventory.reservation_id": "RSV-1",
            "inventory.reservation_ids": ["RSV-1"],
            "inventory.pending_reservation_ids": ["RSV-1"],
            "inventory.locations": ["DC-EAST", "DC-WEST"],
            "inventory.reservation_status": "pending",
            "inventory.reservation_location": "DC-EAST",
            "inventory.sku": "SKU-1",
            "inventory.units_short": 0,
            "inventory.counted_short": 0,
            "inventory.phantom": False,
            "inventory.counted_available": 1,
            "inventory.counted_on_hand": 1,
            "address.status": "valid",
            "address.has_suggestion": False,
            "address.known_to_customer": True,
            "address.correction_changes_locality": False,
        }
    )
    changed = {k.replace("__", "."): v for k, v in changes.items()}
    facts.update(changed)
    if "inventory.pending_reservation_ids" not in changed and (
        "inventory.reservation_ids" in changed or "inventory.reservation_status" in changed
    ):
        # kept consistent, as the gathered facts are: the story's reservations are all pending, or none is
        pending = facts["inventory.reservation_status"] == "pending"
        facts["inventory.pending_reservation_ids"] = list(facts["inventory.reservation_ids"] or []) if pending else []
    return facts
