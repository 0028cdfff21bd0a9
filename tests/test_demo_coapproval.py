"""Issue 60, item 8: the README promises that ``missions demo`` ends with a support refund that takes two roles, and
the two ``missions login NAME && missions decide ID --approve`` it prints co-approve it. On the default book (seed 7)
the demo printed an order instead: the book's largest double charge (2,226.92) is within the support lead's limit
(2,500), so one role approved it all. The demo's claim is now the largest refund the book holds a claim for (there, a
3,107.13 single-item delivery its customer writes arrived damaged), which takes finance beside support.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

from ai_missions.cli.account_commands import DEMO_PASSWORD
from ai_missions.kernel.settings import runs_db
from ai_missions.kernel.store import RunStore
from tests.support.demo_home import demo_home
from tests.test_side_doors import missions


def printed_commands(out: str) -> tuple[str, list[tuple[str, str]]]:
    """The co-approval's heading line, and each printed ``missions login NAME && missions decide ID --approve``
    as (NAME, ID)."""
    lines = out.splitlines()
    heading = next(i for i, line in enumerate(lines) if line.startswith("A plan that takes 2 roles"))
    commands = []
    for line in lines[heading + 2 : heading + 4]:
        login, decide = (part.split() for part in line.split("&&"))
        assert login[:2] == ["missions", "login"], line
        assert decide[:2] == ["missions", "decide"], line
        assert decide[3:] == ["--approve"], line
        commands.append((login[2], decide[2]))
    return lines[heading], commands


@pytest.mark.slow
@pytest.mark.timeout(900)  # the default demo: ~25 s of one core alone, minutes on a loaded 2-core machine
def test_60_8_the_default_demo_prints_a_support_co_approval_that_its_two_commands_complete(
    missions_home: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    out = demo_home(tmp_path_factory, missions_home)  # `missions demo` on an empty home (the session's, copied)
    heading, commands = printed_commands(out)
    assert heading.endswith("support:"), heading
    (first, decision_id), (second, same) = commands
    assert decision_id == same
    assert first != second
    store = RunStore(runs_db(missions_home))
    decision = store.get_decision(decision_id)
    assert decision.mission == "support"
    tools = [i["action_request"]["action"] for i in decision.request["interrupts"]]
    assert tools[0] == "refund_payment", tools
    assert "send_ticket_reply" in tools, tools
    for n, name in enumerate((first, second)):
        monkeypatch.setattr(sys, "stdin", io.StringIO(DEMO_PASSWORD + "\n"))
        code, out, err = missions(capsys, "login", name, "--password-stdin")
        assert code == 0, err
        code, out, err = missions(capsys, "decide", decision_id, "--approve")
        assert code == 0, err
        if n == 0:  # the first signs their part: nothing runs yet, and it says who is still needed
            assert store.get_decision(decision_id).status == "pending"
            assert "still needed" in out, out
            assert "nothing runs until every action is signed" in out, out
    decided = store.get_decision(decision_id)
    assert decided.status == "decided", out
    assert "refund_payment: done ok" in out, out
    assert "send_ticket_reply: done ok" in out, out
