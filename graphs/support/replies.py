"""The reply draft, in the customer's language: the same sentences in English, Spanish, French and German.

More in docs/support-parse.md (replies.py)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ai_missions.graphs.support.vocabulary import TYPES_FACT
from ai_missions.graphs.support.words import Words
from ai_missions.mission_api import display_name

#: The reply sentences per language and the words that announce each tool's effect, as data (``replies.toml``).
_REPLIES = Words(Path(__file__).with_name("replies.toml")).lists
#: Language -> template name -> the sentence, with ``{fields}`` filled from the facts.
T: dict[str, dict[str, str]] = _REPLIES["templates"]
#: Tool -> the words that announce its effect, in every language (a reply says them only when the plan acts).
PROMISES: dict[str, tuple[str, ...]] = {tool: tuple(words) for tool, words in _REPLIES["promises"].items()}


def money_text(value: float) -> str:
    return f"{value:,.2f}"


def say(language: str, key: str, **fields: Any) -> str:
    """One sentence in the language (English when it has no templates)."""
    table = T.get(language, T["en"])
    return table[key].format(**fields)


def _fragment(intent: str, facts: Mapping[str, Any], lang: str) -> str | None:
    """The sentences about one request, from the facts only (None: this request goes to a person)."""
    order = facts.get("order.id")
    last4 = facts.get("payment.card_last4")
    card = say(lang, "card", last4=last4) if last4 else ""
    amount = facts.get("refund.amount")
    money = money_text(amount) if amount else ""
    carrier, tracking = facts.get("shipment.carrier"), facts.get("shipment.tracking")
    status = facts.get("shipment.status")
    if intent == "double_charge":
        if facts.get("payment.duplicate") and amount:
            return say(lang, "dup_refunded", order=order, amount=money, card=card)
        if (count := facts.get("payment.capture_count")) is not None:
            captured, total = (money_text(facts.get(k) or 0.0) for k in ("payment.captured", "order.total"))
            return say(lang, "dup_none", order=order, count=count, captured=captured, total=total)
        return None
    if intent == "cancel_order":
        if not facts.get("order.cancellable"):  # said as it is: shipped, or cancelled already
            cancelled = facts.get("order.status") == "cancelled"
            return say(lang, "was_cancelled" if cancelled else "cancel_shipped", order=order)
        reason = facts.get("cancel.reason")
        if reason not in ("no longer needed", "ordered by mistake"):
            refund = say(lang, "cancel_why_refund", amount=money, card=card) if amount else ""
            return say(lang, "cancel_why", order=order, refund=refund)
        why = " " + say(lang, "cancel_reason", reason=say(lang, str(reason)))
        key = "cancel_refund" if amount else ("cancel_void" if facts.get("payment.uncaptured") else "cancel_only")
        return say(lang, key, order=order, amount=money, card=card) + why
    if intent in ("where_is_order", "not_received"):
        if facts.get("order.status") == "cancelled":
            return say(lang, "was_cancelled", order=order)
        if status == "in_transit":
            return say(lang, "in_transit", order=order, carrier=carrier, tracking=tracking)
        if status == "delivered" and intent == "where_is_order":
            return say(lang, "delivered", order=order, carrier=carrier, tracking=tracking)
        if status is None and facts.get("order.status") and not facts.get("order.shipped"):
            return say(lang, "not_shipped", order=order)
        return None
    if intent == "cancel_item":
        return say(lang, "cancel_item" if facts.get("order.cancellable") else "cancel_shipped", order=order)
    if intent == "change_address":
        return _address_fragment(facts, lang)
    if intent in ("damaged_item", "wrong_item"):
        if {"exchange_variant", "return_refund"} & set(facts.get(TYPES_FACT) or []):
            # exchanged or sent back as they asked (SUP-005 exchange-asked, return-asked): no refund said made now
            return say(lang, "sorry")
        if amount and facts.get("refund.capture_id"):
            return say(lang, "damaged" if intent == "damaged_item" else "wrong", order=order, amount=money, card=card)
        return None
    if intent == "return_refund":
        if facts.get("return.requested") and facts.get("order.status") == "delivered":
            listed = line_names(facts, facts.get("return.lines") or [])
            if listed and facts.get("return.open_value") is not None:
                method = say(lang, str(facts.get("return.refund_to") or "original_payment"))
                value = money_text(float(facts["return.open_value"]))
                return say(lang, "return_opened", order=order, items=listed, amount=value, method=method)
            for asked in ("which_is_which", "which_items"):  # which items go back (and which are exchanged)
                if facts.get(f"return.{asked}"):
                    return say(lang, asked, order=order, items=line_names(facts, None))
        if not facts.get("return.received"):
            return say(lang, "return_waiting", order=order)
        if amount and facts.get("refund.capture_id"):
            return say(lang, "return_refunded", order=order, amount=money, card=card)
        if facts.get("return.refund_due") == 0:
            return say(lang, "return_covered", order=order)
        return None
    if intent == "change_payment":
        return _payment_fragment(facts, lang)
    if intent == "exchange_variant" and facts.get("return.which_is_which"):
        return ""  # asked with the return: which items go back and which are exchanged
    if intent == "exchange_variant" and facts.get("modify.method_short"):
        # the gift card named for the difference holds less than it: nothing changes (SUP-007), said with both sums
        amount, balance = (money_text(float(facts.get(f"modify.{k}") or 0.0)) for k in ("difference", "method_balance"))
        return say(lang, "items_gift_short", order=order, changes=facts.get("modify.summary"), amount=amount,
                   balance=balance)  # fmt: skip
    if intent == "exchange_variant" and facts.get("modify.resolved") is True:
        if facts.get("modify.ambiguous"):
            # one item a line: what it is now and the options of its product in stock
            listed = "".join(f"\n- {choice}" for choice in facts.get("modify.choices") or [])
            return say(lang, "items_which", order=order, choices=listed + "\n") + _anything_else_too(facts, lang)
        if facts.get("paymethod.blocks_items"):
            return ""  # the items change with the payment, once the customer says which method (asked)
        if facts.get("modify.method_asked"):
            return _which_method_for_difference(facts, lang)
        if chosen := _method_of(facts, facts.get("modify.method_id")):
            card = say(lang, "method_to", method=_method_words(lang, chosen))
        sentence = "items_exchanged" if facts.get("order.status") == "delivered" else "items_changed"
        changed = say(lang, sentence, order=order, changes=facts.get("modify.summary"))
        difference = float(facts.get("modify.difference") or 0.0)
        if abs(difference) < 0.005:
            return changed + " " + say(lang, "items_same_price")
        key = "items_charge" if difference > 0 else "items_refund"
        if difference < 0 and facts.get("payment.uncaptured"):
            key = "items_uncaptured"
        return changed + " " + say(lang, key, amount=money_text(abs(difference)), card=card)
    if intent == "exchange_variant":
        new, old = facts.get("exchange.option"), facts.get("exchange.from_option")
        if not new or not facts.get("exchange.same_price"):
            return None
        if facts.get("exchange.in_stock"):
            return say(lang, "exchanged", order=order, old=old, new=new)
        options = [o for o in facts.get("exchange.options_in_stock") or [] if o != old]
        tail = say(lang, "in_stock_are", options=", ".join(options)) if options else say(lang, "none_in_stock")
        return say(lang, "out_of_stock", order=order, new=new) + tail
    if intent == "question":
        return say(lang, "question")
    return None


def _anything_else_too(facts: Mapping[str, Any], lang: str) -> str:
    """The same, added to a question the exchange asks anyway (which variant), when the order holds other items."""
    others = facts.get("exchange.others") or []
    if facts.get("order.status") != "delivered" or facts.get("exchange.list_asked") or not others:
        return ""
    return " " + say(lang, "anything_else_too", order=facts.get("order.id"), others=", ".join(dict.fromkeys(others)))


def _listed(parts: Sequence[str], last: str) -> str:
    """The parts as a list in words: commas between them, ``last`` (" and ", " or ") before the last one."""
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + last + parts[-1]


def _address_question(facts: Mapping[str, Any], lang: str) -> str | None:
    """What is asked about an address that cannot be used as written (None: nothing to ask)."""
    status, evidence = facts.get("address.status"), str(facts.get("address.evidence") or "")
    if status == "incomplete":
        parts = [say(lang, f"part_{p}") for p in facts.get("address.missing") or ["street"]]
        missing = _listed(parts, say(lang, "and"))
        return say(lang, "address_missing", evidence=evidence, missing=missing)
    if status == "which":
        return say(lang, "address_which", choices="; ".join(facts.get("address.choices") or []))
    if status == "corrected":
        return say(lang, "address_corrected", evidence=evidence, suggestion=facts.get("address.suggestion"))
    if status == "undeliverable":
        known = [i for i in facts.get("address.issues") or [] if i in T["en"]]
        issues = _listed([say(lang, i) for i in known], say(lang, "and")) if known else say(lang, "unknown_city")
        return say(lang, "address_undeliverable", evidence=evidence, issues=issues)
    return None


def _address_fragment(facts: Mapping[str, Any], lang: str) -> str | None:
    """An address change (SUP-006): the new address written out in full so the customer can catch a typo, or what
    is missing or what shipping found, asked; None when a person takes it."""
    order, status = facts.get("order.id"), facts.get("address.status")
    if facts.get("order.shipped"):
        return say(lang, "address_shipped", order=order)
    if (asked := _address_question(facts, lang)) is not None:
        return (say(lang, "about_order", order=order) + " " if order else "") + asked
    if status != "resolved":
        return None
    address, check = facts.get("address.summary"), say(lang, "address_check")
    if facts.get("address.for_order") is False:
        if facts.get("address.for_account") and facts.get("address.account_differs"):
            return say(lang, "account_address_changed", address=address) + " " + say(lang, "address_check_account")
        return None
    if (
        facts.get("order.cancellable")
        and facts.get("address.differs") is False
        and facts.get("address.source") != "account"
    ):
        if facts.get("address.shipping_differs") is False:
            return say(lang, "address_already", order=order, address=address) + " " + check
        return None
    if not (facts.get("order.cancellable") and facts.get("address.differs")):
        return None
    key = "address_changed" if facts.get("address.source") == "account" else "address_changed_to"
    sentence = say(lang, key, order=order, address=address)
    if facts.get("address.for_account") and facts.get("address.account_differs"):
        sentence += " " + say(lang, "account_address_changed", address=address)
    return sentence + " " + check


def _method_of(facts: Mapping[str, Any], method_id: Any) -> Mapping[str, Any] | None:
    """A method of the customer's other than the order's own, as payments listed it (None: not one of them)."""
    if method_id is None:
        return None
    return next((m for m in facts.get("paymethod.others") or [] if m.get("payment_method_id") == method_id), None)


def method_words(lang: str, facts: Mapping[str, Any], method_id: Any) -> str | None:
    """A method of the customer's by its id as a reply names it (the order's own when no id is given), or None."""
    chosen = _method_of(facts, method_id) if method_id is not None else facts.get("paymethod.current")
    return _method_words(lang, chosen) if chosen else None


def _method_words(lang: str, method: Mapping[str, Any], balance: bool = False) -> str:
    """A payment method as the reply names it: its kind, a card's brand and last digits (never a full number)."""
    kind = method.get("kind")
    if kind == "card":
        return say(lang, "method_card", brand=str(method.get("brand") or "").capitalize(), last4=method.get("last4"))
    if kind == "gift_card":
        held = method.get("balance")
        shown = say(lang, "method_balance", balance=money_text(float(held))) if balance and held is not None else ""
        return say(lang, "method_gift") + shown
    return say(lang, "method_paypal")


def _payment_fragment(facts: Mapping[str, Any], lang: str) -> str | None:
    """Paying an order another way (SUP-013): the method it is now paid with, or which of their other methods
    (listed by kind and last digits), or that it shipped; None when payments' methods are not known (a person)."""
    order = facts.get("order.id")
    if not facts.get("order.cancellable"):
        return say(lang, "pay_shipped", order=order)
    if not facts.get("paymethod.known"):
        return None
    held = float(facts.get("paymethod.amount") or 0.0)
    amount = money_text(held)
    if facts.get("paymethod.ready"):
        # the payment moves now, also while the variant of an item changed with it is asked (SUP-013 v2)
        chosen = _method_of(facts, facts.get("paymethod.method_id"))
        return say(lang, "paid_with", order=order, method=_method_words(lang, chosen or {}), amount=amount)
    head = ""
    if facts.get("paymethod.kind") == "gift_card" and facts.get("paymethod.covers") is False:
        balance = money_text(float(facts.get("paymethod.balance") or 0.0))
        head = say(lang, "pay_short", balance=balance, amount=amount, order=order) + " "
    if facts.get("paymethod.stays"):
        # none of their other methods could pay: nothing to ask, the order keeps the method it is paid with
        own = facts.get("paymethod.current")
        method = say(lang, "stays_with", method=_method_words(lang, own)) if own else ""
        return head + say(lang, "pay_stays", order=order, method=method)
    if not (others := _methods_paying(facts, lang, held)):
        return head + say(lang, "pay_none", order=order)
    return head + say(lang, "pay_which", order=order, methods=_listed(others, say(lang, "method_or")))


def _methods_paying(facts: Mapping[str, Any], lang: str, amount: float) -> list[str]:
    """The customer's other methods that could pay ``amount`` (nothing to pay when it is negative), as the reply
    names them: a gift card short of it is not offered, one that covers it is named with its balance."""
    return [
        _method_words(lang, m, balance=True)
        for m in facts.get("paymethod.others") or []
        if m.get("kind") != "gift_card" or amount < 0 or float(m.get("balance") or 0.0) + 0.005 >= amount
    ]


def _which_method_for_difference(facts: Mapping[str, Any], lang: str) -> str:
    """The question when the method named for the order could not take it: the new items, the difference, and the
    customer's methods that could take it (the order's own first, a gift card with its balance when it covers it)."""
    difference = float(facts.get("modify.difference") or 0.0)
    own = facts.get("paymethod.current")
    offered = ([_method_words(lang, own)] if own else []) + _methods_paying(facts, lang, difference)
    direction, methods = say(lang, "more" if difference > 0 else "less"), _listed(offered, say(lang, "method_or"))
    return say(lang, "items_which_method", order=facts.get("order.id"), changes=facts.get("modify.summary"),
               amount=money_text(abs(difference)), direction=direction, methods=methods)  # fmt: skip


def line_names(facts: Mapping[str, Any], line_nos: Sequence[int] | None) -> str:
    """The order's items by name (those lines only, or all of them), as the ERP describes them."""
    named = facts.get("order.line_names") or {}
    chosen = [named[str(n)] for n in line_nos if str(n) in named] if line_nos is not None else list(named.values())
    return ", ".join(str(n) for n in chosen)


def compose_reply(facts: Mapping[str, Any]) -> str | None:
    """The reply draft for the whole ticket (None when some request must go to a person instead)."""
    body = reply_body(facts)
    return None if body is None else letter(facts, language_of(facts), body)


def language_of(facts: Mapping[str, Any]) -> str:
    lang = str(facts.get("message.language") or "en")
    return lang if lang in T else "en"


def letter(facts: Mapping[str, Any], lang: str, body: str) -> str:
    """The body between the greeting (by the customer's first name) and the sign-off."""
    name = display_name(facts.get("customer.name"), first=True, fallback=T[lang]["anyone"])  # data, never markup
    opening = say(lang, "hello", name=name).replace(" ,", ",").replace(" :", ":")
    sorry = " " + say(lang, "sorry") if facts.get("message.angry") else ""
    return f"{opening}\n\n{body}{sorry}\n\n{say(lang, 'bye')}"


def reply_body(facts: Mapping[str, Any]) -> str | None:
    """What the reply says of the ticket's requests, without greeting and sign-off (None: a person answers)."""
    lang = language_of(facts)
    types = facts.get(TYPES_FACT) or []
    ref = facts.get("order.ref")
    if "unreadable_message" in types:
        body = [say(lang, "unreadable")]
    elif "identify_customer" in types:
        body = [say(lang, "identify")]
    elif "order_not_found" in types or "order_not_owned" in types:
        quoted = say(lang, "order_n", ref=ref) if ref else say(lang, "that_order")
        body = [say(lang, "not_found", quoted=quoted)]
    elif "which_order" in types:
        body = [say(lang, "which", listed=", ".join(facts.get("order.candidates") or []))]
    elif "unclear_request" in types:
        unsure = "unread" if facts.get("message.unread") else "untaken" if facts.get("message.untaken") else None
        body = [say(lang, f"unclear_{unsure}" if unsure else "unclear")]
    elif "condition_not_met" in types:
        body = [_condition_said(facts, lang), say(lang, "cond_not_met", order=facts.get("order.id"))]
    else:
        # a reply that asks says only what it asks: nothing else is done before the answer (it is read back then)
        spoken = [t for t in types if t in (facts.get("reply.asking") or ())] or list(types)
        parts = [_fragment(t, facts, lang) for t in spoken]
        if any(p is None for p in parts):
            return None
        body = [_condition_said(facts, lang)] if facts.get("condition.about") else []
        body += [p for p in parts if p]
        if len(spoken) < len(types):
            body.append(say(lang, "waiting", orders=say(lang, "order_n", ref=facts.get("order.id"))))
    return " ".join(body)


def standing(facts: Mapping[str, Any]) -> str:
    """What the reply says of the requests that announces nothing done: what stays as it is and why, what the
    systems show (the plan read back says it beside what will change, :mod:`ai_missions.graphs.support.read_back`)."""
    lang, order = language_of(facts), facts.get("order.id")
    said = (_fragment(t, facts, lang) for t in facts.get(TYPES_FACT) or [])
    return " ".join(f for f in said if f and not promises(f, order))


def _condition_said(facts: Mapping[str, Any], lang: str) -> str:
    """The condition the request was made on, in our words (never the customer's), and what the systems show of it."""
    state, subject = str(facts.get("condition.state")), facts.get("condition.subject")
    shown = facts.get("message.condition_holds") == facts.get("condition.wanted")
    if subject == facts.get("order.id"):
        subject = say(lang, "order_n", ref=subject)
    if facts.get("condition.about") == "price":
        asked = say(lang, f"cond_{state}", amount=money_text(float(facts["condition.limit"])))
        actual = money_text(float(facts["condition.value"]))
    else:
        paid = facts.get("condition.about") == "payment"
        method = _method_words(lang, facts["condition.value"]) if paid else ""
        asked = say(lang, f"cond_{state}" if facts.get("condition.wanted") else f"cond_not_{state}", method=method)
        actual = say(lang, f"cond_{state}" if shown else f"cond_not_{state}", method=method)
    said = "cond_asked_else" if facts.get("condition.branch") == "else" else "cond_asked"
    return say(lang, said, subject=subject, state=asked, actual=actual)


def compose_plan_reply(shared: Mapping[str, Any], parts: Sequence[Mapping[str, Any]]) -> str | None:
    """One reply for a request about several orders (each part's facts): every part's own sentences with its own
    figures, in one letter. When a part asks the customer something (its reply leaves the ticket pending), the
    reply is those questions only, and the other orders are named as waiting for the answer: nothing is done on
    them yet, so nothing is announced. None when a part's reply must come from a person."""
    lang = language_of(shared)
    asking = [p for p in parts if p.get("reply.status") == "pending"]
    bodies = [reply_body(p) for p in (asking or parts)]
    if any(b is None for b in bodies):
        return None
    text = " ".join(b for b in bodies if b)
    if asking and (waiting := [say(lang, "order_n", ref=p.get("order.id")) for p in parts if p not in asking]):
        text += " " + say(lang, "waiting", orders=", ".join(waiting))
    return letter(shared, lang, text)


#: Where a sentence of a reply ends (not inside an amount: "35.00").
_SENTENCE_END = re.compile(r"(?<=[.!?:])\s+")


def said_of_order(body: str, order: str | None, orders: Sequence[str]) -> str:
    """What a reply about several ``orders`` says of ``order``: the sentences naming it, and those naming no order
    that follow them; one before any order is named is said of every order (the whole body if it names no other)."""
    others = [o for o in dict.fromkeys(orders) if o and o != order]
    if not order or not others:
        return body
    named = sorted({order, *others}, key=len, reverse=True)
    mention = re.compile("|".join(rf"(?<!\w){re.escape(o)}(?!\w)" for o in named))
    kept, owners = [], {order}
    for sentence in _SENTENCE_END.split(body):
        owners = {m.group(0) for m in mention.finditer(sentence)} or owners
        if order in owners:
            kept.append(sentence)
    return " ".join(kept)


def stated_outcomes(body: str, order: str | None, orders: Sequence[str] = ()) -> set[str]:
    """The tools whose effect a reply states as done for ``order`` (of the ``orders`` it may speak of): each must
    have run before the reply is sent, never merely proposed or waiting for the customer's answer."""
    return promises(said_of_order(body, order, orders), order)


def promises(body: str, order: str | None = None) -> set[str]:
    """The tools whose effect a reply announces (in any of the languages)."""
    folded = body.casefold()
    return {
        tool
        for tool, words in PROMISES.items()
        if any(w.format(order=order or "").casefold() in folded for w in words if order or "{order}" not in w)
    }
