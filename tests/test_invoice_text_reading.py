"""Issue 40 in the invoice mission: an invoice that replaces an earlier one, or one finance already posted by hand,
stated only in words (a vendor's message, the invoice's description, an AP note), is held, never paid (AP-014).
Wordings written for this test; other words (a denial, a question, a plan, a condition, the vendor's own claim of a
posting, words taken back, another invoice) leave the usual decision or leave it to a person."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from ai_missions.graphs.invoice_approval.facts import derive_facts
from ai_missions.graphs.invoice_approval.spec import SPEC
from ai_missions.integrations.ap_seed import seed_ap_book
from ai_missions.integrations.systems import connect
from ai_missions.knowledge_index.policies import load_corpus
from ai_missions.nodes.guard import check_action
from ai_missions.nodes.offline_reasoner import decide
from tests.test_invoice_bank_reading import applicable, gathered_of

SUPERSEDES = "AP-014/hold-invoice-that-replaces-another"
POSTED = "AP-014/hold-invoice-posted-by-hand"


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """What the mission gathers on a clean, matched invoice of a seeded book (paid when nothing is said)."""
    home: Path = tmp_path_factory.mktemp("ap")
    seed_ap_book(60, 3, home)
    conn = connect("ap", home)
    rows = conn.execute("SELECT invoice_id, block_reasons FROM invoices WHERE status = 'awaiting_approval'")
    invoice_id = next(i for i, reasons in sorted(tuple(r) for r in rows) if json.loads(reasons) == [])
    conn.close()
    return gathered_of(home, invoice_id)


def play(gathered: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any], list[str], list[str]]:
    facts = derive_facts(gathered)
    verdict, cited = decide(SPEC, applicable(facts["invoice.case_types"]), facts)
    return facts, verdict, cited, [a["tool"] for a in verdict["actions"]]


def with_message(gathered: dict[str, Any], body: str, about: str | None = "this") -> dict[str, Any]:
    changed = copy.deepcopy(gathered)
    invoice_id = changed["ap.get_invoice"]["invoice_id"] if about == "this" else about
    message = {"message_id": "VM-900", "invoice_id": invoice_id, "direction": "inbound", "topic": "corrected_invoice",
               "body": body, "sent_at": "2026-11-20T10:00:00Z"}  # fmt: skip
    changed["ap.get_vendor"]["messages"] = [*changed["ap.get_vendor"]["messages"], message]
    return changed


def with_note(gathered: dict[str, Any], body: str, author: str = "r.ortiz") -> dict[str, Any]:
    changed = copy.deepcopy(gathered)
    note = {"note_id": "IN-900", "author": author, "body": body, "created_at": "2026-11-20T10:00:00Z"}
    changed["ap.get_invoice"]["notes"] = [*changed["ap.get_invoice"]["notes"], note]
    return changed


def test_the_policy_loads_and_a_clean_invoice_is_paid_when_nothing_is_said(clean: dict[str, Any]) -> None:
    assert not load_corpus(SPEC.policies).problems
    facts, verdict, cited, tools = play(clean)
    assert (facts["invoice.supersedes_earlier"], facts["invoice.posted_by_hand"]) == (False, False)
    assert verdict["outcome"] == "approve", (verdict, cited)
    assert "post_payment" in tools


@pytest.mark.parametrize(
    "body",
    [
        "Please note: invoice 2231 replaces our invoice 2198 of 3 November, which had the wrong VAT rate.",
        "Diese Rechnung ersetzt unsere Rechnung Nr. 2198 vom 3. November (falscher Steuersatz).",
        "Cette facture annule et remplace la facture 2198 émise le 3 novembre.",
    ],
)
def test_a_vendor_message_that_this_invoice_replaces_another_holds_it(clean: dict[str, Any], body: str) -> None:
    facts, verdict, cited, tools = play(with_message(clean, body))
    assert facts["invoice.supersedes_earlier"] is True
    assert cited == [SUPERSEDES]
    assert verdict["outcome"] == "hold"
    assert "place_invoice_hold" in tools
    assert "post_payment" not in tools
    assert "commit_budget" not in tools


def test_the_same_words_on_the_invoice_itself_hold_it(clean: dict[str, Any]) -> None:
    changed = copy.deepcopy(clean)
    changed["ap.get_invoice"]["description"] = "Factura rectificativa: sustituye a la factura 2198 del 3 de noviembre"
    facts, _verdict, cited, _tools = play(changed)
    assert facts["invoice.supersedes_earlier"] is True
    assert cited == [SUPERSEDES]


def not_held(played: Any, fact: str, rule: str, outcome: str) -> dict[str, Any]:
    """Other words about it hold no such fact: its rule is not cited, and the usual decision stands or, unsure, a
    person decides, never paying on it. Returns the facts."""
    facts, verdict, cited, tools = played
    assert facts[fact] is not True
    assert rule not in cited
    assert verdict["outcome"] == outcome, (verdict, cited)
    if outcome == "escalate":
        assert "post_payment" not in tools
    return dict(facts)


@pytest.mark.parametrize(
    ("body", "about", "outcome"),
    [
        # a denial: the usual decision stands
        ("This invoice does not replace any earlier invoice; it is for the second delivery.", "this", "approve"),
        ("Rechnung 2231 ersetzt die Rechnung 2198 nicht; beide sind fällig.", "this", "approve"),
        # said, then taken back
        ("We issued a replacement invoice for 2198 last week, but then withdrew it; 2198 stands.", "this", "approve"),
        # about another invoice of the vendor
        ("Invoice 2231 replaces our invoice 2198.", "INV-OTHER", "approve"),
        # a question or a condition: unsure, a person decides (never paid on it)
        ("Is this a corrected invoice? We could not tell from the PDF.", "this", "escalate"),
        ("Esta factura sustituye a la factura 2198 solo si todavía no la han pagado.", "this", "escalate"),
        ("We may send a corrected invoice next week.", "this", "escalate"),
    ],
)
def test_other_words_about_a_replacement_do_not_hold_it_as_one(
    clean: dict[str, Any], body: str, about: str, outcome: str
) -> None:
    facts = not_held(play(with_message(clean, body, about)), "invoice.supersedes_earlier", SUPERSEDES, outcome)
    if outcome == "escalate":
        assert facts["invoice.supersedes_earlier"] is None


@pytest.mark.parametrize(
    "body",
    [
        "Finance posted this invoice manually to the GL on 12 Nov (JE-5531).",
        "Die Buchhaltung hat die Rechnung bereits manuell gebucht (Beleg 5531).",
        "Contabilidad ya la registró manualmente en el libro mayor.",
        "La comptabilité a déjà passé l'écriture à la main.",
    ],
)
def test_an_invoice_finance_posted_by_hand_is_held_not_posted_again(clean: dict[str, Any], body: str) -> None:
    facts, verdict, cited, tools = play(with_note(clean, body))
    assert facts["invoice.posted_by_hand"] is True
    assert cited == [POSTED]
    assert verdict["outcome"] == "hold"
    assert "commit_budget" not in tools
    assert "post_payment" not in tools


@pytest.mark.parametrize(
    ("body", "author", "outcome"),
    [
        ("Noch nicht manuell gebucht.", "r.ortiz", "approve"),
        ("Nous n'avons pas encore passé d'écriture manuelle.", "r.ortiz", "approve"),
        ("Manual journal entry made on 4 Nov, then reversed by the controller.", "r.ortiz", "approve"),
        ("Asiento manual registrado el lunes, pero luego lo anulamos.", "r.ortiz", "approve"),
        ("Finance: don't post it manually, wait for the approval.", "r.ortiz", "approve"),
        # the mission's own note is never evidence
        ("Held: a note says this invoice was already posted by hand", "mission", "approve"),
        # the vendor's own word of a posting, or a question: unsure, a person decides
        ("The vendor says it was already posted on their side.", "r.ortiz", "escalate"),
        ("Laut Lieferant bereits gebucht.", "r.ortiz", "escalate"),
        ("Is this already posted manually?", "r.ortiz", "escalate"),
    ],
)
def test_other_words_about_a_posting_do_not_hold_it_as_posted(
    clean: dict[str, Any], body: str, author: str, outcome: str
) -> None:
    not_held(play(with_note(clean, body, author)), "invoice.posted_by_hand", POSTED, outcome)


@pytest.mark.parametrize(("fact", "value"), [("invoice.supersedes_earlier", True), ("invoice.posted_by_hand", None)])
def test_the_guard_refuses_a_payment_on_an_invoice_replaced_or_posted_by_hand(
    clean: dict[str, Any], fact: str, value: bool | None
) -> None:
    """Whoever proposes it (an LLM reasoner, a reviewer's edit): no payment while the words say, or may say, that the
    invoice replaces another or was posted by hand; the unchanged facts pay as usual."""
    facts = derive_facts(clean)
    payment = {"tool": "post_payment", "args": {"invoice_id": facts["invoice.id"],
               "amount": facts["invoice.payable_amount"]}, "policy_ids": ["AP-001@1"]}  # fmt: skip
    assert check_action(SPEC, payment, facts) == []
    refused = check_action(SPEC, payment, {**facts, fact: value})
    assert any("never pay twice" in p for p in refused), refused
