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


def _rule(system: str, tool: str, phase: int, **options: object) -> ToolRule:
    return ToolRule(contract(system).tool(tool), phase, **options)  # type: ignore[arg-type]


TOOLS = ToolPolicy(
    [
        _rule(
            "inventory", "adjust_stock", DATA, ids=_STOCK, free_text=_REASON, depends_on=frozenset(), moves_stock=True
        ),
        _rule("shipping", "apply_address_correction", DATA, advancing=True, ids=_ORDER, depends_on=frozenset()),
        _rule(
            "inventory",
            "reallocate_reservation",
            DATA,
            advancing=True,
            ids={**_RESERVATION, "to_location_id": _LOCATION},
            depends_on=frozenset(),
            moves_stock=True,
        ),
        _rule("payments", "place_payment_hold", SETTLE, ids=_ORDER, free_text=_REASON, depends_on=frozenset()),
        _rule("erp", "place_order_hold", SETTLE, ids=_ORDER, free_text=_REASON, depends_on=frozenset()),
        _rule("payments", "release_payment_hold", SETTLE, advancing=True, ids=_ORDER, depends_on=frozenset()),
        _rule(
            "erp",
            "release_order_hold",
            SETTLE,
            advancing=True,
            ids=_ORDER,
            depends_on=frozenset({"apply_address_correction", "reallocate_reservation"}),
        ),
        _rule("payments", "capture_payment", SETTLE, advancing=True, ids=_AUTHORIZATION, depends_on=_CLEAR),
        _rule("payments", "void_authorization", SETTLE, ids=_AUTHORIZATION, depends_on=_CANCELLED),
        _rule("payments", "refund_payment", SETTLE, ids=_CAPTURE, free_text=_REASON, depends_on=_CANCELLED),
        _rule("erp", "cancel_order", SETTLE, ids=_ORDER, free_text=_REASON, depends_on=frozenset()),
        _rule("inventory", "release_reservation", SETTLE, ids=_RESERVATION, depends_on=_CANCELLED, moves_stock=True),
        _rule(
            "inventory",
            "confirm_reservation",
            SETTLE,
            advancing=True,
            ids=_RESERVATION,
            depends_on=_MOVE,
            moves_stock=True,
        ),
        _rule(
            "erp",
            "release_to_fulfillment",
            FULFIL,
            advancing=True,
            ids=_ORDER,
            depends_on=_CLEAR | {"capture_payment", "apply_address_correction"},
        ),
        _rule(
            "crm",
            "send_customer_message",
            TELL,
            ids={**_ORDER, **_CUSTOMER},
            free_text=frozenset({"subject", "body", "channel"}),
            depends_on=_WRITES,
        ),
        _rule(
            "crm",
            "add_note",
            TELL,
            automatable=True,
            ids={**_ORDER, **_CUSTOMER},
            free_text=frozenset({"body", "author"}),
            depends_on=frozenset(),
        ),
    ]
)
