"""Which of the customer's payment methods on file a message names ("my gift card", "paypal", "my visa ending 1234",
"the other card", "la tarjeta regalo"), read against the methods payments holds for them.

More in docs/support-parse.md (methods.py)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ai_missions.graphs.support.parse.folding import fold
from ai_missions.graphs.support.words import WORDS

#: Card brands as customers write them -> as payments records them.
BRANDS = WORDS.table("card_brands")
_OTHER = (
    rf"(?:{WORDS.alternation('another')})\s+(?:(?:{WORDS.alternation('card_kind')}) )?"
    rf"(?:{WORDS.alternation('card_noun')})"
)
_DIGITS = re.compile(rf"(?:{WORDS.alternation('card_ending')})\D{{0,12}}?(\d{{4}})\b")
#: A method named, in this order of preference: another card, a gift card, PayPal, a card's brand, a card.
_METHOD_WORDS = {
    "other": _OTHER,
    "gift": WORDS.alternation("gift_card", "gift_card_also"),
    "paypal": WORDS.alternation("paypal"),
    "brand": WORDS.alternation("card_brands"),
    "card": WORDS.alternation("card", "card_also"),
}
#: The kind of method each of them names (a brand, a card: a card).
_KINDS = {"other": "other_card", "gift": "gift_card", "paypal": "paypal"}
_MENTION = re.compile("|".join(rf"\b(?P<{name}>{words})\b" for name, words in _METHOD_WORDS.items()))
#: Said just before a mention on its line, a method not wanted (not "instead of blue" on the line before it).
_NEGATION = re.compile(rf"\b(?:{WORDS.alternation('method_not_wanted')})\b(?:[^\S\n]+[^\s,.;:!?]+){{0,3}}[^\S\n]*\Z")


#: Said in a mention's clause, it makes the mention one for a price difference, not for the order's payment; and the
#: order, its payment or "instead" of how it is paid, said in it, one for the order's (the payment readers' too).
_DIFFERENCE, WHOLE_ORDER = WORDS.pattern("difference_method"), WORDS.pattern("whole_order")
#: Where a clause ends: a sentence's end, a semicolon or comma, a conjunction joining two requests.
_CLAUSE_END = re.compile(rf"[.;:!?\n,]|\b(?:{WORDS.alternation('clause_joins')})\b")
#: What a mention is for.
ORDER, DIFFERENCE = "order", "difference"


@dataclass(frozen=True, slots=True)
class Mention:
    kind: str  # gift_card, paypal, card, other_card
    brand: str | None = None
    last4: str | None = None
    wanted: bool = True
    scope: str = ORDER  # ORDER: the order's payment; DIFFERENCE: an item change's price difference
    #: Said as one of theirs: a kind, brand or digits of its own, or "my card"; not "the SD card one", "a memory card".
    theirs: bool = True


#: Said just before a plain "card", it is the customer's own.
_THEIR = re.compile(rf"\b(?:{WORDS.alternation('theirs')})\s+(?:[^\s,.;:!?]+\s+)?$")


def _scope(folded: str, start: int) -> str:
    """What a mention at ``start`` is for: a price difference when its clause speaks of one, or the one before its
    comma does and it names no order nor payment ("For the grill's difference, use my Mastercard"); else the order."""
    ends = [m.start() for m in _CLAUSE_END.finditer(folded, 0, start)]
    begin = ends[-1] if ends else 0
    after = _CLAUSE_END.search(folded, start)
    clause = folded[begin : after.start() if after else len(folded)]
    said = folded[ends[-2] if len(ends) > 1 else 0 : begin] if ends and folded[begin] == "," else ""
    led_in = _DIFFERENCE.search(said) and not WHOLE_ORDER.search(clause)
    return DIFFERENCE if led_in or _DIFFERENCE.search(clause) else ORDER


#: A method moved from ("switch from my gift card to my Mastercard", "move it off PayPal onto my Visa"): said
#: before it, with a method moved to after it, it is the one not wanted.
_FROM = re.compile(rf"\b(?:{WORDS.alternation('moved_from')})\b(?:\s+[^\s,.;:!?]+){{0,2}}\s*$")
_TO_ANOTHER = re.compile(
    rf"^[^.;!?]{{0,40}}?\b(?:{WORDS.alternation('moved_to')})\b[^.;!?]{{0,20}}?(?:{_MENTION.pattern})"
)
#: A method the customer says they paid with ("I paid with PayPal, but I'd prefer the refund on my gift card"): with
#: another one said after it before a full stop, it is the one not wanted (the words of a condition on what was paid).
_PAID_WITH = re.compile(
    rf"\b(?:{WORDS.alternation('first_person')})\s+(?:{WORDS.alternation('condition_paid')})(?:\s+[^\s,.;:!?]+)?\s+"
    rf"(?:{WORDS.alternation('condition_paid_with')})(?:\s+[^\s,.;:!?]+)?\s*$"
)
#: Between a method not wanted and the next, that one is said as its alternative ("not the gift card or the Visa").
_OR_NEXT = re.compile(rf"\s+(?:{WORDS.alternation('alternative_word')})\s+(?:[^\s,.;:!?]+\s+)?")


def mentions(text: str) -> list[Mention]:
    """The methods a text speaks of, in order, each wanted or not ("not my Visa", "from my gift card to my Visa")."""
    folded = fold(text)
    out: list[Mention] = []
    end = -1  # where the last mention not wanted ends
    for match in _MENTION.finditer(folded):
        before = folded[max(0, match.start() - 40) : match.start()]
        after = folded[match.end() : match.end() + 40]
        paid = _PAID_WITH.search(before) and _MENTION.search(folded[match.end() :].split(".")[0])
        alternative = _OR_NEXT.fullmatch(folded, end, match.start()) is not None
        wanted = not (_NEGATION.search(before) or (_FROM.search(before) and _TO_ANOTHER.search(after)) or paid)
        wanted = wanted and not alternative
        end = -1 if wanted else match.end()
        digits = _DIGITS.match(after.lstrip()) or _DIGITS.search(after[:30])
        last4 = digits.group(1) if digits else None
        group, brand = str(match.lastgroup), BRANDS[match["brand"]] if match["brand"] else None
        theirs = group != "card" or last4 is not None or _THEIR.search(before) is not None
        last4 = None if group == "paypal" else last4
        out.append(Mention(_KINDS.get(group, "card"), brand, last4, wanted, _scope(folded, match.start()), theirs))
    # digits said alone ("the one ending in 1234") name a card by its digits
    said = {m.last4 for m in out if m.last4}
    for digits in _DIGITS.finditer(folded):
        if digits.group(1) not in said:
            before = folded[max(0, digits.start() - 40) : digits.start()]
            wanted = _NEGATION.search(before) is None
            out.append(Mention("card", last4=digits.group(1), wanted=wanted, scope=_scope(folded, digits.start())))
    return out


def _fits(mention: Mention, method: Mapping[str, Any], current: str | None) -> bool:
    kind = str(method.get("kind") or "")
    digits = not mention.last4 or str(method.get("last4") or "") == mention.last4
    if mention.kind == "other_card":
        return kind == "card" and method.get("payment_method_id") != current and digits
    brand = not mention.brand or str(method.get("brand") or "").lower() == mention.brand
    return mention.kind == kind and brand and digits


def named(
    spoken: list[Mention], methods: Sequence[Mapping[str, Any]], current: str | None, scope: str | None = None
) -> tuple[list[str], bool]:
    """(the ids of the methods on file the mentions name and want, whether any is named), of those for ``scope`` only
    when given (ORDER, DIFFERENCE). One also named as not wanted is left out; nothing specific named, nothing fits."""
    said = [m for m in spoken if scope is None or m.scope == scope]
    wanted = [m for m in said if m.wanted]
    unwanted = [m for m in said if not m.wanted]
    fit = [
        str(method["payment_method_id"])
        for method in methods
        if any(_fits(m, method, current) for m in wanted) and not any(_fits(m, method, current) for m in unwanted)
    ]
    return list(dict.fromkeys(fit)), bool(wanted)


def chosen(spoken: list[Mention], methods: Sequence[Mapping[str, Any]], current: str | None) -> tuple[str | None, bool]:
    """(the one method the mentions choose to pay the order instead of ``current``, whether one is named for the
    order at all): exactly one method on file other than the order's own fits what is said of the order's payment
    (not of a price difference); None when none or several do (asked), or when only the order's own is named."""
    fit, any_named = named(spoken, methods, current, ORDER)
    others = [m for m in fit if m != current]
    return (others[0] if len(others) == 1 else None), any_named
