"""The words behind each fact read from text reach the Explain rail, the queue card's evidence and `missions show`
(issue 28): the record and field they were written in, the exact words, and whether the decision relies on them."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from ai_missions.cli import main
from ai_missions.client import MissionClient
from ai_missions.graphs.order_exception.facts import _payment_facts
from ai_missions.integrations.scan import scan_exceptions
from ai_missions.integrations.seed import story_order_id
from ai_missions.nodes.observe import read_findings
from ai_missions.nodes.reading import noting
from ai_missions.runtime import RunOutcome
from ai_missions.services.review import evidence
from ai_missions.testing import signed_in_as
from tests.support.small_home import demo_home_fixture
from tests.test_order_notes import ORDER
from tests.test_order_notes import PAYMENT as ONE_EXTRA

#: An order with a second capture of 12.50, the amount a staff note may record as an agreed upcharge.
PAYMENT = {
    **ONE_EXTRA,
    "captured_amount": 112.5,
    "captures": [ONE_EXTRA["captures"][0], {"capture_id": "CAP-2", "amount": 12.5, "refundable_amount": 12.5}],
}


def rail_for(*bodies: str) -> list[dict[str, Any]]:
    notes = {
        "notes": [
            {"note_id": f"N-{i}", "author": "care.desk", "body": body, "order_id": "SO-1"}
            for i, body in enumerate(bodies, 1)
        ]
    }
    with noting() as readings:
        _payment_facts(PAYMENT, None, ORDER, notes)
    return [dict(o) for o in read_findings(readings)]


def test_an_affirmed_fact_is_shown_with_its_words_record_and_field() -> None:
    [shown] = rail_for("cust OK'd gift wrap + express upgrade ... +$12.50 billed sep.")
    assert shown["source"] == "crm"
    assert shown["finding"].startswith("N-1 body: ")
    read = shown["data"]["read.upcharge_agreed"]
    assert read["polarity"] == "affirmed"
    assert read["words"] in "cust OK'd gift wrap + express upgrade ... +$12.50 billed sep."
    assert f'"{read["words"]}" states that' in shown["finding"]
    assert "relied on" in shown["finding"]


@pytest.mark.parametrize(
    ("body", "says", "relied"),
    [
        ("cust did NOT agree to the $12.50 express upgrade", "denies", "relied on"),
        ("cust might be ok with the 12.50 upgrade, waiting to hear back", "only hedges", "unknown"),
    ],
)
def test_a_denial_or_a_hedge_is_shown_for_what_it_is(body: str, says: str, relied: str) -> None:
    [shown] = rail_for(body)
    assert f"{says} that" in shown["finding"], shown["finding"]
    assert shown["finding"].split(": ")[-1].startswith(relied)


def test_each_note_is_shown_once_however_often_it_is_read() -> None:
    shown = rail_for("cust OK'd the +$12.50 express upgrade", "Called customer, left voicemail.")
    assert [o["finding"].split(" ")[0] for o in shown] == ["N-1"]


def test_nothing_read_outside_a_noting_context_is_kept() -> None:
    with noting() as readings:
        pass
    _payment_facts(
        PAYMENT, None, ORDER, {"notes": [{"note_id": "N-1", "body": "cust OK'd +$12.50", "order_id": "SO-1"}]}
    )
    assert readings == []


home = demo_home_fixture("reading-rail")


def _run_with_note(
    home: Path, order_id: str, note_id: str, author: str, body: str
) -> tuple[RunOutcome, list[dict[str, Any]]]:
    """Write a CRM note on the order (as its customer's, the latest of the book), then run the order mission on it:
    its outcome and its run's events."""
    with sqlite3.connect(home / "systems" / "erp.sqlite") as erp:
        customer = erp.execute("SELECT customer_id FROM orders WHERE order_id = ?", (order_id,)).fetchone()[0]
    with sqlite3.connect(home / "systems" / "crm.sqlite") as crm:
        created = crm.execute("SELECT max(created_at) FROM notes").fetchone()[0] or "2026-01-01T00:00:00Z"
        crm.execute(
            "INSERT INTO notes (note_id, customer_id, author, body, order_id, created_at) VALUES (?, ?, ?, ?, ?, ?)",
            (note_id, customer, author, body, order_id, created),
        )
    with MissionClient(home) as client:
        outcome = client.start("order-exception", order_id)
        return outcome, client.store.events(outcome.run_id)


def _shown(home: Path, run_id: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> str:
    """What ``missions show`` prints of the run, signed in as omar (ops)."""
    monkeypatch.setenv("MISSIONS_HOME", str(home))
    monkeypatch.setenv("MISSIONS_TOKEN", signed_in_as(home, "omar")["MISSIONS_TOKEN"])
    capsys.readouterr()
    assert main(["show", run_id]) == 0
    return capsys.readouterr().out


def test_a_restock_written_in_a_note_reaches_the_rail_the_queue_card_and_show(
    home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """An oversold order whose restock date only a purchasing note states: the run's evidence quotes the note."""
    short = next(e.order_id for e in scan_exceptions(home) if "oversell" in e.types)
    words = "restock ETA 21 days per supplier"
    outcome, events = _run_with_note(home, short, "N-RAIL-1", "purchasing", f"Buyer update: {words}.")
    rail = [e for e in events if e.get("kind") == "observation" and e.get("source") == "crm"]
    read = [e for e in rail if "read.restock_eta" in (e.get("data") or {})]
    assert read, [e.get("summary") for e in rail]
    assert read[0]["data"]["read.restock_eta"]["record"] == "N-RAIL-1"
    assert "restock ETA 21 days" in read[0]["data"]["read.restock_eta"]["words"]
    assert any(read[0]["data"]["read.restock_eta"]["words"] in e["finding"] for e in evidence(events))

    shown = _shown(home, outcome.run_id, capsys, monkeypatch)
    assert "N-RAIL-1 body:" in shown
    assert read[0]["data"]["read.restock_eta"]["words"] in shown


def test_a_note_the_reader_cannot_read_stops_the_mission_and_show_names_its_words(
    home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 57: an order whose note says, in words no kind of the mission reads, that the customer does not want it
    sent yet: the mission escalates naming the words; the rail and `missions show` set them off."""
    order = story_order_id(home)  # the flagship: released and shipped when nothing else is said
    assert order is not None
    said = "Customer rang: please do not send it yet, she is still deciding."
    outcome, events = _run_with_note(home, order, "N-RAIL-2", "care.desk", said)
    assert outcome.verdict is not None
    assert outcome.verdict["outcome"] == "escalate"
    assert "was not understood" in outcome.verdict["summary"]
    shown = _shown(home, outcome.run_id, capsys, monkeypatch)
    assert "Not understood" in shown
    assert "N-RAIL-2 body:" in shown
    assert "«not»" in shown or "«please»" in shown, shown
    assert any("unexplained" in (e.get("data") or {}) for e in events)
