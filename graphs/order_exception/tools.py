"""The order mission's tool policy: what each write tool is to this mission, in one place.

Phases give the right order to act in, whoever proposed the actions: data is corrected first (stock counts,
addresses, reservation moves), then money and stock are settled (holds, captures, voids, refunds, cancellations,
reservations), then the order is released to fulfilment, and people are told last, once what they are told is
true. Only internal notes may run without a reviewer. ``ids`` ties each identifier argument to the facts naming
this order's records, so no action (proposed or edited) can touch another order's.
"""

from __future__ import annotations

from ai_missions.contracts import contract
from ai_missions.missions import ToolPolicy, ToolRule

DATA, SETTLE, FULFIL, TELL = range(4)

#: Only this order: a duplicate decision may touch the duplicate it runs on, never the original it duplicates.
_ORDER = {"order_id": ("order.id",)}
_CUSTOMER = {"customer_id": ("customer.id",)}
_RESERVATION = {"reservation_id": ("inventory.reservation_ids", "inventory.reservation_id")}
_LOCATION = ("inventory.locations",)
_STOCK = {"sku": ("order.skus",), "location_id": _LOCATION}
_AUTHORIZATION = {"authorization_id": ("payment.authorization_id",)}
_CAPTURE = {"capture_id": ("payment.capture_ids",)}
_REASON = frozenset({"reason"})


def _rule(system: str, tool: str, phase: int, **options: object) -> ToolRule:
    return ToolRule(contract(system).tool(tool), phase, **options)  # type: ignore[arg-type]


TOOLS = ToolPolicy(
    [
        _rule("inventory", "adjust_stock", DATA, ids=_STOCK, free_text=_REASON),
        _rule("shipping", "apply_address_correction", DATA, advancing=True, ids=_ORDER),
        _rule(
            "inventory",
            "reallocate_reservation",
            DATA,
            advancing=True,
            ids={**_RESERVATION, "to_location_id": _LOCATION},
        ),
        _rule("payments", "place_payment_hold", SETTLE, ids=_ORDER, free_text=_REASON),
        _rule("erp", "place_order_hold", SETTLE, ids=_ORDER, free_text=_REASON),
        _rule("payments", "release_payment_hold", SETTLE, advancing=True, ids=_ORDER),
        _rule("erp", "release_order_hold", SETTLE, advancing=True, ids=_ORDER),
        _rule("payments", "capture_payment", SETTLE, advancing=True, ids=_AUTHORIZATION),
        _rule("payments", "void_authorization", SETTLE, ids=_AUTHORIZATION),
        _rule("payments", "refund_payment", SETTLE, ids=_CAPTURE, free_text=_REASON),
        _rule("erp", "cancel_order", SETTLE, ids=_ORDER, free_text=_REASON),
        _rule("inventory", "release_reservation", SETTLE, ids=_RESERVATION),
        _rule("inventory", "confirm_reservation", SETTLE, advancing=True, ids=_RESERVATION),
        _rule("erp", "release_to_fulfillment", FULFIL, advancing=True, ids=_ORDER),
        _rule(
            "crm",
            "send_customer_message",
            TELL,
            ids={**_ORDER, **_CUSTOMER},
            free_text=frozenset({"subject", "body", "channel"}),
        ),
        _rule(
            "crm",
            "add_note",
            TELL,
            automatable=True,
            ids={**_ORDER, **_CUSTOMER},
            free_text=frozenset({"body", "author"}),
        ),
    ]
)
