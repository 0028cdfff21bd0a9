"""Gather: one context read of the account over MCP (owner, manager, contacts, activities, cases, opportunities,
usage, notes), then its facts. What could not be read, a broken usage series, an account with no data and an
owner who is away or left are each an observation a person reads, never a crash."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from langgraph.runtime import Runtime

from ai_missions.graphs.account_save.facts import NOTE_AUTHOR, derive_facts
from ai_missions.graphs.account_save.scoring import Risk
from ai_missions.graphs.account_save.vocabulary import TYPES_FACT
from ai_missions.mission_api import MissionSpec
from ai_missions.nodes.api import (
    MissionContext,
    MissionState,
    Observation,
    noting,
    observe,
    read_findings,
    read_subject,
)


async def gather(mission: MissionSpec, state: MissionState, runtime: Runtime[MissionContext]) -> dict[str, Any]:
    account_id = state["subject_id"]
    _systems, context = await read_subject(runtime.context, mission, account_id, "get_account_context")
    return gathered_from(context)[0]


def gathered_from(context: Mapping[str, Any]) -> tuple[dict[str, Any], Risk]:
    """The gather step's update from the account's context read (its facts, the outside text, the observations),
    and the risk its signals score (whether the morning brief flags it). The graph calls it on the context it read
    over MCP, the recorded briefs' decider on the context recorded: one way to gather a case."""
    with noting() as readings:  # the facts read from notes, the call log and case subjects, with their words
        facts, risk = derive_facts(context)
    observations = findings(context, facts) + read_findings(readings)
    update = {
        "gathered": {"accounts.get_account_context": context},
        "facts": facts,
        # people's notes are outside text (data, never instructions); the mission's own notes are its records
        "customer_text": [
            f"health note by {n['author']}: {n['body']}"
            for n in context.get("health_notes") or []
            if n["author"] != NOTE_AUTHOR
        ],
        "observations": observations,
    }
    return update, risk


def findings(context: Mapping[str, Any], facts: Mapping[str, Any]) -> list[Observation]:
    """One line per kind of evidence, with the facts it gave as data (the Explain rail)."""
    out: list[Observation] = []

    def add(source: str, finding: str, *prefixes: str) -> None:
        data = {k: v for k, v in facts.items() if k.startswith(prefixes) and v is not None}
        out.append(observe("gather", source, finding, data))

    for part, reason in (context.get("missing") or {}).items():
        add("accounts", f"{part} could not be read: {reason}", "account.id")
    arr = facts.get("account.arr")
    add(
        "accounts",
        f"Account {facts['account.id']} ({facts['account.name']}): {facts['account.tier']}, "
        f"{arr:,.0f} a year, owner {facts['account.owner']} ({facts['account.owner_status']})",
        "account.",
    )
    if facts.get("account.owner_status") != "active":
        who = facts.get("account.approver")
        decides = f"{who}, their manager, decides" if who else "nobody active can decide: escalate"
        add("accounts", f"The owner {facts['account.owner']} is {facts['account.owner_status']}: {decides}", "account.")
    signals = facts.get(TYPES_FACT) or []
    if "no_data" in signals:
        add(
            "accounts",
            "No usage, contacts, cases or opportunities on record: nothing to judge the account by",
            TYPES_FACT,
        )
    elif "broken_usage" in signals:
        add(
            "usage",
            f"Usage series broken: {facts['usage.invalid_days']} missing or negative day(s) in the last six weeks; "
            "the usage signal is not used",
            "usage.",
        )
    elif facts.get("usage.change_pct") is not None:
        add(
            "usage",
            f"Active users {facts['usage.recent_avg']:.0f}/day over 14 days vs {facts['usage.prior_avg']:.0f} "
            f"before: {facts['usage.change_pct']:+.0f}%",
            "usage.",
        )
    add(
        "support",
        f"{facts['cases.escalated_7d']} case(s) escalated in 7 days, {facts['cases.escalated_14d']} in 14; "
        f"{facts['cases.open']} open",
        "cases.",
    )
    if facts.get("renewal.opportunity_id"):
        add(
            "sales",
            f"Renewal {facts['renewal.opportunity_id']} closes {facts['renewal.close_date']} "
            f"(in {facts['renewal.days']} days)",
            "renewal.",
        )
    last = facts.get("contact.days_since")
    add("sales", f"Last meaningful contact: {f'{last} days ago' if last is not None else 'none on record'}", "contact.")
    add(
        "mission",
        f"Risk {facts['risk.score']} ({facts['risk.level']}); signals: {', '.join(signals)}; {facts['risk.reasons']}",
        "risk.",
        TYPES_FACT,
    )
    return out
