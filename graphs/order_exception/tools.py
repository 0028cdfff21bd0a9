"""The order mission's tool policy: what each write tool is to this mission, in one place.

Phases give the right order to act in, whoever proposed the actions: data is corrected first (stock counts,
addresses, reservation moves), then money and stock are settled (holds, captures, voids, refunds, cancellations,
reservations), then the order is released to fulfilment, and people are told last, once what they are told is
true. Only internal notes may run without a reviewer. ``ids`` ties each identifier argument to the facts naming
this order's records, so no action (proposed or edited) can touch another order's.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ai_missions.mission_api import ToolPolicy, tool_rule

DATA, SETTLE, FULFIL, TELL = range(4)

#: Only this order: a duplicate decision may touch the duplicate it runs on, never the original it duplicates.
_ORDER = {"order_id": ("order.id",)}
#: A cancellation may also name the other open copies of the order's duplicate cluster (never the kept one).
_CANCEL = {"order_id": ("order.id", "duplicate.other_copy_ids")}
_CUSTOMER = {"customer_id": ("customer.id",)}
_RESERVATION = {"reservation_id": ("inventory.reservation_ids", "inventory.reservation_id")}
#: Settling a cancellation may also name the records of the cluster's other copies (read for that decision only):
#: their authorizations, captures and reservations, never the kept order's or another order's.
_SETTLE_RESERVATION = {"reservation_id": (*_RESERVATION["reservation_id"], "duplicate.other_reservation_ids")}
_LOCATION = ("inventory.locations",)
_STOCK = {"sku": ("order.skus",), "location_id": _LOCATION}
_AUTHORIZATION = {"authorization_id": ("payment.authorization_id",)}
_VOID = {"authorization_id": ("payment.authorization_id", "duplicate.other_authorization_ids")}
_REFUND = {"capture_id": ("payment.capture_ids", "duplicate.other_capture_ids")}
_REASON = frozenset({"reason"})

#: What each action depends on when the same plan has it (``ToolRule.depends_on``): it runs after it, and a
#: rejected or failed one skips it. A confirmation needs the reservation moved first; a capture needs the holds
#: off and the stock confirmed (never money for goods that cannot ship); fulfilment needs everything that clears
#: the order; a void, a stock release or a refund that settles a cancellation needs the cancellation; a message
#: tells the customer what happened, so it needs every write before it.
_MOVE = frozenset({"reallocate_reservation"})
_CLEAR = frozenset({"release_payment_hold", "release_order_hold", "confirm_reservation", "reallocate_reservation"})
_CANCELLED = frozenset({"cancel_order"})
_WRITES = frozenset(
    {
        "adjust_stock",
        "apply_address_correction",
        "reallocate_reservation",
        "place_payment_hold",
        "place_order_hold",
        "release_payment_hold",
        "release_order_hold",
        "capture_payment",
        "void_authorization",
        "refund_payment",
        "cancel_order",
        "release_reservation",
        "confirm_reservation",
        "release_to_fulfillment",
    }
)


#: The settling tools, by the argument naming the record they settle and the facts listing the order's own.
_SETTLES = {
    "void_authorization": ("authorization_id", ("payment.authorization_id",)),
    "refund_payment": ("capture_id", ("payment.capture_ids",)),
    "release_reservation": ("reservation_id", ("inventory.reservation_ids", "inventory.reservation_id")),
}


def settled_order(tool: str, args: Mapping[str, Any], facts: Mapping[str, Any]) -> str | None:
    """The order an action settles, when a duplicate cluster's decision settles several: a cancellation's order;
    a void, refund or release of this order's records or of another copy's (``duplicate.other_copy_records``).
    So a rejected cancellation of one copy skips that copy's void and release, not the others'. None otherwise
    (the action then depends on what its rule says, whatever the order)."""
    if tool == "cancel_order":
        order = args.get("order_id")
        return None if order is None else str(order)
    if tool not in _SETTLES:
        return None
    arg, own = _SETTLES[tool]
    record = str(args.get(arg))
    others = facts.get("duplicate.other_copy_records") or {}
    if record in others:
        return str(others[record])
    mine: set[str] = set()
    for name in own:
        value = facts.get(name)
        mine |= {str(v) for v in value} if isinstance(value, list) else ({str(value)} if value is not None else set())
    return str(facts["order.id"]) if record in mine and facts.get("order.id") is not None else None


TOOLS = ToolPolicy(
    [
        tool_rule(
            "inventory", "adjust_stock", DATA, ids=_STOCK, free_text=_REASON, depends_on=frozenset(), moves_stock=True
        ),
        tool_rule("shipping", "apply_address_correction", DATA, advancing=True, ids=_ORDER, depends_on=frozenset()),
        tool_rule(
            "inventory",
            "reallocate_reservation",
            DATA,
            advancing=True,
            ids={**_RESERVATION, "to_location_id": _LOCATION},
            depends_on=frozenset(),
            moves_stock=True,
        ),
        tool_rule("payments", "place_payment_hold", SETTLE, ids=_ORDER, free_text=_REASON, depends_on=frozenset()),
        tool_rule("erp", "place_order_hold", SETTLE, ids=_ORDER, free_text=_REASON, depends_on=frozenset()),
        tool_rule("payments", "release_payment_hold", SETTLE, advancing=True, ids=_ORDER, depends_on=frozenset()),
        tool_rule(
            "erp",
            "release_order_hold",
            SETTLE,
            advancing=True,
            ids=_ORDER,
            depends_on=frozenset({"apply_address_correction", "reallocate_reservation"}),
        ),
        tool_rule("payments", "capture_payment", SETTLE, advancing=True, ids=_AUTHORIZATION, depends_on=_CLEAR),
        tool_rule("payments", "void_authorization", SETTLE, ids=_VOID, depends_on=_CANCELLED),
        tool_rule("payments", "refund_payment", SETTLE, ids=_REFUND, free_text=_REASON, depends_on=_CANCELLED),
        tool_rule("erp", "cancel_order", SETTLE, ids=_CANCEL, free_text=_REASON, depends_on=frozenset()),
        tool_rule(
            "inventory",
            "release_reservation",
            SETTLE,
            ids=_SETTLE_RESERVATION,
            depends_on=_CANCELLED,
            moves_stock=True,
        ),
        tool_rule(
            "inventory",
            "confirm_reservation",
            SETTLE,
            advancing=True,
            ids=_RESERVATION,
            depends_on=_MOVE,
            moves_stock=True,
        ),
        tool_rule(
            "erp",
            "release_to_fulfillment",
            FULFIL,
            advancing=True,
            ids=_ORDER,
            depends_on=_CLEAR | {"capture_payment", "apply_address_correction"},
        ),
        tool_rule(
            "crm",
            "send_customer_message",
            TELL,
            ids={**_ORDER, **_CUSTOMER},
            free_text=frozenset({"subject", "body", "channel"}),
            depends_on=_WRITES,
        ),
        tool_rule(
            "crm",
            "add_note",
            TELL,
            automatable=True,
            ids={**_ORDER, **_CUSTOMER},
            free_text=frozenset({"body", "author"}),
            depends_on=frozenset(),
            note_text="body",
        ),
    ],
    owner=settled_order,
)
