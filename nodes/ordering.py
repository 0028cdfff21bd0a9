"""The right order to act in, whoever proposed the actions.

Data is corrected first (stock counts, addresses, reservation moves), then money and stock are settled (holds,
captures, voids, refunds, cancellations, reservations), then the order is released to fulfilment, and people
are told last, once what they are told is true.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

PHASES: tuple[frozenset[str], ...] = (
    frozenset({"adjust_stock", "apply_address_correction", "reallocate_reservation"}),
    frozenset(
        {
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
        }
    ),
    frozenset({"release_to_fulfillment"}),
    frozenset({"send_customer_message", "add_note"}),
)

ActionT = TypeVar("ActionT", bound=Mapping[str, Any])


def phase_of(tool: str) -> int:
    return next((i for i, tools in enumerate(PHASES) if tool in tools), len(PHASES))


def in_execution_order(actions: Sequence[ActionT]) -> list[ActionT]:
    """A stable sort by phase: within a phase, the proposer's order stands."""
    return sorted(actions, key=lambda action: phase_of(str(action["tool"])))
