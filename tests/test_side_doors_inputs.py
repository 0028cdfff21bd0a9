"""The side-door campaign (issue 26), items 9 and 10: untrusted names reaching customers, and faults and input
the CLI met with an internal error or a silent exit 0. Each attack is tried as an attacker would and shown refused
(or the honest outcome), counted in the campaign's tally (``tests/test_side_doors.py``)."""

from __future__ import annotations

import contextlib
import os
import signal
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

import anyio
import pytest

from ai_missions.client import MissionClient
from ai_missions.graphs.account_save.drafts import draft_email
from ai_missions.graphs.account_save.spec import SPEC as ACCOUNT_SAVE
from ai_missions.graphs.support.evals.recorded import decide
from ai_missions.graphs.support.spec import SPEC as SUPPORT
from ai_missions.integrations.scan import scan_exceptions
from ai_missions.kernel.errors import ConflictError, OutcomeUnknownError
from ai_missions.kernel.store import RunStore, refuse_unknown_outcome
from ai_missions.nodes.guard import check_actions, guard
from ai_missions.nodes.plain_text import display_name, plain_text_problems
from ai_missions.services.audit import entries as audit_entries
from ai_missions.services.gateway import SystemError_, SystemsGateway, SystemUnavailable, _Held
from ai_missions.testing import signed_in_as
from tests.support.small_home import small_home
from tests.test_side_doors import attack, missions, refused_in_one_line, tally
from tests.test_support_actions import case, received

__all__ = ["tally"]  # the campaign's tally, printed at the end of this module too

pytestmark = pytest.mark.slow

#: Names a sign-up form, a CRM import or an e-mail header let through, and the plain name left of each.
HOSTILE_NAMES = {
    "http://evil.example/x Smith": "Smith",
    "<b>x</b> Smith": "Smith",
    "evil.example Smith": "Smith",
    "www.evil.example/login Smith": "Smith",
    "[pay here](https://evil.example) Smith": "Smith",
    "bob@evil.example Smith": "Smith",
    "Smith\u202egnp.exe": "",  # shown as "Smithexe.png": the override is removed, and the file name dropped
    "Ana\u202e Smith\u2066": "Ana Smith",
    "\x00Smith\x07": "Smith",
    "<script>alert(1)</script>": "",
    "&lt;b&gt; Smith": "Smith",
}


# -- 9. text that reaches a customer is plain ------------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(HOSTILE_NAMES))
def test_9_a_hostile_name_is_greeted_by_its_plain_words_in_a_support_reply(name: str) -> None:
    """The support mission end to end from the ticket (gather's reading, facts, the offline reasoner, the guard):
    the reply greets the plain name, carries nothing the name smuggled in, and still goes to the reviewer."""
    ticket = case("I sent back order SO-100001, where is my refund?", returns=received())
    ticket["ticket"]["requester"]["name"] = name
    _facts, verdict = decide(ticket)
    body = next(a["args"]["body"] for a in verdict["actions"] if a["tool"] == "send_ticket_reply")
    greeting = body.splitlines()[0]
    expected = HOSTILE_NAMES[name].split(" ")[0] or "there"
    assert greeting == f"Hello {expected},"
    assert attack("9 untrusted names reach customers", plain_text_problems(body) == [])
    assert "refund_payment" in [a["tool"] for a in verdict["actions"]]  # the case is still answered


@pytest.mark.parametrize("name", sorted(HOSTILE_NAMES))
def test_9_a_hostile_contact_name_never_reaches_an_account_email(name: str) -> None:
    facts = {
        "account.name": "<a href='https://evil.example'>Acme</a>",
        "account.contact_name": name,
        "account.sender_name": "Dana\u202e Whitfield http://evil.example",
        "account.signals": ["silent_account"],
    }
    subject, body = draft_email(facts)
    assert body.startswith(f"Hi {HOSTILE_NAMES[name].split(' ')[0] or 'there'},\n\n")
    assert body.endswith("Best regards,\nDana Whitfield")
    assert subject == "Checking in"  # the account's name was markup: left out, not sent
    assert attack("9 untrusted names reach customers", plain_text_problems(subject + body) == [])


def test_9_plain_names_are_kept_as_written() -> None:
    for name in ("Ana Silva", "María José Pérez", "Jean-Luc O'Brien", "J. R. Tolkien", "Zoë Ødegaard"):
        assert display_name(name) == name
    assert display_name("Ana Silva", first=True) == "Ana"
    assert display_name(None, fallback="") == ""


#: What a reviewer's edit, a model's draft or a forged verdict may try to send a customer.
HOSTILE_BODIES = (
    "Hello Ana,\n\nPlease confirm your card at http://evil.example/x.",
    "Hello Ana,\n\nPlease confirm your card at evil.example/verify.",
    "Hello Ana,\n\n<a href='x'>Your refund</a> is ready.",
    "Hello Ana,\n\n![](https://evil.example/pixel.png) Your refund is ready.",
    "Hello Ana,\n\nYour refund\u202e is ready.",
    "Hello Ana,\x00\x07\n\nYour refund is ready.",
    "Hello Ana,\n\nWrite to refunds@evil.example to get it faster.",
)


def _reply(body: Any) -> dict[str, Any]:
    return {
        "tool": "send_ticket_reply",
        "args": {"ticket_id": "TKT-0001", "body": body, "status": "solved"},
        "tier": "review",
        "policy_ids": ["SUP-001"],
    }


@pytest.mark.parametrize("body", HOSTILE_BODIES)
def test_9_a_reply_carrying_a_link_markup_or_controls_is_refused_by_the_guard(body: str) -> None:
    """As a reviewer's edit is checked (``check_actions``, what ``decide`` runs on the edited plan) and as a
    model's verdict is (``guard``): refused, naming why; the same reply in plain words passes."""
    ticket = case("I sent back order SO-100001, where is my refund?", returns=received())
    facts, verdict = decide(ticket)
    plan = [dict(a) for a in verdict["actions"]]
    reply = next(a for a in plan if a["tool"] == "send_ticket_reply")
    assert check_actions(SUPPORT, plan, facts) == []  # the plan as drafted is sound
    edited = [{**a, "args": {**a["args"], "body": body}} if a is reply else a for a in plan]
    problems = check_actions(SUPPORT, edited, facts)
    assert attack("9 untrusted names reach customers", any("reaches outside the company" in p for p in problems))
    forged = {**verdict, "actions": edited}
    guarded, found = guard(SUPPORT, forged, facts)  # type: ignore[arg-type]
    assert attack("9 untrusted names reach customers", guarded["outcome"] == "escalate" and guarded["actions"] == [])
    assert found


def account_email_problems(subject: str, body: str) -> list[str]:
    """What the guard finds in an account-save email of this subject and body to ACC-1's contact (nothing in a plain
    one): the check an owner's edited draft passes before it is sent."""
    facts = {"account.id": "ACC-1", "account.contact_id": "CT-1"}
    email = {
        "tool": "send_account_email",
        "args": {"account_id": "ACC-1", "contact_id": "CT-1", "subject": subject, "body": body},
        "tier": "review",
        "policy_ids": ["ACC-002"],
    }
    return check_actions(ACCOUNT_SAVE, [email], facts)


def test_9_an_account_email_edited_to_carry_a_link_is_refused() -> None:
    plain = {"subject": "Checking in", "body": "Hi Ana, see you."}
    assert account_email_problems(**plain) == []
    for field, text in (("body", "Hi Ana, renew at https://evil.example now."), ("subject", "<b>Urgent</b>")):
        problems = account_email_problems(**{**plain, field: text})
        assert attack("9 untrusted names reach customers", any(f"{field} reaches outside" in p for p in problems))


def test_9_internal_notes_may_quote_what_a_customer_wrote() -> None:
    """Only what leaves the company is held to plain text: an internal note may record the link a customer sent."""
    note = {
        "tool": "add_ticket_note",
        "args": {"ticket_id": "TKT-0001", "body": "customer sent http://evil.example/x"},
        "tier": "auto",
        "policy_ids": ["SUP-001"],
    }
    facts, _ = decide(case("I sent back order SO-100001, where is my refund?", returns=received()))
    assert check_actions(SUPPORT, [note], facts) == []


# -- 10. faults and input: one-line errors, honest exit codes, nothing lost ------------------------------------------
@pytest.fixture
def listed(missions_home: Path, monkeypatch: pytest.MonkeyPatch) -> RunStore:
    """A home with one run and one pending decision, the demo roster's accounts, signed in as ana (the admin)."""
    missions_home.mkdir(parents=True)
    store = RunStore(missions_home / "runs.sqlite")
    store.create_run("R-1", mission="order-exception", subject_id="SO-1", reasoner="offline", case_types=[])
    request = {"interrupts": [], "actions_hash": "0"}
    store.open_decision("D-1", run_id="R-1", mission="order-exception", subject_id="SO-1", request=request)
    for name, value in signed_in_as(missions_home, "ana").items():
        monkeypatch.setenv(name, value)
    return store


def unchanged(store: RunStore) -> tuple[Any, ...]:
    """What an attack must not change: the runs, the open decisions, the hand-offs, the accounts, the audit chain."""
    db = store.read()
    return (
        [(r["run_id"], r["status"]) for r in store.list_runs(limit=100)],
        [d.decision_id for d in store.pending_decisions(limit=100)],
        db.execute("SELECT count(*) FROM decision_handoffs").fetchone()[0],
        db.execute("SELECT count(*) FROM accounts").fetchone()[0],
        len(audit_entries(store)),
    )


NESTED = "[" * 50_000 + "]" * 50_000


@pytest.mark.parametrize(
    ("argv", "needles"),
    [
        (("runs", "--limit", "99999999999999999999"), ("--limit", "from 0 to")),
        (("queue", "--limit", "99999999999999999999"), ("--limit", "from 0 to")),
        (("runs", "--limit", "-1"), ("--limit",)),
        (("runs", "--status", "fialed"), ("fialed", "did you mean failed?", "missions runs --help")),
        (("runs", "--type", "bogus"), ("bogus", "payment_review")),
        (("runs", "--mission", "support", "--outcome", "proceed"), ("proceed", "refund")),
        (("queue", "--type", "bogus"), ("bogus", "payment_review")),
        (("queue", "--mission", "order-exception", "--type", "wrong_item"), ("wrong_item", "payment_review")),
        (("decide", "D-1", "--edit", '{"1": ' + NESTED + "}"), ("--edit", "nested too deeply")),
        (("decide", "D-1", "--hand-off", "nobody", "--reason", "out"), ("nobody", "finance", "omar")),
        (("accounts", "add", "eve", "--role", "custmer", "--password-stdin"), ("custmer", "customer")),
    ],
    ids=lambda v: " ".join(v)[:48] if v and v[0] in ("runs", "queue", "decide", "accounts") else "",
)
def test_10_bad_input_is_refused_in_one_line_and_changes_nothing(
    capsys: pytest.CaptureFixture[str], listed: RunStore, argv: tuple[str, ...], needles: tuple[str, ...]
) -> None:
    before = unchanged(listed)
    code, _out, err = missions(capsys, *argv)
    assert attack("10 faults and input", refused_in_one_line(code, err, *needles)), (code, err)
    assert unchanged(listed) == before


def test_10_a_filter_that_exists_still_lists(
    capsys: pytest.CaptureFixture[str], listed: RunStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    # signed in, the runs listed are those the authorization point lets ana see: this home has no approval rules of
    # record (no index), so none (fails closed), and it says so; the home's operator (no sign-in) lists them all
    code, out, _ = missions(capsys, "runs", "--status", "running")
    assert (code, out.strip()) == (0, "no runs that ana (ops_agent) may see")
    monkeypatch.delenv("MISSIONS_TOKEN")
    code, out, _ = missions(capsys, "runs", "--status", "running")
    assert (code, "R-1" in out) == (0, True)
    code, out, _ = missions(capsys, "queue", "--mission", "order-exception", "--type", "payment_review")
    assert (code, "no pending decisions match" in out) == (0, True)


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        (bytes(range(256)) * 4, "not UTF-8"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not UTF-8"),
        (NESTED.encode() + b"\n", "nested too deeply"),
        (b'{"n": 1}\n\x00\x07\n', "line 2 is not JSON"),
    ],
    ids=["all-bytes", "png", "deep-json", "controls"],
)
def test_10_audit_verify_of_a_file_that_is_no_export_is_one_line(
    capsys: pytest.CaptureFixture[str], listed: RunStore, tmp_path: Path, content: bytes, needle: str
) -> None:
    path = tmp_path / "export.jsonl"
    path.write_bytes(content)
    code, _, err = missions(capsys, "audit", "verify", "--file", str(path))
    assert attack("10 faults and input", refused_in_one_line(code, err, str(path), needle)), err
    code, _, err = missions(capsys, "audit", "verify", "--file", str(tmp_path))  # a directory
    assert attack("10 faults and input", refused_in_one_line(code, err)), err


def test_10_the_llm_reasoner_without_an_endpoint_is_refused_before_a_run_is_written(
    capsys: pytest.CaptureFixture[str], listed: RunStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    before = unchanged(listed)
    for argv in (("run", "order-exception", "--subject", "SO-100001"), ("scan", "order-exception")):
        code, _, err = missions(capsys, *argv, "--reasoner", "llm")
        assert attack("10 faults and input", refused_in_one_line(code, err, "OPENAI_BASE_URL")), err
    assert unchanged(listed) == before  # no run was written


def test_10_a_run_whose_write_is_in_doubt_is_not_abandoned(
    capsys: pytest.CaptureFixture[str], listed: RunStore
) -> None:
    """An ``outcome_unknown`` run's write may have happened: abandoning it would record "nothing executed" over a
    capture that may be real. Refused (the CLI before any runtime starts), pointing at ``missions resume``."""
    listed.update_run("R-1", status="outcome_unknown", summary="capture_payment: outcome unknown")
    before = unchanged(listed)
    code, _, err = missions(capsys, "abandon", "R-1", "--reason", "gave up")
    assert attack("10 faults and input", refused_in_one_line(code, err, "outcome is unknown", "missions resume"))
    assert unchanged(listed) == before
    with pytest.raises(ConflictError, match="missions resume"):
        refuse_unknown_outcome(listed.get_run("R-1"))  # what MissionClient.abandon checks first


def test_10_a_connection_closed_mid_call_is_a_system_unavailable_not_a_crash() -> None:
    """The MCP session answers a call whose server died with ``McpError("Connection closed")``: the gateway reads
    it as the system being unavailable (a write is then read back by its key, or is outcome unknown), never as a
    bug that fails the run."""
    from mcp.shared.exceptions import McpError
    from mcp.types import CONNECTION_CLOSED, INVALID_PARAMS, ErrorData

    class Dying:
        def __init__(self, code: int) -> None:
            self.code = code

        async def call_tool(self, *_: Any, **__: Any) -> Any:
            raise McpError(ErrorData(code=self.code, message="Connection closed"))

    async def call(code: int) -> None:
        gateway = SystemsGateway({})
        gateway._held["payments"] = _Held(Dying(code), anyio.CancelScope())  # type: ignore[arg-type]
        gateway.system_of["capture_payment"] = "payments"
        await gateway.call("capture_payment", {"idempotency_key": "k"})

    with pytest.raises(SystemUnavailable, match="payments is unavailable"):
        anyio.run(call, CONNECTION_CLOSED)
    attack("10 faults and input", True)
    with pytest.raises(SystemError_) as refused:  # an error answer is a refusal: nothing was written
        anyio.run(call, INVALID_PARAMS)
    assert refused.value.refused


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return small_home(tmp_path_factory, "side-doors-faults")


def _kill_when_writing(store: RunStore, run_id: str, system: str, home: Path, killed: list[int]) -> None:
    """Kill -9 ``system``'s server of ``home`` while the run's first write to it waits on the server (its simulated
    latency): the server processes are found by their command line (``... SYSTEM --home HOME``)."""
    deadline = time.monotonic() + 60
    while store.get_run(run_id)["status"] != "executing" and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(1.0)  # the write is on the wire: the server sleeps before it acts
    for proc in Path("/proc").iterdir():
        with contextlib.suppress(OSError):
            argv = (proc / "cmdline").read_bytes().decode(errors="replace").split("\0")
            where = argv[argv.index("--home") + 1 :][:1] if "--home" in argv else []
            if proc.name.isdigit() and system in argv and where == [str(home.resolve())]:
                os.kill(int(proc.name), signal.SIGKILL)
                killed.append(int(proc.name))


def test_10_a_system_dying_mid_write_leaves_the_run_outcome_unknown_then_it_is_reconciled(
    book: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The payments server is killed while an approved capture is on the wire (MCP answers the call with
    ``McpError: Connection closed``): the run ends ``outcome_unknown``, not ``failed``; abandoning it is refused;
    ``resume`` reconciles it with the same key, and the order is captured exactly once."""
    with MissionClient(book) as here:
        for row in scan_exceptions(book):
            if row.types == ["auth_expiring"]:
                outcome = here.start("order-exception", row.order_id)
                amounts = [float(a["args"].get("amount") or 0) for a in (outcome.verdict or {}).get("actions", [])]
                if outcome.decision_id is not None and max(amounts, default=0) < 1000:  # within omar's limit
                    break
        else:
            pytest.fail("no expiring authorization asked a reviewer")
    monkeypatch.setenv("MISSIONS_SYSTEMS_TRANSPORT", "stdio")  # a server process to kill
    monkeypatch.setenv("MISSIONS_SIM_LATENCY_MS", "payments=3000")
    dying = MissionClient(book, call_timeout_s=30.0, reconcile_timeout_s=2.0).open()
    dying.runtime("order-exception")  # the servers start now, with the latency
    monkeypatch.delenv("MISSIONS_SIM_LATENCY_MS")
    killed: list[int] = []
    killer = threading.Thread(target=_kill_when_writing, args=(dying.store, outcome.run_id, "payments", book, killed))
    killer.start()
    try:
        with pytest.raises(OutcomeUnknownError):
            dying.decide(outcome.decision_id, "omar", approve=True)
    finally:
        killer.join()
        with contextlib.suppress(Exception):
            dying.close()
    assert killed
    run = dying.store.get_run(outcome.run_id)
    assert attack("10 faults and input", run["status"] == "outcome_unknown"), run
    assert "internal error" not in (run["summary"] or "")
    monkeypatch.setenv("MISSIONS_SYSTEMS_TRANSPORT", "in-process")
    with MissionClient(book) as after:
        with pytest.raises(ConflictError, match="missions resume"):
            after.abandon(outcome.run_id, "omar", "gave up")
        attack("10 faults and input", True)
        resumed = after.recover()
        assert [o.run_id for o in resumed] == [outcome.run_id]
        assert resumed[0].status == "closed"
        capture = next(r for r in resumed[0].results if r["tool"] == "capture_payment")
        assert capture["status"] == "done"
    with sqlite3.connect(book / "systems" / "payments.sqlite") as db:
        captured = db.execute(
            "SELECT count(*) FROM captures c JOIN authorizations a USING (authorization_id) WHERE a.order_id = ?",
            (outcome.subject_id,),
        ).fetchone()[0]
    assert captured == 1  # nothing lost, nothing twice
