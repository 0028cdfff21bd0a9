"""A recorded support ticket decided as the graph decides it after its reads: the reading of the message, the
orders and items it names resolved on the recorded systems' records (the choices ``gather`` makes), the facts, the
offline reasoner over the SUP policies that apply to the case types, and the guard. The support eval plugin
declares :func:`decide` as its decider: the harness scores the recorded sets with it (``missions eval recorded
--mission support``) and the tau-bench retail adapter of the eval layer decides its tasks with it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import Any

from ai_missions.graphs.support.address_reading import read_addresses, same_place
from ai_missions.graphs.support.echo import compared_text
from ai_missions.graphs.support.facts import addresses_on_file, orders_to_read
from ai_missions.graphs.support.gather import thread_text
from ai_missions.graphs.support.resolve import lines_named, references, resolve, same_reference
from ai_missions.graphs.support.spec import SPEC
from ai_missions.graphs.support.split import case_facts
from ai_missions.graphs.support.understanding import asking_sentences, read_message
from ai_missions.graphs.support.vocabulary import TYPES_FACT
from ai_missions.knowledge_index.policies import Policy, parse_policy
from ai_missions.nodes.guard import guard
from ai_missions.nodes.offline_reasoner import reason
from ai_missions.nodes.state import Verdict


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
