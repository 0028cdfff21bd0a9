"""Free text from systems, customers, documents and reviewers is shown as typed on the dashboard, never rendered as
Markdown: an injected "**APPROVED by omar**", image or link stays literal text on the queue and run pages."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from ai_missions.dashboard import model
from ai_missions.dashboard.ui import paragraphs, plain, quoted
from ai_missions.kernel.settings import runs_db
from tests.support.built_index import built_index
from tests.test_dashboard_support import bulk_load, open_page

INJECTED = (
    "**APPROVED by omar (ops_lead)** :green-badge[approved by omar] ![pixel](https://evil.example/p.png) "
    "[refund here](https://evil.example/pay) $x$ &nbsp;"
)
#: What would show if the value were rendered as Markdown (or smuggled into a Markdown element unescaped).
RENDERED = ("**APPROVED", "![pixel]", "](https://", ":green-badge[approved by omar")


@pytest.fixture
def home(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    monkeypatch.setenv("MISSIONS_HOME", str(home))
    bulk_load(home, runs=3, pending=1, decided=1)
    built_index(tmp_path_factory, home)  # the approval rules say who reviews the runs (nobody without them)
    db = sqlite3.connect(runs_db(home), isolation_level=None)
    with db:
        db.execute("UPDATE events SET summary = ? WHERE kind = 'observation'", (INJECTED,))
        db.execute("UPDATE events SET source = ? WHERE kind = 'observation' AND source = 'crm'", (INJECTED,))
        db.execute("UPDATE runs SET subject_id = subject_id || ?", (" " + INJECTED,))
        for decision_id, request in db.execute("SELECT decision_id, request FROM decisions").fetchall():
            data = json.loads(request)
            for interrupt in data["interrupts"]:
                interrupt["action_request"]["args"]["note"] = INJECTED
                interrupt["description"] = f"{INJECTED}\n\nAction 1: x — {INJECTED} (policies: PAY-001@3)"
            db.execute("UPDATE decisions SET request = ? WHERE decision_id = ?", (json.dumps(data), decision_id))
        verdicts = db.execute("SELECT run_id, seq, data FROM events WHERE kind = 'verdict'").fetchall()
        for run_id, seq, data in verdicts:
            verdict = json.loads(data)
            verdict["summary"] = INJECTED
            for action in verdict["actions"]:
                action["why"] = INJECTED
            db.execute("UPDATE events SET data = ? WHERE run_id = ? AND seq = ?", (json.dumps(verdict), run_id, seq))
    db.close()
    return home


def markdown_texts(at: AppTest) -> list[str]:
    """Every string the page hands to Streamlit's Markdown renderer."""
    parts: list[str] = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "success", "warning", "error"):
        parts.extend(str(element.value) for element in getattr(at, kind))
    parts.extend(str(e.label) for e in at.expander)
    return parts


def assert_literal(at: AppTest) -> None:
    rendered = [t for t in markdown_texts(at) if any(mark in t for mark in RENDERED)]
    assert not rendered, rendered
    shown = "\n".join(markdown_texts(at) + [str(e.value) for e in at.text])
    assert plain(INJECTED) in shown or INJECTED in "\n".join(str(e.value) for e in at.text)


def test_plain_escapes_every_markdown_meaning() -> None:
    assert plain("**x** [a](b) ![i](u) :red[y] $z$ `c` <b> &amp; # h www.e.com") == (
        r"\*\*x\*\* \[a\]\(b\) \!\[i\]\(u\) \:red\[y\] \$z\$ \`c\` \<b\> \&amp; \# h www\.e.com"
    )
    assert plain("- line one\n\n# heading") == r"\- line one \# heading"
    assert plain("12. item") == r"12\. item"
    assert plain("SO-101851") == "SO-101851"  # ids read as typed


def test_a_message_reads_as_its_recipient_will_read_it_and_stays_literal() -> None:
    """Issue 39: the card showed a customer's reply with literal ``\\n``; its lines and paragraphs are kept, and its
    marks still mean nothing."""
    body = "Hello **Isabel**,\n\nYou were right: [refund](x).\nKind regards,\r\nSupport\n\n\n# Team"
    assert paragraphs(body) == (
        "Hello \\*\\*Isabel\\*\\*,\n\nYou were right\\: \\[refund\\]\\(x\\).  \nKind regards,  \nSupport\n\n\\# Team"
    )
    assert "\\n" not in paragraphs(body)
    assert quoted(body).splitlines() == [
        "> Hello \\*\\*Isabel\\*\\*,",
        ">",
        "> You were right\\: \\[refund\\]\\(x\\).  ",
        "> Kind regards,  ",
        "> Support",
        ">",
        "> \\# Team",
    ]


def test_the_card_header_names_the_money_at_stake() -> None:
    facts = {"order.total": 409.31, "order.currency": "USD"}
    assert model.money_text([2523.93, None, 10.0], facts, "ticket") == "2,523.93 USD"  # the most one action moves
    assert model.money_text([None], facts, "order") == "order of 409.31 USD"  # a hold's release moves no sum itself
    assert model.money_text([], {}, "account") == "moves no money"
    assert model.key_args({"ticket_id": "T-1", "body": "Hi", "idempotency_key": "k"}, ["body"]) == {"ticket_id": "T-1"}
    assert model.due_cell(None) == "—"


def test_the_run_page_shows_injected_text_literally(home: Path) -> None:
    run_id = sqlite3.connect(runs_db(home)).execute("SELECT run_id FROM runs ORDER BY created_at DESC").fetchone()[0]
    at = open_page("views/run.py", run=run_id)
    assert_literal(at)


def test_the_queue_shows_injected_text_literally(home: Path) -> None:
    decision_id = (
        sqlite3.connect(runs_db(home))
        .execute("SELECT decision_id FROM decisions WHERE status = 'pending'")
        .fetchone()[0]
    )
    at = open_page("views/queue.py", decision=decision_id)
    assert_literal(at)
    assert any(INJECTED.split(" :")[0] in str(e.value) for e in at.text)  # the verdict summary, as plain text
