"""The retail facts on orders an outsider writes and the generator never does: orders no longer to fulfil, several
returns, goodwill already credited, several lines. Each order is staged with the holdout set's record builder and
read through the systems' own read functions, as the mission's gather reads them."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from ai_missions.graphs.retail_exceptions.evals.holdout import Book
from ai_missions.graphs.retail_exceptions.facts import context_location, derive_facts
from ai_missions.graphs.retail_exceptions.invariants import invariants
from ai_missions.integrations import oms, stores
from ai_missions.integrations.environment import memory_book
from ai_missions.integrations.retail_seed import DC
from ai_missions.kernel.missions import get_mission
from ai_missions.knowledge_index.policies import load_corpus
from ai_missions.nodes.offline_reasoner import reason


def facts_of(b: Book, edit: Any = None) -> dict[str, Any]:
    snapshot = b.snapshot()
    if edit is not None:
        edit(snapshot["systems"])
    book = memory_book(snapshot)
    read = oms.get_omni_order(book["oms"], b.id).model_dump()
    order = read["order"]
    skus = [line["sku"] for line in order["lines"]]
    context = stores.get_stock_context(book["stores"], skus, context_location(order)).model_dump()
    return derive_facts(
        {
            "oms.order": order,
            "oms.customer": read["customer"],
            "oms.returns": read["returns"],
            "oms.credits": read["credits"],
            "stores.stock_context": context,
        }
    )


def test_an_order_no_longer_to_fulfil_has_no_stock_exception_but_its_return_still_counts() -> None:
    for status in ("fulfilled", "cancelled"):
        b = Book(990101, ["pickup_unfulfillable"], pickup_store="ST-N1", tier="vip", status=status)
        b.stock("ST-N1", on_hand=0, counted=0)  # the units left with the customer
        b.stock("ST-N2", on_hand=4, counted=4)
        assert facts_of(b)["retail.case_types"] == ["no_exception"], status
        b.returned(refund_cents=4999, hours_ago=30)
        assert facts_of(b)["retail.case_types"] == ["unreconciled_return"], status
    b = Book(990102, ["pickup_unfulfillable"], pickup_store="ST-N1", tier="vip")  # still open: both are true
    b.stock("ST-N1", on_hand=0, counted=0)
    b.stock("ST-N2", on_hand=4, counted=4)
    assert facts_of(b)["retail.case_types"] == ["pickup_unfulfillable", "vip_stock_conflict"]


def test_an_overdue_return_is_found_behind_a_recent_one() -> None:
    b = Book(990103, ["unreconciled_return"], fulfilment="ship", pickup_store=None, allocated=DC, status="fulfilled")
    b.stock(DC, on_hand=3, counted=3)
    b.returned(refund_cents=4999, hours_ago=10)  # RT-990103, listed first, within the day
    late = {**b.rows["oms"]["returns"][0], "return_id": "RT-990103-B", "refund_cents": 2999}
    b.rows["oms"]["returns"].append({**late, "processed_at": "2026-03-14T23:00:00Z"})  # 40 hours before the book
    facts = facts_of(b)
    assert facts["retail.case_types"] == ["unreconciled_return"]
    assert (facts["return.id"], facts["return.refund"]) == ("RT-990103-B", 29.99)


def _credit(amount_cents: int) -> Any:
    def edit(systems: dict[str, Any]) -> None:
        systems["oms"]["credits"] = [
            {"credit_id": "CR-1", "order_id": "RO-990104", "amount_cents": amount_cents, "reason": "store goodwill",
             "issued_at": "2026-03-16T12:00:00Z"}
        ]  # fmt: skip

    return edit


def test_goodwill_already_credited_counts_against_the_allowance_and_the_guard_holds_the_rest() -> None:
    b = Book(990104, ["pickup_unfulfillable"], pickup_store="ST-S3", quantity=2, unit_cents=3499)  # 69.98: 7.00
    b.stock("ST-S3", on_hand=0, counted=0)
    assert facts_of(b)["order.goodwill_amount"] == 7.0
    partly = facts_of(b, _credit(300))
    assert (partly["order.goodwill_given"], partly["order.goodwill_amount"]) == (3.0, 4.0)
    assert invariants("issue_goodwill_credit", {"order_id": b.id, "amount": 7.0}, partly, [])
    assert not invariants("issue_goodwill_credit", {"order_id": b.id, "amount": 4.0}, partly, [])
    spent = facts_of(b, _credit(700))
    assert spent["order.goodwill_amount"] is None  # nothing left: no credit is filled in, a person decides
    assert invariants("issue_goodwill_credit", {"order_id": b.id, "amount": 1.0}, spent, [])


def _second_line(sku: str, cents: int = 1999) -> Any:
    def edit(systems: dict[str, Any]) -> None:
        order = systems["oms"]["orders"][0]
        line = {"order_id": order["order_id"], "line_no": 2, "sku": sku, "quantity": 1, "unit_price_cents": cents}
        systems["oms"]["order_lines"].append(line)
        order["total_cents"] += cents

    return edit


def test_every_line_of_an_order_is_judged_and_it_moves_only_where_every_line_is() -> None:
    b = Book(990105, ["pickup_unfulfillable"], pickup_store="ST-E1")
    other = "SKU-990105-2"
    b.stock("ST-E1", on_hand=3, counted=3)  # the first line is there
    b.stock("ST-E1", on_hand=0, counted=0, sku=other)  # the second is not
    b.stock("ST-E3", on_hand=9, counted=9, sku=other)  # has only the second line
    b.stock("ST-E2", on_hand=2, counted=2)
    b.stock("ST-E2", on_hand=1, counted=1, sku=other)  # has both
    facts = facts_of(b, _second_line(other))
    assert facts["retail.case_types"] == ["pickup_unfulfillable"]
    assert (facts["order.sku"], facts["stock.short"]) == (other, True)
    assert (facts["alt.location"], facts["alt.same_region"]) == ("ST-E2", True)
    assert facts_of(b)["retail.case_types"] == ["no_exception"]  # the first line alone is fine


def test_a_phantom_line_is_the_one_quarantined_and_no_substitute_is_assumed_for_an_order_of_several_lines() -> None:
    b = Book(990106, ["phantom_stock"], pickup_store="ST-W1")
    other = "SKU-990106-2"
    b.stock("ST-W1", on_hand=2, counted=2)
    b.stock("ST-W1", on_hand=5, counted=1, sold=1, sku=other)  # shows 5, the count supports none
    b.substitute("SKU-990106-B", 4999)
    b.stock("ST-W1", on_hand=4, counted=4, sku="SKU-990106-B")
    facts = facts_of(b, _second_line(other))
    assert facts["retail.case_types"] == ["pickup_unfulfillable", "phantom_stock"]
    assert (facts["order.sku"], facts["stock.phantom_units"]) == (other, 5)
    assert facts["alt.exists"] is False
    assert facts["sub.exists"] is None  # a person decides: neither cancelled nor substituted by the rules


def test_a_pickup_order_fulfilled_from_elsewhere_looks_for_stock_near_its_pickup_store() -> None:
    """Ship to store: the order is allocated to the DC, the customer collects at ST-N1."""
    b = Book(990107, ["pickup_unfulfillable"], pickup_store="ST-N1", allocated=DC, unit_cents=5000)
    b.stock(DC, on_hand=0, counted=0)
    b.stock("ST-N1", on_hand=0, counted=0)
    b.stock("ST-N2", on_hand=3, counted=3)  # near the pickup store (the DC's own region is nobody's "nearby")
    facts = facts_of(b)
    assert facts["retail.case_types"] == ["pickup_unfulfillable"]
    assert (facts["alt.location"], facts["alt.same_region"]) == ("ST-N2", True)
    b = Book(990108, ["pickup_unfulfillable"], pickup_store="ST-S1", allocated=DC, unit_cents=5000)
    b.stock(DC, on_hand=0, counted=0)
    b.stock("ST-S1", on_hand=0, counted=0)
    b.substitute("SKU-990108-B", 5200)
    b.stock("ST-S1", on_hand=3, counted=3, sku="SKU-990108-B")
    facts = facts_of(b)
    assert (facts["alt.exists"], facts["sub.exists"], facts["sub.location"]) == (False, True, "ST-S1")


def test_an_open_order_its_location_cannot_fill_is_never_closed_as_a_false_flag() -> None:
    """A ship-from-store order the store truly cannot fill (its count agrees: no phantom), no promotion, no VIP: no
    exception kind describes it, but RET-006 closes a flag only when stock is in order, so a person gets it."""
    spec = get_mission("retail-exceptions")
    policies = load_corpus(spec.policies).policies
    b = Book(990109, ["phantom_stock"], fulfilment="ship", pickup_store=None, allocated="ST-N1")
    b.stock("ST-N1", on_hand=0, counted=0)
    b.stock(DC, on_hand=5, counted=5)
    facts = facts_of(b)
    assert (facts["retail.case_types"], facts["stock.blocks_order"]) == (["no_exception"], True)
    assert reason(spec, policies, facts)["outcome"] == "escalate"
    b = Book(990110, ["phantom_stock"], fulfilment="ship", pickup_store=None, allocated="ST-N1")
    b.stock("ST-N1", on_hand=2, counted=2)  # a false flag: the store can fill it
    facts = facts_of(b)
    assert facts["stock.blocks_order"] is False
    assert reason(spec, policies, facts)["outcome"] == "dismiss"


def test_a_short_order_an_inbound_shipment_refills_before_its_promised_date_is_not_blocked() -> None:
    b = Book(990111, ["inbound_delay"], fulfilment="ship", pickup_store=None, allocated=DC, promo=True, quantity=2)
    b.stock(DC, on_hand=0, counted=0)
    b.inbound(slipped_days=2, eta=b.promised_at - timedelta(hours=12))
    assert facts_of(b)["stock.blocks_order"] is False
    late = Book(990112, ["inbound_delay"], fulfilment="ship", pickup_store=None, allocated=DC, promo=True, quantity=2)
    late.stock(DC, on_hand=0, counted=0)
    late.inbound(slipped_days=2, eta=late.promised_at + timedelta(hours=12))
    assert facts_of(late)["stock.blocks_order"] is True


def test_stock_quarantined_pending_a_recount_is_not_read_as_phantom_when_the_count_sees_it() -> None:
    b = Book(990113, ["phantom_stock"], pickup_store="ST-N1")
    b.stock("ST-N1", on_hand=5, counted=5)
    b.rows["stores"]["stock"][0]["quarantined"] = 1  # nothing sells from it until the recount
    b.stock("ST-N2", on_hand=3, counted=3)
    facts = facts_of(b)
    assert (facts["stock.phantom_units"], facts["stock.short"]) == (0, True)
    assert facts["retail.case_types"] == ["pickup_unfulfillable"]  # moved nearby; not quarantined a second time
    b.rows["stores"]["stock"][0].update(on_hand=7)  # two units the count never saw: phantom, quarantined or not
    assert facts_of(b)["retail.case_types"] == ["pickup_unfulfillable", "phantom_stock"]


def test_phantom_stock_already_quarantined_is_recounted_and_the_order_moved_but_not_quarantined_twice() -> None:
    """An order sold before the quarantine (RET-002 v2): the clause still decides the case, its quarantine is done."""
    spec = get_mission("retail-exceptions")
    policies = load_corpus(spec.policies).policies
    b = Book(990114, ["phantom_stock"], pickup_store="ST-N1")
    b.stock("ST-N1", on_hand=6, counted=1, sold=1)  # the count supports none of the six the system shows
    b.stock("ST-N2", on_hand=3, counted=3)
    tools = lambda verdict: [a["tool"] for a in verdict["actions"]]  # noqa: E731
    before = reason(spec, policies, facts_of(b))
    assert "quarantine_stock" in tools(before)
    b.rows["stores"]["stock"][0]["quarantined"] = 1
    facts = facts_of(b)
    assert (facts["stock.quarantined"], "phantom_stock" in facts["retail.case_types"]) == (True, True)
    after = reason(spec, policies, facts)
    assert after["outcome"] == before["outcome"] == "reallocate"
    assert tools(after) == [t for t in tools(before) if t != "quarantine_stock"]
    assert "create_recount_task" in tools(after)
    facts["stock.quarantined"] = None  # cannot tell: proposed, and the stores system refuses a true repeat
    assert "quarantine_stock" in tools(reason(spec, policies, facts))
