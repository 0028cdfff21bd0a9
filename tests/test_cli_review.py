"""A reviewer decides from the command line with the facts in view: each mission's flagship decision is read with
``missions show`` and ``missions queue`` and decided with ``missions decide``, one way each (approve, edit,
reject, co-approve, hand off), and what the CLI said is checked against what the store and the systems did."""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

import pytest

from ai_missions.kernel.missions import get_mission
from ai_missions.kernel.store import RunStore
from ai_missions.services import coapproval
from ai_missions.services.identity import Accounts
from ai_missions.testing import DEMO_PASSWORD
from tests.support.as_account import cli_as as cli
from tests.support.mission_home import flagships_fixture
from tests.support.small_home import demo_home_fixture

home = demo_home_fixture("cli-review")
flagships = flagships_fixture()


#: ``missions ARGS`` on the demo home (``as_``: signed in as that account) -> exit code, stdout, stderr.
Missions = Callable[..., tuple[int, str, str]]


@pytest.fixture
def missions(home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Missions:
    return partial(cli, capsys, monkeypatch, home)


def test_show_puts_each_action_its_money_roles_evidence_and_clause_in_view(
    home: Path, flagships: dict[str, tuple[str, str]], missions: Missions
) -> None:
    store = RunStore(home / "runs.sqlite")
    for mission, (run_id, decision_id) in flagships.items():
        code, out, err = missions("show", run_id)
        assert code == 0, err
        decision = store.get_decision(decision_id)
        assert f"Decision {decision_id}: pending" in out
        for number, interrupt in enumerate(decision.request["interrupts"], start=1):
            request = interrupt["action_request"]
            assert f"{interrupt['metadata']['action_index'] + 1}. {request['action']}(" in out, mission
            key, value = next((k, v) for k, v in request["args"].items() if k.endswith("_id"))
            assert f"{key}={value!r}" in out, (mission, number)  # the arguments, not only the tool's name
        assert "may approve:" in out
        assert "moves:" in out
        assert "\nEvidence\n" in out, mission
        assert "\nPolicy clauses that matched\n" in out, mission
        review = json.loads(missions("show", run_id, "--json")[1])["decisions"][0]["review"]
        assert review["evidence"]
        assert review["clauses"]
        assert all(a["roles"] or a["approver"] for a in review["actions"])
    support = missions("show", flagships["support"][0])[1]
    refund = json.loads(missions("show", flagships["support"][0], "--json")[1])
    amount = next(a["amount"] for a in refund["decisions"][0]["review"]["actions"] if a["tool"] == "refund_payment")
    assert f"money {amount:,.2f}" in support
    assert "co-approval: needs" in support
    assert "signed: nobody yet" in support


def test_show_prints_the_text_a_customer_reads_whole_and_full_prints_every_argument_whole(
    home: Path, flagships: dict[str, tuple[str, str]], missions: Missions
) -> None:
    """Issue 39 item 4: the reply cut to "We have r..." cannot be approved knowingly. `show` prints text that reaches
    someone outside whole (its line breaks kept, wrapped, never cut, no literal \\n); `--full` every argument."""
    store = RunStore(home / "runs.sqlite")

    def squeezed(text: str) -> str:
        return " ".join(text.split())

    for mission, (run_id, decision_id) in flagships.items():
        out = missions("show", run_id)[1]
        full = missions("show", run_id, "--full")[1]
        assert "\\n" not in out, mission
        assert "\\n" not in full, mission
        tools = get_mission(mission).tools
        for interrupt in store.get_decision(decision_id).request["interrupts"]:
            request = interrupt["action_request"]
            rule = tools[request["action"]]
            for name, value in request["args"].items():
                if not isinstance(value, str) or name == "idempotency_key":
                    continue
                if rule.spec.reaches_outside and name in rule.free_text:
                    assert squeezed(value) in squeezed(out), (mission, name)
                    assert all(len(line) <= 110 for line in out.splitlines() if line.startswith(" " * 7)), mission
                assert squeezed(value) in squeezed(full), (mission, name)
    reply = missions("show", flagships["support"][0])[1]
    assert "body (as the recipient reads it):" in reply


def test_queue_has_a_header_a_mission_and_amount_column_and_says_how_many_more(
    home: Path, flagships: dict[str, tuple[str, str]], missions: Missions
) -> None:
    code, out, _ = missions("queue", "--limit", "2")
    lines = out.splitlines()
    assert code == 0
    everyone = missions("queue")[1].splitlines()
    assert max(len(line) for line in everyone) <= 120, "\n".join(line for line in everyone if len(line) > 120)
    # (where co-approval or a hand-off stands is a line below its row)
    assert lines[0].split() == ["DECISION", "DUE", "(UTC)", "MISSION", "SUBJECT", "AMOUNT", "NEEDS", "ACTIONS"]
    assert lines[-1] == f"... {len(flagships) - 2} more pending decisions (--limit {len(flagships)} shows them all)"
    code, out, err = missions("queue", "--json", "--limit", "2")
    assert len(json.loads(out)) == 2
    assert err == f"missions: {len(flagships) - 2} more pending decisions (--limit {len(flagships)} shows them all)\n"
    everything = json.loads(missions("queue", "--json")[1])
    assert {d["mission"] for d in everything} == set(flagships)
    assert next(d for d in everything if d["mission"] == "account-save")["needs"].startswith("ava ")
    code, out, _ = missions("runs", "--limit", "1")
    assert out.splitlines()[0].split()[:3] == ["RUN", "STARTED", "(UTC)"]
    assert "more runs (--limit" in out.splitlines()[-1]
    code, out, err = missions("runs", "--limit", "1", "--json")
    assert len(json.loads(out)) == 1
    assert err.startswith("missions: ")
    assert "more runs (--limit" in err
    assert missions("runs", "--json")[2] == ""  # nothing cut: nothing said


def test_each_flagship_is_decided_one_way_from_the_cli(
    home: Path, flagships: dict[str, tuple[str, str]], missions: Missions
) -> None:
    store = RunStore(home / "runs.sqlite")

    # an edit naming an argument the action lacks, changing its kind, or giving a value the tool's schema refuses
    # (read from the request: the schemas the proposal was checked against) is refused at once, one line
    refused = [
        ("retail-exceptions", "rhea", '{"2": {"nope": 1}}', "has no argument 'nope'"),
        ("retail-exceptions", "rhea", '{"1": {"order_id": 5}}', "is text"),
        ("support", "lee", '{"2": {"status": "bogus"}}', 'argument status: "bogus" is not one of'),
        ("support", "fiona", '{"1": {"amount": -5}}', "argument amount: -5 is less than"),
        ("invoice-approval", "chen", '{"2": {"amount": 0.001}}', "is not a multiple of 0.01"),
    ]
    for mission, who, edit, said in refused:
        decision_id = flagships[mission][1]
        assert set(store.get_decision(decision_id).request["schemas"]) == {
            i["action_request"]["action"] for i in store.get_decision(decision_id).request["interrupts"]
        }
        started = time.perf_counter()
        code, _, err = missions("decide", decision_id, "--edit", edit, as_=who)
        assert code == 2, (mission, edit)
        assert said in err, err
        assert err.count("\n") == 1, err
        assert time.perf_counter() - started < 2
        assert store.get_decision(decision_id).status == "pending"
        assert not coapproval.signoffs(store, decision_id)
    # a reviewer whose role no rule lets approve any open action is refused as fast, saying who may
    decision_id = flagships["invoice-approval"][1]
    started = time.perf_counter()
    code, _, err = missions("decide", decision_id, "--approve", as_="sam")
    assert code == 2
    assert f"sam (support_agent) may not approve any open action of decision {decision_id}: " in err
    assert "post_payment (action 2) needs one of the roles ap_clerk, ap_manager, controller" in err
    assert err.count("\n") == 1, err
    assert time.perf_counter() - started < 2
    assert store.get_decision(decision_id).status == "pending"

    decision_id = flagships["retail-exceptions"][1]
    # edit: only the named argument changes
    interrupts = store.get_decision(decision_id).request["interrupts"]
    number, tool, args = next(
        (i["metadata"]["action_index"] + 1, i["action_request"]["action"], i["action_request"]["args"])
        for i in interrupts
        if get_mission("retail-exceptions").tools[i["action_request"]["action"]].free_text
        & set(i["action_request"]["args"])
    )
    field = sorted(get_mission("retail-exceptions").tools[tool].free_text & set(args))[0]
    edit = json.dumps({str(number): {field: "Your order is on its way from another store."}})
    code, out, err = missions("decide", decision_id, "--edit", edit, as_="rhea")
    assert code == 0, err
    answer = store.get_decision(decision_id).response["responses"]
    edited = next(a for a in answer if a["type"] == "edit")["args"]["args"]
    assert edited == {**args, field: "Your order is on its way from another store."}
    shown = missions("show", flagships["retail-exceptions"][0])[1]
    assert f"edited and approved ({field}='Your order is on its way from another store.')" in shown
    assert "decided by rhea at " in shown

    # approve
    run_id, decision_id = flagships["order-exception"]
    code, out, err = missions("decide", decision_id, "--approve", as_="omar")
    assert code == 0, err
    assert "release_to_fulfillment: done" in out
    assert "decided by omar" in missions("show", run_id)[1]

    # reject
    run_id, decision_id = flagships["invoice-approval"]
    code, out, err = missions("decide", decision_id, "--reject", "--reason", "vendor on hold", as_="chen")
    assert code == 0, err
    shown = missions("show", run_id)[1]
    assert "rejected (vendor on hold)" in shown

    # a hand-off to someone who may approve none of it is refused (#39 item 3): the account's owner then approves
    run_id, decision_id = flagships["account-save"]
    code, out, err = missions("decide", decision_id, "--hand-off", "maya", "--reason", "ava is out", as_="ava")
    assert code == 2, out
    assert "cannot hand off to maya (" in err
    assert "they may approve none of the open actions" in err
    assert "decided by ava (account.approver), not maya; maya (account.owner_manager) decides it" in err
    assert err.count("\n") == 1, err
    assert coapproval.handed_to(store, decision_id) is None
    row = next(d for d in json.loads(missions("queue", "--json")[1]) if d["decision_id"] == decision_id)
    assert row["handed_to"] is None
    code, out, err = missions("decide", decision_id, "--approve", as_="ava")
    assert code == 0, err

    # co-approve: finance signs the refund, support the reply; nothing runs before both
    run_id, decision_id = flagships["support"]
    code, out, err = missions("decide", decision_id, "--approve", as_="fiona")
    assert code == 0, err
    assert "signed by fiona (finance); still needed: support_" in out, out
    assert "awaits a reviewer" not in out
    row = next(d for d in json.loads(missions("queue", "--json")[1]) if d["decision_id"] == decision_id)
    assert row["signed"] == [{"action": 1, "by": "fiona (finance)", "answer": "approved"}]
    assert row["still_needed"]
    review = json.loads(missions("show", run_id, "--json")[1])["decisions"][0]["review"]
    reply_roles = " or ".join(review["actions"][1]["roles"])
    assert len(review["actions"][1]["roles"]) > 1
    assert row["needs"] == reply_roles  # any one of them may sign the reply, not only the first
    assert f"still needed: {reply_roles} for send_ticket_reply (action 2)" in out
    assert "└ co-approval: fiona (finance) signed 1\n" in missions("queue")[1]
    shown = missions("show", run_id)[1]
    assert "signed: action 1 by fiona (finance)" in shown
    assert "fiona (finance): fiona (finance) signed" not in shown  # the audit line names its actor once, first
    # the audit line says who the rest waits for, not only what (it is not fiona's to sign)
    assert f"signed action(s) 1 of decision {decision_id}; still awaiting send_ticket_reply (action 2) from " in shown
    # the second signer edits the reply as they sign it: only the body changes, and show says what changed
    body = "Hello, we refunded the duplicate charge."
    code, out, err = missions("decide", decision_id, "--edit", json.dumps({"2": {"body": body}}), as_="lee")
    assert code == 0, err
    assert "refund_payment: done" in out
    assert "send_ticket_reply: done" in out
    assert store.count_pending() == 0
    shown = missions("show", run_id)[1]
    assert f"edited and approved (body={body!r})" in shown
    answers = store.get_decision(decision_id).response["responses"]
    proposed = store.get_decision(decision_id).request["interrupts"][1]["action_request"]["args"]
    assert answers[1]["args"]["args"] == {**proposed, "body": body}


def test_a_listing_still_lists_when_the_accounts_cannot_be_read(
    missions_home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whom a hand-off reaches is read from the accounts; an account altered behind the platform's back is refused
    where it matters (signing in, deciding), and the listings go on listing, without the hand-off's reach."""
    missions_home.mkdir(parents=True)
    store = RunStore(missions_home / "runs.sqlite")
    Accounts(store).add("ana", "ops_agent", DEMO_PASSWORD, by="setup")
    store.create_run("R-1", mission="order-exception", subject_id="SO-1", reasoner="offline", case_types=[])
    request = {"interrupts": [], "actions_hash": "0"}
    store.open_decision("D-1", run_id="R-1", mission="order-exception", subject_id="SO-1", request=request)
    coapproval.hand_off(
        store,
        store.get_decision("D-1"),
        by="ana",
        role="ops_agent",
        to="ana",
        reason="back",
        roster={"ana": "ops_agent"},
    )
    assert (
        json.loads(cli(capsys, monkeypatch, missions_home, "queue", "--json")[1])[0]["handed_to"]["may_approve"] == []
    )
    with sqlite3.connect(missions_home / "runs.sqlite") as db:
        db.execute("UPDATE accounts SET role = 'finance' WHERE name = 'ana'")
    for command in (["queue"], ["show", "R-1"]):
        code, out, err = cli(capsys, monkeypatch, missions_home, *command)
        assert code == 0, err
        assert "handed to ana by ana" in out
        assert "ana may approve" not in out
