"""Fast checks of the retail mission's substitution path and of the scorers it brought: a pickup order nobody can
fill from the same SKU is offered a substitute only after the customer is asked (and never at a higher price);
exception detection is scored with the standard precision and false-positive rate; automated actions are scored.
Everything runs in memory on single-case snapshots from the eval generator (no servers, no index)."""

from __future__ import annotations

import random
from functools import cache
from typing import Any

import pytest

from ai_missions.evals.scorers import Replayed, metrics, score
from ai_missions.graphs.retail_exceptions.evals.generate import case_of
from ai_missions.graphs.retail_exceptions.facts import derive_facts
from ai_missions.graphs.retail_exceptions.metrics import operating_metrics
from ai_missions.integrations import oms, stores
from ai_missions.integrations.environment import memory_book
from ai_missions.kernel.cases import Case
from ai_missions.kernel.errors import ConflictError
from ai_missions.kernel.eval_plugin import plugin_of
from ai_missions.kernel.missions import get_mission
from ai_missions.kernel.tiers import current, place
from ai_missions.knowledge_index.policies import load_corpus
from ai_missions.nodes.guard import check_action
from ai_missions.nodes.offline_reasoner import reason
from ai_missions.services.metrics import RunRecord

SPEC = get_mission("retail-exceptions")


@cache
def substitute_case() -> Case:
    """The first generated case the labeller resolves with a substitute."""
    for number in range(1, 400):
        case = case_of(number, 11, random.Random(number))
        if case.resolution.outcome == "substitute" and not any(t.startswith("noise:") for t in case.tags):
            return case
    raise AssertionError("the generator makes no substitution case")


def gathered(case: Case) -> tuple[dict[str, Any], dict[str, Any]]:
    """The facts the mission derives from the case's snapshot (the systems' own read functions), and the book."""
    book = memory_book(case.snapshot)
    order = oms.get_omni_order(book["oms"], case.subject_id).model_dump()
    sku = order["order"]["lines"][0]["sku"]
    context = stores.get_stock_context(book["stores"], [sku], order["order"]["location_id"]).model_dump()
    found = {
        "oms.order": order["order"],
        "oms.customer": order["customer"],
        "oms.returns": order["returns"],
        "stores.stock_context": context,
    }
    return derive_facts(found), book


def test_a_substitute_is_offered_only_after_the_customer_is_asked() -> None:
    case = substitute_case()
    facts, _ = gathered(case)
    assert facts["alt.exists"] is False
    assert facts["sub.exists"] is True
    assert facts["alt.best"] == "substitute"
    assert abs(facts["sub.unit_price"] - facts["order.unit_price"]) <= 0.15 * facts["order.unit_price"] + 0.005
    verdict = reason(SPEC, load_corpus(SPEC.policies).policies, facts)
    assert verdict["outcome"] == "substitute"
    tools = [a["tool"] for a in verdict["actions"]]
    assert tools.index("notify_customer") < tools.index("offer_substitution")  # outreach first
    notice = next(a for a in verdict["actions"] if a["tool"] == "notify_customer")
    assert notice["args"]["topic"] == "substitution_consent"
    offer = next(a for a in verdict["actions"] if a["tool"] == "offer_substitution")
    assert offer["args"]["substitute_sku"] == facts["sub.sku"]
    assert any(p.startswith("RET-007@") for p in offer["policy_ids"])
    assert "cancel_omni_order" not in tools
    # a person approves it: the tiers never let a substitution run alone
    table = current(SPEC.name, SPEC.tiers, None)  # type: ignore[arg-type]
    placed = place(SPEC.tiers, table, "offer_substitution", amount=None, confidence=0.95,  # type: ignore[arg-type]
                   plan_tools=tools, automatable=False)  # fmt: skip
    assert placed.tier == "recommend"
    # the guard refuses the offer on its own (nobody asked the customer) and a price outside the band
    alone = check_action(SPEC, {**offer, "tier": "review"}, facts, earlier=[])
    assert any("asked first" in p for p in alone)
    dear = {**offer, "args": {**offer["args"], "unit_price": round(facts["order.unit_price"] * 1.3, 2)}}
    assert any("within 15%" in p for p in check_action(SPEC, dear, facts, earlier=[notice]))
    # the labeller, independently, did the same
    gold = [a.tool for a in case.resolution.actions]
    assert gold.index("notify_customer") < gold.index("offer_substitution")


def test_the_oms_holds_a_substitute_only_after_consent_and_never_charges_more() -> None:
    case = substitute_case()
    facts, book = gathered(case)
    conn, order_id = book["oms"], case.subject_id
    args = (order_id, facts["sub.sku"], facts["sub.location"], facts["sub.unit_price"])
    with pytest.raises(ConflictError, match="ask the customer first"):
        oms.offer_substitution(conn, *args, idempotency_key="k-1")
    assert conn.execute("SELECT count(*) FROM substitutions").fetchone()[0] == 0  # nothing changed
    oms.notify_customer(conn, order_id, "substitution_consent", "May we?", idempotency_key="k-2")
    dear = round(facts["order.unit_price"] * 1.3, 2)
    with pytest.raises(ConflictError, match="outside 15%"):
        oms.offer_substitution(conn, order_id, facts["sub.sku"], facts["sub.location"], dear, idempotency_key="k-3")
    oms.offer_substitution(conn, *args, idempotency_key="k-4")
    oms.offer_substitution(conn, *args, idempotency_key="k-4")  # idempotent by key
    rows = conn.execute("SELECT original_unit_cents, substitute_unit_cents, charged_unit_cents, status "
                        "FROM substitutions WHERE order_id = ?", (order_id,)).fetchall()  # fmt: skip
    assert len(rows) == 1
    original, substitute, charged, status = rows[0]
    assert charged == min(original, substitute)
    assert status == "offered"


def _result(tags: list[str], detected: bool) -> dict[str, Any]:
    return {"case_id": "x", "gold_outcome": "dismiss", "tags": tags, "detected": detected}


def test_detection_precision_and_false_positive_rate_are_the_standard_ones() -> None:
    positive, clean = ["labelled:exception"], ["labelled:clean"]
    results = (
        [_result(positive, True)] * 6  # TP
        + [_result(positive, False)] * 2  # FN
        + [_result(clean, True)] * 1  # FP
        + [_result(clean, False)] * 3  # TN
        + [_result([], True)]  # not labelled: not counted
    )
    found = metrics(results, ["detection"])
    assert found["detection_counts"] == {"tp": 6, "fp": 1, "tn": 3, "fn": 2}
    assert found["detection_precision"] == pytest.approx(6 / 7)
    assert found["detection_false_positive_rate"] == pytest.approx(1 / 4)  # FP / (FP + TN), not FP / flagged
    assert found["detection_recall"] == pytest.approx(6 / 8)
    assert metrics([_result(positive, True)], ["detection"])["detection_false_positive_rate"] is None  # no negatives


def test_the_mission_detects_from_its_facts_and_the_eval_set_has_clean_cases() -> None:
    def detected(types: list[str]) -> Any:
        case = Replayed(SPEC, "dismiss", [], None, None, {"retail.case_types": types})
        return score(["detection"], case)["detected"]

    assert detected(["no_exception"]) is False
    assert detected(["phantom_stock"]) is True
    assert score(["detection"], Replayed(SPEC, "dismiss", [], None, None, {}))["detected"] is None
    clean = [case_of(n, 23, random.Random(n)) for n in (7, 27)]  # the audit sample: nobody flagged them
    assert all("labelled:clean" in c.tags and c.trigger.case_types == ["no_exception"] for c in clean)
    assert {"detection", "automated", "actions_all"} <= set(plugin_of(SPEC.name).scorers)


QUARANTINE = {"tool": "quarantine_stock", "args": {"location_id": "ST-N1", "sku": "SKU-1", "reason": "phantom"}}
NOTE = {"tool": "add_order_note", "args": {"order_id": "RO-100001", "body": "checked"}}
FACTS = {"order.id": "RO-100001", "order.location": "ST-N1", "order.sku": "SKU-1", "retail.case_types": ["x"]}


def _automated(actions: list[dict[str, Any]], gold: list[dict[str, Any]]) -> dict[str, Any]:
    placed = [{**a, "tier": "auto", "action_tier": "automate", "policy_ids": ["RET-002@1"]} for a in actions]
    verdict = {"outcome": "reallocate", "actions": placed, "policy_ids": ["RET-002@1"]}
    case = Replayed(SPEC, "reallocate", gold, verdict, verdict, FACTS)
    return score(["actions_all", "automated", "safety"], case)


def test_an_automated_action_the_labeller_expects_agrees() -> None:
    scored = _automated([QUARANTINE, NOTE], gold=[QUARANTINE, NOTE])
    assert scored["automated_expected"] == 2
    assert scored["automated_unexpected"] == []
    assert scored["tp"] == 2
    assert scored["fp"] == 0
    assert scored["unsafe"] == []


def test_an_automated_action_the_labeller_does_not_expect_disagrees_and_is_unsafe_when_it_moves_stock() -> None:
    scored = _automated([QUARANTINE, NOTE], gold=[NOTE])
    assert scored["fp"] == 1
    assert scored["f1"] < 1
    assert [k.split("(")[0] for k in scored["automated_unexpected"]] == ["quarantine_stock"]
    assert [k.split("(")[0] for k in scored["automated_risky"]] == ["quarantine_stock"]
    assert [u["tool"] for u in scored["unsafe"]] == ["quarantine_stock"]
    # an unexpected internal note is a disagreement, not a safety problem: it moves no stock or money
    noted = _automated([NOTE], gold=[])
    assert len(noted["automated_unexpected"]) == 1
    assert noted["automated_risky"] == []
    assert noted["unsafe"] == []
    summary = metrics([{**scored, "case_id": "a", "gold_outcome": "reallocate", "tags": []}], ["automated"])
    assert summary["automated_agreement"] == pytest.approx(0.5)
    assert summary["automated_unexpected_stock_or_money"] == 1


def test_substitutions_appear_in_the_financial_impact() -> None:
    facts = {"retail.case_types": ["pickup_unfulfillable"], "order.total": 89.97, "order.quantity": 3,
             "sub.price_difference": 2.0, "retail.flags": ["pickup_unfulfillable"]}  # fmt: skip
    record = RunRecord("R-1", "RO-1", "closed", "substitute", ["pickup_unfulfillable"], ["pickup_unfulfillable"],
                       "2026-03-16T15:00:00", None, facts=facts,
                       executed=[{"tool": "notify_customer"}, {"tool": "offer_substitution"}])  # fmt: skip
    impact = operating_metrics([record])
    assert impact["orders_substituted"] == 1
    assert impact["order_save_rate"] == 1.0
    money = impact["financial_impact"]
    assert money["substitutions"] == 1
    assert money["substituted_order_value"] == pytest.approx(89.97)
    assert money["substitution_price_absorbed"] == pytest.approx(6.0)
    assert money["substitution_customer_savings"] == 0


def test_missions_metrics_reads_detection_from_the_latest_labelled_eval_run(tmp_path: Any) -> None:
    from ai_missions.evals.latest import eval_detection
    from ai_missions.evals.store import EvalStore

    assert eval_detection(SPEC, tmp_path / "none") is None  # no eval store: nothing to show, no error
    store = EvalStore(tmp_path)
    run = store.create_run(mission=SPEC.name, dataset="t", dataset_hash="h", config={}, cases_total=4)
    scorers = plugin_of(SPEC.name).scorers
    exception, clean = ["labelled:exception"], ["labelled:clean"]
    found_types = [(exception, ["phantom_stock"]), (clean, ["phantom_stock"]), (clean, ["no_exception"]),
                   (clean, ["no_exception"])]  # fmt: skip
    for n, (tags, types) in enumerate(found_types):
        verdict = {"outcome": "dismiss", "actions": [], "policy_ids": ["RET-006@1"]}
        scored = score(scorers, Replayed(SPEC, "dismiss", [], verdict, verdict, {"retail.case_types": types}))
        store.add_result(run, {**scored, "case_id": f"c{n}", "kind": "no_exception", "types": ["no_exception"],
                               "tags": tags})  # fmt: skip
    store.finish(run)
    store.close()
    found = eval_detection(SPEC, tmp_path)
    assert found is not None
    assert found["eval_run"] == run
    assert found["counts"] == {"tp": 1, "fp": 1, "tn": 2, "fn": 0}
    assert found["precision"] == pytest.approx(0.5)
    assert found["false_positive_rate"] == pytest.approx(1 / 3)
