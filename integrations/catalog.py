"""The catalog of the simulated enterprise systems' MCP tools: one source of truth for names and kinds.

Each system's MCP server implements exactly the tools listed here (a test checks it). Missions read freely;
``write`` tools change money, stock, orders or reach a customer and take an ``idempotency_key``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

SystemName = Literal["erp", "crm", "inventory", "payments", "shipping"]
SYSTEMS: tuple[str, ...] = SystemName.__args__  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class ToolSpec:
    system: str
    name: str
    kind: Literal["read", "write"]
    summary: str
    #: Argument holding a money amount, checked against reviewers' approval limits.
    amount_arg: str | None = None
    destructive: bool = False


TOOLS: tuple[ToolSpec, ...] = (
    # ERP
    ToolSpec("erp", "get_order", "read", "An order with lines, totals, ship-to, status and holds."),
    ToolSpec("erp", "list_orders", "read", "Orders filtered by status and/or customer, newest first."),
    ToolSpec("erp", "get_order_history", "read", "An order's status history."),
    ToolSpec("erp", "find_similar_orders", "read", "Same-customer orders with the same items placed close in time."),
    ToolSpec("erp", "get_order_context", "read", "An order and the same customer's similar orders, in one read."),
    ToolSpec("erp", "read_events", "read", "The order event feed (status changes) after a cursor."),
    ToolSpec("erp", "place_order_hold", "write", "Put an order on hold with a reason."),
    ToolSpec("erp", "release_order_hold", "write", "Release an order's active holds."),
    ToolSpec("erp", "release_to_fulfillment", "write", "Move an order to ready_to_fulfill."),
    ToolSpec("erp", "cancel_order", "write", "Cancel an order (refused after shipment).", destructive=True),
    # CRM
    ToolSpec("crm", "get_customer", "read", "A customer: tenure, tier, lifetime value, contact preferences."),
    ToolSpec("crm", "get_address_history", "read", "A customer's addresses with the dates they were used from."),
    ToolSpec("crm", "list_notes", "read", "Notes on a customer."),
    ToolSpec("crm", "list_cases", "read", "Support cases of a customer."),
    ToolSpec("crm", "list_messages", "read", "Messages to and from a customer."),
    ToolSpec("crm", "get_customer_context", "read", "A customer, address history, cases and messages, in one read."),
    ToolSpec("crm", "add_note", "write", "Add a note to a customer."),
    ToolSpec("crm", "send_customer_message", "write", "Send a message to a customer (it reaches them)."),
    # Inventory
    ToolSpec("inventory", "get_stock", "read", "On hand, reserved and available per location for a SKU."),
    ToolSpec("inventory", "get_reservations", "read", "Reservations of an order."),
    ToolSpec("inventory", "get_cycle_counts", "read", "Recent cycle counts for a SKU (per location)."),
    ToolSpec("inventory", "get_inventory_context", "read", "An order's reservations and its SKUs' stock, in one read."),
    ToolSpec("inventory", "confirm_reservation", "write", "Confirm a pending reservation (needs stock)."),
    ToolSpec("inventory", "release_reservation", "write", "Release a reservation, returning its units."),
    ToolSpec("inventory", "reallocate_reservation", "write", "Move a reservation to another location."),
    ToolSpec("inventory", "adjust_stock", "write", "Set on-hand to a counted quantity (after a cycle count)."),
    # Payments
    ToolSpec("payments", "get_payment", "read", "An order's authorizations, captures, refunds and holds."),
    ToolSpec("payments", "get_fraud_assessment", "read", "An order's fraud score with reason codes."),
    ToolSpec("payments", "get_payment_context", "read", "An order's payment and fraud assessment, in one read."),
    ToolSpec("payments", "place_payment_hold", "write", "Place a payment hold on an order."),
    ToolSpec("payments", "release_payment_hold", "write", "Release an order's payment hold."),
    ToolSpec("payments", "capture_payment", "write", "Capture an authorization (up to its amount).", "amount"),
    ToolSpec("payments", "void_authorization", "write", "Void an uncaptured authorization.", destructive=True),
    ToolSpec("payments", "refund_payment", "write", "Refund a capture (never more than captured).", "amount"),
    # Shipping
    ToolSpec(
        "shipping", "validate_address", "read", "Validate an address: valid, corrected suggestion, undeliverable."
    ),
    ToolSpec("shipping", "get_address_validation", "read", "The validation result of an order's ship-to."),
    ToolSpec("shipping", "list_shipments", "read", "Shipments of an order with tracking events."),
    ToolSpec("shipping", "get_shipping_context", "read", "An order's ship-to validation and shipments, in one read."),
    ToolSpec("shipping", "apply_address_correction", "write", "Apply the suggested correction to an order's ship-to."),
)

TOOLS_BY_NAME: dict[str, ToolSpec] = {tool.name: tool for tool in TOOLS}
WRITE_TOOLS: frozenset[str] = frozenset(t.name for t in TOOLS if t.kind == "write")


def tools_of(system: str) -> tuple[ToolSpec, ...]:
    """The tools one system serves."""
    return tuple(t for t in TOOLS if t.system == system)
