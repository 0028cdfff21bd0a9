"""The retail mission's words: the exception kinds, outcomes, policy domains and the facts it derives.

``no_exception`` is what a flagged order turns out to be when the monitors saw something that is not there (a
false positive): it is still closed with a note, so it is a case type like the exceptions.
"""

from __future__ import annotations

from typing import Literal

from ai_missions.mission_api import Vocabulary

CaseType = Literal[
    "pickup_unfulfillable",
    "phantom_stock",
    "inbound_delay",
    "unreconciled_return",
    "vip_stock_conflict",
    "no_exception",
]
CASE_TYPES: tuple[str, ...] = CaseType.__args__  # type: ignore[attr-defined]
EXCEPTIONS: tuple[str, ...] = CASE_TYPES[:-1]

Outcome = Literal["reallocate", "substitute", "reconcile", "notify", "cancel", "dismiss", "escalate"]
OUTCOMES: tuple[str, ...] = Outcome.__args__  # type: ignore[attr-defined]
ADVANCING: tuple[str, ...] = ("reallocate", "substitute", "reconcile", "notify")

DOMAINS: tuple[str, ...] = ("retail_operations", "inventory_control", "customer_service")

TYPES_FACT = "retail.case_types"

FACTS: dict[str, tuple[str, str]] = {
    TYPES_FACT: ("list", "exception kinds found on the order (no_exception when nothing is wrong)"),
    "retail.exception_count": ("int", "how many exception kinds the order has"),
    "retail.flags": ("list", "what the OMS monitors flagged on the order"),
    "order.id": ("str", "the order id"),
    "order.status": ("str", "open, cancelled or fulfilled"),
    "order.channel": ("str", "web or app: where the customer ordered"),
    "order.fulfilment": ("str", "ship or pickup"),
    "order.pickup_store": ("str", "the store the customer picks up from (pickup orders)"),
    "order.location": ("str", "the store or DC the order is allocated to"),
    "order.sku": ("str", "the SKU ordered"),
    "order.quantity": ("int", "units ordered"),
    "order.total": ("number", "order total"),
    "order.unit_price": ("number", "the ordered item's unit price"),
    "order.days_to_promise": ("number", "days until the promised date"),
    "order.goodwill_amount": (
        "number",
        "the goodwill credit still due: 10% of the total, 5-50, less credits the order already had (unknown if none)",
    ),
    "order.goodwill_given": ("number", "goodwill already credited on the order"),
    "customer.tier": ("str", "standard, gold or vip"),
    "customer.vip": ("bool", "the customer is a VIP"),
    "store.known": ("bool", "the pickup store or allocated location exists in store inventory"),
    "stock.on_hand": ("int", "units the system shows at the allocated location"),
    "stock.reliable": ("int", "units the last cycle count supports there: counted less sold since"),
    "stock.phantom_units": ("int", "units the system shows that the count does not see"),
    "stock.short": ("bool", "the allocated location cannot fulfil the order from reliable stock"),
    "stock.blocks_order": ("bool", "the order is open and its location cannot fulfil it from reliable stock"),
    "stock.quarantined": ("bool", "the SKU is quarantined at the allocated location"),
    "alt.exists": ("bool", "another location has reliable stock for the order"),
    "alt.location": ("str", "the best alternative: a store in the region, else the DC, else another store"),
    "alt.kind": ("str", "store, dc, or none when no location has the stock"),
    "alt.same_region": ("bool", "the alternative is a store in the pickup store's region"),
    "alt.best": ("str", "the alternative compared best: store (nearby), dc, substitute, or none"),
    "sub.exists": ("bool", "a substitute (same family, price within 15%) has counted stock at the pickup location"),
    "sub.sku": ("str", "the substitute SKU, closest in price"),
    "sub.location": ("str", "where the substitute is held: the order's pickup location"),
    "sub.unit_price": ("number", "the substitute's list price"),
    "sub.price_difference": ("number", "the substitute's price less the ordered item's, per unit"),
    "sub.customer_pays": ("number", "what the customer pays for the substitute: never more than for the order"),
    "inbound.delay_days": ("number", "days the inbound shipment of the SKU slipped"),
    "inbound.after_promise": ("bool", "the shipment now arrives after the order's promised date"),
    "promo.id": ("str", "the promotion the order was bought under"),
    "promo.at_risk": ("bool", "the promotion's stock depends on a delayed inbound shipment"),
    "return.id": ("str", "the order's return that the ledger has not seen"),
    "return.refund": ("number", "the refund that return gave"),
    "return.age_hours": ("number", "hours since the return was processed"),
    "return.unposted": ("bool", "a return of the order is not posted to the ledger after 24 hours"),
}

VOCABULARY = Vocabulary(
    case_types=CASE_TYPES,
    outcomes=OUTCOMES,
    facts=FACTS,
    domains=DOMAINS,
    types_fact=TYPES_FACT,
    advancing_outcomes=ADVANCING,
)
