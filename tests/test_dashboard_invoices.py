"""The dashboard shows the invoice mission's runs with no page written for them: the Runs, Run and Queue pages
under Streamlit's AppTest, on a seeded AP book with an index, runs and a pending decision, deciding through the
real runtime (MCP servers over stdio)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st

from ai_missions.client import MissionClient
from ai_missions.integrations.ap_seed import seed_ap_book, story_invoice_id
from ai_missions.testing import signed_in_as
from tests.support.built_index import built_index
from tests.test_dashboard_support import open_page, sign_in, texts

pytestmark = pytest.mark.slow

MISSION = "invoice-approval"


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    home = tmp_path_factory.mktemp("dashboard-invoices")
    seed_ap_book(1500, 7, home)
    built_index(tmp_path_factory, home)
    story = story_invoice_id(home)
    assert story is not None
    signed_in_as(home, "marco")  # the demo roster's accounts
    with MissionClient(home) as missions:
        queue = missions.cases_now(MISSION)
        held = next(i for i, t in sorted(queue.items()) if t == ["bank_change"])
        escalated = next(i for i, t in sorted(queue.items()) if t == ["split_invoice"])
        runs = {
            name: missions.start(MISSION, invoice)
            for name, invoice in (("story", story), ("held", held), ("escalated", escalated))
        }
    yield {
        "home": str(home),
        **{f"{k}_run": v.run_id for k, v in runs.items()},
        **{k: v.subject_id for k, v in runs.items()},
        "decision": runs["story"].decision_id or "",
    }
    st.cache_resource.clear()  # closes the dashboard's mission client (its MCP servers)


@pytest.fixture(autouse=True)
def _home(book: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MISSIONS_HOME", book["home"])


def test_runs_page_lists_invoice_runs_and_filters_by_their_case_types(book: dict[str, str]) -> None:
    at = open_page("views/runs.py", account="marco")  # ap_manager: a reviewer of invoices
    table = at.dataframe[0].value
    assert set(table["subject"]) == {book["story"], book["held"], book["escalated"]}
    at.selectbox(key="runs-type").select("split_invoice").run()
    assert list(at.dataframe[0].value["subject"]) == [book["escalated"]]


def test_run_page_is_the_explain_rail_of_an_invoice(book: dict[str, str]) -> None:
    at = open_page("views/run.py", account="marco", run=book["story_run"])
    page = texts(at)
    assert f"Run {book['story_run']}" in page
    rail = [e.label for e in at.expander]
    for system in ("ap", "purchasing", "receiving", "budget"):
        assert any(f"**{system}** — " in label for label in rail), system
    literal = [label.replace("\\", "") for label in rail]  # sources and findings are escaped (plain text)
    assert any("policy:AP-003@2" in label and "Clause approve-within-tolerance" in label for label in literal)
    assert "**1. commit_budget** · awaiting review" in page


def test_queue_shows_the_invoice_decision_and_the_ap_manager_approves_it(book: dict[str, str]) -> None:
    decision_id, invoice_id = book["decision"], book["story"]
    at = open_page("views/queue.py", account=None, decision=decision_id)
    sign_in(at, "marco")
    page = texts(at)
    assert f"{decision_id} · invoice {invoice_id}" in page
    assert "**receiving** — Three-way match" in page  # the evidence
    submit = at.button(key=f"q-{decision_id}-submit")
    assert submit.label == "Approve 2 actions as marco"
    confirm = next(c for c in at.checkbox if (c.key or "").endswith("-confirm"))
    assert confirm.label.startswith("I confirm the money this moves: ")
    confirm.check().run()
    submit = at.button(key=submit.key)
    submit.click().run()
    assert not at.exception, at.exception
    page = texts(at)
    assert f"**{decision_id}** ({invoice_id}) decided by marco (ap_manager)" in page
    assert ":green[:material/check_circle:] 2. post_payment done" in page
    with sqlite3.connect(Path(book["home"]) / "systems" / "ap.sqlite") as conn:
        assert conn.execute("SELECT status FROM invoices WHERE invoice_id = ?", (invoice_id,)).fetchone() == ("paid",)
