"""Restocks: the inventory system's stock reads show what is on its way to each location, and snapshots carry it."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from ai_missions.graphs.order_exception.evals import HANDMADE
from ai_missions.integrations import inventory
from ai_missions.integrations.snapshot import export_snapshot, load_snapshot
from ai_missions.integrations.systems import connect
from ai_missions.kernel.cases import load_cases


def _case(name: str) -> tuple[dict[str, Any], str]:
    case = next(c for c in load_cases(HANDMADE) if c.case_id == f"hm-{name}")
    return case.snapshot, case.trigger.subject_id


def test_stock_shows_open_restocks_with_their_date_and_a_snapshot_keeps_them(tmp_path: Path) -> None:
    snapshot, order_id = _case("oversell-no-stock-anywhere")
    load_snapshot(snapshot, tmp_path / "a")
    conn = connect("inventory", tmp_path / "a")
    context = inventory.get_inventory_context(conn, order_id, _skus(conn, order_id))
    restocks = [r for stock in context.stock.values() if stock for loc in stock.locations for r in loc.restocks or []]
    assert restocks
    assert {round(r.due_in_days) for r in restocks} == {12}
    # a location with nothing inbound says so (an empty list), which is not "unknown"
    assert any(loc.restocks == [] for stock in context.stock.values() if stock for loc in stock.locations)
    again = export_snapshot([order_id], tmp_path / "a")
    assert again["systems"]["inventory"]["restocks"] == snapshot["systems"]["inventory"]["restocks"]


def test_a_book_without_restocks_exports_no_restocks_table(tmp_path: Path) -> None:
    snapshot, order_id = _case("oversell-no-stock-no-restock")
    assert "restocks" not in snapshot["systems"]["inventory"]
    load_snapshot(snapshot, tmp_path / "b")
    assert "restocks" not in export_snapshot([order_id], tmp_path / "b")["systems"]["inventory"]


def _skus(conn: sqlite3.Connection, order_id: str) -> list[str]:
    return sorted({r.sku for r in inventory.get_reservations(conn, order_id).reservations})
