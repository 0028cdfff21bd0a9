"""Reading a postal address out of a customer's message, and what the message says about which address it means.

More in docs/support-parse.md (address_reading.py)."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from ai_missions.graphs.support.words import WHITE_SPACE, WORDS

#: State and territory codes with their names (what a customer may write instead of the code).
STATES = WORDS.table("us_states")
_BY_NAME = {name: code for code, name in STATES.items()}

_SUFFIX = WORDS.alternation("street_suffix", "street_suffix_more")
#: Words that are never part of a street's name ("2 items on my way" is no street).
_NOT_NAME = f"(?:{WORDS.alternation('not_street_name')})"
_STREET = re.compile(
    rf"(?<![\w#$.,])(?P<number>\d{{1,6}}[a-z]?)\s+(?P<name>(?:(?!{_NOT_NAME}\b)[a-z0-9][a-z0-9'.-]*\s+){{1,4}}?)"
    rf"(?P<suffix>{_SUFFIX})\b\.?",
    re.IGNORECASE,
)
#: A street line with no street word ("580 Broadway", "12 Rue Royale"): a number and up to three name words before a
#: comma. It is a street only where the whole address follows it (a unit, then city, state and ZIP): the shape of
#: the address says it, not a list of every street name.
_BARE_STREET = re.compile(
    rf"(?<![\w#$.,])(?P<number>\d{{1,6}}[a-z]?)\s+(?P<name>(?!{_NOT_NAME}\b)[a-z][a-z'.-]*"
    rf"(?:\s+(?!{_NOT_NAME}\b)[a-z][a-z'.-]*){{0,2}})(?=\s*,)",
    re.IGNORECASE,
)
_UNIT = re.compile(
    rf"[\s,]*(?P<unit>(?:{WORDS.alternation('unit_word')}|#)\.?\s*#?\s*[a-z0-9][a-z0-9-]*)", re.IGNORECASE
)
_STATE = "|".join(sorted([*STATES, *(n.replace(" ", r"\s+") for n in _BY_NAME)], key=len, reverse=True))
#: The country after an address: its name, or its abbreviation with or without a dot after each letter ("u.s.a.").
_COUNTRY = "|".join(
    [
        *(
            r"\.?".join(map(re.escape, short)) + r"\.?"
            for short in sorted(WORDS.phrases("country_abbreviation"), key=len, reverse=True)
        ),
        WORDS.alternation("country_name", space=WHITE_SPACE),
    ]
)
_PLACE = re.compile(
    rf"[\s,]+(?P<city>[a-z][a-z'.-]*(?:\s+[a-z][a-z'.-]*){{0,3}}?)\s*[,\s]\s*(?P<state>{_STATE})\.?"
    rf"\s*,?\s*(?P<zip>\d{{5}}(?:-\d{{4}})?)(?![\d-])(?:\s*,?\s*(?P<country>{_COUNTRY})(?![a-z]))?",
    re.IGNORECASE,
)
_ZIP = re.compile(r"(?<![\d#$-])\d{5}(?:-\d{4})?(?![\d-])")
_STATE_WORD = re.compile(rf"(?<![a-z])(?:{_STATE})(?![a-z])", re.IGNORECASE)
#: Where a clause ends: what precedes an address in its clause decides whether it is the one wanted.
_CLAUSE_END = re.compile(rf"[.!?;\n]\s|[.!?;]$|\b(?:{WORDS.alternation('clause_turn')})\b", re.IGNORECASE)
#: Said before an address that is not the one wanted: a negation ("don't send it to", "not to", "instead of").
_NEGATED = WORDS.pattern("address_not_wanted", flags=re.IGNORECASE)
#: Said of the address an order goes to now, or an old one ("it's going to", "my old address is", "from").
_OLD = WORDS.pattern("old_address", flags=re.IGNORECASE)
#: A condition before the address in its clause ("if I'm not home, ship it to ..."): not acted on as asked.
_CONDITION = WORDS.pattern("address_condition", flags=re.IGNORECASE)

#: Streets written the way other countries write them, which this reader does not read into fields.
_OTHER_STREET = re.compile(
    rf"\b(?:{WORDS.alternation('street_before_name')})\s+[a-z]"
    rf"|\b[a-z]+(?:{WORDS.alternation('street_name_ending')})\.?\s+\d{{1,4}}[a-z]?\b",
    re.IGNORECASE,
)

#: An address on file meant instead of a written one: the account's, or another of the customer's orders'.
_ADDRESS = WORDS.alternation("address_noun")
_MY = WORDS.alternation("definite_determiner")
_ORDER = WORDS.alternation("order_word")
#: "address on my account", "address in the profile".
_ON_FILE = (
    rf"\b(?:{_ADDRESS})\s+(?:{WORDS.alternation('on_file_preposition')})\s+(?:(?:{_MY})\s+)?"
    rf"(?:{WORDS.alternation('on_file_place')})\b"
)
_ACCOUNT_REF = re.compile(
    rf"\b(?:{_MY})\s+(?:{WORDS.alternation('own_address_kind')})\s+(?:{_ADDRESS})"
    rf"|{_ON_FILE}"
    rf"|\b(?:{_MY})\s+(?:{_ADDRESS})\s+(?:{WORDS.alternation('on_file', space=WHITE_SPACE)})\b",
    re.IGNORECASE,
)
_SAME_AS = WORDS.alternation("source_order_before", space=WHITE_SPACE)
_OTHER_ORDER = WORDS.alternation("other_order", "newest")
_OTHER_REF = re.compile(
    rf"\b(?:{_SAME_AS})\s+(?:(?:{_MY})\s+)?(?:{_OTHER_ORDER})\b"
    rf"|\b(?:{_SAME_AS})\s+(?:(?:{_ORDER})\s+)?#?\s*[a-z]{{0,3}}-?\d{{4,}}"
    rf"|\b(?:{_MY})\s+(?:{WORDS.alternation('other_address', space=WHITE_SPACE)})\b"
    rf"|\b(?:{_ADDRESS})\s+(?:{WORDS.alternation('first_person')})\s+(?:{WORDS.alternation('address_used')})\s+"
    rf"(?:{WORDS.alternation('used_before')})"
    rf"|\b(?:{_ADDRESS})\s+(?:{WORDS.alternation('source_of', space=WHITE_SPACE)})\s+(?:{_MY})\s+"
    rf"(?:{_OTHER_ORDER})\b"
    rf"|\b(?:{WORDS.alternation('went_where', space=WHITE_SPACE)})\s+(?:{_OTHER_ORDER})\s+"
    rf"(?:{WORDS.alternation('went_what')})\s+(?:{WORDS.alternation('source_order_goes')})\b"
    rf"|\b(?:{_MY})\s+(?:{_OTHER_ORDER})\s+(?:{_ORDER})'?s?\s+(?:{_ADDRESS})\b",
    re.IGNORECASE,
)
#: An order named only as where the address is ("the same as my last order", "my other order's address").
_FROM_ORDER = re.compile(
    rf"(?:{_OTHER_REF.pattern})(?:\s+(?:{WORDS.alternation('from_order_noun')})\b'?s?)?", re.IGNORECASE
)
#: The customer's newest order meant ("same as my last order", "my latest order's address").
_NEWEST = WORDS.pattern("newest", flags=re.IGNORECASE)
#: An address on file called by where it is ("my Denver address", "the Pike Street place", "the address in Reno"):
#: the words are only candidates, matched against the addresses the systems hold (:func:`places_named`).
_PLACE_NOUN = WORDS.alternation("place_noun")
_PLACE_DETERMINER = WORDS.alternation("order_determiner")
_NAMED_BEFORE = re.compile(
    rf"\b(?:{_PLACE_DETERMINER})\s+(?P<words>(?:[a-z][\w'.-]*\s+){{1,3}}?)(?:{_PLACE_NOUN})\b", re.IGNORECASE
)
_NAMED_AFTER = re.compile(
    rf"\b(?:{_PLACE_NOUN})\s+(?:{WORDS.alternation('place_preposition')})\s+"
    rf"(?:(?:{WORDS.alternation('article')})\s+)?(?P<words>[a-z0-9][\w'.-]*(?:\s+[a-z][\w'.-]*){{0,2}})",
    re.IGNORECASE,
)
#: Words beside a place noun that never name where it is ("my new place", "the default address").
_NO_PLACE_NAME = frozenset(WORDS.phrases("own_address_kind", "no_place_name"))
#: The customer asks for the account's own address to change (not only an order's ship-to).
_ACCOUNT_VERB = WORDS.alternation("changed_verb", "account_make_verb")
_ACCOUNT_ADDRESS = rf"\b(?:{WORDS.alternation('account_address_kind')})\s+(?:{_ADDRESS})"
_FOR_ACCOUNT = re.compile(
    rf"\b(?:{_ACCOUNT_VERB})\b[^.!?;\n]{{0,30}}{_ACCOUNT_ADDRESS}"
    rf"|\b(?:{_ACCOUNT_VERB})\b[^.!?;\n]{{0,25}}{_ON_FILE}"
    rf"|\b(?:{WORDS.alternation('account_make_verb')})\s+(?:{WORDS.alternation('made_address')})\s+(?:{_MY})\s+"
    rf"(?:{WORDS.alternation('account_address_kind')})\b"
    rf"|{_ACCOUNT_ADDRESS}\s+(?:{WORDS.alternation('address_to_become', space=WHITE_SPACE)})\b"
    rf"|\b(?:{WORDS.alternation('future_orders', space=WHITE_SPACE)})\b",
    re.IGNORECASE,
)
#: The message is about an order's delivery too, not only the account ("ship", "my order", "package").
_FOR_ORDER = re.compile(
    rf"\b(?:{WORDS.alternation('delivery_words')})\b|#\s*[a-z]{{0,3}}-?\d{{4,}}",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class WrittenAddress:
    """An address as the customer wrote it; ``missing`` names the parts not written (empty: whole)."""

    line1: str = ""
    line2: str | None = None
    city: str = ""
    region: str = ""
    postal_code: str = ""
    country: str = "US"
    evidence: str = ""
    missing: tuple[str, ...] = ()

    @property
    def whole(self) -> bool:
        return not self.missing

    def completed_by(self, address: Mapping[str, Any]) -> bool:
        """Whether ``address`` holds every part written, a street at least ("178 Lakeview Drive, Suite 576" of the
        one on file in Fort Worth, or of the same street written again with its city and ZIP)."""
        given = {k: v for k, v in self.as_address(None).items() if k in _COMPARED and v}
        return bool(self.line1) and same_place({**address, **given}, address)

    def as_address(self, name: str | None) -> dict[str, Any]:
        """The shape of the systems' address (``Address``), with the name the order or account carries; the
        country as the systems write it ("US" for "USA", "United States")."""
        country = "US" if _country_key(self.country) == "us" else self.country
        return {"name": name or "", "line1": self.line1, "line2": self.line2, "city": self.city,
                "region": self.region, "postal_code": self.postal_code, "country": country}  # fmt: skip


@dataclass(frozen=True, slots=True)
class AddressReading:
    """What a message says about the address it wants.

    ``written``: the addresses it writes out as wanted (whole or not), in order; ``dropped``: spans written but not
    wanted, with why (negated, conditional, the old one); ``refers_to``: ``account`` or ``other_order`` when it
    points at an address on file instead; ``for_account``: the account's own address is to change;
    ``for_order``: the message is about an order's delivery too."""

    written: tuple[WrittenAddress, ...] = ()
    dropped: tuple[tuple[str, str], ...] = ()
    refers_to: str | None = None
    #: With ``refers_to`` ``other_order``: the newest of their other orders is meant ("same as my last order").
    newest: bool = False
    #: Words naming an address on file by where it is ("denver", "pike street"), resolved against the systems.
    places: tuple[tuple[str, ...], ...] = ()
    for_account: bool = False
    for_order: bool = False
    evidence: tuple[str, ...] = field(default_factory=tuple)
    #: A street written in a form this reader does not read ("calle Mayor 12", "8 rue de la Paix",
    #: "Hauptstrasse 5"): an address is given, but not one the mission can read; a person takes it.
    unread: bool = False


def _clean(text: str) -> str:
    return " ".join(text.replace("\n", " ").split()).strip(" ,.")


def _title(text: str) -> str:
    """Words as a person writes them on a label, whatever case the customer typed ("new york" -> "New York")."""
    return " ".join(w if any(c.isupper() for c in w) else w.capitalize() for w in _clean(text).split())


def _state_code(text: str) -> str:
    folded = " ".join(text.lower().replace(".", "").split())
    return folded.upper() if folded.upper() in STATES else _BY_NAME.get(folded, "")


def _before(text: str, start: int) -> str:
    """The clause an address is written in, up to the address."""
    head = text[:start]
    ends = list(_CLAUSE_END.finditer(head))
    return head[ends[-1].end() :] if ends else head


#: A verb of sending, then what is sent (a few words) and "to" ending the clause ("please ship it to", "change the
#: shipping address to"): the address after it is wanted.
_SEND_TO = rf"\b(?:{WORDS.alternation('sent_to_verb')})\w*\s+(?:[\w'#-]+\s+){{0,3}}?(?:{WORDS.alternation('send_to')})"
_SENT_TO = re.compile(rf"{_SEND_TO}\s*$", re.IGNORECASE)
#: The same request said anywhere in the clause: after the address it goes to now, it introduces the one wanted.
_SEND = re.compile(rf"{_SEND_TO}\b", re.IGNORECASE)
#: "to" before an address: where the order is to go ("ship it to Springfield IL 62704", "change it to my Reno place").
_TO = WORDS.pattern("send_to", flags=re.IGNORECASE)
_TO_AT_END = re.compile(rf"\b(?:{WORDS.alternation('send_to')})\s*$", re.IGNORECASE)
#: What may follow a written address and is no city: the country, a courtesy ("thanks").
_COUNTRY_OR_COURTESY = re.compile(rf"\b(?:{_COUNTRY})\b|\b(?:{WORDS.alternation('courtesy_closing')})\b", re.IGNORECASE)


#: The place an order is to go said first, in a few words, before the mark opening its address ("to Reno instead:").
_PLACE_FIRST = (
    rf"(?:(?:\s+[a-z']+){{1,4}}?(?:\s+(?:{WORDS.alternation('place_said_first_ends')}))?(?:\s*[,:(]|\s+[-\u2013]))?"
)
#: Where the customer wants it: "I need it at", "I'd like them at my Reno place:".
_WANTED_AT = (
    rf"\b(?:{WORDS.alternation('want_it', space=WHITE_SPACE)})\s+(?:{WORDS.alternation('want_it_at')}){_PLACE_FIRST}"
)

#: Another order's address asked for this one: a verb of sending, then the address another order (told by its
#: items) goes to, right before it is written ("ship it to the Reno address my lamp order is going to (12 Elm St").
_ANOTHER_ORDERS = re.compile(
    rf"\b(?:{WORDS.alternation('send_to_verb')})\w*\b[^.!?;]{{0,80}}?\b(?:{WORDS.alternation('source_order_address')})"
    rf"\s+(?:(?:{WORDS.alternation('source_order_that')})\s+)?(?:{WORDS.alternation('definite_determiner')})\s+"
    rf"(?:[\w/'+&-]+\s+){{1,6}}?(?:{WORDS.alternation('order_thing')})\s+"
    rf"(?:(?:{WORDS.alternation('source_order_auxiliary', space=WHITE_SPACE)})\s+)?"
    rf"(?:{WORDS.alternation('source_order_goes')})\s+(?:{WORDS.alternation('send_to')})\s*[(:,\-\u2013]?\s*$",
    re.IGNORECASE,
)


#: Where they want it, right before the address ("it's going to Boise - I need it at home, 12 Elm St ...").
_WANTED_HERE = re.compile(rf"{_WANTED_AT}\s*$", re.IGNORECASE)


def _not_wanted(clause: str) -> str | None:
    if _CONDITION.search(clause):
        return "conditional"
    if _NEGATED.search(clause):
        return "negated"
    olds = list(_OLD.finditer(clause))
    # a request to send it, made after the address it goes to now is said, introduces the one wanted ("it's going
    # to Reno - please ship it to my home at 12 Elm St")
    asked_after = bool(olds) and _SEND.search(clause, olds[-1].end()) is not None
    if olds and not (
        asked_after or _SENT_TO.search(clause) or _ANOTHER_ORDERS.search(clause) or _WANTED_HERE.search(clause)
    ):
        return "the address it goes to now, or an old one"
    return None


def without_addresses(text: str) -> str:
    """The text with every address read from it cut out: what the guard compares a reply with, since the reply
    repeats the address in full so the customer can catch a typo."""
    out, last = [], 0
    for street, _address, end in _read_all(text):
        out.append(text[last : street.start()] + " ")
        last = end
    return "".join(out) + text[last:]


def _read_all(text: str) -> Iterator[tuple[re.Match[str], WrittenAddress, int]]:
    """Each address written, by its street line (one inside the address before it is part of it), and its end."""
    end = 0
    found = [*_STREET.finditer(text), *_BARE_STREET.finditer(text)]
    lines = sorted(found, key=lambda m: (m.start(), m.re is _BARE_STREET))  # a street word's line first
    for street in lines:
        if street.start() < end:
            continue
        address, at = _read_one(text, street)
        if street.re is _BARE_STREET and address.missing:
            continue  # no street word and not followed by a whole address: a number and words, no street
        end = at
        yield street, address, end


def _read_one(text: str, street: re.Match[str]) -> tuple[WrittenAddress, int]:
    """The address starting at a street line: its unit, city, state, ZIP and country when written after it."""
    end = street.end()
    line2 = None
    if unit := _UNIT.match(text, end):
        line2, end = _clean(unit.group("unit")), unit.end()
    line1 = _clean(street.group(0))
    place = _PLACE.match(text, end)
    if place and place.start() - end <= 2:
        city, state, code = place.group("city"), place.group("state"), place.group("zip")
        country = _clean(place["country"]) if place["country"] else "US"  # as written; not written: the shop's US
        span = text[street.start() : place.end()]
        address = WrittenAddress(line1=line1, line2=line2, city=_title(city), region=_state_code(state),
                                 postal_code=code, country=country, evidence=_clean(span))  # fmt: skip
        return address, place.end()
    # not whole: what follows in the same clause, up to the next sentence, says which parts are there
    rest = re.split(r"[.!?;]\s|\n\s*\n", text[end:], maxsplit=1)[0][:80]
    words = _COUNTRY_OR_COURTESY.sub(" ", _STATE_WORD.sub(" ", re.sub(_ZIP.pattern, " ", rest)))
    found = {"city": re.search(r"[a-z]{3,}", words, re.I), "state": _STATE_WORD.search(rest), "zip": _ZIP.search(rest)}
    missing = [part for part, said in found.items() if not said]
    return WrittenAddress(line1=line1, line2=line2, evidence=_clean(text[street.start() : end]),
                         missing=tuple(missing) or ("city", "state", "zip")), end  # fmt: skip


def read_addresses(text: str) -> AddressReading:
    """Every address the message writes out, what it points at instead, and whether the account's is to change."""
    written: list[WrittenAddress] = []
    dropped: list[tuple[str, str]] = []
    evidence: list[str] = []
    streets = list(_read_all(text))
    for street, address, _end in streets:
        why = _not_wanted(_before(text, street.start()))
        if why is not None:
            dropped.append((address.evidence, why))
            continue
        if address not in written:
            written.append(address)
    if not streets:
        # a city, state and ZIP with no street: the street is missing ("ship it to Springfield IL 62704")
        for place in re.finditer(rf"{_TO.pattern}{_PLACE.pattern}", text, re.IGNORECASE):
            if _not_wanted(_before(text, place.start())) is None:
                city, state = _title(place.group("city")), _state_code(place.group("state"))
                written.append(WrittenAddress(city=city, region=state, postal_code=place.group("zip"),
                                              evidence=_clean(place.group(0)), missing=("street",)))  # fmt: skip
    # "don't change my account address, this is just for that one order": the account's stays
    said = (
        m for m in _FOR_ACCOUNT.finditer(text) if _NEGATORS.isdisjoint(_before(text, m.start()).lower().split()[-3:])
    )
    account = next(said, None)
    if account:
        evidence.append(account.group(0))
    # "update my default address" names the address that changes, not the one to use ("change it to my default")
    pointing = _FOR_ACCOUNT.sub(lambda m: m.group(0) if _TO.search(m.group(0)) else " ", text)
    refers, newest = None, False
    if m := _OTHER_REF.search(pointing):
        refers, newest = "other_order", bool(_NEWEST.search(m.group(0)))
        evidence.append(m.group(0))
    elif m := _ACCOUNT_REF.search(pointing):
        refers = "account"
        evidence.append(m.group(0))
    places = _places(text)
    # "update my default address to ..." speaks of the account only; an order, a shipment or a parcel named too
    # means its delivery changes as well (not an order named only as where the address is: "same as my last order")
    without_account = _FROM_ORDER.sub(" ", _FOR_ACCOUNT.sub(" ", text))
    for_order = bool(_FOR_ORDER.search(without_account))
    return AddressReading(
        written=tuple(written),
        dropped=tuple(dropped),
        refers_to=None if written else refers,
        newest=newest and not written,
        places=() if written else places,
        for_account=bool(account),
        for_order=for_order or not account,
        evidence=tuple(evidence),
        unread=not written and not dropped and bool(_OTHER_STREET.search(text)),
    )


#: Said right before the address that changes ("update my Reno address"), not the one to use.
_CHANGED = re.compile(rf"\b(?:{WORDS.alternation('changed_verb')})\s+(?:{_PLACE_DETERMINER})?\s*$", re.IGNORECASE)


def _places(text: str) -> tuple[tuple[str, ...], ...]:
    """The words of each phrase that may call an address on file by where it is (before or after the noun), not one said
    as not wanted, on a condition or as the old one ("not my Denver address", "from my Reno place")."""
    found: list[tuple[str, ...]] = []
    for m in [*_NAMED_BEFORE.finditer(text), *_NAMED_AFTER.finditer(text)]:
        clause = _before(text, m.start())
        if not _TO_AT_END.search(clause) and _not_wanted(clause) is not None:
            continue
        if _CONDITION.search(clause) or _NEGATED.search(clause) or _CHANGED.search(clause):
            continue  # "not my Denver address", "update my Reno address to ...": not the one to use
        words = tuple(_key(m.group("words")).split())
        if not words or set(words) & _NO_PLACE_NAME:
            continue
        # after the noun, the place's words come first ("the address in Denver please"): the longest run first
        found += [words] if m.re is _NAMED_BEFORE else [words[:n] for n in range(len(words), 0, -1)]
    return tuple(dict.fromkeys(found))


def places_named(addresses: list[Mapping[str, Any]], *phrases: tuple[str, ...]) -> list[Mapping[str, Any]]:
    """The addresses (distinct places) that every word of one of the ``phrases`` is a word of: its street, unit,
    city, state or ZIP as the systems hold them ("denver", "pike street")."""
    fitting: list[Mapping[str, Any]] = []
    for address in addresses:
        held = set(" ".join(_key(address.get(k)) for k in _COMPARED).split())
        if any(set(words) <= held for words in phrases) and not any(same_place(address, f) for f in fitting):
            fitting.append(address)
    return fitting


#: Said right before an address the customer wants used: "ship it to", "redirect the parcel to", "my new address is",
#: "I need it at"; or the place it is sent to said first in a few words, then the address after a mark ("ship it to
#: Reno instead:", "should come to my Boise place instead, 12 Elm St ...", "I need it at home, 12 Elm St ...").
_ASKED_BEFORE = re.compile(
    rf"(?:\b(?:{WORDS.alternation('send_to_verb')})\w*\b"  # "could it be sent to ...": never "it was sent to"
    rf"[^.!?;]{{0,60}}\b(?:{WORDS.alternation('send_to')}){_PLACE_FIRST}"
    # where they want it: "I need it at home, 12 Elm St ...", "I'd like them at my Reno place: ..."
    rf"|{_WANTED_AT}"
    rf"|\b(?:{WORDS.alternation('address_introducer', space=WHITE_SPACE)})\s*:?)\s*$",
    re.IGNORECASE,
)


#: Words that negate what follows them within three words ("don't change my account address").
_NEGATORS = frozenset(WORDS.phrases("negators"))


def address_asked(text: str) -> str | None:
    """The words asking for an address written in the message ("ship order 4471 to 12 Elm St, ..."): an address
    change requested even in words the phrase list lacks. Only an address wanted (not negated, conditional or the
    old one) and introduced as the one to use; None otherwise."""
    reading = read_addresses(text)
    for address in reading.written:
        start = text.find(address.evidence.split(" ")[0]) if address.evidence else -1
        head = " ".join(text[max(0, start - 80) : start].split()) if start >= 0 else ""
        asked = _ASKED_BEFORE.search(head) if start >= 0 else None
        if asked and _DONE_BEFORE.isdisjoint(head[: asked.start()].lower().split()[-3:]):
            return asked.group(0).strip()
    return None


#: Words before "sent to" saying where it went, not where it is to go ("it was shipped to", "had them sent to").
_DONE_BEFORE = frozenset(WORDS.phrases("past_auxiliary", "past_causative"))


_COMPARED = ("line1", "line2", "city", "region", "postal_code")
_ABBREVIATIONS = WORDS.table("address_abbreviations")


def _key(value: Any) -> str:
    words = re.sub(r"[^a-z0-9]+", " ", str(value or "").lower()).split()
    return " ".join(_ABBREVIATIONS.get(w, w) for w in words if w != "#")


#: The country's names and abbreviations as letters alone ("unitedstates", "usa"): each the key "us".
_US_KEYS = frozenset(p.replace(" ", "") for p in WORDS.phrases("country_name", "country_abbreviation"))


def _country_key(value: Any) -> str:
    folded = re.sub(r"[^a-z]", "", str(value or "us").lower())
    return "us" if folded in _US_KEYS else folded


def city_key(address: Mapping[str, Any] | None) -> str:
    """The city of an address as its words are compared ("fort worth"): empty when it has none."""
    return _key((address or {}).get("city"))


def same_place(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    """Whether two addresses are the same place, whatever the case, punctuation, street and unit abbreviations
    ("St"/"Street", "Apt"/"Apartment") and country spelling ("USA"/"US"); the name on them does not count."""
    if _country_key(a.get("country")) != _country_key(b.get("country")):
        return False
    return all(_key(a.get(k)) == _key(b.get(k)) for k in _COMPARED)


def summary(address: Mapping[str, Any]) -> str:
    """One line a customer can check for a typo: street, unit, city, state and ZIP, the country when not the US."""
    text = ", ".join(str(address[k]) for k in ("line1", "line2", "city") if address.get(k))
    text += f", {address.get('region', '')} {address.get('postal_code', '')}".rstrip()
    if _country_key(address.get("country")) != "us":
        text += f", {address.get('country')}"
    return text
