"""The platform harness's support cases (``missions eval run --mission support``): the seeded helpdesk book's open
tickets, each with a snapshot of the systems around it (the customer's orders in the commerce systems, and the
ticket in the helpdesk), labelled by the independent labeller from what the customer asked (recorded when the
book was made, never read from the text).

The larger recorded set (``recorded.jsonl.gz``, 600 tickets) is replayed in-process by :mod:`.run`; this set
replays through the real MCP servers in sandboxes, like every mission's eval.
"""

from __future__ import annotations

import json
import sqlite3
import tempfile
from pathlib import Path
from typing import Any

from ai_missions.evals.api import Case, write_cases
from ai_missions.graphs.support.evals.labeller import label
from ai_missions.integrations import crm, erp, helpdesk, payments, shipping
from ai_missions.integrations.books import seed_books
from ai_missions.integrations.snapshot import export_snapshot
from ai_missions.integrations.store import get_meta
from ai_missions.integrations.systems import connect

DATA = Path(__file__).resolve().parent / "data"
CI = DATA / "ci_book.jsonl.gz"
CONDITIONS = ("order_not_found", "order_not_owned", "which_order", "unclear_request", "unreadable_message")


def _rows(conn: sqlite3.Connection, table: str, where: str = "", params: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
    return [dict(r) for r in conn.execute(f"SELECT * FROM {table} {where} ORDER BY rowid", params)]


def _record(conns: dict[str, sqlite3.Connection], order_id: str) -> dict[str, Any]:
    shipments = shipping.list_shipments(conns["shipping"], order_id).model_dump()["shipments"]
    context = erp.get_order_context(conns["erp"], order_id).model_dump()
    return {
        "order": context["order"],
        "payment": payments.get_payment(conns["payments"], order_id).model_dump(),
        "shipments": shipments,
        "returns": context["returns"],
        "variants": context["variants"],
        "shipping_address": shipping.get_address_validation(conns["shipping"], order_id).address.model_dump(
            exclude={"fingerprint"}
        ),
    }


def cases_of_book(home: Path) -> list[Case]:
    conns = {s: connect(s, home) for s in ("helpdesk", "erp", "payments", "shipping", "crm")}
    try:
        asked = json.loads(get_meta(conns["helpdesk"], "recorded_requests") or "{}")
        cases = []
        for summary in helpdesk.list_open_tickets(conns["helpdesk"]).tickets:
            ticket = helpdesk.get_ticket(conns["helpdesk"], summary.ticket_id).model_dump()
            customer = ticket["customer_id"]
            mine = [o.order_id for o in erp.list_orders(conns["erp"], customer_id=customer, limit=500).orders]
            body = ticket["messages"][0]["body"]
            quoted = [o for o in (erp.list_orders(conns["erp"], limit=500).orders) if o.order_id in body]
            request, _, reason = asked.get(ticket["ticket_id"], "").partition(":")  # "cancel_order:ordered by mistake"
            condition = request if request in CONDITIONS else None
            target = next((o for o in mine if o.split("-")[-1] in body), None)
            support_case = {
                "ticket": ticket,
                "orders": {o: _record(conns, o) for o in mine},
                "customer": crm.get_customer(conns["crm"], customer).model_dump(),
                "truth": {
                    "intents": [] if condition else [request],
                    "order_id": target,
                    "condition": condition,
                    "cancel_reason": reason or None,
                },
            }
            resolution = label(support_case)
            order_ids = mine + [o.order_id for o in quoted if o.order_id not in mine]
            # a customer without orders: the commerce systems still hold someone's (the snapshot needs them all)
            snapshot = export_snapshot(order_ids or [erp.list_orders(conns["erp"], limit=1).orders[0].order_id], home)
            snapshot["systems"]["helpdesk"] = {
                "meta": [r for r in _rows(conns["helpdesk"], "meta") if r["key"] != "recorded_requests"],
                "sequences": _rows(conns["helpdesk"], "sequences"),
                "requesters": _rows(conns["helpdesk"], "requesters", "WHERE customer_id = ?", (customer,)),
                "tickets": _rows(conns["helpdesk"], "tickets", "WHERE ticket_id = ?", (ticket["ticket_id"],)),
                "ticket_messages": _rows(
                    conns["helpdesk"], "ticket_messages", "WHERE ticket_id = ?", (ticket["ticket_id"],)
                ),
                "ticket_events": _rows(
                    conns["helpdesk"], "ticket_events", "WHERE ticket_id = ?", (ticket["ticket_id"],)
                ),
            }
            cases.append(
                Case.model_validate(
                    {
                        "case_id": f"book-{ticket['ticket_id']}",
                        "mission": "support",
                        "recorded_at": ticket["created_at"],
                        "trigger": {
                            "system": "helpdesk",
                            "event": "ticket_opened",
                            "subject_id": ticket["ticket_id"],
                            "case_types": resolution["case_types"],
                        },
                        "snapshot": snapshot,
                        "resolution": {
                            "outcome": resolution["outcome"],
                            "actions": resolution["actions"],
                            "decided_by": "support team",
                        },
                        "tags": [f"asked:{request}"],
                    }
                )
            )
        return cases
    finally:
        for conn in conns.values():
            conn.close()


def generate(out: Path | None = None, seed: int = 7) -> dict[str, Any]:
    """Seed the books in a scratch home (never ``MISSIONS_HOME``) and write its open tickets as cases."""
    with tempfile.TemporaryDirectory(prefix="missions-eval-support-") as scratch:
        home = Path(scratch)
        seed_books(home, seed=seed, sizes={"payables": 30})
        cases = cases_of_book(home)
    target = out or CI
    return {"cases": write_cases(cases, target), "path": str(target)}


if __name__ == "__main__":
    print(generate())
