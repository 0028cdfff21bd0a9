"""The state seal (nodes/trust.py): written with orjson, still accepting the seal ``json`` wrote before (a run paused
at a decision keeps its seal across the change), and holding for no other state."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ai_missions.nodes.trust import holds, json_seal, state_seal


@dataclass(frozen=True)
class Note:
    text: str


def order_state() -> dict[str, Any]:
    return {
        "subject_id": "SO-101851",
        "trigger": {"source": "manual", "subject_id": "SO-101851"},
        "gathered": {"erp.get_order": {"order_id": "SO-101851", "total": 129.5, "lines": [{"sku": "SKU-1", "qty": 2}]}},
        "facts": {"store_pickup": None, "customer_text": "Zoë — prière d'appeler", "due": dt.date(2026, 11, 25)},
        "policies": [{"policy_id": "ORD-001", "note": Note("a dataclass is written as str() writes it")}],
        "verdict": {"outcome": "proceed", "confidence": 0.95},
        "messages": ["not sealed"],
    }


def test_the_seal_holds_for_the_state_it_sealed_and_for_no_other(tmp_path: Path) -> None:
    state = order_state()
    sealed = {**state, "state_seal": state_seal(tmp_path, "R-1", state)}
    assert holds(tmp_path, "R-1", sealed)
    assert holds(tmp_path, "R-1", {**sealed, "messages": ["a field outside the seal may change"]})
    assert not holds(tmp_path, "R-2", sealed)  # another run's
    forged = {**sealed, "verdict": {"outcome": "proceed", "confidence": 0.99}}
    assert not holds(tmp_path, "R-1", forged)
    assert not holds(tmp_path, "R-1", {**state, "state_seal": None})


def test_a_seal_written_by_json_before_still_holds_and_still_refuses_a_changed_state(tmp_path: Path) -> None:
    state = order_state()
    old = json_seal(tmp_path, "R-1", state)
    assert old != state_seal(tmp_path, "R-1", {**state, "gathered": {}})
    assert holds(tmp_path, "R-1", {**state, "state_seal": old})
    assert not holds(tmp_path, "R-1", {**state, "facts": {}, "state_seal": old})


def test_a_state_orjson_cannot_write_is_sealed_as_json_writes_it(tmp_path: Path) -> None:
    state = {**order_state(), "facts": {1: "an integer key", "two": 2**70}}
    seal = state_seal(tmp_path, "R-1", state)
    assert seal == json_seal(tmp_path, "R-1", state)
    assert holds(tmp_path, "R-1", {**state, "state_seal": seal})
