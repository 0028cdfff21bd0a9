"""A tool is one typed, decorated service function (docs/missions.md, "A new system"): the contract the platform reads,
the MCP server, the annotations, the grant check and the one idempotent-write path are derived from it, and every
system, the simulator's own as any other package's, registers by entry point.

Checked here: every checked-in contract is the one its declaration derives; the platform reads them without importing
a system; no hand-written MCP wrapper or second idempotent-write path remains; the decorator's rules and its write
path on a toy system; the registries read the entry points only.
"""

from __future__ import annotations

import ast
import json
import sqlite3
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Annotated

import pytest
from pydantic import BaseModel, Field

from ai_missions.contracts import contract, contracts, tools_by_name
from ai_missions.integrations.books import books
from ai_missions.integrations.kit import Amount, IdempotencyKey, Replayable, SimulatedSystem, book_now, to_cents, to_ts
from ai_missions.integrations.plugin import COMMON
from ai_missions.integrations.system_server import contract_of, contract_path, contract_text, tool_annotations
from ai_missions.integrations.systems import SERVED, declared, simulated, storage_systems
from ai_missions.kernel.errors import ConflictError, ValidationError
from ai_missions.kernel.tools import SystemContract

ROOT = Path(__file__).resolve().parent.parent
IN_TREE = tuple(tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["entry-points"]["ai_missions.systems"])


@pytest.mark.parametrize("system", IN_TREE)
def test_the_checked_in_contract_is_the_one_its_declaration_derives(system: str) -> None:
    """``contracts/<system>.json`` is what ``missions systems contract --write`` writes from the declaration."""
    assert contract_path(system).read_text(encoding="utf-8") == contract_text(declared(system))
    assert contract(system) == contract_of(declared(system))


def test_the_platform_reads_the_contracts_without_importing_a_system() -> None:
    code = (
        "import sys\n"
        "from ai_missions.contracts import contracts, tools_by_name\n"
        "assert len(contracts()) >= 14 and tools_by_name()\n"
        "print(sorted(m for m in sys.modules if m.startswith('ai_missions.integrations')))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert done.stdout.strip() == "[]"


def test_every_system_is_registered_by_entry_point_and_declares_its_tables() -> None:
    """The 14 systems come from ``ai_missions.systems``, their contracts from ``ai_missions.contracts``, their books
    from ``ai_missions.books``; each system's DDL creates exactly the tables its declaration carries."""
    assert set(IN_TREE) <= set(SERVED)
    assert len(IN_TREE) == 14
    assert set(SERVED) == set(contracts())
    assert set(simulated()) == set(SERVED)
    for name in storage_systems():
        db = sqlite3.connect(":memory:")
        db.executescript(declared(name).schema)
        created = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY rowid")]
        assert created == list(declared(name).tables), name
    assert "monitor" not in storage_systems()  # a report over the others' data: no database of its own
    assert {"commerce", "payables", "retail", "helpdesk", "accounts"} <= set(books())
    order = list(books())
    assert order.index("helpdesk") > order.index("commerce")  # derived from the commerce book: seeded after it


def test_no_hand_written_wrapper_or_second_write_path_remains() -> None:
    """Servers are built from declarations only (``add_tool`` in ``system_server.py`` alone) and every write runs
    through the one idempotent path (``idempotent_write`` called from the decorator alone)."""
    calls: dict[str, list[str]] = {"add_tool": [], "idempotent_write": [], "tool": []}
    for path in sorted([*(ROOT / "integrations").glob("*.py"), *(ROOT / "examples").rglob("*.py")]):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call):
                name = getattr(node.func, "attr", None) or getattr(node.func, "id", None)
                if name in ("add_tool", "idempotent_write"):
                    calls[name].append(path.relative_to(ROOT).as_posix())
            elif isinstance(node, ast.FunctionDef):  # the old ``@tool(server)`` wrapper
                wrapped = [d for d in node.decorator_list if isinstance(d, ast.Call) and ast.unparse(d.func) == "tool"]
                calls["tool"] += [path.relative_to(ROOT).as_posix()] * len(wrapped)
    assert set(calls["add_tool"]) == {"integrations/system_server.py"}
    assert set(calls["idempotent_write"]) == {"integrations/plugin.py"}
    assert calls["tool"] == []
    assert not list((ROOT / "integrations").glob("server_*.py"))
    assert not (ROOT / "integrations" / "schema.py").exists()


def test_every_write_of_every_contract_takes_a_key_and_names_an_argument_as_its_amount() -> None:
    """Derived, so true of every system: the checked-in contract says what its server takes."""
    for spec in tools_by_name().values():
        if spec.is_write:
            assert "idempotency_key" in spec.arguments, spec.name
        assert spec.amount_arg is None or spec.amount_arg in spec.arguments, spec.name


# A toy system, declared as a system author declares one.

TOY = SimulatedSystem("toy", "Toy ledger", "CREATE TABLE credits (credit_id TEXT PRIMARY KEY, cents INTEGER) STRICT;")
CreditId = Annotated[str, Field(min_length=1, max_length=16, description="Credit id, e.g. CR-1")]


class Credit(Replayable):
    credit_id: str
    amount: float


class Credits(BaseModel):
    credits: list[str]


@TOY.read
def list_credits(conn: sqlite3.Connection) -> Credits:
    """Every credit.

    Oldest first."""
    return Credits(credits=[r[0] for r in conn.execute("SELECT credit_id FROM credits ORDER BY rowid")])


@TOY.write(amount="amount", irreversible=True, reaches_outside=True)
def issue_credit(
    conn: sqlite3.Connection, credit_id: CreditId, amount: Amount, idempotency_key: IdempotencyKey
) -> Credit:
    """Issue a credit to a customer (a summary
    on two lines).

    Refused above 100."""
    cents = to_cents(amount)
    if cents > 10_000:
        raise ConflictError("at most 100")
    conn.execute("INSERT INTO credits VALUES (?, ?)", (credit_id, cents))
    return Credit(credit_id=credit_id, amount=amount)


@pytest.fixture
def toy_db() -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:", isolation_level=None)
    conn.row_factory = sqlite3.Row
    conn.executescript(TOY.schema)
    conn.execute("INSERT INTO meta VALUES ('book_now', '2026-03-16T15:00:00Z')")
    return conn


def test_a_write_runs_once_per_key_and_a_repeat_gets_its_result_back(toy_db: sqlite3.Connection) -> None:
    first = issue_credit(toy_db, "CR-1", 12.5, idempotency_key="k1")
    again = issue_credit(toy_db, "CR-1", 12.5, "k1")  # positional, as the signature says
    assert (first.replayed, again.replayed) == (False, True)
    assert again.model_copy(update={"replayed": False}) == first
    assert list_credits(toy_db).credits == ["CR-1"]
    with pytest.raises(ConflictError, match="already used for a different request"):
        issue_credit(toy_db, "CR-2", 12.5, idempotency_key="k1")
    with pytest.raises(ConflictError, match="at most 100"):  # refused: nothing written, nothing recorded
        issue_credit(toy_db, "CR-3", 250.0, idempotency_key="k3")
    assert [tuple(r) for r in toy_db.execute("SELECT key FROM idempotency ORDER BY key")] == [("k1",)]
    recorded = TOY.served_tools()[-1].function(toy_db, idempotency_key="k1")
    assert recorded.found
    assert recorded.tool == "issue_credit"
    assert recorded.response == first.model_dump(mode="json")
    assert to_ts(book_now(toy_db)) == "2026-03-16T15:00:00Z"


def test_the_contract_and_the_listing_are_derived_from_the_declaration() -> None:
    derived = contract_of(TOY)
    assert [t.name for t in derived.tools] == ["list_credits", "issue_credit", "get_toy_write"]
    issue = derived.tool("issue_credit")
    assert issue.summary == "Issue a credit to a customer (a summary on two lines)."
    assert (issue.kind, issue.amount_arg, issue.irreversible, issue.reaches_outside) == ("write", "amount", True, True)
    assert issue.arguments == ("credit_id", "amount", "idempotency_key")
    assert issue.input_schema is not None
    assert issue.input_schema["properties"]["credit_id"]["description"] == "Credit id, e.g. CR-1"
    assert derived.tool("get_toy_write").arguments == ("idempotency_key",)
    assert SystemContract.from_json(json.loads(json.dumps(derived.to_json()))) == derived
    annotations = tool_annotations(issue)
    assert (annotations.readOnlyHint, annotations.destructiveHint, annotations.openWorldHint) == (False, True, True)
    tool = TOY.tools["issue_credit"]
    assert tool.description == (
        "Issue a credit to a customer (a summary on two lines).\n\nRefused above 100."
        "\n\nWrite: takes an idempotency_key."
    )


async def test_a_declared_system_is_served_with_its_grant_check(tmp_path: Path) -> None:
    """The server built from the declaration lists the declared tools and refuses a write without a grant."""
    from ai_missions.integrations.system_server import SystemServer, _register

    server = SystemServer(TOY, home=tmp_path)
    conn = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
    conn.executescript(TOY.schema)
    server.db = conn
    for tool in TOY.served_tools():
        _register(server, TOY, tool, {"conn": conn, "home": tmp_path})
    listed = {t.name: t for t in await server.list_tools()}
    assert list(listed) == ["list_credits", "issue_credit", "get_toy_write"]
    assert listed["issue_credit"].annotations is not None
    assert listed["issue_credit"].annotations.destructiveHint is True
    refused = await server.call_tool("issue_credit", {"credit_id": "CR-1", "amount": 1.0, "idempotency_key": "k"})
    assert refused.isError
    assert conn.execute("SELECT COUNT(*) FROM credits").fetchone() == (0,)


def _declare(system: SimulatedSystem, source: str) -> None:
    namespace: dict[str, object] = {"system": system, "sqlite3": sqlite3, "IdempotencyKey": IdempotencyKey}
    exec(source, namespace)


DECLARATION_ERRORS = {
    "a write without an idempotency key": (
        "@system.write\ndef w(conn: sqlite3.Connection, x: int) -> None:\n    'Doc.'\n",
        "is a write without a conn and an idempotency_key",
    ),
    "a read that takes an idempotency key": (
        "@system.read\ndef r(conn: sqlite3.Connection, idempotency_key: IdempotencyKey) -> None:\n    'Doc.'\n",
        "is a read that takes an idempotency_key",
    ),
    "a tool without a docstring": (
        "@system.read\ndef r(conn: sqlite3.Connection) -> None:\n    pass\n",
        "no docstring",
    ),
    "an amount it does not take": (
        "@system.write(amount='total')\n"
        "def w(conn: sqlite3.Connection, amount: float, idempotency_key: IdempotencyKey) -> None:\n    'Doc.'\n",
        "names 'total' as its amount",
    ),
    "a tool declared twice": (
        "@system.read\ndef r(conn: sqlite3.Connection) -> None:\n    'Doc.'\n"
        "@system.read\ndef r(conn: sqlite3.Connection) -> None:\n    'Doc.'\n",
        "is declared twice",
    ),
}


@pytest.mark.parametrize(("source", "problem"), DECLARATION_ERRORS.values(), ids=DECLARATION_ERRORS)
def test_a_malformed_declaration_is_refused_where_it_is_written(source: str, problem: str) -> None:
    with pytest.raises(TypeError, match=problem):
        _declare(SimulatedSystem("bad", "Bad", "CREATE TABLE t (x TEXT);"), source)


def test_a_system_with_storage_declares_its_tables_and_one_without_none() -> None:
    with pytest.raises(ValueError, match="has a DDL"):
        SimulatedSystem("bad", "Bad")
    with pytest.raises(ValueError, match="has a DDL"):
        SimulatedSystem("bad", "Bad", "CREATE TABLE t (x TEXT);", storage=False)
    assert TOY.schema.startswith(COMMON)
    assert TOY.tables == ("meta", "sequences", "idempotency", "credits")


def test_an_unknown_or_foreign_system_is_one_clear_error() -> None:
    with pytest.raises(ValidationError, match="unknown system 'nope'"):
        declared("nope")
