"""The support mission's words: what a customer asks for (case types), what the verdict does, and the facts.

A ticket's case types are what the customer wants, once the mission knows which order it is about and that the
customer owns it. When it cannot know, the case type says why instead (``order_not_found``, ``order_not_owned``,
``which_order``, ``unreadable_message``): the policies then answer or ask without touching any order.
"""

from __future__ import annotations

from typing import Literal

from ai_missions.mission_api import Vocabulary

#: What customers ask for (the intents the mission understands).
INTENTS: tuple[str, ...] = (
    "double_charge",
    "return_refund",
    "where_is_order",
    "not_received",
    "cancel_order",
    "change_address",
    "damaged_item",
    "wrong_item",
    "exchange_variant",
    "change_payment",
    "question",
)
#: Why a ticket cannot be worked on an order (yet).
CONDITIONS: tuple[str, ...] = (
    "identify_customer",
    "cancel_item",
    "conditional_request",
    "unclear_request",
    "order_not_found",
    "order_not_owned",
    "which_order",
    "unreadable_message",
)
CASE_TYPES: tuple[str, ...] = INTENTS + CONDITIONS

Outcome = Literal[
    "refund", "cancel", "exchange", "return", "change_address", "change_payment", "answer", "ask_customer", "escalate"
]
OUTCOMES: tuple[str, ...] = Outcome.__args__  # type: ignore[attr-defined]
ADVANCING: tuple[str, ...] = (
    "refund",
    "cancel",
    "exchange",
    "return",
    "change_address",
    "change_payment",
    "answer",
    "ask_customer",
)

DOMAINS: tuple[str, ...] = ("customer_support",)

TYPES_FACT = "ticket.case_types"

FACTS: dict[str, tuple[str, str]] = {
    TYPES_FACT: ("list", "what the ticket is to decide: the customer's requests, or why no order can be worked"),
    "ticket.id": ("str", "the ticket id"),
    "ticket.status": ("str", "new, open, pending, solved or closed"),
    "ticket.channel": ("str", "portal or email"),
    "ticket.open": ("bool", "the ticket still waits for the team (new or open)"),
    "customer.id": ("str", "the customer served: the verified sender, or the one the message identifies"),
    "customer.name": ("str", "the customer's name"),
    "customer.identified_by": (
        "str",
        "sender (the address on file or the portal), message (e-mail, or full name and postal code, on file) or none",
    ),
    "customer.tier": ("str", "standard, silver, gold or vip"),
    "message.intents": ("list", "what the customer asks for, read from the message"),
    "message.intent_count": ("int", "how many requests the message makes"),
    "message.order_refs": ("list", "order numbers the message quotes, as order ids"),
    "message.problem": ("str", "empty, too_long or binary when the message cannot be read; none otherwise"),
    "message.angry": ("bool", "the customer writes angrily (capitals, exclamation marks, strong words)"),
    "message.language": ("str", "en, es, fr or de: the language the message is written in"),
    "claim.words": (
        "str",
        "the customer's own words saying the item arrived damaged or is not what they ordered, as written (none "
        "when that reading rests on a typo or nothing says so): a refund without a return needs them",
    ),
    "order.id": ("str", "the order the ticket is about (known only when the customer owns it)"),
    "order.ref": ("str", "the order number as the customer gave it, or as the portal filed it"),
    "order.owned": ("bool", "the order belongs to the customer who wrote"),
    "order.status": ("str", "the ERP status of the order"),
    "order.shipped": ("bool", "the order left the warehouse (shipped or delivered)"),
    "order.cancellable": ("bool", "the order has not shipped and is not cancelled"),
    "order.total": ("number", "the order total"),
    "order.line_count": ("int", "how many lines the order has"),
    "order.lines_named": ("list", "the lines of the order whose items the message describes (line numbers)"),
    "message.condition": ("str", "a condition the message puts on its request, as written (a person checks it)"),
    "message.condition_holds": ("bool", "the order's total meets the amount the condition names; none: not checkable"),
    "order.candidates": ("list", "the customer's recent orders that fit the request, when none was named"),
    "order.candidate_count": ("int", "how many of the customer's recent orders fit the request"),
    "payment.captured": ("number", "what was captured on the order"),
    "payment.refunded": ("number", "what was refunded on the order so far"),
    "payment.refundable": ("number", "what can still be refunded: captured less refunded"),
    "payment.capture_ids": ("list", "the order's captures"),
    "payment.capture_count": ("int", "how many captures the order has"),
    "payment.duplicate": ("bool", "the order was captured more than its total (a genuine duplicate charge)"),
    "payment.duplicate_amount": ("number", "captured above the order total, not yet refunded"),
    "payment.duplicate_capture_id": ("str", "the later capture that repeats the first"),
    "payment.authorization_id": ("str", "the order's card authorization"),
    "payment.uncaptured": ("bool", "the order's authorization is still open and nothing was captured"),
    "payment.card_last4": ("str", "the last four digits of the card charged"),
    "payment.card_brand": ("str", "the brand of the card charged (visa, mastercard...), when payments says"),
    "refund.amount": ("number", "what the resolution refunds (never above what can be refunded)"),
    "refund.capture_id": ("str", "the capture the resolution refunds"),
    "shipment.status": ("str", "in_transit or delivered; none when nothing shipped"),
    "shipment.carrier": ("str", "the carrier of the latest shipment"),
    "shipment.tracking": ("str", "its tracking number"),
    "shipment.days_since_delivery": ("number", "days since the carrier marked it delivered"),
    "shipment.days_in_transit": ("number", "days since it shipped, while not delivered"),
    "return.received": ("bool", "the ERP shows a return of the order received by the warehouse"),
    "return.id": ("str", "the order's latest received return (or the latest registered one)"),
    "return.received_at": ("str", "when the warehouse received it"),
    "return.condition": ("str", "as_new, opened or damaged, as inspected on receipt"),
    "return.value": ("number", "what the received returned items cost (quantity times unit price)"),
    "return.refund_due": ("number", "what the received return still owes: its value less earlier refunds, capped"),
    "return.days_after_delivery": ("number", "days between the carrier's delivery and the warehouse's receipt"),
    "order.line_names": ("dict", "each order line's item as the ERP describes it, by line number"),
    "return.requested": ("bool", "the customer asks to send items back (not that they already sent them)"),
    "return.lines": ("list", "the order lines to open a return for: named by the customer, not already returned"),
    "return.line_count": ("int", "how many lines the return would open (0: none to open)"),
    "return.lines_taken": ("list", "lines the customer named that are already on a return"),
    "return.which_items": ("bool", "the order has several lines and the message names none of them: ask which"),
    "return.refund_to": ("str", "original_payment, or gift_card when the customer asks for one"),
    "return.open_value": ("number", "what the lines to return cost: the most the return can refund"),
    "cancel.reason": (
        "str",
        "why the customer cancels, as they said it: no longer needed or ordered by mistake (unknown: none or both)",
    ),
    "modify.resolved": (
        "bool",
        "the items of an order not yet shipped the customer wants as other variants are resolved (or asked about)",
    ),
    "modify.changes": ("list", "each line to change and the variant it becomes ({line_no, sku}), one per line"),
    "modify.line_count": ("int", "how many lines change (0: none resolved on every attribute named)"),
    "modify.ambiguous": ("bool", "more than one variant fits what the customer named: ask which"),
    "modify.choices": ("list", "the variants that fit, to ask about"),
    "modify.other_method": ("bool", "the customer names a way to pay other than the order's own payment"),
    "modify.difference": ("number", "the new variants' price less the old ones' (> 0 charged, < 0 refunded)"),
    "modify.refund_amount": ("number", "what is refunded when the new variants cost less"),
    "modify.refund_capture_id": ("str", "the capture that can carry that refund"),
    "modify.charge_amount": ("number", "what is charged on the order's card when they cost more"),
    "modify.summary": ("str", "the items and their old and new options, for the reply"),
    "modify.method_id": (
        "str",
        "the customer's method on file the difference goes to, when they name one other than the order's own",
    ),
    "modify.method_covers": ("bool", "that method can take the charge (a gift card: its balance is enough)"),
    "modify.method_asked": (
        "bool",
        "a difference to settle, the method named for the order cannot take it and none named for it: asked",
    ),
    "payment.capture_refundables": ("list", "each capture with what can still be refunded on it"),
    "payment.method_id": ("str", "the method on file the order's payment stands on now"),
    "paymethod.known": ("bool", "the customer's payment methods on file could be read"),
    "paymethod.others": ("list", "the customer's other methods by kind, brand, last digits and gift-card balance"),
    "paymethod.brand": ("str", "the brand of the card named"),
    "paymethod.last4": ("str", "the last four digits of the card or gift card named"),
    "paymethod.ready": (
        "bool",
        "the order's payment can move to the method named: one resolved, it covers the payment, not shipped",
    ),
    "paymethod.with_items": ("bool", "the customer also changes the order's items in the same request"),
    "paymethod.stays": (
        "bool",
        "the method named cannot take the whole payment and no other of theirs could: the order keeps its payment",
    ),
    "paymethod.after_refunds": (
        "bool",
        "the gift card named covers the payment only once refunds the same request makes reach it (orders it paid for,"
        " cancelled in the same message)",
    ),
    "paymethod.current": ("dict", "the order's own method by kind, brand and last digits"),
    "paymethod.blocks_items": (
        "bool",
        "a change of payment is asked and cannot be made yet (the items wait with it: one change of the order)",
    ),
    "payment.authorized": ("number", "what the order's live authorization holds (not yet captured)"),
    "paymethod.method_id": ("str", "the one method on file the customer names (not the order's own), if exactly one"),
    "paymethod.ambiguous": ("bool", "the customer names no method on file, or several fit: ask which"),
    "paymethod.kind": ("str", "card, paypal or gift_card: the kind of the method named"),
    "paymethod.balance": ("number", "a gift card's balance (payments)"),
    "paymethod.amount": ("number", "what the order's payment holds now: what a change of method moves"),
    "paymethod.covers": ("bool", "the method named can take the order's payment (a gift card: balance enough)"),
    "exchange.line_no": ("int", "the order line the customer wants in another variant"),
    "exchange.from_sku": ("str", "the variant they have"),
    "exchange.from_option": ("str", "its option (colour, size)"),
    "exchange.sku": ("str", "the variant they asked for (named in the message, of the same product)"),
    "exchange.option": ("str", "its option"),
    "exchange.available": ("int", "units of it available to sell"),
    "exchange.in_stock": ("bool", "enough of it is available for the line's quantity"),
    "exchange.same_price": ("bool", "it costs what the line cost"),
    "exchange.options_in_stock": ("list", "the other options of the order's products that are in stock"),
    "modify.payment_unresolved": (
        "bool",
        "the items resolve, but the method named for the difference fits none or several on file, or is a gift card "
        "short of it",
    ),
    "modify.replacement": ("bool", "a delivered item is wanted exchanged for the same variant: a replacement"),
    "exchange.others": ("list", "the delivered order's items no exchange or question of the request is about"),
    "exchange.list_asked": ("bool", "a reply on the ticket asked whether anything else is to be exchanged"),
    "exchange.anything_else": (
        "bool",
        "an exchange is ready on a delivered order with other items and that was not asked yet: ask first (SUP-007)",
    ),
    "address.new": (
        "dict",
        "the address the customer wants (SUP-006): one on file (the account's, another order's) or one they wrote "
        "that shipping validated; unknown until it is resolved",
    ),
    "address.differs": ("bool", "that address differs from the order's ship-to"),
    "address.summary": ("str", "that address in one line, for the reply (so the customer can catch a typo)"),
    "address.shipping_differs": (
        "bool",
        "shipping's own copy of the ship-to (what the label will carry) differs from that address; "
        "unknown when shipping could not be read",
    ),
    "address.account_differs": ("bool", "that address differs from the account's current one (CRM)"),
    "address.source": ("str", "where it comes from: account, on_file (another order's or the history's), message"),
    "address.status": (
        "str",
        "resolved (known good), incomplete, which (several), corrected or undeliverable (shipping's validation), "
        "unclear (written only as one not to use), none_other (nothing on file but the order's own); unknown "
        "when shipping's validation could not be read",
    ),
    "address.missing": ("list", "the parts of a written address that are missing (street, city, state, zip)"),
    "address.issues": ("list", "what shipping's validation found (postal_code_mismatch, unknown_city...)"),
    "address.suggestion": ("str", "shipping's corrected address, in one line, to ask the customer about"),
    "address.choices": ("list", "the addresses that fit, to ask which"),
    "address.evidence": ("str", "the words of the message the address was read from"),
    "address.for_account": ("bool", "the customer asks for the address on their account to change"),
    "address.for_order": ("bool", "the message is about an order's delivery (not only the account's address)"),
    "address.written": ("bool", "the thread writes out an address as the one wanted"),
    "message.gives_address": ("bool", "the message writes out a street address itself (a person enters it)"),
    "reply.text": ("str", "the reply to the customer, stating only facts the systems showed"),
    "reply.status": ("str", "the status the reply sets: solved, or pending when it asks the customer"),
    "note.text": ("str", "the internal note summarising what the mission found"),
    "parts": (
        "list",
        "a request about several orders: each order's facts (its own requests, figures and sentences), decided "
        "part by part (nodes/parts.py); absent for a request about one order",
    ),
    "part.label": ("str", "within a part: the order it is about, for a person"),
}

VOCABULARY = Vocabulary(
    case_types=CASE_TYPES,
    outcomes=OUTCOMES,
    facts=FACTS,
    domains=DOMAINS,
    types_fact=TYPES_FACT,
    advancing_outcomes=ADVANCING,
    asking_outcomes=("ask_customer",),
)
