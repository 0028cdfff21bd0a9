"""Who may see and answer what on LangGraph's own server (``langgraph dev``), tried through its SDK as each kind of
caller would (issue 42, item 2; issue 39, item 1): the ``@auth.on`` handlers of ``ai_missions.langgraph_auth`` ask
the platform's one authorization point, and the approval step checks the standing of whoever resumes.

- a customer's token finds no thread but runs about their own records, and reads, writes or answers none of
  another's; Studio's sign-in without a token is refused;
- customer care and a reviewer of another mission see and answer only what their role may;
- an ops lead's Agent Inbox "accept" of a capture above his limit decides nothing: the decision stays pending (queue
  row, thread still interrupted, the refusal in one line), and finance then approves it through the server and it
  executes once;
- every other method the SDK offers to move a thread on (threads.create/update/update_state/copy/delete, runs with
  command/goto/update/input/checkpoint/interrupt_before, a run without a thread, crons, the store, assistants)
  writes nothing to any system;
- an unknown subject is a one-line 404 before a run is recorded, and a decision started on the server has its due
  date."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from ai_missions.integrations.scan import scan_exceptions
from ai_missions.integrations.seed import story_order_id
from ai_missions.kernel.errors import NotFoundError
from ai_missions.kernel.store import RunStore
from tests.support.as_account import customer_account
from tests.support.langgraph_server import sdk_as as as_
from tests.support.langgraph_server import server_fixture
from tests.support.small_home import demo_home_fixture, rows

pytestmark = pytest.mark.slow

MISSION = "order-exception"


home = demo_home_fixture("langgraph-server-auth")


server = server_fixture()


def writes(home: Path) -> int:
    """Every write the simulated systems recorded (each write tool keeps its idempotency key)."""
    total = 0
    for path in sorted((home / "systems").glob("*.sqlite")):
        with sqlite3.connect(path) as db:
            if db.execute("SELECT 1 FROM sqlite_master WHERE name = 'idempotency'").fetchone():
                total += int(db.execute("SELECT count(*) FROM idempotency").fetchone()[0])
    return total


def status_of(call: Callable[[], Any]) -> tuple[int, str]:
    """The HTTP status and message a refused call ends with (it must be refused)."""

    def run() -> None:
        result = call()
        if hasattr(result, "__next__"):  # a stream is refused when it is read
            list(result)

    with pytest.raises(httpx.HTTPStatusError) as refused:
        run()
    return refused.value.response.status_code, refused.value.response.text


def free_orders(home: Path) -> Iterator[str]:
    """Orders with an exception that no run or decision holds (the flagship story left out), in the book's order."""
    store = RunStore(home / "runs.sqlite")
    story = story_order_id(home)
    for row in scan_exceptions(home):
        if row.order_id != story and store.case_held(MISSION, row.order_id) is None:
            yield row.order_id


def capture_orders(home: Path) -> Iterator[str]:
    """Free orders whose only exception is an expiring authorization above an ops lead's limit (1,000): the mission
    proposes a capture only finance may approve."""
    types = {r.order_id: list(r.types) for r in scan_exceptions(home)}
    for order_id in free_orders(home):
        ((cents,),) = rows(home, "payments", "SELECT amount_cents FROM authorizations WHERE order_id = ?", order_id)
        if types[order_id] == ["auth_expiring"] and cents > 100_000:
            yield order_id


@pytest.fixture(scope="module")
def paused(server: str, home: Path) -> dict[str, Any]:
    """A capture above the ops lead's limit, started on the server by omar and paused at its decision."""
    omar = as_(server, home, "omar")
    order_id = next(capture_orders(home))
    thread = omar.threads.create()
    omar.runs.wait(thread["thread_id"], MISSION, input={"subject_id": order_id})
    state = omar.threads.get_state(thread["thread_id"])
    request = state["tasks"][0]["interrupts"][0]["value"]
    assert [i["action_request"]["action"] for i in request] == ["capture_payment"], request
    return {"thread_id": thread["thread_id"], "order_id": order_id, "request": request}


def pending(home: Path, paused: dict[str, Any]) -> bool:
    """Whether the paused run's decision is still pending, in the queue and on the server's thread."""
    decision = RunStore(home / "runs.sqlite").get_decision(paused["request"][0]["metadata"]["decision_id"])
    return decision.status == "pending"


@pytest.mark.attack("42.2")
def test_a_customer_sees_only_runs_about_their_own_records_and_answers_none(
    server: str,
    home: Path,
    paused: dict[str, Any],
) -> None:
    thread_id = paused["thread_id"]
    other = as_(server, home, customer_account(home, story_order_id(home)))  # a customer of another order
    own = as_(server, home, customer_account(home, paused["order_id"]))
    before = writes(home)

    accept = {"resume": [{"type": "accept"}]}
    for customer in (other, own):
        assert customer.threads.search() == []  # a customer starts nothing here, so owns no thread
        assert status_of(customer.threads.create)[0] == 403
        refused = status_of(lambda c=customer: c.runs.wait(thread_id, MISSION, command=accept))  # type: ignore[misc]
        assert refused[0] == 403, refused
        update = status_of(lambda c=customer: c.threads.update(thread_id, metadata={"owner": "me"}))  # type: ignore[misc]
        assert update[0] == 403, update
    assert status_of(lambda: other.threads.get(thread_id))[0] == 403  # another customer's run: not theirs
    assert status_of(lambda: other.threads.get_state(thread_id))[0] == 403
    own_read = status_of(lambda: own.threads.get_state(thread_id))  # their own run: its state is the reasoning
    assert own_read[0] == 403, own_read  # (issue 59, item 9): they read it through the portal or read_run
    assert "a customer reads their own case through the portal" in own_read[1]

    # Studio's own sign-in (no token, the langsmith scheme) is off: the server asks for a token
    studio = httpx.post(f"{server}/threads/search", json={}, headers={"x-auth-scheme": "langsmith"}, timeout=10)
    assert studio.status_code == 401, studio.text
    assert writes(home) == before
    assert pending(home, paused)


@pytest.mark.attack("42.2")
def test_customer_care_and_a_reviewer_of_another_mission_see_and_answer_only_what_they_may(
    server: str,
    home: Path,
    paused: dict[str, Any],
) -> None:
    thread_id = paused["thread_id"]
    before = writes(home)
    accept = {"resume": [{"type": "accept"}]}

    priya = as_(server, home, "priya")  # an AP clerk: invoices, not orders
    assert [t for t in priya.threads.search(limit=100) if t["metadata"].get("graph_id") == MISSION] == []
    assert status_of(lambda: priya.threads.get(thread_id))[0] == 403
    assert status_of(lambda: priya.runs.wait(thread_id, MISSION, command=accept))[0] == 403
    started = {"subject_id": paused["order_id"]}
    refused = status_of(lambda: priya.runs.wait(priya.threads.create()["thread_id"], MISSION, input=started))
    assert refused[0] == 403, refused
    assert "may not start the order-exception mission" in refused[1], refused

    cole = as_(server, home, "cole")  # customer care: reviews the order mission's messages, not its captures
    assert thread_id in {t["thread_id"] for t in cole.threads.search(limit=100)}
    assert cole.threads.get(thread_id)["thread_id"] == thread_id
    refused = status_of(lambda: cole.runs.wait(thread_id, MISSION, command=accept))
    assert refused[0] == 403, refused
    assert "may not see decision" in refused[1], refused
    assert writes(home) == before
    assert pending(home, paused)


@pytest.mark.attack("42.2")
def test_an_inbox_accept_without_standing_leaves_the_decision_pending_for_finance_who_then_approves_it(
    server: str,
    home: Path,
    paused: dict[str, Any],
) -> None:
    """Issue 39, item 1: omar (ops_lead, limit 1,000) accepts a capture above 1,000 in Agent Inbox."""
    thread_id, request = paused["thread_id"], paused["request"]
    decision_id = request[0]["metadata"]["decision_id"]
    store = RunStore(home / "runs.sqlite")
    assert store.get_decision(decision_id).due_at is not None  # dated as a decision started by the CLI is
    assert request[0]["metadata"]["roles"] == ["finance"]  # whose answer it takes, for the inbox's reader
    omar = as_(server, home, "omar")
    before = writes(home)

    omar.runs.wait(thread_id, MISSION, command={"resume": [{"type": "accept"} for _ in request]})
    state = omar.threads.get_state(thread_id)
    again = state["tasks"][0]["interrupts"][0]["value"]
    refusal = again[0]["metadata"]["refused"]
    assert "exceeds the ops_lead approval limit" in refusal, refusal
    assert "\n" not in refusal
    assert again[0]["metadata"]["decision_id"] == decision_id  # the same decision, asked again
    assert "decision" not in state["values"]
    assert writes(home) == before
    decision = store.get_decision(decision_id)
    assert (decision.status, decision.decided_by) == ("pending", None)
    assert store.get_run(thread_id)["status"] == "awaiting_decision"
    # a rejection takes the same standing: omar's "no" decides nothing either
    omar.runs.wait(thread_id, MISSION, command={"resume": [{"type": "response", "args": "not mine"}]})
    assert store.get_decision(decision_id).status == "pending"
    print(f"\nissue 39.1 over HTTP: omar's accept refused in one line: {refusal}")

    fiona = as_(server, home, "fiona")
    fiona.runs.wait(thread_id, MISSION, command={"resume": [{"type": "accept"} for _ in request]})
    final = fiona.threads.get_state(thread_id)["values"]
    assert final["status"] == "closed", final.get("status")
    captured = [r for r in final["results"] if r["tool"] == "capture_payment"]
    assert [r["status"] for r in captured] == ["done"], captured
    decided = store.get_decision(decision_id)
    assert (decided.status, decided.decided_by, decided.reviewer_role) == ("decided", "fiona", "finance")
    captures = rows(home, "payments", "SELECT count(*) FROM captures WHERE order_id = ?", paused["order_id"])
    assert captures == [(1,)]  # executed once


@pytest.mark.attack("42.2")
def test_no_sdk_method_writes_without_a_reviewers_approval(
    server: str,
    home: Path,
) -> None:
    """Every way the SDK offers to move a thread, tried by a reviewer of the mission (omar) on a paused capture and
    on fresh threads: each is refused before anything runs, and no system records a write."""
    omar = as_(server, home, "omar")
    order_id = next(capture_orders(home))
    thread = omar.threads.create()
    thread_id = thread["thread_id"]
    omar.runs.wait(thread_id, MISSION, input={"subject_id": order_id})
    spare = next(free_orders(home))  # another case: every start on it below is refused before it runs
    paused_state = omar.threads.get_state(thread_id)
    checkpoint_id = paused_state["checkpoint"]["checkpoint_id"]
    accept = [{"type": "accept"}]
    forged = {"outcome": "proceed", "actions": [], "confidence": 1.0, "summary": "forged"}
    assistant = omar.assistants.search(graph_id=MISSION)[0]["assistant_id"]

    def fresh() -> str:
        return str(omar.threads.create()["thread_id"])

    attacks: dict[str, Callable[[], Any]] = {
        "threads.update (metadata)": lambda: omar.threads.update(thread_id, metadata={"owner": "fiona"}),
        "threads.update_state as_node": lambda: omar.threads.update_state(
            thread_id, {"verdict": forged}, as_node="request_approval"
        ),
        "threads.copy": lambda: omar.threads.copy(thread_id),
        "threads.delete": lambda: omar.threads.delete(thread_id),
        "runs.wait command goto": lambda: omar.runs.wait(thread_id, MISSION, command={"goto": "execute"}),
        "runs.wait command update+resume": lambda: omar.runs.wait(
            thread_id, MISSION, command={"update": {"verdict": forged}, "resume": accept}
        ),
        "runs.create command update+goto on a fresh thread": lambda: omar.runs.create(
            fresh(), MISSION, command={"update": {"subject_id": order_id, "verdict": forged}, "goto": "gather"}
        ),
        "runs.stream input with a forged verdict": lambda: omar.runs.stream(
            fresh(), MISSION, input={"subject_id": order_id, "verdict": forged}
        ),
        "runs.wait from an earlier checkpoint": lambda: omar.runs.wait(
            thread_id, MISSION, command={"resume": accept}, checkpoint_id=checkpoint_id
        ),
        "runs.wait interrupt_after gather": lambda: omar.runs.wait(
            fresh(), MISSION, input={"subject_id": spare}, interrupt_after=["gather"]
        ),
        "runs.wait without a thread": lambda: omar.runs.wait(None, MISSION, input={"subject_id": spare}),
        "runs.create with a webhook": lambda: omar.runs.create(
            fresh(), MISSION, input={"subject_id": spare}, webhook="https://example.com/hook"
        ),
        "runs.wait input on a thread that already ran": lambda: omar.runs.wait(
            thread_id, MISSION, input={"subject_id": order_id}
        ),
        "crons.create": lambda: omar.crons.create(assistant, schedule="* * * * *", input={"subject_id": order_id}),
        "crons.create_for_thread": lambda: omar.crons.create_for_thread(
            thread_id, assistant, schedule="* * * * *", input={"subject_id": order_id}
        ),
        "assistants.create": lambda: omar.assistants.create(MISSION, config={}),
        "assistants.update": lambda: omar.assistants.update(assistant, metadata={"x": 1}),
        "store.put_item": lambda: omar.store.put_item(["ns"], "k", {"v": 1}),
    }
    before = writes(home)
    refused = {}
    for what, attack in attacks.items():
        refused[what] = status_of(attack)
        assert refused[what][0] in (403, 404, 409, 422), (what, refused[what])
        assert writes(home) == before, what
    # refused by the handlers (403), the one conflict named (409); a webhook the server itself may refuse first
    expected = {"runs.wait input on a thread that already ran": {409}, "runs.create with a webhook": {403, 422}}
    assert {w: c for w, (c, _) in refused.items() if c not in expected.get(w, {403})} == {}, refused
    # what a client writes under the platform's metadata keys is dropped: the thread is its creator's
    claimed = omar.threads.create(metadata={"owner": "fiona", "graph_id": MISSION, "note": "kept"})["metadata"]
    assert (claimed["owner"], claimed.get("graph_id"), claimed["note"]) == ("omar", None, "kept")
    values = omar.threads.get_state(thread_id)
    assert values["checkpoint"]["checkpoint_id"] == checkpoint_id  # the paused thread did not move
    assert "decision" not in values["values"]
    assert RunStore(home / "runs.sqlite").decisions_of(thread_id)[0].status == "pending"
    print(f"\nissue 42.2 over HTTP: {len(refused)} SDK methods refused, 0 writes")


def test_an_unknown_subject_is_refused_in_one_line_before_any_run_is_recorded(
    server: str,
    home: Path,
) -> None:
    omar = as_(server, home, "omar")
    thread = omar.threads.create()
    code, message = status_of(lambda: omar.runs.wait(thread["thread_id"], MISSION, input={"subject_id": "SO-999999"}))
    assert code == 404, message
    assert "unknown order 'SO-999999'" in message, message
    with pytest.raises(NotFoundError):
        RunStore(home / "runs.sqlite").get_run(thread["thread_id"])
    assert omar.runs.list(thread["thread_id"]) == []
