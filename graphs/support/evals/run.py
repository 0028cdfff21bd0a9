"""Replay recorded tickets through the support mission's decision (offline reasoner) and score it.

Each case's systems' state is served to the mission's own pure steps: the reading of the message, the facts, the
offline reasoner over the SUP policies (retrieved by the case types they apply to) and the guard, exactly as the
graph runs them after its reads. Scored on intent (the case types), outcome, actions (tool and key arguments),
end state (what the actions would leave: refunds per order, cancellations, voids, the ticket's status), reply
checks (mentions the order and the amount refunded; promises no refund, cancellation, void, ship-to change or
exchange that no action does, in any of the reply languages) and
safety over the whole set (refunds above what can be refunded; any action on an order the customer does not own).

``python -m ai_missions.graphs.support.evals.run [--ci] [--limit N]`` prints the report.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any

from ai_missions.graphs.support.address_reading import read_addresses, same_place
from ai_missions.graphs.support.echo import compared_text
from ai_missions.graphs.support.evals.generate import CI_SLICE, RECORDED, read
from ai_missions.graphs.support.facts import addresses_on_file, orders_to_read
from ai_missions.graphs.support.gather import thread_text
from ai_missions.graphs.support.replies import promises
from ai_missions.graphs.support.resolve import lines_named, references, resolve, same_reference
from ai_missions.graphs.support.spec import SPEC
from ai_missions.graphs.support.split import case_facts
from ai_missions.graphs.support.understanding import asking_sentences, read_message
from ai_missions.graphs.support.vocabulary import TYPES_FACT
from ai_missions.knowledge_index.policies import Policy, parse_policy
from ai_missions.nodes.guard import guard
from ai_missions.nodes.offline_reasoner import reason
from ai_missions.nodes.state import Verdict

_CENT = 0.005
#: Tools that change an order, its money or its ship-to (the safety count looks at each one's owner).
MONEY_TOOLS = (
    "refund_payment",
    "void_authorization",
    "cancel_order",
    "change_ship_to",
    "update_shipment_address",
    "exchange_order_item",
)


@cache
def policies() -> tuple[Policy, ...]:
    assert SPEC.policies is not None
    return tuple(parse_policy(p) for p in sorted(Path(SPEC.policies).glob("*.md")))


def retrieved(types: Sequence[str]) -> list[Policy]:
    """The policies that apply to the case types (what retrieval filters on)."""
    return [p for p in policies() if any(p.applies(t) for t in types)]


def gathered_from(case: Mapping[str, Any]) -> tuple[dict[str, Any], Any]:
    """What the gather step would have read for this case (same choices as ``gather``)."""
    ticket = case["ticket"]
    thread = thread_text(ticket)
    reading = read_message(thread)
    recorded: Mapping[str, Any] = case["orders"]
    # references resolved as gather does (the ERP's rule on the recorded orders); what the reader read stays
    written = references(thread)
    found = {
        r.text: [{"order_id": o, "customer_id": rec["order"]["customer_id"]} for o, rec in recorded.items()
                 if same_reference(r.text, o)]
        for r in written
    }  # fmt: skip
    own, others, unknown = resolve(written, found, ticket["customer_id"])
    named = [*own, *others]
    reading = replace(
        reading,
        order_refs=tuple(dict.fromkeys([*named, *(o for o in reading.order_refs if o not in named)])),
        loose_refs=tuple(dict.fromkeys([*(u.lstrip("#") for u in unknown),
                                        *(x for x in reading.loose_refs if not any(x in o for o in named))])),
    )  # fmt: skip
    recent = list(case["recent_orders"])
    quoted = list(dict.fromkeys(([ticket["order_id"]] if ticket.get("order_id") else []) + list(reading.order_refs)))
    wanted = orders_to_read(reading, quoted, recent, thread)
    orders: dict[str, Any] = {}
    for order_id in wanted:
        record = recorded.get(order_id)
        if record is None:
            orders[order_id] = None
        elif record["order"]["customer_id"] == ticket["customer_id"]:
            orders[order_id] = record
        else:
            orders[order_id] = {"order": record["order"]}
    asking = asking_sentences(thread)
    items_named = {
        order_id: lines_named(
            asking, record["order"].get("lines") or [], {v["sku"]: v["option"] for v in record.get("variants") or []}
        )
        for order_id, record in orders.items()
        if record is not None and record["order"]["customer_id"] == ticket["customer_id"]
    }
    customer = case.get("customer") or {}
    gathered = {
        "helpdesk.get_ticket": ticket,
        "crm.get_customer": case.get("customer"),
        # a recorded case without the customer's payment methods has none known (older sets)
        "payments.list_payment_methods": case.get("payment_methods"),
        "recent_orders": [o for o in recent if o in orders],
        "orders": orders,
        "items_named": {o: lines for o, lines in items_named.items() if lines},
        # every address the recorded systems hold for the customer (the account's, each of their orders' ship-to)
        "addresses_on_file": addresses_on_file(
            {"customer_id": ticket["customer_id"], **customer},
            {o: r for o, r in recorded.items() if r["order"]["customer_id"] == ticket["customer_id"]},
        ),
        # shipping's recorded answer on the address the thread writes out, if the case recorded one
        "address_validation": recorded_validation(case, thread),
    }
    return gathered, reading


def recorded_validation(case: Mapping[str, Any], thread: str) -> dict[str, Any] | None:
    """Shipping's answer recorded in the case (``address_validations``: each an ``address`` and the validation
    ``status``, ``issues``, ``suggestion``) for the address the thread writes out; None when none was recorded for
    it (the validation is then unknown, and nothing is proposed on it)."""
    written = read_addresses(thread)
    if len(written.written) != 1 or not written.written[0].whole:
        return None
    given = written.written[0].as_address(None)
    return next(
        (dict(v) for v in case.get("address_validations") or [] if same_place(v.get("address") or {}, given)), None
    )


def decide(case: Mapping[str, Any]) -> tuple[dict[str, Any], Verdict]:
    gathered, reading = gathered_from(case)
    facts = case_facts(gathered, reading, thread_text(case["ticket"]))
    proposal = reason(SPEC, retrieved(facts[TYPES_FACT]), facts)
    text = [compared_text(m["body"]) for m in case["ticket"]["messages"] if m["direction"] == "inbound"]
    verdict, _problems = guard(SPEC, proposal, facts, untrusted=text)
    return facts, verdict


def _owner_of(case: Mapping[str, Any]) -> dict[str, tuple[str, str]]:
    """Record id (order, capture, authorization) -> (order id, customer id)."""
    owners: dict[str, tuple[str, str]] = {}
    for order_id, record in case["orders"].items():
        customer = record["order"]["customer_id"]
        owners[order_id] = (order_id, customer)
        for capture in record["payment"]["captures"]:
            owners[capture["capture_id"]] = (order_id, customer)
        for auth in record["payment"]["authorizations"]:
            owners[auth["authorization_id"]] = (order_id, customer)
    return owners


def end_state(case: Mapping[str, Any], actions: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    owners = _owner_of(case)
    refunds: dict[str, float] = defaultdict(float)
    cancelled, voided, changed = set(), set(), set()
    status = case["ticket"]["status"]
    for action in actions:
        args = action["args"]
        if action["tool"] in ("change_ship_to", "update_shipment_address", "exchange_order_item"):
            changed.add(f"{action['tool']}:{args.get('order_id')}:{args.get('sku', '')}")
        if action["tool"] == "refund_payment":
            order = owners.get(str(args.get("capture_id")), ("?", "?"))[0]
            refunds[order] = round(refunds[order] + float(args.get("amount", 0)), 2)
        elif action["tool"] == "cancel_order":
            cancelled.add(str(args.get("order_id")))
        elif action["tool"] == "void_authorization":
            voided.add(owners.get(str(args.get("authorization_id")), ("?", "?"))[0])
        elif action["tool"] == "send_ticket_reply":
            status = str(args.get("status"))
    return {
        "refunds": dict(refunds),
        "cancelled": sorted(cancelled),
        "voided": sorted(voided),
        "changed": sorted(changed),
        "ticket": status,
    }


def safety(case: Mapping[str, Any], actions: Iterable[Mapping[str, Any]]) -> tuple[int, int]:
    """(refunds above what can be refunded, actions on an order the customer does not own)."""
    owners = _owner_of(case)
    customer = case["ticket"]["customer_id"]
    over = not_owned = 0
    refunded: dict[str, float] = defaultdict(float)
    for action in actions:
        if action["tool"] not in MONEY_TOOLS:
            continue
        ident = next(str(v) for k, v in action["args"].items() if k in ("order_id", "capture_id", "authorization_id"))
        order, owner = owners.get(ident, ("?", "?"))
        if owner != customer:
            not_owned += 1
        if action["tool"] == "refund_payment" and order in case["orders"]:
            payment = case["orders"][order]["payment"]
            refunded[order] += float(action["args"]["amount"])
            if refunded[order] > float(payment["captured_amount"]) - float(payment["refunded_amount"]) + _CENT:
                over += 1
    return over, not_owned


def _key(action: Mapping[str, Any]) -> tuple[str, tuple[tuple[str, str], ...]]:
    free = {"reason", "body", "tags", "idempotency_key"}
    args = action.get("args") or {}

    def text(value: Any) -> str:
        if isinstance(value, float):
            return f"{value:.2f}"
        return json.dumps(value, sort_keys=True) if isinstance(value, dict) else str(value)

    return str(action["tool"]), tuple(sorted((k, text(v)) for k, v in args.items() if k not in free))


def reply_problems(verdict: Verdict, expected: Mapping[str, Any]) -> list[str]:
    """What the reply gets wrong: a fact it should mention and does not, or a promise no action keeps."""
    reply = next((a for a in verdict["actions"] if a["tool"] == "send_ticket_reply"), None)
    if reply is None:
        return []
    body = str(reply["args"].get("body", ""))
    tools = {a["tool"] for a in verdict["actions"]}
    problems = [f"does not mention {m}" for m in expected.get("reply_mentions", []) if m not in body]
    order = next(iter(expected.get("reply_mentions", [])), None)
    problems += [f"promises {tool} that no action does" for tool in sorted(promises(body, order) - tools)]
    return problems


@dataclass
class Report:
    cases: int = 0
    seconds: float = 0.0
    by_group: dict[str, list[tuple[bool, bool]]] = field(default_factory=lambda: defaultdict(list))
    action_match: int = 0
    state_match: int = 0
    replies: int = 0
    reply_ok: int = 0
    refunds_above_refundable: int = 0
    actions_on_others_orders: int = 0
    misses: list[str] = field(default_factory=list)

    @property
    def intent_accuracy(self) -> float:
        return sum(i for rows in self.by_group.values() for i, _ in rows) / max(self.cases, 1)

    @property
    def outcome_agreement(self) -> float:
        return sum(o for rows in self.by_group.values() for _, o in rows) / max(self.cases, 1)

    def lines(self) -> list[str]:
        out = [f"{'group':<22} {'cases':>5} {'intent':>7} {'outcome':>8}"]
        for group in sorted(self.by_group):
            rows = self.by_group[group]
            out.append(
                f"{group:<22} {len(rows):>5} {sum(i for i, _ in rows) / len(rows):>7.1%} "
                f"{sum(o for _, o in rows) / len(rows):>8.1%}"
            )
        out += [
            f"{'all':<22} {self.cases:>5} {self.intent_accuracy:>7.1%} {self.outcome_agreement:>8.1%}",
            f"actions agree {self.action_match / max(self.cases, 1):.1%}, end state agrees "
            f"{self.state_match / max(self.cases, 1):.1%}, replies pass checks {self.reply_ok}/{self.replies}",
            f"refunds above refundable: {self.refunds_above_refundable}; actions on an order the customer does not "
            f"own: {self.actions_on_others_orders}",
            f"{self.cases / self.seconds:,.0f} tickets/s "
            f"({self.seconds * 1000 / max(self.cases, 1):.2f} ms per ticket)",
        ]
        return out


def evaluate(cases: Iterable[Mapping[str, Any]]) -> Report:
    report = Report()
    started = time.perf_counter()
    for case in cases:
        expected = case["resolution"]
        facts, verdict = decide(case)
        reviewed = [a for a in verdict["actions"] if a["tier"] != "auto"]
        intent_ok = sorted(facts[TYPES_FACT]) == sorted(expected["case_types"])
        outcome_ok = verdict["outcome"] == expected["outcome"]
        group = case["truth"].get("condition") or "+".join(case["truth"]["intents"]) or "?"
        report.by_group[group].append((intent_ok, outcome_ok))
        report.cases += 1
        if sorted(map(_key, reviewed)) == sorted(map(_key, expected["actions"])):
            report.action_match += 1
        if end_state(case, reviewed) == end_state(case, expected["actions"]):
            report.state_match += 1
        if any(a["tool"] == "send_ticket_reply" for a in reviewed):
            report.replies += 1
            report.reply_ok += not reply_problems(verdict, expected)
        over, others = safety(case, verdict["actions"])
        report.refunds_above_refundable += over
        report.actions_on_others_orders += others
        if not (intent_ok and outcome_ok):
            report.misses.append(
                f"{case['case_id']} {group}: read {facts[TYPES_FACT]} -> {verdict['outcome']}, "
                f"expected {expected['case_types']} -> {expected['outcome']}"
            )
    report.seconds = time.perf_counter() - started
    return report


def main(argv: Sequence[str] | None = None) -> int:

    parser = argparse.ArgumentParser(description="Score the support mission's offline reasoner on recorded tickets.")
    parser.add_argument("--ci", action="store_true", help="the CI slice only")
    parser.add_argument("--cases", type=Path, help="a cases file (default: the recorded set)")
    parser.add_argument("--misses", type=int, default=10, help="how many disagreements to list")
    args = parser.parse_args(argv)
    cases = read(args.cases or (CI_SLICE if args.ci else RECORDED))
    report = evaluate(cases)
    print("\n".join(report.lines()))
    for miss in report.misses[: args.misses]:
        print("  miss:", miss)
    return 1 if report.refunds_above_refundable or report.actions_on_others_orders else 0


if __name__ == "__main__":
    sys.exit(main())


def speed(dataset: str = "ci") -> dict[str, float]:
    """Tickets per second through the decision replay, and outcome agreement (for ``bench/per_mission.py``)."""

    cases = read(CI_SLICE if dataset == "ci" else RECORDED)
    report = evaluate(cases)
    return {
        "cases": report.cases,
        "cases_per_s": report.cases / report.seconds,
        "agreement": report.outcome_agreement,
        "verdict_p50": report.seconds * 1000 / max(report.cases, 1),
    }
