"""The accounts-payable book and its systems, without MCP: the seeded book, the controls the systems keep
themselves, idempotent writes, scoped snapshots, bad input, and the mission's guard invariants on invoices."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from ai_missions.graphs.invoice_approval.facts import derive_facts
from ai_missions.graphs.invoice_approval.spec import SPEC
from ai_missions.integrations import ap, budget
from ai_missions.integrations.ap_seed import COMBINATIONS, EXCEPTIONS, generate, seed_ap_book
from ai_missions.integrations.snapshot import export_snapshot, load_snapshot, read_snapshot
from ai_missions.integrations.systems import connect
from ai_missions.kernel.errors import ConflictError, NotFoundError, ValidationError
from ai_missions.nodes.guard import check_action
from tests.support.invoice_reads import gathered_of, queue


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The default book (1,500 invoices, seed 7), read only."""
    home = tmp_path_factory.mktemp("ap-book")
    seed_ap_book(1500, 7, home)
    return home


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """A small book of one's own, to write to."""
    seed_ap_book(400, 3, tmp_path)
    return tmp_path


def first(home: Path, *types: str) -> str:
    return next(i for i, t in sorted(queue(home).items()) if t == list(types))


def digest(home: Path) -> str:
    return hashlib.sha256(
        b"".join((home / "systems" / f"{s}.sqlite").read_bytes() for s in ("ap", "budget"))
    ).hexdigest()


# -- the book -------------------------------------------------------------------------------------------------------
def test_the_book_is_deterministic_and_sized() -> None:
    one, two = generate(400, 5), generate(400, 5)
    assert one == two
    assert generate(400, 6)["ap"]["invoices"] != one["ap"]["invoices"]
    assert len(one["ap"]["invoices"]) == 400


def test_every_exception_alone_and_combined_awaits_approval(book: Path) -> None:
    kinds = {tuple(types) for types in queue(book).values()}
    assert {(t,) for t in EXCEPTIONS} <= kinds
    assert {tuple(t for t in EXCEPTIONS if t in combination) for combination in COMBINATIONS} <= kinds
    assert () in kinds  # clean invoices too
    conn = connect("ap", book)
    assert conn.execute("SELECT count(*) FROM invoices").fetchone()[0] == 1500
    conn.close()


def test_the_mission_finds_exactly_what_ap_matching_flagged(book: Path) -> None:
    """The mission's own fact derivation agrees with the book on every invoice awaiting approval."""
    differ = {}
    for invoice_id, blocks in queue(book).items():
        types = derive_facts(gathered_of(book, invoice_id))["invoice.case_types"]
        if types != (blocks or ["clean_match"]):
            differ[invoice_id] = (blocks, types)
    assert not differ


# -- the systems' own controls ------------------------------------------------------------------------------------
def test_a_payment_is_never_above_the_open_amount_and_replays_its_key(home: Path) -> None:
    invoice_id = first(home)
    conn = connect("ap", home)
    invoice = ap.get_invoice(conn, invoice_id)
    with pytest.raises(ConflictError, match=r"exceeds invoice .* open amount"):
        ap.post_payment(conn, invoice_id, invoice.total + 0.01, "k-over")
    part = round(invoice.total / 2, 2)
    paid = ap.post_payment(conn, invoice_id, part, "k-1")
    assert paid.invoice.status == "partially_paid"
    assert paid.payment.discount == 0
    again = ap.post_payment(conn, invoice_id, part, "k-1")
    assert again.replayed is True
    assert again.payment.payment_id == paid.payment.payment_id
    with pytest.raises(ConflictError, match="already used"):
        ap.post_payment(conn, invoice_id, 1.0, "k-1")
    assert len(ap.get_invoice(conn, invoice_id).payments) == 1
    with pytest.raises(ConflictError, match="cannot be rejected"):
        ap.reject_invoice(conn, invoice_id, "changed our mind", "k-reject")


def test_the_discount_is_taken_only_when_settling_in_full_inside_the_window(home: Path) -> None:
    conn = connect("ap", home)
    open_with_discount = [i for i in queue(home) if not queue(home)[i] and ap.get_invoice(conn, i).discount.available]
    invoice = ap.get_invoice(conn, open_with_discount[0])
    amount = round(invoice.open_amount - invoice.discount.amount, 2)
    result = ap.post_payment(conn, invoice.invoice_id, amount, "k-disc")
    assert result.payment.discount == invoice.discount.amount > 0
    assert result.invoice.status == "paid"
    assert result.invoice.open_amount == 0
    with pytest.raises(ConflictError, match="paid"):
        ap.post_payment(conn, invoice.invoice_id, 1.0, "k-twice")


def test_an_unverified_bank_change_or_a_hold_blocks_payment(home: Path) -> None:
    invoice_id = first(home, "bank_change")
    conn = connect("ap", home)
    invoice = ap.get_invoice(conn, invoice_id)
    vendor = ap.get_vendor(conn, invoice.vendor_id)
    assert vendor.bank_changed_at is not None
    assert vendor.bank_verified is False
    with pytest.raises(ConflictError, match="not verified"):
        ap.post_payment(conn, invoice_id, 1.0, "k-bank")
    ap.request_bank_verification(conn, vendor.vendor_id, vendor.active_account_id, invoice_id, "k-rq")
    ap.verify_vendor_bank_account(conn, vendor.vendor_id, vendor.active_account_id, "treasury", "call-back", "k-v")
    assert [v.status for v in ap.get_vendor(conn, vendor.vendor_id).verifications] == ["verified"]
    ap.place_invoice_hold(conn, invoice_id, "checking", "k-hold")
    with pytest.raises(ConflictError, match="on hold"):
        ap.post_payment(conn, invoice_id, 1.0, "k-held")
    ap.release_invoice_hold(conn, invoice_id, "k-release")
    assert ap.post_payment(conn, invoice_id, 1.0, "k-ok").invoice.status == "partially_paid"


def test_budget_commitments_stop_at_what_is_available(home: Path) -> None:
    invoice_id = first(home, "budget_exceeded")
    centre = ap.get_invoice(connect("ap", home), invoice_id).cost_centre
    conn = connect("budget", home)
    available = budget.get_budget(conn, centre).available
    with pytest.raises(ConflictError, match="available budget"):
        budget.commit_budget(conn, centre, invoice_id, round(available + 0.01, 2), "k-over")
    budget.commit_budget(conn, centre, invoice_id, available, "k-all")
    assert budget.get_budget(conn, centre).available == 0
    with pytest.raises(NotFoundError, match="unknown cost centre"):
        budget.commit_budget(conn, "CC-NOPE", invoice_id, 1.0, "k-nope")


def test_invoice_numbers_compare_as_people_retype_them() -> None:
    assert ap.normalized_number("APE-03007") == ap.normalized_number("ape 0003007") == "APE3007"
    assert ap.normalized_number("INV-42") != ap.normalized_number("INV-420")


# -- snapshots and bad input --------------------------------------------------------------------------------------
def test_a_scoped_invoice_snapshot_carries_what_the_checks_need(book: Path, tmp_path: Path) -> None:
    invoice_id = first(book, "duplicate_invoice")
    snapshot = export_snapshot(home=book, invoice_ids=[invoice_id])
    assert snapshot["scope"] == {"invoices": [invoice_id]}
    assert set(snapshot["systems"]) == {"ap", "purchasing", "receiving", "budget"}
    load_snapshot(snapshot, tmp_path)
    before = derive_facts(gathered_of(book, invoice_id))
    after = derive_facts(gathered_of(tmp_path, invoice_id))
    assert after == before
    assert after["duplicate.invoice_id"] is not None
    with pytest.raises(NotFoundError, match="unknown invoice 'INV-0000'"):
        export_snapshot(home=book, invoice_ids=["INV-0000"])


@pytest.mark.parametrize(
    ("table", "change", "message"),
    [
        ("invoices", {"total_cents": None}, "bad ap.invoices rows"),
        ("invoice_lines", {"quantity": 0}, "bad ap.invoice_lines rows"),
        ("invoices", {"status": "approved-ish"}, "bad ap.invoices rows"),
    ],
)
def test_malformed_invoice_rows_are_refused_and_change_nothing(
    home: Path, tmp_path: Path, table: str, change: dict[str, Any], message: str
) -> None:
    invoice_id = first(home)
    snapshot = export_snapshot(home=home, invoice_ids=[invoice_id])
    snapshot["systems"]["ap"][table][0].update(change)
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(snapshot))
    before = digest(home)
    run = subprocess.run(
        [sys.executable, "-m", "ai_missions.cli", "systems", "import", str(bad)],
        env={"MISSIONS_HOME": str(home), "PATH": ""},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 2
    assert run.stderr.startswith(f"missions: error: {message}")
    assert len(run.stderr.strip().splitlines()) == 1
    assert digest(home) == before
    with pytest.raises(ValidationError, match="not a snapshot"):
        read_snapshot({"format": "nope"})


# -- the guard's invariants on invoices ---------------------------------------------------------------------------
FACTS = {
    "invoice.id": "INV-1",
    "invoice.cost_centre": "CC-1",
    "invoice.matched_amount": 600.0,
    "invoice.open_amount": 1000.0,
    "invoice.paid_amount": 0.0,
    "vendor.bank_verified": True,
    "budget.available": 5000.0,
    "vendor.id": "V-1",
    "vendor.bank_account_id": "BA-1",
}


def pay(amount: float, **facts: Any) -> list[str]:
    action = {"tool": "post_payment", "args": {"invoice_id": "INV-1", "amount": amount}, "policy_ids": ["AP-001@1"]}
    return check_action(SPEC, action, {**FACTS, **facts})


def test_never_pay_more_than_received_and_matched() -> None:
    assert pay(600.0) == []
    assert any("more than was received and matched" in p for p in pay(600.01))
    assert any(
        "open amount" in p for p in pay(600.0, **{"invoice.matched_amount": 2000.0, "invoice.open_amount": 500.0})
    )
    assert any("not known" in p for p in pay(100.0, **{"invoice.matched_amount": None}))


def test_never_pay_an_unverified_new_bank_account_and_never_twice() -> None:
    assert any("not verified" in p for p in pay(100.0, **{"vendor.bank_verified": False}))
    assert any("not verified" in p for p in pay(100.0, **{"vendor.bank_verified": None}))  # unknown fails closed
    assert any("never pay twice" in p for p in pay(100.0, **{"duplicate.invoice_id": "INV-0"}))
    assert any("already settled" in p for p in pay(100.0, **{"invoice.open_amount": 0.0}))
    earlier = [{"tool": "post_payment", "args": {"invoice_id": "INV-1", "amount": 50.0}}]
    action = {"tool": "post_payment", "args": {"invoice_id": "INV-1", "amount": 50.0}, "policy_ids": ["AP-001@1"]}
    assert any("already pays" in p for p in check_action(SPEC, action, FACTS, earlier=earlier))


def test_other_invoices_and_contradictory_plans_are_refused() -> None:
    other = {"tool": "post_payment", "args": {"invoice_id": "INV-2", "amount": 5.0}, "policy_ids": ["AP-001@1"]}
    assert any("not a record of this invoice" in p for p in check_action(SPEC, other, FACTS))
    reject = {"tool": "reject_invoice", "args": {"invoice_id": "INV-1", "reason": "dup"}, "policy_ids": ["AP-007@2"]}
    paid = [{"tool": "post_payment", "args": {}}]
    assert any("also pays" in p for p in check_action(SPEC, reject, FACTS, earlier=paid))
    commit = {
        "tool": "commit_budget",
        "args": {"cost_centre": "CC-1", "invoice_id": "INV-1", "amount": 5000.01},
        "policy_ids": ["AP-001@1"],
    }
    assert any("budget has available" in p for p in check_action(SPEC, commit, FACTS))
