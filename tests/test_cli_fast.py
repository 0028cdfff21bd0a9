"""The CLI answers at once: listings import neither LangGraph nor the MCP stack, and ``decide`` checks its input
(the sign-in, the decision) before it starts a runtime. Failures exit non-zero; a closed pipe exits quietly."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path

import pytest

from ai_missions.cli import GC_THRESHOLD
from ai_missions.cli.commands import _rules
from ai_missions.kernel.store import RunStore
from ai_missions.services import authorization
from ai_missions.services.authorization import Person
from ai_missions.testing import signed_in_as

HEAVY = ("langgraph", "langchain_core", "mcp", "chromadb", "ai_missions.runtime")

#: Runs the CLI in a fresh interpreter, then prints its exit code and which heavy modules it imported.
PROBE = """
import json, sys
from ai_missions.cli import main
HEAVY = sys.argv.pop(1).split(",")
try:
    code = main(sys.argv[1:])
except SystemExit as exc:
    code = exc.code
heavy = sorted(m for m in HEAVY if m in sys.modules)
print(json.dumps({"code": code, "heavy": heavy}), file=sys.stderr)
"""


def probe(home: Path, *args: str, env: dict[str, str] | None = None) -> tuple[int, list[str], str]:
    environment = {**os.environ, "MISSIONS_HOME": str(home), **(env or {})}
    if env is None:
        environment.pop("MISSIONS_TOKEN", None)
    done = subprocess.run(
        [sys.executable, "-c", PROBE, ",".join(HEAVY), *args],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    report = json.loads(done.stderr.strip().splitlines()[-1])
    return report["code"], report["heavy"], done.stderr


def queued(home: Path) -> None:
    """A store with one run and one pending decision (no systems needed to list or refuse them)."""
    store = RunStore(home / "runs.sqlite")
    store.create_run("R-1", mission="order-exception", subject_id="SO-1", reasoner="offline", case_types=[])
    request = {"interrupts": [], "actions_hash": "0"}
    store.open_decision("D-1", run_id="R-1", mission="order-exception", subject_id="SO-1", request=request)


@pytest.mark.parametrize("command", [["--help"], ["queue"], ["runs"], ["show", "R-1"], ["missions"]])
def test_listings_import_neither_langgraph_nor_mcp(missions_home: Path, command: list[str]) -> None:
    missions_home.mkdir(parents=True)
    queued(missions_home)
    code, heavy, err = probe(missions_home, *command)
    assert code == 0, err
    assert heavy == [], f"`missions {' '.join(command)}` imported {heavy}"


def test_decide_without_a_sign_in_is_refused_before_anything_starts(missions_home: Path) -> None:
    missions_home.mkdir(parents=True)
    queued(missions_home)
    code, heavy, err = probe(missions_home, "decide", "D-1", "--approve")
    assert code == 2
    assert "not signed in" in err
    assert heavy == []


def test_decide_of_an_unknown_decision_is_refused_before_anything_starts(missions_home: Path) -> None:
    missions_home.mkdir(parents=True)
    queued(missions_home)
    token = signed_in_as(missions_home, "omar")
    code, heavy, err = probe(missions_home, "decide", "D-404", "--approve", env=token)
    assert code == 2
    assert "unknown decision 'D-404'" in err
    assert heavy == []
    code, heavy, err = probe(missions_home, "decide", "D-1", "--approve", env={"MISSIONS_TOKEN": "mst_forged"})
    assert code == 2
    assert "sign-in is not valid" in err
    assert heavy == []


def test_an_unknown_mission_is_a_usage_error(missions_home: Path) -> None:
    code, _, err = probe(missions_home, "queue", "--mission", "nope")
    assert code == 2
    assert "invalid choice: 'nope'" in err
    assert "order-exception" in err


def test_the_missions_executable_collects_less_often_and_freezes_what_lives_at_exit(missions_home: Path) -> None:
    """The installed script runs ``console`` (main with the collector tuned), and main alone leaves the caller's
    collector as it was (tests and notebooks call it in their own process)."""
    (script,) = [e for e in entry_points(group="console_scripts") if e.name == "missions"]
    assert script.value == "ai_missions.cli:console"
    check = (
        "import gc, json, sys\n"
        "from ai_missions.cli import console, main\n"
        "before = gc.get_threshold()\n"
        "main(['missions'])\n"
        "after_main = (gc.get_threshold(), gc.get_freeze_count())\n"
        "code = console()\n"
        "print(json.dumps([before, after_main, gc.get_threshold(), gc.get_freeze_count(), code]))\n"
    )
    env = {**os.environ, "MISSIONS_HOME": str(missions_home)}
    done = subprocess.run(
        [sys.executable, "-c", check, "missions"], env=env, capture_output=True, text=True, timeout=60, check=True
    )
    before, after_main, threshold, frozen, code = json.loads(done.stdout.splitlines()[-1])
    assert after_main == [before, 0]
    assert threshold[0] == GC_THRESHOLD > before[0]
    assert frozen > 10_000
    assert code == 0


def test_a_closed_pipe_exits_quietly(missions_home: Path) -> None:
    missions_home.mkdir(parents=True)
    store = RunStore(missions_home / "runs.sqlite")
    for n in range(3000):
        store.create_run(f"R-{n}", mission="order-exception", subject_id="SO-1", reasoner="offline", case_types=[])
    env = {**os.environ, "MISSIONS_HOME": str(missions_home)}
    reader = subprocess.Popen(
        [sys.executable, "-m", "ai_missions.cli", "runs", "--limit", "3000", "--json"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert reader.stdout is not None
    assert reader.stdout.read(10)
    reader.stdout.close()  # like `| head -c 10`
    _, err = reader.communicate(timeout=60)
    assert err.decode() == ""
    assert reader.returncode == 0


def test_progress_of_a_long_command_goes_to_stderr_a_line_per_tenth() -> None:
    import io

    from ai_missions.kernel.progress import Progress

    stream = io.StringIO()
    progress = Progress("order-exception runs", 25, stream=stream)
    for _ in range(25):
        progress.advance()
    lines = stream.getvalue().splitlines()
    assert [line.split(" (")[0] for line in lines] == [
        f"order-exception runs: {n}/25" for n in (2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 25)
    ]


def test_a_command_on_one_mission_loads_that_mission_alone() -> None:
    """``get_mission(name)`` loads the named entry point, not every installed mission; an unknown name is still
    refused naming the known ones, and the full registry hands back the same spec."""
    check = (
        "import json, sys\n"
        "from ai_missions.kernel.missions import get_mission, registry\n"
        "spec = get_mission('order-exception')\n"
        "alone = sorted(m for m in sys.modules if m.startswith('ai_missions.graphs.') and m.count('.') == 2)\n"
        "try:\n"
        "    get_mission('nope')\n"
        "except Exception as exc:\n"
        "    refusal = f'{type(exc).__name__}: {exc}'\n"
        "print(json.dumps([alone, refusal, registry()['order-exception'] is spec]))\n"
    )
    done = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True, timeout=60, check=True)
    alone, refusal, same = json.loads(done.stdout.splitlines()[-1])
    assert alone == ["ai_missions.graphs.order_exception"]
    assert refusal.startswith("NotFoundError: unknown mission 'nope' (known: account-save, ")
    assert same is True


def test_building_the_parser_reads_no_lazy_choices() -> None:
    """Registering an argument with lazy choices (the missions' names, from their entry points) must not list them:
    argparse formats a metavar from the choices unless it has one, which costs every command ~60 ms."""
    from ai_missions.cli import LazyChoices, build_parser

    parser = build_parser()
    lazy: list[LazyChoices] = []
    stack = [parser]
    while stack:
        current = stack.pop()
        for action in current._actions:
            if isinstance(action.choices, LazyChoices):
                lazy.append(action.choices)
            elif isinstance(action.choices, dict):  # a subcommand's parsers
                stack.extend(action.choices.values())
    assert len(lazy) >= 5
    assert all(choice._values is None for choice in lazy)
    args = parser.parse_args(["tiers", "show", "--mission", "support"])
    assert args.mission == "support"
    with pytest.raises(SystemExit):
        parser.parse_args(["tiers", "show", "--mission", "no-such-mission"])


def test_the_runtime_imports_the_mcp_stack_only_when_a_session_opens() -> None:
    """A cold `missions decide` that writes nowhere (a rejection) imports the runtime but opens no system: the MCP
    client and the adapters (~0.3 s of imports) wait for the first session."""
    code = (
        "import sys, ai_missions.runtime\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'mcp', 'langchain_mcp_adapters'}))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert done.stdout.strip() == "[]"


def test_a_worker_without_a_shared_database_is_refused_at_once_naming_the_setting(
    missions_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MISSIONS_DATABASE_URL", raising=False)
    missions_home.mkdir(parents=True)
    code, heavy, err = probe(missions_home, "worker")
    assert code == 2
    assert "missions: error: missions worker needs MISSIONS_DATABASE_URL" in err
    assert heavy == []


@pytest.mark.parametrize("command", [["run", "order-exception", "--subject", "SO-101851"], ["scan"]])
def test_before_any_book_is_seeded_a_mission_command_says_in_one_line_what_to_run(
    missions_home: Path, command: list[str]
) -> None:
    missions_home.mkdir(parents=True)
    code, _, err = probe(missions_home, *command)
    assert code == 2
    lines = [line for line in err.splitlines() if not line.startswith("{")]
    assert len(lines) == 1, err
    assert lines[0].startswith("missions: error: no book seeded under")
    assert "run `missions demo`" in lines[0]


#: What a refusal of `missions run` must not wait for: the mission's graph, LangChain and the vector store.
RUN_HEAVY = ("langgraph", "langchain_core", "chromadb", "ai_missions.runtime")


def test_run_on_an_unknown_subject_or_an_open_case_is_refused_before_the_runtime_loads(missions_home: Path) -> None:
    """An unknown id costs one call to the system of record (the MCP stack, no LangGraph, no vector store); a case
    that waits on a decision costs a read of the run store, no system at all."""
    from ai_missions.integrations.seed import seed_book

    missions_home.mkdir(parents=True)
    seed_book(60, 3, missions_home)
    queued(missions_home)  # D-1 waits on SO-1
    code, heavy, err = probe(missions_home, "run", "order-exception", "--subject", "SO-999999")
    assert code == 2, err
    assert "unknown order 'SO-999999'" in err
    assert "not_found" in err
    assert not set(heavy) & set(RUN_HEAVY), f"refusing an unknown order imported {heavy}"
    code, heavy, err = probe(missions_home, "run", "order-exception", "--subject", "SO-1")
    assert code == 2, err
    assert "already has an open decision D-1" in err
    assert heavy == [], f"refusing an open case imported {heavy}"
    assert [r["run_id"] for r in RunStore(missions_home / "runs.sqlite").list_runs()] == ["R-1"]  # none recorded


def indexed_policies(home: Path) -> None:
    """The index's manifest (every policy's path and text), which is all deciding reads: no vector store built."""
    from ai_missions.knowledge_index.policies import corpus_sources, parse_policy, policy_files

    entries = {}
    for path in policy_files(corpus_sources()):
        text = path.read_text(encoding="utf-8")
        entries[parse_policy(path, text).id] = {"path": str(path), "text": text}
    (home / "knowledge").mkdir(parents=True, exist_ok=True)
    (home / "knowledge" / "manifest.json").write_text(json.dumps({"policies": entries}))


def test_approving_in_a_role_no_rule_of_the_plan_names_is_refused_before_anything_starts(missions_home: Path) -> None:
    missions_home.mkdir(parents=True)
    indexed_policies(missions_home)
    store = RunStore(missions_home / "runs.sqlite")
    store.create_run("R-2", mission="order-exception", subject_id="SO-2", reasoner="offline", case_types=[])
    capture = {"action_request": {"action": "capture_payment", "args": {"order_id": "SO-2", "amount": 10.0}}}
    request = {"interrupts": [capture], "actions_hash": "0"}
    store.open_decision("D-2", run_id="R-2", mission="order-exception", subject_id="SO-2", request=request)
    code, heavy, err = probe(missions_home, "decide", "D-2", "--approve", env=signed_in_as(missions_home, "cole"))
    assert code == 2, err
    assert err.splitlines()[0].startswith(
        "missions: error: cole (customer_care) may not approve any open action of decision D-2: capture_payment "
        "(action 1) needs one of the roles finance, ops_agent, ops_lead; customer_care may not approve it"
    )
    assert heavy == [], f"refusing the role imported {heavy}"
    assert store.get_decision("D-2").status == "pending"


def test_approving_above_the_role_s_money_limit_is_refused_before_anything_starts(
    missions_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An ops agent (captures up to 200 under GOV-001) approving a 1,670.73 capture is refused from the store, as
    fast as a role refusal, without LangGraph or a checkpoint (it took ~5 s, issue 39 item 10); the decision stays
    pending, and a role whose limit covers it is not refused here."""
    missions_home.mkdir(parents=True)
    indexed_policies(missions_home)
    store = RunStore(missions_home / "runs.sqlite")
    store.create_run("R-3", mission="order-exception", subject_id="SO-3", reasoner="offline", case_types=[])
    facts = {"order.id": "SO-3", "order.total": 1670.73, "payment.authorization_id": "AUTH-3"}
    store.append_events("R-3", [{"kind": "observation", "node": "gather", "source": "erp", "data": facts}])
    args = {"authorization_id": "AUTH-3", "amount": 1670.73}
    capture = {"action_request": {"action": "capture_payment", "args": args}}
    store.open_decision(
        "D-3", run_id="R-3", mission="order-exception", subject_id="SO-3", request={"interrupts": [capture]}
    )
    code, heavy, err = probe(missions_home, "decide", "D-3", "--approve", env=signed_in_as(missions_home, "ana"))
    assert code == 2, err
    assert err.splitlines()[0].startswith(
        "missions: error: ana (ops_agent) may not approve any open action of decision D-3: capture_payment "
        "(action 1) of 1670.73 exceeds the ops_agent approval limit of 200.00"
    ), err
    assert heavy == [], f"refusing the amount imported {heavy}"
    assert store.get_decision("D-3").status == "pending"
    monkeypatch.setenv("MISSIONS_HOME", str(missions_home))
    decision = store.get_decision("D-3")
    case = authorization.decision_resource(store, decision, _rules())
    accept = [{"type": "accept"}]
    assert not authorization.decide_answer(Person("omar", "ops_lead"), case, accept)  # 1,000 is not enough either
    assert authorization.decide_answer(Person("fiona", "finance"), case, accept)  # covered: on to the runtime


@pytest.mark.parametrize(
    ("command", "named"),
    [
        (["decide", "D-1", "--aprove"], "unknown option --aprove (did you mean --approve?)"),
        (["queue", "--limt", "3"], "unknown option --limt (did you mean --limit?)"),
        (["show", "R-1", "--ful"], None),  # a prefix of --full is --full, as argparse reads it
        (["decide", "D-1", "--reject", "--reason", "--aprove was a typo"], None),  # a value, not an option
    ],
)
def test_a_mistyped_option_is_named_with_its_closest_option_in_one_line(
    missions_home: Path, command: list[str], named: str | None
) -> None:
    missions_home.mkdir(parents=True)
    queued(missions_home)
    code, _, err = probe(missions_home, *command)
    said = [line for line in err.splitlines() if line.startswith("missions:")]
    if named is None:
        assert not any("unknown option" in line for line in said), err
        return
    assert code == 2
    assert len(said) == 1, err
    assert named in said[0], err


def test_show_suggests_what_the_signed_in_account_may_do_where_the_decision_is_answered(
    missions_home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 39 item 9: `show` suggested a `decide --approve` that was then refused. It offers the hand-off to an
    account that may not approve (by role or by money limit), every way to one that may, and sends a decision of a
    run LangGraph's server holds there."""
    from ai_missions.cli import main

    missions_home.mkdir(parents=True)
    indexed_policies(missions_home)
    store = RunStore(missions_home / "runs.sqlite")
    facts = {"order.id": "SO-4", "order.total": 1670.73, "payment.authorization_id": "AUTH-4"}
    args = {"authorization_id": "AUTH-4", "amount": 1670.73}
    capture = {"action_request": {"action": "capture_payment", "args": args}, "metadata": {"action_index": 0}}
    for run, served in (("R-4", None), ("R-5", "langgraph")):
        store.create_run(run, mission="order-exception", subject_id=f"SO-{run[-1]}", reasoner="offline", case_types=[])
        store.append_events(run, [{"kind": "observation", "node": "gather", "source": "erp", "data": facts}])
        request = {"interrupts": [capture], **({"served_by": served} if served else {})}
        store.open_decision(f"D-{run[-1]}", run_id=run, mission="order-exception", subject_id=f"SO-{run[-1]}",
                            request=request)  # fmt: skip
    monkeypatch.setenv("MISSIONS_HOME", str(missions_home))

    def hint(run: str, account: str) -> str:
        monkeypatch.setenv("MISSIONS_TOKEN", signed_in_as(missions_home, account)["MISSIONS_TOKEN"])
        capsys.readouterr()
        assert main(["show", run]) == 0
        return next(line for line in capsys.readouterr().out.splitlines() if line.startswith("  decide: "))

    assert hint("R-4", "ana").startswith("  decide: missions decide D-4 --hand-off ROLE --reason WHY  (ana (ops_agent)")
    assert "exceeds the ops_agent approval limit of 200.00" in hint("R-4", "ana")
    assert "may not approve any open action" in hint("R-4", "cole")
    assert "--approve" in hint("R-4", "fiona")
    assert "LangGraph server" in hint("R-5", "fiona")
    assert "--approve" not in hint("R-5", "fiona")


@pytest.mark.parametrize("argv", [["eval", "report", "\ud800"], ["show", "R-\udcff"], ["queue", "--mission", "\udcff"]])
def test_an_argument_that_is_not_text_is_one_error_line(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    """Bytes the locale could not decode reach Python as lone surrogates (the fuzz found `eval report '\\ud800'`
    ending in an internal error): refused before any command runs, in one line."""
    from ai_missions.cli import main

    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("missions: error: an argument is not valid UTF-8 text: ")
    assert len(err.strip().splitlines()) == 1


def test_a_refused_second_demo_imports_no_runtime(missions_home: Path) -> None:
    """Issue 60 item 10: a second `missions demo` imported LangGraph and the MCP stack (2.4 s of CPU here, 8.6-13 s
    on a loaded machine) before saying the home already holds one; the refusal now needs only the run store."""
    missions_home.mkdir(parents=True)
    queued(missions_home)
    RunStore(missions_home / "runs.sqlite").append_events("R-1", [{"kind": "observation", "summary": "a finding"}])
    code, heavy, err = probe(missions_home, "demo")
    assert code == 2
    assert "this home already holds a demo" in err
    assert heavy == []
