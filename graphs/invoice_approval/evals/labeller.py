"""How a seasoned accounts-payable team decides an invoice, written from the raw records of a snapshot.

Deliberately independent of the mission: it imports neither the reasoner nor the policies nor the mission's fact
derivation, and it does its own three-way match from the storage rows (invoices and lines, vendors and bank
accounts, purchase-order lines, receipt lines, budgets, payments) the way the team reads its screens. Where the
team's habits differ from the written policies the labels say so (``judgment:`` tags); that is the point of an
evaluation against history.

The team's rules, by facet (a combined case takes every facet's view; the most severe outcome wins: escalate >
reject > hold > approve with note > approve; a hold keeps every facet's requests, an approval every facet's notes):

- **Clean match**: approve, commit the budget and pay (less the early-payment discount while it is open).
- **Price variance**: within 2% and 500 in all, approve with note. Above, hold and ask the buyer. *Judgment*: an
  invoice over 25,000 with any variance is held for the buyer even within tolerance; a variance of at most 5% and
  150 in all from a vendor of five years or more is short-paid at the PO price with a credit note asked.
- **Over-billed quantity**: hold and ask the vendor for a credit note. *Judgment*: below 100 of over-billing they
  short-pay the received units and ask for the credit note.
- **Partial receipt**: approve with note, paying the received units. *Judgment*: when less than half arrived they
  hold the invoice until more does.
- **No PO**: utilities, telecom and subscriptions up to 2,500 are approved; anything else is held and purchasing
  asked. *Judgment*: they approve such bills up to 5,000.
- **Duplicate**: the same number (however retyped) is rejected; the same amount and date under another number is
  held and the vendor asked. *Judgment*: they reject that one too when the earlier invoice is already paid. A
  duplicate after a bank change is rejected and the account sent for call-back.
- **Bank change** not verified: hold and send the account for call-back. *Judgment*: when the vendor wrote asking
  to use the new account, they escalate to the controller as suspected fraud.
- **Split invoices** and **budget overruns**: escalate. *Judgment*: a budget overrun on an invoice that is held
  anyway for a discrepancy is held (the invoice is fixed first; the budget is looked at when it comes back).
- **Currency** or **tax** differences: hold and ask the vendor for a corrected invoice.

On top of the rules, :data:`NOISE_RATE` of the cases carry an inconsistent human decision (seeded per case): a
forgotten request, a needless escalation, an over-cautious hold. Nobody should expect 100% agreement.
"""

from __future__ import annotations

import random
import re
from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Any

from ai_missions.evals.api import Action, Label, View, keyed_rng, money, snapshot_time

#: Share of cases whose recorded decision is inconsistent with the team's own rules.
NOISE_RATE = 0.06
TOLERANCE_PCT = 2.0
TOLERANCE_CENTS = 50_000
CLERK_LIMIT_CENTS = 500_000
MANAGER_LIMIT_CENTS = 5_000_000
NON_PO = ("utilities", "telecom", "subscriptions")

SEVERITY = {"approve": 0, "approve_with_note": 1, "hold": 2, "reject": 3, "escalate": 4}
PAYING = frozenset({"commit_budget", "post_payment"})
#: The order the team works in: hold, decide, commit, pay, then the requests.
STAGES = (
    "place_invoice_hold",
    "reject_invoice",
    "commit_budget",
    "post_payment",
    "request_bank_verification",
    "request_vendor_confirmation",
    "request_buyer_review",
)

Row = Mapping[str, Any]


def _number_key(number: str) -> str:
    """How the team compares invoice numbers: letters and digit groups, zeros in front of digits dropped."""
    tokens = re.findall(r"[A-Za-z]+|[0-9]+", number)
    return "".join(t.upper() if t.isalpha() else str(int(t)) for t in tokens)


class Records:
    """The raw rows of a snapshot around one invoice, indexed the way the team looks them up."""

    def __init__(self, snapshot: Mapping[str, Any], invoice_id: str) -> None:
        systems = snapshot["systems"]
        ap, purchasing = systems["ap"], systems["purchasing"]
        receiving, budget = systems["receiving"], systems["budget"]
        meta = {r["key"]: r["value"] for r in ap.get("meta", [])}
        self.now = snapshot_time(meta["book_now"])
        self.invoice = next(r for r in ap["invoices"] if r["invoice_id"] == invoice_id)
        self.invoice_id = invoice_id
        self.vendor = next(r for r in ap["vendors"] if r["vendor_id"] == self.invoice["vendor_id"])
        self.lines = sorted(
            (r for r in ap["invoice_lines"] if r["invoice_id"] == invoice_id), key=lambda r: r["line_no"]
        )
        self.accounts = sorted(
            (r for r in ap["vendor_bank_accounts"] if r["vendor_id"] == self.vendor["vendor_id"]),
            key=lambda r: r["added_at"],
        )
        self.messages = [r for r in ap.get("vendor_messages", []) if r["vendor_id"] == self.vendor["vendor_id"]]
        self.others = [
            r for r in ap["invoices"] if r["vendor_id"] == self.vendor["vendor_id"] and r["invoice_id"] != invoice_id
        ]
        self.paid = sum(
            p["amount_cents"] + p["discount_cents"] for p in ap.get("payments", []) if p["invoice_id"] == invoice_id
        )
        po_id = self.invoice["po_id"]
        self.po = next((r for r in purchasing.get("purchase_orders", []) if r["po_id"] == po_id), None)
        self.po_lines = {r["line_no"]: r for r in purchasing.get("po_lines", []) if r["po_id"] == po_id}
        self.accepted: dict[int, int] = {}
        for r in receiving.get("receipt_lines", []):
            if r["po_id"] == po_id:
                self.accepted[r["po_line_no"]] = (
                    self.accepted.get(r["po_line_no"], 0) + r["quantity_received"] - r["quantity_rejected"]
                )
        centre = self.invoice["cost_centre"]
        self.centre = next((r for r in budget.get("cost_centres", []) if r["cost_centre"] == centre), None)
        self.committed = sum(
            r["amount_cents"] for r in budget.get("budget_commitments", []) if r["cost_centre"] == centre
        )

    # --- what the team reads off the screens --------------------------------------------------------------------

    @property
    def total(self) -> int:
        return int(self.invoice["total_cents"])

    @property
    def open_cents(self) -> int:
        return max(self.total - self.paid, 0)

    def match(self) -> dict[str, Any]:
        """Line by line against the PO and the receipts, in cents."""
        worst, variance, over_units, over_value, waiting, billed, accepted, value = 0.0, 0, 0, 0, 0, 0, 0, 0
        for line in self.lines:
            ordered = self.po_lines.get(line["po_line_no"])
            quantity, price = line["quantity"], line["unit_price_cents"]
            billed += quantity
            if ordered is None:
                over_units += quantity
                over_value += quantity * price
                continue
            if price > ordered["unit_price_cents"]:
                worst = max(worst, 100.0 * (price - ordered["unit_price_cents"]) / ordered["unit_price_cents"])
                variance += (price - ordered["unit_price_cents"]) * quantity
            got = min(quantity, self.accepted.get(ordered["line_no"], 0))
            accepted += got
            if quantity > got:
                if ordered["status"] == "open" and quantity <= ordered["quantity"]:
                    waiting += quantity - got
                else:
                    over_units += quantity - got
                    over_value += (quantity - got) * price
            fair = (
                price
                if price <= ordered["unit_price_cents"] * (1 + TOLERANCE_PCT / 100)
                else ordered["unit_price_cents"]
            )
            value += got * fair
        matched = round(value * self.total / self.invoice["subtotal_cents"])
        return {
            "worst_pct": worst,
            "variance": variance,
            "over_units": over_units,
            "over_value": over_value,
            "waiting": waiting,
            "share": accepted / billed if billed else 0.0,
            "matched": min(matched, self.open_cents),
        }

    def discount(self) -> int:
        """The early-payment discount if the invoice is settled in full today (0 when lapsed or none)."""
        bp = self.vendor["discount_bp"]
        deadline = snapshot_time(self.invoice["invoice_date"]) + timedelta(days=self.vendor["discount_days"])
        if not bp or self.now > deadline or self.paid:
            return 0
        return round(self.open_cents * bp / 10_000)

    def to_pay(self, matched: int) -> int:
        if matched >= self.open_cents and (discount := self.discount()):
            return self.open_cents - discount
        return matched

    def available(self) -> int | None:
        if self.centre is None:
            return None
        return int(self.centre["budget_cents"] - self.centre["spent_cents"] - self.committed)

    def unverified_change(self) -> Row | None:
        active = [a for a in self.accounts if a["status"] == "active"]
        if not active or len(self.accounts) < 2:
            return None
        return active[-1] if not active[-1]["verified_at"] else None

    def earlier_twin(self) -> tuple[Row, bool] | None:
        """An earlier invoice this one repeats, and whether by number."""
        mine = (self.invoice["received_at"], self.invoice_id)
        key = _number_key(self.invoice["vendor_invoice_number"])
        for other in sorted(self.others, key=lambda r: (r["received_at"], r["invoice_id"])):
            if (other["received_at"], other["invoice_id"]) >= mine or other["status"] == "rejected":
                continue
            if _number_key(other["vendor_invoice_number"]) == key:
                return other, True
        for other in self.others:
            if (other["received_at"], other["invoice_id"]) >= mine or other["status"] == "rejected":
                continue
            if other["total_cents"] == self.total and other["invoice_date"][:10] == self.invoice["invoice_date"][:10]:
                return other, False
        return None

    def split_siblings(self) -> list[Row]:
        def near_limit(cents: int) -> bool:
            return 0.8 * CLERK_LIMIT_CENTS <= cents < CLERK_LIMIT_CENTS

        if not near_limit(self.total):
            return []
        dated = snapshot_time(self.invoice["invoice_date"])
        siblings = [
            r
            for r in self.others
            if near_limit(r["total_cents"])
            and abs(snapshot_time(r["invoice_date"]) - dated) <= timedelta(days=7)
            and r["cost_centre"] == self.invoice["cost_centre"]
            and r["currency"] == self.invoice["currency"]
            and r["status"] != "rejected"
            and not (
                _number_key(r["vendor_invoice_number"]) == _number_key(self.invoice["vendor_invoice_number"])
                or (r["total_cents"] == self.total and r["invoice_date"][:10] == self.invoice["invoice_date"][:10])
            )
        ]
        return siblings if self.total + sum(r["total_cents"] for r in siblings) >= CLERK_LIMIT_CENTS else []

    def tax_off(self) -> bool:
        expected = round(self.invoice["subtotal_cents"] * self.vendor["tax_rate_bp"] / 10_000)
        return abs(self.invoice["tax_cents"] - expected) > 1


# --- actions, as the people recorded them ------------------------------------------------------------------------


def hold(r: Records, why: str) -> Action:
    return {"tool": "place_invoice_hold", "args": {"invoice_id": r.invoice_id, "reason": why}}


def pay(r: Records, cents: int) -> list[Action]:
    amount = money(cents)
    return [
        {
            "tool": "commit_budget",
            "args": {"cost_centre": r.invoice["cost_centre"], "invoice_id": r.invoice_id, "amount": amount},
        },
        {"tool": "post_payment", "args": {"invoice_id": r.invoice_id, "amount": amount}},
    ]


def ask_vendor(r: Records, topic: str, message: str) -> Action:
    return {
        "tool": "request_vendor_confirmation",
        "args": {"invoice_id": r.invoice_id, "topic": topic, "message": message},
    }


def ask_buyer(r: Records, topic: str, message: str, *, with_po: bool = True) -> Action:
    args: dict[str, Any] = {"invoice_id": r.invoice_id, "topic": topic, "message": message}
    if with_po:
        args["po_id"] = r.invoice["po_id"]
    return {"tool": "request_buyer_review", "args": args}


def call_back(r: Records, account: Row) -> Action:
    return {
        "tool": "request_bank_verification",
        "args": {"vendor_id": r.vendor["vendor_id"], "account_id": account["account_id"], "invoice_id": r.invoice_id},
    }


# --- the facets --------------------------------------------------------------------------------------------------


def facet_views(r: Records) -> list[View]:
    """Every facet the team sees on the invoice, each with its view."""
    views: list[View] = []
    has_po = r.po is not None
    m = r.match() if has_po else None
    change = r.unverified_change()
    twin = r.earlier_twin()
    if twin is not None:
        other, by_number = twin
        if change is not None:
            views.append(View("reject", [_reject(r, other), call_back(r, change)], "duplicate after bank change"))
        elif by_number:
            views.append(View("reject", [_reject(r, other)], f"same number as {other['invoice_id']}"))
        elif other["status"] == "paid":
            views.append(
                View(
                    "reject",
                    [_reject(r, other)],
                    "same amount and date as a paid invoice",
                    ["judgment:paid-twin-rejected"],
                )
            )
        else:
            views.append(
                View(
                    "hold",
                    [hold(r, "possible duplicate"), ask_vendor(r, "duplicate_check", "Are both invoices due?")],
                    "same amount and date as an open invoice",
                )
            )
    if change is not None and twin is None:
        if any(msg["direction"] == "inbound" and msg["topic"] == "bank_details" for msg in r.messages):
            views.append(View("escalate", [], "vendor pushing a new bank account", ["judgment:bank-message-escalated"]))
        else:
            views.append(View("hold", [hold(r, "bank change"), call_back(r, change)], "bank account changed"))
    if r.split_siblings():
        views.append(View("escalate", [], "invoices split under the clerk's limit"))
    if has_po and r.po is not None and r.po["currency"] != r.invoice["currency"]:
        views.append(
            View("hold", [hold(r, "currency"), ask_vendor(r, "corrected_invoice", "Wrong currency")], "currency")
        )
    if r.tax_off():
        views.append(View("hold", [hold(r, "tax"), ask_vendor(r, "corrected_invoice", "Wrong tax")], "tax"))
    if not has_po:
        views.append(_no_po_view(r))
    if m is not None:
        views.extend(_match_views(r, m))
    return views


def _reject(r: Records, other: Row) -> Action:
    return {
        "tool": "reject_invoice",
        "args": {"invoice_id": r.invoice_id, "reason": f"Duplicate of {other['invoice_id']}"},
    }


def _no_po_view(r: Records) -> View:
    if r.vendor["category"] in NON_PO and r.total <= 250_000:
        return View("approve", pay(r, r.to_pay(r.open_cents)), "utility bill")
    if r.vendor["category"] in NON_PO and r.total <= 500_000:
        return View(
            "approve", pay(r, r.to_pay(r.open_cents)), "utility bill", ["judgment:utility-above-limit-approved"]
        )
    return View(
        "hold",
        [hold(r, "no PO"), ask_buyer(r, "missing_po", "Please raise the PO", with_po=False)],
        "no purchase order",
    )


def _match_views(r: Records, m: Mapping[str, Any]) -> list[View]:
    views = []
    tenure = (r.now - snapshot_time(r.vendor["vendor_since"])).days / 365.25
    if m["variance"] > 0:
        within = m["worst_pct"] <= TOLERANCE_PCT and m["variance"] <= TOLERANCE_CENTS
        if within and r.total > 2_500_000:
            views.append(
                View(
                    "hold",
                    [hold(r, "price"), ask_buyer(r, "price_change", "Large invoice above PO price")],
                    "price variance on a large invoice",
                    ["judgment:large-invoice-variance-checked"],
                )
            )
        elif within:
            views.append(View("approve_with_note", pay(r, r.to_pay(m["matched"])), "price within tolerance"))
        elif m["worst_pct"] <= 5.0 and m["variance"] <= 15_000 and tenure >= 5 and not m["over_units"]:
            views.append(
                View(
                    "approve_with_note",
                    [*pay(r, m["matched"]), ask_vendor(r, "credit_note", "Credit the price difference")],
                    "small variance short-paid at the PO price",
                    ["judgment:small-variance-short-paid"],
                )
            )
        else:
            views.append(
                View("hold", [hold(r, "price"), ask_buyer(r, "price_change", "Price above PO")], "price over tolerance")
            )
    if m["over_units"]:
        if m["over_value"] < 10_000 and not m["variance"]:
            views.append(
                View(
                    "approve_with_note",
                    [*pay(r, m["matched"]), ask_vendor(r, "credit_note", "Credit the units not received")],
                    "small over-billing short-paid",
                    ["judgment:small-overbilling-short-paid"],
                )
            )
        else:
            views.append(
                View("hold", [hold(r, "quantity"), ask_vendor(r, "credit_note", "Credit the units")], "over-billed")
            )
    if m["waiting"]:
        if m["share"] < 0.5:
            views.append(
                View(
                    "hold", [hold(r, "goods missing")], "most goods still missing", ["judgment:mostly-undelivered-held"]
                )
            )
        else:
            views.append(View("approve_with_note", pay(r, m["matched"]), "partial receipt paid as received"))
    return views


def _budget_view(r: Records, views: Sequence[View]) -> View | None:
    """The budget is checked against what the other facets would pay (or the matched amount, when holding)."""
    available = r.available()
    if available is None:
        return View("escalate", [], "no budget found")
    payments = [a for v in views for a in v.actions if a["tool"] == "post_payment"]
    if payments:
        amount = round(payments[0]["args"]["amount"] * 100)
    else:
        matched = r.match()["matched"] if r.po is not None else r.open_cents
        amount = r.to_pay(matched)
    if amount <= available:
        return None
    if any(v.outcome == "hold" for v in views) and not any(v.outcome == "escalate" for v in views):
        return View("hold", [], "over budget, held for the discrepancy first", ["judgment:budget-after-fix"])
    return View("escalate", [], "over budget")


def _combine(r: Records, views: list[View]) -> tuple[str, list[Action], list[str], str]:
    outcome = max((v.outcome for v in views), key=SEVERITY.__getitem__)
    tags = [t for v in views for t in v.tags]
    why = "; ".join(v.why for v in views)
    if outcome == "escalate":
        return outcome, [], tags, why
    if outcome == "reject":
        chosen = [a for v in views if v.outcome == "reject" for a in v.actions]
    elif outcome == "hold":
        chosen = [hold(r, why)] + [a for v in views for a in v.actions if a["tool"] not in PAYING]
    else:
        pays = [v for v in views if any(a["tool"] == "post_payment" for a in v.actions)]
        amount = min(round(a["args"]["amount"] * 100) for v in pays for a in v.actions if a["tool"] == "post_payment")
        chosen = pay(r, amount) + [a for v in views for a in v.actions if a["tool"] not in PAYING]
    seen: set[tuple[str, str]] = set()
    actions = []
    for action in sorted(chosen, key=lambda a: STAGES.index(a["tool"])):
        key = (
            action["tool"],
            repr(sorted((k, v) for k, v in action["args"].items() if k not in ("reason", "message"))),
        )
        if key not in seen:
            seen.add(key)
            actions.append(action)
    return outcome, actions, tags, why


def _reviewer(outcome: str, actions: Sequence[Action]) -> str:
    if outcome == "escalate":
        return "chen"
    amounts = [round(a["args"]["amount"] * 100) for a in actions if a["tool"] == "post_payment"]
    if outcome == "reject" or any(x > CLERK_LIMIT_CENTS for x in amounts):
        return "chen" if any(x > MANAGER_LIMIT_CENTS for x in amounts) else "marco"
    return "priya"


def _noise(rng: random.Random, outcome: str, actions: list[Action], r: Records) -> tuple[str, list[Action], str]:
    """One inconsistent decision, of the kinds people make."""
    kind = rng.choice(("forgot_request", "needless_escalation", "over_cautious_hold"))
    requests = [i for i, a in enumerate(actions) if a["tool"].startswith("request_")]
    if kind == "forgot_request" and requests:
        drop = rng.choice(requests)
        return outcome, [a for i, a in enumerate(actions) if i != drop], kind
    if kind == "over_cautious_hold" and outcome in ("approve", "approve_with_note"):
        return "hold", [hold(r, "double-checking")], kind
    return "escalate", [], "needless_escalation"


def label(snapshot: Mapping[str, Any], invoice_id: str, *, seed: int = 0, case_key: str | None = None) -> Label:
    """What the team decided on the invoice."""
    r = Records(snapshot, invoice_id)
    views = facet_views(r)
    if not views:
        views = [View("approve", pay(r, r.to_pay(r.match()["matched"])), "matched")]
    if (budget := _budget_view(r, views)) is not None:
        views.append(budget)
    outcome, actions, tags, why = _combine(r, views)
    key = case_key or f"{seed}:{invoice_id}"
    rng = keyed_rng(key)
    if rng.random() < NOISE_RATE:
        outcome, actions, kind = _noise(rng, outcome, actions, r)
        tags.append(f"noise:{kind}")
    note = why if outcome != "escalate" else f"escalated: {why}"
    return Label(outcome=outcome, actions=actions, decided_by=_reviewer(outcome, actions), note=note, tags=tags)
