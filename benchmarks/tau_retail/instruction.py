"""What a task's instruction asks, as the scripted customer knows it: the benchmark's instructions state each change
in one fixed form ("Cancel order #W1 because no longer needed.", "For #W2, exchange Lamp {...} to {...}; via
paypal_1."), read here once for the customer's answers (:mod:`.runner`) and its reading of a plan read back to it
(:mod:`.confirming`)."""

from __future__ import annotations

import ast
import re
from collections.abc import Mapping
from typing import Any

RETURN = re.compile(r"Return (#W\d+) via (\w+): ((?:[^;#]+; )+)")
CANCEL = re.compile(r"Cancel order (#W\d+) because ([a-z ]+)\.")
PAYMENT = re.compile(r"For (#W\d+), change payment to (\w+)\.")
ADDRESS = re.compile(r"For (#W\d+), change address to (\{[^}]*\})")
USER_ADDRESS = re.compile(r"[Cc]hange (?:your|the user'?s?) default address to (\{[^}]*\})")
#: an item's name holds no '.': a change's items end at its "via" (never running on into the next sentence)
CHANGE = re.compile(r"For (#W\d+), (modify|exchange) ((?:[^{;.]+ \{[^}]*\} to \{[^}]*\}; )+)via (\w+)\.")
ITEM_CHANGE = re.compile(r"\s*([^{;]+?) (\{[^}]*\}) to (\{[^}]*\});")

#: One request: the order it is about (None: the account), its kind, and what it names.
Request = tuple[str | None, str, dict[str, Any]]


def requests(instruction: str) -> list[Request]:
    """Every change the instruction asks for, in the instruction's own terms."""
    out: list[Request] = []
    for order_id, method, items in RETURN.findall(instruction):
        names = [i.strip().partition(" {")[0] for i in items.split(";") if i.strip()]
        out.append((order_id, "return", {"items": names, "method": method}))
    for order_id, reason in CANCEL.findall(instruction):
        out.append((order_id, "cancel", {"reason": reason.strip()}))
    for order_id, raw in ADDRESS.findall(instruction):
        out.append((order_id, "address", {"address": raw}))
    for raw in USER_ADDRESS.findall(instruction):
        out.append((None, "account", {"address": raw}))
    for order_id, method in PAYMENT.findall(instruction):
        out.append((order_id, "payment", {"method": method}))
    for order_id, verb, changes, method in CHANGE.findall(instruction):
        # an item "changed" to the very same one ("to {}") is no change of its own: kept apart as ``same``
        found = ITEM_CHANGE.findall(changes)
        # what it wants of each item: the options it names, the others as it has them ("to {'material': 'glass'}")
        changed = [
            (n.strip(), {**ast.literal_eval(o), **ast.literal_eval(w)}) for n, o, w in found if ast.literal_eval(w)
        ]
        same = [n.strip() for n, _o, w in found if not ast.literal_eval(w)]
        # each item as the customer has it now, the ones changed to the same included
        had = [(n.strip(), ast.literal_eval(o)) for n, o, _w in found]
        out.append((order_id, verb, {"items": [n for n, _w in changed], "method": method,
                                     "options": [w for _n, w in changed], "same": same, "had": had}))  # fmt: skip
    return out


def first_payment(order: Mapping[str, Any]) -> str:
    """The method an order was paid with (its first payment)."""
    history = order.get("payment_history") or []
    return next((str(p["payment_method_id"]) for p in history if p["transaction_type"] == "payment"), "")
