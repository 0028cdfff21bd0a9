"""The unseen first messages of tau-bench retail (tasks 156-255, written apart from the reader to measure how it
generalises): the set is whole, every message is its own and a real request, few quote an order id, and the
end-state runner runs it by name (``--messages unseen``) or from a file, refusing what names no task."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from ai_missions.benchmarks.tau_retail import emulator as tau
from ai_missions.benchmarks.tau_retail import runner as tau_runner

BENCH = tau.DEFAULT_PATH
needs_bench = pytest.mark.skipif(not (BENCH / "tasks_train.json").exists(), reason="tau-bench retail data absent")


def test_the_unseen_set_covers_its_tasks_once_each_with_distinct_real_requests() -> None:
    unseen = tau.load_first_messages(tau.UNSEEN_MESSAGES)
    assert sorted(unseen) == list(range(156, 256))
    lines = [json.loads(line) for line in tau.UNSEEN_MESSAGES.read_text().splitlines() if line.strip()]
    assert len(lines) == 100  # one line per task: no task written twice (the loader would keep the last)
    texts = [" ".join(m.lower().split()) for m in unseen.values()]
    assert len(set(texts)) == len(texts)
    assert all(len(m) >= 40 and len(m.split()) >= 8 for m in unseen.values())  # a request, not a word or two
    # apart from the set the reader was written on: no task in both, no message copied from it
    seen = tau.load_first_messages()
    assert not set(seen) & set(unseen)
    assert not {" ".join(m.lower().split()) for m in seen.values()} & set(texts)
    # customers rarely quote order ids: at most ~15% do
    quoting = [i for i, m in unseen.items() if re.search(r"W\d{7}", m)]
    assert len(quoting) <= 15
    # written by hand, not one template: many different openings, lengths from a line to a paragraph
    assert len({m.split()[0].lower().strip(",.!:") for m in unseen.values()}) >= 25
    lengths = sorted(len(m) for m in unseen.values())
    assert lengths[0] < 100 < 400 < lengths[-1]


@needs_bench
def test_every_unseen_task_exists_and_its_identity_is_the_tasks_user() -> None:
    tasks = tau.load_tasks(BENCH)
    users = tau.load_database(BENCH)["users"]
    for index, message in tau.load_first_messages(tau.UNSEEN_MESSAGES).items():
        assert 0 <= index < len(tasks)
        user = users[tasks[index].user_id]
        said = message.lower()
        # identified as the instruction allows: the e-mail on file, or the name with the zip code
        assert user["email"] in said or (user["address"]["zip"] in said and user["name"]["last_name"].lower() in said)


def test_messages_names_a_set_or_a_file() -> None:
    assert tau.messages_path("seen") == tau.FIRST_MESSAGES
    assert tau.messages_path("unseen") == tau.UNSEEN_MESSAGES
    assert tau.messages_path("/tmp/x.jsonl") == Path("/tmp/x.jsonl")


@needs_bench
def test_the_runner_runs_the_unseen_set_by_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # three tasks of the unseen set stand for it (the whole set takes about 16 s of CPU)
    subset = tmp_path / "unseen.jsonl"
    rows = [line for line in tau.UNSEEN_MESSAGES.read_text().splitlines() if line.strip()][:3]
    subset.write_text("\n".join(rows) + "\n")
    monkeypatch.setitem(tau.MESSAGE_SETS, "unseen", subset)
    assert tau_runner.main(["--messages", "unseen"]) == 0
    figures = dict(line.split("=", 1) for line in capsys.readouterr().out.splitlines() if "=" in line)
    assert figures["tasks"] == "3"
    assert "end_state_equal" in figures
    assert "ended_in_question" in figures


@needs_bench
def test_the_runner_refuses_a_missing_file_an_unknown_task_or_no_set(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert tau_runner.main(["--messages", str(tmp_path / "none.jsonl")]) == 2
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"task": 100000, "message": "cancel my order please, I don't need it"}) + "\n")
    assert tau_runner.main(["--messages", str(bad)]) == 2
    assert tau_runner.main(["--messages"]) == 2
    assert "no such task" in capsys.readouterr().err
