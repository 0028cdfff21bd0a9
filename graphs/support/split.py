"""A request about several of the customer's orders, split into one part per order (issue #25).

More in docs/support-parse.md (split.py)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from itertools import combinations, pairwise
from typing import Any

from ai_missions.graphs.support.facts import ITEM_INTENTS, ORDER_INTENTS, derive_facts, fits, payment_amount
from ai_missions.graphs.support.parse import methods as paying
from ai_missions.graphs.support.parse.request import SupportRequest
from ai_missions.graphs.support.parse.resolve import (
    items_of_request,
    lines_named,
    lines_named_apart,
    order_items,
    references,
    said_not_meant,
    same_reference,
    sent_to,
    source_references,
)
from ai_missions.graphs.support.parse.targets import items_asked_to_change
from ai_missions.graphs.support.parse.understanding import (
    LIST_ITEM,
    fold,
    only_kept,
    read_message,
    wants_or_changes,
    without_kept,
)
from ai_missions.graphs.support.replies import compose_plan_reply
from ai_missions.graphs.support.vocabulary import INTENTS, TYPES_FACT
from ai_missions.graphs.support.words import WHITE_SPACE, WORDS
from ai_missions.mission_api import LABEL, PARTS

#: How many orders a request names: "two of my orders", "both orders", "three orders".
_HOW_MANY = re.compile(
    rf"\b({WORDS.alternation('order_count_before')})\b(?:\s+[\w']+){{0,3}}?\s+(?:{WORDS.alternation('counted_orders')})\b"
    rf"|\b({WORDS.alternation('order_count_alone')})(?:\s+(?:{WORDS.alternation('of_them', space=WHITE_SPACE)}))?"
    rf"(?=\s*(?:[?.!,;]|$|{WORDS.alternation('courtesy_closing')}))"
)
#: The clauses of a sentence: a comma, semicolon, colon or bracket, a dash between spaces, or a word ("and").
_CLAUSE = re.compile(rf"[,;:()]|\s[-\u2013]\s|\b(?:{WORDS.alternation('clause_join')})\b")
#: Said of every request at once: "for both the difference and the refund", "all of it", "the refunds".
_OF_EVERY = WORDS.pattern("of_every")
_NUMBERS = {said: int(number) for said, number in WORDS.table("order_count").items()}
#: Every order the request fits: "every order you still can", "all my orders", "all of them".
_EVERY_ORDER = re.compile(
    rf"\b(?:{WORDS.alternation('order_count_every')})\b"
    # "everything still pending", "all the pending ones": every one, said of orders or of a status only orders have
    rf"|\b(?:{WORDS.alternation('every_of_kind')})\b(?:\s+[\w']+){{0,3}}?\s+"
    rf"(?:{WORDS.alternation('order_word', 'condition_open')})s?\b"
)


@dataclass(frozen=True, slots=True)
class Part:
    """One order of the request: the requests made of it and the sentences about it."""

    order_id: str
    intents: tuple[str, ...]
    text: str


@dataclass(slots=True)
class _Sentence:
    text: str
    intents: tuple[str, ...]
    orders: tuple[str, ...]  # the orders it concerns
    quoted: bool  # it concerns them by quoting them (not by naming their items)


def _order_intents(sentence: str) -> tuple[str, ...]:
    """What the sentence asks of orders, less what it says is not meant ("not the ones in my other order")."""
    return tuple(i for i in read_message(without_kept(sentence)).intents if i in ORDER_INTENTS)


def _concerned(
    sentence: str, pool: Sequence[str], records: Mapping[str, Mapping[str, Any]]
) -> tuple[tuple[str, ...], bool]:
    """The orders a sentence concerns (quoted, else by their items) and whether it quotes them."""
    written = [r.text for r in references(sentence)]
    quoted = tuple(o for o in pool if any(same_reference(w, o) for w in written))
    # an order quoted only where the customer says it is not meant ("cancel #W1, but not #W2") is not concerned
    quoted = tuple(o for o in quoted if o not in said_not_meant(sentence, quoted))
    # an order quoted as where the address comes from ("the same address as my order #W2") is not asked about
    sources = {o for o in quoted if any(same_reference(w, o) for w in source_references(sentence))}
    if quoted and len(sources) < len(quoted):
        return tuple(o for o in quoted if o not in sources), True
    if quoted and not (sources and _order_intents(sentence)):
        return quoted, True
    # a request quoting only where its address comes from ("- change the address to ..., same as on #W2") is not
    # about that order: what it is about is read as for a sentence quoting none
    meant = without_kept(sentence)  # "(not the espresso machine order)" concerns no order
    return tuple(_named_in(meant, pool, records)), False


#: Said just before a reference that closes what is said of its order: "the notebook and the laptop from (my order) W1".
_CLOSES = re.compile(
    rf"\b(?:{WORDS.alternation('order_sent_preposition')})\s+(?:(?:{WORDS.alternation('definite_determiner')})\s+)?"
    rf"(?:(?:{WORDS.alternation('order_word')})\s+)?#?\s*$"
)
_NEXT_REFERENCE = re.compile(r"(?<![\w#])#?[a-z]{0,3}-?\d{5,12}\b")


def _per_order(
    sentence: str, pool: Sequence[str], records: Mapping[str, Mapping[str, Any]]
) -> list[tuple[str, tuple[str, ...]]]:
    """A sentence with its requests, or, when it makes one request of several quoted orders each closing or opening
    its own items ("return the notebook and the laptop from W1, and the puzzle from W2"; "from W1, the notebook; from
    W2, the puzzle"), what it says of each order with the request said once (a piece making requests of its own keeps
    them)."""
    intents = _order_intents(sentence)
    whole = [(sentence, intents)]
    if len(intents) > 1 and (apart := _by_request(sentence, pool, records)):
        return apart
    if not intents or len(_concerned(sentence, pool, records)[0]) < 2:
        return whole
    folded = fold(sentence)
    quoted = [(m, word) for m in _NEXT_REFERENCE.finditer(folded) if (word := _CLOSES.search(folded[: m.start()]))]
    for opening, cuts in enumerate(([m.end() for m, _ in quoted], [word.start() for _, word in quoted])):
        pieces = [p for a, b in pairwise([0, *cuts, len(folded)]) if (p := folded[a:b]).strip(" ,.;:-")]
        concerned = [_concerned(p, pool, records)[0] for p in pieces]
        named = [set(_named_in(p, pool, records)) for p in pieces]
        # each piece of one order at most, naming items of it if any (some, after the order it opens with)
        if sum(len(c) == 1 for c in concerned) >= 2 and all(
            len(c) <= 1 and (n & set(c) or not (n or (opening and c))) for c, n in zip(concerned, named, strict=True)
        ):
            break
    else:
        return whole
    # a piece that only goes on ("and the puzzle from W2") is said with the request's own words before it
    said = read_message(sentence).matched
    ends = [folded.find(said[i]) + len(said[i]) for i in intents if said.get(i) and folded.find(said[i]) >= 0]
    head = folded[: min(ends)] if ends else ""
    own = [_order_intents(p) for p in pieces]
    return [(p, mine) if mine else (f"{head} {p.strip(' ,;-')}", intents) for p, mine in zip(pieces, own, strict=True)]


def _by_request(
    sentence: str, pool: Sequence[str], records: Mapping[str, Mapping[str, Any]]
) -> list[tuple[str, tuple[str, ...]]]:
    """A sentence making its requests each of its own order, clause after clause ("cancel the Akron order, and on the
    Chicago one change the kettle to the blue one"): each request with the clauses up to the next one's; none when
    a clause makes no request of its own or two requests concern one order."""
    folded = fold(sentence)
    bounds = [0, *(m.start() for m in _CLAUSE.finditer(folded)), len(folded)]
    groups: list[tuple[str, tuple[str, ...]]] = []
    for a, b in pairwise(bounds):
        clause = _CLAUSE.sub(" ", folded[a:b], count=1) if a else folded[a:b]
        own = _order_intents(clause)
        if own and groups and groups[-1][1]:
            groups.append((clause, own))
        elif groups:
            groups[-1] = (f"{groups[-1][0]} {clause}", groups[-1][1] or own)
        else:
            groups.append((clause, own))
    concerned = [set(_concerned(text, pool, records)[0]) for text, _ in groups]
    if len(groups) < 2 or not all(concerned) or any(x & y for x, y in combinations(concerned, 2)):
        return []
    return [(" ".join(text.split()), own) for text, own in groups]


def split_request(
    request: SupportRequest, records: Mapping[str, Mapping[str, Any]], recent: Sequence[str]
) -> list[Part] | None:
    """The request's parts, one per order (at least two), or None when it cannot be split without guessing.
    ``records``: the customer's orders read (``order``, payment, shipments, variants); ``recent``: newest first."""
    reading, sources = request.reading, request.parts.sources
    if reading.problem or reading.loose_refs or reading.condition or request.parts.corrected:
        return None
    wanted = [i for i in reading.intents if i in ORDER_INTENTS]
    named = [o for o in reading.order_refs if o not in request.parts.spared]  # "all of them but not #W2"
    # an order quoted only as where an address comes from ("same address as my order #W3") need not be a part; it
    # stays among the orders a sentence may name by its items ("... and exchange the charger I got in it")
    quoted = [o for o in named if o not in sources]
    if not wanted or any(o not in records for o in named):
        return None
    # one order quoted: the others are still told by what they hold ("cancel the order with just the makeup kit.
    # For #W2 with the dumbbells: ..."); two or more quoted: those
    pool = named if len(named) > 1 else [*named, *(o for o in recent if o in records and o not in named)]
    # an order named only where the customer says it is not meant ("... except the kettle one", "leave the lamp order
    # alone") is none of "every order"'s
    meant = {o for s in request.parts.sentences for o in _named_in(without_kept(s), pool, records)}
    spared = {o for s in request.parts.sentences for o in _named_in(only_kept(s), pool, records)} - meant
    spared |= request.parts.spared  # quoted there: "all of them except order #W2"
    said: list[_Sentence] = []
    for_every: list[str] = []  # "use my gift card for both the difference and the refund": said of every part
    pieces = [piece for sentence in request.parts.sentences for piece in _per_order(sentence, pool, records)]
    heading: tuple[str, ...] = ()  # what a line ending in a colon asks, of each item of the list under it
    for text, intents in pieces:
        orders, by_quote = _concerned(text, pool, records)
        if intents and not by_quote and len(orders) > 1 and (holding := _covering(_items_held(text, orders, records))):
            orders = tuple(o for o in orders if o in holding)  # "the order with the shoes, puzzle and bottle": one
        if not orders and intents and text.rstrip().endswith(":"):
            heading = intents  # "I want to cancel three pending orders:" and a list of them
        elif heading and not intents and orders and LIST_ITEM.match(text):
            intents = heading  # "- smart watch + camera: that was a mistake": cancelled as the heading asks
        elif not LIST_ITEM.match(text):
            heading = ()
        if (
            not intents
            and len(orders) == 1
            and orders[0] not in named
            and wants_or_changes(text)
            and items_asked_to_change(text, records[orders[0]])
        ):
            # a want of an item of one order not quoted, in values another variant has, in words no request phrase
            # holds ("the makeup kit I got is the light tone, I need dark"): its change, never dropped in silence
            intents = ("exchange_variant",)
        if not orders and not intents and _OF_EVERY.search(fold(text)) and paying.mentions(text):
            for_every.append(text)
            continue
        if not orders and not intents and said and said[-1].orders:
            orders, by_quote = said[-1].orders, said[-1].quoted  # "I ordered it by mistake" after "cancel #W1"
        said.append(_Sentence(text, intents, orders, by_quote))
    if len(named) == 1 and any(s.intents and not s.quoted and named[0] in s.orders for s in said):
        return None  # one quoted, and told by what it holds too: the quote names what the other words describe
    # an order the customer quotes in a request is spoken of by what those sentences say, not by the general ones
    quoting = {o for sentence in said if sentence.quoted and sentence.intents for o in sentence.orders}
    assigned: dict[str, set[str]] = {o: set() for o in pool}
    texts: dict[str, list[str]] = {o: [] for o in pool}
    loose: list[tuple[_Sentence, str]] = []
    for sentence in said:
        # an order quoted elsewhere is spoken of by its own sentences, and by one naming items of it alone, asking no
        # request read, that sends their price difference somewhere or changes them ('charge the difference for the
        # laptop to my Visa', 'And change the camera to the 30MP version', 'also the camera from 1080p to 5K')
        difference = any(m.wanted and m.scope == paying.DIFFERENCE for m in paying.mentions(sentence.text))
        said_of_its_items = difference or wants_or_changes(sentence.text)
        of_its_items = len(sentence.orders) == 1 and not sentence.intents and said_of_its_items
        mine = [o for o in sentence.orders if sentence.quoted or of_its_items or o not in quoting]
        held = _items_held(sentence.text, mine, records) if sentence.intents and len(mine) > 1 else {}
        if any(held.values()):
            covering = _covering(held, whole=not set(sentence.intents) & set(ITEM_INTENTS))
            if covering is None:
                return None
            mine = [o for o in mine if o in covering]
        for order in mine:
            texts[order].append(sentence.text)
        for intent in sentence.intents:
            fitting = [o for o in mine if fits(intent, records[o])]
            if sentence.quoted and len(mine) == 1:
                targets = mine
            elif len(mine) == 1 and intent == "exchange_variant":
                # an item change of the one order whose items it names: a modification before shipping, an
                # exchange once delivered ("the gaming mouse on my pending order: change it to the laser one")
                targets = mine
            elif len(fitting) > 1 and (back := _pointed_back(sentence.text, intent, fitting, records)) is not None:
                if not back:
                    return None  # it points back, but to no one order said before: which is the customer's to say
                targets = back
            elif fitting:
                targets = fitting
            elif sentence.quoted:
                targets = mine  # quoted by the customer: the policies answer what cannot be done
            else:
                loose.append((sentence, intent))  # of no order, or of items it does not fit: placed below
                continue
            for order in targets:
                assigned[order].add(intent)
    own = {o for o, intents in assigned.items() if intents}
    unclaimed: set[str] = set()
    for sentence, intent in loose:
        if sentence.orders and intent in _CLAIMS and "exchange_variant" in wanted:
            # a wrong or damaged item claimed of items not delivered ("the order shipping to New York has the boots
            # in size 12 - wrong size ... could you change them to a 7?"): nothing was received; the change is asked
            unclaimed.add(intent)
            continue
        count = _how_many(sentence.text, intent)
        covered = sum(intent in assigned[o] for o in pool)
        # naming no order, right after a sentence saying one and asking nothing ("The boots in my NY order are wrong.")
        prior = said[at - 1] if (at := said.index(sentence)) else None
        told = not sentence.orders and prior is not None and bool(prior.orders) and not prior.intents
        if covered >= (count or 1) and not told:
            # it names items of one order only: read with it, never dropped; asking what is asked of it ("and the camera
            # to the 5K one" after a change quoting its order), or more of the items of an order quoted elsewhere ("#W1:
            # update the address. On the same order, change the jacket to XS"; not "change it on one, cancel another")
            alone = sentence.orders[0] if len(sentence.orders) == 1 else None
            if alone and alone in quoting and intent in ITEM_INTENTS:
                assigned[alone].add(intent)
            if alone and set(sentence.intents) <= assigned[alone] and sentence.text not in texts[alone]:
                texts[alone].append(sentence.text)
            continue  # said in general, then of each order
        every = count is not None or _EVERY_ORDER.search(fold(sentence.text))  # "all of them", not "cancel it"
        pointing = _POINTS_BACK_TO_ITEM if intent in ITEM_INTENTS or not every else _POINTS_BACK
        if told or (not sentence.orders and pointing.search(fold(sentence.text))):
            # "... a skateboard and a kettle by mistake. Please cancel that order.", "... has the boots in size 12.
            # Could you change them to a 7?": the order said just before, never another one the request would fit
            before = next((s.orders for s in reversed(said[:at]) if s.orders), ())
            # (an item change fits an order not shipped too: it is modified, as a delivered one is exchanged)
            shipping = intent == "exchange_variant" and len(before) == 1 and fits("cancel_order", records[before[0]])
            if len(before) != 1 or not (fits(intent, records[before[0]]) or shipping):
                return None
            assigned[before[0]].add(intent)
            texts[before[0]].append(sentence.text)
            continue
        free = [o for o in pool if o not in own | sources | spared and fits(intent, records[o])]
        # a request of no order whose items are said in sentences asking nothing ("I need to return a few things.
        # The pet bed and the makeup kit, and the skateboard."): the orders holding them, one part each
        listing = " ".join(s.text for s in said if not s.intents and set(s.orders) & set(free))
        if listing and count is None and not sentence.orders and not covered:
            held = _items_held(listing, free, records)
            free = sorted(_covering(held) or (), key=free.index) if any(held.values()) else free
            count = len(free) or None
        if count is None and every and free and not covered:
            count = len(free)  # "cancel every order you still can": each one the request fits
        if covered or len(free) != (count or 1):
            return None  # which orders it means is the customer's to say
        for order in free:
            assigned[order].add(intent)
            texts[order].append(sentence.text)
    parts = [
        Part(o, tuple(i for i in INTENTS if i in assigned[o]), ". ".join(dict.fromkeys([*texts[o], *for_every])))
        for o in pool
        if assigned[o]
    ]
    placed = {i for p in parts for i in p.intents}
    if len(parts) < 2 or not set(wanted) - unclaimed <= placed or not set(quoted) <= {p.order_id for p in parts}:
        return None
    return parts


#: Words pointing back to the items just spoken of ("could you change them", "return it").
_POINTS_BACK_TO_ITEM = WORDS.pattern("points_back_to_one", "points_back_to_item")
#: Claims about what was received: of an order not delivered, none.
_CLAIMS = frozenset({"wrong_item", "damaged_item"})
#: Words pointing back to the one order just spoken of ("plus send that one to my new address").
_POINTS_BACK = WORDS.pattern("points_back_to_one")


def _pointed_back(
    sentence: str, intent: str, orders: Sequence[str], records: Mapping[str, Mapping[str, Any]]
) -> list[str] | None:
    """When the clause making a request of several orders points back to one ("that one") and names no item, the
    order whose items the nearest clause before it names (``[]`` when none names exactly one); None when the
    clause does not point back (the request is of every order it fits, as before)."""
    folded = fold(sentence)
    said = read_message(sentence).matched.get(intent, "").split(" ... ")[0]
    at = folded.find(said) if said else -1
    if at < 0:
        return None
    bounds = [0, *(m.end() for m in _CLAUSE.finditer(folded)), len(folded)]
    start = max(b for b in bounds if b <= at)
    end = min((b for b in bounds if b > at + len(said)), default=len(folded))
    clause = folded[start:end]
    if not _POINTS_BACK.search(clause) or _named_in(clause, orders, records):
        return None
    before = [folded[a:b] for a, b in pairwise(bounds) if b <= start]
    for piece in reversed(before):
        if named := _named_in(piece, orders, records):
            return named if len(named) == 1 else []
    return []


def _named_in(sentence: str, orders: Sequence[str], records: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """The orders whose items the sentence names, those of them it tells apart by the city they go to ("the lamp on
    the Chicago order"); naming none, the orders it calls by that city alone ("cancel the one going to Austin")."""
    named = [o for o in orders if lines_named(sentence, *order_items(records[o]))]
    by_city = sent_to(sentence, {o: records[o]["order"].get("ship_to") for o in orders})
    return [o for o in named if o in by_city] or named or by_city


def _items_held(sentence: str, orders: Sequence[str], records: Mapping[str, Mapping[str, Any]]) -> dict[str, set[str]]:
    """Each of the orders -> the items of it (folded names) the sentence names: items bought together tell the
    order apart where one of them alone sits in several."""
    named = lines_named_apart(sentence, {order: order_items(records[order]) for order in orders})
    return {
        order: {
            fold(str(x.get("description") or x["sku"]))
            for x in order_items(records[order])[0]
            if int(x["line_no"]) in named[order]
        }
        for order in orders
    }


def _covering(held: Mapping[str, set[str]], *, whole: bool = False) -> set[str] | None:
    """The orders a request naming items is of, from the items each holds (:func:`_items_held`): those holding an
    item no other holds, and an item several hold goes with the one of those it is said beside ("the bicycle and
    the puzzle that came with it"; "the pet bed, the makeup kit and the skateboard" of two orders each holding some).
    Of items only several hold, the one order holding them all. None when that leaves an item to more than one order
    or to none ("the lamp" of two orders that both hold one): which is the customer's to say. ``whole``: of whole
    orders (a cancellation), an item only orders told apart by others hold leaves nothing to say."""
    items = set().union(*held.values())
    holders = {item: {o for o, own in held.items() if item in own} for item in items}
    needed = {next(iter(h)) for h in holders.values() if len(h) == 1}
    if not needed:
        every = {o for o, own in held.items() if own == items}
        return every if len(every) == 1 else None
    return needed if all(len(h & needed) == 1 or (whole and h <= needed) for h in holders.values()) else None


def _how_many(sentence: str, intent: str) -> int | None:
    """How many orders the request ``intent`` of the sentence names: the number in the clause that makes it, else
    one in a clause that asks for nothing ("Two orders were mistakes, cancel both"); a number in the clause of
    another request is that request's ("cancel an order ..., and exchange things from two other orders")."""
    own: list[int] = []
    bare: list[int] = []
    for clause in _CLAUSE.split(sentence):
        match = _HOW_MANY.search(fold(clause))
        if match is None:
            continue
        asked = _order_intents(clause)
        number = _NUMBERS[match.group(1) or match.group(2)]
        if intent in asked:
            own.append(number)
        elif not asked:
            bare.append(number)
    return next(iter(own or bare), None)


def case_facts(gathered: Mapping[str, Any], request: SupportRequest) -> dict[str, Any]:
    """The ticket's facts: one order's (``derive_facts``), or, when that reading cannot tell which order and the
    request splits into parts (:func:`split_request`), the shared facts with every part's under ``parts``."""
    facts = derive_facts(gathered, request)
    customer = facts.get("customer.id")
    orders: Mapping[str, Any] = gathered.get("orders") or {}
    records = {o: r for o, r in orders.items() if r and r["order"].get("customer_id") == customer}
    # an answer to a question, or a correction of a plan read back ("No, ... I want to return the bottle from #W1"):
    # said again whole, it stands for the thread before it
    answering = bool(facts.get("reply.asking")) or request.corrects_plan
    if answering and (answered := _answered(gathered, request, records)) is not None:
        return answered
    recent = list(gathered.get("recent_orders") or [])
    found = _latest_split(request, records, recent) if request.corrects_plan else None
    if found is None:
        which = facts.get(TYPES_FACT) == ["which_order"]
        # or one order quoted, and another told by what it holds: a part each, when every request is placed so; or
        # none quoted, each told by what it holds ("in my pending order with the mice, ... And from my order with
        # the running shoes, ...")
        told = len(request.reading.order_refs) == 1 or (not request.reading.order_refs and len(records) > 1)
        if (gathered.get("helpdesk.get_ticket") or {}).get("order_id") or not (which or told):
            return facts
        split = split_request(request, records, recent)
        if not split and not which:
            return facts
        found = (split, request) if split else _latest_split(request, records, recent)
    if found is None:
        return facts
    split, request = found
    parts = [_part_facts(gathered, request, records, part) for part in split]
    if any(p.get("reply.asking") for p in parts) and (alone := _latest_split(request, records, recent)):
        # the thread's plan still asks, and the answer says it all again: read alone, it may ask nothing more
        again = [_part_facts(gathered, alone[1], records, part) for part in alone[0]]
        if not any(p.get("reply.asking") for p in again):
            (split, request), parts = alone, again
    _refilled_gift_cards(parts)
    shared = dict(facts)
    shared[TYPES_FACT] = list(dict.fromkeys(t for p in parts for t in p[TYPES_FACT]))
    shared["order.candidates"] = [p.order_id for p in split]
    shared["order.candidate_count"] = len(split)
    shared["reply.text"] = compose_plan_reply(facts, parts)
    shared["reply.status"] = "pending" if any(p["reply.status"] == "pending" for p in parts) else "solved"
    shared["reply.orders"] = [p.order_id for p in split]  # what the one reply speaks of: each part's own order
    shared["note.text"] = "Support mission read the ticket as a request about several orders: " + "; ".join(
        f"{p['order.id']}: {', '.join(p[TYPES_FACT])}" for p in parts
    )
    # the plan's one reply, when it can be written; else each part keeps its own (a part going to a person goes
    # for its own reason, and a part that escalates escalates the case: nothing is done)
    written = ("reply.text", "reply.status") if shared["reply.text"] is not None else ()
    shared_keys = (*written, "note.text", "reply.orders")
    for part in parts:
        part.update({k: shared[k] for k in shared_keys})
    shared[PARTS] = parts
    return shared


def _refilled(card: Any, parts: Sequence[dict[str, Any]], part: Mapping[str, Any], balance: str, needed: str) -> bool:
    """Whether what the request's cancellations of other orders paid with ``card`` give back to it brings the
    card's ``balance`` up to what ``part`` needs of it (``balance``, ``needed``: facts of ``part``)."""
    back = sum(
        payment_amount(other)
        for other in parts
        if other is not part
        and "cancel_order" in other[TYPES_FACT]
        and other.get("order.cancellable") is True
        and other.get("payment.method_id") == card
    )
    return bool(card) and back > 0 and float(part.get(balance) or 0.0) + back + 0.005 >= float(part.get(needed) or 0.0)


def _refilled_gift_cards(parts: Sequence[dict[str, Any]]) -> None:
    """A gift card named to pay one order, or an item change's difference, that it falls short of, while the same
    request cancels orders it paid for: it covers the payment only once their refunds reach it, which nothing in one
    plan can wait for; marked (``paymethod.after_refunds``, ``modify.payment_unresolved``) for a person (SUP-013,
    SUP-007), never refused as too small."""
    for part in parts:
        card = part.get("modify.method_id") or part.get("payment.method_id")
        if part.get("modify.method_short") and _refilled(
            card, parts, part, "modify.method_balance", "modify.difference"
        ):
            part["modify.method_short"] = False
            part["modify.payment_unresolved"] = True
        short = part.get("paymethod.kind") == "gift_card" and part.get("paymethod.covers") is False
        card, asked = part.get("paymethod.method_id"), "change_payment" in part[TYPES_FACT]
        if asked and short and _refilled(card, parts, part, "paymethod.balance", "paymethod.amount"):
            part["paymethod.after_refunds"] = True


def _latest_split(
    request: SupportRequest, records: Mapping[str, Mapping[str, Any]], recent: Sequence[str]
) -> tuple[list[Part], SupportRequest] | None:
    """The customer's latest message alone, split order by order, and the request it is, when it places every
    request of the thread: an answer that says again all they want, order by order, stands for the thread before it
    (one leaving a request out does not, unless it corrects the plan read back: :func:`_replaces`)."""
    latest = request.latest_alone()
    split = split_request(latest, records, recent) if latest is not None else None
    placed = {i for part in split or () for i in part.intents}
    if latest is None or not split or not _replaces(request, placed):
        return None
    return split, latest


def _replaces(request: SupportRequest, said: Iterable[str]) -> bool:
    """Whether the customer's latest message, asking ``said``, stands for the thread before it: it says again every
    request of the thread (a damage claimed need not be, beside the exchange or return remedying it), or it corrects
    the plan read back ("No, that is not what I want. ...") without going on with it: what it leaves out is dropped."""
    remedied = _CLAIMS if {"exchange_variant", "return_refund"} & set(said) else set()
    said_again = (set(request.reading.intents) & set(ORDER_INTENTS)) - remedied <= set(said)
    return said_again or (request.corrects_plan and not request.latest_adds())


def _answered(
    gathered: Mapping[str, Any], request: SupportRequest, records: Mapping[str, Mapping[str, Any]]
) -> dict[str, Any] | None:
    """The facts of the customer's latest message alone, when it quotes one of their orders and says again every
    request of the thread ("On order #W2 I'd like to change the camera for the 20MP one ...") and, read so, asks
    nothing more; None otherwise (what the thread asked stands, and is asked again). A correction of the plan read
    back ("No, that is not what I want. ...") need not say again what it drops: what it says replaces the plan,
    unless it goes on with it ("No, the speaker in red too")."""
    latest = request.latest_alone()
    if latest is None or len(latest.reading.order_refs) != 1 or latest.reading.order_refs[0] not in records:
        return None
    intents = tuple(i for i in latest.reading.intents if i in ORDER_INTENTS)
    if not intents or not _replaces(request, intents):
        return None
    facts = _part_facts(gathered, request, records, Part(latest.reading.order_refs[0], intents, latest.text))
    facts.pop(LABEL, None)
    return None if facts.get("reply.asking") else facts


def _part_facts(
    gathered: Mapping[str, Any], request: SupportRequest, records: Mapping[str, Mapping[str, Any]], part: Part
) -> dict[str, Any]:
    """One order's facts, read from the sentences about it, as if the ticket were about it alone."""
    record = records[part.order_id]
    own = read_message(part.text)
    scoped = replace(
        own,
        intents=part.intents,
        order_refs=(part.order_id,),
        loose_refs=(),
        language=request.reading.language,
        angry=request.reading.angry,
    )
    mine = request.of_part(part.text, scoped)
    # the items asked about, less those that only tell the order apart ("my pending order with the umbrella: ...")
    items = order_items(record)
    of_items = bool(set(part.intents) & set(ITEM_INTENTS))
    asked = items_of_request(mine.parts.sentences, mine.parts.asking, *items, of_items=of_items)
    described = set(lines_named(mine.parts.items, *items))
    named = [n for n in asked if n in described] or asked
    alone = {
        **gathered,
        "orders": {part.order_id: record},
        "items_named": {part.order_id: named} if named else {},
        # the customer's other orders' items: what the part's sentences say of them is not said of this order's
        "other_lines": [x for o, r in records.items() if o != part.order_id for x in r["order"].get("lines") or []],
    }
    facts = derive_facts(alone, mine)
    facts[LABEL] = f"order {part.order_id}"
    return facts
