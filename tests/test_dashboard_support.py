"""Shared by the dashboard tests (no tests here): one seeded, indexed book with decisions waiting, built once per
session (shared by the xdist workers) and copied per test module: seeding it and running its missions take ~8 s of
CPU.

Also: a synthetic load of runs and pending decisions for the scale test, written straight into the run store.
"""

from __future__ import annotations

import fcntl
import json
import re
import shutil
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from ai_missions.dashboard.ui import REVIEWER_KEY
from ai_missions.kernel.settings import runs_db
from ai_missions.testing import DEMO_PASSWORD, signed_in_as
from tests.support.built_index import built_index, shared_root

APP = Path(__file__).resolve().parent.parent / "dashboard" / "app.py"
#: The platform's own listing pages (under ``dashboard/``), by the title each shows staff.
PAGES = {
    "views/overview.py": "Overview",
    "views/queue.py": "Decision Queue",
    "views/runs.py": "Runs",
    "views/run.py": "Run",
    "views/knowledge.py": "Policies",
    "views/evals.py": "Evals",
}

#: The orders the book's missions run on, by the role they play in the tests.
ROLES = ("story", "payment_review", "auth_expiring", "double_charge", "address_invalid", "duplicate_order", "oversell")


@dataclass(frozen=True)
class Book:
    home: Path
    orders: dict[str, str]  # role -> order id
    runs: dict[str, str]  # role -> run id
    decisions: dict[str, str]  # role -> pending decision id


_TEMPLATE: list[Book] = []


def _template(factory: pytest.TempPathFactory) -> Book:
    """The shared book: made by the first test process that asks for it, under a lock the xdist workers share (each
    worker made its own, ~8 s of CPU), its roles' orders, runs and decisions kept beside it in ``book.json``."""
    if _TEMPLATE:
        return _TEMPLATE[0]
    root = shared_root(factory) / "dashboard-book"
    root.mkdir(exist_ok=True)
    home, ids = root / "home", root / "book.json"
    with open(root / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not ids.exists():
            shutil.rmtree(home, ignore_errors=True)
            made = _make_book(factory, home)
            ids.write_text(json.dumps({"orders": made.orders, "runs": made.runs, "decisions": made.decisions}))
    kept = json.loads(ids.read_text())
    _TEMPLATE.append(Book(home, kept["orders"], kept["runs"], kept["decisions"]))
    return _TEMPLATE[0]


def _make_book(factory: pytest.TempPathFactory, home: Path) -> Book:
    from ai_missions.client import MissionClient
    from ai_missions.integrations.scan import scan_exceptions
    from ai_missions.integrations.seed import seed_book, story_order_id

    seed_book(2000, 7, home)
    built_index(factory, home)
    story = story_order_id(home)
    assert story is not None
    alone: dict[str, list[str]] = {}
    for row in scan_exceptions(home):
        if len(row.types) == 1 and row.order_id != story:
            alone.setdefault(row.types[0], []).append(row.order_id)
    orders = {"story": story, **{role: alone[role][0] for role in ROLES[1:]}}
    runs, decisions = {}, {}
    with MissionClient(home) as missions:
        for role, order_id in orders.items():
            outcome = missions.start("order-exception", order_id)
            runs[role] = outcome.run_id
            if outcome.decision_id:
                decisions[role] = outcome.decision_id
    signed_in_as(home, "omar")  # the demo roster's accounts, to sign in with
    return Book(home, orders, runs, decisions)


def book_copy(destination: Path, factory: pytest.TempPathFactory) -> Book:
    """A private copy of the shared book (its runs, decisions, systems and index)."""
    template = _template(factory)
    shutil.copytree(template.home, destination)
    return Book(destination, template.orders, template.runs, template.decisions)


def app(timeout: float = 60) -> AppTest:
    return AppTest.from_file(str(APP), default_timeout=timeout)


#: The account pages are opened as unless a test says otherwise: operations pages are for signed-in staff.
STAFF = "omar"


def open_page(page: str, *, account: str | None = STAFF, **query: str) -> AppTest:
    """A page of the app, switched to with its query parameters, rendered without an exception, in a session
    signed in as ``account`` (None: a visitor, who then signs in through the form with :func:`sign_in`)."""
    at = app()
    if account is not None:
        at.session_state[REVIEWER_KEY] = account  # what signing in leaves in the server-side session
    at.run()
    at.switch_page(page)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, at.exception
    return at


def sign_in(at: AppTest, name: str, password: str = DEMO_PASSWORD) -> AppTest:
    """Sign in through the sidebar's form, as a person would."""
    at.text_input(key="sign-in-name").input(name)
    at.text_input(key="sign-in-password").input(password)
    next(b for b in at.button if b.label == "Sign in").click()
    at.run()
    assert not at.exception, at.exception
    return at


def texts(at: AppTest) -> str:
    """Everything a person reads on the page (markdown, captions, alerts, titles), as one string."""
    parts: list[str] = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "success", "warning", "error"):
        parts.extend(str(element.value) for element in getattr(at, kind))
    parts.extend(str(e.label) for e in at.expander)
    return "\n".join(parts)


#: A CommonMark backslash escape: a backslash before ASCII punctuation, which Markdown shows as the mark alone.
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")


def as_read(markdown: str) -> str:
    """Markdown source as a person reads it: its backslash escapes resolved (``\\_`` shows as ``_``), so what is
    left is on the screen (a ``\\n`` left in it is a backslash and an n, shown)."""
    return _ESCAPE.sub(r"\1", markdown)


def bulk_load(home: Path, *, runs: int, pending: int, decided: int, now: datetime | None = None) -> None:
    """Write ``runs`` synthetic runs (each with a trigger, observations and a verdict citing policies), ``pending``
    of them awaiting a decision and ``decided`` of them decided, straight into the run store, in one transaction."""
    from ai_missions.kernel.store import RunStore

    RunStore(runs_db(home))  # the schema
    now = now or datetime.now(UTC)
    types = ("payment_review", "auth_expiring", "oversell", "phantom_inventory", "address_invalid", "double_charge")
    run_rows: list[tuple[Any, ...]] = []
    event_rows: list[tuple[Any, ...]] = []
    decision_rows: list[tuple[Any, ...]] = []
    for n in range(runs):
        run_id, order_id = f"R-load{n:07d}", f"SO-{300000 + n}"
        created = now - timedelta(minutes=3 * (runs - n))
        at = created.isoformat(timespec="milliseconds")
        kind = types[n % len(types)]
        is_pending, is_decided = n >= runs - pending, n < decided
        status = "awaiting_decision" if is_pending else ("closed" if n % 5 else "escalated")
        verdict = {
            "outcome": "proceed",
            "confidence": 0.9,
            "summary": f"Proceed on {kind}",
            "policy_ids": ["PAY-001@3", "GOV-001@2"],
            "actions": [
                {"tool": "release_payment_hold", "args": {"order_id": order_id}, "why": "benign", "tier": "review"},
                {"tool": "release_to_fulfillment", "args": {"order_id": order_id}, "why": "clear", "tier": "review"},
            ],
        }
        run_rows.append(
            (run_id, "order-exception", order_id, json.dumps([kind]), "offline", status, "proceed", 0.9,
             verdict["summary"], at, at)
        )  # fmt: skip
        trail = [("trigger", "trigger", "scan", None, {"subject_id": order_id, "case_types": [kind]})]
        for source in ("erp", "crm", "payments", "inventory", "shipping"):
            trail.append(("observation", "gather", source, f"{source} says {order_id} is fine", {"n": n}))
        trail.append(("observation", "retrieve_policies", "policy:PAY-001@3", "PAY-001 v3 applies", {}))
        trail.append(("observation", "reason", "policy:PAY-001@3", "Clause matches", {"matched": True}))
        trail.append(("verdict", "validate", "mission", "proceed (90%)", verdict))
        for seq, (kind_, node, source, summary, data) in enumerate(trail, start=1):
            event_rows.append((run_id, seq, at, kind_, node, source, summary, None, json.dumps(data)))
        if is_pending or is_decided:
            interrupts = [
                {
                    "action_request": {"action": a["tool"], "args": a["args"]},
                    "description": f"{verdict['summary']}\n\nAction {i + 1}: {a['tool']} — {a['why']}",
                    "metadata": {
                        "decision_id": f"D-load{n:07d}",
                        "mission": "order-exception",
                        "subject_id": order_id,
                        "action_index": i,
                        "outcome": "proceed",
                        "confidence": 0.9,
                        "policy_ids": ["PAY-001@3"],
                    },
                }
                for i, a in enumerate(verdict["actions"])
            ]
            decided_at = (created + timedelta(minutes=30)).isoformat(timespec="milliseconds")
            answer = {"type": "accept"} if n % 4 else {"type": "response", "args": "not now"}
            response = {"reviewer": "omar", "role": "ops_lead", "responses": [answer, answer]}
            decision_rows.append(
                (f"D-load{n:07d}", run_id, order_id, "pending" if is_pending else "decided", at,
                 json.dumps({"interrupts": interrupts}), None if is_pending else "omar",
                 None if is_pending else "ops_lead", None if is_pending else decided_at,
                 None if is_pending else json.dumps(response), 0 if is_pending else 1)
            )  # fmt: skip
    db = sqlite3.connect(runs_db(home), isolation_level=None)
    try:
        db.execute("BEGIN IMMEDIATE")
        db.executemany(
            "INSERT INTO runs (run_id, mission, subject_id, case_types, reasoner, status, outcome, confidence,"
            " summary, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            run_rows,
        )
        db.executemany(
            "INSERT INTO events (run_id, seq, at, kind, node, source, summary, actor, data)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            event_rows,
        )
        db.executemany(
            "INSERT INTO decisions (decision_id, run_id, mission, subject_id, status, created_at, request,"
            " decided_by, reviewer_role, decided_at, response, resumed)"
            " VALUES (?, ?, 'order-exception', ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            decision_rows,
        )
        db.execute("COMMIT")
    finally:
        db.close()
