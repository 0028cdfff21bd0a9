"""The seeded book, the trigger scan and snapshots: determinism, coverage of every exception and combination,
round trips, and exceptions disappearing once fixed."""

from __future__ import annotations

import hashlib
import json
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from ai_missions.integrations import erp, payments
from ai_missions.integrations.scan import EXCEPTION_TYPES, scan_exceptions
from ai_missions.integrations.seed import generate, seed_book, story_order_id
from ai_missions.integrations.snapshot import FORMAT, export_snapshot, load_snapshot
from ai_missions.integrations.store import from_ts, to_ts
from ai_missions.integrations.systems import connect, storage_systems, system_path
from ai_missions.kernel.errors import NotFoundError, ValidationError

COMBINATIONS = (
    {"payment_review", "address_invalid"},
    {"oversell", "phantom_inventory"},
    {"duplicate_order", "double_charge"},
    {"auth_expiring", "payment_review"},
)


def digests(home: Path) -> dict[str, str]:
    written = [s for s in storage_systems() if system_path(s, home).exists()]  # the commerce book's systems
    assert written
    return {s: hashlib.sha256(system_path(s, home).read_bytes()).hexdigest() for s in written}


def test_same_seed_same_book_byte_for_byte(tmp_path: Path) -> None:
    seed_book(400, 3, tmp_path / "a")
    seed_book(400, 3, tmp_path / "b")
    seed_book(400, 4, tmp_path / "c")
    assert digests(tmp_path / "a") == digests(tmp_path / "b")
    assert digests(tmp_path / "a") != digests(tmp_path / "c")


def test_default_book_has_every_type_and_the_combinations(missions_home: Path) -> None:
    started = time.perf_counter()
    seed_book(home=missions_home)
    assert time.perf_counter() - started < 10
    rows = scan_exceptions(missions_home)
    orders = connect("erp", missions_home).execute("SELECT COUNT(*) FROM orders").fetchone()[0]
    assert orders == 2000
    assert 0.12 <= len(rows) / orders <= 0.18
    kinds = Counter(t for r in rows for t in r.types)
    assert set(kinds) == set(EXCEPTION_TYPES)
    assert min(kinds.values()) >= 20
    combos = Counter(frozenset(r.types) for r in rows if len(r.types) > 1)
    for combo in COMBINATIONS:
        assert sum(n for c, n in combos.items() if combo <= c) >= 3, combo
    assert sum(combos.values()) >= 50
    story = story_order_id(missions_home)
    assert story is not None
    assert next(r.types for r in rows if r.order_id == story) == ["payment_review"]


@pytest.mark.parametrize("orders", [60, 300])
def test_small_books_still_cover_every_type(orders: int, missions_home: Path) -> None:
    seed_book(orders, 1, missions_home)
    rows = scan_exceptions(missions_home)
    assert {t for r in rows for t in r.types} == set(EXCEPTION_TYPES)
    assert any(len(r.types) > 1 for r in rows)


def test_payment_reviews_are_benign_and_risky(missions_home: Path) -> None:
    seed_book(600, 2, missions_home)
    conn = connect("payments", missions_home)
    reviews = [r.order_id for r in scan_exceptions(missions_home) if "payment_review" in r.types]
    reasons = [payments.get_fraud_assessment(conn, o).reason_codes for o in reviews]
    assert any(r == ["new_shipping_address"] for r in reasons)
    assert any(len(r) >= 3 for r in reasons)
    assert all(payments.get_fraud_assessment(conn, o).elevated for o in reviews)


def test_scan_follows_state_not_labels(missions_home: Path) -> None:
    seed_book(300, 5, missions_home)
    rows = scan_exceptions(missions_home)
    duplicate = next(r for r in rows if r.types == ["duplicate_order"])
    conn = connect("erp", missions_home)
    similar = erp.find_similar_orders(conn, duplicate.order_id)
    assert [m.placed_before for m in similar.matches] == [True]
    erp.cancel_order(conn, duplicate.order_id, "duplicate of " + similar.matches[0].order_id, "cancel-dup")
    after = {r.order_id for r in scan_exceptions(missions_home)}
    assert duplicate.order_id not in after
    assert len(after) == len(rows) - 1


def test_whole_snapshot_round_trip(missions_home: Path, tmp_path: Path) -> None:
    seed_book(300, 9, missions_home)
    pending = erp.list_orders(connect("erp", missions_home), status="pending", limit=1).orders[0].order_id
    erp.place_order_hold(connect("erp", missions_home), pending, "a write before export", "k-export")
    whole = export_snapshot(home=missions_home)
    assert whole["format"] == FORMAT
    assert whole["scope"] == {"orders": "all"}
    assert whole["book"]["book_now"] == "2026-03-16T15:00:00Z"
    other = tmp_path / "other"
    load_snapshot(json.loads(json.dumps(whole)), other)
    assert export_snapshot(home=other) == whole
    assert scan_exceptions(other) == scan_exceptions(missions_home)
    replay = erp.place_order_hold(connect("erp", other), pending, "a write before export", "k-export")
    assert replay.replayed  # idempotency records travel with the book


def test_scoped_snapshot_behaves_like_the_book(missions_home: Path, tmp_path: Path) -> None:
    seed_book(400, 8, missions_home)
    rows = scan_exceptions(missions_home)
    picked = [
        next(r for r in rows if set(r.types) == combo)
        for combo in COMBINATIONS
        if any(set(r.types) == combo for r in rows)
    ]
    picked.append(next(r for r in rows if r.order_id == story_order_id(missions_home)))
    assert len(picked) >= 3
    for row in picked:
        snapshot = export_snapshot([row.order_id], missions_home)
        assert snapshot["scope"] == {"orders": [row.order_id]}
        case_home = tmp_path / row.order_id
        load_snapshot(snapshot, case_home)
        found = {r.order_id: r for r in scan_exceptions(case_home)}
        assert found[row.order_id] == row
        original, loaded = connect("erp", missions_home), connect("erp", case_home)
        assert erp.get_order(loaded, row.order_id) == erp.get_order(original, row.order_id)


def test_a_snapshot_load_holds_only_its_scope(missions_home: Path, tmp_path: Path) -> None:
    """A case's sandbox is built from its own order's rows, never a copy of the whole book: what keeps a load cheap
    (its time is a figure of ``bench/replay_budget.py``, not a timed test)."""
    seed_book(300, 8, missions_home)
    order_id = scan_exceptions(missions_home)[0].order_id
    snapshot = export_snapshot([order_id], missions_home)
    for i in range(3):  # loaded again and again, each sandbox holds the one order, as exported
        case_home = tmp_path / f"case{i}"
        load_snapshot(snapshot, case_home)
        loaded = connect("erp", case_home)
        assert [r[0] for r in loaded.execute("SELECT order_id FROM orders")] == [order_id]
        assert erp.get_order(loaded, order_id) == erp.get_order(connect("erp", missions_home), order_id)
    assert connect("erp", missions_home).execute("SELECT count(*) FROM orders").fetchone()[0] == 300


def test_snapshot_errors(missions_home: Path, tmp_path: Path) -> None:
    seed_book(60, 1, missions_home)
    with pytest.raises(NotFoundError, match="SO-1"):
        export_snapshot(["SO-1"], missions_home)
    with pytest.raises(ValidationError, match="format"):
        load_snapshot({"format": "something/else"}, tmp_path / "x")
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(ValidationError, match="not JSON"):
        load_snapshot(bad, tmp_path / "x")
    with pytest.raises(ValidationError, match="orders"):
        generate(orders=0)


def test_a_stored_timestamp_is_parsed_once_and_each_text_gives_its_own_moment() -> None:
    first = from_ts("2026-03-01T10:00:00Z")
    assert first == datetime(2026, 3, 1, 10, tzinfo=UTC)
    assert from_ts("2026-03-01T10:00:00Z") is first  # kept: a datetime cannot be changed
    assert from_ts("2026-03-01T10:00:01Z") == first + timedelta(seconds=1)  # another text is parsed, not served
    assert from_ts(to_ts(first + timedelta(days=2))) == first + timedelta(days=2)
    with pytest.raises(ValueError, match="does not match"):
        from_ts("2026-03-01 10:00")
