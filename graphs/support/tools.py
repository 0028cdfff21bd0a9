"""The support mission's tool policy: the ship-to first (ERP, then shipping's copy; the account's address), then the
order's other changes, then the money, then the reply, the internal note last.

More in docs/support-parse.md (tools.py)."""

from __future__ import annotations

from ai_missions.mission_api import ToolPolicy, part_owner, tool_rule

#: Where an order goes changes before what is in it or how it is paid: the two are independent (neither waits on
#: the other), and a system may lock an order's other fields once its items changed (tau-bench's does).
ADDRESS, CANCEL, MONEY, REPLY, NOTE = range(5)

_TICKET = {"ticket_id": ("ticket.id",)}
_ORDER, _SETTLED = {"order_id": ("order.id",)}, {"settle_to": ("modify.method_id",)}  # settle_to: the one chosen
_AFTER_PAYMENT = frozenset({"change_order_payment"})
_AFTER_ITEMS = frozenset({"modify_order_items", "exchange_order_items"})
_REASON, _BODY = frozenset({"reason"}), frozenset({"body"})


TOOLS: ToolPolicy = ToolPolicy(
    [
        tool_rule("erp", "cancel_order", CANCEL, ids=_ORDER, free_text=_REASON),
        tool_rule("erp", "change_ship_to", ADDRESS, ids=_ORDER),
        # shipping's own copy of the ship-to (the label's): changed only once the ERP's change went through
        tool_rule("shipping", "update_shipment_address", ADDRESS, ids=_ORDER, depends_on=frozenset({"change_ship_to"})),
        # the account's own address (CRM): only the customer who wrote (their id is known only once verified)
        tool_rule("crm", "update_customer_address", ADDRESS, ids={"customer_id": ("customer.id",)}),
        tool_rule("erp", "open_return", CANCEL, ids=_ORDER),
        tool_rule("erp", "exchange_order_item", CANCEL, ids={**_ORDER, "sku": ("exchange.sku",), **_SETTLED}),
        # an order's payment moves to another method before its items change (a difference then goes to it); the
        # items wait for it and do not change when it is refused (the difference would go to a method not paying)
        tool_rule(
            "payments", "change_order_payment", CANCEL, ids={**_ORDER, "payment_method_id": ("paymethod.method_id",)}
        ),
        tool_rule("erp", "modify_order_items", CANCEL, ids={**_ORDER, **_SETTLED}, depends_on=_AFTER_PAYMENT),
        tool_rule("erp", "exchange_order_items", CANCEL, ids={**_ORDER, **_SETTLED}, depends_on=_AFTER_PAYMENT),
        tool_rule("payments", "void_authorization", MONEY, ids={"authorization_id": ("payment.authorization_id",)}),
        tool_rule("payments", "refund_payment", MONEY, ids={"capture_id": ("payment.capture_ids",)}, free_text=_REASON),
        # a price difference charged only once the items changed (skipped if the change is rejected or fails)
        tool_rule("payments", "charge_payment", MONEY, ids=_ORDER, free_text=_REASON, depends_on=_AFTER_ITEMS),
        tool_rule("helpdesk", "send_ticket_reply", REPLY, ids=_TICKET, free_text=frozenset({"body", "tags"})),
        tool_rule(
            "helpdesk", "add_ticket_note", NOTE, automatable=True, ids=_TICKET, free_text=_BODY, note_text="body"
        ),
    ],
    # a request about several orders: an order's refund waits on that order's cancellation, not on another's
    owner=part_owner(lambda: TOOLS),
)
