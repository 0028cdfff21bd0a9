"""AP-008 through the reading layer: only a call-back verifies a new bank account (issue 28, third example)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ai_missions.graphs.invoice_approval.facts import derive_facts, verified_by_call_back
from ai_missions.graphs.invoice_approval.gather import split_context
from ai_missions.graphs.invoice_approval.spec import SPEC
from ai_missions.integrations import ap, budget, purchasing, receiving
from ai_missions.integrations.ap_seed import seed_ap_book
from ai_missions.integrations.systems import connect
from ai_missions.knowledge_index.policies import Policy, load_corpus
from ai_missions.nodes.offline_reasoner import decide


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


def queue(home: Path) -> dict[str, list[str]]:
    conn = connect("ap", home)
    rows = conn.execute("SELECT invoice_id, block_reasons FROM invoices WHERE status = 'awaiting_approval'")
    found = {r[0]: json.loads(r[1]) for r in rows}
    conn.close()
    return found


def gathered_of(home: Path, invoice_id: str) -> dict[str, Any]:
    """What the mission's gather step collects, read through the service functions its servers call."""
    conns = {s: connect(s, home) for s in ("ap", "purchasing", "receiving", "budget")}
    invoice = ap.get_invoice_context(conns["ap"], invoice_id)
    reads: list[tuple[str, Any]] = [("get_invoice_context", invoice)]
    po_id = invoice.invoice.po_id if invoice.invoice else None
    if po_id:
        reads.append(("get_purchasing_context", purchasing.get_purchasing_context(conns["purchasing"], po_id)))
        reads.append(("get_receiving_context", receiving.get_receiving_context(conns["receiving"], po_id)))
    cost_centre = invoice.invoice.cost_centre if invoice.invoice else ""
    reads.append(("get_budget_context", budget.get_budget_context(conns["budget"], cost_centre, invoice_id)))
    gathered: dict[str, Any] = {"missing": {}}
    for tool, answer in reads:
        parts, missing = split_context(tool, answer.model_dump(mode="json"))
        gathered.update(parts)
        gathered["missing"].update(missing)
    for conn in conns.values():
        conn.close()
    return gathered


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
