"""Dependencies between a plan's actions are explicit (``ToolRule.depends_on``): a rejected or failed action skips
only what depends on it, and the execution order puts what an action depends on first (confirm before capture)."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from types import SimpleNamespace
from typing import Any

import pytest

from ai_missions.contracts import contract
from ai_missions.kernel.missions import ToolPolicy, ToolRule, get_mission
from ai_missions.nodes import execute

SPEC = get_mission("order-exception")


class FakeSystems:
    """Records each write; refuses nothing."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    async def call(self, tool: str, args: dict[str, Any], **_: Any) -> dict[str, Any]:
        self.calls.append(tool)
        return {"ok": True}


def _run(plan: list[tuple[str, str]], spec: Any = SPEC) -> tuple[list[str], list[str]]:
    """Run ``(tool, status)`` steps; returns each step's result status and the writes the systems saw."""
    systems = FakeSystems()

    async def fake_systems_of(*_: Any) -> FakeSystems:
        return systems

    steps = [{"index": i, "tool": t, "args": {}, "status": s, "grant": None} for i, (t, s) in enumerate(plan)]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(execute, "systems_of", fake_systems_of)
        results = asyncio.run(execute.run_actions(spec, SimpleNamespace(context=None), "D-1", steps, "execute"))  # type: ignore[arg-type]
    return [r["status"] for r in results], systems.calls


def test_a_rejected_hold_release_skips_what_needs_it_and_nothing_else() -> None:
    statuses, calls = _run(
        [
            ("apply_address_correction", "approved"),
            ("release_payment_hold", "rejected"),
            ("confirm_reservation", "approved"),
            ("capture_payment", "approved"),
            ("release_to_fulfillment", "approved"),
            ("send_customer_message", "approved"),
        ]
    )
    assert statuses == ["done", "rejected", "done", "skipped", "skipped", "skipped"]
    assert calls == ["apply_address_correction", "confirm_reservation"]


def test_a_rejected_message_skips_nothing_and_a_rejected_cancel_keeps_the_money_where_it_is() -> None:
    statuses, _ = _run([("reallocate_reservation", "approved"), ("send_customer_message", "rejected")])
    assert statuses == ["done", "rejected"]
    statuses, calls = _run(
        [
            ("cancel_order", "rejected"),
            ("void_authorization", "approved"),
            ("release_reservation", "approved"),
            ("send_customer_message", "approved"),
        ]
    )
    assert statuses == ["rejected", "skipped", "skipped", "skipped"]
    assert calls == []


def test_a_skip_carries_through_what_depends_on_the_skipped_action() -> None:
    statuses, calls = _run(
        [("reallocate_reservation", "rejected"), ("confirm_reservation", "approved"), ("capture_payment", "approved")]
    )
    assert statuses == ["rejected", "skipped", "skipped"]
    assert calls == []


def test_a_policy_without_declared_dependencies_keeps_the_cautious_default() -> None:
    plain = replace(SPEC, tools=ToolPolicy(replace(rule, depends_on=None) for rule in SPEC.tools.values()))
    statuses, _ = _run([("release_payment_hold", "rejected"), ("apply_address_correction", "approved")], plain)
    assert statuses == ["rejected", "skipped"]


def test_execution_order_confirms_the_reservation_before_the_capture() -> None:
    proposed = [
        {"tool": "send_customer_message"},
        {"tool": "capture_payment"},
        {"tool": "confirm_reservation"},
        {"tool": "release_to_fulfillment"},
        {"tool": "release_payment_hold"},
        {"tool": "reallocate_reservation"},
    ]
    assert [a["tool"] for a in SPEC.tools.in_execution_order(proposed)] == [
        "reallocate_reservation",
        "release_payment_hold",
        "confirm_reservation",
        "capture_payment",
        "release_to_fulfillment",
        "send_customer_message",
    ]


def test_a_dependency_cycle_or_a_later_phase_dependency_is_a_policy_error() -> None:
    hold = ToolRule(contract("payments").tool("release_payment_hold"), 1, depends_on=frozenset({"capture_payment"}))
    capture = ToolRule(contract("payments").tool("capture_payment"), 1, depends_on=frozenset({"release_payment_hold"}))
    with pytest.raises(ValueError, match="cycle"):
        ToolPolicy([hold, capture])
    late = ToolRule(contract("payments").tool("capture_payment"), 2)
    with pytest.raises(ValueError, match="earlier phase"):
        ToolPolicy([hold, late])
