"""Property-based fuzzing of every MCP tool of every system and of every CLI command.

Whatever arguments arrive (wrong types, missing and unknown keys, huge numbers, injection-shaped strings), a tool
answers with a result or a one-line tool error and stays up, and a command exits 0 or prints one error line and
exits non-zero; neither ever shows a traceback or an internal error. Run with ``-s`` to see the counts.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from anyio.from_thread import BlockingPortal, start_blocking_portal
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mcp import ClientSession

from ai_missions.cli import build_parser, main
from ai_missions.contracts import contract
from ai_missions.integrations.accounts_seed import generate as accounts_book
from ai_missions.integrations.ap_seed import seed_ap_book
from ai_missions.integrations.loader import write_book
from ai_missions.integrations.retail_seed import seed_retail_book
from ai_missions.integrations.seed import seed_book
from ai_missions.integrations.support_seed import generate_from as helpdesk_book
from ai_missions.integrations.systems import storage_systems
from ai_missions.services.connections import connections
from ai_missions.services.mcp_session import open_session

pytestmark = pytest.mark.slow

FUZZ = settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture], database=None
)

NASTY = [
    "",
    " ",
    "-1",
    "0",
    "1e309",
    "99999999999999999999",
    "SO-100001",
    "INV-100001",
    "D-000000000000",
    "R-000000000000",
    "SO-100001'; DROP TABLE orders;--",
    "../../etc/passwd",
    '{"outcome": "proceed"}',
    "<script>alert(1)</script>",
    "é" * 300,
]
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**15), 10**15),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=40),
    st.sampled_from(NASTY),
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=6,
)

#: Tally of what the fuzzers saw, printed at the end of each test.
seen: Counter[str] = Counter()


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("fuzz")
    seed_book(300, 5, home)
    seed_ap_book(200, 5, home)
    seed_retail_book(40, 5, home)
    write_book(helpdesk_book(home, 10, 5), home)
    write_book(accounts_book(60, 5), home)
    return home


@pytest.fixture(scope="module")
def portal() -> Iterator[BlockingPortal]:
    with start_blocking_portal() as portal:
        yield portal


@pytest.fixture(scope="module")
def sessions(home: Path, portal: BlockingPortal) -> Iterator[dict[str, ClientSession]]:
    """One persistent MCP session per system (served in-process: the same server code and validation as over
    stdio, whose own tests are in test_systems_mcp.py), driven from the test thread through the portal."""
    stack = contextlib.ExitStack()
    opened: dict[str, ClientSession] = {}
    for system, conn in connections(storage_systems(), home, "in-process").items():  # the protocol without 14 processes
        opened[system] = stack.enter_context(portal.wrap_async_context_manager(open_session(conn)))
    with stack:
        yield opened


TOOLS = [(system, spec.name) for system in storage_systems() for spec in contract(system)]


def tool_arguments(names: list[str]) -> st.SearchStrategy[dict[str, Any]]:
    """The tool's own argument names with any values, or any names at all."""
    known = st.fixed_dictionaries({}, optional=dict.fromkeys(names, values))
    return st.one_of(known, st.dictionaries(st.text(max_size=12), values, max_size=4))


@pytest.mark.parametrize(("system", "tool"), TOOLS, ids=[f"{s}.{t}" for s, t in TOOLS])
def test_a_tool_answers_any_arguments_with_a_result_or_one_error_line(
    system: str, tool: str, sessions: dict[str, ClientSession], portal: BlockingPortal
) -> None:
    session = sessions[system]
    listed = {t.name: t for t in portal.call(session.list_tools).tools}
    names = sorted(listed[tool].inputSchema.get("properties", {}))

    @FUZZ
    @given(args=st.data())
    def call(args: st.DataObject) -> None:
        arguments = args.draw(tool_arguments(names))
        result = portal.call(session.call_tool, tool, arguments)
        text = " ".join(getattr(c, "text", "") for c in result.content)
        seen["tool calls"] += 1
        if result.isError:
            seen["tool errors"] += 1
            assert text.strip(), f"{tool}({arguments}): an error without a message"
            assert "\n" not in text.strip(), f"{tool}({arguments}): {text!r}"
            assert "Traceback" not in text, text
            assert "internal error" not in text.casefold(), text

    call()


def leaf_commands(
    parser: argparse.ArgumentParser, prefix: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], argparse.ArgumentParser]]:
    subparsers = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if not subparsers:
        yield prefix, parser
        return
    for name, child in subparsers[0].choices.items():
        yield from leaf_commands(child, (*prefix, name))


#: Commands that serve until stopped, or run whole jobs (seeding, indexing, replays): fuzzed elsewhere or not at all.
LONG_RUNNING = {
    ("demo",),
    ("dashboard",),
    ("systems", "serve"),
    ("systems", "seed"),
    ("scan",),
    ("eval", "run"),
    ("eval", "generate"),
    ("knowledge", "build"),
    ("knowledge", "eval"),
    ("serve",),
    ("scheduler",),
    ("worker",),
    ("batch",),
}
COMMANDS = [(path, p) for path, p in leaf_commands(build_parser()) if path not in LONG_RUNNING]


def argv_for(parser: argparse.ArgumentParser) -> st.SearchStrategy[list[str]]:
    options = sorted(o for a in parser._actions for o in a.option_strings if o not in ("-h", "--help"))
    token = st.one_of(st.sampled_from(NASTY), st.text(alphabet=st.characters(blacklist_characters="\x00"), max_size=20))
    return st.lists(st.one_of(st.sampled_from(options), token) if options else token, max_size=5)


@pytest.mark.parametrize(("path", "parser"), COMMANDS, ids=[" ".join(p) for p, _ in COMMANDS])
def test_a_command_exits_cleanly_or_with_one_error_line(
    path: tuple[str, ...],
    parser: argparse.ArgumentParser,
    home: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("MISSIONS_HOME", str(home))
    cwd = tmp_path / "a" / "b" / "c"  # a fuzzed relative path lands here, never in the checkout
    cwd.mkdir(parents=True)
    monkeypatch.chdir(cwd)

    @FUZZ
    @given(argv=argv_for(parser))
    def run(argv: list[str]) -> None:
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main([*path, *argv])
            except SystemExit as exit_:
                code = exit_.code if isinstance(exit_.code, int) else 2
        message = err.getvalue().strip()
        seen["commands"] += 1
        assert "Traceback" not in message, f"{[*path, *argv]}: {message}"
        assert "internal error" not in message, f"{[*path, *argv]}: {message}"
        if code:
            seen["command errors"] += 1
            assert message.startswith("missions"), f"{[*path, *argv]}: exit {code} with {message!r}"
            assert len(message.splitlines()) == 1, f"{[*path, *argv]}: {message!r}"

    run()


def test_zz_print_the_tally() -> None:
    print("\nfuzz: " + json.dumps(dict(seen)))
