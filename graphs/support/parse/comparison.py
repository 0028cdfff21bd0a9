"""A variant chosen by comparison ("the cheapest one with 16GB or more") or within a price bound ("no more than
$120") (issue #38), read as a spec from the words file and resolved on the variants in stock. More in
docs/support-parse.md."""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from ai_missions.graphs.support.parse.folding import fold
from ai_missions.graphs.support.words import WORDS

#: Relation of each list: the price at most, below or equal to the limit; whether the limit is an amount said.
_RELATIONS = {
    "at_most_paid": ("at_most", False),
    "below_paid": ("below", False),
    "same_as_paid": ("same", False),
    "at_most_amount": ("at_most", True),
    "below_amount": ("below", True),
}
_CURRENCY = rf"(?:{WORDS.alternation('price_currency')})"
#: An amount after the words: "$120", "120 dollars", "99.50"; not a size or a count ("up to 4 slices").
_AMOUNT = re.compile(
    rf"\s*(?P<before>{_CURRENCY})?\s*(?P<amount>\d+(?:[.,]\d{{1,2}})?)(?!\d)(?:\s*(?P<after>{_CURRENCY})(?![a-z]))?"
)
#: A word right after a bare number: a unit or a count ("4 slices", "2 pack"), not money.
_UNIT_AFTER = re.compile(r"\s*[a-z%]")
_CENT = 0.005


#: Each list's phrases, whole words (a longer phrase before one inside it).
_PATTERNS = {
    name: re.compile(rf"(?<![a-z0-9])(?:{WORDS.alternation(f'price_{name}')})(?![a-z0-9])") for name in _RELATIONS
}


@dataclass(frozen=True, slots=True)
class PriceBound:
    """Each limit said: (relation, price), relation ``at_most``, ``below`` or ``same``."""

    limits: tuple[tuple[str, float], ...]

    def allows(self, price: float) -> bool:
        checks = {
            "at_most": lambda limit: price <= limit + _CENT,
            "below": lambda limit: price < limit - _CENT,
            "same": lambda limit: abs(price - limit) < _CENT,
        }
        return all(checks[relation](limit) for relation, limit in self.limits)


def price_bound(text: str, paid: float) -> PriceBound | None:
    """The bound the text sets on the price of what the customer wants (``paid``: what they paid for it), or None."""
    folded = fold(text)
    said: list[tuple[int, int, str, float]] = []
    for name, (relation, of_amount) in _RELATIONS.items():
        for match in _PATTERNS[name].finditer(folded):
            if not of_amount:
                said.append((match.start(), match.end(), relation, paid))
            elif (amount := _AMOUNT.match(folded, match.end())) and (
                amount["before"] or amount["after"] or not _UNIT_AFTER.match(folded, amount.end())
            ):
                said.append((match.start(), amount.end(), relation, float(amount["amount"].replace(",", "."))))
    kept: list[tuple[int, int, str, float]] = []
    for found in sorted(said, key=lambda s: s[1] - s[0], reverse=True):
        if all(found[1] <= other[0] or found[0] >= other[1] for other in kept):
            kept.append(found)
    return PriceBound(tuple((relation, limit) for _, _, relation, limit in sorted(kept))) if kept else None


_MEANING = WORDS.table("compare_words")
_MEASURES = WORDS.table("compare_measures")
#: A unit after a number, as the catalogue and customers write it, under one name ("1L" and "1 litre" are one).
UNITS = WORDS.table("units")
#: Sizes smallest first, as option words ("x-large"), and the pieces an option's words may split them into ("x").
_SIZES = [fold(size) for size in dict.fromkeys(WORDS.table("size_words").values())]
_SIZE_WORDS = {piece for size in _SIZES for piece in (size, *size.split("-"))}
#: Words that describe a variant (colours, whom it is for) -> the option word they stand for.
_DESCRIBING = {w: fold(o) for w, o in WORDS.table("option_words").items()}
_DESCRIBING |= {w: w for w in WORDS.phrases("descriptors")}
_SIDES = {"before": ("ge", "gt", "le", "lt"), "after": ("ge", "le")}
_RELATION_OF = {p: rel for side, rels in _SIDES.items() for rel in rels for p in WORDS.phrases(f"compare_{rel}_{side}")}
_BOUND = re.compile(
    rf"(?<![a-z0-9])(?:(?P<before>{WORDS.alternation(*(f'compare_{r}_before' for r in _SIDES['before']))})\s+)?"
    rf"(?P<number>\d+(?:\.\d+)?)(?:(?P<attached>[a-z]+)|[\s-]?(?P<unit>{WORDS.alternation('units')}))(?![a-z0-9])"
    rf"(?:\s*(?P<after>{WORDS.alternation(*(f'compare_{r}_after' for r in _SIDES['after']))})(?![a-z0-9]))?"
)
_COMPARE = re.compile(rf"(?<![a-z0-9])(?:{WORDS.alternation('compare_words')})(?![a-z0-9])")
_OF_TWO = re.compile(rf"\s*(?:{WORDS.alternation('compare_of_two')})(?![a-z0-9])")
_PREFER = re.compile(rf"\s*(?:>|(?<![a-z0-9])(?:{WORDS.alternation('compare_preference')})(?![a-z0-9]))\s*")
#: A second choice on the condition that the first is not to be had: "if the 80% isn't available, the 60% would do",
#: "if there's no 9, an 8 is fine": the condition's subject (the first choice) and, after it, the second.
_FALLBACK = re.compile(
    rf"(?<![a-z0-9])(?:{WORDS.alternation('condition_words')})\s+(?:"
    rf"(?P<subject>(?:[^\s,.;!?]+\s+){{0,6}}?)(?:(?:{WORDS.alternation('condition_not')})\s+"
    rf"(?:{WORDS.alternation('condition_in_stock')})|{WORDS.alternation('condition_out_of_stock')})"
    rf"|(?:{WORDS.alternation('condition_absent')})\s+(?P<absent>(?:[^\s,.;!?]+\s*){{1,4}}?))(?![a-z0-9])\s*(?:,|$)"
)
#: A quantity token: a number and its unit as one word ("8inch", "32gb", "1.5litre"): the 8 of "8-inch" is not 8GB.
QUANTITY = re.compile(r"(\d+(?:\.\d+)?)([a-z]+)")
_WORD = re.compile(r"[a-z]+")
#: The two words after a comparison word and the two before it, where its measure may be named.
_AFTER = re.compile(r"\s*([a-z]+)(?:\s+([a-z]+))?")
_BEFORE = re.compile(r"(?:([a-z]+)\s+)?([a-z]+)\s+$")

Variant = Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Comparison:
    """``direction``: most/least (of all that fit), more/less (than the item they have), None (bounds only);
    ``measure``: "price", "size" (else the product's one quantity) or units; ``bounds``: (unit, relation, number);
    ``rest``: the text without it, where the values named are read; ``said``: its words, for the reason."""

    direction: str | None
    measure: tuple[str, ...]
    of_two: bool
    bounds: tuple[tuple[str, str, float], ...]
    rest: str
    said: str

    def choose(
        self, own: Variant, in_stock: Sequence[Variant], words: Callable[[str], set[str]], said: set[str],
        required: set[str], bound: PriceBound | None,
    ) -> list[Variant] | None:  # fmt: skip
        """The variants meant: one best, or those to ask among; None when the comparison decides nothing. The
        cheapest or dearest "X" may keep the options not said or leave them free: chosen only where both readings
        agree, else the bests are asked."""
        mine, held = words(own["option"]), {w for v in [own, *in_stock] for w in words(v["option"])}
        measure = _measure_of(self.measure, own, words)
        if measure is None or {_DESCRIBING[w] for w in _WORD.findall(self.rest) if w in _DESCRIBING} - held:
            return None
        free = {unit for unit, _, _ in self.bounds} | {measure}
        anything = measure == "price" and not held & said - mine and not self.bounds  # "whichever is cheapest"

        def value(v: Variant, of: str = measure) -> float | None:
            if of == "price":
                return float(v["unit_price"])
            found = [float(_SIZES.index(w)) for w in words(v["option"]) if w in _SIZES] if of == "size" else []
            found += [float(w[: -len(of)]) for w in words(v["option"]) if _unit(w) == of]
            return found[0] if len(found) == 1 else None

        def fits(v: Variant, keep: bool, also: frozenset[str]) -> bool:  # the values said, within every bound
            extra = words(v["option"]) - mine - said  # kept: only measured ones differ
            return (
                required | also <= words(v["option"])
                and (not keep or all(_unit(w) in free or ("size" in free and w in _SIZE_WORDS) for w in extra))
                and all((n := value(v, unit)) is not None and getattr(operator, rel)(n, limit)
                        for unit, rel, limit in self.bounds)
                and (bound is None or bound.allows(float(v["unit_price"])))
            )  # fmt: skip

        def best(keep: bool, also: frozenset[str] = frozenset()) -> list[Variant] | None:  # None: no variant fits
            # the item they have competes in a superlative: when it is the best, or tied, no other variant is
            mine_too = [own] if self.direction in ("most", "least") and not self.of_two else []
            found = [(x, v) for v in [*mine_too, *in_stock] if fits(v, keep, also) and (x := value(v)) is not None]
            if self.direction in ("more", "less") and not self.of_two:
                here, than = value(own), operator.gt if self.direction == "more" else operator.lt
                found = [(x, v) for x, v in found if here is not None and than(x, here)]
            elif self.direction is not None and found and (len(found) == 2 or not self.of_two):
                top = (max if self.direction in ("most", "more") else min)(x for x, _ in found)
                found = [(x, v) for x, v in found if x == top]
            return None if not found else [] if any(v is own for _, v in found) else [v for _, v in found]

        if measure != "price" or self.direction not in ("most", "least") or self.of_two:
            return best(not anything) or []
        # an option of theirs said again is wanted where a variant holds it with the values asked (brown, not metal)
        again = frozenset(w for w in said & mine if any(required | {w} <= words(v["option"]) for v in in_stock))
        met = [r for r in (best(False, again), None if anything else best(True)) if r is not None]
        if all(r == met[0] for r in met):
            return met[0] if met else []
        return list({v["sku"]: v for r in met for v in r}.values())


def _measure_of(named: tuple[str, ...], own: Variant, words: Callable[[str], set[str]]) -> str | None:
    """What is compared on this product: the price, sizes, or the one unit of its options named (any, when none is)."""
    held, unnamed = words(own["option"]), named == ("size",)
    if named == ("price",) or (unnamed and held & set(_SIZES)):
        return "size" if unnamed else "price"
    units = {u for w in held if (u := _unit(w))}
    units = units if unnamed else units & set(named)
    return units.pop() if len(units) == 1 else None


def _unit(word: str) -> str | None:
    return m[2] if (m := QUANTITY.fullmatch(word)) else None


def read_comparison(text: str) -> Comparison | None:
    """The comparison the text makes of the variants, or None (a price comparative alone is a price bound)."""
    folded = fold(text)
    spans: list[tuple[int, int]] = []
    direction: str | None = None
    measure: tuple[str, ...] = ()
    of_two = False
    for match in _COMPARE.finditer(folded):
        meant, two = _MEANING[match.group()].split(), _OF_TWO.match(folded, match.end())
        kind, start, end = tuple(meant[1:]), match.start(), two.end() if two else match.end()
        after, before = _AFTER.match(folded, end), _BEFORE.search(folded, 0, start)
        for near, i in ((after, 1), (after, 2), (before, 2), (before, 1)) if kind != ("price",) else ():
            if near and near[i] in _MEASURES:
                kind = tuple(_MEASURES[near[i]].split())
                start, end = (start, near.end(i)) if near is after else (near.start(i), end)
                break
        # a price comparative is a price bound ("a cheaper one") but of two; "higher" alone compares nothing
        if kind and not (meant[0] in ("more", "less") and kind == ("price",) and not two):
            direction, measure, of_two = meant[0], kind, two is not None
            spans.append((start, end))
            break
    bounds = []
    for b in _BOUND.finditer(folded):
        if b["before"] or b["after"]:
            unit = b["attached"] or b["unit"]
            bounds.append((UNITS.get(unit, unit), _RELATION_OF[b["before"] or b["after"]], float(b["number"])))
            spans.append(b.span())
    rest = "".join(" " if any(s <= i < e for s, e in spans) else c for i, c in enumerate(folded))
    said = ", ".join(folded[start:end] for start, end in spans)
    measure = measure or tuple(unit for unit, _, _ in bounds[:1])  # bounds only: what the first one bounds
    return Comparison(direction, measure, of_two, tuple(bounds), rest, said) if spans else None


def without_fallback(text: str) -> str:
    """The text, folded, with a second choice's condition blanked ("if there's no gas one,"): what it says is not to
    be had is the first choice, not a value refused."""
    folded = fold(text)
    found = _FALLBACK.search(folded)
    return folded if found is None else folded[: found.start()] + " " * len(found.group(0)) + folded[found.end() :]


def preferred(
    text: str, own: Variant, in_stock: Sequence[Variant], tokens: Callable[[str], list[str]], values: set[str]
) -> tuple[list[Variant], str] | None:
    """A preference order ("gas > charcoal > electric", "blue, otherwise green"): the variants of the first value
    one in stock holds, besides the other values named (none when their item holds it), and the order, or None."""
    folded, mine = fold(text), set(tokens(own["option"]))
    if (fallback := _FALLBACK.search(folded)) is not None:
        # the first choice is what the condition names, the second what follows it in its sentence
        subject = fallback["subject"] if fallback["subject"] is not None else fallback["absent"]
        then = re.split(r"[.;!?\n]", folded[fallback.end() :], maxsplit=1)[0]
        parts = [[w for w in tokens(p) if w in values and w not in mine] for p in (subject, then)]
    else:
        pieces = _PREFER.split(folded)
        # said between values, three words each side at most ("blue, otherwise green"; not "nothing else on it")
        if not all(set(tokens(a)[-3:]) & values and set(tokens(b)[:3]) & values for a, b in pairwise(pieces)):
            return None
        parts = [[w for w in tokens(p) if w in values] for p in pieces]
    if len(parts) < 2 or not all(parts) or parts[0][-1] in mine:  # what they have first: "grey > green" is a change
        return None
    ranked = [parts[0][-1], *(part[0] for part in parts[1:])]
    others = set(tokens(text)) & values - mine - set(ranked)
    for value in ranked:
        named = {value} | others
        found = [v for v in in_stock if named <= (held := set(tokens(v["option"]))) and held - mine <= named]
        if value in mine or found:
            return ([] if value in mine else found), " > ".join(ranked)
    return [], " > ".join(ranked)
