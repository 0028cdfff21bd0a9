"""What the customer's words ask of an order's items, resolved against its lines, variants and payments: which
items a return or an exchange is said of, which variant each change asks for (values, comparisons, price bounds,
preferences, features left out), how many of identical lines, and the method named for a refund or a difference.
The words are read here, never in the facts that decide on them (docs/support-parse.md)."""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence, Set
from dataclasses import dataclass, replace
from typing import Any

from ai_missions.graphs.support.parse import methods as paying
from ai_missions.graphs.support.parse.comparison import (
    QUANTITY,
    UNITS,
    preferred,
    price_bound,
    read_comparison,
    without_fallback,
)
from ai_missions.graphs.support.parse.item_requests import apart
from ai_missions.graphs.support.parse.methods import Mention
from ai_missions.graphs.support.parse.request import SupportRequest
from ai_missions.graphs.support.parse.resolve import (
    SAID_APART,
    VARIANT_HEADS,
    Record,
    ambiguous_items,
    by_own_option,
    lines_named,
    names_item,
    options_by_sku,
    order_called_by,
    order_items,
    outnamed_lines,
    partly_named,
    quantity_said,
    said_before,
    said_of_lines,
    things_unmatched,
    wanted_of,
    with_variants,
    without_wanted,
)
from ai_missions.graphs.support.parse.understanding import (
    NEGATORS,
    SENTENCE_END,
    asks_to_return,
    blanked,
    change_asked,
    fold,
    items_text,
    only_kept,
    option_key,
    read_message,
    returns_everything,
    wants_or_changes,
    without_left_as_is,
)
from ai_missions.graphs.support.replies import say
from ai_missions.graphs.support.words import WORDS

_CENT = 0.005
#: Where a clause ends within a sentence: a comma, a semicolon, a dash between spaces, or a word ("also").
_CLAUSE_BREAK = re.compile(rf"[,;.!?\n]|\s[-\u2013]\s|\b(?:{WORDS.alternation('clause_break_word')})\b")


def items_asked_to_change(text: str, record: Mapping[str, Any]) -> list[int]:
    """Lines a change is asked of in words no request phrase holds ("can the kettle be changed to the 1.5L one?"),
    as the systems resolve them (the item on their order, the values on its variants); it is confirmed."""
    lines, options = order_items(record)
    variants = record.get("variants") or []
    asked = {
        n for clause in _CLAUSE_BREAK.split(text) if change_asked(clause) for n in lines_named(clause, lines, options)
    }
    named = lines_named(text, lines, options)
    for sentence in SENTENCE_END.split(text):
        if not wants_or_changes(sentence):
            continue
        here = set(lines_named(sentence, lines, options))
        fitting = set()
        for line, own in with_variants(lines, variants):
            n = int(line["line_no"])
            if n not in named or (here and n not in here):
                continue
            mine = _option_words(own["option"])
            others = _words_of(sibling_variants(own, variants))
            numbers = {_number_of(w) for w in others} - {_number_of(w) for w in mine} - {None}
            said = set(_option_tokens(sentence, _units(others | mine)))
            told = _numbers_asked(sentence, others | mine)
            if (said & others) - mine or {_number_of(w) for w in told} & numbers:
                fitting.add(n)  # a value only another variant has, or its number said alone ("the 1.5 one")
        asked |= fitting if here or len(fitting) == 1 else set()
    return sorted(asked)


def changes_asked(request: SupportRequest, record: Mapping[str, Any], *, wanting: bool = True) -> list[int]:
    """The lines a change is asked of in the request's words, else (``wanting``) those a sentence wants something of,
    whatever the values it says ("I'd like the kettle bigger too", or named in part: "the vacuum to be a robotic one"):
    beside a request about the order as a whole, such an item is asked about, never dropped in silence
    (``parts.wanting``: none about paying, "pay for the kettle by gift card")."""
    lines, options = order_items(record)
    asked = items_asked_to_change(request.said, record)
    if asked or not wanting:
        return asked
    # a want that only points back at its item ("could I change it to the robotic one?") is of the item named just
    # before it ("I have an order with an upright vacuum.")
    wants = request.parts.wanting
    before = said_before(request.parts.sentences, "\n".join(wants)).splitlines()
    named = (lines_named(s, lines, options) or partly_named(s, lines, options) for s in (*wants, *before))
    return sorted({n for lines_of in named for n in lines_of})


def lines_kept(request: SupportRequest, record: Mapping[str, Any]) -> list[int]:
    """The order's lines the customer says stay ("Boots are great, keeping them"): none to ask about."""
    kept = only_kept(request.said)
    return lines_named(kept, *order_items(record)) if kept.strip() else []


def cancelled_whole(request: SupportRequest, record: Mapping[str, Any], named: Sequence[int]) -> bool:
    """Whether the items named of an order asked cancelled say which order it is, not what of it is cancelled: they
    call the order ("the bookshelf order", "the order going to Dallas with the grill and ...", read in the words as
    sent, since what tells an order apart is left out of what is said of its items), or the customer's answer asks
    the order cancelled naming none of its items (the later message overrules the item read from the first)."""
    lines, options = order_items(record)
    if set(named) <= set(order_called_by(request.said, lines, options)):
        return True
    latest = request.latest
    return (
        latest is not None
        and "cancel_order" in read_message(latest).intents
        and not lines_named(items_text(latest), lines, options)
    )


def returned_whole(request: SupportRequest, record: Mapping[str, Any], named: Sequence[int]) -> list[int] | None:
    """The lines of an order asked sent back whole (:func:`understanding.returns_everything`): every line, less those
    said to be kept ("keeping the navy one"; not an order said kept: "not the bookshelf order, I'm keeping that one");
    ``[]`` (asked which) when an item named as returned is among those kept; None when not asked whole."""
    if not returns_everything(request.said):
        return None
    lines, options = order_items(record)
    said_kept = only_kept(request.said)
    kept = set(lines_named(said_kept, lines, options)) - set(order_called_by(said_kept, lines, options))
    whole = [int(x["line_no"]) for x in lines if int(x["line_no"]) not in kept]
    return whole if set(named) <= set(whole) else []


def methods_said(request: SupportRequest, variants: Sequence[Mapping[str, Any]]) -> list[Mention]:
    """The ways to pay the request names, read apart from the items' own option words ("the SD card one")."""
    return paying.mentions(without_option_phrases(request.said, variants))


def return_asked(
    record: Mapping[str, Any], asked: Asked, others: Sequence[Mapping[str, Any]], request: SupportRequest
) -> dict[str, Any]:
    """:func:`opening_facts` of the return's lines and words (every line of it, asked sent back whole: none of them
    is to be told apart from another of its kind)."""
    whole = returned_whole(request, record, asked.lines) == asked.lines
    return opening_facts(record, asked.lines, asked.text, others, request.messages, whole=whole)


def exchange_asked(
    record: Mapping[str, Any],
    asked: Asked,
    facts: Mapping[str, Any],
    methods: Any,
    request: SupportRequest,
    others: Sequence[Mapping[str, Any]],
) -> dict[str, Any]:
    """:func:`modify_facts` of the exchange's words: its lines, and those the words say change beside them."""
    # an item that only tells the order apart ("my order with the umbrella: change the mouse") is not said to change
    changing = asked.lines + lines_said_to_change(record, asked.lines, items_text(asked.text)) if asked.lines else []
    return modify_facts(record, changing, asked.text, facts, methods, messages=request.messages, others=others)


@dataclass(frozen=True, slots=True)
class Asked:
    """The lines one request of the order is said of, the text it is read from, and whether that is sure."""

    lines: list[int]
    text: str
    sure: bool = True


def each_its_own(
    record: Mapping[str, Any], types: Sequence[str], named: Sequence[int], request: SupportRequest
) -> tuple[Asked, Asked]:
    """The return's lines and words, and the exchange's, of an order asked both: each item with the request it is
    named under (:mod:`item_requests`), the other's words left out; unsure when the thread cannot tell, unless their
    latest message tells it on its own (``parts.answer``). Asking one of them reads every item named for it."""
    text, parts = request.said, request.parts
    if not {"return_refund", "exchange_variant"} <= set(types):
        return Asked(list(named), parts.items), Asked(list(named), text)
    lines, options = order_items(record)
    said, answer = apart(parts.items, parts.pieces, lines, options), parts.answer
    again = apart(answer.items, answer.pieces, lines, options) if not said.sure and answer is not None else None
    if again is not None and again.one_request:
        # asked which go back and which are exchanged, they answer with one of the two for every item they name:
        # the other is asked of none (read as asked of nothing, it is dropped)
        return Asked(list(again.returned), again.return_text), Asked(list(again.exchanged), again.exchange_text)
    if again is not None and again.sure:
        said = again
    if not said.exchanged and said.returned and not said.sure:
        # the exchange's items said only in words no request phrase holds, values only another variant of theirs has
        # ("return the kettle. The speaker should really be the red one"): theirs, each request's items told apart
        otherwise = tuple(n for n in items_asked_to_change(said.exchange_text, record) if n not in said.returned)
        said = replace(said, exchanged=otherwise, sure=True) if otherwise else said
    if not said.sure:
        return Asked([], parts.items, sure=False), Asked([], text, sure=False)
    # an item changed in words no request phrase holds ("... and I'd like the kettle in blue") is the exchange's
    changed = set(items_asked_to_change(said.return_text, record)) & set(said.returned)
    return (
        Asked(list(said.returned), said.return_text, sure=not changed),
        Asked(list(said.exchanged), said.exchange_text, sure=not changed),
    )


#: The customer asks for the refund on a gift card ("to my gift card", "as a gift card", "store credit").
_GIFT_CARD = WORDS.pattern("gift_card")
#: Said of the refund method not wanted: "not to a gift card", "no gift card".
_NOT_GIFT_CARD = re.compile(
    rf"\b(?:{WORDS.alternation('method_not_wanted')})\b(?: \w+){{0,3}} "
    rf"(?:{WORDS.alternation('gift_card', languages=('en',))})"
)


#: Said of every item named, this one too ("both", "all of them", "everything").
_EVERY_ITEM = WORDS.pattern("every_item")


def _gift_card_for(thread: str, mine: Sequence[Mapping[str, Any]], others: Sequence[Mapping[str, Any]]) -> bool:
    """Whether a gift card is asked for these items: in a piece of the thread about one of them or about no item in
    particular ("refund to my gift card"); not one said of another item only ("the puzzle to my gift card", "the
    lamp's refund on my gift card"). A piece naming no item is about the items named last before it ("both": all)."""
    owner: set[str] = set()
    for piece in SAID_APART.split(fold(thread).replace("'s ", " ")):
        named = {"mine" for x in mine if names_item(piece, str(x.get("description") or ""))}
        named |= {"other" for x in others if names_item(piece, str(x.get("description") or ""))}
        owner = named or owner
        if _GIFT_CARD.search(piece) and (not owner or "mine" in owner or _EVERY_ITEM.search(piece)):
            return True
    return False


def opening_facts(
    record: Mapping[str, Any],
    named: Sequence[int],
    thread: str,
    others: Sequence[Mapping[str, Any]] = (),
    messages: Sequence[str] = (),
    *,
    whole: bool = False,
) -> dict[str, Any]:
    """What a return the customer asks for would hold: the lines they named (or the only line), less those already
    on a return, their value, and where the refund goes (a gift card only when they ask for one for it: not one
    asked in words about other items, ``others``: the lines of their other orders). Unknown: no returns read.
    ``whole``: the lines are every line of the order not kept, asked sent back whole ("everything from it"), so
    items of one kind need not be told apart, nor how many of identical lines counted."""
    lines, options = order_items(record)
    returns = record.get("returns")
    if returns is None:
        return {}
    text = fold(thread)
    taken = {int(x["line_no"]) for r in returns for x in r.get("lines") or []}
    chosen = [int(n) for n in named] or ([int(lines[0]["line_no"])] if len(lines) == 1 else [])
    if not whole and ambiguous_items(thread, lines, chosen, options):
        chosen = []  # "the backpack" of an order holding a black and a navy one: asked which, never both
    # "the speaker that isn't water resistant" names no Water Bottle: a feature's words are its item's
    of_others = _without_features_said(thread, lines, record.get("variants") or [], chosen)
    # a thing named beside the items that no line holds ("... and the bike"), unless a later message names items
    featured = [_without_features_said(m, lines, record.get("variants") or [], chosen) for m in messages]
    if set(partly_named(of_others, lines, options)) - set(chosen) or things_unmatched(featured, lines, options, others):
        chosen = []  # "the lamp and the vacuum" of a Vacuum Cleaner, "... and the bike": meant too? asked
    chosen = chosen if whole else _as_many_as_said(thread, lines, chosen, taken, options)
    free = [n for n in chosen if n not in taken]
    by_no = {int(x["line_no"]): x for x in lines}
    value = sum(float(by_no[n].get("line_total") or 0.0) for n in free if n in by_no)
    gift = bool(_GIFT_CARD.search(text)) and not _NOT_GIFT_CARD.search(text)
    gift = gift and _gift_card_for(thread, [x for x in lines if int(x["line_no"]) in chosen],
                                   [*others, *(x for x in lines if int(x["line_no"]) not in chosen)])  # fmt: skip
    requested = asks_to_return(text) is not None
    delivered = record["order"].get("status") == "delivered"
    return {
        "return.requested": requested,
        "return.lines": free,
        "return.line_count": len(free),
        "return.lines_taken": [n for n in chosen if n in taken],
        # asked only of a return the customer asks for on a delivered order (one already sent back is not asked);
        # of a one-line order too, when something named beside it is no item of it: a return asked for with no
        # items read is asked about, never answered as if it were on its way
        "return.which_items": requested and delivered and not chosen,
        "return.refund_to": _refund_to(
            without_option_phrases(thread, record.get("variants") or []),  # "the camera (30MP, SD card)": no card
            [str(by_no[n].get("description") or "") for n in free if n in by_no],
        )
        if gift
        else "original_payment",
        "return.open_value": round(value, 2),
    }


def _refund_to(thread: str, items: Sequence[str]) -> str | None:
    """Where the refund of a return goes when the customer asks for a gift card: there, unless they also name
    another way to pay (a return refunded to a card beside a difference paid by gift card); then it is the one the
    sentences about these items name, and unknown (a person's) when those name none or both, never guessed."""
    if not any(m.kind != "gift_card" and m.wanted for m in paying.mentions(thread)):
        return "gift_card"
    kinds = {
        m.kind == "gift_card"
        for sentence in re.split(r"[.;!?\n]+", thread)
        if any(names_item(sentence, item) for item in items)
        for m in paying.mentions(sentence)
        if m.wanted
    }
    if len(kinds) != 1:
        return None
    return "gift_card" if kinds == {True} else "original_payment"


def _as_many_as_said(
    thread: str, lines: Sequence[Mapping[str, Any]], chosen: list[int], taken: set[int], options: Mapping[str, str]
) -> list[int]:
    """The chosen lines, with an item the order holds on several identical lines (same variant, same price) taken as
    many times as the customer says: one of them ("one of the two bottles": the first not yet returned; identical
    lines are interchangeable), all of them ("both bottles"), or, when they do not say, none of the return at all
    (``[]``: the customer is asked which items, never the item silently dropped nor every line of it assumed)."""
    by_no = {int(x["line_no"]): x for x in lines}
    groups: dict[str, list[int]] = {}
    for n in chosen:
        if n in by_no:
            groups.setdefault(str(by_no[n]["sku"]), []).append(n)
    kept = list(chosen)
    for sku, same in groups.items():
        if len(same) < 2:
            continue
        if len({float(by_no[n].get("unit_price") or 0.0) for n in same}) > 1:
            return []  # the same variant at different prices: not interchangeable, asked
        how_many = quantity_said(thread, str(by_no[same[0]].get("description") or ""), [options.get(sku, "")])
        if how_many is None:
            return []
        if how_many == "one":
            first = next((n for n in same if n not in taken), same[0])
            kept = [n for n in kept if n not in same or n == first]
    return kept


#: At most this many variants are listed when asking which one.
_MAX_CHOICES = 8
#: Words of a variant's option: "Black", "L", "stainless steel", "10", "IPX4" (colours, sizes, materials...); a
#: quantity is a number (decimals kept: "1.5") with its unit ("1000ml", "1.5 litre", "6-inch").
_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?[a-z0-9]*|\d+(?:\.\d+)?")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def _option_tokens(text: str, units: Iterable[str] | None = None) -> list[str]:
    """The words of an option or of what a customer says, compared across spellings ("L" and "large"; "1.5L" and
    "1.5 litres"); ``units``: the only units joined to their number (None: every unit)."""
    folded = re.sub(r'(\d)\s*(?:"|\'\')', r"\1 inch ", fold(text))
    matches = list(_WORD.finditer(folded))
    allowed = None if units is None else set(units)
    out: list[str] = []
    numbered = enumerate(matches)
    for i, match in numbered:
        word = match.group()
        following = matches[i + 1] if i + 1 < len(matches) else None
        if _NUMBER.fullmatch(word) and following is not None and not _NUMBER.fullmatch(following.group()):
            gap = folded[match.end() : following.start()]
            unit = UNITS.get(following.group()) if gap in ("", "-", " ") else None
            unit = unit or (following.group() if gap in ("", "-") else None)
            if unit is not None and (allowed is None or unit in allowed):
                out.append(f"{word}{unit}")
                next(numbered)  # the unit is read, joined to its number
                continue
        out.append(option_key(word.removesuffix("'s")))  # "women's" says the option "women"
    return out


def _units(values: Iterable[str]) -> set[str]:
    """The units a product's option words use ("8inch", "32gb": inch, gb)."""
    return {m.group(2) for v in values if (m := QUANTITY.fullmatch(v))}


def _number_of(token: str) -> str | None:
    """The number a token says, alone or with its unit ("10", "8inch": 10, 8)."""
    m = QUANTITY.fullmatch(token)
    return m.group(1) if m else (token if _NUMBER.fullmatch(token) else None)


#: An item said to stay as it is: "the same options", "as it is", "unchanged" (not "the same one but in blue"); or,
#: delivered, to come again as it is: "an identical one", "a replacement".
#: Of those, "a new one" with any word a variant is said with in place of its "one" ("a new pair", "an identical unit").
_AGAIN_ANY = "|".join(
    rf"{re.escape(head)}\s+(?:{WORDS.alternation('variant_noun')})"
    for head, _, last in (p.rpartition(" ") for p in WORDS.phrases("same_again"))
    if head and last in WORDS.phrases("variant_noun")
)
_SAME = re.compile(
    rf"\b(?:(?:{WORDS.alternation('the_same')}) (?:{WORDS.alternation('same_what')})"
    rf"|{WORDS.alternation('unchanged', 'same_again')}|{_AGAIN_ANY})\b"
    rf"(?! (?:{WORDS.alternation('same_but')})\b)"
)
#: A delivered item asked for again as it is, a replacement: "an identical one", "exchanged for the exact same model"
#: (not a bare "same options", said of an item that is to stay as it is).
_AGAIN = re.compile(rf"\b(?:{WORDS.alternation('same_again', 'same_for')}|{_AGAIN_ANY})\b")
#: "The same" and what it keeps as the item has it: the words up to a value, a mark or a "but" ("same battery, blue").
_SAME_KEEPS = re.compile(
    rf"\b(?:{WORDS.alternation('the_same')})((?:[\s,]+(?!(?:{WORDS.alternation('same_but')})\b)[a-z-]+)+)",
    re.IGNORECASE,
)


def _without_kept_options(text: str, values: Set[str]) -> str:
    """The text without what "the same" keeps, up to the first value said (its length kept)."""
    spans = []
    for m in _SAME_KEEPS.finditer(text):
        words = (m.start(1) + w.start() for w in re.finditer(r"[a-z-]+", m[1]) if option_key(w[0]) in values)
        spans.append((m.start(1), next(words, m.end(1))))
    return blanked(text, spans)


#: An answer to "one of them, or all?" that names no item: "just one", "one of them"; "all of them", "both." alone.
_ANSWER_ONE = WORDS.pattern("answer_one")
_ANSWER_ALL = re.compile(
    rf"\b(?:{WORDS.alternation('answer_all')})\b"
    rf"|\b(?:{WORDS.alternation('order_count_alone')})\b(?= *(?:[.,!;]|$|{WORDS.alternation('courtesy_closing')}))"
)


def _asked_options(label: str, own: Mapping[str, Any], offered: Sequence[Mapping[str, Any]]) -> str:
    """One item's question, on one line: the item, what it is now, and its product's variants offered (each once)."""
    listed = list(dict.fromkeys(str(v["option"]) for v in offered))[:_MAX_CHOICES]
    return f"{label} (now {own['option']}): {', '.join(listed)}"


#: A card named by its last digits, with or without the word card: "my visa card ending in 1234", "the one that ends
#: with 1234", "last four digits 1234", "****1234", "terminada en 1234", "finissant par 1234", "die auf 1234 endet".
_CARD_ENDING = re.compile(
    rf"\b(?:{WORDS.alternation('card_ending')})\D{{0,12}}?\b(\d{{4}})\b|(?:[*x#]{{2,}}|\bx)\s?(\d{{4}})\b"
    rf"|\b(\d{{4}}) (?:{WORDS.alternation('card_ending_after')})\b"
)
_BRAND = re.compile(rf"\b({WORDS.alternation('card_brands')})\b")
#: A card said as such ("my credit card", "la tarjeta", "ma carte", "Kreditkarte").
_A_CARD = WORDS.pattern("card")


def _other_card(text: str, last4: Any, brand: Any = None) -> bool:
    """The customer names a card that is not the order's own (``last4``, ``brand``: the order's card; None when not
    known or the order was not paid by card): last digits that are not the order's card's, a brand that is not its
    brand (the brand beside the order's own digits is the order's card), or any card at all when the order was not
    paid by a card known to us. Unknown counts as another: a person settles what cannot be told apart."""
    digits = [next(d for d in found if d) for found in _CARD_ENDING.findall(text)]
    if any(d != str(last4 or "") for d in digits):
        return True
    if last4 is None:
        return bool(digits or _BRAND.search(text) or _A_CARD.search(text))
    if digits:
        return False  # only the order's own card's digits: its brand, if said, is that card's
    own = str(brand or "").lower()
    return any(paying.BRANDS[b] != own for b in _BRAND.findall(text))


#: The customer names a way to pay other than the order's own payment ("my gift card", "paypal", "my other card").
_OTHER_METHOD = re.compile(
    rf"\b(?:{WORDS.alternation('gift_card', 'gift_card_also', 'paypal')}|(?:{WORDS.alternation('another')}) "
    rf"(?:(?:{WORDS.alternation('card_kind')}) )?(?:{WORDS.alternation('card_noun')}))\b"
)


#: Words before a number that make it the option asked for ("size 10", "in a 9", "the 12 one"), not a street number.
_NUMBER_BEFORE = frozenset(WORDS.phrases("number_option_before"))
_NUMBER_AFTER = frozenset(WORDS.phrases("number_option_after"))


def _numbers_asked(text: str, values: set[str]) -> set[str]:
    """The numbers (up to three digits) said as an option wanted: with a unit this product's options use ("5 ft",
    "30-50 lbs", "6 hours"), or after "size", "a", "the"..., or before "one"; not "760 Elm Avenue", "Suite 564"."""
    tokens = _option_tokens(text, _units(values))
    asked = set()
    for i, word in enumerate(tokens):
        number = _number_of(word)
        if number is None or len(number.split(".")[0]) > 3:
            continue
        before = tokens[i - 1] if i else ""
        after = tokens[i + 1] if i + 1 < len(tokens) else ""
        if word != number or before in _NUMBER_BEFORE or after in _NUMBER_AFTER:
            asked.add(word)
    return asked


#: The word between two options said as alternatives, and the articles it may have after it ("the black or the navy").
_OR = frozenset(WORDS.phrases("alternative_word"))
_OR_ARTICLES = frozenset(WORDS.phrases("article"))


def _alternatives(text: str, values: set[str]) -> bool:
    """Options of the item said as alternatives: "or" between two of its option words ("the black or the navy one")."""
    tokens = _option_tokens(text, _units(values))
    for i, word in enumerate(tokens):
        if word not in _OR or not 0 < i < len(tokens) - 1:
            continue
        after = tokens[i + 2] if tokens[i + 1] in _OR_ARTICLES and i + 2 < len(tokens) else tokens[i + 1]
        if tokens[i - 1] in values and after in values:
            return True
    return False


#: A feature said left out ("without water resistance", "non-waterproof"): of a yes/no option, asked if not read.
_WITHOUT = re.compile(rf"\b(?:{WORDS.alternation('left_out_anywhere')})[- ]?\w")

#: Where a clause ends: a negation does not reach past it (punctuation, or a word: "but").
_NEGATION_STOP = WORDS.phrases("negation_stop")
_CLAUSE = re.compile(rf"(?:[;:!?()\n]|,(?!\d{{3}}\b)|\.(?!\d))+|\b(?:{WORDS.alternation('negation_stop')})\b")


def _refused(text: str, values: set[str], mine: set[str], negatable: frozenset[str] = frozenset()) -> bool:
    """An option of the item (other than its own) said in a negation: a negating word among the four before it in
    its clause ("I don't want the 17 inch one", "not orange"). A negating word that is itself one of the item's
    option words is the option ("not resistant", "no" of a water resistance), not a negation; nor one right before a
    word an option negates or a feature said (``negatable``: "from 1080p, not waterproof to 4K waterproof")."""
    for clause in _CLAUSE.split(fold(text)):
        tokens = _option_tokens(clause, _units(values | mine))
        for i, word in enumerate(tokens):
            if word in values and word not in mine and word not in negatable:
                window = [*tokens[max(0, i - 4) : i], word]
                negators = [k for k, w in enumerate(window[:-1]) if w in NEGATORS and w not in values and w not in mine]
                if any(window[k + 1] not in negatable for k in negators):
                    return True
    return False


def _names_other_method(text: str, facts: Mapping[str, Any]) -> bool:
    """The text names a way to pay other than the order's own payment (a gift card, PayPal, another card)."""
    folded = fold(text)
    return bool(_OTHER_METHOD.search(folded)) or _other_card(
        folded, facts.get("payment.card_last4"), facts.get("payment.card_brand")
    )


def _names_method_on_file(spoken: list[Mention], facts: Mapping[str, Any], methods: Mapping[str, Any] | None) -> bool:
    """The mentions name a method of theirs on file, not the order's own ("my credit card" of an order by PayPal)."""
    if methods is None:
        return False
    current = facts.get("payment.method_id")
    fit, _named = paying.named(spoken, list(methods.get("methods") or []), current)
    return any(m != current for m in fit)


def _option_words(option: str) -> set[str]:
    return set(_option_tokens(option))


def _written(text: str) -> set[str]:
    """The words as written (folded), before spellings are compared ("m" stays "m", not "medium")."""
    return set(_WORD.findall(fold(text)))


def _distinct(variant: Mapping[str, Any]) -> bool:
    """Whether each option of the variant reads as a word of its own ("M red medium" reads "medium" twice)."""
    return len(_option_words(str(variant["option"]))) == len(_option_tokens(str(variant["option"])))


def _written_as_said(variant: Mapping[str, Any], own: Mapping[str, Any], text: str) -> bool:
    """Whether every value the variant changes is said as the catalogue writes it ("red, medium ventilation" of a
    helmet "M blue low" for "M red medium"): a variant whose options read as one word twice is told apart so only."""
    return _written(str(variant["option"])) - _written(str(own["option"])) <= _written(text)


def _most_written(fits: list[Mapping[str, Any]], text: str) -> list[Mapping[str, Any]]:
    """Of several variants that fit, the one whose values, as the catalogue writes them, the text says the most ("red
    with medium ventilation": "M red medium", not "M red low", where "M" also reads "medium"); all on a tie."""
    said = _written(text)
    counts = [len(_written(str(v["option"])) & said) for v in fits]
    best = [v for v, n in zip(fits, counts, strict=True) if n == max(counts)]
    return best if len(best) == 1 else fits


def _words_of(variants: Iterable[Mapping[str, Any]]) -> set[str]:
    """Every option word of these variants."""
    return set().union(*(_option_words(str(v["option"])) for v in variants))


def sibling_variants(own: Mapping[str, Any], variants: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The other variants of the product ``own`` is a variant of."""
    return [v for v in variants if v["product_id"] == own["product_id"] and v["sku"] != own["sku"]]


#: A negation in any of its written forms, before the option word it negates ("isn't water resistant").
_NEGATED_BEFORE = rf"\b(?:{WORDS.alternation('option_negators')})"


def _only_negated(variants: Sequence[Mapping[str, Any]]) -> set[str]:
    """The option words these variants hold only right after "not" ("resistant" of "not resistant")."""
    after_not = {b for a, b in _option_pairs(variants) if a == "not"}
    alone = {w for v in variants for a, w in itertools.pairwise(["", *_option_tokens(str(v["option"]))]) if a != "not"}
    return after_not - alone


def _said_negated(word: str, folded: str) -> bool:
    """Whether the text says the word in a negative form ("isn't water resistant", "not resistant")."""
    return bool(re.search(_NEGATED_BEFORE + r"(?:\W+\w+){0,2}?\W+" + re.escape(word) + r"\b", folded))


def _option_pairs(variants: Iterable[Mapping[str, Any]]) -> set[tuple[str, str]]:
    """Every two option words side by side in a variant ("usb", "a"; "not", "resistant")."""
    return {pair for v in variants for pair in itertools.pairwise(_option_tokens(str(v["option"])))}


#: Common words an option holds only joined to another ("built-in", "on-ear"): alone they say no option.
_JOINED_ONLY = frozenset(WORDS.phrases("option_word_joined_only"))


#: What is meant, said after "only", "just", "but" up to its clause's end ("only the black one ...").
_MEANT_AFTER = re.compile(rf"\b(?:{WORDS.alternation('not_these_ends')})\b[^,.;:!?\n]*")


def _told_apart(named: list[int], lines: Sequence[Mapping[str, Any]], variants: Any, text: str) -> list[int]:
    """Of lines of one product named together, the one meant: the one whose own options are all said ("the large
    black helmet with low ventilation" beside a small white one), else the one whose option has a word the others
    lack said as what is meant ("only the black one") and no other's but as wanted; left in, the other would change;
    never one already as wanted ("the dumbbell set for the 55-75 lbs one" of that one and a 30-50 lbs one)."""
    groups: dict[str, list[tuple[int, bool, bool]]] = {}
    options, apart, values = options_by_sku(variants), set(), _words_of(variants)
    for line, own in with_variants(lines, variants):
        if int(line["line_no"]) in named:
            mine = _option_words(own["option"])
            wanted = _said_of(wanted_of(text, str(line.get("description"))), [own], values)
            said = _said_of(without_wanted(text), [own, *sibling_variants(own, variants)], values)
            groups.setdefault(own["product_id"], []).append((int(line["line_no"]), mine <= said, mine <= wanted))
    meant_said = "\n".join(m[0] for m in _MEANT_AFTER.finditer(fold(text)))
    for group in groups.values():
        among, whole = [n for n, _, _ in group], [n for n, all_said, _ in group if all_said]
        told = whole or by_own_option(text, among, lines, options, alone=False)
        already = {n for n, _, is_wanted in group if is_wanted}
        if len(told) == 1 and (whole or told == by_own_option(meant_said, among, lines, options, alone=False)):
            apart |= set(among) - set(told)
        elif already and len(already) < len(among) and not _AGAIN.search(fold(text)):
            apart |= already
    return [n for n in named if n not in apart]


def _said_of(text: str, variants: Iterable[Mapping[str, Any]], values: set[str]) -> set[str]:
    """The option words the text says of a product. A single letter, or a common word an option holds only joined
    to another ("in" of "built-in"), counts only beside a word it goes with in an option ("USB-A", "usb a", "Brand
    C", "built in"): the article in "there is a black charger" says no USB-A, "in my order" no built-in grinder. An
    option's "not" ("not resistant") counts only said of its word, in any negative form ("isn't water resistant",
    "not resistant"), never a "not" of something else ("I do not want blue")."""
    said = set(_option_tokens(text, _units(values)))
    folded = fold(text)
    pairs = _option_pairs(variants)
    letters = {w for w in said & values if (len(w) == 1 and w.isalpha()) or w in _JOINED_ONLY}
    written = {
        w
        for pair in pairs
        if letters & set(pair) and re.search(r"\b" + r"[\s-]?".join(map(re.escape, pair)) + r"\b", folded)
        for w in pair
        if w in letters
    }
    said -= letters - written
    # a word an option holds only after one other ("size" of "full size") is not said where each time it follows a
    # value it is never beside in a variant, one of the same choice ("80% size", "standard back"; not "500ml steel")
    heads: dict[str, set[str]] = {}
    beside: dict[str, set[str]] = {}
    for v in variants:
        tokens = _option_tokens(str(v["option"]))
        for before, word in itertools.pairwise(["", *tokens]):
            heads.setdefault(word, set()).add(before)
            beside.setdefault(word, set()).update(tokens)
    bound = {w for w, before in heads.items() if len(before) == 1 and "" not in before}
    spoken = [(b, w) for b, w in itertools.pairwise(["", *_option_tokens(text, _units(values))]) if w in bound]
    said -= {w for _, w in spoken} - {w for b, w in spoken if b in heads[w] | beside[w] or b not in values}
    if "not" in values:
        negated = {word for first, word in pairs if first == "not" and _said_negated(word, folded)}
        said = (said - {"not"}) | ({"not"} | negated if negated else set())
    return said


def without_name(text: str, name: object) -> str:
    """The text without the customer's full name as written, its length kept: a name is no option ("Brown")."""
    if len(words := str(name or "").split()) < 2:
        return text
    return re.sub(r"\b" + r"\W+".join(map(re.escape, words)) + r"\b", lambda m: " " * len(m[0]), text, flags=re.I)


def without_option_phrases(text: str, variants: Sequence[Mapping[str, Any]]) -> str:
    """The text without every two words its order's variants hold side by side ("SD card", "memory foam"): how to
    pay is read apart from what is said of the items, whose options may share a payment's words ("card", "gift")."""
    pairs: set[str] = set()
    for variant in variants:
        words = str(variant.get("option") or "").split()
        pairs.update(f"{a} {b}".lower() for a, b in itertools.pairwise(words))
    if not pairs:
        return text
    pattern = re.compile("|".join(r"\b" + re.escape(p) + r"\b" for p in sorted(pairs, key=len, reverse=True)), re.I)
    return pattern.sub(" ", text)


def _said_of_each(
    thread: str, lines: Sequence[Mapping[str, Any]], variants: Sequence[Mapping[str, Any]], options: Mapping[str, str]
) -> dict[int, str] | None:
    """:func:`said_of_lines`, each line's product's option words kept in what is said of it ("the backpack with a
    laptop compartment" beside a Laptop): one reading for every caller."""
    values = {int(line["line_no"]): _words_of([own, *sibling_variants(own, variants)])
              for line, own in with_variants(lines, variants)}  # fmt: skip
    return said_of_lines(thread, lines, options, values)


def lines_said_to_change(record: Mapping[str, Any], named: Sequence[int], thread: str) -> list[int]:
    """Lines the thread names outside the requests with a value another variant has and they have not ("the
    notebook should be A4 instead of A5"): meant to change too, so added to the lines named."""
    variants, lines = record.get("variants") or [], record["order"].get("lines") or []
    options = options_by_sku(variants)
    per_line = _said_of_each(thread, lines, variants, options) or {}
    said = lines_named(thread, lines, options)
    extra = []
    for line, own in with_variants(lines, variants):
        n = int(line["line_no"])
        if n in named or n not in said:
            continue
        mine = _option_words(own["option"])
        others = _words_of(sibling_variants(own, variants))
        if (set(_option_tokens(per_line.get(n, thread), _units(others | mine))) & others) - mine:
            extra.append(n)
    return extra


def modify_facts(
    record: Mapping[str, Any],
    named: Sequence[int],
    thread: str,
    facts: Mapping[str, Any],
    methods: Mapping[str, Any] | None = None,
    *,
    messages: Sequence[str] = (),
    others: Sequence[Mapping[str, Any]] = (),
) -> dict[str, Any]:
    """Which lines of an order not yet shipped change to which variant of their product (SUP-012): one fit per line
    is a change, several are asked, none is a person's; and the price difference on the order's own payment."""
    variants = record.get("variants")
    lines = record["order"].get("lines") or []
    if not variants or not lines:
        return {}
    thread = without_name(thread, facts.get("customer.name"))  # "Isabella Brown" says no colour
    by_sku = {v["sku"]: v for v in variants}
    # what is said of each item when several are named ("the bed in grey and the mat in green"), else all of it
    options = options_by_sku(variants)
    if not named and len(lines) > 1:
        # the request says "it" of an item described in another sentence ("I ordered the wired mouse. Could you
        # change it?"): the items the thread names, not every item with a variant of the values said
        named = lines_named(items_text(thread, orders=False), lines, options)
    # what is said of each line, less the items that only tell the order apart ("#W1 (the one with the skateboard
    # and the watch): I'd like the camera again"): what follows them is still said of the item named before
    per_line = _said_of_each(items_text(thread), lines, variants, options)
    # a line named only where another is named more closely ("the action camera" beside a digital camera): not meant
    outnamed = outnamed_lines(thread, lines, options) if per_line else set()
    named = _told_apart([n for n in named if int(n) not in outnamed], lines, variants, thread)
    # a line said to stay ("the blue toothbrush is my partner's, that one stays") is not the one changed
    kept_lines: set[int] = set()
    if (kept_said := only_kept(thread)).strip():  # named, or one of several lines by its option ("the white one")
        kept_lines = {*lines_named(kept_said, lines, options), *by_own_option(kept_said, named, lines, options, True)}
    named = [n for n in named if int(n) not in kept_lines] or named
    changes: list[dict[str, Any]] = []
    choices: list[str] = []
    summary: list[str] = []
    unresolved = replaced = False
    kept: list[int] = []
    deltas: list[float] = []
    # the lines the customer names, or the order's only line
    scope = set(named) or ({int(lines[0]["line_no"])} if len(lines) == 1 else set())
    for line, own in with_variants(lines, variants):
        if named and int(line["line_no"]) not in named:
            continue
        quantity = int(line.get("quantity") or 1)
        text = thread if per_line is None else per_line.get(int(line["line_no"]), thread)
        # a variant chosen by comparison ("the cheapest with 16GB or more"): the values are read without it
        compared = read_comparison(text)
        mine = set(mine_tokens := _option_tokens(own["option"]))
        siblings = sibling_variants(own, variants)
        in_stock = [v for v in siblings if int(v["available"]) >= quantity]
        values = _words_of(siblings)
        plain = compared.rest if compared else text
        # what is said to be kept is said of no change ("the green one for red; leave the black one")
        text = _without_kept_options(without_left_as_is(plain), values | mine)
        said = _said_of(text, [own, *siblings], values | mine)
        if "none" in values and any(f.value == "no" for f in _features_said(text, values | mine, lines, options)):
            said.add("none")  # "with no backlight": the catalogue's "none" (a keyboard's "linear none full size")
        unread_yes_no, features = False, set()
        if _YES_NO & (values | mine):
            # a yes/no option: read from how the feature is said ("not water resistant", "without a rotisserie"),
            # never a stray "no" ("no longer"); said left out, here or of another item, but not read here: asked
            told = {f.word for f in _features_said(thread, (values | mine) - _YES_NO, lines, options)}
            wanted = _yes_no_wanted(text, own, siblings, lines, options, told)
            said = (said - _YES_NO) | _yes_no_written(text, values | mine) | ({wanted} if wanted else set())
            features = {f.word for f in _features_said(text, (values | mine) - _YES_NO, lines, options)}
            unread = _WITHOUT.search(fold(text)) or (told - features) & set(_FEATURE_WORD.findall(fold(text)))
            unread_yes_no = wanted is None and bool(unread)
        negatable = frozenset(b for a, b in _option_pairs([own, *siblings]) if a == "not")
        unread_left_out = False
        if negatable and "not" not in said:
            named_not, unread_left_out = _left_out_option(text, negatable, values | mine, lines, options)
            said |= named_not
        required = (said & values) - mine
        # a value said as what is wanted ("the kettle for the 1L, glass, black one") is the new variant's, even one
        # the variant they have holds too (size M reads "medium"); a value said elsewhere that no variant holds beside
        # it, one of the same choice, is said of something else ("my other order's white glass kettle", "the 60%
        # one is fine"): not asked for. Read in the phrases naming the item, or in its line's own words when another
        # line holds the same item (those name it no more)
        name = str(line.get("description") or "")
        held_twice = sum(str(x.get("description") or "") == name for x in lines) > 1  # the item on two lines
        as_wanted = (wanted_of(text, None, ()) if held_twice and per_line is not None
                     else wanted_of(thread, name, [str(own["option"])]))  # fmt: skip
        asked_for = _said_of(as_wanted, [own, *siblings], values | mine) & values
        # a value wanted more often than the item holds it is asked for again ("the brown, brown one" of black brown)
        required |= set(Counter(w for w in _option_tokens(as_wanted) if w in values & mine) - Counter(mine_tokens))
        variant_words = [_option_words(str(v["option"])) for v in [own, *siblings]]
        required -= {w for w in required - asked_for if any(not any({w, u} <= held for held in variant_words)
                                                            for u in asked_for)}  # fmt: skip
        # a size or number asked for that this product does not come in ("size 10"): no variant holds it, asked
        if any(_number_of(w) for w in values) and _numbers_asked(text, values) - values - mine:
            required = set()
        # two options offered as alternatives ("in orange or green", "the 2-person or the 4-person"), one said not to
        # be wanted ("not the 17 inch one"), or a feature said left out that is not read: asked
        # what a second choice's condition says is not to be had ("if there's no gas one, charcoal") refuses nothing
        blocked = _refused(without_fallback(text), values, mine, negatable | features) or unread_yes_no
        blocked = blocked or unread_left_out
        if _alternatives(text, values | mine) or blocked:
            required = set()
        # a variant whose options read as one word twice ("M red medium": size M, medium vents) is not told apart
        # from its siblings by words: named, it is asked, never taken
        fits = [
            v
            for v in in_stock
            if required
            and required <= _option_words(v["option"])
            and _option_words(v["option"]) - mine <= said
            and (_distinct(v) or _written_as_said(v, own, text))
        ]
        label = str(line.get("description") or line["sku"])
        if len(fits) > 1:  # of the variants the words fit, those holding every value said as wanted
            fits = [v for v in fits if asked_for <= _option_words(v["option"])] or fits
        if len(fits) > 1 and not all(_distinct(v) for v in fits):  # "M red medium" beside "M red low"
            fits = _most_written(fits, text)
        if len(fits) == 1 and _unsaid_yes_no(fits[0], said, values, text):
            fits = [v for v in in_stock if required <= _option_words(v["option"])]  # which one: asked
        paid = float(line.get("unit_price", own["unit_price"]))
        bound = price_bound(text, paid) or (None if compared else price_bound(thread, paid))
        reason = ""
        # the best in stock by what is compared, within every bound said, or the first preferred of an order said
        # ("gas > charcoal > electric"); a tie or none: asked
        best = compared.choose(own, in_stock, _option_words, said, required, bound) if compared else None
        chosen = (best, compared.said) if compared and best is not None else None
        chosen = chosen or preferred(text, own, in_stock, _option_tokens, values | mine)
        if chosen is not None and not blocked:
            (fits, how), bound = chosen, None
            price = f"{float(fits[0]['unit_price']):.2f}" if fits else ""
            reason = say(str(facts.get("message.language") or "en"), "chosen_by", said=how, price=price)
        elif compared and compared.direction in ("most", "least"):
            fits = []  # the cheapest or largest said, and not decided: asked, never the values alone taken
        if bound is not None and fits:
            # a price they set ("blue, at the same price or lower") holds like a value they name: a variant outside
            # it is never chosen for them; none within it fits their words: asked, the variants within it listed
            within = [v for v in fits if bound.allows(float(v["unit_price"]))]
            if not within:
                allowed = [v for v in in_stock if required <= _option_words(v["option"])]
                allowed = [v for v in allowed if bound.allows(float(v["unit_price"]))]
                if allowed:
                    choices.append(_asked_options(label, own, allowed))
                else:
                    unresolved = True
                continue
            fits = within
        asked_again = _AGAIN.search(fold(plain))  # "for the exact same helmet"
        if not fits and not (said & values) - mine and (asked_again or _SAME.search(fold(plain))):
            # "the same options": the item stays as it is; one asked for again as it is ("for the same options", in
            # stock, held once) is: its variant again before shipping, a replacement once delivered, else a person
            # (once delivered, also its own values all written out as wanted: "the same model - 7-inch, 32GB")
            shipped = facts.get("order.cancellable") is False and mine <= said
            again = (asked_again or shipped) and int(own.get("available") or 0) >= quantity
            if facts.get("order.cancellable") is True and not (again and not held_twice):
                kept.append(int(line["line_no"]))
                continue
            if not again:
                unresolved = replaced = True
                continue
            fits = [own]
        if not fits:
            if int(line["line_no"]) in scope and in_stock:
                # an item they name, and no variant fits what they said of it: asked, the options listed
                choices.append(_asked_options(label, own, in_stock))
            elif required or int(line["line_no"]) in scope:
                unresolved = True
            continue
        if len(fits) == 1:
            new = fits[0]
            changes.append({"line_no": int(line["line_no"]), "sku": new["sku"]})
            deltas.append(quantity * (float(new["unit_price"]) - float(line.get("unit_price", own["unit_price"]))))
            to = "the same one again, as asked" if new["sku"] == own["sku"] else new["option"]
            summary.append(f"{label}: {own['option']} -> {to}" + (f" ({reason})" if reason else ""))
        else:
            choices.append(_asked_options(label, own, fits))
    if kept and not changes and not choices:
        unresolved = True  # every item named stays as it is: nothing to change, a person reads what is meant
    # what is said of a named item's yes/no feature ("not water resistant" of the speaker) names no other item: not
    # the Water Bottle by its "water", nor earbuds whose option is "not resistant"
    # nor an item that only tells the order apart ("my pending order with the patio umbrella: change the mouse")
    of_others = _without_features_said(
        items_text(thread), lines, variants, [*named, *(int(c["line_no"]) for c in changes)]
    )
    choices += _options_of_items_not_named(of_others, lines, variants, named)
    if not named and len(changes) > 1:
        # no item named and the values said fit several ("a white one" of an order with a mouse and a bookshelf)
        choices += summary
    # an item named only in part ("the vacuum" of a Vacuum Cleaner) that nothing changes: meant too? asked
    changed = {int(c["line_no"]) for c in changes}
    by_no = {int(x["line_no"]): x for x in lines}

    def too(n: int) -> str:
        return f"{by_no[n].get('description') or by_no[n]['sku']} {options.get(str(by_no[n]['sku']), '')} too?"

    choices += [too(n) for n in partly_named(of_others, lines, options) if n not in changed and n not in named]
    # "and the suitcase set": which item? the others asked ("instead of the 4K waterproof": the feature's item's)
    featured = [_without_features_said(m, lines, variants, [*named, *changed]) for m in messages]
    if things_unmatched(featured, lines, options, others):
        choices += [too(n) for n in by_no if n not in changed and n not in named]
    choices += _which_of_same_product(changes, lines, by_sku, every=bool(_EVERY_ITEM.search(fold(thread))))
    merged, several = _merged_into_one(changes, lines, by_sku, summary, thread, options)
    choices += merged
    # one item named of which the order holds several identical lines: as many as said (one of them: the first,
    # identical lines are interchangeable), or asked "one of them, or all?", never every one assumed
    sku_of = {int(x["line_no"]): str(x["sku"]) for x in lines}
    skus = [sku_of.get(int(c["line_no"]), "") for c in changes]
    twice = [sku for sku in dict.fromkeys(skus) if skus.count(sku) > 1]
    dropped: set[int] = set()
    # how many said without naming the item ("just one", "both of them"), of the one item on several lines
    one, every = bool(_ANSWER_ONE.search(fold(thread))), bool(_ANSWER_ALL.search(fold(thread)))
    answered = None if one == every or len(twice) != 1 else ("one" if one else "all")
    for sku in twice:
        first = skus.index(sku)
        description = str(next(x for x in lines if str(x["sku"]) == sku).get("description") or sku)
        how_many = quantity_said(thread, description, [options.get(sku, "")]) or answered
        if how_many == "one":
            dropped |= {n for n, other in enumerate(skus) if other == sku and n != first}
        elif how_many != "all":
            label, _, change = summary[first].partition(": ")
            count = skus.count(sku)
            choices.append(f"{label} ({count} on the order), {change}: one of them, or all {count}?")
    choices += several
    changes = [c for n, c in enumerate(changes) if n not in dropped]
    summary = [c for n, c in enumerate(summary) if n not in dropped]
    difference = round(sum(d for n, d in enumerate(deltas) if n not in dropped), 2)
    choices = list(dict.fromkeys(choices))  # identical lines asked about once
    # how to pay is read without the items' own option words ("the SD card one" names no card to pay with)
    thread = without_option_phrases(thread, variants)
    whole = without_option_phrases("\n".join(messages), variants) if messages else None
    other = _names_other_method(thread, facts) or _names_method_on_file(paying.mentions(thread), facts, methods)
    said_in = thread
    current = facts.get("payment.method_id")
    fit = methods is not None and paying.named(paying.mentions(whole or ""), methods.get("methods") or [], current)[0]
    if not other and whole is not None and whole != thread and _names_other_method(whole, facts) and fit != [current]:
        # a method named elsewhere in a request about several orders (not the order's own alone) may be this part's
        # too: not guessed. One named for "the difference" in a sentence of its own is every part's
        other = difference != 0 and not paying.mentions(thread)
        if other and any(m.wanted and m.scope == paying.DIFFERENCE for m in paying.mentions(whole)):
            said_in = whole
    settling = _difference_method(paying.mentions(said_in), facts, methods, difference) if other else _Settling()
    other = other and not settling.resolved  # a method named that no method on file resolves to: a person settles it
    # a difference to settle (not a lower total of a payment only authorized, which takes nothing)
    settled = difference > 0 or (difference < 0 and not facts.get("payment.uncaptured"))
    refundable = [c for c, left in facts.get("payment.capture_refundables") or [] if left + _CENT >= -difference]
    ambiguous = bool(choices)
    made = not ambiguous and not unresolved  # every item resolved, none asked about
    # the one gift card named for the difference holds less than it (the order's payment not moved to it): payments
    # would refuse the charge, so nothing changes and the reply says why (SUP-007), never a person's guess
    short = bool(changes) and made and not other and not settling.covers and not facts.get("paymethod.ready")
    return {
        "modify.method_id": settling.method_id,
        "modify.method_covers": settling.covers,
        "modify.method_asked": settling.asked and settled and not ambiguous,
        "modify.changes": changes if changes and made else [],
        "modify.line_count": len(changes) if made else 0,
        "modify.ambiguous": ambiguous,
        "modify.choices": choices,
        "modify.other_method": other,
        # another way to pay matters only when there is a difference to settle
        "modify.resolved": (ambiguous or (bool(changes) and not unresolved))
        and not (other and difference != 0)
        and settling.covers,
        "modify.difference": difference,
        "modify.refund_amount": -difference if difference < 0 else None,
        "modify.refund_capture_id": refundable[0] if difference < 0 and refundable else None,
        "modify.charge_amount": difference if difference > 0 else None,
        "modify.summary": "; ".join(summary),
        "modify.replacement": replaced,
        # every item resolved, but the method named for the difference is none or several on file, or a gift card
        # short of it: a person settles the difference (SUP-007), said as such
        "modify.payment_unresolved": bool(changes)
        and made
        and ((other and difference != 0) or (not settling.covers and not short)),
        "modify.method_short": short,
        "modify.method_balance": settling.balance if short else None,
    }


#: Words too common to say an option on their own, though an option's words ("built-in", "on-ear", "no").
_FUNCTION_WORDS = frozenset(WORDS.phrases("too_common_for_option"))


def _options_of_items_not_named(
    thread: str, lines: Sequence[Mapping[str, Any]], variants: Sequence[Mapping[str, Any]], named: Sequence[int]
) -> list[str]:
    """The options to ask about for items of the order the thread does not name but whose product's other options
    it asks for (a colour, a type only that product comes in: the item written in words its name does not hold):
    the change is asked about, never made for the items named alone. Short or common words ("in" of "built-in",
    "no", "yes") and bare numbers say too little; the options and the names of the items named are theirs."""
    if not named:
        return []
    by_sku = {str(v["sku"]): v for v in variants}
    named_skus = [str(x["sku"]) for x in lines if int(x["line_no"]) in named]
    taken = {by_sku[sku]["product_id"] for sku in named_skus if sku in by_sku}
    theirs = _words_of(v for v in variants if v["product_id"] in taken)
    # the words naming the items named are theirs too ("the electric kettle" asks nothing of an electric camp kettle)
    theirs |= {w for x in lines if int(x["line_no"]) in named for w in _option_tokens(str(x.get("description") or ""))}
    out: list[str] = []
    for line, own in with_variants(lines, variants):
        if int(line["line_no"]) in named or own["product_id"] in taken:
            continue
        mine = _option_words(own["option"])
        siblings = sibling_variants(own, variants)
        values = _words_of(siblings)
        # a number read with the units of the items named too: an espresso machine's "1L" is no T-shirt's size L
        told = (set(_option_tokens(thread, _units(values | mine | theirs))) & values) - mine - theirs - NEGATORS
        # a word the options hold only negated ("resistant" of "not resistant") is told only said negated
        told -= {w for w in _only_negated([own, *siblings]) if not _said_negated(w, fold(thread))}
        if {w for w in told if QUANTITY.fullmatch(w) or (len(w) > 2 and w.isalpha() and w not in _FUNCTION_WORDS)}:
            quantity = int(line.get("quantity") or 1)
            label = str(line.get("description") or line["sku"])
            out.append(_asked_options(label, own, [v for v in siblings if int(v["available"]) >= quantity]))
    return out


def _merged_into_one(
    changes: Sequence[Mapping[str, Any]],
    lines: Sequence[Mapping[str, Any]],
    by_sku: Mapping[str, Mapping[str, Any]],
    summary: Sequence[str],
    thread: str,
    options: Mapping[str, str],
) -> tuple[list[str], list[str]]:
    """Two different variants of one product on the order both changed into the same variant: the options asked for
    fit each of them ("the keyboard for the linear RGB 80% one" of a white 80% and an RGB 60% keyboard), so which one
    is meant is not said. Asked, unless the customer says all of them ("both keyboards"): which variant they have
    ("the ... one or the ... one?"), and which of the changes or all of them; one of them is never picked, nor every
    one assumed. Identical lines are asked apart ("one of them, or all?")."""
    by_no = {int(x["line_no"]): x for x in lines}
    targets: dict[str, list[int]] = {}
    for n, change in enumerate(changes):
        targets.setdefault(str(change["sku"]), []).append(n)
    which: list[str] = []
    several: list[str] = []
    for members in targets.values():
        owns = {str(by_no[int(changes[n]["line_no"])]["sku"]) for n in members}
        if len(owns) < 2:
            continue
        description = str(by_no[int(changes[members[0]]["line_no"])].get("description") or "")
        if quantity_said(thread, description, [str(by_sku.get(s, {}).get("option") or "") for s in owns]) != "all":
            options_said = " one or the ".join(str(by_sku[s]["option"]) for s in sorted(owns) if s in by_sku)
            which.append(f"{description or 'Item'}: the {options_said} one?")
        line = next(x for x in lines if str(x["sku"]) in owns)
        label = str(line.get("description") or line["sku"])
        if quantity_said(thread, label, [options.get(sku, "") for sku in owns]) != "all":
            several.append("; ".join(summary[n] for n in members) + ": which one, or all of them?")
    return which, several


#: A bare yes or no in a variant's option: a feature it has or not ("water resistance: no" is written "no").
_YES_NO = frozenset({"yes", "no"})


def _unsaid_yes_no(fit: Mapping[str, Any], said: set[str], values: set[str], text: str) -> bool:
    """Whether the one variant that fits keeps a yes or no the customer did not say while they say what the item
    should be without or not have ("without water resistance"): the option names no feature, so which yes or no
    they mean cannot be read; asked, never the item's own kept."""
    bare = _YES_NO & _option_words(fit["option"])
    return (
        bool(bare)
        and values | bare >= _YES_NO
        and not bare <= said
        and bool(set(re.findall(r"[\w']+", fold(text))) & NEGATORS)
    )


#: Words saying the item is to be without the feature after them ("not water resistant", "isn't waterproof", "no
#: water resistance", "without a rotisserie"; "non" of "non-waterproof" is a word of its own once folded).
_LEFT_OUT = frozenset(WORDS.phrases("left_out_before_feature"))
#: Of those, the ones that say it wherever they stand; "not", "no"... only where they describe the item: opening a
#: clause ("(not waterproof)"), after "is", "that", "one"... ("the one that isn't water resistant"), or after a
#: word of the item or of its options ("red 10-hour not water resistant").
_LEFT_OUT_ANYWHERE = frozenset(WORDS.phrases("left_out_anywhere"))
_DESCRIBING = frozenset(WORDS.phrases("describing_before_left_out"))
#: Words between "without" or "no" and the feature ("without a rotisserie", "no water resistance").
_ARTICLES = frozenset(WORDS.phrases("article"))
#: Of the left-out words, those an article may follow before the feature ("without a", "no").
_LEFT_OUT_WITH_ARTICLE = frozenset(WORDS.phrases("left_out_with_article"))
#: Of the left-out words, those said of a variant only after "with" in their clause ("with ... no water resistance").
_LEFT_OUT_AFTER_WITH = frozenset(WORDS.phrases("left_out_after_with"))
_WITH = frozenset(WORDS.phrases("with_before_left_out"))
#: "is", "are" before the left-out word, "that", "which" before them ("the one that isn't"): said of a variant.
_DESCRIBING_VERB = frozenset(WORDS.phrases("describing_verb"))
_DESCRIBING_RELATIVE = frozenset(WORDS.phrases("describing_relative"))
#: Words after "not", "no" or "without" that name no feature: how sure, how soon, what it costs ("not sure", "no
#: rush", "without delay"); pronouns and determiners ("not the blue one", "not my").
_NO_FEATURE = frozenset(WORDS.phrases("no_feature"))
#: A question word after the negation opens a clause of its own, never a feature ("that is not what I meant").
_CLAUSE_OPENERS = frozenset(WORDS.phrases("question_word"))
_FEATURE_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


@dataclass(frozen=True, slots=True)
class _Feature:
    """A feature said in the text: ``word`` (its first word), ``value`` ("no": left out, "yes": alone), ``sure``
    (said of a variant in words that say nothing else: "non-", "without", "the one that isn't"; not a clause
    opening "not comfortable" or "they are not ..."), ``span`` (of the folded text, its next word with it)."""

    word: str
    value: str
    sure: bool
    span: tuple[int, int]


def _features_said(
    text: str, known: set[str], lines: Sequence[Record], options: Mapping[str, str], told: Set[str] = frozenset()
) -> list[_Feature]:
    """How a feature that no option word names is said in the text: left out ("non-waterproof", "the one that
    isn't water resistant", "without a rotisserie", "no water resistance"), and the same feature word alone ("the
    synthetic waterproof boots", "water-resistant"); a feature said only as had ("the waterproof one") is not told
    from any other word. Not a feature: an option word (``known``: "not orange"; of any item of the order in
    ``options``), a number, a word of an order's item ("no water bottle"), a word naming none ("not sure")."""
    folded = fold(text)
    tokens = list(_FEATURE_WORD.finditer(folded))
    words = [t.group() for t in tokens]
    # an option word of another item of the order is that item's ("not resistant" of earbuds beside a speaker)
    catalogue = set().union(*(_option_words(option) for option in options.values()))

    def opens_clause(i: int) -> bool:
        return (
            i == 0
            or words[i - 1] in _NEGATION_STOP
            or bool(_CLAUSE.search(folded[tokens[i - 1].end() : tokens[i].start()]))
        )

    def names_an_item(i: int) -> bool:
        phrase = " ".join(words[i : i + 2])
        return any(names_item(phrase, str(x.get("description") or ""), [options.get(str(x["sku"]), "")]) for x in lines)

    def of_a_variant(i: int, word: str, article: bool) -> bool:
        """The left-out word at ``i`` can only be said of a variant: "non-", "without", "with ... no" ("with the 20
        hour battery and no water resistance"), "the one that isn't", "leather not waterproof", "not the ... one"."""
        before: list[str] = []  # up to six words before it, in its clause
        for j in range(i - 1, i - 7, -1):
            before.append("" if j < 0 or opens_clause(j + 1) or (before and not before[-1]) else words[j])
        if word in _LEFT_OUT_ANYWHERE or article or before[0] in VARIANT_HEADS | known:
            return True
        if word in _LEFT_OUT_AFTER_WITH:
            return not _WITH.isdisjoint(before)
        if before[0] in _DESCRIBING_VERB:
            before = before[1:]
        said_of = before[1] in VARIANT_HEADS | known or before[1][:1].isdigit()
        return before[0] in _DESCRIBING_RELATIVE and said_of

    left_out: dict[int, tuple[int, bool]] = {}  # the feature word's index -> the left-out word's, and sure
    for i, word in enumerate(words[:-1]):
        if word not in _LEFT_OUT:
            continue
        at, article = i + 1, False
        if word in _LEFT_OUT_WITH_ARTICLE and words[at] in _ARTICLES and at + 1 < len(words):
            at += 1
        elif words[at] in _ARTICLES and VARIANT_HEADS & set(words[at + 2 : at + 4]):
            at, article = at + 1, True  # "not the water resistant one": the variant refused is the one with it
        before = "" if opens_clause(i) else words[i - 1]
        describes = word in _LEFT_OUT_ANYWHERE or not before or before in _DESCRIBING or before in known
        feature = words[at]
        if (
            describes
            and not opens_clause(at)
            and feature.isalpha()
            and len(feature) > 2
            and feature not in known | catalogue | _NO_FEATURE | NEGATORS | _FUNCTION_WORDS | _CLAUSE_OPENERS
            and not names_an_item(at)
        ):
            left_out[at] = (i, of_a_variant(i, word, article))
    established = {words[i] for i in left_out} | told
    said: list[_Feature] = []
    for i, word in enumerate(words):
        if word not in established or (
            i not in left_out and (names_an_item(i) or (i > 0 and words[i - 1] in _LEFT_OUT))
        ):
            continue  # an item's word, or a feature after a left-out word not read as one ("still not ..."): unsaid
        following = i + 1 < len(words) and not opens_clause(i + 1) and words[i + 1] not in known
        end = tokens[i + 1 if following else i].end()
        if i in left_out:
            cue, sure = left_out[i]
            said.append(_Feature(word, "no", sure, (tokens[cue].start(), end)))
        else:
            said.append(_Feature(word, "yes", False, (tokens[i].start(), end)))
    return said


def _left_out_option(
    text: str,
    negatable: frozenset[str],
    known: set[str],
    lines: Sequence[Mapping[str, Any]],
    options: Mapping[str, str],
) -> tuple[set[str], bool]:
    """A feature said left out in other words than a "not" option's ("no water resistance", "without water
    resistance" of earbuds whose option is "not resistant"): that option's words when the feature is said of a
    variant and one of its words shares its stem with the option's word; else, when a feature is said left out at
    all, (nothing, True): which option it means is not read, and keeping the item's own would be what they refuse."""
    folded = fold(text)
    left_out = [f for f in _features_said(text, known, lines, options) if f.value == "no"]
    for feature in left_out:
        words = _FEATURE_WORD.findall(folded[feature.span[0] : feature.span[1]])
        stems = {n for n in negatable for w in words if _same_stem(w, n)}
        if feature.sure and len(stems) == 1:
            return {"not", *stems}, False
    return set(), bool(left_out)


def _same_stem(word: str, other: str) -> bool:
    """Two forms of one word ("resistance", "resistant"): a shared start of five letters or more, at most 3 left."""
    shared = next((i for i, (a, b) in enumerate(zip(word, other, strict=False)) if a != b), min(len(word), len(other)))
    return shared >= 5 and shared >= min(len(word), len(other)) - 3


def _yes_no_wanted(
    text: str,
    own: Mapping[str, Any],
    siblings: Sequence[Mapping[str, Any]],
    lines: Sequence[Mapping[str, Any]],
    options: Mapping[str, str],
    told: Set[str],
) -> str | None:
    """The yes or no wanted of a product's one yes/no option, from how its feature is said here (``told``: features
    the thread says left out of an item); None when unsaid, said loosely, or of several options: asked."""
    variants = [own, *siblings]
    if any(len(_YES_NO & set(str(v["option"]).lower().split())) != 1 for v in variants):
        return None
    known = _words_of(variants) - _YES_NO
    said = _features_said(text, known, lines, options, told)
    had = next(iter(_YES_NO & _option_words(str(own["option"]))))
    other = "no" if had == "yes" else "yes"
    values = {word: {f.value for f in said if f.word == word} for word in {f.word for f in said}}
    both = any(v == _YES_NO or (v == {"yes"} and word in told) for word, v in values.items())  # here or in the thread
    if any(f.value == other and (f.sure or both) for f in said):
        return other
    return had if said and all(f.value == had for f in said) else None


def _without_features_said(
    thread: str, lines: Sequence[Mapping[str, Any]], variants: Sequence[Mapping[str, Any]], named: Sequence[int]
) -> str:
    """The thread (folded) with what it says of the yes/no features of the items ``named`` ("waterproof: no", "not
    resistant") blanked: those words are theirs, never another item's name or option."""
    by_sku = {str(v["sku"]): v for v in variants}
    options = options_by_sku(variants)
    products = {by_sku.get(str(x["sku"]), {}).get("product_id") for x in lines if int(x["line_no"]) in named} - {None}
    spans: list[tuple[int, int]] = []
    for product in products:
        words = [_option_words(str(v.get("option") or "")) for v in variants if v.get("product_id") == product]
        if not any((_YES_NO | {"not"}) & w for w in words):
            continue  # no feature said yes or no ("waterproof: no", "not resistant")
        spans += [feature.span for feature in _features_said(thread, set().union(*words) - _YES_NO, lines, options)]
    return blanked(fold(thread), spans)


def _yes_no_written(text: str, known: set[str]) -> set[str]:
    """A bare yes or no written as the catalogue writes the option, after another of its words ("the green, 20
    hours, no one"): a value said, unlike the "no" of "no longer"."""
    tokens = _option_tokens(text, _units(known))
    return {w for before, w in itertools.pairwise(tokens) if w in _YES_NO and before in known - _YES_NO}


def _which_of_same_product(
    changes: Sequence[Mapping[str, Any]], lines: Sequence[Mapping[str, Any]], by_sku: Mapping[str, Any], *, every: bool
) -> list[str]:
    """The changed lines the message does not tell from another line of the same product: every word that tells
    them apart is one of the variant asked for ("the skateboard for the bamboo 28 inch one" of a 28 inch and a 34
    inch skateboard), or of the other's when it changes too (a swap; not when "both" are said); not one asked again."""
    changed = {int(c["line_no"]): str(c["sku"]) for c in changes}
    out: list[str] = []
    for line in lines:
        number = int(line["line_no"])
        own, wanted = by_sku.get(str(line["sku"])), by_sku.get(changed.get(number, ""))
        if number not in changed or own is None or wanted is None or wanted is own:
            continue
        for other in lines:
            theirs, target = by_sku.get(str(other["sku"])), by_sku.get(changed.get(int(other["line_no"]), ""))
            if other is line or theirs is None or theirs["product_id"] != own["product_id"]:
                continue
            telling = _option_words(own["option"]) - _option_words(theirs["option"])
            # changed too, to another variant: what tells this one apart may be said as the other's (a swap)
            if target is not None and (every or target is wanted or not telling <= _option_words(target["option"])):
                continue
            label, pair = str(line.get("description") or line["sku"]), [own["option"], theirs["option"]]
            if (target is not None and telling) or telling <= _option_words(wanted["option"]):
                out.append("{}: the {} one or the {} one?".format(label, *(sorted(pair) if target else pair)))
    return out


@dataclass(frozen=True, slots=True)
class _Settling:
    """How an item change's price difference is settled: on ``method_id`` (None: the order's own payment);
    ``covers``: that method can take a charge (a gift card's balance, ``balance``); ``resolved``: False when a
    method named for it is none or several on file (a person); ``asked``: the customer is asked which method."""

    method_id: str | None = None
    covers: bool = True
    balance: float | None = None
    resolved: bool = True
    asked: bool = False


def _difference_method(
    spoken: list[Mention], facts: Mapping[str, Any], methods: Mapping[str, Any] | None, difference: float
) -> _Settling:
    """The customer's method on file a price difference goes to: the one named for it, else the new one the order's
    payment moves to, else the one named other than the order's own; a gift card only with the balance for it. When
    what is named for it fits several, one named after it (an answer) chooses; else an unshipped order's customer is
    asked which, and a delivered exchange goes to a person."""
    if methods is None:
        return _Settling(resolved=False)
    listed = list(methods.get("methods") or [])
    current = facts.get("payment.method_id")
    ready = bool(facts.get("paymethod.ready"))
    method_id: str | None
    if any(m.wanted for m in spoken if m.scope == paying.DIFFERENCE):
        fit, _named = paying.named(spoken, listed, None, paying.DIFFERENCE)
        last = max(n for n, m in enumerate(spoken) if m.wanted and m.scope == paying.DIFFERENCE)
        later, _named = paying.named(spoken[last + 1 :], listed, None)  # said after it, as an answer says it
        fit = [m for m in fit if m in later] or fit
        if len(fit) > 1:  # several on file fit ("my credit card" of two): asked before an unshipped order changes
            return _Settling(asked=True) if facts.get("order.cancellable") else _Settling(resolved=False)
        if not fit:
            return _Settling(resolved=False)  # none on file fits what they named: a person
        method_id = fit[0]
    elif ready:
        method_id = str(facts["paymethod.method_id"])
        fit, _named = paying.named(spoken, listed, None)
        if any(m != method_id for m in fit):
            # another method named too ("pay with my card, the difference to my gift card"): which one is not guessed
            return _Settling(resolved=False)
    elif facts.get("paymethod.stays"):
        return _Settling(asked=True)
    else:
        fit, _named = paying.named(spoken, listed, current)
        others = [m for m in fit if m != current]
        if not others and current in fit:
            method_id = current  # the order's own payment, named by its kind or digits
        elif len(others) == 1:
            method_id = others[0]
        else:
            return _Settling(resolved=False)
    method = next((m for m in listed if m.get("payment_method_id") == method_id), None)
    settled_on = None if method_id == current and not ready else method_id  # the order's own: as it is
    if method is None or method.get("kind") != "gift_card" or difference <= 0:
        return _Settling(settled_on)
    balance = float(method.get("balance") or 0.0)
    if ready and facts.get("paymethod.kind") == "gift_card" and method_id == facts.get("paymethod.method_id"):
        balance -= float(facts.get("paymethod.amount") or 0.0)
    return _Settling(settled_on, covers=difference <= balance + _CENT, balance=balance)
