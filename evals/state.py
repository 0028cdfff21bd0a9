"""End states, compared as tau-bench compares database states: the relevant tables, not the whole files.

The expected state of a case is what its recorded actions produce when applied directly (through the systems'
own service functions, no MCP, no mission) to the same snapshot, in an in-memory copy. The mission's end state is
read from its sandbox. Both are projected onto what a decision changes: order statuses and holds, stock on hand,
reservations (location and status), authorizations, captures and refunds (amounts), payment holds, the ship-to and
its validation, and the messages each customer was sent. Generated ids, timestamps, free text and internal notes
are left out.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping, Sequence
from functools import cache
from typing import Any

from ai_missions.errors import MissionsError
from ai_missions.integrations import crm, erp, inventory, payments, shipping
from ai_missions.integrations.catalog import SYSTEMS, TOOLS_BY_NAME
from ai_missions.integrations.loader import insert_rows
from ai_missions.integrations.schema import SCHEMAS

State = dict[str, list[tuple[Any, ...]]]

#: table -> (system, query); each query's rows are the table's relevant content, in a stable order.
PROJECTION: dict[str, tuple[str, str]] = {
    "erp.orders": ("erp", "SELECT order_id, status FROM orders ORDER BY order_id"),
    "erp.order_holds": (
        "erp",
        "SELECT order_id, status, count(*) FROM order_holds GROUP BY order_id, status ORDER BY order_id, status",
    ),
    "inventory.stock": ("inventory", "SELECT sku, location_id, on_hand FROM stock ORDER BY sku, location_id"),
    "inventory.reservations": (
        "inventory",
        "SELECT reservation_id, location_id, status FROM reservations ORDER BY reservation_id",
    ),
    "payments.authorizations": (
        "payments",
        "SELECT authorization_id, status FROM authorizations ORDER BY authorization_id",
    ),
    "payments.captures": (
        "payments",
        "SELECT authorization_id, amount_cents, count(*) FROM captures GROUP BY authorization_id, amount_cents "
        "ORDER BY authorization_id, amount_cents",
    ),
    "payments.refunds": (
        "payments",
        "SELECT capture_id, amount_cents, count(*) FROM refunds GROUP BY capture_id, amount_cents "
        "ORDER BY capture_id, amount_cents",
    ),
    "payments.payment_holds": ("payments", "SELECT hold_id, status FROM payment_holds ORDER BY hold_id"),
    "shipping.order_addresses": (
        "shipping",
        "SELECT order_id, line1, line2, city, region, postal_code, validation_status FROM order_addresses "
        "ORDER BY order_id",
    ),
    "crm.messages": (
        "crm",
        "SELECT customer_id, order_id, direction, count(*) FROM messages GROUP BY customer_id, order_id, direction "
        "ORDER BY customer_id, order_id, direction",
    ),
}

_MODULES = {"erp": erp, "crm": crm, "inventory": inventory, "payments": payments, "shipping": shipping}


def service(tool: str) -> tuple[str, Callable[..., Any]]:
    """The system and service function behind a write tool (the same function its MCP server calls)."""
    spec = TOOLS_BY_NAME[tool]
    return spec.system, getattr(_MODULES[spec.system], tool)


@cache
def _empty(system: str) -> bytes:
    """An empty in-memory database image with the system's schema (built once per process)."""
    conn = sqlite3.connect(":memory:")
    conn.executescript(SCHEMAS[system])
    image = conn.serialize()
    conn.close()
    return image


def memory_book(snapshot: Mapping[str, Any]) -> dict[str, sqlite3.Connection]:
    """An in-memory copy of a snapshot's systems, one connection per system (rows by name, like the servers)."""
    conns: dict[str, sqlite3.Connection] = {}
    for system in SYSTEMS:
        conn = sqlite3.connect(":memory:", isolation_level=None)
        conn.deserialize(_empty(system))
        conn.row_factory = sqlite3.Row
        insert_rows(conn, system, snapshot["systems"][system])
        conns[system] = conn
    return conns


def copy_book(conns: Mapping[str, sqlite3.Connection]) -> dict[str, sqlite3.Connection]:
    """An in-memory copy of open systems' databases (a page image each: much faster than re-inserting rows)."""
    copies: dict[str, sqlite3.Connection] = {}
    for system, source in conns.items():
        image = bytearray(source.serialize())
        image[18:20] = b"\x01\x01"  # rollback journal: an in-memory database cannot open a WAL-flagged image
        copy = sqlite3.connect(":memory:", isolation_level=None)
        copy.deserialize(bytes(image))
        copy.row_factory = sqlite3.Row
        copies[system] = copy
    return copies


def apply_actions(conns: Mapping[str, sqlite3.Connection], actions: Sequence[Mapping[str, Any]]) -> list[str]:
    """Apply actions in order through the service functions; returns what failed (the rest still applies)."""
    problems = []
    for index, action in enumerate(actions):
        system, function = service(str(action["tool"]))
        try:
            function(conns[system], **dict(action.get("args") or {}), idempotency_key=f"expected:{index}")
        except (MissionsError, TypeError) as exc:
            problems.append(f"action {index + 1} {action['tool']}: {exc}")
    return problems


def project(conns: Mapping[str, sqlite3.Connection]) -> State:
    """The relevant content of every compared table."""
    return {name: [tuple(row) for row in conns[system].execute(sql)] for name, (system, sql) in PROJECTION.items()}


def expected_state(snapshot: Mapping[str, Any], actions: Sequence[Mapping[str, Any]]) -> tuple[State, list[str]]:
    """The state the recorded actions produce on the snapshot, and any action that did not apply."""
    return expected_state_of(memory_book(snapshot), actions)


def expected_state_of(
    conns: Mapping[str, sqlite3.Connection], actions: Sequence[Mapping[str, Any]]
) -> tuple[State, list[str]]:
    """The same from in-memory databases already holding the snapshot (:func:`copy_book`); they are closed after."""
    try:
        problems = apply_actions(conns, actions)
        return project(conns), problems
    finally:
        for conn in conns.values():
            conn.close()


def diff(expected: State, actual: State, *, limit: int = 3) -> list[str]:
    """Where two states differ, table by table (``limit`` rows of each side per table)."""
    found = []
    for table in PROJECTION:
        want, have = set(expected.get(table, [])), set(actual.get(table, []))
        if want == have:
            continue
        missing = sorted(want - have, key=repr)[:limit]
        extra = sorted(have - want, key=repr)[:limit]
        found.append(f"{table}: expected {_rows(missing)}; found {_rows(extra)}")
    return found


def _rows(rows: Sequence[tuple[Any, ...]]) -> str:
    return ", ".join("(" + ", ".join(str(v) for v in row) + ")" for row in rows) or "nothing else"
