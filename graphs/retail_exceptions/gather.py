"""Gather: the OMS's order context first (it names the SKU and the location), then store inventory's stock context
for that SKU at every location. A system that fails becomes an observation and its facts stay unknown. An order
naming a store that store inventory does not know is a finding (``store.known`` false), not a crash."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from langgraph.runtime import Runtime

from ai_missions.graphs.retail_exceptions.facts import context_location, derive_facts
from ai_missions.graphs.retail_exceptions.vocabulary import TYPES_FACT
from ai_missions.mission_api import MissionsError, MissionSpec
from ai_missions.nodes.api import (
    UNEXPLAINED,
    MissionContext,
    MissionState,
    Observation,
    OfflineReader,
    Source,
    Text,
    noting,
    observe,
    place_texts,
    read_findings,
    read_subject,
    unexplained_facts,
)

#: What people wrote on the order is read by the reading layer's rules.
READER = OfflineReader(semantic=False)
#: The kinds of fact this mission decides on from what people wrote: none yet (no retail clause decides on a refusal
#: or a declined substitute written in a note). A kind read but decided on by nothing would place a statement the
#: mission then ignores, so every statement on the order that bears on a decision is unexplained (issue 57), and
#: the mission acts on nothing of its own while one is.
KINDS_READ: tuple[str, ...] = ()
#: Who the notes the platform writes through the OMS are by: its own records, never evidence.
OWN_NOTES = "ai-missions"


async def gather(mission: MissionSpec, state: MissionState, runtime: Runtime[MissionContext]) -> dict[str, Any]:
    order_id = state["subject_id"]
    systems, first = await read_subject(runtime.context, mission, order_id, part="order")
    order = first["order"]
    gathered: dict[str, Any] = {
        "oms.order": order,
        "oms.customer": first.get("customer"),
        "oms.returns": first.get("returns"),
        "oms.notices": first.get("notices"),
        "oms.credits": first.get("credits"),
        "oms.notes": first.get("notes"),
    }
    observations: list[Observation] = [
        observe("gather", "oms", f"oms.{part} failed: {reason}", {"read": part, "error": reason})
        for part, reason in (first.get("missing") or {}).items()
    ]
    skus = [line["sku"] for line in order.get("lines", [])][:20]
    location = context_location(order)
    try:
        context = await systems.call("get_stock_context", {"skus": skus, "location_id": location})
    except MissionsError as exc:
        context = None
        observations.append(observe("gather", "stores", f"stock context failed: {exc}", {"error": str(exc)}))
    gathered["stores.stock_context"] = context
    if context:
        for part, reason in (context.get("missing") or {}).items():
            finding = (
                f"Location {location} is not a store or DC that store inventory knows: the order cannot be "
                "fulfilled there"
                if part == "location" and reason.startswith("NotFoundError")
                else f"stores.{part} failed: {reason}"
            )
            observations.append(observe("gather", "stores", finding, {"read": part, "error": reason}))
    facts = derive_facts(gathered)
    with noting() as readings:  # what people wrote on the order, each statement placed, for the rail
        names = [str((first.get("customer") or {}).get("name") or "")]
        facts[UNEXPLAINED] = unexplained_facts(place_texts(texts_about(gathered), KINDS_READ, READER, known=names))
    observations.extend(findings(facts))
    observations.extend(read_findings(readings))
    untrusted = [t.text for t in texts_about(gathered)]
    return {"gathered": gathered, "facts": facts, "customer_text": untrusted, "observations": observations}


def findings(facts: Mapping[str, Any]) -> list[Observation]:
    """One line per system for a person, with the facts it contributed (the evidence on the Explain rail)."""

    def pick(*prefixes: str) -> dict[str, Any]:
        return {k: v for k, v in facts.items() if k.startswith(prefixes) and v is not None}

    how = f"pickup at {facts['order.pickup_store']}" if facts["order.fulfilment"] == "pickup" else "ship"
    out = [
        observe(
            "gather",
            "oms",
            f"Order {facts['order.id']} ({facts['order.status']}, {how}, {facts['customer.tier']} customer): "
            f"{facts['order.quantity']} x {facts['order.sku']}, {facts['order.total']}, allocated to "
            f"{facts['order.location']}; monitors flagged {', '.join(facts['retail.flags']) or 'nothing'}",
            pick("order.", "customer.", "retail.flags", "return."),
        )
    ]
    if facts.get("stock.reliable") is not None:
        alt = facts.get("alt.location") or "none"
        substitute = (
            f"; substitute {facts['sub.sku']} at {facts['sub.location']} ({facts['sub.price_difference']:+.2f} a unit, "
            f"the customer pays at most the order's price)"
            if facts.get("sub.exists")
            else ""
        )
        out.append(
            observe(
                "gather",
                "stores",
                f"{facts['order.location']} shows {facts['stock.on_hand']} on hand, the count supports "
                f"{facts['stock.reliable']} ({facts['stock.phantom_units']} phantom); same item elsewhere: {alt}"
                f"{substitute}; compared best: {facts.get('alt.best') or 'unknown'}",
                pick("stock.", "alt.", "sub.", "inbound.", "promo.", "store."),
            )
        )
    types = facts.get(TYPES_FACT) or []
    out.append(observe("gather", "mission", f"Exceptions: {', '.join(types)}", pick(TYPES_FACT, "retail.")))
    return out


def texts_about(gathered: Mapping[str, Any]) -> list[Text]:
    """What people wrote on the order: the OMS's notes on it by store or service staff (the platform's own
    excepted), with when each was written."""
    return [
        Text(
            Source("oms", str(n["note_id"]), "order note", writer="staff"), str(n["body"]), str(n.get("added_at") or "")
        )
        for n in gathered.get("oms.notes") or []
        if n.get("author") != OWN_NOTES
    ]
