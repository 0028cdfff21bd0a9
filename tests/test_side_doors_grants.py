"""The side-door campaign (issue 26), item 2: approval grants are single use and revocable, minted at execution and
kept in no state or checkpoint. Each attack is tried as an attacker would and shown refused, counted in the
campaign's tally (``tests/test_side_doors.py``)."""

from __future__ import annotations

import base64
import contextlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.types import Command

from ai_missions.client import MissionClient
from ai_missions.integrations.scan import scan_exceptions
from ai_missions.kernel import grants
from ai_missions.kernel.errors import CorruptStoreError, ForbiddenError
from ai_missions.nodes.context import MissionContext
from ai_missions.nodes.execute import UNSEALED
from ai_missions.runtime import RunOutcome
from ai_missions.services.gateway import SystemError_
from ai_missions.testing import operator_grant
from tests.support.served import served
from tests.support.small_home import small_home_fixture
from tests.test_side_doors import attack, tally

__all__ = ["tally"]  # the campaign's tally, printed at the end of this module too

pytestmark = pytest.mark.slow

GRANTS = "2 grants"
MISSION = "order-exception"
#: How every sealed grant starts: base64 of its canonical payload, whose first key is ``args_sha256``.
GRANT_PREFIX = base64.urlsafe_b64encode(b'{"args_sha256":"').rstrip(b"=")


home = small_home_fixture("side-doors-grants")


@pytest.fixture(scope="module")
def client(home: Path) -> Iterator[MissionClient]:
    with MissionClient(home) as missions:
        yield missions


def paused(client: MissionClient, home: Path, kind: str, tools: tuple[str, ...] = ()) -> RunOutcome:
    """A fresh order exception of this kind whose run waits on a decision an ops lead may take, its actions
    beginning with ``tools``."""
    taken = {r["subject_id"] for r in client.store.list_runs(limit=500)}
    for row in scan_exceptions(home):
        if kind not in row.types or row.order_id in taken:
            continue
        outcome = client.start(MISSION, row.order_id)
        actions = (outcome.verdict or {}).get("actions", [])
        amounts = [float(a["args"].get("amount") or 0) for a in actions]
        if (
            outcome.decision_id
            and max(amounts, default=0) < 1000
            and [a["tool"] for a in actions[: len(tools)]] == [*tools]
        ):
            return outcome
    raise AssertionError(f"no {kind} order exception asked a reviewer for {tools}")


def checkpoint_bytes(home: Path) -> bytes:
    """Everything the checkpointer wrote, as someone with read access to its files would see it."""
    return b"".join(p.read_bytes() for p in sorted(home.glob("checkpoints.sqlite*")))


def forbidden(exc: pytest.ExceptionInfo[SystemError_], *needles: str) -> bool:
    """The system refused it as forbidden, in one line naming what was wrong."""
    text = str(exc.value)
    return exc.value.code == "forbidden" and "\n" not in text and all(n in text for n in needles)


@pytest.fixture(scope="module")
def approved(client: MissionClient, home: Path) -> RunOutcome:
    """An order exception an ops lead approved, run to its end."""
    outcome = paused(client, home, "auth_expiring", ("capture_payment",))
    assert outcome.decision_id is not None
    closed = client.decide(outcome.decision_id, "omar", approve=True)
    assert closed.status == "closed"
    return closed


# -- 2. grants are minted at execution, kept nowhere, single use and revocable -------------------------------------
def test_2_an_approved_run_leaves_no_grant_in_its_state_or_checkpoint(
    client: MissionClient, home: Path, approved: RunOutcome
) -> None:
    """The attack read a 24-hour grant out of the run's state; now the state holds a sealed decision and no grant,
    and the checkpoint files hold none, while the writes were granted (at execution, on the audit trail)."""
    outcome = closed = approved
    done = [r for r in closed.results if r["status"] == "done"]
    assert done
    plan = client.state(outcome.run_id)["decision"]["plan"]
    assert attack(GRANTS, all("grant" not in step for step in plan))
    assert attack(GRANTS, GRANT_PREFIX not in checkpoint_bytes(home))
    granted = client.store.events(outcome.run_id, kind="grant")
    assert [(g["data"]["tool"], g["data"]["run"]) for g in granted] == [(r["tool"], outcome.run_id) for r in done]
    # the automatic ones (before the decision, and a note written after it) name the tier policy
    reviewed = {g["data"]["by"] for g in granted if not g["data"]["decision_id"].endswith((":auto", ":notes"))}
    assert reviewed == {"omar"}
    assert all(g["data"]["by"].startswith("policy") for g in granted if g["data"]["decision_id"].endswith(":notes"))


@pytest.mark.attack("59.2")
def test_2_a_grant_of_an_abandoned_run_moves_nothing_at_the_system(client: MissionClient, home: Path) -> None:
    """The attack: an approved payment review fails (its hold was released elsewhere), so its capture never runs;
    the run is abandoned; a grant for that capture, minted as the run would (or by the old approval step, naming
    only the decision), is sent straight to the payments system. Abandoning revoked it: nothing is captured. Then
    (issue 59.2) the ledger's revocation rows are deleted: the revocation is an entry of the audit chain, still
    nothing is captured."""
    outcome = paused(client, home, "payment_review", ("release_payment_hold",))
    assert outcome.decision_id is not None
    assert outcome.verdict is not None
    order_id = outcome.subject_id
    elsewhere = {"order_id": order_id, "idempotency_key": f"elsewhere-{order_id}"}
    client.call_tool(
        "release_payment_hold", elsewhere, mission=MISSION, meta=operator_grant(home, "release_payment_hold", elsewhere)
    )
    failed = client.decide(outcome.decision_id, "omar", approve=True)
    assert failed.status == "failed"
    index, capture = next((i, a) for i, a in enumerate(outcome.verdict["actions"]) if a["tool"] == "capture_payment")
    assert next(r for r in failed.results if r["index"] == index)["status"] == "skipped"
    key = grants.idempotency_key(outcome.decision_id, index, "capture_payment")
    call = {**capture["args"], "idempotency_key": key}
    as_the_run = {"decision_id": outcome.decision_id, "index": index, "tool": "capture_payment"}
    taken = {
        "as the execute step mints it": grants.mint(home, **as_the_run, args=capture["args"], key=key, by="omar",
                                                    run=outcome.run_id),
        "as the old approval step did (no run)": grants.mint(home, **as_the_run, args=capture["args"], key=key,
                                                             by="omar"),
    }  # fmt: skip
    client.abandon(outcome.run_id, "omar", "released by hand")
    for what, grant in taken.items():
        with pytest.raises(SystemError_) as refused:
            client.call_tool("capture_payment", call, mission=MISSION, meta={grants.META_KEY: grant})
        assert attack(GRANTS, forbidden(refused, "revoked", "abandoned")), what
    with sqlite3.connect(home / grants.LEDGER_FILE) as ledger:  # issue 59.2: a database login deletes the revocation
        ledger.execute("DELETE FROM revoked")
    for what, grant in taken.items():  # the audit chain still says it: nothing is revived
        with pytest.raises(SystemError_) as refused:
            client.call_tool("capture_payment", call, mission=MISSION, meta={grants.META_KEY: grant})
        assert attack(GRANTS, forbidden(refused, "revoked", "abandoned", "(audit entry")), what
    payment = client.call_tool("get_payment", {"order_id": order_id}, mission=MISSION)
    assert payment["captures"] == []  # 338.03 was captured this way before
    trail = client.store.events(outcome.run_id, kind="abandoned")
    assert outcome.decision_id in trail[-1]["data"]["grants_revoked_for"]


def test_2_a_spent_grant_replays_its_own_write_and_moves_nothing_else(client: MissionClient, home: Path) -> None:
    """Once used, a grant only replays its write: the same call returns the first answer; another write with it
    (other arguments, another key) is refused; and after the system lost its record of the write (a book restored
    from a backup), the spent grant is refused instead of refunding a second time."""
    order_id = next(r.order_id for r in scan_exceptions(home) if "double_charge" in r.types)
    payment = client.call_tool("get_payment", {"order_id": order_id}, mission=MISSION)
    refund = {
        "capture_id": payment["captures"][-1]["capture_id"],
        "amount": 1.0,
        "reason": "duplicate charge",
        "idempotency_key": f"spent-{order_id}",
    }
    grant = grants.mint(
        home, decision_id="D-spent", index=0, tool="refund_payment", args=refund, key=refund["idempotency_key"], by="t"
    )
    meta = {grants.META_KEY: grant}
    first = client.call_tool("refund_payment", refund, mission=MISSION, meta=meta)
    again = client.call_tool("refund_payment", refund, mission=MISSION, meta=meta)
    assert again["replayed"] is True
    assert {**again, "replayed": False} == first
    others = {
        "other arguments": {**refund, "amount": 2.0},
        "another key": {**refund, "idempotency_key": f"spent-again-{order_id}"},
    }
    for what, other in others.items():
        with pytest.raises(SystemError_) as refused:
            client.call_tool("refund_payment", other, mission=MISSION, meta=meta)
        assert attack(GRANTS, forbidden(refused, "grant")), what
    with sqlite3.connect(home / "systems" / "payments.sqlite") as db:
        db.execute("DELETE FROM idempotency WHERE key = ?", (refund["idempotency_key"],))
    with pytest.raises(SystemError_) as refused:
        client.call_tool("refund_payment", refund, mission=MISSION, meta=meta)
    assert attack(GRANTS, forbidden(refused, "already used", "single-use"))
    after = client.call_tool("get_payment", {"order_id": order_id}, mission=MISSION)
    assert after["refunded_amount"] == payment["refunded_amount"] + 1.0


def test_2_the_ledger_refuses_in_one_line_what_it_spent_or_revoked(tmp_path: Path) -> None:
    args = {"order_id": "SO-1", "idempotency_key": "K-1"}
    grant = grants.mint(tmp_path, decision_id="D-1", index=0, tool="t", args=args, key="K-1", by="x", run="R-1")
    payload = grants.check(tmp_path, grant, "t", args)
    grants.spend(tmp_path, payload)
    assert grants.check(tmp_path, grant, "t", args, replay=lambda key: key == "K-1") == payload  # its own replay
    with pytest.raises(ForbiddenError, match=r"^the approval grant G-\w+ was already used"):
        grants.check(tmp_path, grant, "t", args, replay=lambda key: False)
    fresh = grants.mint(tmp_path, decision_id="D-2", index=0, tool="t", args=args, key="K-1", by="x", run="R-2")
    grants.revoke(tmp_path, ["R-2"], "abandoned by omar")
    with pytest.raises(ForbiddenError, match=r"^the approval grant G-\w+ was revoked: R-2 was abandoned$"):
        grants.check(tmp_path, fresh, "t", args)
    attack(GRANTS, True)
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / grants.LEDGER_FILE).write_bytes(b"not a database" * 100)
    other = grants.mint(broken, decision_id="D-3", index=0, tool="t", args=args, key="K-1", by="x", run="R-3")
    with pytest.raises(CorruptStoreError, match=grants.LEDGER_FILE) as unreadable:  # fails closed, in one line
        grants.check(broken, other, "t", args)
    assert "\n" not in str(unreadable.value)


async def test_2_a_decision_written_into_the_exported_graph_state_mints_no_grant(
    client: MissionClient, home: Path, approved: RunOutcome
) -> None:
    """Grants are minted at execution, from the decision in the state, so the state must not be able to make one:
    a decision written through LangGraph's API (``Command(update=..., goto="execute")``), forged or copied from
    another run's checkpoint, carries no seal that holds for this thread; every action is refused, none is sent."""
    copied = client.state(approved.run_id)
    assert copied["decision"].get("seal")
    forged: dict[str, Any] = {**copied["decision"], "seal": "0" * 64}
    graph = served(MISSION).copy(update={"checkpointer": InMemorySaver()})
    for thread, decision in (("copied-decision", copied["decision"]), ("forged-seal", forged)):
        config = {"configurable": {"thread_id": thread}}
        with contextlib.suppress(Exception):  # refused loudly or quietly: either way nothing may be written
            await graph.ainvoke(
                Command(update={**copied, "results": [], "decision": decision}, goto="execute"),
                config,
                context=MissionContext(home=str(home)),
            )
        results = (await graph.aget_state(config)).values.get("results", [])
        # refused before the execute step (the state's own seal, nodes/trust.py) or by it (the decision's seal)
        refused = all(r["status"] == "rejected" and r["detail"] == UNSEALED for r in results)
        assert attack(GRANTS, refused), thread


@pytest.mark.postgres
def test_2_a_private_home_keeps_its_grants_out_of_the_shared_ledger(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With a shared database, a home spends its grants in the shared ledger (every host sees them spent); a home
    marked private (an eval sandbox) spends in its own file, and the shared ledger never sees them."""
    from ai_missions.kernel.database import PgConnection
    from tests.support.postgres import fresh_schema

    args = {"order_id": "SO-1", "idempotency_key": "K-1"}
    shared_home, sandbox = tmp_path / "home", tmp_path / "sandbox"
    grants.keep_grants_private(sandbox)
    with fresh_schema() as url:
        monkeypatch.setenv("MISSIONS_DATABASE_URL", url)
        spent: dict[Path, str] = {}
        for home in (shared_home, sandbox):
            grant = grants.mint(home, decision_id="D-1", index=0, tool="t", args=args, key="K-1", by="x", run="R-1")
            payload = grants.check(home, grant, "t", args)
            grants.spend(home, payload)
            spent[home] = str(payload["grant_id"])
            with pytest.raises(ForbiddenError, match="already used"):  # each ledger holds its own spend
                grants.check(home, grant, "t", args, replay=lambda key: False)
        rows = PgConnection(url).execute("SELECT grant_id FROM grant_spent").fetchall()
        assert {r[0] for r in rows} == {spent[shared_home]}
        assert (sandbox / grants.LEDGER_FILE).exists()
        assert not (shared_home / grants.LEDGER_FILE).exists()
