"""The fact kinds the reading layer reads: what each means, what it decides, and what counts as saying it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

#: Below this confidence a reading is not a fact.
THRESHOLD = 0.6

Polarity = Literal["affirmed", "negated", "hedged", "conditional"]
Holder = Literal["customer", "staff", "vendor"]


@dataclass(frozen=True)
class KindSpec:
    """A fact kind: what it means (the LLM reader's description), whether it decides money or stock, and what
    counts as saying it: who may state it (``holders``: a restock is the supplier's or staff's to state, not a
    customer's hearsay; a verification is staff's, never the vendor's own), whether it must be done rather than
    planned (``needs_done``: "will call the number on file tomorrow" verifies nothing), whether someone may state
    it for the customer (``proxy``: "her partner will collect"), and whether a thing still awaited is still wanted
    (``wanted_when_awaited``: "still no refund"), and which kinds, stated after it, take its place (``given_up_for``:
    a retention offer accepted after a cancellation was asked for is taken instead of it)."""

    description: str
    value: Literal["flag", "amount", "days", "method", "text"]
    decides: Literal["money", "stock", "other"]
    holders: tuple[Holder, ...] = ("customer", "staff")
    needs_done: bool = False
    proxy: bool = False
    wanted_when_awaited: bool = False
    given_up_for: tuple[str, ...] = ()
    #: Stating it withholds consent or changes what someone wants done (a refusal, a wish to cancel, a request not
    #: to be contacted, a replaced invoice): read but decided on by no rule of the case, it is not left unused
    #: (:func:`ai_missions.nodes.guard.not_decided_on`). A kind that permits (a verification, an agreement, a
    #: restock date) is harmless where nothing decides on it.
    withholds: bool = False


#: Every fact kind the layer reads. ``value`` is what ``Fact.value`` holds when affirmed.
KINDS: Mapping[str, KindSpec] = {
    "upcharge_agreed": KindSpec(
        "the customer agreed to pay an extra amount (upgrade, surcharge, add-on) on the order; value: the amount",
        "amount",
        "money",
    ),
    "restock_eta": KindSpec(
        "a restock/replenishment of the item is expected at a stated time; value: days from today",
        "days",
        "stock",
        holders=("staff", "vendor"),
    ),
    "bank_verified": KindSpec(
        "a supplier's bank account details were verified by us through a channel independent of the change request "
        "(a call-back to a number already on file, an address on file, a portal); value: how (call_back, email, "
        "portal, other)",
        "method",
        "money",
        holders=("staff",),
        needs_done=True,
    ),
    "exchange_intent": KindSpec(
        "the customer wants a different size/colour/variant of an item instead of the one ordered",
        "flag",
        "stock",
        withholds=True,
    ),
    "store_pickup": KindSpec(
        "the order is to be collected in a store rather than delivered", "flag", "stock", proxy=True
    ),
    "cancel_intent": KindSpec(
        "the customer wants to cancel an order, subscription or account",
        "flag",
        "money",
        given_up_for=("offer_accepted",),
        withholds=True,
    ),
    "refund_request": KindSpec(
        "the customer asks for money back", "flag", "money", wanted_when_awaited=True, withholds=True
    ),
    "damage_reported": KindSpec("an item arrived damaged, broken or defective", "flag", "money", withholds=True),
    "offer_accepted": KindSpec("the customer accepted a retention offer (discount, pause, downgrade)", "flag", "money"),
    # kinds the policies rely on (issue 40): each a fact people state in text that a clause decides on
    "orders_both_wanted": KindSpec(
        "the customer wants both of two near-identical orders (they are no duplicate), or says one of them must "
        "not be cancelled",
        "flag",
        "money",
        withholds=True,
    ),
    "invoice_supersedes": KindSpec(
        "this invoice replaces (supersedes, corrects, cancels and replaces) an earlier invoice of the vendor",
        "flag",
        "money",
        holders=("vendor", "staff"),
        needs_done=True,  # "we will send a corrected invoice": announced, not issued
        withholds=True,
    ),
    "contact_paused": KindSpec(
        "the customer asked not to be contacted (no e-mails, calls or offers), for now or until a date",
        "flag",
        "other",
        withholds=True,
    ),
    "contact_departed": KindSpec(
        "the named contact has left the company (no longer works there)",
        "flag",
        "other",
        holders=("staff", "vendor", "customer"),
        needs_done=True,  # "se jubila el año que viene": not gone yet
        withholds=True,
    ),
    "delivery_refused": KindSpec(
        "the customer refused a delivery, or declined an offered substitute or alternative",
        "flag",
        "stock",
        withholds=True,
    ),
    "ledger_posted": KindSpec(
        "finance already posted the entry in the ledger by hand (a manual journal or posting was made)",
        "flag",
        "money",
        holders=("staff",),
        needs_done=True,
        withholds=True,
    ),
    "address_confirmed": KindSpec(
        "the customer confirmed the delivery address on a verified phone call",
        "flag",
        "stock",
        holders=("staff",),
        needs_done=True,
    ),
}
