"""Conditions the systems can settle: a request made only if a variant is (not) in stock, the order has (not)
shipped, been delivered or been paid with a method, or the order or a variant costs over or under an amount, is
settled against what gather read, not sent to a person.

More in docs/support-parse.md (conditions.py)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ai_missions.graphs.support.parse import methods as paying
from ai_missions.graphs.support.parse.folding import fold
from ai_missions.graphs.support.parse.resolve import with_variants
from ai_missions.graphs.support.parse.understanding import CONDITION_WORD, SENTENCE_END
from ai_missions.graphs.support.vocabulary import VOCABULARY
from ai_missions.graphs.support.words import WORDS, singular

_UNLESS = WORDS.pattern("condition_unless")
#: What begins the request made for when the condition does not hold ("..., otherwise return it").
_ELSE = WORDS.pattern("condition_else")
#: Where the condition ends when no comma ends it: the request begins ("... sold out please cancel it").
_ENDS = WORDS.pattern("condition_ends")
#: The state each list says, and whether it says it holds (out of stock: "in stock" does not).
_STATES = {
    "condition_in_stock": ("in_stock", True),
    "condition_out_of_stock": ("in_stock", False),
    "condition_shipped": ("shipped", True),
    "condition_open": ("shipped", False),
    "condition_delivered": ("delivered", True),
    "condition_paid": ("paid", True),
}
_STATE_OF = {phrase: said for name, said in _STATES.items() for phrase in WORDS.phrases(name)}
_STATE = WORDS.pattern(*_STATES)
_NOT = WORDS.pattern("condition_not")
_JOINS = WORDS.pattern("condition_joins")
_THE_ORDER = WORDS.pattern("condition_the_order")
#: An amount a condition compares with: "over $300", "more than 250", "under 50 euros", "mehr als 50 Euro".
AMOUNT = re.compile(
    rf"(?P<op>{WORDS.alternation('amount_at_least', 'price_below_amount')})\s*"
    rf"(?:{WORDS.alternation('currency_before_amount')})?\s*"
    r"(?P<amount>\d{1,3}(?:,\d{3})+(?:\.\d{1,2})?|\d+(?:[.,]\d{1,2})?)"
)
_AT_LEAST = WORDS.phrases("amount_at_least")
#: Of those, the ones that take the amount itself in ("at least 300": 300 holds).
_INCLUSIVE = WORDS.phrases("amount_inclusive")
#: Words about a price that name nothing ("costs", "the price of", a currency after the amount).
_PRICE_WORDS = WORDS.pattern("condition_price_words", "price_currency")
_TOKEN = re.compile(r"[a-z0-9]+")
#: What names the method an order is paid with, and the words before it ("with my gift card", "the card ending 1234").
_METHOD_LISTS = ("condition_paid_with", "gift_card", "gift_card_also", "paypal", "card_brands", "card", "card_also")
_METHOD = re.compile(rf"\b(?:{WORDS.alternation(*_METHOD_LISTS, 'card_ending')}|\d{{4}})\b")
_ITEM_WORDS = frozenset(_TOKEN.findall(" ".join(WORDS.phrases("condition_item_words"))))
#: An option in the customer's language -> the catalogue's ("schwarz" -> "Black").
_OPTION_WORDS = {word: fold(option) for word, option in WORDS.table("option_words").items()}
#: The facts a settled condition gives, each a field of it.
_FACTS = tuple(name for name in VOCABULARY.facts if name.startswith("condition."))
#: The order statuses after it left the warehouse.
_SHIPPED = ("shipped", "delivered")


@dataclass(frozen=True)
class Settled:
    """A condition read and settled: what it is about, the state it asks for (``wanted``: must hold, or must not),
    whether the systems show it (``shown``) and their figure (``value``: available count, status, price, method)."""

    about: str  # "stock", "status", "price" or "payment"
    subject: str  # the variant ("Bookshelf (Walnut)") or the order's id
    state: str  # "in_stock", "shipped", "delivered", "paid"; a price's "over", "at_least" or "under" the ``limit``
    wanted: bool
    shown: bool
    value: Any
    limit: float | None = None
    branch: str | None = None  # "then" or "else" when an else-branch was said: the request done is that branch's

    @property
    def holds(self) -> bool:
        return self.shown == self.wanted

    def facts(self) -> dict[str, Any]:
        """The condition's facts (the vocabulary's ``condition.*``: the reply and the Explain rail say them)."""
        return {name: getattr(self, name.removeprefix("condition.")) for name in _FACTS}


def settle(clause: str, record: Mapping[str, Any] | None, methods: Sequence[Mapping[str, Any]] = ()) -> Settled | None:
    """The condition settled against the order's record (stock of its products' variants, its status, its total
    and its variants' prices, the method it is paid with among ``methods`` on file); None: not read whole or known."""
    clause = _ENDS.split(clause)[0]
    leading = CONDITION_WORD.match(clause)
    states = _STATE.findall(clause)
    amount = AMOUNT.search(clause)
    if leading is None or record is None or len(states) + bool(amount) != 1:
        return None
    state, wanted = _STATE_OF[states[0]] if states else ("price", True)
    rest = clause[leading.end() :]
    rest = _PRICE_WORDS.sub(" ", AMOUNT.sub(" ", rest)) if amount else _STATE.sub(" ", rest)
    wanted ^= bool(_UNLESS.match(clause)) ^ bool(_NOT.search(rest))
    rest = _THE_ORDER.sub(" ", _JOINS.sub(" ", _NOT.sub(" ", rest)))
    order = record["order"]
    if amount:
        return _price(amount, _TOKEN.findall(rest), record) if wanted else None
    if state == "paid":
        return _paid(rest, record, methods, wanted)
    if state != "in_stock":
        if _names_another(_TOKEN.findall(rest), order) or not order.get("status"):
            return None
        status = str(order["status"])
        shown = status in _SHIPPED if state == "shipped" else status == "delivered"
        return Settled("status", str(order["order_id"]), state, wanted, shown, status)
    variant = _variant_named(_TOKEN.findall(rest), order.get("lines") or [], record.get("variants") or [])
    if variant is None:
        return None
    lines = order.get("lines") or []
    quantity = max((int(x.get("quantity") or 1) for x in lines if x["sku"] == variant["sku"]), default=1)
    available = int(variant["available"])
    return Settled("stock", _variant_name(variant, order), state, wanted, available >= quantity, available)


#: The word for an order, said with its items' words ("if the rug order has not shipped").
_ORDER_WORDS = frozenset(_TOKEN.findall(" ".join(WORDS.phrases("order_word"))))


def _names_another(said: Sequence[str], order: Mapping[str, Any]) -> bool:
    """Whether the words left of a status condition say more than the order it is about: each one an article, the
    word order, or a word of its items' names said with the word order ("if the rug and lamp order has shipped");
    an item alone has a status of its own ("if the bookshelf has shipped")."""
    own = set(_TOKEN.findall(fold(" ".join(str(x.get("description") or "") for x in order.get("lines") or []))))
    quoted = set(_TOKEN.findall(fold(str(order.get("order_id") or ""))))  # "if #W644 hasn't shipped": the order
    allowed = _ITEM_WORDS | _ORDER_WORDS | quoted | (own if _ORDER_WORDS & set(said) else set())
    return any(w not in allowed and singular(w) not in allowed for w in said)


def _price(amount: re.Match[str], said: Sequence[str], record: Mapping[str, Any]) -> Settled | None:
    """A price condition settled: the order's total when nothing else is named, else the one variant named."""
    order = record["order"]
    named = [w for w in said if w not in _ITEM_WORDS]
    variant = _variant_named(named, order.get("lines") or [], record.get("variants") or []) if named else None
    if named and variant is None:
        return None
    value = float(variant["unit_price"] if variant else order["total"])
    subject = _variant_name(variant, order) if variant else str(order["order_id"])
    op, shown, limit = compare_amount(amount, value)
    return Settled("price", subject, op, True, shown, value, limit)


def compare_amount(amount: re.Match[str], value: float) -> tuple[str, bool, float]:
    """What an amount said (``AMOUNT``) asks of ``value``: "over", "at_least" or "under" the limit, whether the
    value is, and the limit ("1,200": a thousand and more; "99,50": a decimal comma)."""
    written = amount["amount"]
    limit = float(written.replace(",", "") if re.search(r",\d{3}", written) else written.replace(",", "."))
    op = "under" if amount["op"] not in _AT_LEAST else "at_least" if amount["op"] in _INCLUSIVE else "over"
    shown = value < limit if op == "under" else value >= limit if op == "at_least" else value > limit
    return op, shown, limit


def _paid(rest: str, record: Mapping[str, Any], methods: Sequence[Mapping[str, Any]], wanted: bool) -> Settled | None:
    """A condition on the method the order is paid with: the one method on file its words (``rest``) name, against the
    order's own (payments' record); None when another word is left, not exactly one fits or the order's is unknown."""
    current = (record.get("payment") or {}).get("payment_method_id")
    fit, _named = paying.named(paying.mentions(rest), methods, None)
    left = [w for w in _TOKEN.findall(_METHOD.sub(" ", rest)) if w not in _ITEM_WORDS]
    if left or len(fit) != 1 or current is None:
        return None
    method = next(m for m in methods if str(m["payment_method_id"]) == fit[0])
    shown_method = {k: method.get(k) for k in ("kind", "brand", "last4")}
    return Settled("payment", str(record["order"]["order_id"]), "paid", wanted, fit[0] == str(current), shown_method)


def _variant_name(variant: Mapping[str, Any], order: Mapping[str, Any]) -> str:
    """The variant as the reply names it: its item's name on the order and its option ("Bookshelf (Walnut)")."""
    name = next(str(x.get("description")) for x in order["lines"] if x["sku"] in variant["_skus"])
    return f"{name} ({variant['option']})"


def _variant_named(
    said: Sequence[str], lines: Sequence[Mapping[str, Any]], variants: Sequence[Mapping[str, Any]]
) -> dict[str, Any] | None:
    """The one variant of the order's products the words name: its item's name and option words, or the item's
    name alone (the variant ordered); None when any word is neither or not exactly one variant fits."""
    content = [_OPTION_WORDS.get(w, w) for w in said if w not in _ITEM_WORDS]
    fitting: list[tuple[int, dict[str, Any]]] = []
    for line, own in with_variants(lines, variants):
        name = set(_TOKEN.findall(fold(str(line.get("description") or ""))))
        skus = {v["sku"] for v in variants if v["product_id"] == own["product_id"]}
        for variant in (v for v in variants if v["sku"] in skus):
            option = set(_TOKEN.findall(fold(str(variant.get("option") or ""))))
            if set(content) <= name | option and (option & set(content) or variant is own):
                fitting.append((len(option & set(content)), {**variant, "_skus": skus}))
    best = max((n for n, _ in fitting), default=0)
    chosen = {v["sku"]: v for n, v in fitting if n == best}
    return next(iter(chosen.values())) if len(chosen) == 1 and (content or len(lines) == 1) else None


def _asked(clause: str) -> tuple[str | None, bool]:
    """The state a condition clause asks of the order and whether it must hold ("if it hasn't shipped": shipped,
    False); no state for one that says only "if it has" or "if not"."""
    states = list(_STATE.finditer(clause))
    state, wanted = _STATE_OF[states[0].group(0)] if len(states) == 1 else (None, True)
    said = clause[: states[0].start()] if len(states) == 1 else clause  # "if it has shipped, never mind": not "never"
    return state, wanted ^ bool(_UNLESS.match(clause)) ^ bool(_NOT.search(said))


#: The customer speaking of themselves: after the condition's own subject, where the request begins ("if it has I
#: guess I'll return it").
_SPEAKER = re.compile(rf"\b(?:{WORDS.alternation('first_person')})\b")


def _own_words(clause: str) -> str:
    """A condition clause up to where the customer goes on about themselves ("if it has i guess ...": "if it has"),
    unless they are the condition's subject ("if i can't get the black one")."""
    lead = CONDITION_WORD.match(clause)
    start = lead.end() if lead else 0
    speaker = _SPEAKER.search(clause, start)
    return clause[: speaker.start()] if speaker and _TOKEN.search(clause, start, speaker.start()) else clause


def branches(text: str, condition: str | None) -> tuple[str | None, str | None] | None:
    """The request's words each way its one condition settles when an else-branch follows ("if ..., cancel it,
    otherwise return it"; "if it hasn't shipped cancel it, if it has I'll keep it"): before the else word or the
    second condition (it holds), from it on (not); None for a side saying nothing. None when the message says no
    condition, or a second one that is not the first one's other way ("and if it is over $50, return it")."""
    folded = fold(text)
    said = list(CONDITION_WORD.finditer(folded))
    if len(said) == 2 and condition and not _ELSE.search(folded):
        first, second = (_own_words(_ENDS.split(re.split(r"[,;.!?]", folded[m.start() :])[0])[0]) for m in said)
        (state, wanted), (other, other_wanted) = _asked(first), _asked(second)
        short = not _TOKEN.findall(_THE_ORDER.sub(" ", _JOINS.sub(" ", _NOT.sub(" ", CONDITION_WORD.sub(" ", second)))))
        if state is None or (other != state and not (other is None and short)) or wanted == other_wanted:
            return None  # the other way: the same state ("if it has"), or a clause saying no more ("if not")
        # the other way is its sentence; what the message says after it (a reason) goes with the first way
        stop = SENTENCE_END.search(folded, said[1].start())
        end = stop.end() if stop else len(folded)
        return f"{folded[: said[1].start()]} {folded[end:]}", folded[said[1].start() : end]
    if len(said) != 1:
        return None
    found = _ELSE.search(folded, max(folded.find(condition), 0)) if condition else None
    sides = (folded[: found.start()], folded[found.end() :]) if found else ("", "")
    return (sides[0] if _TOKEN.search(sides[0]) else None, sides[1] if _TOKEN.search(sides[1]) else None)
