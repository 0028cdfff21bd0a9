"""Issue 60 item 10: what a reviewer at the command line still tripped on. ``queue`` showed AMOUNT ``-`` where the
card said 1,277.61 for the same cancel; ``missions run`` ended with ``missions login NAME`` where the demo names the
approver; ``accounts list`` had no header; ``decide --help`` named a ``--hash`` that ``queue`` does not show."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from ai_missions.dashboard.model import money_text
from ai_missions.kernel.store import RunStore
from ai_missions.services.authorization import case_facts
from tests.support.mission_home import flagships_fixture
from tests.support.small_home import demo_home_fixture
from tests.test_cli_review import Missions, cli

home = demo_home_fixture("cli-reviewers-day")
flagships = flagships_fixture()


@pytest.fixture
def missions(home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Missions:
    return lambda *args, as_="": cli(capsys, monkeypatch, home, *args, as_=as_)


def test_queue_shows_the_amount_the_card_shows_when_no_action_moves_money(
    home: Path, flagships: dict[str, tuple[str, str]], missions: Missions
) -> None:
    """The order flagship releases a hold, confirms a reservation and releases to fulfilment: no action moves money,
    and the card's header says what is at stake (``order of 236.51 USD``); the queue's AMOUNT says the same."""
    store = RunStore(home / "runs.sqlite")
    run_id, decision_id = flagships["order-exception"]
    card = money_text([None], case_facts(store.events(run_id)), "order")
    figure = re.search(r"[\d,]+\.\d\d", card)
    assert figure is not None, card
    row = next(line for line in missions("queue")[1].splitlines() if line.startswith(decision_id))
    assert row.split()[5] == figure.group(), (card, row)  # DECISION, DUE (two words), MISSION, SUBJECT
    listed = next(d for d in json.loads(missions("queue", "--json")[1]) if d["decision_id"] == decision_id)
    assert listed["amount"] is None  # what --min-amount filters on: money an action moves
    assert f"{listed['at_stake']:,.2f}" == figure.group()
    assert listed["at_stake_moved"] is False


def test_run_ends_naming_who_decides_as_the_demo_does(home: Path, missions: Missions) -> None:
    code, out, err = missions("exceptions", "--json")
    assert code == 0, err
    started = {r["subject_id"] for r in RunStore(home / "runs.sqlite").list_runs(limit=1000)}
    subject = next(c["order_id"] for c in json.loads(out) if c["order_id"] not in started)
    code, out, err = missions("run", "order-exception", "--subject", subject)
    assert code == 0, err
    last = out.strip().splitlines()
    said = next(line for line in last if line.strip().startswith("decision D-"))
    decision_id = said.split()[1].rstrip(":")
    found = re.search(rf"missions login (\w+) && missions decide {decision_id} --approve", said)
    assert found is not None, said
    assert "NAME" not in said
    code, _, err = missions("decide", decision_id, "--approve", as_=found.group(1))
    assert code == 0, err  # the account it named may approve it
    assert RunStore(home / "runs.sqlite").get_decision(decision_id).status == "decided"


def test_accounts_list_has_a_header(missions: Missions) -> None:
    code, out, err = missions("accounts", "list")
    assert code == 0, err
    header, *rows = out.splitlines()
    assert header.split() == ["NAME", "ROLE", "ADMIN", "PERSON", "AWAY"]
    assert any(row.split()[:3] == ["ana", "ops_agent", "admin"] for row in rows)


def test_decide_help_names_the_hash_where_it_is_shown(
    flagships: dict[str, tuple[str, str]], missions: Missions, capsys: pytest.CaptureFixture[str]
) -> None:
    """`decide --help` sends you to where the actions hash is printed, and that is where it is."""
    with pytest.raises(SystemExit):
        missions("decide", "--help")
    said = " ".join(capsys.readouterr().out.split())
    assert "as `missions show RUN` prints it ('actions hash H')" in said
    assert "`missions queue --json` gives it (actions_hash)" in said
    run_id, decision_id = flagships["invoice-approval"]
    shown = re.search(r"\(actions hash (\w+)\)", missions("show", run_id)[1])
    assert shown is not None
    listed = next(d for d in json.loads(missions("queue", "--json")[1]) if d["decision_id"] == decision_id)
    assert listed["actions_hash"] == shown.group(1)
    code, _, err = missions("decide", decision_id, "--approve", "--hash", "0" * 16, as_="chen")
    assert code == 2
    assert "changed" in err or "hash" in err, err
