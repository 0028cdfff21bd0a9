"""A recorded support ticket decided as the graph decides it: the graph's own gather step
(:func:`~ai_missions.graphs.support.gather.gathered_from`) reads the case through :class:`RecordedSystems`, which
answers each of its reads from what the case recorded, and the platform's decision on the facts
(``nodes.api.decide``: the offline reasoner over the SUP policies that apply to the case types, and the guard)
follows. The support eval plugin declares :func:`decide` as its decider: the harness scores the recorded sets with
it (``missions eval recorded --mission support``) and the tau-bench retail adapter of the eval layer decides its
tasks with it.

A recorded case (``ai-missions/support-case@1``) holds the ticket, the customer (the sender, verified: the case
records no e-mail of theirs), the orders read with their payment, shipments, returns and variants, the customer's
recent orders, and optionally their payment methods and shipping's validations of the addresses the thread writes
(``address_validations``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ai_missions.evals.api import Verdict, run_blocking
from ai_missions.graphs.support.gather import gathered_from
from ai_missions.graphs.support.parse.address_reading import same_place
from ai_missions.graphs.support.parse.resolve import same_reference
from ai_missions.mission_api import MissionSpec, get_mission
from ai_missions.nodes.api import SystemError_
from ai_missions.nodes.api import decide as decide_facts


class RecordedSystems:
    """The systems' answers as a recorded case holds them, to the reads the gather step makes. A read the case
    cannot answer fails as the system would (an order it does not hold is not found; a validation it did not
    record is unknown)."""

    def __init__(self, case: Mapping[str, Any]) -> None:
        self.ticket: Mapping[str, Any] = case["ticket"]
        self.customer: Mapping[str, Any] = case.get("customer") or {}
        self.orders: Mapping[str, Any] = case["orders"]
        self.recent: list[str] = list(case["recent_orders"])
        self.methods = case.get("payment_methods")  # a case without them (older sets) has none known
        self.validations: list[Mapping[str, Any]] = list(case.get("address_validations") or [])

    #: The reads a recorded case answers: the gather step's (the graph's first, the ticket, included), each a method
    #: of the tool's name.
    READS = frozenset(
        {"get_ticket", "get_customer", "find_customers", "find_order_reference", "list_orders",
         "list_payment_methods", "get_order_context", "get_payment", "get_shipping_context", "get_address_history",
         "validate_address"}
    )  # fmt: skip

    async def call(self, tool_name: str, args: Mapping[str, Any]) -> Any:
        if tool_name not in self.READS:
            raise SystemError_(f"{tool_name}: not a read a recorded case answers", "not_found")
        return getattr(self, tool_name)(**args)

    def _record(self, order_id: str) -> Mapping[str, Any]:
        if order_id not in self.orders:
            raise SystemError_(f"order {order_id} not found", "not_found")
        return self.orders[order_id]

    def get_ticket(self, ticket_id: str) -> dict[str, Any]:
        if ticket_id != self.ticket["ticket_id"]:
            raise SystemError_(f"ticket {ticket_id} not found", "not_found")
        return dict(self.ticket)

    def get_customer(self, customer_id: str) -> dict[str, Any]:
        if customer_id != self.ticket["customer_id"]:
            raise SystemError_(f"customer {customer_id} not found", "not_found")
        # the sender is the customer on file (the case records the sender verified): the requester's address is theirs
        sender = (self.ticket.get("requester") or {}).get("email", "")
        return {"customer_id": customer_id, **self.customer, "email": sender}

    def find_customers(self, emails: list[str], postal_codes: list[str]) -> dict[str, Any]:
        return {"customers": []}  # a case records no directory: the message names nobody else

    def find_order_reference(self, reference: str) -> dict[str, Any]:
        matches = [o for o in self.orders if same_reference(reference, o)]
        return {"matches": [{"order_id": o, "customer_id": self.orders[o]["order"]["customer_id"]} for o in matches]}

    def list_orders(self, customer_id: str, limit: int) -> dict[str, Any]:
        return {"orders": [{"order_id": o} for o in self.recent[:limit]]}

    def list_payment_methods(self, customer_id: str) -> Any:
        return self.methods

    def get_order_context(self, order_id: str) -> dict[str, Any]:
        record = self._record(order_id)
        return {"order": record["order"], "returns": record.get("returns"), "variants": record.get("variants")}

    def get_payment(self, order_id: str) -> Any:
        return self._record(order_id).get("payment")

    def get_shipping_context(self, order_id: str) -> dict[str, Any]:
        record = self._record(order_id)
        shipments = record.get("shipments")
        return {
            "shipments": {"shipments": shipments} if shipments is not None else None,
            # shipping's own copy of the ship-to; a record without one (older and imported sets) has none: empty
            "address_validation": {"address": record.get("shipping_address", {})},
        }

    def get_address_history(self, customer_id: str) -> dict[str, Any]:
        """The addresses the customer used, as the case records them: the ship-to of each of their orders."""
        own = [r["order"] for r in self.orders.values() if r["order"]["customer_id"] == customer_id]
        return {"addresses": [{"address": o["ship_to"]} for o in own if o.get("ship_to")]}

    def validate_address(self, **address: Any) -> dict[str, Any]:
        """Shipping's answer recorded for this address (``status``, ``issues``, ``suggestion``)."""
        found = next((v for v in self.validations if same_place(v.get("address") or {}, address)), None)
        if found is None:
            raise SystemError_("no validation of this address recorded", "unavailable")
        return {k: v for k, v in found.items() if k != "address"}


def trigger(case: Mapping[str, Any]) -> dict[str, Any]:
    """What raised a recorded ticket, for the harness to replay it through the graph (the ``recorded`` environment)."""
    ticket = case["ticket"]
    types = (case.get("resolution") or {}).get("case_types") or []
    return {"system": "helpdesk", "event": "ticket_recorded", "subject_id": ticket["ticket_id"], "case_types": types}


def decide(case: Mapping[str, Any], mission: MissionSpec | None = None) -> tuple[dict[str, Any], Verdict]:
    """The facts and the verdict on one recorded case: the graph's gather step reading the case, then the graph's
    offline reasoner and guard on its facts, those of ``mission`` (the plugin hands it over; by default the support
    mission as registered)."""
    update = run_blocking(gathered_from(RecordedSystems(case), case["ticket"]))  # a notebook's loop runs
    verdict, _problems = decide_facts(
        mission or get_mission("support"), update["facts"], untrusted=update["customer_text"]
    )
    return update["facts"], verdict
