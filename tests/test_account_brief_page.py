"""The morning brief page of the account mission, rendered in the dashboard app as a person uses it: the latest
batch's accounts in rank order with their signals, usage chart and draft; deciding from the page goes through the
same ownership check as the CLI (a non-owner is refused, the owner sends once); the save rate over time renders."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.errors import AppTestError

from ai_missions.dashboard.ui import REVIEWER_KEY
from ai_missions.graphs.account_save.spec import SPEC
from ai_missions.integrations.accounts_seed import generate
from ai_missions.integrations.loader import write_book
from ai_missions.kernel.settings import sandbox_dir
from ai_missions.runtime import MissionRuntime
from ai_missions.schedules import fire_if_due
from ai_missions.testing import signed_in_as
from tests.support.built_index import built_index
from tests.test_dashboard_support import texts

STORY = "ACC-10007"
AWAY = "ACC-10010"
NO_DATA = (
    "ACC-10012"  # index 11: no records, so no chart  # flagged in this book (usage decline); given to kim, who is away
)
MORNING = datetime(2026, 3, 16, 6, 5, tzinfo=UTC)  # Monday 07:05 in Berlin
PAGE = SPEC.pages["Morning brief"]


@pytest.fixture(scope="module")
def brief(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Any]]:
    home = tmp_path_factory.mktemp("brief")
    write_book(generate(12, 7), home)  # the story and a few more: a brief of several accounts
    with sqlite3.connect(sandbox_dir(home) / "accounts.sqlite") as conn:  # an owner who is away: noah stands in
        conn.execute("UPDATE accounts SET owner_id = 'kim' WHERE account_id = ?", (AWAY,))
    assert SPEC.policies is not None
    built_index(tmp_path_factory, home, SPEC.policies)
    signed_in_as(home, "ava")  # the demo roster's accounts

    async def morning() -> Any:
        async with MissionRuntime(SPEC.name, home, durability="exit") as runtime:
            return await fire_if_due(runtime, MORNING)

    report = asyncio.run(morning())
    assert report is not None
    assert report.ranked[0] == STORY
    yield home, report
    st.cache_resource.clear()  # closes the dashboard's mission client (its MCP servers)


def sent(home: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(sandbox_dir(home) / "accounts.sqlite") as conn:
        return conn.execute("SELECT account_id, body FROM sent_emails").fetchall()


def open_brief(reviewer: str | None = None) -> AppTest:
    """The page on its own (as the app mounts it), signed in as ``reviewer`` (what the app's sign-in leaves in the
    session: a name whose role and ownership every decision is checked against)."""
    at = AppTest.from_file(str(PAGE), default_timeout=60)
    if reviewer:
        at.session_state[REVIEWER_KEY] = reviewer
    at.run()
    assert not at.exception, at.exception
    return at


def said(at: AppTest) -> str:
    return texts(at) + "\n" + "\n".join(str(t.value) for t in at.text)


def card(at: AppTest, account: str) -> Any:
    return next(e for e in at.expander if e.label.split(" ")[1] == account)


def button(at: AppTest, account: str, label: str) -> Any:
    return next(b for b in card(at, account).button if b.label == label)


def test_the_brief_ranks_shows_signals_charts_and_draft_and_only_the_owner_sends(
    brief: tuple[Path, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    home, report = brief
    monkeypatch.setenv("MISSIONS_HOME", str(home))
    at = open_brief()
    shown = [e.label.split(" ")[1] for e in at.expander]
    assert shown == report.ranked[: len(shown)]  # the brief's own order, the story first
    assert len(shown) == min(len(report.ranked), 25)
    assert shown[0] == STORY
    assert "usage down" in said(at)  # the reasons behind the flag
    assert "escalated case(s)" in said(at)
    assert "decides: ava" in said(at)
    assert "owner kim (away); decides: noah" in said(at)
    with_usage = sum(1 for a in shown if a != NO_DATA)
    assert len(at.get("vega_lite_chart")) == with_usage + 1  # a usage chart per account with usage, and the save rate
    assert "escalated over the last two weeks" in card(at, STORY).text_area[0].value  # the draft, to edit
    assert "Sign in to decide." in texts(at)

    at = open_brief("ben")  # same role, not the owner: he cannot approve from the page, as a browser user can't
    assert "ben decides none of this brief's" in texts(at)  # so every owner's accounts are shown, and he is told
    assert not card(at, STORY).label.endswith("· yours")
    for label in ("Approve and send", "Reject"):
        with pytest.raises(AppTestError, match="disabled"):
            button(at, STORY, label).click()
    at = open_brief("kim")  # the owner who is away does not decide either: her manager does
    with pytest.raises(AppTestError, match="disabled"):
        button(at, AWAY, "Approve and send").click()
    assert sent(home) == []

    at = open_brief("ava")
    assert all(e.label.endswith("· yours") for e in at.expander)  # hers by default ("mine"), her story among them
    assert len(at.expander) < len(shown)
    at.toggle(key="brief-mine").set_value(False).run()
    assert len(at.expander) == len(shown)  # every owner's, when she asks
    at.toggle(key="brief-mine").set_value(True).run()
    assert card(at, STORY).label.endswith("· yours")
    draft = card(at, STORY).text_area[0]
    draft.input(draft.value.replace("Would you have", "Could we find")).run()
    button(at, STORY, "Approve and send").click().run()
    assert not at.exception, at.exception
    assert "escalate_renewal done, send_account_email done" in texts(at)
    emails = sent(home)
    assert [e[0] for e in emails] == [STORY]
    assert "Could we find" in emails[0][1]  # the owner's edit went out (checked like the draft)

    at = open_brief("noah")  # the away owner's manager decides her account
    assert card(at, AWAY).label.endswith("· yours")
    button(at, AWAY, "Approve and send").click().run()
    assert not at.exception, at.exception
    assert [e[0] for e in sent(home)] == [STORY, AWAY]
    assert sent(home)[1][1].rstrip().endswith("Noah Berg")  # signed by the person who decided

    again = open_brief("ava")
    assert "no decision pending" in said(again)
    assert "Save rate" in texts(again)
    assert save_rate_of(again) == [2 / len(report.ranked)]  # one brief; the owners acted on two of its accounts
    rate = next(m for m in again.metric if m.label.startswith("Save rate"))
    assert rate.value == f"{2 / len(report.ranked):.1%}"  # a percentage, not 0.166667
    assert f"2 of {len(report.ranked)} flagged accounts acted on" in texts(again)


def save_rate_of(at: AppTest) -> list[float]:
    """The values the save-rate chart (the page's last chart, a bar per brief day) plots, from its data set."""
    import json

    import pyarrow as pa

    chart = at.get("vega_lite_chart")[-1].proto
    assert json.loads(chart.spec)["encoding"]["y"]["field"] == "save rate"
    frame = pa.ipc.open_stream(chart.datasets[0].data.data).read_pandas()
    return [float(v) for v in frame["save rate"]]


@pytest.fixture(scope="module")
def loose(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A home as `missions demo` leaves it for the account mission: no brief, the story's account started by hand,
    its decision open (issue 60 item 6: the owner's flagship was missing from her morning)."""
    from ai_missions.client import MissionClient

    home = tmp_path_factory.mktemp("loose")
    write_book(generate(12, 7), home)
    assert SPEC.policies is not None
    built_index(tmp_path_factory, home, SPEC.policies)
    signed_in_as(home, "ava")
    with MissionClient(home) as client:
        assert client.start(SPEC.name, STORY).decision_id is not None
    yield home
    st.cache_resource.clear()


def test_an_open_decision_outside_any_brief_is_on_its_owners_page_and_its_buttons_follow_its_state(
    loose: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MISSIONS_HOME", str(loose))
    at = open_brief("ava")
    page = said(at)
    assert "No brief yet" in page
    assert "Open decisions outside the brief · 1 (yours)" in page
    assert card(at, STORY).label.endswith("· yours")
    # one clock per date, said: the runs' (this machine's) and the accounts book's own
    assert "briefs and runs on this machine's clock (UTC, today" in page
    assert "on the accounts book's clock (its today: 2026-03-16)" in page
    # the other action's arguments as words, never a repr (issue 60 item 4: \{'opportunity\_id'\: ...\})
    shown = "\n".join(m.value for m in card(at, STORY).markdown)
    assert "opportunity\\_id OP-" in shown
    assert not [t for t in ("{'", "\\{", "'}") if t in shown]
    assert len(at.get("vega_lite_chart")) == 1  # the usage chart (no brief: no save rate yet)

    button(at, STORY, "Approve and send").click().run()
    assert not at.exception, at.exception
    after = said(at)
    assert "escalate_renewal done, send_account_email done" in after
    assert "decided by ava (account_owner)" in after
    assert not [
        b for b in card(at, STORY).button if b.label in ("Approve and send", "Reject")
    ]  # nothing to click twice
    assert [e[0] for e in sent(loose)] == [STORY]
