"""The policy corpus: every file is well formed, the clauses cover every exception type and say what the prose says.

The loader here is deliberately small (split the front matter, ``yaml.safe_load``, validate with the clause models);
the clause checks use only :func:`evaluate` and :func:`fill_arguments`, never a reasoner: each scenario states which
clauses match and what the deciding clause proposes.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from ai_missions.graphs.order_exception.tools import TOOLS as ORDER_TOOLS
from ai_missions.graphs.order_exception.vocabulary import DOMAINS, EXCEPTION_TYPES, FACTS, OUTCOMES
from ai_missions.knowledge_index.clauses import ApprovalRule, Clause, evaluate, fill_arguments

KNOWLEDGE = Path(__file__).resolve().parents[1] / "knowledge_index"
POLICIES = KNOWLEDGE / "policies"
QUESTIONS = KNOWLEDGE / "retrieval_questions.jsonl"
REQUIRED = ("id", "title", "domain", "version", "effective_from", "applies_to")
ROLES = {"ops_agent", "ops_lead", "finance", "customer_care"}


@dataclass(frozen=True)
class Doc:
    path: Path
    meta: dict[str, Any]
    body: str
    clauses: tuple[Clause, ...]
    approval_rules: tuple[ApprovalRule, ...]

    @property
    def id(self) -> str:
        return str(self.meta["id"])

    def applies(self, types: list[str]) -> bool:
        applies_to = self.meta["applies_to"]
        return "all" in applies_to or bool(set(applies_to) & set(types))


def _load(path: Path) -> Doc:
    text = path.read_text(encoding="utf-8")
    match = re.match(r"^---\n(.*?)\n---\n(.*)$", text, re.DOTALL)
    assert match, f"{path.name}: no front matter"
    meta = yaml.safe_load(match.group(1))
    assert isinstance(meta, dict), f"{path.name}: front matter is not a mapping"
    clauses = tuple(Clause.model_validate(c) for c in meta.get("clauses") or [])
    rules = tuple(ApprovalRule.model_validate(r) for r in meta.get("approval_rules") or [])
    return Doc(path, meta, match.group(2), clauses, rules)


DOCS: list[Doc] = [_load(p) for p in sorted(POLICIES.glob("*.md"))]
BY_ID: dict[str, Doc] = {d.id: d for d in DOCS}


def _keys(doc: Doc) -> dict[str, Clause]:
    return {f"{doc.id}/{c.id}": c for c in doc.clauses}


ALL_CLAUSES: dict[str, Clause] = {k: c for d in DOCS for k, c in _keys(d).items()}


def _facts_in(condition: Any) -> set[str]:
    data = condition.model_dump(by_alias=True)

    def walk(node: Any) -> set[str]:
        if isinstance(node, dict):
            found = {node["fact"]} if "fact" in node else set()
            return found.union(*(walk(v) for v in node.values()))
        if isinstance(node, list):
            return set().union(*(walk(v) for v in node))
        return set()

    return walk(data)


def _scoped_types(condition: Any) -> set[str]:
    found: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("fact") == "exception.types" and node.get("op") == "contains":
                found.add(node["value"])
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(condition.model_dump(by_alias=True))
    return found


# --------------------------------------------------------------------------------------------- corpus structure


def test_corpus_has_at_least_25_policies_with_unique_ids() -> None:
    assert len(DOCS) >= 25
    ids = [d.id for d in DOCS]
    assert len(ids) == len(set(ids)), "duplicate policy ids"
    for doc in DOCS:
        assert re.fullmatch(r"[A-Z]{3}-\d{3}", doc.id), doc.path.name
        assert doc.path.name.startswith(doc.id), f"{doc.path.name} should start with its id {doc.id}"


@pytest.mark.parametrize("doc", DOCS, ids=lambda d: d.id)
def test_front_matter(doc: Doc) -> None:
    for key in REQUIRED:
        assert key in doc.meta, f"{doc.id}: missing {key}"
    assert isinstance(doc.meta["title"], str)
    assert doc.meta["title"].strip()
    assert doc.meta["domain"] in DOMAINS
    assert isinstance(doc.meta["version"], int)
    assert not isinstance(doc.meta["version"], bool)
    assert doc.meta["version"] >= 1
    assert isinstance(doc.meta["effective_from"], dt.date)
    applies_to = doc.meta["applies_to"]
    assert isinstance(applies_to, list)
    assert applies_to
    assert all(t == "all" or t in EXCEPTION_TYPES for t in applies_to), applies_to
    assert set(doc.meta) <= {*REQUIRED, "clauses", "approval_rules", "deadlines", "deadline_factors"}, (
        f"{doc.id}: unexpected keys"
    )
    assert len({c.id for c in doc.clauses}) == len(doc.clauses), f"{doc.id}: duplicate clause ids"


@pytest.mark.parametrize("doc", DOCS, ids=lambda d: d.id)
def test_body_is_sectioned_prose(doc: Doc) -> None:
    assert doc.body.lstrip().startswith(f"# {doc.meta['title']}"), f"{doc.id}: body should open with its title"
    headings = re.findall(r"(?m)^## (.+)$", doc.body)
    assert len(headings) >= 4, f"{doc.id}: too few sections"
    assert len(headings) == len(set(headings)), f"{doc.id}: repeated section heading"
    words = len(doc.body.split())
    assert 200 <= words <= 900, f"{doc.id}: {words} words"


def test_every_exception_type_is_covered_by_a_policy_and_a_clause() -> None:
    for exception_type in EXCEPTION_TYPES:
        assert any(exception_type in d.meta["applies_to"] for d in DOCS), exception_type
        scoped = [k for k, c in ALL_CLAUSES.items() if exception_type in _scoped_types(c.when)]
        assert scoped, f"no clause references {exception_type}"
        outcomes = {ALL_CLAUSES[k].then.outcome for k in scoped}
        assert len(outcomes) >= 2, f"{exception_type}: clauses resolve only to {outcomes}"


def test_clauses_are_scoped_and_consistent() -> None:
    for doc in DOCS:
        for clause in doc.clauses:
            key = f"{doc.id}/{clause.id}"
            assert clause.summary, f"{key}: no summary"
            assert clause.then.outcome in OUTCOMES
            assert _facts_in(clause.when) <= set(FACTS)
            # A clause on a specific exception type lives in a policy that applies to that type.
            for exception_type in _scoped_types(clause.when):
                assert doc.applies([exception_type]), f"{key} is scoped to {exception_type} outside applies_to"
            for target in clause.overrides:
                full = target if "/" in target else f"{doc.id}/{target}"
                assert full in ALL_CLAUSES, f"{key} overrides unknown {target}"
            for action in clause.then.actions:
                assert action.tool in ORDER_TOOLS
                # Only internal notes may run without a reviewer; everything else waits for one.
                if action.tier == "auto":
                    assert action.tool == "add_note", f"{key}: {action.tool} must be tier review"
                if action.tool == "send_customer_message":
                    assert action.tier == "review"
                amount_arg = ORDER_TOOLS[action.tool].amount_arg
                if amount_arg:
                    assert amount_arg in action.args, f"{key}: {action.tool} without {amount_arg}"


# --------------------------------------------------------------------------------------------- approval policy


def _approval_doc() -> Doc:
    docs = [d for d in DOCS if d.approval_rules]
    assert len(docs) == 1, "exactly one policy carries approval_rules"
    assert docs[0].meta["domain"] == "governance"
    return docs[0]


def _may_approve(role: str, tool: str, amount: float | None = None) -> bool:
    for rule in _approval_doc().approval_rules:
        applies = role in rule.roles and (tool in rule.tools or "*" in rule.tools)
        if applies and (rule.max_amount is None or (amount is not None and amount <= rule.max_amount)):
            return True
    return False


def test_every_write_tool_has_an_approver_from_the_documented_roles() -> None:
    doc = _approval_doc()
    roles = {r for rule in doc.approval_rules for r in rule.roles}
    assert roles == ROLES
    for role in ROLES:
        assert f"**{role}**" in doc.body, f"role {role} not documented in prose"
    covered = {t for rule in doc.approval_rules for t in rule.tools}
    assert covered >= set(ORDER_TOOLS), f"no approver for {sorted(set(ORDER_TOOLS) - covered)}"


@pytest.mark.parametrize(
    ("role", "tool", "amount", "allowed"),
    [
        ("ops_agent", "refund_payment", 150, True),
        ("ops_agent", "refund_payment", 750, False),
        ("ops_lead", "refund_payment", 750, True),
        ("ops_lead", "capture_payment", 4300, False),
        ("finance", "capture_payment", 4300, True),
        ("finance", "refund_payment", 25000, True),
        ("ops_agent", "release_payment_hold", None, True),
        ("ops_agent", "cancel_order", None, False),
        ("ops_lead", "cancel_order", None, True),
        ("ops_agent", "adjust_stock", None, False),
        ("ops_lead", "adjust_stock", None, True),
        ("ops_agent", "send_customer_message", None, False),
        ("customer_care", "send_customer_message", None, True),
        ("customer_care", "refund_payment", 10, False),
    ],
)
def test_approval_thresholds(role: str, tool: str, amount: float | None, allowed: bool) -> None:
    assert _may_approve(role, tool, amount) is allowed


# --------------------------------------------------------------------------------------------- clause scenarios

#: The flagship story: payment review only because of a new address; a five-year customer; stock on the shelf.
FLAGSHIP: dict[str, Any] = {name: None for name in FACTS} | {
    "exception.types": ["payment_review"],
    "exception.count": 1,
    "order.id": "SO-1042",
    "order.status": "payment_review",
    "order.total": 1249.0,
    "order.currency": "EUR",
    "order.channel": "web",
    "order.age_hours": 20,
    "order.shipped": False,
    "customer.id": "C-0007",
    "customer.tier": "gold",
    "customer.is_vip": False,
    "customer.tenure_years": 5,
    "customer.lifetime_value": 8200.0,
    "customer.days_since_address_change": 14,
    "customer.order_ship_to_in_history": True,
    "customer.fraud_flags": 0,
    "customer.open_cases": 0,
    "payment.authorization_id": "AUTH-31",
    "payment.auth_status": "authorized",
    "payment.auth_amount": 1249.0,
    "payment.auth_expires_in_hours": 100,
    "payment.captured_amount": 0,
    "payment.capture_count": 0,
    "payment.refunded_amount": 0,
    "payment.fraud_score": 72,
    "payment.fraud_reasons": ["new_shipping_address"],
    "payment.fraud_only_address_change": True,
    "payment.fraud_card_or_device": False,
    "payment.hold_active": True,
    "inventory.reservation_id": "RES-88",
    "inventory.pending_reservation_ids": ["RES-88"],
    "inventory.reservation_ids": ["RES-88", "RES-89"],
    "inventory.reservation_status": "pending",
    "inventory.reservation_location": "LYON",
    "inventory.sku": "SKU-CHAIR",
    "inventory.units_short": 0,
    "inventory.phantom": False,
    "inventory.counted_available": 6,
    "inventory.counted_on_hand": 8,
    "address.status": "valid",
    "address.has_suggestion": False,
    "address.known_to_customer": True,
    "address.correction_changes_locality": False,
    "order.active_holds": 0,
    "order.fulfillment_method": "ship",
}


def _story(*types: str, **changes: Any) -> dict[str, Any]:
    facts = dict(FLAGSHIP)
    if types:
        facts |= {"exception.types": list(types), "exception.count": len(types), "payment.hold_active": False}
    facts |= {name.replace("__", "."): value for name, value in changes.items()}
    return facts


def _evaluated(facts: Mapping[str, Any]) -> dict[str, bool | None]:
    """Every clause of the policies that apply to the facts' exception types, evaluated."""
    types = list(facts["exception.types"])
    return {f"{d.id}/{c.id}": evaluate(c.when, facts) for d in DOCS if d.applies(types) for c in d.clauses}


def _matched(facts: Mapping[str, Any]) -> set[str]:
    return {key for key, value in _evaluated(facts).items() if value is True}


def _proposal(key: str, facts: Mapping[str, Any]) -> list[tuple[str, dict[str, Any] | None]]:
    return [(a.tool, fill_arguments(a.args, facts)) for a in ALL_CLAUSES[key].then.actions]


def test_flagship_story_proceeds_with_release_confirm_fulfil() -> None:
    evaluated = _evaluated(FLAGSHIP)
    assert {k for k, v in evaluated.items() if v} == {"PAY-001/release-benign-address-change"}
    assert not [k for k, v in evaluated.items() if v is None], "no clause may be left undetermined"
    clause = ALL_CLAUSES["PAY-001/release-benign-address-change"]
    assert clause.then.outcome == "proceed"
    assert _proposal("PAY-001/release-benign-address-change", FLAGSHIP) == [
        ("release_payment_hold", {"order_id": "SO-1042"}),
        ("confirm_reservation", {"reservation_id": ["RES-88"]}),
        ("release_to_fulfillment", {"order_id": "SO-1042"}),
    ]
    assert {a.tier for a in clause.then.actions} == {"review"}


def test_flagship_without_a_known_address_check_is_undetermined_not_released() -> None:
    facts = _story(address__status=None)
    assert evaluate(ALL_CLAUSES["PAY-001/release-benign-address-change"].when, facts) is None


@pytest.mark.parametrize(
    "changes",
    [
        {"payment__fraud_score": 86, "payment__fraud_reasons": ["velocity", "proxy_ip"]}
        | {"payment__fraud_only_address_change": False},
        {"customer__fraud_flags": 1},
        {"customer__fraud_flags": 2, "payment__fraud_score": 95},
    ],
)
def test_genuinely_risky_payment_review_keeps_the_hold(changes: dict[str, Any]) -> None:
    facts = _story(**changes)
    matched = _matched(facts)
    assert "PAY-001/hold-high-risk" in matched
    assert not any(ALL_CLAUSES[k].then.outcome == "proceed" for k in matched), matched
    assert [t for t, _ in _proposal("PAY-001/hold-high-risk", facts)] == ["add_note"]


def test_new_customer_and_mixed_signals() -> None:
    assert _matched(_story(customer__tenure_years=0.5)) == {"PAY-001/hold-new-customer-address-change"}
    mixed = _story(payment__fraud_score=65, payment__fraud_only_address_change=False)
    assert _matched(mixed) == {"PAY-001/manual-review-mixed-signals"}
    assert ALL_CLAUSES["PAY-001/manual-review-mixed-signals"].then.outcome == "escalate"


def test_vip_exception_overrides_the_fraud_hold_up_to_89_and_conflicts_from_90() -> None:
    vip = {"customer__is_vip": True, "customer__tier": "vip", "payment__fraud_only_address_change": False}
    at_85 = _matched(_story(payment__fraud_score=85, **vip))
    assert at_85 == {"PAY-001/hold-high-risk", "CUS-002/vip-release-fraud-hold"}
    assert "PAY-001/hold-high-risk" in ALL_CLAUSES["CUS-002/vip-release-fraud-hold"].overrides
    assert ALL_CLAUSES["CUS-002/vip-release-fraud-hold"].then.outcome == "proceed"

    at_93 = _matched(_story(payment__fraud_score=93, **vip))
    assert at_93 == {"PAY-001/hold-high-risk", "CUS-002/vip-very-high-score"}
    hold, vip_clause = ALL_CLAUSES["PAY-001/hold-high-risk"], ALL_CLAUSES["CUS-002/vip-very-high-score"]
    # Deliberately unresolved: equal priority, different outcomes, neither overrides the other -> escalate.
    assert hold.priority == vip_clause.priority
    assert hold.then.outcome != vip_clause.then.outcome
    assert not vip_clause.overrides
    assert not hold.overrides

    flagged = _matched(_story(payment__fraud_score=85, customer__fraud_flags=1, **vip))
    assert flagged == {"PAY-001/hold-high-risk"}


def test_double_charge_refunds_exactly_the_duplicate_capture() -> None:
    facts = _story(
        "double_charge",
        payment__auth_status="captured",
        payment__capture_count=2,
        payment__captured_amount=2498.0,
        payment__duplicate_capture_id="CAP-2",
        payment__duplicate_capture_amount=1249.0,
    )
    assert _matched(facts) == {"PAY-003/refund-duplicate-capture"}
    tool, args = _proposal("PAY-003/refund-duplicate-capture", facts)[0]
    assert tool == "refund_payment"
    assert args == {"capture_id": "CAP-2", "amount": 1249.0, "reason": "duplicate capture"}

    # a partial refund already made: refund exactly the remainder the facts computed (never escalate for it)
    partly = facts | {"payment.refunded_amount": 20, "payment.duplicate_capture_amount": 1229.0}
    assert _matched(partly) == {"PAY-003/refund-duplicate-capture"}
    assert _proposal("PAY-003/refund-duplicate-capture", partly)[0][1]["amount"] == 1229.0
    unknowable = _matched(partly | {"payment.duplicate_capture_amount": None})
    assert "PAY-003/escalate-partly-refunded" in unknowable
    flagged = _matched(facts | {"customer.fraud_flags": 1})
    assert flagged == {"PAY-003/refund-duplicate-capture", "PAY-004/finance-handles-flagged-refunds"}
    assert "PAY-003/refund-duplicate-capture" in ALL_CLAUSES["PAY-004/finance-handles-flagged-refunds"].overrides
    unknown = _matched(facts | {"payment.duplicate_capture_id": None, "payment.capture_count": 1})
    assert unknown == {"PAY-003/escalate-unidentified-capture"}


def test_duplicate_order_cancels_the_newer_one_and_voids_its_authorization() -> None:
    dup = {"duplicate__original_order_id": "SO-1041", "duplicate__minutes_apart": 3}
    facts = _story("duplicate_order", duplicate__original_status="pending", **dup)
    assert _matched(facts) == {"ORD-001/cancel-newer-duplicate-authorized"}
    assert ALL_CLAUSES["ORD-001/cancel-newer-duplicate-authorized"].then.outcome == "cancel"
    facts |= {"duplicate.other_copy_ids": ["SO-1043"]}
    cancels = [a for t, a in _proposal("ORD-001/cancel-newer-duplicate-authorized", facts) if t == "cancel_order"]
    # the cluster's other open copy is cancelled in the same decision (one action per order, made by the reasoner)
    assert cancels == [
        {"order_id": "SO-1042", "reason": "duplicate of SO-1041"},
        {"order_id": ["SO-1043"], "reason": "duplicate of SO-1041"},
    ]
    # the other copy's records unread: its settling actions cannot be filled (the reasoner escalates)
    unread = [a for t, a in _proposal("ORD-001/cancel-newer-duplicate-authorized", facts) if t == "void_authorization"]
    assert unread == [{"authorization_id": "AUTH-31"}, None]
    facts |= {
        "duplicate.other_authorization_ids": ["AUTH-43"],
        "duplicate.other_capture_ids": [],
        "duplicate.other_refund_amounts": [],
        "duplicate.other_reservation_ids": ["RES-43"],
    }
    proposal: dict[str, list[Any]] = {}
    for tool, args in _proposal("ORD-001/cancel-newer-duplicate-authorized", facts):
        proposal.setdefault(tool, []).append(args)
    # this copy's authorization, then the other copy's (the reasoner makes one action per listed record)
    assert proposal["void_authorization"] == [{"authorization_id": "AUTH-31"}, {"authorization_id": ["AUTH-43"]}]
    # every reservation of the duplicate is released, and the other copy's
    assert proposal["release_reservation"] == [{"reservation_id": ["RES-88", "RES-89"]}, {"reservation_id": ["RES-43"]}]
    assert proposal["refund_payment"] == [{"capture_id": [], "amount": [], "reason": "duplicate of SO-1041 cancelled"}]

    shipped = _matched(facts | {"order.shipped": True})
    assert shipped == {"ORD-001/shipped-duplicate-escalate", "ORD-002/never-cancel-shipped"}
    assert _matched(facts | {"duplicate.minutes_apart": 240}) == {"ORD-001/confirm-intent-far-apart"}
    assert _matched(facts | {"duplicate.original_status": "cancelled"}) == {"ORD-001/original-cancelled-proceed"}


def test_oversell_reallocates_to_a_location_that_serves_the_whole_order() -> None:
    facts = _story("oversell", inventory__units_short=2, inventory__alternate_location="MADRID")
    assert _matched(facts) == {"INV-002/reallocate-and-release"}
    assert _proposal("INV-002/reallocate-and-release", facts) == [
        ("reallocate_reservation", {"reservation_id": "RES-88", "to_location_id": "MADRID"}),
        ("confirm_reservation", {"reservation_id": "RES-88"}),
        ("release_to_fulfillment", {"order_id": "SO-1042"}),
    ]
    nowhere = _matched(_story("oversell", inventory__units_short=2))
    assert nowhere == {"INV-002/no-alternate-hold"}


def test_phantom_stock_is_adjusted_to_the_count_and_never_confirmed_in_place() -> None:
    # As the facts are derived: the system still shows the units (nothing short), the count does not.
    phantom = {"inventory__phantom": True, "inventory__counted_on_hand": 0, "inventory__counted_available": 0}
    moved = _story("phantom_inventory", inventory__alternate_location="ANTWERP", **phantom)
    assert _matched(moved) == {"INV-003/adjust-and-reallocate"}
    tools = [t for t, _ in _proposal("INV-003/adjust-and-reallocate", moved)]
    assert tools == ["adjust_stock", "reallocate_reservation", "confirm_reservation"]
    assert dict(_proposal("INV-003/adjust-and-reallocate", moved))["adjust_stock"] == {
        "sku": "SKU-CHAIR",
        "location_id": "LYON",
        "counted_qty": 0,
        "reason": "cycle count",
    }
    stuck = _story("phantom_inventory", **phantom)
    assert _matched(stuck) == {"INV-003/adjust-and-hold"}
    assert "confirm_reservation" not in [t for t, _ in _proposal("INV-003/adjust-and-hold", stuck)]
    # phantom stock is only found by a count, so no clause waits for one (tests/test_every_clause_fires.py)
    no_count = _story("phantom_inventory", inventory__phantom=None, inventory__counted_on_hand=None)
    assert _matched(no_count) == set()
    confirmed = _story("phantom_inventory", inventory__reservation_status="confirmed", **phantom)
    assert _matched(confirmed) == {"INV-001/escalate-confirmed-on-phantom"}


def test_address_correction_and_undeliverable_addresses() -> None:
    corrected = _story("address_invalid", address__status="corrected", address__has_suggestion=True)
    assert _matched(corrected) == {"FUL-001/apply-suggested-correction"}
    assert _proposal("FUL-001/apply-suggested-correction", corrected)[0] == (
        "apply_address_correction",
        {"order_id": "SO-1042"},
    )
    bad = _story("address_invalid", address__status="undeliverable")
    assert _matched(bad) == {"FUL-001/undeliverable-hold-contact"}
    assert [t for t, _ in _proposal("FUL-001/undeliverable-hold-contact", bad)][:2] == [
        "place_order_hold",
        "send_customer_message",
    ]
    marketplace = _matched(bad | {"order.channel": "marketplace"})
    assert marketplace == {"FUL-001/undeliverable-hold-contact", "ORD-004/marketplace-address-via-partner"}
    assert "FUL-001/undeliverable-hold-contact" in ALL_CLAUSES["ORD-004/marketplace-address-via-partner"].overrides


def test_expiring_authorization_captures_only_when_the_order_can_ship() -> None:
    ready = _story("auth_expiring", payment__auth_expires_in_hours=10)
    assert _matched(ready) == {"PAY-002/capture-before-expiry"}
    assert _proposal("PAY-002/capture-before-expiry", ready)[0] == (
        "capture_payment",
        {"authorization_id": "AUTH-31", "amount": 1249.0},
    )
    short = _matched(ready | {"inventory.units_short": 2})
    assert short == {"PAY-002/reauthorize-when-not-ready"}
    expired = ready | {"payment.auth_status": "expired", "payment.auth_expires_in_hours": -5}
    assert _matched(expired) == {"PAY-002/expired-request-new-payment"}
    assert _matched(expired | {"order.age_hours": 200}) == {"PAY-002/expired-cancel-stale"}


def test_combined_exceptions_do_not_pull_apart() -> None:
    # A benign review whose authorization also expires: release the hold and capture, no re-authorization hold.
    both = _story("payment_review", "auth_expiring", payment__hold_active=True, payment__auth_expires_in_hours=8)
    assert _matched(both) == {"PAY-001/release-benign-address-change", "PAY-002/capture-before-expiry"}
    # The same with a genuinely risky score: nothing is captured under the fraud hold.
    risky = both | {"payment.fraud_only_address_change": False, "payment.fraud_score": 91}
    assert _matched(risky) == {"PAY-001/hold-high-risk", "PAY-002/no-capture-under-fraud-hold"}
    # A benign review with a fixable address: the release waits for nothing but the correction.
    fixable = _story("payment_review", "address_invalid", payment__hold_active=True, address__status="corrected") | {
        "address.has_suggestion": True
    }
    assert _matched(fixable) == {"PAY-001/release-benign-address-change", "FUL-001/apply-suggested-correction"}
    # A benign review on an oversold order: release the payment hold, the reservation moves under INV-002.
    short = _story("payment_review", "oversell", payment__hold_active=True, inventory__units_short=1) | {
        "inventory.alternate_location": "MADRID"
    }
    assert _matched(short) == {"PAY-001/release-benign-hold-only", "INV-002/reallocate-only"}


def test_very_high_value_and_crowded_orders_escalate() -> None:
    assert "ORD-005/escalate-very-high-value" in _matched(_story(order__total=12400.0))
    crowded = _story("oversell", "address_invalid", "auth_expiring")
    assert "GOV-002/escalate-many-exceptions" in _matched(crowded)


# --------------------------------------------------------------------------------------------- question set


def test_retrieval_question_set() -> None:
    lines = [json.loads(line) for line in QUESTIONS.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(lines) >= 45
    questions = [q["question"] for q in lines]
    assert len(set(questions)) == len(questions), "repeated question"
    for q in lines:
        assert set(q) == {"question", "expected", "domain"}, q
        assert 1 <= len(q["expected"]) <= 2, q
        assert all(pid in BY_ID for pid in q["expected"]), q
        assert q["domain"] in DOMAINS
        assert q["domain"] == BY_ID[q["expected"][0]].meta["domain"], q
    assert {BY_ID[pid].id for q in lines for pid in q["expected"]} == set(BY_ID), "every policy is asked about"
