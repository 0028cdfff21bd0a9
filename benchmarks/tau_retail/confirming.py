"""The scripted customer reading the plan read back to it, as tau's simulated user does: it says yes when the plan
is what its instruction asks, and otherwise says what it wants instead, in its own words
(:func:`.runner.customer_answer`). It reads the read-back as a customer reads it (per order what is done, the items,
the options, the address, where the money goes) against its instruction only, never the ground-truth actions.

What it checks, per order the read-back names and per request of its instruction: the same kinds of change on the
same orders (a cancellation, a return, an item change or an exchange, a new ship-to, another payment method; the
account's address), a cancellation's reason, every item it changes or returns named, the options it wants named, the
street of an address, and the method money goes to where the instruction names one (a return's refund, a price
difference, a new payment method): "the payment method you used" is the method the order was paid with."""

from __future__ import annotations

import ast
import re
import string
from collections import Counter
from collections.abc import Mapping
from functools import cache
from typing import Any

from ai_missions.benchmarks.tau_retail import instruction as said
from ai_missions.graphs.support.replies import T as TEMPLATES

#: A line of the read-back about one order: "- Order #W123: cancel it (...); refund 12.00 to ...".
_ORDER_LINE = re.compile(r"^- Order (#W\d+): (.*)$", re.MULTILINE)
_ACCOUNT_LINE = re.compile(r"^- Your account: (.*)$", re.MULTILINE)
#: The kinds of change a read-back line says, by the words that open each of its clauses.
_KINDS = {"cancel it": "cancel", "return ": "return", "ship it to ": "address", "pay it with ": "payment",
          "change ": "modify", "exchange ": "exchange"}  # fmt: skip


def _kinds(line: str) -> set[str]:
    clauses = [c.strip().lower() for c in line.rstrip(".").split(";")]
    return {kind for c in clauses for opening, kind in _KINDS.items() if c.startswith(opening)}


def _method_said(text: str, method_id: str, user: Mapping[str, Any], paid_with: str) -> bool:
    """Whether ``text`` names the method: its last digits, "gift card", "PayPal"; or "the payment method you used"
    for the one the order was paid with."""
    method = user.get("payment_methods", {}).get(method_id, {})
    low = text.lower()
    if "the payment method you used" in low and method_id == paid_with:
        return True
    source = method.get("source")
    if source == "credit_card":
        return str(method.get("last_four")) in low
    return {"gift_card": "gift card", "paypal": "paypal"}.get(str(source), "\0") in low


@cache
def _templates(language: str) -> tuple[tuple[re.Pattern[str], str], ...]:
    """The reply catalogue's sentences of ``language`` that English says otherwise, longest first, each as a pattern
    whose fields (``{order}``, ``{method}``) are groups, with the English sentence it stands for."""
    own, english = TEMPLATES.get(language, {}), TEMPLATES["en"]
    found = []
    for key, text in own.items():
        if key not in english or text == english[key]:
            continue
        pattern, seen = "", set()
        for literal, field, _spec, _conv in string.Formatter().parse(text):
            pattern += re.escape(literal)
            if field is not None:
                pattern += f"(?P={field})" if field in seen else f"(?P<{field}>.+?)"
                seen.add(field)
        found.append((len(text), re.compile(pattern, re.DOTALL), english[key]))
    return tuple((pattern, english_text) for _n, pattern, english_text in sorted(found, key=lambda f: -f[0]))


def _said_in_english(text: str, language: str) -> str:
    """A sentence or clause of the catalogue's language as its English sentence, the fields read again the same way
    ("cobrar 3.05 a su tarjeta regalo": "charge 3.05 to your gift card"); text no sentence matches, as it is."""
    for pattern, english in _templates(language):
        if found := pattern.fullmatch(text):
            fields = {k: _said_in_english(v, language) for k, v in found.groupdict().items()}
            return english.format(**fields)
    return text


def in_english(read_back: str) -> str:
    """The read-back as the customer reads it, in English: a plan read back in the customer's language (Spanish,
    French, German) read with the reply catalogue's own sentences, line by line and clause by clause, as tau's
    simulated user understands any language it writes in."""
    language = next((lang for lang, table in TEMPLATES.items() if lang != "en" and table["readback_open"] in
                     read_back), None)  # fmt: skip
    if language is None:
        return read_back
    lines = []
    for line in read_back.split("\n"):
        body = line[2:] if line.startswith("- ") else line
        head = _ORDER_HEAD[language].match(body)
        if head is None:
            lines.append(
                line[: len(line) - len(body)] + " ".join(_said_in_english(s, language) for s in _sentences(body))
            )
            continue
        clauses, _dot, rest = body[head.end() :].partition(". ")
        clauses = clauses.removesuffix(".")
        pieces, parts = clauses.split("; "), []
        while pieces:  # a clause may hold "; " itself ("return X; once they reach us, refund ..."): the fewest first
            for n in range(1, len(pieces) + 1):
                joined = "; ".join(pieces[:n])
                if (english := _said_in_english(joined, language)) != joined:
                    break
            else:  # no sentence of the catalogue: the clause as it is
                n, english = 1, pieces[0]
            parts.append(english)
            del pieces[:n]
        order = _said_in_english(head.group(0).strip(), language)
        after = " ".join(_said_in_english(s, language) for s in _sentences(rest) if s)
        lines.append(f"- {order} {'; '.join(parts)}.{' ' + after if after else ''}")
    return "\n".join(lines)


#: Where a read-back line of each language names its order ("Pedido #W1:").
_ORDER_HEAD = {
    lang: re.compile(re.escape(table["rb_order"]).replace(re.escape("{order}"), r"#W\d+") + r"\s*")
    for lang, table in TEMPLATES.items()
    if "rb_order" in table
}


def plan_matches(read_back: str, instruction: str, user: Mapping[str, Any], orders: Mapping[str, Any]) -> bool:
    """Whether the plan read back is what the instruction asks (and nothing else); a request the read-back says
    cannot be made ("... so it cannot pay for it", "... can no longer be cancelled") is one the customer accepts. A
    plan read back in another language is read in English first (:func:`in_english`)."""
    read_back = in_english(read_back)
    lines = dict(_ORDER_LINE.findall(read_back))
    asked = said.requests(instruction)
    if not set(lines) <= {o for o, _k, _d in asked if o}:
        return False  # a change of an order it never asked about
    if bool(_ACCOUNT_LINE.search(read_back)) != any(k == "account" for _o, k, _d in asked):
        return False
    done: set[tuple[str | None, str]] = set()
    for order, kinds in _by_order(asked).items():
        if order is None:
            continue
        made = _kinds(lines.get(order, ""))
        if not made <= kinds:
            return False
        refused = [k for k in kinds if k not in made]
        if any(not _said_cannot(read_back, order, k) for k in refused):
            return False  # a request left out of the plan with no word of why: not what it asked
        done |= {(order, k) for k in kinds if k not in refused}
    for order, kind, detail in asked:
        if order is not None and (order, kind) not in done:
            continue
        text = (lines.get(order) if order else (_ACCOUNT_LINE.search(read_back) or [""])[-1]) or ""
        paid_with = said.first_payment(orders.get(order) or {}) if order else ""
        others = " ".join(
            s for s in re.split(r"(?<=[.!?])\s+", read_back) if order and order in s and "also holds" in s
        )
        if not _detail_said(kind, detail, text, user, paid_with, others):
            return False
    return True


#: What a reply says of a request that cannot be made.
_CANNOT = re.compile(r"\b(?:cannot|can no longer|out of stock)\b", re.IGNORECASE)
#: The words a sentence saying that a kind of request cannot be made speaks of it with ("... so it cannot pay for
#: it" is of the payment, not of a new ship-to).
_OF_KIND = {"cancel": ("cancel",), "return": ("return",), "address": ("ship", "address"), "payment": ("pay",),
            "modify": ("change", "stock"), "exchange": ("exchange", "stock"), "account": ("address",)}  # fmt: skip


def _said_cannot(read_back: str, order: str, kind: str) -> bool:
    """Whether a sentence of the read-back about ``order`` says this kind of request of it cannot be done."""
    return any(
        order in s and _CANNOT.search(s) and any(w in s.lower() for w in _OF_KIND.get(kind, ("",)))
        for s in _sentences(read_back)
    )


def _sentences(text: str) -> list[str]:
    return re.split(r"(?<=[.!?])\s+", text)


def _by_order(asked: list[tuple[str | None, str, dict[str, Any]]]) -> dict[str | None, set[str]]:
    out: dict[str | None, set[str]] = {}
    for order, kind, _detail in asked:
        out.setdefault(order, set()).add(kind)
    return out


def _holds(clause: str, name: str, options: Mapping[str, Any]) -> bool:
    """Whether a read-back clause changes the item to a variant with every one of these options: the variant's own
    words after the arrow, not a bracket after them (how it was chosen: "(\"synthetic > 7\" of those in stock: ...)"
    names a 7 the variant does not have)."""
    before, arrow, after = clause.partition("->")
    after = re.sub(r"\([^)]*\)", " ", after)
    return (
        bool(arrow)
        and name.lower() in before
        and all(re.search(rf"(?<![\w.]){re.escape(str(v).lower())}(?!\w)", after) for v in options.values())
    )


def _holds_now(clause: str, name: str, options: Mapping[str, Any]) -> bool:
    """Whether a read-back clause changes this item as the customer has it now: its name and every option before the
    arrow."""
    before = clause.partition("->")[0]
    return name.lower() in before and all(
        re.search(rf"(?<![\w.]){re.escape(str(v).lower())}(?!\w)", before) for v in options.values()
    )


def _detail_said(
    kind: str, detail: Mapping[str, Any], text: str, user: Mapping[str, Any], paid_with: str, others: str = ""
) -> bool:
    low = text.lower()
    if kind == "cancel":
        return str(detail["reason"]) in low
    if kind in ("address", "account"):
        return str(ast.literal_eval(detail["address"]).get("address1", "")).lower() in low
    if kind == "payment":
        return _method_said(text, detail["method"], user, paid_with)
    names = [n.lower() for n in detail["items"]]
    if any(n not in low for n in names):
        return False
    # an item it exchanges for a new one of the same: asked for when the read-back names it among the order's
    # other items (the customer is asked whether it goes too), else it is no change of its own
    if kind == "exchange" and any(n.lower() in others.lower() and n.lower() not in low for n in detail["same"]):
        return False
    if kind == "return":
        # the items returned are the ones it asked, no other ("return Pet Bed, Keyboard, Laptop": not the laptop)
        returned = next((c.strip()[len("return ") :] for c in low.split(";") if c.strip().startswith("return ")), "")
        # as many of each ("Backpack (black ...), Bookshelf, Backpack (navy ...)": two backpacks, not one)
        if Counter(re.sub(r"\s*\(.*?\)", "", i).strip() for i in returned.split(",")) != Counter(names):
            return False
        return _method_said(text, detail["method"], user, paid_with) or (
            "gift card" not in low and detail["method"] == paid_with
        )
    # each item's new variant as the read-back says it ("Kettle: 1L steel black -> 1L glass black"): every option
    # it wants, named or kept, after the arrow of a clause naming the item
    wanted = zip(detail["items"], detail["options"], strict=True)
    if not all(any(_holds(c, name, options) for c in low.split(";")) for name, options in wanted):
        return False
    # and no item it did not ask to change is changed: each clause's item, as it is now, is one it named (of two
    # helmets, the L black one it asked changed, not the S white one)
    if not all(any(_holds_now(c, name, had) for name, had in detail["had"]) for c in low.split(";") if "->" in c):
        return False
    money = [c for c in low.split(";") if c.strip().startswith(("refund ", "charge "))]
    return all(_method_said(c, detail["method"], user, paid_with) for c in money)
