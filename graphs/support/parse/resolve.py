"""Who wrote, and which of their orders they mean, resolved against what the systems returned.

Nothing here is decided by a string's shape: a number in a message is a candidate until the ERP names an order with
it and says whose it is; an e-mail or a postal code, until the CRM holds a customer with it (a postal code only with
their full name, SUP-008). A candidate written as an order reference that the systems do not know is reported."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Mapping, Sequence, Set
from dataclasses import dataclass
from typing import Any

from ai_missions.graphs.support.parse.address_reading import city_key, without_addresses
from ai_missions.graphs.support.parse.methods import mentions
from ai_missions.graphs.support.parse.understanding import (
    HOLDING,
    OPTION_WORDS,
    SENTENCE_END,
    SIZE_WORDS,
    WANTED_BEGINS,
    fold,
    only_kept,
    read_message,
    request_marks,
    stated_claim,
    without_kept,
)
from ai_missions.graphs.support.words import WHITE_SPACE, WORDS, singular
from ai_missions.nodes.api import closeness, lexicon

#: An order's line, or a variant of its products, as the ERP returns it.
Record = Mapping[str, Any]
_EMAIL = re.compile(r"(?<![\w.+-])[a-z0-9][a-z0-9._%+-]*@[a-z0-9-]+(?:\.[a-z0-9-]+)+")
#: A postal code as US customers write it (ZIP, ZIP+4); a candidate only, checked against the CRM with a name.
_POSTAL = re.compile(r"(?<![\w#$@.,-])(\d{5})(?:-\d{4})?(?![\w@]|[.,]\d)")
#: Something that could name an order: digits, with letters or ``#`` before them or not ("#W2378156",
#: "W2378156", "SO-104471", "#4471", "104471"). Not money ("$300", "300.50") nor part of an e-mail or a word.
_REFERENCE = re.compile(r"(?<![\w@$.,/-])(#\s?)?((?:[a-z]{1,3})-?)?(\d{3,12})(?![\w@%]|[.,]\d)")
_ORDER_WORDS = re.compile(
    rf"(?:{WORDS.alternation('order_ref_word')})\s*(?:{WORDS.alternation('order_number_word')}|#)?\s*:?\s*$"
)
#: Words naming a number as a postal code ("zip 20566", "postal code: 20566"): no order.
_ZIP_WORDS = re.compile(rf"\b(?:{WORDS.alternation('zip_word')})\s*:?\s*$")
#: Letters that come before a number without naming an order (units, times, ordinals).
_NOT_A_PREFIX = frozenset(WORDS.phrases("not_a_prefix"))


@dataclass(frozen=True, slots=True)
class Reference:
    """A candidate order reference as the customer wrote it."""

    text: str
    #: Written as an order reference ("#4471", "W2378156", "order 4471"): unknown, it is reported as not found.
    quoted: bool


def _written(match: re.Match[str]) -> str:
    """A reference as written: its ``#``, its letters (not a unit's or an ordinal's), its digits."""
    hashed, prefix, digits = match.group(1), match.group(2) or "", match.group(3)
    prefix = "" if prefix.rstrip("-") in _NOT_A_PREFIX else prefix
    return ("#" if hashed else "") + prefix.upper() + digits


def references(text: str) -> list[Reference]:
    """The candidate order references of a message, in the order written (each once)."""
    folded = fold(text)
    seen: dict[str, Reference] = {}
    for match in _REFERENCE.finditer(folded):
        written = _written(match)
        before = folded[max(0, match.start() - 30) : match.start()]
        quoted = written != match.group(3) or bool(_ORDER_WORDS.search(before))  # a "#" or letters, or "order"
        if not quoted and _ZIP_WORDS.search(before):
            continue
        if written not in seen or quoted:
            seen[written] = Reference(written, quoted)
    return list(seen.values())


#: Words before an order quoted as where something comes from, not what a request is about: "the same address as
#: (my other order) #W2", "the same address I used for #W2", "to the address on/of/from #W2"; not "change the
#: address on #W2", "where is #W2", "do the same for #W2".
_SAME = WORDS.alternation("the_same")
_AS_SOURCE = re.compile(
    rf"(?:\b(?:{_SAME})\b(?:\s+[\w']+){{0,3}}\s+(?:{WORDS.alternation('source_as')})"
    rf"|\b(?:{_SAME})\s+(?:{WORDS.alternation('source_address', space=WHITE_SPACE)})(?:\s+[\w']+){{0,4}}?\s+"
    rf"(?:{WORDS.alternation('source_used_with')})"
    rf"|\b(?:{WORDS.alternation('source_pointing')})\s+(?:{WORDS.alternation('definite_determiner')})\s+"
    rf"(?:{WORDS.alternation('source_address', 'source_addresses', space=WHITE_SPACE)})\s+(?:[\w']+\s+){{0,3}}?"
    rf"(?:{WORDS.alternation('source_of', space=WHITE_SPACE)}))(?:\s+[\w']+){{0,4}}\s*[#-]?$"
)


def source_references(text: str) -> list[str]:
    """The order references written as the source of something the customer wants ("ship it to the same address
    as my other order #W2"): that order is not what the request is about."""
    folded = fold(text)
    return [
        _written(m)
        for m in _REFERENCE.finditer(folded)
        if _AS_SOURCE.search(folded[max(0, m.start() - 60) : m.start()].rstrip("# "))
    ]


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", fold(text))


def only_as_sources(text: str, quoted: Sequence[str]) -> set[str]:
    """The quoted orders the text writes only as where something comes from ("the same address as order #W2")."""
    written = [_written(m) for m in _REFERENCE.finditer(fold(text))]  # every time written, not once each
    sources = source_references(text)
    return {
        o
        for o in quoted
        if any(same_reference(w, o) for w in sources)
        and sum(same_reference(w, o) for w in written) <= sum(same_reference(w, o) for w in sources)
    }


def said_not_meant(text: str, quoted: Sequence[str]) -> set[str]:
    """The quoted orders the text writes only where it says they are not meant ("cancel #W1, but not #W2", "all of
    them except order #W3"), not as where something comes from (:func:`only_as_sources`)."""
    if not quoted:
        return set()
    meant = [r.text for r in references(without_kept(text))]
    said_not = [r.text for r in references(only_kept(text)) if r.text not in source_references(text)]
    return {
        o
        for o in quoted
        if any(same_reference(w, o) for w in said_not) and not any(same_reference(w, o) for w in meant)
    }


@dataclass(frozen=True, slots=True)
class Claims:
    """Who the customer says they are, as written: e-mails; five-digit postal codes, not written as an order reference
    nor inside an e-mail; and the words a full name is found in."""

    emails: tuple[str, ...]
    postal_codes: tuple[str, ...]
    words: frozenset[str]

    @classmethod
    def of(cls, text: str) -> Claims:
        folded, rest = fold(text), _EMAIL.sub(" ", fold(text))
        codes = (
            m[1] for m in _POSTAL.finditer(rest) if not _ORDER_WORDS.search(rest[max(0, m.start() - 30) : m.start()])
        )
        mails = (m.lower() for m in _EMAIL.findall(folded))
        return cls(tuple(dict.fromkeys(mails)), tuple(dict.fromkeys(codes)), frozenset(_words(text)))


def recognised(claims: Claims, customers: Iterable[Mapping[str, object]]) -> list[str]:
    """The customers the claims identify, among ``customers`` (what the CRM returned for its e-mails and postal
    codes): one whose e-mail on file is written, or whose full name (every word of it) and current postal code are."""
    found = [
        str(c["customer_id"])
        for c in customers
        if str(c.get("email") or "").lower() in claims.emails
        or (
            c.get("postal_code") in claims.postal_codes
            and len(name := _words(str(c.get("name") or ""))) >= 2
            and all(w in claims.words for w in name)
        )
    ]
    return list(dict.fromkeys(found))


@dataclass(frozen=True, slots=True)
class Identity:
    """Whom the mission serves, or why nobody (``problem``: ask the customer who they are)."""

    customer_id: str | None
    how: str  # sender, message, none
    problem: str | None = None


def identify(sender: str | None, sender_verified: bool, recognised_ids: Sequence[str]) -> Identity:
    """The customer to serve. The sender when their address is the one on file (or they signed in to the portal);
    else the one customer the message identifies. A message naming someone else than a verified sender, or several
    people, or nobody when the sender is not verified: nobody is served and the customer is asked (SUP-008)."""
    others = [c for c in recognised_ids if c != sender]
    if sender_verified and sender is not None:
        if others:
            return Identity(None, "none", "identity_mismatch")
        return Identity(sender, "sender")
    if len(recognised_ids) == 1:
        return Identity(recognised_ids[0], "message")
    return Identity(None, "none", "identity_unverified")


def resolve(
    written: Sequence[Reference], found: Mapping[str, Sequence[Mapping[str, str]]], customer_id: str | None
) -> tuple[list[str], list[str], list[str]]:
    """(the customer's orders named, orders of others named, quoted references the ERP does not know).

    ``found`` maps each written reference to the ERP's matches for it (order id and customer id). A reference
    naming one of the customer's orders names that one (if it could name two of theirs, both are candidates and
    the customer is asked which); a reference the ERP does not know is reported only if it was written as one."""
    own: list[str] = []
    others: list[str] = []
    unknown: list[str] = []
    for ref in written:
        matches = found.get(ref.text) or []
        mine = [m["order_id"] for m in matches if m["customer_id"] == customer_id]
        if mine:
            own.extend(mine)
        elif matches:
            others.extend(m["order_id"] for m in matches)
        elif ref.quoted:
            unknown.append(ref.text)
    return list(dict.fromkeys(own)), list(dict.fromkeys(others)), list(dict.fromkeys(unknown))


#: Words of an item's name that do not tell which item it is ("Dumbbell Set": the dumbbells).
_GENERIC = frozenset(WORDS.phrases("generic_item_word"))


def _name_words(description: str, options: Iterable[str]) -> list[str]:
    """The words of an item's name that say what it is: not its variant (colour, size...), not generic."""
    variant = {singular(w) for o in options for w in _words(o)} | {singular(w) for w in OPTION_WORDS} | set(SIZE_WORDS)
    return [s for w in _words(description) if len(w) >= 3 and (s := singular(w)) not in _GENERIC and s not in variant]


def names_item(text: str, description: str, options: Iterable[str] = ()) -> bool:
    """The message names this item: its head word ("the kettle" for an Electric Kettle, "dumbbells" for a Dumbbell
    Set) or two words of its name ("the office thing with the chair" is not needed: "office chair" is)."""
    words = _name_words(description, options)
    said = {singular(w) for w in _words(text)}
    return bool(words) and (words[-1] in said or len(set(words) & said) >= 2)


def options_by_sku(variants: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """Each variant's option by its SKU: what an order's lines of one item are told apart by."""
    return {str(v["sku"]): str(v.get("option") or "") for v in variants}


def order_items(record: Mapping[str, Any]) -> tuple[Sequence[Mapping[str, Any]], dict[str, str]]:
    """An order record's lines, and its variants' options by SKU (what :func:`lines_named` reads them with)."""
    return record["order"].get("lines") or [], options_by_sku(record.get("variants") or [])


def with_variants(lines: Iterable[Record], variants: Iterable[Record]) -> list[tuple[Record, Record]]:
    """Each order line whose variant the systems list, with that variant."""
    by_sku = {str(v["sku"]): v for v in variants}
    return [(line, by_sku[str(line["sku"])]) for line in lines if str(line["sku"]) in by_sku]


#: Where what is wanted may end and what is had begin again: a sentence's end, "and", "plus", a comma before the next
#: thing said ("... for a red one, and the black one for a blue one", "the kettle for the 1 litre, the black
#: toothbrush for a white one").
_PHRASES_APART = re.compile(
    rf"[;!?\n]|\.(?!\d)|\s(?:{WORDS.alternation('said_apart_joins')})\s"
    rf"|,\s+(?=(?:{WORDS.alternation('element_determiner')})\b)"
)


#: A thing said by its variant: "the black one", "my 10-hour ones", "exchange the green one" (not "manual one"
#: going on a list of values, with no determiner of its own).
_VARIANT_SAID = re.compile(
    rf"\b(?:{WORDS.alternation('determiner')})\s+(?:[\w'-]+\s+){{0,6}}(?:{WORDS.alternation('variant_noun')})\b"
)


def without_wanted(text: str) -> str:
    """The text without what it says is wanted ("change the espresso machine for the 15 bar, 1L, manual one": the
    words after "for the"): those describe the new variant, never which of the customer's lines they have."""
    return "\n".join(
        sentence[: m.start()] if (m := _wanted_begins(sentence)) else sentence
        for sentence in _PHRASES_APART.split(fold(text))
    )


def _wanted_begins(piece: str) -> re.Match[str] | None:
    """Where what is wanted begins in a phrase: after what it is said of ("the tent for the green one"), never at its
    start ("For the black helmet, large: make it small" says which helmet)."""
    return next((m for m in WANTED_BEGINS.finditer(piece) if piece[: m.start()].strip()), None)


def wanted_of(text: str, description: str | None, options: Iterable[str] = ()) -> str:
    """What the text says is wanted of one item: in each phrase naming it (each phrase, ``description`` None: the
    text is that item's own words), the words after where what is wanted begins ("the cycling helmet for the S,
    white, medium one": "s, white, medium one"); those name the new variant's values, whatever the one they have
    holds."""
    return "\n".join(
        piece[m.end() :]
        for piece in _PHRASES_APART.split(fold(text))
        if (description is None or names_item(piece, description, options)) and (m := _wanted_begins(piece))
    )


def lines_named(text: str, lines: Sequence[Mapping[str, object]], options: Mapping[str, str]) -> list[int]:
    """The order lines (``line_no``) whose item the message names; when several lines hold the same item and the
    message names a variant of it (a colour, a size: "the black one"; any option that tells the lines apart, "the
    6 hours ones"), the lines of that variant. ``options`` maps a line's sku to its variant option (the ERP's)."""
    # which of several lines of one item is meant is told by what the customer has, not by what they want
    said = {singular(w) for w in _words(without_wanted(text))}
    variant_words = {singular(w) for w in OPTION_WORDS} | set(SIZE_WORDS)
    groups: dict[tuple[str, ...], list[Mapping[str, object]]] = {}
    for line in lines:
        option = options.get(str(line["sku"]), "")
        if names_item(text, str(line.get("description") or ""), [option]):
            groups.setdefault(tuple(_name_words(str(line.get("description") or ""), [option])), []).append(line)
    tokens = [singular(w) for w in _words(text)]
    chosen: list[int] = []
    for name, group in groups.items():
        if _head_of_another(name, list(groups), tokens):
            continue
        described = [{singular(w) for w in _words(f"{x.get('description')} {options.get(str(x['sku']), '')}")}
                     for x in group]  # fmt: skip
        # the words that tell the group's lines apart ("black" of a black and a navy backpack, not "small" of both)
        common = described[0].intersection(*described[1:])
        telling = set().union(*described) - common if len(group) > 1 else set()
        narrowed = [line for line, words in zip(group, described, strict=True) if said & words & telling]
        if not narrowed:
            narrowed = [line for line, words in zip(group, described, strict=True) if said & variant_words & words]
        chosen += [int(str(line["line_no"])) for line in (narrowed if len(group) > 1 and narrowed else group)]
    return sorted(chosen)


def lines_named_apart(
    text: str, orders: Mapping[str, tuple[Sequence[Mapping[str, object]], Mapping[str, str]]]
) -> dict[str, list[int]]:
    """Each order -> the lines of it the text names (:func:`lines_named`), less an item said only by its head word
    as another order's item: "the digital camera" names the Digital Camera of one order, not the Action Camera of
    another, as it names no Action Camera beside a Digital Camera in one order. An item several orders hold is
    told apart across them as within one, by a variant word said of what the customer has ("the glass bookshelf"
    of a glass one and a wood one)."""
    tokens = [singular(w) for w in _words(text)]
    phrases = without_wanted(text).split("\n")
    named = {o: lines_named(text, lines, options) for o, (lines, options) in orders.items()}
    names: dict[str, dict[int, tuple[str, ...]]] = {}
    described: dict[tuple[str, ...], dict[tuple[str, int], set[str]]] = {}
    said: dict[tuple[str, ...], set[str]] = {}  # the words of the phrases naming the item
    for o, (lines, options) in orders.items():
        names[o] = {}
        for line in lines:
            if (number := int(str(line["line_no"]))) in named[o]:
                option, description = options.get(str(line["sku"]), ""), str(line.get("description") or "")
                name = names[o][number] = tuple(_name_words(description, [option]))
                described.setdefault(name, {})[(o, number)] = {singular(w) for w in _words(f"{description} {option}")}
                said[name] = {singular(w) for p in phrases if names_item(p, description) for w in _words(p)}
    every = list(dict.fromkeys(name for own in names.values() for name in own.values() if name))
    untold: set[tuple[str, int]] = set()
    for name, group in described.items():
        words_of = list(group.values())
        telling = set().union(*words_of) - words_of[0].intersection(*words_of[1:])
        meant = {k for k, words in group.items() if said[name] & words & telling}
        if len({o for o, _ in group}) > 1 and meant:
            untold |= set(group) - meant
    return {
        o: [n for n in named[o] if not _head_of_another(names[o][n], every, tokens) and (o, n) not in untold]
        for o in orders
    }


#: A request's own words standing for an item said before it: "could I exchange it", "return them".
_POINTS_BACK_TO_ITEM = WORDS.pattern("points_back_to_item")


def said_before(sentences: Sequence[str], asking: str) -> str:
    """The sentences just before those that ask for something of an item they only point back to ("The RGB keyboard
    I received is too big. Could I exchange it?"): where the item is named; empty when no asking sentence does."""
    before = [
        previous
        for previous, sentence in itertools.pairwise(sentences)
        if sentence in asking and previous not in asking and _POINTS_BACK_TO_ITEM.search(fold(sentence))
    ]
    return "\n".join(before)


def items_of_request(
    sentences: Sequence[str],
    asking: str,
    lines: Sequence[Mapping[str, object]],
    options: Mapping[str, str],
    *,
    of_items: bool,
) -> list[int]:
    """The lines a request is of: those the asking sentences name; else, when it points back ("Could I exchange
    it?"), those named just before; else, of a request of items (``of_items``: a return, an exchange), those named
    in the sentences asking nothing ("I need to return a few things. The pet bed and the tablet."), less items that
    only call their order ("my order with the lamp"); of those, the ones the asking words tell apart by their variant
    ("exchange the green one")."""
    if named := lines_named(asking, lines, options):
        return named
    if before := said_before(sentences, asking):
        named = lines_named(before, lines, options)
    elif of_items:
        listing = "\n".join(s for s in sentences if s not in asking)
        named = [n for n in lines_named(listing, lines, options) if n not in order_called_by(listing, lines, options)]
    else:
        return []
    # "I got two speakers, a green one and a black one. I'd like to exchange the green one for red."
    return by_own_option(asking, named, lines, options, alone=False) or named


def told_apart(
    text: str, named: Mapping[str, Sequence[int]], records: Mapping[str, Mapping[str, Any]]
) -> dict[str, Sequence[int]]:
    """Of the orders whose lines the text names (``named``: order -> lines), the same items in each, the ones it
    tells apart by their variant: an option word of their named lines that the others' lack, said of what the
    customer has ("the RGB keyboard I received" of a linear RGB one and a linear white one; not the words of what
    is wanted, "for the white one"). All of them when no word tells them apart or the orders' items differ."""
    if len(named) < 2:
        return dict(named)
    said = {singular(w) for w in _words(without_wanted(text))}
    items: dict[str, set[str]] = {}
    held: dict[str, set[str]] = {}
    for order, numbers in named.items():
        lines, options = order_items(records[order])
        mine = [x for x in lines if int(x["line_no"]) in set(numbers)]
        items[order] = {fold(str(x.get("description") or x["sku"])) for x in mine}
        held[order] = {singular(w) for x in mine for w in _words(options.get(str(x["sku"]), ""))}
    if any(names != items[next(iter(items))] for names in items.values()):
        return dict(named)  # other items in each: which order each request is of is the split's to read
    common = set.intersection(*held.values())
    kept = {order: numbers for order, numbers in named.items() if (held[order] - common) & said}
    return kept if kept and len(kept) < len(named) else dict(named)


def _head_of_another(name: tuple[str, ...], names: list[tuple[str, ...]], tokens: list[str]) -> bool:
    """Each time only the item's head word is said, it is said as another item's ("the action camera" of an Action
    and a Digital Camera): a word of that item's name, not of this one, right before it."""
    if len(set(name) & set(tokens)) >= 2:
        return False
    others = {w for other in names if other != name and other[-1:] == name[-1:] for w in other[:-1]} - set(name)
    at = [i for i, token in enumerate(tokens) if token == name[-1]]
    return bool(others and at) and all(i > 0 and tokens[i - 1] in others for i in at)


def described_by_options(text: str, lines: Sequence[Mapping[str, object]], options: Mapping[str, str]) -> list[int]:
    """The order lines the text describes by their variant rather than their name ("the red mountain bike" of a
    Bicycle in large red mountain, "the little white USB-C power bank" of a Portable Charger in 5000mAh USB-C
    white): two words of the line's option that no other line's option holds, said in the text."""
    words = {int(str(x["line_no"])): {singular(w) for w in _words(options.get(str(x["sku"]), ""))} for x in lines}
    said = {singular(w) for w in _words(text)}
    described = []
    for line_no, own in words.items():
        others = set().union(*(w for n, w in words.items() if n != line_no))
        if len({w for w in own - others if len(w) > 1} & said) >= 2:
            described.append(line_no)
    return described


#: Words an item is said with as the name of its order: "the bookshelf order", "the order with the bookshelf".
_ORDER_NOUNS = frozenset(WORDS.phrases("order_noun"))
#: An order said by what it holds, up to an item of the list: "the order with the lamp", "the order going to Dallas
#: with the grill, bookshelf and ...", "my pending order (the one with the ...": within one sentence, what is said
#: between the order and "with" describes it, and the list after "with" runs to the item.
_ORDER_HOLDING = re.compile(
    rf"\b(?:{WORDS.alternation('order_noun')})\b[^.;!?\n]{{0,40}}?{HOLDING}"
    rf"[^.;!?:()\n]{{0,80}}$"
)


def order_called_by(text: str, lines: Sequence[Mapping[str, object]], options: Mapping[str, str]) -> list[int]:
    """The order lines whose item the text says as what the whole order is ("cancel the bookshelf order", "the
    order with the red lamp in it", "the order going to Dallas with the grill and the fleece"): those name the order,
    not one item of it."""
    folded = fold(text)
    tokens = list(re.finditer(r"[a-z0-9']+", folded))
    called = []
    for line in lines:
        name = _name_words(str(line.get("description") or ""), [options.get(str(line["sku"]), "")])
        if not name:
            continue
        for i, word in enumerate(tokens):
            if singular(word[0]) != name[-1]:
                continue
            after = tokens[i + 1][0] if i + 1 < len(tokens) else ""
            if after in _ORDER_NOUNS or _ORDER_HOLDING.search(folded[max(0, word.start() - 160) : word.start()]):
                called.append(int(str(line["line_no"])))
                break
    return called


def partly_named(text: str, lines: Sequence[Mapping[str, object]], options: Mapping[str, str]) -> list[int]:
    """The order lines whose item the message names only in part: a word of its name other than its head ("the
    vacuum" of a Vacuum Cleaner, "the espresso one") or the tail of one ("the watches" of a Wristwatch), not a word
    of an item it does name ("smart" beside the Smart Thermostat it names) nor of any variant. Whether that item is
    meant is asked: taken, one word could pick the wrong item; left out, a change asked for it would go ahead for
    the other items alone."""
    said = {singular(w) for w in _words(text)}
    named = set(lines_named(text, lines, options))
    variant = {singular(w) for option in options.values() for w in _words(option)}

    def name(line: Mapping[str, object]) -> list[str]:
        return _name_words(str(line.get("description") or ""), [options.get(str(line["sku"]), "")])

    def tails(line: Mapping[str, object]) -> set[str]:  # "the watches" of a Wristwatch (and of a Smart Watch)
        return {w for n in name(line) for w in several if len(n) > len(w) > 3 and n.endswith(w)}

    several = {singular(w) for w in _words(text)} - set(_words(text))  # the words said in the plural

    taken = set().union(*(name(line) for line in lines if int(str(line["line_no"])) in named)) if named else set()
    return [
        int(str(line["line_no"]))
        for line in lines
        if int(str(line["line_no"])) not in named and (((set(name(line)[:-1]) & said) - taken) | tails(line)) - variant
    ]


#: Words that say several of one item are meant ("both backpacks", "the two lamps", "all the mugs").
_SEVERAL = frozenset(WORDS.phrases("several"))


def ambiguous_items(
    text: str, lines: Sequence[Mapping[str, object]], chosen: Iterable[int], options: Mapping[str, str]
) -> list[str]:
    """The items among the ``chosen`` lines that the message names as one ("the backpack") while the order holds
    several different variants of them and the message names none: asked, never guessed. Not when it says several
    ("both backpacks", "the two lamps", "the backpacks" of a singular name; "the earbuds" alone says no two pairs)."""
    wanted = set(chosen)
    groups: dict[tuple[str, ...], list[Mapping[str, object]]] = {}
    for line in lines:
        if int(str(line["line_no"])) in wanted:
            description = str(line.get("description") or "")
            groups.setdefault(tuple(_name_words(description, [options.get(str(line["sku"]), "")])), []).append(line)
    sentences = [_words(s) for s in re.split(r"[.!?;\n]+", text)]
    out = []
    for name, group in groups.items():
        if not name or len({str(line["sku"]) for line in group}) < 2:
            continue
        head = name[-1]
        named_singular = head in _words(str(group[0].get("description") or ""))
        several = any(
            _SEVERAL & set(words) or (named_singular and any(w != head and singular(w) == head for w in words))
            for words in sentences
            if any(singular(w) == head for w in words)
        )
        if not several:
            out.append(str(group[0].get("description") or head))
    return out


#: How many of an item a piece of a sentence says: "one of" (of several), then every one, then a single one.
_ONE_OF = WORDS.pattern("one_of")
_EVERY = frozenset(WORDS.phrases("several", "every"))
_SINGLE = frozenset(WORDS.phrases("single"))
#: Where a list of items breaks into its items ("the laptop, a toothbrush and the water bottle").
_LIST_BREAK = re.compile(rf"[,;:()\n]|\b(?:{WORDS.alternation('list_joins')})\b")


def quantity_said(text: str, description: str, options: Iterable[str] = ()) -> str | None:
    """How many of an item of which the order holds several identical lines the message asks about: ``one`` ("one
    of the two water bottles", "una botella"), ``all`` ("both water bottles", "the bottles" of an item named in the
    singular), or None when it does not say or says both: asked, never guessed. Read in the piece of the list that
    names the item; a piece that does not say leaves it to one that does (the answer to "one of them, or all?")."""
    words = _name_words(description, options)
    if not words:
        return None
    head = words[-1]
    # "the bottles" says several of a Water Bottle; "the boots" says nothing more of Hiking Boots
    named_singular = head in _words(fold(description))
    said: set[str] = set()
    asked: set[str] = set()  # what a sentence asking for them says ("I got two bottles. Exchange one of them.")
    named = False  # "one of them" is of the item named before
    for sentence in re.split(r"[.!?]+", fold(text)):
        into = asked if request_marks(sentence) else said
        for piece in _LIST_BREAK.split(sentence):
            tokens = _words(piece)
            at = next((i for i, w in enumerate(tokens) if singular(w) == head or w in (f"{head}n", f"{head}en")), None)
            if at is None:
                if named and into is asked and _ONE_OF.search(piece):
                    into.add("one")
                continue
            named = True
            before = set(tokens[max(0, at - 5) : at])
            if _ONE_OF.search(piece):
                into.add("one")
            elif before & _EVERY or (tokens[at] != head and named_singular):
                into.add("all")  # "both bottles", "the bottles"
            elif before & _SINGLE:
                into.add("one")
            else:
                into.add("unsaid")
    said = (asked - {"unsaid"}) or (said | asked) - {"unsaid"}  # a piece that does not say, beside one that does
    return said.pop() if len(said) == 1 else None


def same_reference(reference: str, order_id: str) -> bool:
    """The ERP's ``find_order_reference`` rule: the id without its punctuation, or its digits without its prefix."""
    plain, own = ("".join(c for c in text.upper() if c.isalnum()) for text in (reference, order_id))
    return plain == own or (plain.isdigit() and own.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ") == plain)


#: Where one thing said ends and the next begins: clause marks (not a decimal point: "1.5L"), and "and" / "plus" /
#: "also" between two phrases
#: ("the pet bed in grey and a thicker green mat", "the puzzle for the 500 one, and the camera for the 2K one").
SAID_APART = re.compile(
    rf"(?:[;:!?()\n]|,(?!\d{{3}}\b)|\.(?!\d))+|\s(?:{WORDS.alternation('said_apart_joins')})\s", re.IGNORECASE
)


def _mentions(piece: str, lines: Sequence[Mapping[str, object]], options: Mapping[str, str]) -> list[int]:
    """The lines whose item this piece of text names, the most specific only: "the electric kettle" names the
    Electric Kettle, not the Tea Kettle beside it (both are kettles; two words of the first are said)."""
    said = {singular(w) for w in _words(piece)}
    scored: dict[int, int] = {}
    for line in lines:
        option = options.get(str(line["sku"]), "")
        if names_item(piece, str(line.get("description") or ""), [option]):
            words = set(_name_words(str(line.get("description") or ""), [option]))
            scored[int(str(line["line_no"]))] = len(words & said)
    best = max(scored.values(), default=0)
    return [n for n, score in scored.items() if score == best]


def by_own_option(
    piece: str, among: Sequence[int], lines: Sequence[Mapping[str, object]], options: Mapping[str, str], alone: bool
) -> list[int]:
    """Of several lines, those whose option has a word the others' lack, said before anything wanted; in a piece
    naming no item (``alone``), only of a thing said by its variant ("the black one"; not "and LCD display")."""
    words = {int(str(x["line_no"])): {singular(w) for w in _words(options.get(str(x["sku"]), ""))} for x in lines}
    had = without_wanted(piece)
    if len(among) < 2 or (alone and not _VARIANT_SAID.search(had)):
        return []
    common = set.intersection(*(words[n] for n in among))
    return [n for n in among if (words[n] - common) & {singular(w) for w in _words(had)}]


def outnamed_lines(text: str, lines: Sequence[Mapping[str, object]], options: Mapping[str, str]) -> set[int]:
    """The lines the text names only where another line is named more closely: "the action camera" names the
    Action Camera, not the Digital Camera beside it, though both are cameras."""
    won: set[int] = set()
    lost: set[int] = set()
    for piece in (fold(p) for p in SAID_APART.split(text) if p and p.strip()):
        best = _mentions(piece, lines, options)
        won |= set(best)
        for line in lines:
            option = options.get(str(line["sku"]), "")
            if names_item(piece, str(line.get("description") or ""), [option]):
                lost.add(int(str(line["line_no"])))
    return lost - won


#: A list in brackets right after a word ("the Bluetooth Speaker (green, 10 hours, no)"): what the thing named holds.
_LISTED_AFTER = re.compile(r"(?<=\w) ?\(([^(),]+(?:,[^(),]+)+)\)")


def _pieces(text: str) -> list[str]:
    """The text cut at clause marks (``SAID_APART``), a list in brackets kept whole with the words before it ("the
    Speaker (green, 10 hours, no)"): its values tell which of several lines is meant, never pieces of their own; its
    commas stay, ending what it says of a feature ("a red one (10 hour battery, not water resistant)")."""
    pieces, at = list[str](), 0
    for listed in _LISTED_AFTER.finditer(text):
        before = SAID_APART.split(text[at : listed.start()])
        pieces += [*before[:-1], f"{before[-1]} {listed.group(1)}"]
        at = listed.end()
    return [*pieces, *SAID_APART.split(text[at:])]


def said_of_lines(
    text: str,
    lines: Sequence[Mapping[str, object]],
    options: Mapping[str, str],
    values: Mapping[int, Set[str]] | None = None,
) -> dict[int, str] | None:
    """What the text says of each order line, when it names two items or more: each piece of it (cut at clause
    marks and "and") belongs to the item it names, a piece naming none to the item named last before it ("the
    light bulbs (want brighter ones with wifi)"), and what comes before any item is named to every item. The
    words naming an item are not said of it ("the electric kettle" does not ask for an electric tea kettle). Each
    message of a thread ends its pieces (joined with line breaks). None when fewer than two items are named.

    ``values``, each line's product's option words: another item's name that is one of them stays in the line's
    words ("the backpack with a laptop compartment" beside a Laptop)."""
    pieces = [fold(p) for p in _pieces(text) if p and p.strip()]
    own = {w for x in lines for w in _name_words(str(x.get("description") or ""), [])}
    by_line: dict[int, list[str]] = {}
    shared: list[str] = []
    owners: list[int] = []
    group: list[int] = []  # the lines named last
    by_no = {int(str(line["line_no"])): line for line in lines}
    for piece in pieces:
        # of several lines of one item, the one whose own option is said ("the green speaker ..., and the black one")
        mentioned = _mentions(piece, lines, options)
        if mentioned and all(_as_value(piece, by_no[n], owners, values or {}) for n in mentioned):
            mentioned = []  # an item's name said as a value of the item spoken of: "green, laptop one" of a backpack
        group = mentioned or group
        named = by_own_option(piece, group, lines, options, alone=not mentioned) or mentioned
        names: set[str] = set()
        if named:
            owners = named
            names = {w for line in lines if int(str(line["line_no"])) in named
                     for w in _words(str(line.get("description") or ""))}  # fmt: skip
        for line_no in owners or []:
            # another item's name that is an option of this one's stays ("laptop" of a laptop compartment)
            theirs = (values or {}).get(line_no, set()) - set(_words(str(by_no[line_no].get("description") or "")))
            by_line.setdefault(line_no, []).append(_without_words(piece, names - theirs))
        if named:
            piece = _without_words(piece, names)
        if not owners and not _other_thing(piece, own, _kept(options)):  # "the suitcase set in blue": not every item's
            shared.append(piece)
    if len(by_line) < 2:
        return None
    return {line_no: " , ".join([*shared, *said]) for line_no, said in by_line.items()}


def _as_value(piece: str, line: Mapping[str, object], owners: list[int], values: Mapping[int, Set[str]]) -> bool:
    """The line's name said as a variant ("laptop one") of the owners' product, whose values hold it."""
    name, held = _words(str(line.get("description") or "")), set().union(*(values.get(n, set()) for n in owners))
    return set(name) <= held and re.search(rf"\b{' '.join(name)}\s+(?:{'|'.join(VARIANT_HEADS)})\b", piece) is not None


def _without_words(piece: str, words: Set[str]) -> str:
    """The piece with each of the words blanked where it stands as a word of its own."""
    if not words:
        return piece
    alternatives = "|".join(map(re.escape, sorted(words)))
    return re.sub(r"(?<![\w.'-])(?:" + alternatives + r")(?![\w.'-])", " ", piece)


#: A list's element that is a thing of its own: a determiner, then its words up to the first that ends it.
_ELEMENT = re.compile(rf"\b(?:{WORDS.alternation('element_determiner')})\s+((?:[a-z0-9][a-z0-9'-]*\s*){{1,6}})")
_ENDS_ELEMENT = frozenset(WORDS.phrases("element_ends", "request_verb"))  # "the 15 bar one -> swap": "change to"
_NO_THING = frozenset(WORDS.phrases("not_an_item", "generic_item_word", "several", "element_not_a_thing"))
#: The word a variant is said with, which ends the thing's words ("the red one", "the 20MP version").
VARIANT_HEADS = frozenset(WORDS.phrases("variant_noun"))


def _in_element(word: str) -> bool:
    """A word of a thing's own: not one that ends it ("from", "it's", "don't"); a possessive is ("the men's ...")."""
    short = "'" in word and not word.endswith(("'s", "s'"))
    return word not in _ENDS_ELEMENT and word.split("'")[0] not in _ENDS_ELEMENT and not short


def _other_thing(piece: str, names: set[str], kept: set[str]) -> str | None:
    """The thing the piece names with a determiner when no word of it is an item's name ("the suitcase set" beside
    a Luggage Set, "my trainers"), nor a variant's, size's or no thing's word ("the red one", "the rest"), nor a person
    the lexicon knows ("a present for my mum": who it was for; "my kids' phone" is a thing)."""
    if (found := _ELEMENT.search(piece)) is None or mentions(piece):  # a way to pay is no thing
        return None
    person = lexicon()["third_party"].search(piece, found.start())
    if person and person.start() == found.start() and not piece.startswith("'", person.end()):
        return None
    said = list(itertools.takewhile(_in_element, every := _words(found[1])))
    head = next((i for i, w in enumerate(said) if w in VARIANT_HEADS), None)
    said = said if head is None else said[: head + 1]  # "the short 3 ft glass one just ...": ends with its "one"
    while said and singular(said[-1]) in _GENERIC:
        said.pop()  # "the suitcase set": a suitcase
    words = {singular(w) for w in said}
    ordered = _ORDER_NOUNS & set(every[: len(said) + 1])  # an order's ("my unshipped order", "the first order ...")
    unknown = said and singular(said[-1]) not in kept | _NO_THING and not said[-1][0].isdigit() and not ordered
    unknown = unknown and not names & words
    return " ".join(said) if unknown else None


def things_unmatched(
    messages: Sequence[str], lines: Sequence[Record], options: Mapping[str, str], others: Iterable[Record] = ()
) -> list[str]:
    """What a list naming an item of the order also names that no item holds ("return the bike, the bike helmet and
    the phone" of a Bicycle, a Cycling Helmet and a Smartphone: "bike", "phone"), in a message no later one names
    items after: asked, never left out of a request going ahead for the others. ``others``: other orders' lines."""
    names = {w for x in [*lines, *others] for w in _name_words(str(x.get("description") or ""), [])}
    kept = _kept(options)
    unmatched: list[str] = []
    for i, message in enumerate(messages):
        if any(lines_named(later, lines, options) for later in messages[i + 1 :]):
            continue  # the items named after it are what is meant
        for sentence in re.split(r"[;!?\n]|\.(?!\d)", fold(without_kept(message))):  # a kept item's words: none
            pieces = [p for p in SAID_APART.split(sentence) if p.strip()]
            if any(_mentions(p, lines, options) for p in pieces):
                # a thing said damaged is a part of the item ("..., the screen on mine is defective"), not another
                unmatched += filter(None, (_other_thing(p, names, kept) for p in pieces if not _damage_stated(p)))
    return unmatched


#: How close in meaning a customer's own word for a thing must be to the name of an item of theirs to stand for it,
#: and by how much closer than to any other of their items (on the shipped model: "bike" is a Bicycle at 0.92 and a
#: Cycling Helmet at 0.52, "cologne" a Perfume at 0.76; "sofa" is no Office Chair at 0.54).
_CALLED = 0.65
_CALLED_APART = 0.1


def called_by_own_words(
    sentences: Sequence[str], orders: Mapping[str, tuple[Sequence[Record], Mapping[str, str]]]
) -> dict[str, str]:
    """The words the customer calls a thing by ("the green road bike", "my cologne"; :func:`_other_thing`) -> the one
    item of theirs (``orders``: each order's lines and options, :func:`order_items`) a word of them is close to in
    meaning. Resolved against what the systems hold, where no word list could name every way people call a thing; a
    word close to none, or to two alike, is left as said."""
    if not (names := sorted({str(x.get("description") or "") for lines, _ in orders.values() for x in lines})):
        return {}
    kept = _kept({sku: o for _, options in orders.values() for sku, o in options.items()})
    own = {w for name in names for w in _name_words(name, [])}
    things = {t for s in sentences for p in SAID_APART.split(fold(s)) if (t := _other_thing(p, own, kept))}
    words = sorted({w for t in things for w in t.split() if singular(w) not in kept | _NO_THING})
    scores = closeness(words, names)
    last = {name: "".join(_name_words(name, [])[-1:]) for name in names}
    called = {}
    for word, row in zip(words, scores, strict=True):
        # a compound's last part says it, as a name of two words is said by its last ("watch" of a Wristwatch)
        heads = [name for name in names if len(word) > 3 and last[name].endswith(word)]
        best, *rest = sorted(zip(row.tolist(), names, strict=True), reverse=True)
        if len(heads) == 1:
            called[word] = heads[0]
        elif best[0] >= _CALLED and all(best[0] - score >= _CALLED_APART for score, _ in rest):
            called[word] = best[1]
    return called


def _damage_stated(piece: str) -> bool:
    return stated_claim(piece, ("damaged_item",)) is not None


def _kept(options: Mapping[str, str]) -> set[str]:
    """Words that say no thing of their own: the order's variant words, every option and size word."""
    return {singular(w) for o in options.values() for w in _words(o)} | {*map(singular, OPTION_WORDS), *SIZE_WORDS}


#: "to" and a determiner before a city: where an address change asks an order sent ("send it to my Austin address").
_TO_BEFORE = re.compile(
    rf"\b(?:{WORDS.alternation('send_to')})\s+(?:(?:{WORDS.alternation('definite_determiner')})\s+)?$"
)


def sent_to(text: str, destinations: Mapping[str, Mapping[str, Any] | None]) -> list[str]:
    """The orders the text tells apart by the city they go to ("the Chicago order", "the one going to Austin"): those
    whose ship-to city is said outside an address written out, and not as where an address change asks to send an
    order ("change it to my Austin address"); none when every order goes to a city said (none is told apart)."""
    cities = {o: key for o, address in destinations.items() if (key := city_key(address))}
    said: set[str] = set()
    for sentence in SENTENCE_END.split(fold(without_addresses(text))):
        words = " ".join(re.sub(r"[^a-z0-9]+", " ", sentence).split())
        found = [(city, m) for city in set(cities.values()) for m in re.finditer(rf"\b{re.escape(city)}\b", words)]
        # what the sentence asks is read only where it says a city (this runs for every sentence a split weighs)
        moving = bool(found) and "change_address" in read_message(sentence).intents
        said |= {city for city, m in found if not (moving and _TO_BEFORE.search(words[: m.start()]))}
    named = [o for o, city in cities.items() if city in said]
    return named if len(named) < len(destinations) else []


#: An order said by when it was placed: "my most recent order", "the latest one", "my oldest order".
_BY_AGE = re.compile(
    rf"\b(?:{WORDS.alternation('thing_determiner')})\s+(?:(?P<newest>{WORDS.alternation('newest')})"
    rf"|(?P<oldest>{WORDS.alternation('oldest')}))\s+(?:{WORDS.alternation('order_or_one')})\b"
)


def placed_when(text: str, recent: Sequence[str]) -> list[str]:
    """The order the text says by when it was placed, of the customer's orders newest first (``recent``): "my most
    recent order" the first, "my oldest order" the last; none when it says neither, or both."""
    said = {("newest" if m["newest"] else "oldest") for m in _BY_AGE.finditer(fold(text))}
    if len(said) != 1 or not recent:
        return []
    return [recent[0] if said == {"newest"} else recent[-1]]
