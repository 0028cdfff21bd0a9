"""A cluster of three or more copies of one order keeps one order, the same whichever copy a mission runs on, and
is settled in one decision that cancels every other open copy and settles each one fully (its authorization voided,
what is left on its captures refunded exactly, its reservations released), after its cancellation."""

from __future__ import annotations

from typing import Any

from ai_missions.graphs.order_exception.facts import _duplicate_facts
from ai_missions.graphs.order_exception.spec import SPEC
from ai_missions.nodes.guard import check_actions
from tests.test_every_clause_fires import copies, run

PLACED = {"SO-1": 0.0, "SO-2": 12.0, "SO-3": 12.0, "SO-4": 30.0}
STATUS = {"SO-1": "shipped", "SO-2": "pending", "SO-3": "pending", "SO-4": "payment_review"}


def similar(order_id: str, placed: dict[str, float] = PLACED, status: dict[str, str] = STATUS) -> dict[str, Any]:
    """What the ERP's find_similar_orders answers for one copy of the cluster."""
    me = placed[order_id]
    return {
        "order_id": order_id,
        "matches": [
            {
                "order_id": other,
                "status": status[other],
                "minutes_apart": abs(me - at),
                "placed_before": (at, other) < (me, order_id),
            }
            for other, at in placed.items()
            if other != order_id
        ],
    }


def test_every_later_copy_names_the_first_copy_kept_even_when_it_shipped() -> None:
    kept = {o: _duplicate_facts(similar(o)).get("duplicate.original_order_id") for o in ("SO-2", "SO-3", "SO-4")}
    assert kept == {"SO-2": "SO-1", "SO-3": "SO-1", "SO-4": "SO-1"}
    assert _duplicate_facts(similar("SO-4"))["duplicate.copies"] == 4
    assert _duplicate_facts(similar("SO-4"))["duplicate.original_status"] == "shipped"


def test_the_first_copy_is_no_duplicate_and_a_tie_keeps_the_lower_id() -> None:
    assert _duplicate_facts(similar("SO-1")) == {}
    placed = {o: at for o, at in PLACED.items() if o != "SO-1"}
    assert _duplicate_facts(similar("SO-3", placed))["duplicate.original_order_id"] == "SO-2"
    assert _duplicate_facts(similar("SO-4", placed))["duplicate.original_order_id"] == "SO-2"


# A cancelled copy came first; then four open copies, the last one placed long after the others.
CLUSTER = {"SO-0": -5.0, "SO-1": 0.0, "SO-2": 12.0, "SO-3": 12.0, "SO-4": 30.0, "SO-9": 400.0}
OPEN = {"SO-0": "cancelled", "SO-1": "pending", "SO-2": "pending", "SO-3": "pending", "SO-4": "pending"}
OPEN["SO-9"] = "pending"


def copy_records(order_id: str, captured: float = 0.0) -> dict[str, Any]:
    """What the copy's payment and inventory context reads answer (read under ``key:order_id``)."""
    n = order_id.removeprefix("SO-")
    capture = [{"capture_id": f"CAP-{n}", "amount": captured, "refundable_amount": captured}] if captured else []
    return {
        f"payments.get_payment:{order_id}": {
            "authorizations": [
                {
                    "authorization_id": f"AUTH-{n}",
                    "status": "captured" if captured else "authorized",
                    "amount": 120.0,
                    "expires_in_hours": 100.0,
                }
            ],
            "captures": capture,
        },
        f"inventory.get_reservations:{order_id}": {
            "reservations": [
                {
                    "reservation_id": f"RES-{n}",
                    "status": "pending",
                    "sku": "SKU-A",
                    "location_id": "LYON",
                    "quantity": 2,
                },
                {"reservation_id": f"RES-{n}x", "status": "released", "sku": "SKU-A", "location_id": "LYON"},
            ]
        },
    }


def decision_on(
    order_id: str, captured: dict[str, float] | None = None, unread: str | None = None
) -> tuple[dict[str, Any], Any]:
    """The decision of the mission on one copy, the other copies' records read as the gather step reads them
    (``captured``: copies whose payment was captured, by amount; ``unread``: a copy whose reads failed)."""
    answer = similar(order_id, CLUSTER, OPEN)
    matches = [(m["order_id"], m["status"], m["minutes_apart"], m["placed_before"]) for m in answer["matches"]]

    def rename(g: dict[str, Any]) -> None:
        g["erp.get_order"]["order_id"] = order_id
        g["erp.find_similar_orders"]["order_id"] = order_id
        g["payments.get_payment"]["authorizations"][0]["authorization_id"] = f"AUTH-{order_id.removeprefix('SO-')}"
        g["inventory.get_reservations"]["reservations"][0]["reservation_id"] = f"RES-{order_id.removeprefix('SO-')}"
        for other in CLUSTER:
            if other != order_id and other != unread:
                g.update(copy_records(other, (captured or {}).get(other, 0.0)))

    facts, verdict, _ = run([rename, copies(*matches)])
    return facts, verdict


def test_one_decision_cancels_every_other_copy_and_keeps_the_earliest_open_one_whichever_copy_runs() -> None:
    settled = {}
    for copy_id in ("SO-2", "SO-3", "SO-4"):
        facts, verdict = decision_on(copy_id)
        assert verdict["outcome"] == "cancel", verdict["summary"]
        assert facts["duplicate.original_order_id"] == "SO-1"  # SO-0 came first but is cancelled
        cancelled = {a["args"]["order_id"] for a in verdict["actions"] if a["tool"] == "cancel_order"}
        settled[copy_id] = cancelled
        assert check_actions(SPEC, verdict["actions"], facts) == []
        # every cancelled copy's authorization and reservation are settled too; the kept order is never touched
        voided = {a["args"]["authorization_id"] for a in verdict["actions"] if a["tool"] == "void_authorization"}
        released = {a["args"]["reservation_id"] for a in verdict["actions"] if a["tool"] == "release_reservation"}
        assert voided == {"AUTH-2", "AUTH-3", "AUTH-4"}
        assert released == {"RES-2", "RES-3", "RES-4"}  # not the released RES-3x, nor the kept RES-1
        assert not [a for a in verdict["actions"] if a["args"].get("order_id") == "SO-1" and a["tool"] != "add_note"]
        # dependency order: every cancellation runs before any void or release, which depend on it
        tools = [a["tool"] for a in verdict["actions"]]
        last_cancel = max(i for i, t in enumerate(tools) if t == "cancel_order")
        assert all(i > last_cancel for i, t in enumerate(tools) if t in ("void_authorization", "release_reservation"))
        assert SPEC.tools.depends("void_authorization", "cancel_order")
        assert SPEC.tools.depends("release_reservation", "cancel_order")
        message = next(a for a in verdict["actions"] if a["tool"] == "send_customer_message")
        assert "kept order SO-1 and cancelled SO-2, SO-3 and SO-4;" in message["args"]["body"]
    assert settled == {key: {"SO-2", "SO-3", "SO-4"} for key in ("SO-2", "SO-3", "SO-4")}


def test_a_captured_copy_is_refunded_exactly_what_is_left_on_its_capture() -> None:
    facts, verdict = decision_on("SO-2", captured={"SO-4": 95.5})
    assert verdict["outcome"] == "cancel", verdict["summary"]
    refunds = [
        (a["args"]["capture_id"], a["args"]["amount"]) for a in verdict["actions"] if a["tool"] == "refund_payment"
    ]
    assert refunds == [("CAP-4", 95.5)]
    voided = {a["args"]["authorization_id"] for a in verdict["actions"] if a["tool"] == "void_authorization"}
    assert voided == {"AUTH-2", "AUTH-3"}  # SO-4's authorization was captured: refunded, not voided
    assert check_actions(SPEC, verdict["actions"], facts) == []
    more = [
        {**a, "args": {**a["args"], "amount": 95.51}} if a["tool"] == "refund_payment" else a
        for a in verdict["actions"]
    ]
    assert any("exceeds what is left on CAP-4" in p for p in check_actions(SPEC, more, facts))


def test_a_copy_whose_records_cannot_be_read_escalates_rather_than_cancel_it_half() -> None:
    facts, verdict = decision_on("SO-2", unread="SO-4")
    assert facts["duplicate.other_authorization_ids"] is None
    assert verdict["outcome"] == "escalate"


def test_the_guard_settles_only_the_cluster_copies_records_and_only_after_cancelling() -> None:
    facts, _ = decision_on("SO-3")
    cited = {"policy_ids": ["ORD-001@6"], "tier": "review"}
    cancel = {**cited, "tool": "cancel_order", "args": {"order_id": "SO-4", "reason": "duplicate"}}
    for tool, arg, outside in (
        ("void_authorization", "authorization_id", "AUTH-1"),  # the kept order's
        ("void_authorization", "authorization_id", "AUTH-9"),  # a copy outside the cluster
        ("release_reservation", "reservation_id", "RES-1"),
        ("release_reservation", "reservation_id", "RES-0"),  # the cancelled first copy
        ("refund_payment", "capture_id", "CAP-1"),
    ):
        action = {
            **cited,
            "tool": tool,
            "args": {arg: outside, **({"amount": 1.0} if tool == "refund_payment" else {})},
        }
        assert any(f"{arg}={outside!r}" in p for p in check_actions(SPEC, [cancel, action], facts)), outside
    void = {**cited, "tool": "void_authorization", "args": {"authorization_id": "AUTH-4"}}
    assert check_actions(SPEC, [cancel, void], facts) == []
    assert any("[cluster-settle]" in p for p in check_actions(SPEC, [void], facts))
    # cancelling one copy does not license voiding another copy's authorization (it would ship unpaid)
    cancel_2 = {**cancel, "args": {"order_id": "SO-2", "reason": "duplicate"}}
    assert any("[cluster-settle]" in p and "SO-4" in p for p in check_actions(SPEC, [cancel_2, void], facts))
    release = {**cited, "tool": "release_reservation", "args": {"reservation_id": "RES-4"}}
    assert any("[cluster-settle]" in p for p in check_actions(SPEC, [cancel_2, release], facts))


def test_a_copy_placed_hours_later_is_its_own_question_not_part_of_the_cluster() -> None:
    facts, verdict = decision_on("SO-9")
    assert facts["duplicate.other_copy_ids"] == []
    assert facts["duplicate.minutes_apart"] > 60
    assert verdict["outcome"] == "hold"
    assert "SO-9" not in decision_on("SO-4")[0]["duplicate.other_copy_ids"]


def test_the_guard_refuses_cancelling_the_kept_order_or_an_order_outside_the_cluster() -> None:
    facts, verdict = decision_on("SO-3")
    for other in ("SO-1", "SO-9", "SO-0"):
        edited = [
            {**a, "args": {**a["args"], "order_id": other}} if a["tool"] == "cancel_order" else a
            for a in verdict["actions"]
        ]
        assert any("order_id" in p for p in check_actions(SPEC, edited, facts)), other


def test_the_trigger_starts_one_mission_per_cluster() -> None:
    from ai_missions.graphs.order_exception.trigger import one_per_cluster

    def dup(order_id: str, earlier: str, *more: str) -> dict[str, Any]:
        detail = f"same items as {earlier}, placed 9.0 min earlier"
        return {"order_id": order_id, "types": ["duplicate_order", *more], "details": {"duplicate_order": detail}}

    rows = [dup("SO-2", "SO-1"), dup("SO-3", "SO-2"), dup("SO-4", "SO-3", "payment_review"), dup("SO-8", "SO-7")]
    rows += [dup("SO-6", "SO-4"), {"order_id": "SO-5", "types": ["oversell"], "details": {"oversell": "short"}}]
    rows.append({"order_id": "SO-7", "types": ["payment_review"], "details": {}})  # a kept order in review
    # SO-3 is settled by SO-2's decision; SO-4 also needs its fraud review; another customer's pair stays
    assert one_per_cluster(rows) == {
        "SO-2": ["duplicate_order"],
        "SO-4": ["duplicate_order", "payment_review"],
        "SO-8": ["duplicate_order"],
        "SO-5": ["oversell"],
        "SO-7": ["payment_review"],
    }


class CannedSystems:
    """The systems' context reads, answered from ``copy_records`` and the cluster above; calls are counted."""

    def __init__(self, order_id: str) -> None:
        self.order_id = order_id
        self.calls: list[tuple[str, str]] = []

    async def call(self, tool: str, args: dict[str, Any], **_: Any) -> dict[str, Any]:
        self.calls.append((tool, str(args.get("order_id") or args.get("customer_id"))))
        order_id = args.get("order_id")
        if tool == "get_order_context":
            lines = [{"sku": "SKU-A", "quantity": 2}]
            order = {"order_id": order_id, "customer_id": "C-1", "status": "pending", "lines": lines, "total": 120.0}
            order |= {"channel": "web", "age_hours": 1.0, "currency": "EUR"}
            return {"order": order, "similar_orders": similar(str(order_id), CLUSTER, OPEN)}
        if tool == "get_payment_context":
            return {"payment": copy_records(str(order_id))[f"payments.get_payment:{order_id}"]}
        if tool == "get_inventory_context":
            return {"reservations": copy_records(str(order_id))[f"inventory.get_reservations:{order_id}"], "stock": {}}
        return {}


def test_gather_reads_each_other_copy_once_per_system_alongside_the_order() -> None:
    import asyncio

    from langgraph.runtime import Runtime

    from ai_missions.graphs.order_exception.gather import gather
    from ai_missions.nodes.context import MissionContext

    systems = CannedSystems("SO-3")
    runtime = Runtime(context=MissionContext(systems=systems))
    out = asyncio.run(gather(SPEC, {"subject_id": "SO-3"}, runtime))
    # five reads for the order, two per other open copy (SO-2 and SO-4); none for the kept SO-1 or SO-0, SO-9
    assert len(systems.calls) == 5 + 2 * 2
    copies_read = sorted((o, t) for t, o in systems.calls if o not in ("SO-3", "C-1"))
    assert copies_read == [(o, t) for o in ("SO-2", "SO-4") for t in ("get_inventory_context", "get_payment_context")]
    facts = out["facts"]
    assert facts["duplicate.other_copy_ids"] == ["SO-2", "SO-4"]
    assert facts["duplicate.other_authorization_ids"] == ["AUTH-2", "AUTH-4"]
    assert facts["duplicate.other_reservation_ids"] == ["RES-2", "RES-4"]
    assert facts["payment.authorization_id"] == "AUTH-3"  # the order's own records stay its own


def test_a_rejected_cancellation_of_one_copy_skips_that_copys_void_and_release_only() -> None:
    import asyncio
    from types import SimpleNamespace

    import pytest

    from ai_missions.nodes import execute

    facts, verdict = decision_on("SO-3")
    assert facts["duplicate.other_copy_records"] == {
        "AUTH-2": "SO-2",
        "RES-2": "SO-2",
        "AUTH-4": "SO-4",
        "RES-4": "SO-4",
    }
    written: list[tuple[str, dict[str, Any]]] = []

    class Systems:
        async def call(self, tool: str, args: dict[str, Any], **_: Any) -> dict[str, Any]:
            written.append((tool, {k: v for k, v in args.items() if k != "idempotency_key"}))
            return {"ok": True}

    async def systems_of(*_: Any) -> Systems:
        return Systems()

    steps = [
        {
            "index": i,
            "tool": a["tool"],
            "args": a["args"],
            "status": "rejected" if a["tool"] == "cancel_order" and a["args"]["order_id"] == "SO-4" else "approved",
            "grant": None,
        }
        for i, a in enumerate(verdict["actions"])
    ]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(execute, "systems_of", systems_of)
        runtime = SimpleNamespace(context=None)
        results = asyncio.run(execute.run_actions(SPEC, runtime, "D-1", steps, "execute", facts))  # type: ignore[arg-type]
    done = {tuple(sorted(r["args"].items())) for r in results if r["status"] == "done"}
    skipped = {(r["tool"], tuple(sorted(r["args"].items()))) for r in results if r["status"] == "skipped"}
    assert (("authorization_id", "AUTH-4"),) not in done
    assert (("reservation_id", "RES-4"),) not in done
    assert ("void_authorization", (("authorization_id", "AUTH-4"),)) in skipped
    assert ("release_reservation", (("reservation_id", "RES-4"),)) in skipped
    for record in ("AUTH-2", "RES-2", "AUTH-3", "RES-3"):  # the other copies, and this order, are settled
        assert any(record in args.values() for _, args in written), record
    assert "send_customer_message" in {t for t, _ in skipped}  # the customer is told nothing half-true
    # without the facts that tell the copies apart, a rejected cancellation holds back every settling action
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(execute, "systems_of", systems_of)
        blind = asyncio.run(execute.run_actions(SPEC, runtime, "D-2", steps, "execute"))  # type: ignore[arg-type]
    assert {r["tool"] for r in blind if r["status"] == "done"} == {"cancel_order"}
