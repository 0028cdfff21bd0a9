"""AP-008 through the reading layer: only a call-back verifies a new bank account (issue 28, third example)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ai_missions.graphs.invoice_approval.facts import derive_facts, verified_by_call_back
from ai_missions.graphs.invoice_approval.spec import SPEC
from ai_missions.integrations import ap
from ai_missions.integrations.ap_seed import seed_ap_book
from ai_missions.integrations.systems import connect
from ai_missions.knowledge_index.policies import Policy, load_corpus
from ai_missions.nodes.offline_reasoner import decide
from tests.support.invoice_reads import gathered_of, queue


def vendor(method: str | None, verified: bool = True) -> dict[str, object]:
    account = {"account_id": "BA-2", "verified_at": "2026-11-01T10:00:00Z" if verified else None}
    return {
        "bank_verified": verified,
        "active_account_id": "BA-2",
        "bank_accounts": [{**account, "verification_method": method}],
    }


@pytest.mark.parametrize(
    ("method", "verified"),
    [
        ("call-back to the number on file", True),
        ("Rückruf unter der hinterlegten Nummer, Konto bestätigt", True),
        ("verified by e-mail reply", False),
        ("supplier confirmed the new IBAN by mail", False),
    ],
)
def test_only_a_call_back_verifies(method: str, verified: bool) -> None:
    assert verified_by_call_back(vendor(method)) is verified


def test_an_unverified_account_and_an_unreadable_method() -> None:
    assert verified_by_call_back(vendor(None, verified=False)) is False
    assert verified_by_call_back(vendor(None)) is None


def applicable(types: list[str]) -> list[Policy]:
    return [p for p in load_corpus().policies if any(p.applies(t) for t in types)]


def test_an_account_verified_by_e_mail_reply_is_held_for_a_call_back_and_not_paid(tmp_path: Path) -> None:
    """Issue 28's third example, through the mission's decision: the book records the account as verified by an
    e-mail reply; AP-008 holds the invoice and asks treasury for a call-back. The same account verified by
    call-back is paid as usual."""
    seed_ap_book(60, 3, tmp_path)
    invoice_id = next(i for i, t in sorted(queue(tmp_path).items()) if t == ["bank_change"])
    conn = connect("ap", tmp_path)
    vendor = ap.get_vendor(conn, ap.get_invoice(conn, invoice_id).vendor_id)
    account = vendor.active_account_id
    ap.verify_vendor_bank_account(conn, vendor.vendor_id, account, "treasury", "verified by e-mail reply", "k-v")
    conn.close()
    gathered = gathered_of(tmp_path, invoice_id)
    facts = derive_facts(gathered)
    assert facts["vendor.bank_verified"] is False
    verdict, cited = decide(SPEC, applicable(facts["invoice.case_types"]), facts)
    assert verdict["outcome"] == "hold"
    assert "AP-008/hold-unverified-bank-change" in cited
    tools = [a["tool"] for a in verdict["actions"]]
    assert "request_bank_verification" in tools
    assert "post_payment" not in tools
    for row in gathered["ap.get_vendor"]["bank_accounts"]:
        if row["account_id"] == account:
            row["verification_method"] = "call-back to the number on file"
    called = derive_facts(gathered)
    assert called["vendor.bank_verified"] is True
    verdict, cited = decide(SPEC, applicable(called["invoice.case_types"]), called)
    assert "AP-008/hold-unverified-bank-change" not in cited
    assert verdict["outcome"] != "hold"
