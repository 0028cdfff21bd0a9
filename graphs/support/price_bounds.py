"""The price a customer sets for the variant they want (issue #38): "blue, at the same price or lower", "a cheaper
one", "no more than $120". A variant chosen for them must keep within it as it must hold every value they name;
when none that fits their words does, they are asked, never given one outside it.

The words are data (``words.toml``, per language): said of what they paid for the item, or before an amount.
Every bound said holds at once; a phrase said inside a longer one counts as the longer one only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ai_missions.graphs.support.folding import fold
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
    """The bound the text sets on the price of what the customer wants (``paid``: what they paid for the item);
    None when it sets none."""
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
