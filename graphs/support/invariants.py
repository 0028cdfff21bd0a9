"""The support mission's invariants: what no plan may do for a customer, whoever proposed or edited it.

Each, and how an unknown fact fails closed: docs/support-parse.md (invariants.py)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ai_missions.graphs.support.replies import stated_outcomes
from ai_missions.graphs.support.tools import TOOLS
from ai_missions.mission_api import fact_number

_CENT = 0.005
#: The tools that change an order or its money (ERP, payments, shipping): only on an order the customer owns.
ORDER_TOOLS = tuple(name for name, rule in TOOLS.items() if rule.spec.system in ("erp", "payments", "shipping"))
SHIP_TO_TOOLS = ("change_ship_to", "update_shipment_address")
_PLACE = ("name", "line1", "line2", "city", "region", "postal_code", "country")
_RESOLVED_FROM = ("account", "on_file", "message")


def _known_good(given: Any, facts: Mapping[str, Any]) -> bool:
    """The address is exactly the one resolved for this thread (SUP-006): on file (the account's, another of the
    customer's orders'), or written in the thread and validated by shipping as deliverable."""
    resolved = facts.get("address.new")
    if facts.get("address.status") != "resolved" or facts.get("address.source") not in _RESOLVED_FROM:
        return False
    if not isinstance(given, Mapping) or not isinstance(resolved, Mapping):
        return False
    return all((given.get(k) or "") == (resolved.get(k) or "") for k in _PLACE)


def invariants(tool: str, args: Mapping[str, Any], facts: Mapping[str, Any], earlier: Sequence[str]) -> list[str]:
    """Problems with one action, given the tools planned before it (empty when it is sound)."""
    problems: list[str] = []
    if tool in ORDER_TOOLS and facts.get("order.owned") is not True:
        problems.append(f"{tool}: the order is not known to belong to the customer who wrote; nothing is changed")
    if tool == "refund_payment":
        amount = fact_number(args.get("amount"))
        refundable = fact_number(facts.get("payment.refundable"))
        if refundable is None:
            problems.append("refund_payment: what can be refunded on the order is not known")
        elif amount is not None and amount > refundable + _CENT:
            problems.append(f"refund_payment: {amount:.2f} is more than can be refunded ({refundable:.2f})")
        if earlier.count("refund_payment"):
            problems.append("refund_payment: the plan already refunds this order; one refund per resolution")
        if not _refund_backed(amount, facts, earlier):
            problems.append(
                "refund_payment: nothing backs it: no duplicate charge, received return, cancellation or item change "
                "in the plan, and no damaged or wrong item in the customer's own words"
            )
    if tool == "cancel_order" and facts.get("order.cancellable") is not True:
        problems.append("cancel_order: the order has shipped or is already cancelled")
    if tool == "cancel_order" and (facts.get("cancel.reason") is None or args.get("reason") != facts["cancel.reason"]):
        problems.append("cancel_order: the reason recorded is the one the customer gave (asked when not given)")
    if tool in SHIP_TO_TOOLS:
        if facts.get("order.cancellable") is not True:
            problems.append(f"{tool}: the order has shipped or is cancelled; its ship-to can no longer change")
        if not _known_good(args.get("ship_to"), facts):
            problems.append(
                f"{tool}: a ship-to changes only to an address on file or one read from this thread and validated"
            )
    if tool == "update_customer_address":
        if args.get("customer_id") is None or args.get("customer_id") != facts.get("customer.id"):
            problems.append("update_customer_address: only the account of the customer who wrote")
        if facts.get("address.for_account") is not True:
            problems.append("update_customer_address: only when the customer asks for the account's address to change")
        if not _known_good(args.get("address"), facts):
            problems.append(
                "update_customer_address: only to an address on file or one read from this thread and validated"
            )
    if tool == "change_ship_to" and facts.get("address.shipping_differs") is None:
        problems.append("change_ship_to: shipping's copy of the ship-to is not known; a person changes the address")
    if tool == "update_shipment_address" and "change_ship_to" not in earlier:
        problems.append("update_shipment_address: only with the order's own ship-to change (ERP) before it")
    if tool == "exchange_order_item":
        # the ERP records the exchange without changing the order's lines: before delivery the parcel holds the old
        if facts.get("shipment.status") != "delivered":
            problems.append("exchange_order_item: only a delivered order is exchanged (a pending one ships as is)")
        if facts.get("exchange.in_stock") is not True:
            problems.append("exchange_order_item: the variant asked for is not known to be in stock")
        if str(args.get("sku")) != str(facts.get("exchange.sku")) or args.get("line_no") != facts.get(
            "exchange.line_no"
        ):
            problems.append("exchange_order_item: not the line and variant the customer asked for")
    if tool == "open_return":
        problems += _open_return_problems(args, facts)
        if set(_EXCHANGING) & set(earlier) and _lines(args.get("line_nos")) & _changed_lines(facts):
            problems.append("open_return: a line the plan also exchanges; an item is returned or exchanged, not both")
    if tool in _EXCHANGING and "open_return" in earlier and _changed_lines(facts) & _lines(facts.get("return.lines")):
        problems.append(f"{tool}: a line the plan also returns; an item is returned or exchanged, not both")
    if tool == "modify_order_items" and facts.get("order.cancellable") is not True:
        problems.append("modify_order_items: only an order not yet shipped changes its items")
    if tool == "exchange_order_items" and facts.get("shipment.status") != "delivered":
        problems.append("exchange_order_items: only a delivered order's items are exchanged")
    if tool in ("modify_order_items", "exchange_order_items") and (
        not facts.get("modify.changes") or _changes(args.get("changes")) != _changes(facts["modify.changes"])
    ):
        problems.append(f"{tool}: only the lines and variants the customer asked for, all at once")
    if tool == "charge_payment":
        amount, owed = fact_number(args.get("amount")), fact_number(facts.get("modify.charge_amount"))
        changed = {"modify_order_items", "exchange_order_items"} & set(earlier)
        if not changed or owed is None or amount is None or abs(amount - owed) > _CENT:
            problems.append("charge_payment: only the price difference of the items changed in the same plan")
    if tool == "change_order_payment":
        problems += _payment_change_problems(args, facts, earlier)
    if tool in ("charge_payment", "refund_payment") and args.get("payment_method_id") is not None:
        if str(args["payment_method_id"]) != str(facts.get("modify.method_id")):
            problems.append(f"{tool}: a difference goes only to the method of theirs the customer chose")
        if tool == "charge_payment" and facts.get("modify.method_covers") is not True:
            problems.append("charge_payment: the method chosen cannot take the charge (a gift card's balance)")
    if tool == "void_authorization" and facts.get("payment.uncaptured") is not True:
        problems.append("void_authorization: money was captured on the order; it is refunded, not voided")
    if tool == "send_ticket_reply":
        if facts.get("ticket.open") is not True:
            problems.append("send_ticket_reply: the ticket no longer waits for an answer")
        if earlier.count("send_ticket_reply"):
            problems.append("send_ticket_reply: the plan already replies; one reply per resolution")
        stale_label = facts.get("address.shipping_differs") is True and "update_shipment_address" not in earlier
        if "change_ship_to" in earlier and stale_label:
            problems.append(
                "send_ticket_reply: it announces the new address while shipping's label keeps the old one "
                "(update_shipment_address is missing)"
            )
        problems += _unbacked_outcomes(str(args.get("body") or ""), facts, earlier)
    return problems


def _unbacked_outcomes(body: str, facts: Mapping[str, Any], earlier: Sequence[str]) -> list[str]:
    """Outcomes the reply states as done for the order (cancelled, refunded, will ship to, exchanged...) that no
    write planned before it brings about: the reply goes out only after the writes before it ran, so an outcome
    without one is untrue when sent (a request still waiting for an answer, a part of the plan left out)."""
    order = facts.get("order.id")
    orders = [str(o) for o in facts.get("reply.orders") or []]
    stated = stated_outcomes(body, str(order) if order is not None else None, orders)
    return [
        f"send_ticket_reply: it says {tool} is done{f' on order {order}' if order else ''}, but no action before "
        "the reply does it"
        for tool in sorted(stated - set(earlier))
    ]


#: Why money may go back on an order: a cancellation or an item change planned before the refund (or the facts').
_REFUNDING_WRITES = ("cancel_order", "modify_order_items", "exchange_order_items")


def _refund_backed(amount: float | None, facts: Mapping[str, Any], earlier: Sequence[str]) -> bool:
    """Whether a refund of ``amount`` rests on something shown: a write planned before it that returns money (a
    cancellation, an item change), a duplicate capture (up to it), a received return (up to what it still owes), or
    a damaged or wrong item the customer stated in their own words (``claim.words``; SUP-005). A refund without a
    return on a damaged or wrong item read only from a typo, or from a description of the item's options, has none."""
    if amount is None:
        return False
    if set(_REFUNDING_WRITES) & set(earlier):
        return True
    duplicate, due = fact_number(facts.get("payment.duplicate_amount")), fact_number(facts.get("return.refund_due"))
    if facts.get("payment.duplicate") is True and duplicate is not None and amount <= duplicate + _CENT:
        return True
    if facts.get("return.received") is True and due is not None and amount <= due + _CENT:
        return True
    types = facts.get("ticket.case_types") or []
    claimed = isinstance(facts.get("claim.words"), str) and bool(facts["claim.words"].strip())
    return claimed and bool({"damaged_item", "wrong_item"} & set(types))


#: Writes that swap a delivered line for another variant (its return is then not also opened).
_EXCHANGING = ("exchange_order_item", "exchange_order_items")


def _lines(value: Any) -> set[str]:
    return {str(n) for n in value} if isinstance(value, list) else set()


def _changed_lines(facts: Mapping[str, Any]) -> set[str]:
    """The lines the plan's item change or exchange would swap (either the several-line or the one-line form)."""
    changed = {str(c[0]) for c in _changes(facts.get("modify.changes")) or []}
    return changed | ({str(facts["exchange.line_no"])} if facts.get("exchange.line_no") is not None else set())


def _changes(value: Any) -> list[tuple[str, str]] | None:
    """Item changes compared whatever their order and spelling ({line_no, sku} each)."""
    if not isinstance(value, list) or not all(isinstance(c, Mapping) for c in value):
        return None
    return sorted((str(c.get("line_no")), str(c.get("sku"))) for c in value)


def _open_return_problems(args: Mapping[str, Any], facts: Mapping[str, Any]) -> list[str]:
    problems = []
    if facts.get("order.status") != "delivered":
        problems.append("open_return: only a delivered order's items are returned")
    lines, allowed = args.get("line_nos"), facts.get("return.lines")
    if (
        not isinstance(lines, list)
        or not lines
        or not isinstance(allowed, list)
        or not {str(n) for n in lines} <= {str(n) for n in allowed}
    ):
        problems.append("open_return: only lines of the order the customer named, not already returned")
    if args.get("refund_to") != facts.get("return.refund_to"):
        problems.append("open_return: not the refund method the customer asked for (the original payment by default)")
    value, refundable = fact_number(facts.get("return.open_value")), fact_number(facts.get("payment.refundable"))
    if value is None or refundable is None:
        problems.append("open_return: what the items cost or what can still be refunded is not known")
    elif value > refundable + _CENT:
        problems.append(f"open_return: the items cost {value:.2f}, more than can be refunded ({refundable:.2f})")
    return problems


def _payment_change_problems(args: Mapping[str, Any], facts: Mapping[str, Any], earlier: Sequence[str]) -> list[str]:
    """An order's payment moves only before it ships, to the one method of the customer's own that they named
    (never the order's own), a gift card only with the balance for it, for the whole payment, once per plan."""
    problems = []
    if facts.get("order.cancellable") is not True:
        problems.append("change_order_payment: only an order not yet shipped changes its payment method")
    method = facts.get("paymethod.method_id")
    if method is None or str(args.get("payment_method_id")) != str(method):
        problems.append("change_order_payment: only to the one method of the customer's own they named")
    if facts.get("paymethod.covers") is not True:
        problems.append("change_order_payment: the method named cannot take the payment (a gift card's balance)")
    amount, held = fact_number(args.get("amount")), fact_number(facts.get("paymethod.amount"))
    if amount is None or held is None or abs(amount - held) > _CENT:
        problems.append("change_order_payment: the whole payment moves, what the order's payment holds now")
    if "change_order_payment" in earlier:
        problems.append("change_order_payment: the plan already moves this order's payment")
    return problems
