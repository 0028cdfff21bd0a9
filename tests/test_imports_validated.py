"""Imports are validated as the systems would: a wrong type, a malformed moment or a negative amount is refused
with one line, and the sandbox is left as it was (the trigger scan still reads it)."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ai_missions.integrations.scan import scan_exceptions
from ai_missions.integrations.seed import seed_book
from ai_missions.integrations.snapshot import export_snapshot, load_snapshot, load_snapshot_in_place
from ai_missions.kernel.errors import ValidationError

Corruption = Callable[[dict[str, Any]], None]


def first(snapshot: dict[str, Any], system: str, table: str) -> dict[str, Any]:
    row: dict[str, Any] = snapshot["systems"][system][table][0]
    return row


CORRUPTIONS: dict[str, Corruption] = {
    "amount as text": lambda s: first(s, "erp", "orders").update(total_cents="a lot"),
    "amount with a fraction of a cent": lambda s: first(s, "erp", "orders").update(total_cents=1234.5),
    "moment in another format": lambda s: first(s, "erp", "orders").update(placed_at="yesterday"),
    "moment as a number": lambda s: first(s, "erp", "orders").update(updated_at=1700000000),
    "negative amount": lambda s: first(s, "erp", "orders").update(shipping_cents=-500),
    "count as text": lambda s: first(s, "erp", "order_lines").update(quantity="two"),
}


@pytest.fixture
def book(missions_home: Path) -> tuple[Path, dict[str, Any], int]:
    seed_book(300, 7, missions_home)
    before = len(scan_exceptions(missions_home))
    order_id = scan_exceptions(missions_home)[0].order_id
    return missions_home, export_snapshot([order_id], missions_home), before


@pytest.mark.parametrize("corruption", list(CORRUPTIONS), ids=list(CORRUPTIONS))
def test_a_corrupt_import_is_refused_and_changes_nothing(
    book: tuple[Path, dict[str, Any], int], corruption: str
) -> None:
    home, snapshot, before = book
    bad = copy.deepcopy(snapshot)
    CORRUPTIONS[corruption](bad)
    erp = (home / "systems" / "erp.sqlite").read_bytes()
    with pytest.raises(ValidationError, match=r"^bad erp\.(orders|order_lines) rows: ") as refused:
        load_snapshot(json.dumps(bad), home)
    assert "\n" not in str(refused.value)
    with pytest.raises(ValidationError, match=r"^bad erp\."):
        load_snapshot_in_place(bad, home)
    assert (home / "systems" / "erp.sqlite").read_bytes() == erp
    assert len(scan_exceptions(home)) == before


def test_a_sound_import_still_loads(book: tuple[Path, dict[str, Any], int]) -> None:
    home, snapshot, _ = book
    load_snapshot(snapshot, home)
    assert len(scan_exceptions(home)) >= 1
